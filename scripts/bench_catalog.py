"""The catalog at scale: seed listings through the contracts on a fresh chain, time the event
indexer's catch-up, then the catalog and product API's latency under concurrent clients.

    .venv/bin/python -m scripts.bench_catalog [--listings 10000] [--clients 20] [--requests 200]

Steps, each on real parts: anvil on a free port; the platform deployed with Brownie; listings
(with their metadata documents in the embedded IPFS store) and some completed, reviewed orders sent
with `eth_sendTransaction` in JSON-RPC batches, `--per-block` of them mined per block (the chain's
unlocked test accounts sign: signing in pure Python costs about 4 ms a transaction); the dApp served
by gunicorn as `make run` serves it, its indexer following the chain from block zero of the
deployment, polled in its SQLite file; then `--clients` threads, each on a keep-alive connection,
each sending `--requests` GETs, half to /api/listings (search, filters, sorts, pages) and half to
/api/listings/<id>, with no pause between requests (the hardest case: latency is then the queue).
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import sqlite3
import statistics
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from web3 import Web3

from dapp.ipfs import EmbeddedStore
from scripts.bulk_send import Node, failed_transactions, send_in_blocks
from scripts.local_stack import ROOT, DappServer, LocalChain, attach_brownie

ETH = "0x0000000000000000000000000000000000000000"
WORKDIR = ROOT / ".bench" / "catalog"
P95_TARGET_MS = 50.0
SELLERS = tuple(range(8, 16))  # test accounts that list (anvil is started with 16)
BUYERS = (5, 6)
ACCOUNTS = 16
# Ten marketplace transactions a block, a busy chain. (One a block would take minutes: anvil's cost
# per mined block grows with the chain, about 1 ms more every 300 blocks on this machine.)
PER_BLOCK = 10
CATCH_UP_BATCH_BLOCKS = 200
LIST_GAS = 250_000
ORDER_GAS = 300_000
CATCH_UP_TIMEOUT = 600.0
SEED = 20261204

ADJECTIVES = ("Hand-roasted", "Organic", "Vintage", "Handmade", "Recycled", "Artisan", "Wild", "Heritage",
              "Fair-trade", "Small-batch", "Smoked", "Woven", "Hand-dyed", "Limited", "Rustic")
MATERIALS = ("linen", "oak", "ceramic", "wool", "leather", "copper", "bamboo", "silk", "cotton", "walnut",
             "glass", "hemp", "clay", "brass", "cork")
PRODUCTS = ("shirt", "bowl", "scarf", "lamp", "mug", "notebook", "chair", "teapot", "blanket", "bag", "vase",
            "knife", "candle", "basket", "coffee beans", "honey", "tea", "soap", "rug", "clock")
ORIGINS = ("Kyoto", "Oaxaca", "Lagos", "Porto", "Hanoi", "Cusco", "Tbilisi", "Nairobi", "Bergen", "Fez")
SORTS = ("newest", "oldest", "price_asc", "price_desc")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=10_000)
    parser.add_argument("--orders", type=int, help="completed, reviewed orders (default: listings / 20)")
    parser.add_argument("--per-block", type=int, default=PER_BLOCK, help="seeding transactions mined per block")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=200, help="requests per client")
    parser.add_argument("--json", type=Path, help="also write the result here")
    args = parser.parse_args(argv)
    result = run(args.listings, orders=args.orders, per_block=args.per_block, clients=args.clients,
                 requests_per_client=args.requests)
    print_result(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return result


def run(listings: int = 10_000, *, orders: int | None = None, per_block: int = PER_BLOCK, clients: int = 20,
        requests_per_client: int = 200, workdir: Path = WORKDIR) -> dict[str, Any]:
    orders = listings // 20 if orders is None else orders
    workdir = _fresh(workdir)
    with LocalChain(workdir, accounts=ACCOUNTS, keep_state=False) as node:
        deployment = deploy(node.url, workdir)
        store = EmbeddedStore(workdir / "ipfs")
        seeding = seed(node.url, deployment, store, listings, orders, per_block)
        env = {
            "IPFS_BACKEND": "embedded",
            # Batches of about 2,000 events, as the default 2,000 blocks hold on a sparser chain; and
            # the catch-up is seen batch by batch.
            "INDEX_BATCH_BLOCKS": str(CATCH_UP_BATCH_BLOCKS),
            "SECRET_KEY": "benchmark",
        }
        # Watched from before the server starts: its indexer begins while gunicorn loads the app.
        given_up = threading.Event()  # set if the server fails: the watcher stops too
        with ThreadPoolExecutor(1) as watcher:
            catching_up = watcher.submit(follow_catch_up, workdir / "index.sqlite3", seeding["head"],
                                         seeding["events"], listings, given_up)
            try:
                with DappServer(node.url, workdir / "deployments.json", workdir, env=env, access_log=False) as server:
                    catch_up = catching_up.result()
                    latency = load(server, clients, requests_per_client, listings, seeding["assets"],
                                   seeding["sellers"])
            finally:
                given_up.set()
    return {
        "listings": listings,
        "orders": orders,
        "seeding": {k: v for k, v in seeding.items() if k not in ("assets", "sellers")},
        "catch_up": catch_up,
        "api": latency,
        "target_p95_ms": P95_TARGET_MS,
        "passed": all(latency[kind]["p95_ms"] < P95_TARGET_MS for kind in ("catalog", "product")),
    }


def _fresh(workdir: Path) -> Path:
    if workdir.exists():
        for path in sorted(workdir.rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()
    workdir.mkdir(parents=True, exist_ok=True)
    return workdir


# ---------------------------------------------------------------- deploy and seed


def deploy(rpc_url: str, workdir: Path) -> dict[str, Any]:
    """The platform, two test stablecoins allowed, and the sellers approved, with Brownie; the
    deployments file the dApp reads."""
    attach_brownie(rpc_url)
    from brownie import TestStablecoin, accounts

    from scripts.deployment import deploy_platform, record_deployment

    admin = accounts[0]
    contracts = deploy_platform(admin)
    market = contracts["Marketplace"]
    coins = {}
    for symbol in ("tUSD", "tEUR"):
        coins[symbol] = TestStablecoin.deploy(f"Test {symbol[1:]}", symbol, 6, {"from": admin})
        market.setAssetAllowed(coins[symbol], True, {"from": admin})
    for index in SELLERS:
        market.approveSeller(accounts[index], {"from": admin})
    record_deployment(contracts, path=workdir / "deployments.json")
    deployment = {
        "market": market.address,
        "abi": market.abi,
        "assets": {"ETH": (ETH, 18), **{symbol: (coin.address, 6) for symbol, coin in coins.items()}},
        "sellers": [accounts[i].address for i in SELLERS],
        "buyers": [accounts[i].address for i in BUYERS],
    }
    return deployment  # Brownie stays attached: its per-transaction bookkeeping threads may still run


def product(rng: random.Random, number: int) -> dict[str, Any]:
    """A listing's metadata document: a title and description made of common words, so searches hit."""
    adjective, material, noun = rng.choice(ADJECTIVES), rng.choice(MATERIALS), rng.choice(PRODUCTS)
    origin = rng.choice(ORIGINS)
    return {
        "name": f"{adjective} {material} {noun}",
        "description": f"{material.capitalize()} {noun} made in {origin}, batch {number}.",
        "image": "ipfs://bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4",
        "attributes": [{"trait_type": "origin", "value": origin}],
    }


