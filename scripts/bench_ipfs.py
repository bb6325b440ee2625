"""How fast CIDs are computed locally, files stored in the embedded store, and added through a real
IPFS node (MiB/s).

    .venv/bin/python -m scripts.bench_ipfs [--start-node | --node /ip4/127.0.0.1/tcp/5001/http] [--json out.json]

--start-node starts the js-ipfs test node (tools/ipfs-node) for the run; --node times a node
already running. Adds go through `IpfsNodeStore`, as the dApp's uploads do (the CID is computed
locally too, so that time is part of it). Plain Python, not a Brownie script.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Callable

from dapp.cid import cid_of_bytes, cid_of_stream
from dapp.ipfs import EmbeddedStore, IpfsNodeStore
from scripts.local_stack import IpfsNode

MiB = 1024 * 1024
SIZES_MIB = (1, 10, 50)
REPEATS = 3
NODE_REPEATS = 2
NODE_TIMEOUT = 300.0


def best_seconds(work: Callable[[], object], repeats: int = REPEATS) -> float:
    """The fastest of a few runs: the least disturbed by other work on a shared machine."""
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def report(label: str, size: int, seconds: float) -> None:
    print(f"{label:<28} {size // MiB:>4} MiB  {seconds * 1000:>8.1f} ms  {size / MiB / seconds:>8.0f} MiB/s")


def run(sizes_mib: tuple[int, ...] = SIZES_MIB, *, node: str | None = None, start_node: bool = False) -> dict[str, Any]:
    """MiB/s per operation and size; with `node` or `start_node`, adds through that IPFS node too."""
    results: dict[str, dict[str, float]] = {}

    def record(label: str, data: bytes, seconds: float) -> None:
        report(label, len(data), seconds)
        results.setdefault(label, {})[str(len(data) // MiB)] = round(len(data) / MiB / seconds, 1)

    samples = {size: os.urandom(size * MiB) for size in sizes_mib}
    for data in samples.values():
        record("cid_of_bytes", data, best_seconds(lambda: cid_of_bytes(data)))
        record("cid_of_stream (256 KiB reads)", data, best_seconds(lambda: cid_of_stream(io.BytesIO(data))))
    with tempfile.TemporaryDirectory() as folder:
        store = EmbeddedStore(folder)
        for data in samples.values():
            record("embedded add (fsync)", data, best_seconds(lambda: store.add(data)))
            cid = cid_of_bytes(data)
            record("embedded get (checked)", data, best_seconds(lambda: store.get(cid)))
    node_info = None
    if node or start_node:
        with ExitStack() as stack:
            if start_node:
                home = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="chainmart-ipfs-bench-")))
                started = stack.enter_context(IpfsNode(home))
                node, node_info = started.api, {"node": "js-ipfs test node (tools/ipfs-node)",
                                                "start_seconds": round(started.start_seconds, 1)}
            store = stack.enter_context(IpfsNodeStore(node, timeout=NODE_TIMEOUT))
            for data in samples.values():
                # Fresh bytes each time: a node that already holds the blocks would skip writing them.
                pieces = [os.urandom(len(data)) for _ in range(NODE_REPEATS)]
                seconds = min(_timed(lambda piece=piece: store.add(piece)) for piece in pieces)
                record("node add", data, seconds)
    return {"mib_per_second": results, "sizes_mib": list(sizes_mib), "repeats": REPEATS,
            "node_repeats": NODE_REPEATS, "node": node_info or ({"node": node} if node else None)}


def _timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--node", help="RPC API multiaddr of a running IPFS node to time as well")
    where.add_argument("--start-node", action="store_true", help="start the js-ipfs test node and time it")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES_MIB)), help="file sizes in MiB (default 1,10,50)")
    parser.add_argument("--json", type=Path, help="also write the result here")
    args = parser.parse_args(argv)
    result = run(tuple(int(s) for s in args.sizes.split(",")), node=args.node, start_node=args.start_node)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
