"""Fixtures for the IPFS layer: a real IPFS node (js-ipfs, kubo's RPC API) and the stores.

The node is started once per session from tools/ipfs-node (``npm ci`` there first), offline,
with its repo in a temp dir and its API on a free port; it is stopped with SIGTERM.
"""
from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

from dapp.ipfs import EmbeddedStore, IpfsNodeStore

NODE_DIR = Path(__file__).resolve().parents[2] / "tools" / "ipfs-node"
NODE_START_TIMEOUT = 90.0
NODE_STOP_TIMEOUT = 15.0
CHUNK = 262_144

_startup_seconds: list[float] = []


def pseudo_random_bytes(size: int, seed: int = 0) -> bytes:
    """Deterministic bytes that do not compress or repeat (so no two chunks share a CID)."""
    return random.Random(f"{seed}:{size}").randbytes(size)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _api_answers(port: int) -> bool:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v0/version", method="POST")
    try:
        with urllib.request.urlopen(request, timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


# ---------------------------------------------------------------- the node


@pytest.fixture(scope="session")
def ipfs_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The RPC API multiaddr of a fresh, offline js-ipfs node."""
    if not (NODE_DIR / "node_modules" / "ipfs" / "src" / "cli.js").is_file():
        message = f"js-ipfs is not installed: run `npm ci` in {NODE_DIR}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    home = tmp_path_factory.mktemp("ipfs-node")
    port = free_port()
    log_path = home / "node.log"
    env = {**os.environ, "IPFS_PATH": str(home / "repo")}
    started = time.monotonic()
    with open(log_path, "wb") as log:
        node = subprocess.Popen([str(NODE_DIR / "start.sh"), str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        while not _api_answers(port):
            if node.poll() is not None or time.monotonic() - started > NODE_START_TIMEOUT:
                pytest.fail(f"the IPFS test node did not start; its log:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.1)
        _startup_seconds.append(time.monotonic() - started)
        yield f"/ip4/127.0.0.1/tcp/{port}/http"
    finally:
        node.send_signal(signal.SIGTERM)
        try:
            node.wait(timeout=NODE_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            node.kill()
            node.wait()


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