def seed(rpc_url: str, deployment: dict[str, Any], store: EmbeddedStore, listings: int, orders: int,
         per_block: int) -> dict[str, Any]:
    rng = random.Random(SEED)
    node = Node(rpc_url)
    web3 = Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": 120}))
    market = web3.eth.contract(address=deployment["market"], abi=deployment["abi"])
    assets, sellers, buyers = deployment["assets"], deployment["sellers"], deployment["buyers"]

    started = time.perf_counter()
    documents = [json.dumps(product(rng, n), sort_keys=True, separators=(",", ":")).encode()
                 for n in range(1, listings + 1)]
    with ThreadPoolExecutor(8) as pool:  # each add waits on fsync: in parallel, the disk is the limit
        cids = list(pool.map(store.add, documents))
    calls = []
    for number, cid in enumerate(cids, start=1):
        address, decimals = assets[rng.choice(("ETH", "ETH", "tUSD", "tEUR"))]
        price = rng.randint(1, 2000) * 10 ** (decimals - 3)  # 0.001 to 2 units
        stock = rng.choice((0, *range(1, 100)))
        seller = sellers[(number - 1) % len(sellers)]
        calls.append((seller, market.encode_abi("list", args=[price, address, stock, 0, 0, cid]), 0, LIST_GAS))
    metadata_seconds = time.perf_counter() - started

    first_block = web3.eth.block_number + 1
    sent_started = time.perf_counter()
    hashes = send_in_blocks(node, deployment["market"], calls, per_block)
    # The node numbers listings as it takes the transactions: read the ids back from the chain.
    listed = [entry["args"] for entry in market.events.Listed.get_logs(from_block=first_block)]
    if len(listed) != listings:
        raise RuntimeError(f"{listings} listings sent, {len(listed)} on chain")

    # Completed, reviewed orders on ETH listings in stock: product pages then show ratings and reviews.
    buyable = [a for a in listed if a["asset"] == ETH and a["stock"] > 0]
    rng.shuffle(buyable)
    steps: list[list[tuple[str, str, int, int]]] = [[], [], [], []]
    for i, listing in enumerate(buyable[:orders]):
        buyer, seller, listing_id = buyers[i % len(buyers)], listing["seller"], listing["listingId"]
        order_id = (int(buyer, 16) << 96) | (listing_id << 32) | 1  # the listing's first order
        review_cid = store.add(json.dumps({"rating": i % 5 + 1, "text": f"Review {i}"}).encode())
        steps[0].append((buyer, market.encode_abi("buy", args=[listing_id, 1]), listing["price"], ORDER_GAS))
        steps[1].append((seller, market.encode_abi("shipOrder", args=[order_id, f"TRACK{i:08d}"]), 0, ORDER_GAS))
        steps[2].append((buyer, market.encode_abi("confirmReceipt", args=[order_id]), 0, ORDER_GAS))
        steps[3].append((buyer, market.encode_abi("review", args=[order_id, i % 5 + 1, review_cid]), 0, ORDER_GAS))
    for step in steps:  # each step needs the one before it mined
        hashes += send_in_blocks(node, deployment["market"], step, per_block)
    send_seconds = time.perf_counter() - sent_started
    failed = failed_transactions(node, hashes)
    if failed:
        raise RuntimeError(f"{failed} of the {len(hashes)} seeding transactions reverted")
    head = web3.eth.block_number
    events = len(node.call("eth_getLogs", {"address": deployment["market"], "fromBlock": "0x0", "toBlock": hex(head)}))
    return {
        "transactions": len(hashes),
        "metadata_seconds": round(metadata_seconds, 2),
        "send_seconds": round(send_seconds, 2),
        "tps": round(len(hashes) / send_seconds, 1),
        "transactions_per_block": per_block,
        "first_block": first_block,
        "head": head,
        "events": events,
        "assets": {symbol: address for symbol, (address, _) in assets.items()},
        "sellers": sellers,
    }


