"""The event indexer killed (SIGKILL, a real `python -m dapp.indexer` process) again and again in the
middle of catching up with a long history, then restarted: the index it ends with equals, table by
table, one built from scratch."""
import json
import os
import sqlite3
import subprocess
import sys
import time

import pytest
from brownie import chain, web3

from dapp.ipfs import EmbeddedStore
from scripts.bulk_send import Node, failed_transactions, send_in_blocks
from scripts.local_stack import ROOT
from tests.conftest import ETH
from tests.dapp.market_activity import dump, trade_history
from tests.faults.figures import Figure, show

LISTINGS = 800
ORDERS = 100
PER_BLOCK = 2  # about 500 blocks of history
# Where each kill lands: after this share of the blocks is indexed (one block a batch, so every batch
# is its own SQLite transaction), and the last one while listings' metadata is being loaded.
KILL_AT_SHARES = (0.15, 0.4, 0.65, 0.9)
GAS = 400_000


@pytest.fixture(scope="module", autouse=True)
def clean_chain(module_isolation):
    """Reset the chain before this module's own module-scoped fixtures deploy (see tests/dapp/test_indexer.py)."""


@pytest.fixture(scope="module")
def ipfs_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("ipfs")


@pytest.fixture(scope="module")
def history(market, usd, eth_listing, usd_listing, accounts, seller, buyer, stranger, ipfs_folder):
    """The dApp tests' trade history, then hundreds of listings (half with metadata documents in the
    store, half naming documents nobody has) and completed orders, sent in bulk."""
    trade_history(market, usd, eth_listing, usd_listing, accounts)  # (it suspends other_seller)
    store = EmbeddedStore(ipfs_folder)
    node = Node(web3.provider.endpoint_uri)
    calls = []
    for i in range(LISTINGS):
        document = json.dumps({"name": f"Item {i}", "description": f"Lot {i} of the catch-up test"}).encode()
        cid = store.add(document) if i % 2 else f"bafkreinotstored{i}"
        calls.append((seller.address, market.list.encode_input(10**15 + i, ETH, 5, 0, 0, cid), 0, GAS))
    first = market.listingCount() + 1
    hashes = send_in_blocks(node, market.address, calls, PER_BLOCK)
    steps = [[], [], []]
    for i, listing in enumerate(range(first, first + ORDERS)):
        customer = (buyer, stranger)[i % 2]
        order = (int(customer.address, 16) << 96) | (listing << 32) | 1
        steps[0].append((customer.address, market.buy.encode_input(listing, 1), 10**15 + listing - first, GAS))
        steps[1].append((seller.address, market.shipOrder.encode_input(order, "T"), 0, GAS))
        steps[2].append((customer.address, market.confirmReceipt.encode_input(order), 0, GAS))
    for step in steps:
        hashes += send_in_blocks(node, market.address, step, PER_BLOCK)
    assert failed_transactions(node, hashes) == 0


@pytest.fixture(scope="module")
def environment(history, deployments_file, ipfs_folder):
    return {
        **os.environ,
        "CHAINMART_RPC_URL": web3.provider.endpoint_uri,
        "CHAINMART_DEPLOYMENTS": str(deployments_file),
        "CHAINMART_BUILD_DIR": str(ROOT / "build"),
        "IPFS_STORE_PATH": str(ipfs_folder),
        "INDEX_POLL_INTERVAL": "0.2",
    }


def indexer(environment, database, *flags, batch_blocks=1, log=None):
    env = {**environment, "INDEX_DATABASE": str(database), "INDEX_BATCH_BLOCKS": str(batch_blocks)}
    return subprocess.Popen([sys.executable, "-m", "dapp.indexer", *flags], cwd=ROOT, env=env,
                            stdout=log or subprocess.DEVNULL, stderr=subprocess.STDOUT)


def progress(database):
    """(last block indexed, listings whose metadata is still pending), or None before the first batch."""
    try:
        db = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=1)
        try:
            row = db.execute("SELECT last_block FROM sync_state").fetchone()
            pending = db.execute("SELECT COUNT(*) FROM listings WHERE metadata_status = 'pending'").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:
        return None  # not created yet, or the schema is being written
    return None if row is None else (row[0], pending)


def kill_when(process, database, ready, timeout=120):
    """SIGKILL the indexer once `ready(progress)` holds; the progress it had reached."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        state = progress(database)
        if state is not None and ready(state):
            break
        time.sleep(0.002)
    process.kill()
    process.wait()
    return progress(database)


def differences(left, right):
    """Rows in one index and not the other, over every table."""
    return sum(len(set(left.get(t, [])) ^ set(right.get(t, []))) for t in set(left) | set(right))


def test_an_indexer_killed_mid_catch_up_ends_equal_to_a_rebuild(environment, platform, tmp_path, capsys):
    killed, scratch = tmp_path / "killed.sqlite3", tmp_path / "scratch.sqlite3"
    start, head = platform["ChainMartForwarder"].tx.block_number, chain.height
    landed = []
    with open(tmp_path / "indexer.log", "wb") as log:
        for share in KILL_AT_SHARES[:-1]:
            target = start + int(share * (head - start))
            landed.append(kill_when(indexer(environment, killed, log=log), killed, lambda s: s[0] >= target))
        # The last one once every block is in and the listings' metadata is being loaded.
        landed.append(kill_when(indexer(environment, killed, log=log), killed, lambda s: s[0] >= head and s[1] < LISTINGS))
        assert indexer(environment, killed, "--once", log=log).wait(120) == 0
        assert indexer(environment, scratch, "--rebuild", "--once", batch_blocks=2000, log=log).wait(120) == 0
    events = len(web3.eth.get_logs({"address": platform["Marketplace"].address, "fromBlock": start, "toBlock": head}))
    figure = Figure("indexer SIGKILLed mid catch-up, restarted", tried=events,
                    lost=differences(dump(killed), dump(scratch)),
                    note=f"{len(landed)} kills, at blocks {', '.join(str(s[0]) for s in landed)} of {start}..{head}, "
                         f"the last with {landed[-1][1]} listings' metadata still to load; nothing to refuse; "
                         "lost = index rows that differ from a rebuild's")
    show(capsys, figure)
    assert figure.lost == 0
    assert all(start <= last < head for last, _ in landed[:-1])  # the kills did land mid catch-up
