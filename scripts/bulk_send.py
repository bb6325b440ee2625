"""Many contract calls sent fast to a local chain: JSON-RPC batches of `eth_sendTransaction` from
the chain's unlocked test accounts, a set number mined per block. For benchmarks and tests that need
a long history (Brownie sends one transaction at a time and waits for each).

    node = Node(rpc_url)
    hashes = send_in_blocks(node, market_address, [(sender, calldata, value, gas), ...], per_block=10)
    assert failed_transactions(node, hashes) == 0

The node signs (signing in pure Python costs about 4 ms a transaction, the node almost nothing).
"""
from __future__ import annotations

from typing import Any

import requests

RPC_BATCH = 250
Call = tuple[str, str, int, int]  # from, calldata, value (wei), gas


class Node:
    """JSON-RPC to the chain over one keep-alive connection, with batches."""

    def __init__(self, rpc_url: str):
        self.url, self.session = rpc_url, requests.Session()

    def call(self, method: str, *params: Any) -> Any:
        return self.batch([(method, list(params))])[0]

    def batch(self, requests_: list[tuple[str, list]]) -> list[Any]:
        body = [{"jsonrpc": "2.0", "id": i, "method": m, "params": p} for i, (m, p) in enumerate(requests_)]
        answers = sorted(self.session.post(self.url, json=body, timeout=300).json(), key=lambda a: a["id"])
        for answer in answers:
            if "error" in answer:
                raise RuntimeError(f"{body[answer['id']]['method']} refused: {answer['error']}")
        return [answer["result"] for answer in answers]


def send_in_blocks(node: Node, to: str, calls: list[Call], per_block: int) -> list[str]:
    """Send (from, data, value, gas) calls with eth_sendTransaction (the chain's unlocked accounts sign),
    `per_block` at a time in one JSON-RPC batch, each group mined as one block (automine is off
    meanwhile, so every block holds exactly its group). Returns the transaction hashes."""
    senders = sorted({sender for sender, *_ in calls})
    nonces = dict(zip(senders, (int(n, 16) for n in node.batch(
        [("eth_getTransactionCount", [sender, "pending"]) for sender in senders]))))
    hashes = []
    node.call("evm_setAutomine", False)
    try:
        for start in range(0, len(calls), per_block):
            group = []
            for sender, data, value, gas in calls[start:start + per_block]:
                group.append(("eth_sendTransaction", [{"from": sender, "to": to, "data": data, "value": hex(value),
                                                       "gas": hex(gas), "nonce": hex(nonces[sender])}]))
                nonces[sender] += 1
            hashes += node.batch(group)
            node.call("evm_mine")
    finally:
        node.call("evm_setAutomine", True)
    pool = node.call("txpool_status")
    if int(pool["pending"], 16) or int(pool["queued"], 16):
        raise RuntimeError(f"transactions left unmined: {pool}")
    return hashes


def failed_transactions(node: Node, hashes: list[str]) -> int:
    """How many of the transactions reverted (their receipts fetched in batches too)."""
    failed = 0
    for start in range(0, len(hashes), RPC_BATCH):
        receipts = node.batch([("eth_getTransactionReceipt", [h]) for h in hashes[start:start + RPC_BATCH]])
        failed += sum(receipt is None or receipt["status"] != "0x1" for receipt in receipts)
    return failed
