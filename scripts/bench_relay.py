"""Relay throughput: N users buy K times each through POST /api/relay, and the same purchases as
plain transactions sent straight to the node; requests per second and latency to the mined
receipt for both, and their ratio.

    .venv/bin/python -m scripts.bench_relay [--users 50] [--per-user 20] [--json results.json]
    (or make bench-relay; scripts.bench imports run())

Self-contained: a fresh anvil on a free port, the platform deployed on it, the dApp served by
gunicorn as `make run` serves it (one process, 16 threads, the event indexer following the chain).

The call is the pages' gasless checkout: `Marketplace.buyWithPermit` of one unit of a stablecoin
listing, paid with an EIP-2612 permit signed beside the ERC-2771 ForwardRequest. It is the relay's
main real use and its heaviest path: a permit, a token payment and an order written on chain.

Each simulated user behaves like a person at a checkout: it posts a purchase, waits until it is
mined and reads the outcome (GET /api/relay/<id> until it says mined, as the pages do; a direct
buyer reads its receipt), then posts the next, so every request takes the relay's full path (nonce,
signature, the forwarder's checks and a simulation). All users run at once. Signatures are made before the clock
starts: a wallet signs on its user's machine, not on the relay's. Latency runs from the POST (or
eth_sendRawTransaction) until the purchase's log arrives on a WebSocket subscription to the node;
throughput is purchases mined per second of the phase.

Both phases start from the same chain state (evm_snapshot / evm_revert, see `run`): anvil gets
slower per block as its chain grows, so whichever ran second would otherwise be penalised.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import psutil
import requests
from eth_abi import encode as abi_encode
from eth_account import Account
from eth_utils import keccak, to_checksum_address
from web3 import Web3
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from scripts.local_stack import CHAIN_ID, LISTING_PRICE, DappServer, LocalChain, deploy_stack, rpc
from scripts.signing import permit_signature, sign_forward_request

RELAYED_GAS = 300_000  # the forwarded call's gas limit each ForwardRequest carries
DIRECT_GAS = 400_000
CHECK_EVERY = 1.0  # seconds a user waits before asking whether its purchase failed
REPORT_POLL = 0.05  # seconds between a user's status reads until the relay says mined
WAIT_TIMEOUT = 120.0  # a purchase not mined this long after it was sent counts as failed
EXECUTED = "0x" + keccak(text="ExecutedForwardRequest(address,uint256,bool)").hex().removeprefix("0x")
BUY_WITH_PERMIT = keccak(text="buyWithPermit(uint64,uint32,uint256,uint256,uint8,bytes32,bytes32)")[:4]


@dataclass
class Buyer:
    account: Any
    relayed: list[dict] = field(default_factory=list)  # signed POST /api/relay bodies
    direct: list[tuple[str, str]] = field(default_factory=list)  # (raw transaction, hash)


class ChainWatcher(threading.Thread):
    """Sees purchases land: relayed ones by the forwarder's ExecutedForwardRequest(signer, nonce),
    direct ones by transaction hash, as the node announces their logs (an eth_subscribe "logs"
    subscription over WebSocket: pushed when the block is mined, no polling load on the node)."""

    def __init__(self, url: str, forwarder: str, market: str):
        super().__init__(name="chain-watcher", daemon=True)
        self.node_url = url
        self.forwarder = forwarder.lower()
        self.seen: dict[Any, float] = {}
        self.changed = threading.Condition()
        self.socket = connect(url.replace("http://", "ws://"), max_size=None)
        self.socket.send(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_subscribe",
                                     "params": ["logs", {"address": [forwarder, market]}]}))
        answer = json.loads(self.socket.recv(timeout=10))
        if "result" not in answer:
            raise RuntimeError(f"eth_subscribe refused: {answer}")

    def run(self) -> None:
        try:
            for message in self.socket:
                log = json.loads(message).get("params", {}).get("result")
                if not isinstance(log, dict):
                    continue
                now = time.perf_counter()
                with self.changed:
                    self.seen.setdefault(log["transactionHash"], now)
                    if log["address"].lower() == self.forwarder and log["topics"][0] == EXECUTED:
                        signer = to_checksum_address("0x" + log["topics"][1][-40:])
                        self.seen.setdefault((signer, int(log["data"][2:66], 16)), now)
                    self.changed.notify_all()
        except ConnectionClosed:
            pass

    def stop(self) -> None:
        self.socket.close()
        self.join()

    def wait(self, key: Any, timeout: float) -> float | None:
        """perf_counter() time when `key` was first seen mined, or None after `timeout`."""
        with self.changed:
            self.changed.wait_for(lambda: key in self.seen, timeout)
            return self.seen.get(key)


# ------------------------------------------------------------------ setup


def make_buyers(count: int) -> list[Buyer]:
    """Deterministic keys, so a run can be repeated; never funded on any real network."""
    return [Buyer(Account.from_key(keccak(text=f"chainmart-bench-buyer:{i}"))) for i in range(count)]


def fund(web3: Web3, stack, buyers: list[Buyer], purchases_each: int) -> None:
    """Stablecoins for every purchase, and ETH for the gas of the direct ones (from the admin)."""
    coin = web3.eth.contract(address=stack.stablecoin, abi=[{
        "type": "function", "name": "mint", "stateMutability": "nonpayable", "outputs": [],
        "inputs": [{"name": "to", "type": "address"}, {"name": "amount", "type": "uint256"}],
    }])
    hashes = []
    for buyer in buyers:
        hashes.append(coin.functions.mint(buyer.account.address, purchases_each * LISTING_PRICE).transact({"from": stack.admin}))
        hashes.append(web3.eth.send_transaction({"from": stack.admin, "to": buyer.account.address, "value": 10**18}))
    for tx_hash in hashes:
        if web3.eth.wait_for_transaction_receipt(tx_hash, timeout=60)["status"] != 1:
            raise RuntimeError(f"funding transaction {tx_hash.hex()} failed")


def buy_calldata(listing: int, permit_deadline: int, v: int, r: bytes, s: bytes) -> bytes:
    args = abi_encode(
        ["uint64", "uint32", "uint256", "uint256", "uint8", "bytes32", "bytes32"],
        [listing, 1, LISTING_PRICE, permit_deadline, v, r, s],
    )
    return BUY_WITH_PERMIT + args


def sign_purchases(stack, buyers: list[Buyer], per_user: int, deadline: int, gas_price: int) -> None:
    """Every buyer's K purchases, signed ahead both ways: as ForwardRequests for the relay and as
    the buyer's own transactions. Both phases start from the same chain state (see `run`), so
    the n-th purchase carries the same permit (permit nonce n) either way."""
    market, forwarder = stack.contracts["Marketplace"], stack.contracts["ChainMartForwarder"]
    for buyer in buyers:
        key, address = buyer.account.key, buyer.account.address
        for n in range(per_user):
            v, r, s = permit_signature(key, stack.stablecoin_name, stack.stablecoin, market, LISTING_PRICE, n, deadline, CHAIN_ID)
            data = buy_calldata(stack.listing, deadline, v, r, s)
            request = {"from": address, "to": market, "value": 0, "gas": RELAYED_GAS, "nonce": n,
                       "deadline": deadline, "data": "0x" + data.hex()}
            buyer.relayed.append(sign_forward_request(key, request, CHAIN_ID, forwarder))
            signed = buyer.account.sign_transaction({
                "to": market, "data": data, "value": 0, "gas": DIRECT_GAS, "gasPrice": gas_price, "nonce": n,
                "chainId": CHAIN_ID,
            })
            buyer.direct.append(("0x" + bytes(signed.raw_transaction).hex(), "0x" + bytes(signed.hash).hex()))


# ------------------------------------------------------------------ phases


@dataclass
class Sample:
    sent: float  # perf_counter()
    accepted: float  # the answer to the POST (relayed) or to eth_sendRawTransaction (direct)
    mined: float  # its log arrived from the node
    reported: float  # the relay's status said mined (relayed), or the receipt was read (direct)

    @property
    def latency_ms(self) -> float:
        return (self.mined - self.sent) * 1000


@dataclass
class Outcome:
    samples: list[Sample] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    job_ids: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)

    def fail(self, why: str) -> None:
        with self.lock:
            self.failures.append(why)


def relay_user(dapp_url: str, buyer: Buyer, watcher: ChainWatcher, outcome: Outcome) -> None:
    session = requests.Session()
    for n, body in enumerate(buyer.relayed):
        sent = time.perf_counter()
        try:
            answer = session.post(f"{dapp_url}/api/relay", json=body, timeout=60)
            accepted = time.perf_counter()
        except requests.RequestException as exc:
            outcome.fail(f"POST failed: {exc}")
            return
        if answer.status_code != 202:
            outcome.fail(f"HTTP {answer.status_code}: {answer.text[:200]}")
            return  # the buyer's later requests carry later nonces: they would only be out of order
        job_id = answer.json()["id"]
        with outcome.lock:
            outcome.job_ids.append(job_id)
        mined = wait_mined(watcher, (buyer.account.address, n), lambda: relay_failure(session, dapp_url, job_id))
        if isinstance(mined, str):
            outcome.fail(mined)
            return
        # As the pages do, the user learns the outcome from the relay: its status, with the events.
        reported = wait_reported(session, dapp_url, job_id)
        if isinstance(reported, str):
            outcome.fail(reported)
            return
        outcome.add(Sample(sent, accepted, mined, reported))


def wait_reported(session: requests.Session, dapp_url: str, job_id: str) -> float | str:
    """When GET /api/relay/<id> first says mined (asked at once, then every REPORT_POLL s)."""
    deadline = time.perf_counter() + WAIT_TIMEOUT
    while time.perf_counter() < deadline:
        job = session.get(f"{dapp_url}/api/relay/{job_id}", timeout=30).json()
        if job.get("state") == "mined":
            return time.perf_counter()
        if job.get("state") == "failed":
            return f"relay job {job_id} mined on chain but reported failed: {job.get('error')}"
        time.sleep(REPORT_POLL)
    return f"relay job {job_id} not reported mined in {WAIT_TIMEOUT:g} s"


def wait_mined(watcher: ChainWatcher, key: Any, failure) -> float | str:
    """When `key` was mined, or why it will not be: `failure()` is asked every CHECK_EVERY s."""
    waited = 0.0
    while waited < WAIT_TIMEOUT:
        mined = watcher.wait(key, CHECK_EVERY)
        if mined is not None:
            return mined
        waited += CHECK_EVERY
        why = failure()
        if why:
            return why
    return f"{key} not mined in {WAIT_TIMEOUT:g} s"


def relay_failure(session: requests.Session, dapp_url: str, job_id: str) -> str | None:
    job = session.get(f"{dapp_url}/api/relay/{job_id}", timeout=30).json()
    return f"relay job {job_id} failed: {job.get('error')}" if job.get("state") == "failed" else None


def direct_failure(session: requests.Session, node_url: str, tx_hash: str) -> str | None:
    receipt = rpc(node_url, "eth_getTransactionReceipt", [tx_hash], session=session)
    return f"{tx_hash} reverted" if receipt and int(receipt["status"], 16) == 0 else None


def direct_user(node_url: str, buyer: Buyer, watcher: ChainWatcher, outcome: Outcome) -> None:
    session = requests.Session()
    for raw, tx_hash in buyer.direct:
        sent = time.perf_counter()
        try:
            rpc(node_url, "eth_sendRawTransaction", [raw], session=session, timeout=60)
            accepted = time.perf_counter()
        except (requests.RequestException, RuntimeError) as exc:
            outcome.fail(f"eth_sendRawTransaction: {exc}")
            return
        mined = wait_mined(watcher, tx_hash, lambda: direct_failure(session, node_url, tx_hash))
        if isinstance(mined, str):
            outcome.fail(mined)
            return
        # As a wallet does, the user reads the receipt from the node.
        receipt = rpc(node_url, "eth_getTransactionReceipt", [tx_hash], session=session)
        if not receipt or int(receipt["status"], 16) != 1:
            outcome.fail(f"{tx_hash} seen in a block but its receipt says {receipt and receipt['status']}")
            return
        outcome.add(Sample(sent, accepted, mined, time.perf_counter()))


def run_phase(target, url: str, buyers: list[Buyer], watcher: ChainWatcher, processes: dict[str, list[psutil.Process]]) -> tuple[Outcome, dict]:
    outcome = Outcome()
    first_block = int(rpc(watcher.node_url, "eth_blockNumber"), 16)
    threads = [threading.Thread(target=target, args=(url, b, watcher, outcome)) for b in buyers]
    cpu_before = {name: _cpu_seconds(group) for name, group in processes.items()}
    machine_before = psutil.cpu_times()
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    machine_after = psutil.cpu_times()
    cpu = {name: _cpu_seconds(group) - cpu_before[name] for name, group in processes.items()}
    busy = _busy_fraction(machine_before, machine_after)
    blocks = int(rpc(watcher.node_url, "eth_blockNumber"), 16) - first_block
    return outcome, {"started": started, "elapsed": elapsed, "cpu_seconds": cpu, "blocks": blocks,
                     "machine_busy_percent": round(100 * busy, 1)}


def _cpu_seconds(group: list[psutil.Process]) -> float:
    return sum(t.user + t.system for t in (p.cpu_times() for p in group))


def _busy_fraction(before, after) -> float:
    total = sum(after) - sum(before)
    idle = (after.idle + getattr(after, "iowait", 0)) - (before.idle + getattr(before, "iowait", 0))
    return (total - idle) / total if total > 0 else 0.0


def summarize(outcome: Outcome, phase: dict, attempted: int) -> dict:
    latencies = sorted(s.latency_ms for s in outcome.samples)
    answers = sorted((s.accepted - s.sent) * 1000 for s in outcome.samples)
    reported = sorted((s.reported - s.sent) * 1000 for s in outcome.samples)
    span = (max(s.mined for s in outcome.samples) - phase["started"]) if outcome.samples else phase["elapsed"]
    return {
        "mined": len(latencies),
        "failed": attempted - len(latencies),
        "seconds": round(span, 2),
        "per_second": round(len(latencies) / span, 1) if span else 0.0,
        "p50_ms": _percentile(latencies, 50),
        "p95_ms": _percentile(latencies, 95),
        "p99_ms": _percentile(latencies, 99),
        "mean_ms": round(statistics.fmean(latencies), 1) if latencies else None,
        "answer_p50_ms": _percentile(answers, 50),  # until the POST / eth_sendRawTransaction answered
        "answer_p95_ms": _percentile(answers, 95),
        "reported_p50_ms": _percentile(reported, 50),  # until the relay's status (or the receipt) says so
        "reported_p95_ms": _percentile(reported, 95),
        "max_ms": round(latencies[-1], 1) if latencies else None,
        "blocks": phase["blocks"],
        "cpu_seconds": {name: round(v, 2) for name, v in phase["cpu_seconds"].items()},
        "machine_busy_percent": phase["machine_busy_percent"],
        "failures": outcome.failures[:10],
    }


def _percentile(sorted_values: list[float], pct: float) -> float | None:
    if not sorted_values:
        return None
    rank = max(0, min(len(sorted_values) - 1, round(pct / 100 * len(sorted_values) + 0.5) - 1))
    return round(sorted_values[rank], 1)


def relay_states(dapp_url: str, job_ids: list[str]) -> dict[str, int]:
    """What the relay itself reports for every accepted request (GET /api/relay/<id>)."""
    session = requests.Session()
    states: dict[str, int] = {}
    for job_id in job_ids:
        state = session.get(f"{dapp_url}/api/relay/{job_id}", timeout=30).json().get("state", "unknown")
        states[state] = states.get(state, 0) + 1
    return states


# ------------------------------------------------------------------ run


def run(users: int = 50, per_user: int = 20) -> dict:
    """Run both phases on a fresh stack; JSON-able results (see the module docstring).

    anvil gets slower per block as its chain grows, so the phases must start from the same state:
    the chain is snapshotted (evm_snapshot) before the relayed phase and reverted to it
    (evm_revert) before the direct one. Each phase then makes the same purchases on the same
    chain, from the same starting height."""
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="chainmart-bench-relay-") as workdir, LocalChain(workdir) as node:
        stack = deploy_stack(node.url, workdir)
        web3 = Web3(Web3.HTTPProvider(node.url, request_kwargs={"timeout": 60}))
        buyers = make_buyers(users + 2)
        warm_relay, warm_direct = buyers.pop(), buyers.pop()  # warm the server and connections up, uncounted
        fund(web3, stack, buyers + [warm_relay, warm_direct], max(per_user, 2))
        deadline = web3.eth.get_block("latest")["timestamp"] + 24 * 3600
        gas_price = web3.eth.gas_price
        sign_purchases(stack, [warm_relay, warm_direct], 2, deadline, gas_price)
        signing_started = time.perf_counter()
        sign_purchases(stack, buyers, per_user, deadline, gas_price)
        signing_seconds = time.perf_counter() - signing_started
        watcher = ChainWatcher(node.url, stack.contracts["ChainMartForwarder"], stack.contracts["Marketplace"])
        watcher.start()
        anvil = psutil.Process(node.process.pid)
        env = {"RELAY_RATE_LIMIT": str(per_user + 10)}  # the benchmark's buyers are not abusers
        with DappServer(node.url, stack.deployments, workdir, env=env) as dapp:
            run_phase(relay_user, dapp.url, [warm_relay], watcher, {})
            run_phase(direct_user, node.url, [warm_direct], watcher, {})
            snapshot = rpc(node.url, "evm_snapshot")
            server = psutil.Process(dapp.process.pid)
            processes = {  # gunicorn's worker is a child of its master
                "dapp": [server, *server.children(recursive=True)],
                "anvil": [anvil],
                "benchmark": [psutil.Process()],
            }
            relayed_outcome, relayed_phase = run_phase(relay_user, dapp.url, buyers, watcher, processes)
            states = relay_states(dapp.url, relayed_outcome.job_ids)
        # The dApp (its relayer and indexer) is stopped: nothing else writes while the chain goes back.
        if rpc(node.url, "evm_revert", [snapshot]) is not True:
            raise RuntimeError("anvil did not revert to the snapshot taken before the relayed phase")
        direct_outcome, direct_phase = run_phase(
            direct_user, node.url, buyers, watcher, {"anvil": [anvil], "benchmark": [psutil.Process()]}
        )
        watcher.stop()
        version = node.version()
    total = users * per_user
    relayed = summarize(relayed_outcome, relayed_phase, total)
    direct = summarize(direct_outcome, direct_phase, total)
    relayed_not_mined_by_relay = total - states.get("mined", 0)
    return {
        "users": users,
        "per_user": per_user,
        "call": "Marketplace.buyWithPermit: 1 unit of a stablecoin listing, EIP-2612 permit",
        "relayed": {
            "requests": total,
            **{k: v for k, v in relayed.items() if k != "per_second"},
            "rps": relayed["per_second"],
            "relay_reported_states": states,
            "failed": max(relayed["failed"], relayed_not_mined_by_relay),
            "dapp_cpu_ms_per_request": round(1000 * relayed["cpu_seconds"]["dapp"] / max(1, relayed["mined"]), 2),
        },
        "direct": {
            "transactions": total,
            **{k: v for k, v in direct.items() if k != "per_second"},
            "tps": direct["per_second"],
        },
        "ratio": round(relayed["per_second"] / direct["per_second"], 2) if direct["per_second"] else None,
        "latency_series": [
            [round(s.sent - relayed_phase["started"], 4), round(s.latency_ms, 2)]
            for s in sorted(relayed_outcome.samples, key=lambda s: s.sent)
        ],
        "presigning_seconds": round(signing_seconds, 1),
        "node": version,
        "machine": {"cores": os.cpu_count(), "loadavg_before": [round(x, 2) for x in load_before],
                    "loadavg_after": [round(x, 2) for x in os.getloadavg()]},
    }


def print_table(results: dict) -> None:
    relayed, direct = results["relayed"], results["direct"]
    print(f"\n{results['users']} users x {results['per_user']} purchases ({results['call']})")
    print(f"{'':<10} {'mined':>6} {'failed':>6} {'per s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'busy %':>7}")
    for label, row, rate in (("relayed", relayed, relayed["rps"]), ("direct", direct, direct["tps"])):
        print(f"{label:<10} {row['mined']:>6} {row['failed']:>6} {rate:>7.1f} {row['p50_ms']!s:>8} "
              f"{row['p95_ms']!s:>8} {row['p99_ms']!s:>8} {row['machine_busy_percent']:>7}")
    print(f"ratio relayed/direct: {results['ratio']}")
    print(f"time to the answer (p50/p95 ms): relayed POST {relayed['answer_p50_ms']}/{relayed['answer_p95_ms']}, "
          f"direct eth_sendRawTransaction {direct['answer_p50_ms']}/{direct['answer_p95_ms']}")
    print(f"time until the user reads it mined (p50/p95 ms): relay status {relayed['reported_p50_ms']}/"
          f"{relayed['reported_p95_ms']}, receipt from the node {direct['reported_p50_ms']}/{direct['reported_p95_ms']}")
    print(f"blocks mined: relayed phase {relayed['blocks']}, direct phase {direct['blocks']}")
    print(f"relay's own status of its jobs: {relayed['relay_reported_states']}")
    print(f"CPU seconds, relayed phase: {relayed['cpu_seconds']} ({relayed['dapp_cpu_ms_per_request']} ms of dApp CPU a request)")
    print(f"CPU seconds, direct phase:  {direct['cpu_seconds']}")
    print(f"machine: {results['machine']}; node: {results['node']}")
    for row in (relayed, direct):
        for failure in row["failures"]:
            print("  failure:", failure)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--per-user", type=int, default=20)
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)
    results = run(users=args.users, per_user=args.per_user)
    print_table(results)
    if args.json:
        with open(args.json, "w") as out:
            json.dump(results, out, indent=2)


if __name__ == "__main__":
    main()
