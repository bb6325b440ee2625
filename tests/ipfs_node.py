"""A real IPFS node for tests (js-ipfs from tools/ipfs-node, kubo's RPC API), and test data helpers.

Shared by tests/ipfs (plain pytest) and tests/dapp (Brownie tests of the Flask app).
"""
from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Iterator

NODE_DIR = Path(__file__).resolve().parents[1] / "tools" / "ipfs-node"
NODE_START_TIMEOUT = 90.0
NODE_STOP_TIMEOUT = 15.0
CHUNK = 262_144


class NodeNotInstalled(RuntimeError):
    pass


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


@contextlib.contextmanager
def running_node(home: Path) -> Iterator[tuple[str, float]]:
    """Start an offline js-ipfs node with its repo under `home`; yield (API multiaddr, start seconds)."""
    if not (NODE_DIR / "node_modules" / "ipfs" / "src" / "cli.js").is_file():
        raise NodeNotInstalled(f"js-ipfs is not installed: run `npm ci` in {NODE_DIR}")
    port = free_port()
    log_path = home / "node.log"
    env = {**os.environ, "IPFS_PATH": str(home / "repo")}
    started = time.monotonic()
    with open(log_path, "wb") as log:
        node = subprocess.Popen([str(NODE_DIR / "start.sh"), str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        while not _api_answers(port):
            if node.poll() is not None or time.monotonic() - started > NODE_START_TIMEOUT:
                raise RuntimeError(f"the IPFS test node did not start; its log:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.1)
        yield f"/ip4/127.0.0.1/tcp/{port}/http", time.monotonic() - started
    finally:
        node.send_signal(signal.SIGTERM)
        try:
            node.wait(timeout=NODE_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            node.kill()
            node.wait()
