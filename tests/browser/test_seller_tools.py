"""A seller's tools in the browser: editing a listing (price, stock, pause, description, photo) with
the catalog following each change, adding provenance tokens to a traced listing, and the sales chart
drawn from the event index."""
from datetime import date

from brownie import chain
from playwright.sync_api import expect

from scripts.demo_images import png
from tests.browser.conftest import PHONE, assert_fits_the_screen, connect, connect_and_sign_in, listing_named

USD = 10**6
ETH = "0x" + "00" * 20
DAY = 86_400
EPOCH = date(1970, 1, 1).toordinal()
FEE_BPS = 250  # the demo's platform fee


def earned(amount):
    """What the seller is credited for an order of `amount`, as the contract computes it."""
    return amount - amount * FEE_BPS // 10_000


def test_seller_edits_price_stock_pause_and_title_and_the_catalog_follows(browser, open_wallet_page, shot, demo,
                                                                          dapp, market):
    coffee = listing_named(demo, "coffee")
    merchant = open_wallet_page("seller_a", viewport=PHONE)
    connect_and_sign_in(merchant, "/sell")
    item = merchant.locator(f"#listing-{coffee['id']}")
    expect(item.locator(".listing-price")).to_have_text("18 tUSD")
    item.locator("summary", has_text="Change price or stock").click()
    item.get_by_label("Price (tUSD)").fill("15.5")
    item.get_by_label("Stock").fill("7")
    assert_fits_the_screen(merchant)
    shot(merchant, "edit-price-and-stock")
    item.get_by_role("button", name="Save", exact=True).click()
    progress = merchant.locator("#listings-progress")
    expect(progress).to_have_text("Saved: price 15.5 tUSD, stock 7.", timeout=30_000)
    item = merchant.locator(f"#listing-{coffee['id']}")
    expect(item.locator(".listing-price")).to_have_text("15.5 tUSD")
    expect(item.locator(".listing-stock")).to_have_text("7")
    view = market.getListing(coffee["id"])
    assert (view["price"], view["stock"]) == (15_500_000, 7)

    item.get_by_role("button", name="Pause listing").click()
    expect(progress).to_contain_text("Listing paused", timeout=30_000)
    assert market.getListing(coffee["id"])["paused"]

    visitor = browser.new_context(viewport=PHONE, base_url=dapp.url)  # a shopper without a wallet
    shopper = visitor.new_page()
    shopper.goto("/?q=coffee")
    card = shopper.locator(f"#catalog .card[data-listing-id='{coffee['id']}']")
    expect(card.locator(".price")).to_have_text("15.5 tUSD")
    expect(card).to_contain_text("7 in stock")
    expect(card.locator(".badge.warn")).to_have_text("Paused")
    shot(shopper, "catalog-paused")
    shopper.goto(f"/listings/{coffee['id']}")
    expect(shopper.locator("#checkout")).to_contain_text("The seller has paused this listing.")

    item = merchant.locator(f"#listing-{coffee['id']}")
    item.locator("summary", has_text="Change description or photo").click()
    expect(item.get_by_label("Title")).to_have_value(coffee["name"])
    expect(item.locator(".hint", has_text="Current photo")).to_be_visible()  # the old document is read back
    item.get_by_label("Title").fill("Hand-roasted coffee beans, 500 g")
    item.get_by_role("button", name="Save description").click()
    expect(progress).to_contain_text("Description saved", timeout=30_000)
    merchant.locator(f"#listing-{coffee['id']}").get_by_role("button", name="Resume listing").click()
    expect(progress).to_contain_text("Listing resumed", timeout=30_000)

    shopper.goto("/?q=500+g")
    card = shopper.locator(f"#catalog .card[data-listing-id='{coffee['id']}']")
    expect(card.locator("h2")).to_have_text("Hand-roasted coffee beans, 500 g")
    expect(card.locator(".badge.warn")).to_have_count(0)
    expect(card.locator("img")).to_be_visible()  # the new description keeps the photo
    shot(shopper, "catalog-after-edits")
    assert not market.getListing(coffee["id"])["paused"]
    assert not merchant.js_errors
    visitor.close()


def listing_metadata(page, dapp, listing_id):
    """The listing's metadata document, by the CID its latest event names (the index has read the chain)."""
    dapp.wait_indexed()
    cid = page.request.get(f"{dapp.url}/api/listings/{listing_id}").json()["metadataCid"]
    return page.request.get(f"{dapp.url}/ipfs/{cid}").json()


