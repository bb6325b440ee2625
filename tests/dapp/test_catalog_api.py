"""The read API over the event index: listings, orders, sellers and the index status, with every
refusal answered as JSON (400 for malformed parameters, 404 for what the index does not have)."""
import time
from datetime import date, datetime, timedelta, timezone

import pytest
from brownie import chain, web3

from dapp import create_app
from tests.conftest import ETH, ETH_PRICE, USD_PRICE
from tests.dapp.market_activity import OTHER_PRICE, UINT32_MAX, trade_history, traced_history
from tests.marketplace.orders import State

# What the IPFS layer would return for each listing's metadata CID.
DOCUMENTS = {
    "bafkreiethlisting": {"name": "Hand-roasted coffee beans", "description": "Washed Arabica, 1 kg",
                          "attributes": [{"trait_type": "category", "value": "food"}]},
    "bafkreiusdlistingv2": {"name": "Linen shirt", "description": "100% linen_cotton blend",
                            "attributes": [{"trait_type": "category", "value": "Clothing"}]},
    "bafkreiotherlisting": {"name": "Silk scarf", "description": "Hand-rolled edges",
                            "attributes": [{"trait_type": "category", "value": "clothing"}]},
}
PAYOUT_EVENTS = ("OrderCompleted", "SettlementAccepted", "DisputeResolved")


@pytest.fixture(scope="module", autouse=True)
def clean_chain(module_isolation):
    """Reset the chain before this module's own module-scoped fixtures deploy (see test_indexer.py)."""


@pytest.fixture(scope="module")
def history(market, usd, eth_listing, usd_listing, accounts, other_seller):
    ids = trade_history(market, usd, eth_listing, usd_listing, accounts)
    market.setStock(ids["other_listing"], 0, {"from": other_seller})  # one listing out of stock
    return ids


def make_app(deployments_file, database, **config):
    return create_app({
        "TESTING": True, "SECRET_KEY": "test", "CHAINMART_RPC_URL": web3.provider.endpoint_uri,
        "CHAINMART_DEPLOYMENTS": str(deployments_file), "INDEX_DATABASE": str(database), **config,
    })


@pytest.fixture(scope="module")
def indexed_app(history, deployments_file, tmp_path_factory):
    """One app for the module's read-only tests, its index synced once to the history (every test
    starts from that same chain snapshot), metadata included."""
    app = make_app(deployments_file, tmp_path_factory.mktemp("catalog") / "index.sqlite3")
    indexer = app.extensions["indexer"]
    indexer.metadata_loader = DOCUMENTS.get
    indexer.sync()
    yield app
    indexer.close()


@pytest.fixture
def indexed(indexed_app, history):
    return history


@pytest.fixture
def client(indexed_app):
    """Requests to the module's indexed app (tests that change the chain use `app`, synced themselves)."""
    return indexed_app.test_client()


