"""A real IPFS node for tests (js-ipfs from tools/ipfs-node, kubo's RPC API), and test data helpers.

Shared by tests/ipfs (plain pytest), tests/dapp and tests/faults (Brownie tests of the Flask app).
The node itself is started by scripts/local_stack.py, which the benchmarks use too.
"""
from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from scripts.local_stack import IpfsNode, NodeNotInstalled, free_port  # noqa: F401  (free_port re-exported)

CHUNK = 262_144


def pseudo_random_bytes(size: int, seed: int = 0) -> bytes:
    """Deterministic bytes that do not compress or repeat (so no two chunks share a CID)."""
    return random.Random(f"{seed}:{size}").randbytes(size)


def ipfs_node_or_skip(home: Path) -> IpfsNode:
    """An IpfsNode at `home`, to start with `with`. Without js-ipfs installed the test is skipped, or
    fails under CI, where `make test` installs it."""
    try:
        return IpfsNode(home)
    except NodeNotInstalled as exc:
        if os.environ.get("CI"):
            pytest.fail(str(exc))
        pytest.skip(str(exc))
