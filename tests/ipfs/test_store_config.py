"""Choosing and configuring a content store from the app's configuration."""
from __future__ import annotations

import pytest

from dapp.exceptions import ConfigError
from dapp.ipfs import DEFAULT_API_ADDR, DEFAULT_TIMEOUT, EmbeddedStore, IpfsNodeStore, store_from_config


def test_embedded_is_the_default(tmp_path):
    store = store_from_config({"IPFS_STORE_PATH": str(tmp_path / "ipfs")})
    assert isinstance(store, EmbeddedStore)
    assert (tmp_path / "ipfs" / "content").is_dir()


def test_node_backend_reads_address_and_timeout():
    with store_from_config(
        {"IPFS_BACKEND": "node", "IPFS_API_ADDR": "/ip4/127.0.0.1/tcp/15001/http", "IPFS_TIMEOUT": "2.5"}
    ) as store:
        assert isinstance(store, IpfsNodeStore)
        assert (store.api_addr, store.timeout) == ("/ip4/127.0.0.1/tcp/15001/http", 2.5)


def test_node_backend_defaults():
    with store_from_config({"IPFS_BACKEND": "Node"}) as store:
        assert (store.api_addr, store.timeout) == (DEFAULT_API_ADDR, DEFAULT_TIMEOUT)


@pytest.mark.parametrize(
    "config, message",
    [
        ({}, "IPFS_STORE_PATH must name a folder"),
        ({"IPFS_BACKEND": "s3"}, "IPFS_BACKEND must be one of embedded, node, not 's3'"),
        ({"IPFS_BACKEND": "node", "IPFS_TIMEOUT": "soon"}, "IPFS_TIMEOUT must be a number of seconds"),
        ({"IPFS_BACKEND": "node", "IPFS_TIMEOUT": 0}, "IPFS_TIMEOUT must be more than 0"),
        ({"IPFS_BACKEND": "node", "IPFS_API_ADDR": "localhost:5001"}, "not the multiaddr of an RPC API"),
    ],
)
def test_bad_configuration_says_what_to_fix(config, message):
    with pytest.raises(ConfigError, match=message) as raised:
        store_from_config(config)
    assert isinstance(raised.value, ValueError)


def test_an_unusable_store_path_is_a_config_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(ConfigError, match="cannot use"):
        store_from_config({"IPFS_STORE_PATH": str(blocker / "ipfs")})
