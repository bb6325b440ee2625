"""The IPFS node backend against a real node, and its agreement with the embedded store."""
from __future__ import annotations

import socket
import time

import ipfshttpclient
import pytest
from tests.ipfs_node import CHUNK, free_port, pseudo_random_bytes

from dapp.cid import MAX_LINKS, UnixfsFileHasher, cid_of_bytes, parse_cid
from dapp.exceptions import ContentIntegrityError, ContentNotFound, IpfsNodeError, IpfsUnavailable
from dapp.ipfs import IpfsNodeStore

BOUNDARY_SIZES = [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 5, MAX_LINKS * CHUNK, MAX_LINKS * CHUNK + 1]


@pytest.fixture(scope="module")
def raw_client(ipfs_api):
    """ipfshttpclient itself, for what the store does not expose (chunker, only-hash, pin ls)."""
    client = ipfshttpclient.Client(ipfs_api, session=True, timeout=60)
    yield client
    client.close()


def pinned(raw_client) -> set[str]:
    """Recursively pinned CIDs, as CIDv1 base32 (js-ipfs lists them in base58btc)."""
    return {str(parse_cid(key).to_v1()) for key in raw_client.pin.ls(type="recursive")["Keys"]}


# ---------------------------------------------------------------- same CIDs everywhere


@pytest.mark.parametrize("size", BOUNDARY_SIZES)
def test_node_and_embedded_store_give_kubos_cid(node_store, embedded_store, size):
    data = pseudo_random_bytes(size, seed=7)
    cid = node_store.add(data)
    assert cid == cid_of_bytes(data) == embedded_store.add(data)
    assert node_store.get(cid) == data


@pytest.mark.parametrize("chunks", [MAX_LINKS**2, MAX_LINKS**2 + 1])
def test_node_builds_the_same_deep_tree_with_one_byte_chunks(raw_client, chunks):
    # A third level needs 174**2 + 1 chunks: 7.4 GiB with real chunks, 30 KB with 1-byte ones.
    data = pseudo_random_bytes(chunks)
    answer = raw_client.add_bytes(
        data, opts={"cid-version": 1, "raw-leaves": "true", "chunker": "size-1", "only-hash": "true", "cid-base": "base32"}
    )
    local = UnixfsFileHasher(chunk_size=1)
    local.update(data)
    assert answer == str(local.finalize())


def test_node_answers_cidv1_in_base32(node_store):
    assert node_store.add(b"hello world\n") == "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"


def test_add_streams_a_file(node_store, tmp_path):
    data = pseudo_random_bytes(5 * CHUNK + 3, seed=8)
    path = tmp_path / "upload.bin"
    path.write_bytes(data)
    with open(path, "rb") as stream:
        assert node_store.add(stream) == cid_of_bytes(data)


def test_open_streams_the_content(node_store):
    data = pseudo_random_bytes(4 * CHUNK + 1, seed=9)
    assert b"".join(node_store.open(node_store.add(data))) == data


# ---------------------------------------------------------------- keeping content


def test_added_content_is_pinned_and_can_be_unpinned(node_store, raw_client):
    cid = node_store.add(pseudo_random_bytes(CHUNK + 10, seed=10))
    assert node_store.has(cid)
    assert cid in pinned(raw_client)
    node_store.unpin(cid)
    node_store.unpin(cid)  # not pinned any more: fine
    assert cid not in pinned(raw_client)
    node_store.pin(cid)
    assert cid in pinned(raw_client)


def test_expected_cid_mismatch_keeps_nothing_pinned(node_store, raw_client):
    with pytest.raises(ContentIntegrityError) as raised:
        node_store.add(b"what was sent", expected_cid=cid_of_bytes(b"what was promised"))
    assert raised.value.actual not in pinned(raw_client)


def test_a_node_importing_differently_is_caught_and_its_copy_unpinned(ipfs_api, raw_client, monkeypatch):
    store = IpfsNodeStore(ipfs_api, timeout=10)
    original_add = store._client.add

    def add_with_small_chunks(*args, **kwargs):
        return original_add(*args, **{**kwargs, "chunker": "size-1000"})

    monkeypatch.setattr(store._client, "add", add_with_small_chunks)
    before = pinned(raw_client)
    with pytest.raises(IpfsNodeError, match="imports with other settings"):
        store.add(pseudo_random_bytes(5000, seed=11))
    assert pinned(raw_client) == before
    store.close()


def test_a_broken_upload_raises_its_own_error_and_pins_nothing(node_store, raw_client):
    before = pinned(raw_client)

    def upload_that_breaks():
        yield pseudo_random_bytes(3 * CHUNK, seed=12)
        raise OSError("the client went away")

    with pytest.raises(OSError, match="went away") as raised:
        node_store.add(upload_that_breaks())
    assert not isinstance(raised.value, IpfsUnavailable)
    assert pinned(raw_client) == before


# ---------------------------------------------------------------- absent content, absent node


def test_absent_content_is_not_found_within_the_timeout(ipfs_api):
    absent = cid_of_bytes(b"nobody ever added this")
    with IpfsNodeStore(ipfs_api, timeout=2) as store:
        started = time.monotonic()
        assert not store.has(absent)
        with pytest.raises(ContentNotFound, match=absent):
            store.get(absent)
        assert time.monotonic() - started < 6


def test_a_node_that_is_down_is_unavailable_at_once():
    store = IpfsNodeStore(f"/ip4/127.0.0.1/tcp/{free_port()}/http", timeout=5)
    started = time.monotonic()
    for call in (lambda: store.add(b"x"), lambda: store.get(cid_of_bytes(b"x")), lambda: store.has(cid_of_bytes(b"x"))):
        with pytest.raises(IpfsUnavailable, match="connection refused"):
            call()
    assert time.monotonic() - started < 1.0


def test_a_node_that_hangs_is_unavailable_after_the_timeout():
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        store = IpfsNodeStore(f"/ip4/127.0.0.1/tcp/{silent.getsockname()[1]}/http", timeout=0.5)
        started = time.monotonic()
        with pytest.raises(IpfsUnavailable, match="timed out") as raised:
            store.add(b"x" * 1000)
        assert time.monotonic() - started < 3
        assert "nothing was stored" in str(raised.value)
        assert isinstance(raised.value, ConnectionError)
        store.close()
