"""The event indexer against the test chain: the index equals the contract views after a busy
history, and it stays exact across restarts, confirmations, rebuilds, failed batches and reorgs."""
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from brownie import ProvenanceToken, chain, web3

from dapp import index_db
from dapp import indexer as indexer_module
from dapp.chain import Chain
from dapp.indexer import MARKETPLACE_HANDLERS, Indexer
from tests.conftest import ETH, ETH_PRICE, FACTORY, PASSPORT_CID
from tests.dapp.market_activity import (
    UINT32_MAX,
    assert_credits_match,
    assert_index_matches_chain,
    assert_listings_match,
    assert_orders_match,
    assert_provenance_match,
    assert_sellers_match,
    assert_settings_match,
    dump,
    open_index,
    trade_history,
    traced_history,
)
from tests.marketplace.orders import place_order, ship

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SHIPPING, RECALLED = 4, 12


@pytest.fixture(scope="module", autouse=True)
def clean_chain(module_isolation):
    """Reset the chain before this module's own module-scoped fixtures deploy anything (without
    this, pytest may set `history` up first and the chain reset of `fn_isolation` would undo it)."""


@pytest.fixture(scope="module")
def history(market, usd, eth_listing, usd_listing, accounts):
    ids = trade_history(market, usd, eth_listing, usd_listing, accounts)
    ids.update(traced_history(market, accounts))
    return ids


@pytest.fixture
def indexer(app):
    return app.extensions["indexer"]


@pytest.fixture
def index(app):
    """A read connection to the app's index database (after the test has synced it)."""
    db = open_index(app.config["INDEX_DATABASE"])
    yield db
    db.close()


@pytest.fixture
def fresh_indexer(app, tmp_path):
    """Another indexer on the same chain, each on its own database file."""
    created = []

    def make(name="other.sqlite3", **options):
        options.setdefault("metadata_loader", app.extensions["indexer"].metadata_loader)
        created.append(Indexer(app.extensions["chain"], str(tmp_path / name), **options))
        return created[-1]

    yield make
    for each in created:
        each.close()


@pytest.fixture
def assets(history, usd):
    return [ETH, usd.address, history["eur"].address]


# ---------------------------------------------------------------- the index equals the chain


@pytest.mark.parametrize(
    "check", [assert_listings_match, assert_orders_match, assert_settings_match, assert_provenance_match],
    ids=lambda f: f.__name__,
)
def test_index_equals_contract_views_after_a_mix_of_operations(history, indexer, index, market, check):
    indexer.sync()
    check(index, market)


def test_index_sellers_equal_get_seller_for_every_account(history, indexer, index, market, accounts):
    indexer.sync()
    assert_sellers_match(index, market, accounts)
    statuses = dict(index.execute("SELECT address, status FROM sellers"))
    assert statuses[accounts[6].address] == "Applied" and statuses[accounts[4].address] == "Suspended"


def test_index_credits_equal_credit_of_for_every_account_and_asset(history, indexer, index, market, accounts, assets):
    indexer.sync()
    assert_credits_match(index, market, accounts, assets)
    # the fee of the order completed after the treasury changed went to the new treasury
    assert market.creditOf(accounts[8], ETH) > 0


def test_every_order_of_the_history_is_indexed_in_its_final_state(history, indexer, index):
    indexer.sync()
    states = dict(index.execute("SELECT id, state FROM orders"))
    expected = {
        "completed": "Completed", "cancelled": "Cancelled", "rejected": "Rejected", "resolved": "Resolved",
        "settled": "Settled", "confirmed_in_dispute": "Completed", "after_fee_change": "Completed",
        "saturating": "Cancelled", "reclaimed": "Reclaimed", "released": "Completed", "paid": "Paid",
        "shipped": "Shipped", "disputed": "Disputed",
    }
    assert {name: states[str(history[name])] for name in expected} == expected


def test_refund_that_overflows_the_stock_saturates_at_uint32_max(history, indexer, index, market):
    indexer.sync()
    stock = index.execute("SELECT stock FROM listings WHERE id = ?", (history["usd_listing"],)).fetchone()[0]
    # set to max, then the cancelled order's 2 units are added back: saturates (then 2 sold since)
    assert stock == market.getListing(history["usd_listing"])["stock"] == UINT32_MAX - 2