def get_json(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    return response.get_json()


def listing_ids(client, query=""):
    return [item["id"] for item in get_json(client, f"/api/listings{query}")["items"]]


# ---------------------------------------------------------------- GET /api/listings


def test_listings_are_the_chains_listings_newest_first(client, indexed, market, usd):
    body = get_json(client, "/api/listings")
    assert (body["total"], body["page"], body["perPage"], body["pages"], body["sort"]) == (3, 1, 20, 1, "newest")
    assert [item["id"] for item in body["items"]] == [3, 2, 1]
    for item in body["items"]:
        view = market.getListing(item["id"])
        assert (item["seller"], item["asset"], item["price"], item["stock"], item["paused"], item["orderCount"]) == (
            view["seller"], view["asset"], str(view["price"]), view["stock"], view["paused"], view["orderCount"]
        )
    usd_item = body["items"][1]
    assert (usd_item["title"], usd_item["metadataCid"], usd_item["metadataStatus"]) == (
        "Linen shirt", "bafkreiusdlistingv2", "loaded"
    )
    assert usd_item["stock"] == UINT32_MAX - 2 and usd_item["price"] == str(USD_PRICE)


@pytest.mark.parametrize(
    "query, expected",
    [
        ("seller={seller}", [2, 1]),
        ("seller={other_seller}", [3]),
        ("seller={stranger}", []),
        ("asset=ETH", [3, 1]),
        ("asset=eth", [3, 1]),
        ("asset=" + ETH, [3, 1]),
        ("asset={usd}", [2]),
        (f"min_price={ETH_PRICE}", [1]),
        (f"max_price={USD_PRICE}", [2]),
        (f"min_price={USD_PRICE}&max_price={OTHER_PRICE}", [3, 2]),
        (f"min_price={OTHER_PRICE + 1}&max_price={2 * ETH_PRICE - 1}", []),
        ("paused=true", [3]),
        ("paused=false", [2, 1]),
        ("in_stock=true", [2, 1]),
        ("in_stock=0", [3]),
        ("q=coffee", [1]),
        ("q=LINEN", [2]),
        ("q=hand", [3, 1]),  # title of one, description of the other
        ("q=ASH", [1]),  # inside a word ("Washed"): a substring, in any case
        ("q=n_c", [2]),  # "linen_cotton": the _ of a longer search is literal too
        ("q=%25", [2]),  # a literal %, not a wildcard
        ("q=_", [2]),  # a literal _, not a wildcard
        ("q=nothing+like+this", []),
        ("category=food", [1]),
        ("category=CLOTHING", [3, 2]),  # one category, whatever the case
        ("category=toys", []),
        ("seller={seller}&asset=ETH&in_stock=true&q=beans", [1]),
    ],
)
def test_listings_filter(client, indexed, seller, other_seller, stranger, usd, query, expected):
    query = query.format(seller=seller.address, other_seller=other_seller.address, stranger=stranger.address,
                         usd=usd.address.lower())
    body = get_json(client, f"/api/listings?{query}")
    assert [item["id"] for item in body["items"]] == expected
    assert body["total"] == len(expected)


@pytest.mark.parametrize(
    "sort, expected",
    [("newest", [3, 2, 1]), ("oldest", [1, 2, 3]), ("price_asc", [2, 3, 1]), ("price_desc", [1, 3, 2])],
)
def test_listings_sort(client, indexed, sort, expected):
    # prices 2e17, 25e6 and 3e16 base units: compared as numbers, not as strings
    assert listing_ids(client, f"?sort={sort}") == expected


@pytest.mark.parametrize(
    "page, per_page, expected, pages",
    [(1, 2, [3, 2], 2), (2, 2, [1], 2), (3, 2, [], 2), (1, 1, [3], 3), (3, 1, [1], 3), (1, 100, [3, 2, 1], 1)],
)
def test_listings_paginate_with_a_total(client, indexed, page, per_page, expected, pages):
    body = get_json(client, f"/api/listings?page={page}&per_page={per_page}")
    assert [item["id"] for item in body["items"]] == expected
    assert (body["total"], body["pages"], body["page"], body["perPage"]) == (3, pages, page, per_page)


def test_categories_come_from_the_metadata_with_their_listing_counts(client, indexed):
    assert get_json(client, "/api/categories")["items"] == [
        {"name": "Clothing", "listings": 2}, {"name": "food", "listings": 1}
    ]
    assert get_json(client, "/api/listings/1")["category"] == "food"


def test_the_api_answers_from_the_index_not_from_the_chain(history, app, market, seller):
    app.extensions["indexer"].sync()
    market.list(ETH_PRICE, ETH, 1, 0, 0, "bafkreinotindexedyet", {"from": seller})
    assert get_json(app.test_client(), "/api/listings")["total"] == 3
    app.extensions["indexer"].sync()
    assert get_json(app.test_client(), "/api/listings")["items"][0]["metadataCid"] == "bafkreinotindexedyet"


def test_search_follows_a_listings_new_metadata(history, app, market, eth_listing, seller):
    indexer = app.extensions["indexer"]
    indexer.metadata_loader = {**DOCUMENTS, "bafkreiteapot": {"name": "Cast-iron teapot"}}.get
    indexer.sync()
    client = app.test_client()
    assert listing_ids(client, "?q=coffee") == [eth_listing]
    market.setListingMetadata(eth_listing, "bafkreiteapot", {"from": seller})
    indexer.sync()
    assert (listing_ids(client, "?q=coffee"), listing_ids(client, "?q=teapot")) == ([], [eth_listing])


def test_a_catalog_page_kept_in_memory_gives_way_to_metadata_loaded_later(history, app, eth_listing):
    def ipfs_down(cid):
        raise TimeoutError("IPFS timeout")

    indexer = app.extensions["indexer"]
    indexer.metadata_loader = ipfs_down
    indexer.sync()
    client = app.test_client()
    assert listing_ids(client, "?q=coffee") == [] and listing_ids(client, "?q=coffee") == []  # the second from memory
    indexer.metadata_loader = DOCUMENTS.get
    indexer.sync()  # no new block: only the metadata changes
    assert listing_ids(client, "?q=coffee") == [eth_listing]


# ---------------------------------------------------------------- GET /api/listings/<id>


def test_a_listing_comes_with_its_sellers_rating_and_its_reviews(client, indexed, market, seller):
    body = get_json(client, f"/api/listings/{indexed['eth_listing']}")
    view = market.getSeller(seller)
    assert body["sellerRating"] == {
        "count": view["ratingCount"], "sum": view["ratingSum"], "average": view["ratingSum"] / view["ratingCount"]
    }
    assert body["sellerRating"]["count"] == 2  # reviews of both of the seller's listings
    assert body["reviewCount"] == 1
    assert [(r["orderId"], r["rating"], r["reviewCid"]) for r in body["reviews"]] == [
        (str(indexed["completed"]), 5, "bafkreireviewfive")
    ]
    assert (body["title"], body["price"], body["sellerStatus"]) == ("Hand-roasted coffee beans", str(2 * ETH_PRICE),
                                                                    "Approved")


def test_a_listing_of_a_suspended_seller_says_so(client, indexed):
    body = get_json(client, f"/api/listings/{indexed['other_listing']}")
    assert (body["sellerStatus"], body["paused"], body["stock"], body["reviewCount"]) == ("Suspended", True, 0, 1)
    assert body["sellerRating"] == {"count": 1, "sum": 4, "average": 4.0}


def test_a_traced_listing_shows_its_tokens_and_orders_where_theirs_went(history, app, market, accounts):
    traced = traced_history(market, accounts)
    app.extensions["indexer"].sync()
    client = app.test_client()
    listing = get_json(client, f"/api/listings/{traced['traced_listing']}")
    assert listing["traced"] is True
    assert listing["tokens"] == [str(t) for t in market.listingTokens(traced["traced_listing"])]
    assert listing["stock"] == len(listing["tokens"]) == 1
    order = get_json(client, f"/api/orders/{traced['traced_undelivered']}")
    assert order["tokens"] == [{"tokenId": str(traced["tokens"][3]), "status": "undelivered"}]
    assert [step["event"] for step in order["timeline"]][-2:] == ["TracedTokenNotDelivered", "OrderCompleted"]
    assert get_json(client, f"/api/listings/{traced['traced_listing'] - 1}")["tokens"] == []  # untraced
    listed = get_json(client, f"/api/orders?listing={traced['traced_listing']}&buyer={accounts[5].address}")["items"]
    assert {item["id"]: item["tokens"] for item in listed}[str(traced["traced_completed"])] == [
        {"tokenId": str(traced["tokens"][0]), "status": "delivered"},
        {"tokenId": str(traced["tokens"][1]), "status": "delivered"},
    ]


# ---------------------------------------------------------------- GET /api/orders


def market_orders(market):
    ids = []
    for listing_id in range(1, market.listingCount() + 1):
        for sequence in range(1, market.getListing(listing_id)["orderCount"] + 1):
            ids.append((listing_id, sequence))
    return ids


def test_orders_of_a_buyer_are_every_order_with_that_buyer_newest_first(client, indexed, market, buyer):
    body = get_json(client, f"/api/orders?buyer={buyer.address}&per_page=100")
    ids = [int(item["id"]) for item in body["items"]]
    assert all(order_id >> 96 == int(buyer.address, 16) for order_id in ids)
    assert body["total"] == len(ids) == sum(
        1 for listing_id, sequence in market_orders(market)
        if _order_exists(market, buyer, listing_id, sequence)
    )
    placed = [item["placedBlock"] for item in body["items"]]
    assert placed == sorted(placed, reverse=True)
    for item in body["items"]:
        view = market.getOrder(int(item["id"]))
        assert (item["state"], item["amount"], item["deadline"], item["settlementOffer"]) == (
            State(view["state"]).name.title(), str(view["amount"]), view["deadline"], str(view["settlementOffer"])
        )
        assert item["timeline"][0]["event"] == "OrderPlaced"
        assert item["timeline"][-1]["state"] == item["state"]


def _order_exists(market, buyer, listing_id, sequence):
    try:
        market.getOrder(market.orderIdFor(buyer, listing_id, sequence))
        return True
    except Exception:
        return False


@pytest.mark.parametrize(
    "query, names",
    [
        ("seller={other_seller}", ["after_fee_change"]),
        ("seller={seller}&buyer={stranger}", ["disputed", "shipped", "settled"]),
        ("buyer={buyer}&state=Disputed", []),
        ("seller={seller}&state=Disputed", ["disputed"]),
        ("buyer={buyer}&state=Reclaimed", ["reclaimed"]),
        ("buyer={buyer}&listing=3", ["after_fee_change"]),
    ],
)
def test_orders_filter(client, indexed, seller, other_seller, buyer, stranger, query, names):
    query = query.format(seller=seller.address, other_seller=other_seller.address, buyer=buyer.address.lower(),
                         stranger=stranger.address)
    body = get_json(client, f"/api/orders?{query}")
    assert [item["id"] for item in body["items"]] == [str(indexed[name]) for name in names]


def test_orders_paginate(client, indexed, buyer):
    everything = get_json(client, f"/api/orders?buyer={buyer.address}&per_page=100")["items"]
    second = get_json(client, f"/api/orders?buyer={buyer.address}&per_page=3&page=2")
    assert [o["id"] for o in second["items"]] == [o["id"] for o in everything[3:6]]
    assert second["total"] == len(everything) and second["pages"] == -(-len(everything) // 3)
    beyond = get_json(client, f"/api/orders?buyer={buyer.address}&page=999")
    assert beyond["items"] == [] and beyond["total"] == len(everything)


# ---------------------------------------------------------------- GET /api/orders/<id>


@pytest.mark.parametrize("form", [str, hex], ids=["decimal", "hex"])
def test_an_order_comes_with_its_timeline_dispute_evidence_and_review(client, indexed, market, arbiter, form):
    order_id = indexed["resolved"]
    body = get_json(client, f"/api/orders/{form(order_id)}")
    view = market.getOrder(order_id)
    assert (body["id"], body["state"], body["buyer"], body["seller"], body["quantity"], body["reviewed"]) == (
        str(order_id), "Resolved", view["buyer"], view["seller"], view["quantity"], True
    )
    assert (body["refund"], body["sellerAmount"]) == (str(view["amount"] // 2),
                                                        str(view["amount"] // 2 - view["amount"] // 2 * 250 // 10_000))
    assert [step["event"] for step in body["timeline"]] == [
        "OrderPlaced", "OrderShipped", "DisputeOpened", "EvidenceSubmitted", "SettlementOffered", "DisputeResolved",
        "Reviewed",
    ]
    dispute = body["dispute"]
    assert (dispute["outcome"], dispute["buyerBps"], dispute["resolvedBy"]) == ("Resolved", 5000, arbiter.address)
    assert [e["cid"] for e in dispute["evidence"]] == ["bafkreidisputeevidence", "bafkreisellerevidence"]
    assert body["review"]["rating"] == 2
    assert body["listingTitle"] == "Linen shirt"


def test_an_open_order_has_no_dispute_and_no_review(client, indexed):
    body = get_json(client, f"/api/orders/{indexed['shipped']}")
    assert (body["state"], body["trackingRef"], body["dispute"], body["review"], body["closedAt"]) == (
        "Shipped", "UPS-42", None, None, None
    )


# ---------------------------------------------------------------- GET /api/sellers/<address>


def test_a_sellers_statistics_add_up_to_the_chains_payouts(client, indexed, market, seller, usd):
    body = get_json(client, f"/api/sellers/{seller.address}")
    view = market.getSeller(seller)
    assert (body["sellerId"], body["status"], body["listings"]) == (view["id"], "Approved", 2)
    assert body["rating"] == {"count": 2, "sum": 7, "average": 3.5}

    expected = {ETH: 0, usd.address: 0}
    for name in PAYOUT_EVENTS:
        for event in market.events.get_sequence(from_block=0, event_type=name):
            order = market.getOrder(event.args.orderId)
            if order["seller"] == seller.address:
                expected[order["asset"]] += event.args.sellerAmount
    sales = body["sales"]
    assert {row["asset"]: int(row["revenue"]) for row in sales["perAsset"]} == expected
    seller_orders = [o for o in get_json(client, f"/api/orders?seller={seller.address}&per_page=100")["items"]]
    assert sales["orders"] == len(seller_orders)
    assert sales["completed"] == sum(1 for o in seller_orders if o["state"] == "Completed") == 3
    assert sales["byState"]["Cancelled"] == 2
    in_escrow = {row["asset"]: int(row["inEscrow"]) for row in sales["perAsset"]}
    assert in_escrow == {
        asset: sum(int(o["amount"]) for o in seller_orders if o["asset"] == asset and o["closedAt"] is None)
        for asset in expected
    }
    # the daily series adds up to the totals, one entry per UTC day, in order
    days = [day["day"] for day in sales["daily"]]
    assert days == sorted(days) and len(days) == len(set(days)) >= 2  # the history spans weeks
    assert sum(day["ordersPlaced"] for day in sales["daily"]) == sales["orders"]
    for asset, total in expected.items():
        assert sum(int(day["revenue"].get(asset, 0)) for day in sales["daily"]) == total


def test_a_seller_who_only_applied_has_no_sales(client, indexed, stranger):
    body = get_json(client, f"/api/sellers/{stranger.address.lower()}")
    assert (body["status"], body["profileCid"], body["listings"], body["sales"]["orders"]) == (
        "Applied", "bafkreistrangerprofile", 0, 0
    )
    assert body["rating"] == {"count": 0, "sum": 0, "average": None}


# ---------------------------------------------------------------- GET /api/sellers/<address>/sales


def test_weekly_sales_add_up_to_the_sellers_earnings_per_asset(client, indexed, seller):
    orders = get_json(client, f"/api/orders?seller={seller.address}&per_page=100")["items"]
    first_placed = min(order["placedAt"] for order in orders)
    body = get_json(client, f"/api/sellers/{seller.address}/sales?interval=week&since={first_placed}")
    weeks = [date.fromisoformat(day) for day in body["buckets"]]
    assert all(week.weekday() == 0 for week in weeks)  # ISO weeks start on Monday
    assert all(later - earlier == timedelta(days=7) for earlier, later in zip(weeks, weeks[1:]))  # no gaps
    assert len(weeks) >= 2  # the history spans weeks

    revenue = {row["asset"]: int(row["revenue"]) for row in get_json(client, f"/api/sellers/{seller.address}")[
        "sales"]["perAsset"]}
    earned = {series["asset"]: sum(int(v) for v in series["earned"]) for series in body["series"]}
    assert earned == {asset: total for asset, total in revenue.items() if total}
    assert {s["asset"]: int(s["totalEarned"]) for s in body["series"]} == earned
    paying = [o for o in orders if o["sellerAmount"] not in (None, "0")]
    assert sum(sum(series["orders"]) for series in body["series"]) == len(paying)
    for series in body["series"]:
        assert len(series["earned"]) == len(series["fees"]) == len(series["orders"]) == len(weeks)


def test_daily_sales_default_to_the_30_days_up_to_the_last_indexed_block(client, indexed, seller):
    status = get_json(client, "/api/index/status")
    last_day = datetime.fromtimestamp(web3.eth.get_block(status["lastBlock"])["timestamp"], timezone.utc).date()
    body = get_json(client, f"/api/sellers/{seller.address}/sales")
    assert body["interval"] == "day" and len(body["buckets"]) == 30
    assert (body["buckets"][-1], body["until"]) == (last_day.isoformat(), last_day.isoformat())
    assert body["since"] == (last_day - timedelta(days=29)).isoformat()


@pytest.mark.parametrize(
    "query, message",
    [
        ("interval=month", "'interval' must be one of day, week"),
        ("since=1800000000&until=1700000000", "'since' (1800000000) is after 'until'"),
        ("since=0&until=1700000000", "at most 366 buckets"),
        ("until=-1", "'until' must be a whole number"),
    ],
)
def test_a_sales_range_that_cannot_be_charted_is_a_json_400(client, indexed, seller, query, message):
    body = get_json(client, f"/api/sellers/{seller.address}/sales?{query}", 400)
    assert message in body["error"]


# ---------------------------------------------------------------- GET /api/index/status


def test_index_status_reports_the_last_block_and_the_lag(history, app, market, eth_listing, seller):
    app.extensions["indexer"].sync()
    client = app.test_client()
    body = get_json(client, "/api/index/status")
    assert (body["lastBlock"], body["head"], body["lag"], body["pending"]) == (chain.height, chain.height, 0, 0)
    assert body["startBlock"] == app.extensions["chain"].start_block and body["chainId"] == chain.id
    market.setPrice(eth_listing, ETH_PRICE, {"from": seller})
    body = get_json(client, "/api/index/status")
    assert (body["lastBlock"], body["head"], body["lag"], body["pending"]) == (chain.height - 1, chain.height, 1, 1)


def test_index_status_counts_confirmations_as_expected_lag(history, deployments_file, tmp_path):
    app = make_app(deployments_file, f"sqlite:///{tmp_path}/confirmed.sqlite3", INDEX_CONFIRMATIONS=2)
    app.extensions["indexer"].sync()
    body = get_json(app.test_client(), "/api/index/status")
    assert (body["lastBlock"], body["lag"], body["pending"], body["confirmations"]) == (chain.height - 2, 2, 0, 2)
    assert body["following"] is False
    app.extensions["indexer"].close()


def test_index_status_answers_while_the_node_is_down(deployments_file, tmp_path, history):
    app = make_app(deployments_file, tmp_path / "down.sqlite3", CHAINMART_RPC_URL="http://127.0.0.1:9")
    body = get_json(app.test_client(), "/api/index/status")
    assert (body["head"], body["lastBlock"], body["lag"]) == (None, None, None)
    assert "does not answer" in body["chainError"]


def test_index_autostart_follows_the_chain_in_the_background(history, deployments_file, tmp_path):
    app = make_app(deployments_file, tmp_path / "auto.sqlite3", INDEX_AUTOSTART=True, INDEX_POLL_INTERVAL=0.05)
    indexer = app.extensions["indexer"]
    try:
        deadline = time.time() + 10
        while indexer.last_block() != chain.height and time.time() < deadline:
            time.sleep(0.05)
        body = get_json(app.test_client(), "/api/index/status")
        assert (body["lastBlock"], body["following"]) == (chain.height, True)
        assert get_json(app.test_client(), "/api/listings")["total"] == 3
    finally:
        indexer.close()
    assert not indexer.running


# ---------------------------------------------------------------- refusals


BAD_REQUESTS = [
    "/api/listings?page=0",
    "/api/listings?page=-1",
    "/api/listings?page=abc",
    "/api/listings?page=1.5",
    "/api/listings?page=",
    "/api/listings?per_page=0",
    "/api/listings?per_page=101",
    "/api/listings?per_page=1e2",
    "/api/listings?min_price=-5",
    "/api/listings?min_price=1e18",
    f"/api/listings?max_price={2**256}",
    "/api/listings?min_price=10&max_price=9",
    "/api/listings?sort=cheapest",
    "/api/listings?in_stock=maybe",
    "/api/listings?paused=",
    "/api/listings?seller=0x123",
    "/api/listings?seller=0x5fbDB2315678afecb367f032d93F642f64180aa3",  # wrong EIP-55 checksum
    "/api/listings?asset=BTC",
    "/api/listings?q=",
    "/api/listings?q=" + "x" * 201,
    "/api/listings?sellr=0x5FbDB2315678afecb367f032d93F642f64180aa3",
    "/api/listings?page=1&page=2",
    "/api/listings/abc",
    "/api/listings/0",
    "/api/listings/-1",
    f"/api/listings/{2**64}",
    "/api/listings/1?verbose=1",
    "/api/orders",
    "/api/orders?page=2",
    "/api/orders?buyer=0xnothex",
    "/api/orders?seller=",
    "/api/orders?buyer=0x5FbDB2315678afecb367f032d93F642f64180aa3&state=Lost",
    "/api/orders?buyer=0x5FbDB2315678afecb367f032d93F642f64180aa3&state=paid",
    "/api/orders?buyer=0x5FbDB2315678afecb367f032d93F642f64180aa3&listing=abc",
    "/api/orders?buyer=0x5FbDB2315678afecb367f032d93F642f64180aa3&per_page=1000",
    "/api/orders/abc",
    "/api/orders/0x",
    "/api/orders/0xZZ",
    "/api/orders/-1",
    "/api/orders/1.0",
    f"/api/orders/{2**256}",
    "/api/orders/0x" + "f" * 65,
    "/api/sellers/0x123",
    "/api/sellers/seller",
    "/api/sellers/0x5FbDB2315678afecb367f032d93F642f64180aa3?x=1",
    "/api/index/status?verbose=1",
]


@pytest.mark.parametrize("url", BAD_REQUESTS)
def test_malformed_parameters_are_refused_with_a_json_400(client, indexed, url):
    body = get_json(client, url, 400)
    assert body["status"] == 400 and isinstance(body["error"], str) and body["error"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/listings/99",
        f"/api/listings/{2**64 - 1}",
        "/api/orders/1",
        "/api/orders/0x1",
        "/api/orders/{unknown_order}",
        "/api/sellers/{nobody}",
        "/api/sellers/{nobody}/sales",
    ],
)
def test_what_the_index_does_not_have_is_a_json_404(client, indexed, accounts, eth_listing, url):
    url = url.format(unknown_order=(int(accounts[9].address, 16) << 96) | (eth_listing << 32) | 1,
                     nobody=accounts[9].address)
    body = get_json(client, url, 404)
    assert body["status"] == 404 and body["error"]
