"""Fixtures for the IPFS layer: a real IPFS node (js-ipfs, kubo's RPC API) and the stores.

The node is started once per session from tools/ipfs-node (``npm ci`` there first), offline,
with its repo in a temp dir and its API on a free port; it is stopped with SIGTERM.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from dapp.ipfs import EmbeddedStore, IpfsNodeStore
from tests.ipfs_node import ipfs_node_or_skip

_startup_seconds: list[float] = []


# ---------------------------------------------------------------- the node


@pytest.fixture(scope="session")
def ipfs_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The RPC API multiaddr of a fresh, offline js-ipfs node."""
    with ipfs_node_or_skip(tmp_path_factory.mktemp("ipfs-node")) as node:
        _startup_seconds.append(node.start_seconds)
        yield node.api


@pytest.fixture(scope="session")
def node_store(ipfs_api: str) -> Iterator[IpfsNodeStore]:
    with IpfsNodeStore(ipfs_api, timeout=10) as store:
        yield store


@pytest.fixture
def embedded_store(tmp_path: Path) -> EmbeddedStore:
    return EmbeddedStore(tmp_path / "store")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for seconds in _startup_seconds:
        terminalreporter.write_line(f"IPFS test node (js-ipfs) answered its API {seconds:.1f} s after start")