def test_confirming_during_a_dispute_clears_the_offer_as_the_contract_does(history, indexer, index, market):
    indexer.sync()
    order_id = history["confirmed_in_dispute"]
    row = index.execute("SELECT settlement_offer FROM orders WHERE id = ?", (str(order_id),)).fetchone()
    assert int(row[0]) == market.getOrder(order_id)["settlementOffer"] == 0
    offered = index.execute("SELECT details FROM order_events WHERE order_id = ? AND event = 'SettlementOffered'",
                            (str(order_id),)).fetchone()[0]
    assert json.loads(offered) == {"refund": str(ETH_PRICE // 2)}  # there was an offer to clear
    outcome = index.execute("SELECT outcome FROM disputes WHERE order_id = ?", (str(order_id),)).fetchone()[0]
    assert outcome == "Completed"


def test_orders_take_the_fee_in_force_when_they_were_placed(history, indexer, index):
    indexer.sync()
    fees = dict(index.execute("SELECT id, fee_bps FROM orders"))
    assert fees[str(history["completed"])] == 250
    assert fees[str(history["after_fee_change"])] == 100


def test_timeline_lists_every_step_of_a_disputed_order_with_block_times(history, indexer, index):
    indexer.sync()
    steps = index.execute(
        "SELECT event, state, actor, block, timestamp FROM order_events WHERE order_id = ? ORDER BY block, log_index",
        (str(history["resolved"]),),
    ).fetchall()
    assert [(s["event"], s["state"]) for s in steps] == [
        ("OrderPlaced", "Paid"),
        ("OrderShipped", "Shipped"),
        ("DisputeOpened", "Disputed"),
        ("EvidenceSubmitted", "Disputed"),
        ("SettlementOffered", "Disputed"),
        ("DisputeResolved", "Resolved"),
        ("Reviewed", "Resolved"),
    ]
    assert all(s["timestamp"] == chain[s["block"]].timestamp for s in steps)
    evidence = index.execute("SELECT cid FROM evidence WHERE order_id = ? ORDER BY block",
                             (str(history["resolved"]),)).fetchall()
    assert [e[0] for e in evidence] == ["bafkreidisputeevidence", "bafkreisellerevidence"]


def test_reviews_are_indexed_with_their_listing_and_rating(history, indexer, index):
    indexer.sync()
    reviews = index.execute("SELECT order_id, listing_id, rating, cid FROM reviews ORDER BY block").fetchall()
    assert [tuple(r) for r in reviews] == [
        (str(history["completed"]), history["eth_listing"], 5, "bafkreireviewfive"),
        (str(history["resolved"]), history["usd_listing"], 2, "bafkreireviewtwo"),
        (str(history["after_fee_change"]), history["other_listing"], 4, "bafkreireviewfour"),
    ]


def test_traced_orders_track_where_each_token_went(history, indexer, index, market):
    indexer.sync()
    tokens = history["tokens"]

    def statuses(name):
        rows = index.execute("SELECT token_id, status FROM order_tokens WHERE order_id = ? ORDER BY position",
                             (str(history[name]),))
        return [(int(r[0]), r[1]) for r in rows]

    assert statuses("traced_completed") == [(tokens[0], "delivered"), (tokens[1], "delivered")]
    assert statuses("traced_cancelled") == [(tokens[2], "returned")]
    assert statuses("traced_undelivered") == [(tokens[3], "undelivered")]
    assert statuses("traced_kept") == [(tokens[4], "kept")]
    assert list(market.listingTokens(history["traced_listing"])) == [tokens[2]]  # back in the pool, alone
    stock = index.execute("SELECT stock FROM listings WHERE id = ?", (history["traced_listing"],)).fetchone()[0]
    assert stock == market.getListing(history["traced_listing"])["stock"] == 1


def test_provenance_tokens_follow_mints_transfers_trail_events_and_recalls(history, indexer, index, market, seller,
                                                                          stranger):
    provenance = ProvenanceToken.at(market.provenance())
    token = provenance.mint(PASSPORT_CID, "LOT-9", FACTORY, {"from": seller}).return_value
    provenance.appendEvent(token, SHIPPING, "geo:1,2", "bafkreievidence", {"from": seller})
    provenance.recall(token, "bafkreirecallnotice", {"from": seller})
    provenance.transferFrom(seller, stranger, token, {"from": seller})
    indexer.sync()
    row = index.execute("SELECT * FROM provenance_tokens WHERE token_id = ?", (token,)).fetchone()
    assert (row["producer"], row["holder"], row["batch_ref"], row["events"], row["last_step"], row["recalled"]) == (
        seller.address, stranger.address, "LOT-9", 3, RECALLED, 1
    )
    assert_provenance_match(index, market)


# ---------------------------------------------------------------- restarts, confirmations, rebuilds


def test_a_restarted_indexer_resumes_where_it_stopped_and_ends_as_a_rebuild(history, app, fresh_indexer):
    path = app.config["INDEX_DATABASE"]
    first = app.extensions["indexer"]
    start = app.extensions["chain"].start_block
    middle = (start + chain.height) // 2
    assert first.sync(until=middle).to_block == middle
    first.close()

    restarted = Indexer(app.extensions["chain"], path, metadata_loader=first.metadata_loader)
    report = restarted.sync()
    restarted.close()
    assert (report.from_block, report.to_block) == (middle + 1, chain.height)

    scratch = fresh_indexer()
    scratch.rebuild()
    assert dump(path) == dump(scratch.database)


def test_confirmations_leave_the_latest_blocks_unindexed(history, app, fresh_indexer, market, eth_listing, buyer):
    confirmed = fresh_indexer(confirmations=2)
    order = place_order(market, eth_listing, buyer)
    assert confirmed.sync().to_block == chain.height - 2
    db = open_index(confirmed.database)
    try:
        assert db.execute("SELECT COUNT(*) FROM orders WHERE id = ?", (str(order),)).fetchone()[0] == 0
        chain.mine(1)
        confirmed.sync()
        assert db.execute("SELECT COUNT(*) FROM orders WHERE id = ?", (str(order),)).fetchone()[0] == 0
        chain.mine(1)
        assert confirmed.sync().to_block == chain.height - 2
        assert db.execute("SELECT COUNT(*) FROM orders WHERE id = ?", (str(order),)).fetchone()[0] == 1
    finally:
        db.close()


def test_rebuild_equals_the_index_built_block_by_block(history, app, fresh_indexer, market, eth_listing, buyer,
                                                       seller):
    incremental = fresh_indexer("incremental.sqlite3", batch_blocks=1)
    start = app.extensions["chain"].start_block
    for stop in range(start, chain.height + 1, 7):  # catch up in stages, as a poller would
        incremental.sync(until=stop)
    order = place_order(market, eth_listing, buyer)
    incremental.sync()
    ship(market, order)
    market.setStock(eth_listing, 3, {"from": seller})
    incremental.sync()

    rebuilt = fresh_indexer("rebuilt.sqlite3", batch_blocks=10_000)
    rebuilt.sync()
    rebuilt.rebuild()
    assert dump(incremental.database) == dump(rebuilt.database)
    assert dump(rebuilt.database)["orders"]  # not two empty indexes


def test_rebuild_drops_what_was_indexed_and_reads_it_again(history, indexer, index, market, accounts, assets):
    indexer.sync()
    indexer.db.execute("UPDATE listings SET stock = 999999")  # tamper: a rebuild must undo it
    report = indexer.rebuild()
    assert report.from_block == indexer.chain.start_block and report.events > 0
    assert_index_matches_chain(index, market, accounts, assets)


def test_a_batch_that_fails_midway_leaves_nothing_behind_and_is_redone_whole(history, app, fresh_indexer):
    applied = []

    def failing_review(db, event):
        applied.append(event)
        raise RuntimeError("crash while applying the batch")

    handlers = {"Marketplace": {**MARKETPLACE_HANDLERS, "Reviewed": failing_review}}
    crashing = fresh_indexer("crash.sqlite3", handlers=handlers)
    with pytest.raises(RuntimeError):
        crashing.sync()
    assert applied  # it did get past other events of the batch before failing
    db = open_index(crashing.database)
    try:
        assert db.execute("SELECT last_block FROM sync_state").fetchone()[0] == app.extensions["chain"].start_block - 1
        assert db.execute("SELECT COUNT(*) FROM orders").fetchone()[0] == 0
        assert db.execute("SELECT COUNT(*) FROM listings").fetchone()[0] == 0
    finally:
        db.close()
    crashing.close()

    recovered = fresh_indexer("crash.sqlite3")
    recovered.sync()
    scratch = fresh_indexer("scratch.sqlite3")
    scratch.sync()
    assert dump(recovered.database) == dump(scratch.database)


def test_an_indexed_block_that_left_the_chain_triggers_a_rebuild(history, indexer, index, market, eth_listing, seller):
    market.setPrice(eth_listing, 7 * ETH_PRICE, {"from": seller})
    indexer.sync()
    chain.undo()
    market.setPrice(eth_listing, 9 * ETH_PRICE, {"from": seller})  # a different block at the same height
    indexer.sync()
    assert int(index.execute("SELECT price FROM listings WHERE id = ?", (eth_listing,)).fetchone()[0]) == 9 * ETH_PRICE
    assert_listings_match(index, market)


def test_a_different_deployment_resets_the_index(history, app, tmp_path, deployments_file, indexer, index):
    indexer.sync()
    data = json.loads(deployments_file.read_text())
    data[str(chain.id)]["block"] = chain.height  # as if redeployed in the latest block
    moved = tmp_path / "moved.json"
    moved.write_text(json.dumps(data))

    other = Indexer(Chain(web3.provider.endpoint_uri, moved, "build"), app.config["INDEX_DATABASE"])
    report = other.sync()
    other.close()
    assert (report.from_block, report.to_block) == (chain.height, chain.height)
    assert index.execute("SELECT start_block FROM sync_state").fetchone()[0] == chain.height
    assert index.execute("SELECT COUNT(*) FROM listings").fetchone()[0] == 0


def test_a_node_that_refuses_wide_log_queries_gets_smaller_ones(history, app, fresh_indexer, monkeypatch):
    provider = app.extensions["chain"].web3.provider
    real_request = provider.make_request
    widths = []

    def capped_request(method, params):
        if method == "eth_getLogs":
            widths.append(int(params[0]["toBlock"], 16) - int(params[0]["fromBlock"], 16) + 1)
            if widths[-1] > 8:
                return {"jsonrpc": "2.0", "id": 1, "error": {"code": -32005, "message": "range exceeds 8 blocks"}}
        return real_request(method, params)

    monkeypatch.setattr(provider, "make_request", capped_request)
    capped = fresh_indexer("capped.sqlite3", batch_blocks=100)
    capped.sync()
    monkeypatch.undo()
    scratch = fresh_indexer("scratch.sqlite3")
    scratch.sync()
    assert dump(capped.database) == dump(scratch.database)
    first_accepted = next(i for i, w in enumerate(widths) if w <= 8)
    assert first_accepted > 0  # it did ask wider first
    assert all(w <= 8 for w in widths[first_accepted:])  # and then kept to what the node accepts


# ---------------------------------------------------------------- metadata hook


def test_metadata_loader_fills_title_description_and_category(history, app, fresh_indexer):
    documents = {
        "bafkreiethlisting": {"name": "Coffee beans", "description": "Washed Arabica, 1 kg",
                              "attributes": [{"trait_type": "Category", "value": " food "}]},
        "bafkreiotherlisting": None,  # the IPFS layer could not find it
    }
    loaded = fresh_indexer(metadata_loader=documents.get)
    loaded.sync()
    db = open_index(loaded.database)
    try:
        rows = {r["metadata_cid"]: tuple(r)[1:] for r in db.execute(
            "SELECT metadata_cid, title, description, category, metadata_status FROM listings")}
    finally:
        db.close()
    assert rows["bafkreiethlisting"] == ("Coffee beans", "Washed Arabica, 1 kg", "food", "loaded")
    assert rows["bafkreiotherlisting"] == (None, None, None, "unavailable")
    assert rows["bafkreiusdlistingv2"] == (None, None, None, "unavailable")  # the updated CID, not the first one


def test_a_failing_metadata_loader_is_retried_then_given_up(history, app, fresh_indexer):
    calls = []

    def flaky(cid):
        calls.append(cid)
        raise TimeoutError("IPFS timeout")

    loaded = fresh_indexer(metadata_loader=flaky)
    for _ in range(6):
        loaded.sync()
    db = open_index(loaded.database)
    try:
        statuses = {r[0] for r in db.execute("SELECT metadata_status FROM listings")}
    finally:
        db.close()
    assert statuses == {"unavailable"}
    assert calls.count("bafkreiethlisting") == 5


def test_a_metadata_backlog_larger_than_a_page_is_loaded_in_one_sync(history, app, fresh_indexer, monkeypatch):
    monkeypatch.setattr(indexer_module, "METADATA_PAGE", 1)
    loaded = fresh_indexer(metadata_loader=lambda cid: {"name": cid})
    loaded.sync()
    db = open_index(loaded.database)
    try:
        pending = db.execute("SELECT COUNT(*) FROM listings WHERE metadata_status = 'pending'").fetchone()[0]
        listings = db.execute("SELECT COUNT(*) FROM listings").fetchone()[0]
    finally:
        db.close()
    assert listings > 1 and pending == 0
    assert loaded.metadata_backlog is False


def test_metadata_loading_stops_at_its_time_budget_after_one_document(history, app, fresh_indexer):
    loaded = fresh_indexer(metadata_loader=None)
    loaded.sync()  # events only
    loaded.metadata_loader = lambda cid: {"name": cid}
    assert loaded.load_metadata(budget=0) == 1
    assert loaded.metadata_backlog is True


# ---------------------------------------------------------------- running it


def test_the_background_thread_follows_new_blocks_and_stops(history, indexer, index, market, eth_listing, buyer):
    stop = threading.Event()
    indexer.poll_interval = 0.05
    thread = threading.Thread(target=indexer.run_forever, args=(stop,))
    thread.start()
    try:
        order = place_order(market, eth_listing, buyer)
        deadline = time.time() + 10
        while time.time() < deadline:
            if index.execute("SELECT COUNT(*) FROM orders WHERE id = ?", (str(order),)).fetchone()[0]:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the background indexer did not index the new order")
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive()


@pytest.mark.parametrize("flags", [["--once"], ["--rebuild", "--once"]])
def test_the_command_line_indexes_up_to_the_head(history, app, deployments_file, tmp_path, flags, market):
    database = tmp_path / "cli" / "index.sqlite3"
    env = {
        **os.environ,
        "CHAINMART_RPC_URL": web3.provider.endpoint_uri,
        "CHAINMART_DEPLOYMENTS": str(deployments_file),
        "INDEX_DATABASE": f"sqlite:///{database}",
    }
    result = subprocess.run([sys.executable, "-m", "dapp.indexer", *flags], cwd=PROJECT_ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    db = open_index(database)
    try:
        assert db.execute("SELECT last_block FROM sync_state").fetchone()[0] == chain.height
        assert db.execute("SELECT COUNT(*) FROM listings").fetchone()[0] == market.listingCount()
    finally:
        db.close()


def test_the_command_line_fails_clearly_without_a_chain(tmp_path, deployments_file):
    env = {**os.environ, "CHAINMART_RPC_URL": "http://127.0.0.1:9", "CHAINMART_DEPLOYMENTS": str(deployments_file),
           "INDEX_DATABASE": str(tmp_path / "index.sqlite3")}
    result = subprocess.run([sys.executable, "-m", "dapp.indexer", "--once"], cwd=PROJECT_ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "does not answer" in result.stderr


# ---------------------------------------------------------------- where the database lives


@pytest.mark.parametrize(
    "url, expected",
    [
        ("sqlite:///instance/index.sqlite3", Path("instance/index.sqlite3")),
        ("sqlite:////var/lib/chainmart/index.sqlite3", Path("/var/lib/chainmart/index.sqlite3")),
        ("instance/index.sqlite3", Path("instance/index.sqlite3")),
        ("/tmp/index.sqlite3", Path("/tmp/index.sqlite3")),
    ],
)
def test_database_url_names_a_file(url, expected):
    assert index_db.database_path(url) == expected


@pytest.mark.parametrize("url", ["postgresql://db/index", "sqlite:///:memory:", ":memory:", "", "sqlite:///"])
def test_database_url_that_is_not_a_file_is_refused(url):
    with pytest.raises(ValueError):
        index_db.database_path(url)


def test_an_index_from_an_older_schema_is_rebuilt(tmp_path):
    path = str(tmp_path / "old.sqlite3")
    db = index_db.connect(path)
    db.execute("CREATE TABLE leftover (x)")
    db.execute(f"PRAGMA user_version = {index_db.SCHEMA_VERSION - 1}")
    db.close()
    db = index_db.connect(path)
    try:
        assert "leftover" not in index_db.table_names(db)
        assert db.execute("PRAGMA user_version").fetchone()[0] == index_db.SCHEMA_VERSION
    finally:
        db.close()