def test_seller_replaces_a_listings_photo_and_the_new_document_keeps_the_rest(open_wallet_page, shot, demo, dapp):
    coffee = listing_named(demo, "coffee")
    merchant = open_wallet_page("seller_a")
    connect_and_sign_in(merchant, "/sell")
    before = listing_metadata(merchant, dapp, coffee["id"])
    item = merchant.locator(f"#listing-{coffee['id']}")
    item.locator("summary", has_text="Change description or photo").click()
    expect(item.locator(".hint", has_text="Current photo")).to_be_visible()
    photo = png(rgb=(20, 160, 90))
    item.get_by_label("New photo (optional)").set_input_files({"name": "beans.png", "mimeType": "image/png",
                                                                "buffer": photo})
    item.get_by_role("button", name="Save description").click()
    expect(merchant.locator("#listings-progress")).to_contain_text("Description saved", timeout=30_000)
    shot(merchant, "photo-replaced")

    after = listing_metadata(merchant, dapp, coffee["id"])
    assert after["image"] != before["image"]
    assert (after["name"], after["description"]) == (before["name"], before["description"])
    assert merchant.request.get(f"{dapp.url}/ipfs/{after['image'].removeprefix('ipfs://')}").body() == photo
    assert not merchant.js_errors


def test_seller_adds_provenance_tokens_to_a_traced_listing_and_its_stock_grows(open_wallet_page, dapp, market,
                                                                               platform, demo_roles):
    token, seller = platform["ProvenanceToken"], demo_roles["seller_a"]
    units = [token.mint("bafkreipassport", f"LOT-{n}", "geo:1,2", {"from": seller}).return_value for n in range(3)]
    listing = market.listTraced(10**16, ETH, units[:1], 0, 0, "bafkreitraced", {"from": seller}).return_value
    dapp.wait_indexed()

    merchant = open_wallet_page("seller_a")
    connect_and_sign_in(merchant, "/sell")
    item = merchant.locator(f"#listing-{listing}")
    item.locator("summary", has_text="Add provenance tokens").click()
    for unit in units[1:]:
        item.get_by_label(f"#{unit} · LOT-{unit - units[0]}").check()
    item.get_by_role("button", name="Add to this listing").click()
    expect(merchant.locator("#listings-progress")).to_contain_text("Added 2 units.", timeout=30_000)
    assert sorted(market.listingTokens(listing)) == units
    assert market.getListing(listing)["stock"] == 3
    assert not merchant.js_errors


def completed_order(market, listing_id, buyer, seller, quantity, *, token=None, price=0):
    """An order placed, shipped and confirmed directly on chain; returns the seller's earnings."""
    total = price * quantity
    if token:
        token.approve(market, total, {"from": buyer})
        order = market.buyWithToken(listing_id, quantity, total, {"from": buyer}).return_value
    else:
        order = market.buy(listing_id, quantity, {"from": buyer, "value": total}).return_value
    market.shipOrder(order, "TRACK-1", {"from": seller})
    market.confirmReceipt(order, {"from": buyer})
    return market.getOrder(order)


def test_sales_chart_shows_the_sellers_earnings_per_day_and_week_in_each_currency(open_wallet_page, shot, demo, dapp,
                                                                                  market, buyer, seller):
    usd = demo["coins"]["tUSD"]
    coffee, espresso = listing_named(demo, "coffee"), listing_named(demo, "espresso")
    completed_order(market, coffee["id"], buyer, seller, 2, token=usd, price=18 * USD)
    first_day = chain.time() // DAY
    chain.sleep(2 * DAY)
    completed_order(market, coffee["id"], buyer, seller, 1, token=usd, price=18 * USD)
    completed_order(market, espresso["id"], buyer, seller, 1, price=5 * 10**16)
    last_day = chain.time() // DAY
    chain.mine()
    dapp.wait_indexed()

    merchant = open_wallet_page("seller_a")
    connect(merchant, "/sell")
    usd_chart = merchant.locator("#sales-tUSD")
    expect(usd_chart.locator("figcaption")).to_contain_text("tUSD earned per day: 52.65 tUSD", timeout=20_000)
    bars = usd_chart.locator("rect.bar")
    expect(bars).to_have_count(30)
    bars_earned = {bar.get_attribute("data-bucket"): int(bar.get_attribute("data-earned")) for bar in bars.all()}
    days = sorted(day for day, amount in bars_earned.items() if amount)
    assert [bars_earned[day] for day in days] == [earned(36 * USD), earned(18 * USD)]
    assert [date.fromisoformat(day).toordinal() - EPOCH for day in days] == [first_day, last_day]
    eth_bars = merchant.locator("#sales-ETH rect.bar[data-orders='1']")
    expect(eth_bars).to_have_count(1)
    assert int(eth_bars.get_attribute("data-earned")) == earned(5 * 10**16)
    usd_chart.locator("summary").click()
    expect(usd_chart.locator(".sales-table tbody tr")).to_have_count(2)
    shot(merchant, "daily")

    merchant.get_by_label("Show").select_option(label="Weekly, last 26 weeks")
    expect(usd_chart.locator("figcaption")).to_contain_text("tUSD earned per week: 52.65 tUSD")
    weekly = merchant.locator("#sales-tUSD rect.bar")
    expect(weekly).to_have_count(26)
    assert sum(int(bar.get_attribute("data-earned")) for bar in weekly.all()) == earned(36 * USD) + earned(18 * USD)
    shot(merchant, "weekly")
    assert not merchant.js_errors