# ---------------------------------------------------------------- catch-up


def follow_catch_up(database: Path, head: int, events: int, listings: int, given_up: threading.Event,
                    interval: float = 0.05) -> dict[str, Any]:
    """Poll the index file while the dApp's indexer catches up: blocks indexed and metadata loaded
    against time, from the moment the indexer wrote its first row."""
    started = time.monotonic()
    series: list[list[float]] = []
    first = blocks_done = metadata_done = None
    start_block = None
    while time.monotonic() - started < CATCH_UP_TIMEOUT and not given_up.is_set():
        state = _index_state(database)
        now = time.monotonic()
        if state is not None:
            start_block, last, loaded = state
            if first is None:
                first = now
            series.append([round(now - first, 3), last - start_block + 1, loaded])
            if blocks_done is None and last >= head:
                blocks_done = now
            if metadata_done is None and blocks_done is not None and loaded >= listings:
                metadata_done = now
                break
        time.sleep(interval)
    if blocks_done is None or metadata_done is None:
        raise RuntimeError(f"the indexer did not catch up within {CATCH_UP_TIMEOUT:.0f} s: {series[-1:]}")
    blocks = head - start_block + 1
    block_seconds = max(blocks_done - first, 1e-6)
    return {
        "blocks": blocks,
        "events": events,
        "seconds": round(block_seconds, 2),
        "blocks_per_second": round(blocks / block_seconds, 1),
        "events_per_second": round(events / block_seconds, 1),
        "metadata_seconds": round(metadata_done - first, 2),
        "metadata_per_second": round(listings / max(metadata_done - first, 1e-6), 1),
        "series": series,  # [seconds, blocks indexed, metadata documents loaded]
    }


def _index_state(database: Path) -> tuple[int, int, int] | None:
    if not database.exists():
        return None
    try:
        db = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=1)
        try:
            row = db.execute("SELECT start_block, last_block FROM sync_state").fetchone()
            if row is None:
                return None
            loaded = db.execute("SELECT COUNT(*) FROM listings WHERE metadata_status != 'pending'").fetchone()[0]
            return row[0], row[1], loaded
        finally:
            db.close()
    except sqlite3.Error:
        return None  # the schema is being created


# ---------------------------------------------------------------- API latency


