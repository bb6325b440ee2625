"""A busy marketplace for the indexer and read-API tests, and the checks that the index equals the chain.

`trade_history` walks orders through every ending (completed, cancelled, rejected, reclaimed,
released after expiry, settled, resolved, confirmed during a dispute), with reviews, evidence,
price/stock/pause/metadata updates, fee and treasury changes, a saturating restock, withdrawals,
a suspended seller and an asset allowed then disallowed. Plain functions, as tests/marketplace/orders.py.
"""
import json
import sqlite3

from brownie import ProvenanceToken, TestStablecoin

from tests.conftest import ETH, ETH_PRICE, FACTORY, PASSPORT_CID, USD
from tests.marketplace.orders import State, complete, dispute, place_order, ship, sleep_past

UINT32_MAX = 2**32 - 1
OTHER_PRICE = 3 * 10**16


def trade_history(market, usd, eth_listing, usd_listing, accounts):
    """Run the history; return the order ids and listings by what happened to them."""
    admin, treasury, arbiter, seller, other_seller, buyer, stranger = (accounts[i] for i in range(7))
    new_treasury = accounts[8]
    ids = {"eth_listing": eth_listing, "usd_listing": usd_listing}

    market.applyAsSeller("bafkreistrangerprofile", {"from": stranger})
    ids["other_listing"] = market.list(
        OTHER_PRICE, ETH, 5, 3600, 7200, "bafkreiotherlisting", {"from": other_seller}
    ).return_value

    ids["completed"] = complete(market, eth_listing, buyer, 2)
    market.review(ids["completed"], 5, "bafkreireviewfive", {"from": buyer})

    ids["cancelled"] = place_order(market, usd_listing, buyer, 3, usd)
    market.cancelOrder(ids["cancelled"], {"from": buyer})

    ids["rejected"] = place_order(market, eth_listing, buyer, 1)
    market.rejectOrder(ids["rejected"], {"from": seller})

    ids["resolved"] = order = place_order(market, usd_listing, buyer, 2, usd)
    ship(market, order)
    dispute(market, order)
    market.submitEvidence(order, "bafkreisellerevidence", {"from": seller})
    market.offerSettlement(order, 5 * USD, {"from": seller})
    market.resolveDispute(order, 5000, {"from": arbiter})
    market.review(order, 2, "bafkreireviewtwo", {"from": buyer})

    ids["settled"] = order = place_order(market, eth_listing, stranger, 1)
    ship(market, order)
    dispute(market, order, by=seller)
    market.offerSettlement(order, ETH_PRICE // 4, {"from": seller})
    market.acceptSettlement(order, {"from": stranger})

    # Confirming during a dispute ends it: the seller's standing offer lapses, on chain and in the index.
    ids["confirmed_in_dispute"] = order = place_order(market, eth_listing, buyer, 1)
    ship(market, order)
    dispute(market, order)
    market.offerSettlement(order, ETH_PRICE // 2, {"from": seller})
    market.confirmReceipt(order, {"from": buyer})

    market.setFee(100, {"from": admin})
    market.setTreasury(new_treasury, {"from": admin})
    ids["after_fee_change"] = complete(market, ids["other_listing"], buyer, 1)
    market.review(ids["after_fee_change"], 4, "bafkreireviewfour", {"from": buyer})

    # A refund that would overflow the stock saturates at uint32 max, as the contract does.
    ids["saturating"] = place_order(market, usd_listing, buyer, 2, usd)
    market.setStock(usd_listing, UINT32_MAX, {"from": seller})
    market.cancelOrder(ids["saturating"], {"from": buyer})

    market.setPrice(eth_listing, 2 * ETH_PRICE, {"from": seller})
    market.setListingPaused(ids["other_listing"], True, {"from": other_seller})
    market.setListingMetadata(usd_listing, "bafkreiusdlistingv2", {"from": seller})
    market.pause({"from": admin})
    market.unpause({"from": admin})

    eur = TestStablecoin.deploy("Test EUR", "tEUR", 6, {"from": admin})
    market.setAssetAllowed(eur, True, {"from": admin})
    market.setAssetAllowed(eur, False, {"from": admin})
    ids["eur"] = eur

    ids["reclaimed"] = place_order(market, eth_listing, buyer, 1)
    ids["released"] = order = place_order(market, usd_listing, buyer, 1, usd)
    ship(market, order)
    sleep_past(market.getOrder(order)["deadline"])
    market.reclaimOrder(ids["reclaimed"], {"from": buyer})
    market.releaseExpired(order, {"from": stranger})

    market.withdraw(ETH, {"from": seller})
    market.withdraw(usd, {"from": buyer})
    market.suspendSeller(other_seller, {"from": admin})

    ids["paid"] = place_order(market, eth_listing, buyer, 3)
    usd.mint(stranger, 1_000 * USD, {"from": admin})
    ids["shipped"] = order = place_order(market, usd_listing, stranger, 1, usd)
    ship(market, order, "UPS-42")
    ids["disputed"] = order = place_order(market, eth_listing, stranger, 1)
    ship(market, order)
    dispute(market, order, evidence_cid="bafkreiopendispute")
    return ids


def traced_history(market, accounts):
    """A traced listing (units are provenance tokens) through delivery, return to the pool, a token
    the seller gave away before completion, and a full refund that leaves the token with the seller."""
    arbiter, seller, buyer, stranger = accounts[2], accounts[3], accounts[5], accounts[6]
    provenance = ProvenanceToken.at(market.provenance())
    tokens = [provenance.mint(PASSPORT_CID, f"SN-{i}", FACTORY, {"from": seller}).return_value for i in range(5)]
    ids = {"tokens": tokens}
    ids["traced_listing"] = listing = market.listTraced(
        ETH_PRICE, ETH, tokens[:3], 0, 0, "bafkreitracedlisting", {"from": seller}
    ).return_value
    market.addListingTokens(listing, tokens[3:], {"from": seller})

    ids["traced_completed"] = complete(market, listing, buyer, 2)
    ids["traced_cancelled"] = place_order(market, listing, buyer, 1)
    market.cancelOrder(ids["traced_cancelled"], {"from": buyer})
    ids["traced_undelivered"] = order = place_order(market, listing, buyer, 1)
    ship(market, order)
    provenance.transferFrom(seller, stranger, tokens[3], {"from": seller})
    market.confirmReceipt(order, {"from": buyer})
    ids["traced_kept"] = order = place_order(market, listing, buyer, 1)
    ship(market, order)
    dispute(market, order)
    market.resolveDispute(order, 10_000, {"from": arbiter})
    return ids


# ---------------------------------------------------------------- index vs chain


def index_rows(db, sql, params=()):
    return db.execute(sql, params).fetchall()


def open_index(path):
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    return db


def assert_listings_match(db, market):
    rows = {r["id"]: r for r in index_rows(db, "SELECT * FROM listings")}
    assert sorted(rows) == list(range(1, market.listingCount() + 1))
    for listing_id, row in rows.items():
        view = market.getListing(listing_id)
        assert (row["seller"], row["asset"], int(row["price"]), row["stock"]) == (
            view["seller"], view["asset"], view["price"], view["stock"]
        ), listing_id
        assert (row["ship_window"], row["confirm_window"], bool(row["paused"]), row["order_count"]) == (
            view["shipWindow"], view["confirmWindow"], view["paused"], view["orderCount"]
        ), listing_id
        pool = index_rows(db, "SELECT token_id FROM listing_tokens WHERE listing_id = ? AND position >= ? "
                              "ORDER BY position", (listing_id, row["token_cursor"]))
        assert [int(t[0]) for t in pool] == list(market.listingTokens(listing_id)), listing_id


def assert_orders_match(db, market):
    rows = index_rows(db, "SELECT * FROM orders")
    listings = index_rows(db, "SELECT id, order_count FROM listings")
    # every order the chain has: sequences 1..orderCount of every listing
    for listing in listings:
        sequences = sorted(r["sequence"] for r in rows if r["listing_id"] == listing["id"])
        assert sequences == list(range(1, market.getListing(listing["id"])["orderCount"] + 1))
    for row in rows:
        view = market.getOrder(int(row["id"]))
        assert {
            "listingId": row["listing_id"], "buyer": row["buyer"], "seller": row["seller"], "asset": row["asset"],
            "quantity": row["quantity"], "amount": int(row["amount"]), "state": State[row["state"].upper()],
            "deadline": row["deadline"], "feeBps": row["fee_bps"], "reviewed": bool(row["reviewed"]),
            "settlementOffer": int(row["settlement_offer"]),
        } == {
            "listingId": view["listingId"], "buyer": view["buyer"], "seller": view["seller"], "asset": view["asset"],
            "quantity": view["quantity"], "amount": view["amount"], "state": view["state"],
            "deadline": view["deadline"], "feeBps": view["feeBps"], "reviewed": view["reviewed"],
            "settlementOffer": view["settlementOffer"],
        }, row["id"]
        assert market.orderIdFor(row["buyer"], row["listing_id"], row["sequence"]) == int(row["id"])
        tokens = index_rows(db, "SELECT token_id FROM order_tokens WHERE order_id = ? ORDER BY position", (row["id"],))
        assert [int(t[0]) for t in tokens] == list(market.orderTokens(int(row["id"]))), row["id"]


def assert_sellers_match(db, market, accounts):
    rows = {r["address"]: r for r in index_rows(db, "SELECT * FROM sellers")}
    statuses = ("None", "Applied", "Approved", "Suspended")
    for account in accounts:
        view = market.getSeller(account)
        if view["id"] == 0:
            assert account.address not in rows
            continue
        row = rows[account.address]
        assert (row["seller_id"], row["status"], row["rating_count"], row["rating_sum"]) == (
            view["id"], statuses[view["status"]], view["ratingCount"], view["ratingSum"]
        ), account


def assert_credits_match(db, market, accounts, assets):
    rows = {(r["account"], r["asset"]): int(r["amount"]) for r in index_rows(db, "SELECT * FROM credits")}
    for account in accounts:
        for asset in assets:
            assert rows.get((account.address, str(asset)), 0) == market.creditOf(account, asset), (account, asset)


def assert_settings_match(db, market):
    row = index_rows(db, "SELECT * FROM market")[0]
    assert (row["fee_bps"], row["treasury"], bool(row["paused"]), row["provenance"]) == (
        market.feeBps(), market.treasury(), market.paused(), market.provenance()
    )
    for asset in index_rows(db, "SELECT * FROM assets"):
        assert bool(asset["allowed"]) == market.isAssetAllowed(asset["address"]), asset["address"]
    for role in index_rows(db, "SELECT * FROM roles"):
        assert market.hasRole(role["role"], role["account"])


def assert_provenance_match(db, market):
    """Every minted token is indexed with the holder, origin, trail length and recall flag the chain has."""
    provenance = ProvenanceToken.at(market.provenance())
    rows = {r["token_id"]: r for r in index_rows(db, "SELECT * FROM provenance_tokens")}
    assert sorted(rows) == list(range(1, provenance.totalMinted() + 1))
    for token_id, row in rows.items():
        origin = provenance.originOf(token_id)
        assert (row["holder"], row["producer"], row["passport_cid"], row["batch_ref"], row["minted_at"]) == (
            provenance.ownerOf(token_id), origin["producer"], origin["passportCid"], origin["batchRef"],
            origin["mintedAt"],
        ), token_id
        assert (row["events"], bool(row["recalled"])) == (provenance.trailOf(token_id)[1], origin["recalled"]), token_id


def assert_index_matches_chain(db, market, accounts, assets):
    assert_listings_match(db, market)
    assert_orders_match(db, market)
    assert_sellers_match(db, market, accounts)
    assert_credits_match(db, market, accounts, assets)
    assert_settings_match(db, market)
    assert_provenance_match(db, market)


def _full_text_indexes(db):
    return [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%'")]


def dump(path):
    """Every table's rows, sorted, without the wall-clock time of the last sync."""
    db = open_index(path)
    try:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        contents = {}
        # A full-text index's own tables depend on the order of its writes: check it against its
        # content instead (FTS5 raises if they disagree), and compare the content.
        for text_index in _full_text_indexes(db):
            db.execute(f"INSERT INTO {text_index} ({text_index}) VALUES ('integrity-check')")
            tables = [t for t in tables if t != text_index and not t.startswith(text_index + "_")]
        for table in tables:
            rows = [dict(r) for r in db.execute(f"SELECT * FROM {table}")]
            if table == "sync_state":
                for row in rows:
                    del row["updated_at"]
            contents[table] = sorted(json.dumps(row, sort_keys=True) for row in rows)
        return contents
    finally:
        db.close()