def catalog_query(rng: random.Random, pages: int, assets: dict[str, str], sellers: list[str]) -> str:
    """A catalog request as the pages make them: search, filters, sorting and pages."""
    kind = rng.random()
    params: dict[str, Any] = {}
    if kind < 0.25:  # browsing, newest first or by price
        params["sort"] = rng.choice(SORTS)
        params["page"] = rng.randint(1, pages)
    elif kind < 0.55:  # a search, in stock
        params["q"] = rng.choice((*MATERIALS, *PRODUCTS, *ORIGINS, rng.choice(ADJECTIVES).lower()))
        params["in_stock"] = "true"
        params["page"] = rng.choice((1, 1, 1, 2, 3))
    elif kind < 0.8:  # a currency and a price range, cheapest first
        symbol = rng.choice(tuple(assets))
        unit = 10 ** (18 if symbol == "ETH" else 6)
        low = rng.randint(0, 1000)
        params.update(asset=assets[symbol], min_price=low * unit // 1000, max_price=(low + 500) * unit // 1000,
                      sort="price_asc")
    else:  # one seller's shop
        params.update(seller=rng.choice(sellers), page=rng.randint(1, 5))
    return "/api/listings?" + urllib.parse.urlencode(params)


def load(server: DappServer, clients: int, requests_per_client: int, listings: int, assets: dict[str, str],
         sellers: list[str]) -> dict[str, Any]:
    """`clients` threads, each on its own keep-alive connection, sending GETs back to back."""
    host, port = urllib.parse.urlsplit(server.url).hostname, urllib.parse.urlsplit(server.url).port
    pages = max(1, listings // 20)
    results: list[tuple[str, float, float, int]] = []  # kind, started (s), latency (ms), status
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)

    def client(number: int) -> None:
        rng = random.Random(SEED + number)
        plan = [("catalog", catalog_query(rng, pages, assets, sellers)) if rng.random() < 0.5
                else ("product", f"/api/listings/{rng.randint(1, listings)}") for _ in range(requests_per_client)]
        connection = http.client.HTTPConnection(host, port, timeout=60)
        for _, path in plan[:5]:  # warm the connection and the server's caches; not counted
            _get(connection, path)
        barrier.wait()
        mine = []
        for kind, path in plan:
            sent = time.perf_counter()
            status = _get(connection, path)
            mine.append((kind, sent, (time.perf_counter() - sent) * 1000, status))
        connection.close()
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    load_before = os.getloadavg()[0]
    barrier.wait()
    started, server_cpu = time.perf_counter(), server.cpu_seconds()
    for thread in threads:
        thread.join()
    seconds, server_cpu = time.perf_counter() - started, server.cpu_seconds() - server_cpu
    summary: dict[str, Any] = {
        "clients": clients, "requests": len(results), "seconds": round(seconds, 2),
        "rps": round(len(results) / seconds, 1),
        # what a request costs the server, whatever else the machine is doing
        "server_cpu_ms_per_request": round(server_cpu * 1000 / len(results), 3),
        "load_average_1m": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }
    for kind in ("catalog", "product"):
        latencies = sorted(ms for k, _, ms, _ in results if k == kind)
        errors = sum(1 for k, _, _, status in results if k == kind and status != 200)
        summary[kind] = {"requests": len(latencies), "errors": errors, **percentiles(latencies)}
    return summary


def _get(connection: http.client.HTTPConnection, path: str) -> int:
    connection.request("GET", path)
    answer = connection.getresponse()
    answer.read()
    return answer.status


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0, "mean_ms": 0.0}
    values = sorted(values)

    def at(share: float) -> float:
        return round(values[min(len(values) - 1, int(share * len(values)))], 2)

    return {"p50_ms": at(0.50), "p95_ms": at(0.95), "p99_ms": at(0.99), "mean_ms": round(statistics.fmean(values), 2)}


def print_result(result: dict[str, Any]) -> None:
    s, c, api = result["seeding"], result["catch_up"], result["api"]
    print(f"\nSeeded {result['listings']:,} listings and {result['orders']:,} orders: {s['transactions']:,} "
          f"transactions in {s['send_seconds']} s ({s['tps']} tx/s), metadata stored in {s['metadata_seconds']} s")
    print(f"Indexer catch-up: {c['blocks']:,} blocks, {c['events']:,} events in {c['seconds']} s = "
          f"{c['blocks_per_second']:,} blocks/s, {c['events_per_second']:,} events/s; "
          f"metadata of every listing loaded after {c['metadata_seconds']} s")
    print(f"API under {api['clients']} clients: {api['requests']:,} requests in {api['seconds']} s ({api['rps']} req/s, "
          f"server CPU {api['server_cpu_ms_per_request']} ms a request; load average {api['load_average_1m']})")
    for kind in ("catalog", "product"):
        k = api[kind]
        verdict = "pass" if k["p95_ms"] < result["target_p95_ms"] else "MISS"
        print(f"  {kind:<8} p50 {k['p50_ms']:>7.1f} ms  p95 {k['p95_ms']:>7.1f} ms  p99 {k['p99_ms']:>7.1f} ms  "
              f"errors {k['errors']}  (p95 target < {result['target_p95_ms']:.0f} ms: {verdict})")


if __name__ == "__main__":
    main()
