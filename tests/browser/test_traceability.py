"""Provenance in the browser: a producer mints a token with its passport, records its shipping with
evidence, corrects it and authorises a carrier, and the public page verifies the trail; a seller
lists a traced product and its buyer finds the token under "My provenance tokens"."""
import json

from playwright.sync_api import expect

from scripts.demo_images import png
from tests.browser.conftest import PHONE, assert_fits_the_screen, connect, connect_and_sign_in

USD = 10**6
CARRIER = "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720"  # test account 9: no role, authorised per token
FACTORY = "urn:epc:id:sgln:4012345.00001.0"
DOCK = "urn:epc:id:sgln:4012345.00002.0"


def test_producer_mints_records_shipping_with_evidence_and_the_public_page_verifies_the_trail(
    open_wallet_page, shot, dapp, platform
):
    token = platform["ProvenanceToken"]
    producer = open_wallet_page("seller_b", viewport=PHONE)
    connect_and_sign_in(producer, "/trace")
    producer.get_by_label("Product name").fill("Linen shirt, natural")
    producer.get_by_label("Description").fill("Stonewashed European linen.")
    producer.get_by_label("Origin").fill("Flanders, Belgium")
    producer.get_by_label("Materials").fill("100% linen")
    producer.get_by_label("Product photo (PNG, JPEG, GIF or WebP)").set_input_files(
        {"name": "shirt.png", "mimeType": "image/png", "buffer": png(rgb=(150, 70, 120))})
    producer.get_by_label("Batch or serial reference").fill("LIN-2026-07")
    producer.get_by_label("Made at").fill("geo:50.85,4.35")
    shot(producer, "mint")
    producer.get_by_role("button", name="Mint").click()
    progress = producer.locator("#trace-progress")
    expect(progress).to_contain_text("Minted token #1", timeout=30_000)
    passport = json.loads(producer.request.get(f"{dapp.url}/ipfs/{token.originOf(1)['passportCid']}").body())
    assert passport["name"] == "Linen shirt, natural"
    assert {"trait_type": "origin", "value": "Flanders, Belgium"} in passport["attributes"]

    card = producer.locator("#token-1")
    expect(card.locator(".token-trail")).to_contain_text("1 event, latest: Commissioning")
    record = card.locator("details", has_text="Record an event")
    record.locator("summary").click()
    record.get_by_label("Step").select_option(label="Shipping (left a location)")
    record.get_by_label("Location").fill(FACTORY)
    record.get_by_label("Evidence file (photo, PDF, text or video)").set_input_files(
        {"name": "waybill.png", "mimeType": "image/png", "buffer": png(rgb=(240, 240, 240))})
    record.get_by_role("button", name="Record event").click()
    expect(progress).to_have_text("Shipping recorded on token #1's trail.", timeout=30_000)

    correct = producer.locator("#token-1 details", has_text="Correct an event")
    correct.locator("summary").click()
    expect(correct.get_by_label("Event to correct")).to_contain_text(f"#1 Shipping at {FACTORY}")
    correct.get_by_label("Event to correct").select_option(index=1)
    correct.get_by_label("Correct step").select_option(label="Shipping (left a location)")
    correct.get_by_label("Location").fill(DOCK)
    correct.get_by_label("Or a note").fill("Left from dock 2, not the factory gate.")
    correct.get_by_role("button", name="Record correction").click()
    expect(progress).to_contain_text("Correction of event #1 recorded", timeout=30_000)

    carriers = producer.locator("#token-1 details", has_text="Carriers and inspectors")
    carriers.locator("summary").click()
    expect(carriers).to_contain_text("Nobody else is authorised for this token.")
    carriers.get_by_label("Authorise an account").fill(CARRIER)
    carriers.get_by_role("button", name="Authorise").click()
    expect(progress).to_contain_text("may now add events to token #1", timeout=30_000)
    assert token.canAppend(1, CARRIER)
    producer.locator("#token-1 details", has_text="Carriers and inspectors").locator("summary").click()
    expect(producer.locator(f"#token-1 .appenders li[data-account='{CARRIER}']")).to_be_visible()
    assert_fits_the_screen(producer)
    card = producer.locator("#token-1")
    shot(producer, "token-card")

    card.get_by_role("link", name="Token #1").click()
    expect(producer.locator("#trail-verdict")).to_have_text("Verified: 3 events, complete and unaltered")
    trail = producer.locator("#trail li")
    expect(trail).to_have_count(3)
    expect(trail.nth(1)).to_contain_text(f"Shipping at {FACTORY}")
    expect(trail.nth(2)).to_contain_text(f"Shipping at {DOCK}")
    expect(trail.nth(2)).to_contain_text("(corrects event #1)")
    evidence = trail.nth(1).get_by_role("link", name="evidence")
    assert producer.request.get(f"{dapp.url}{evidence.get_attribute('href')}").headers["content-type"] == "image/png"
    shot(producer, "public-page")
    assert not producer.js_errors


def test_buyer_of_a_traced_product_finds_its_token_under_my_provenance_tokens(
    open_wallet_page, shot, demo, dapp, market, platform, seller, buyer
):
    token = platform["ProvenanceToken"]
    passport = json.dumps({"name": "Coffee, lot 7", "description": "Huila, washed.",
                           "image": "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"}).encode()
    token_id = token.mint(demo["store"].add(passport), "LOT-7", FACTORY, {"from": seller}).return_value
    dapp.wait_indexed()

    merchant = open_wallet_page("seller_a")
    connect_and_sign_in(merchant, "/sell")
    create = merchant.locator("#create")
    create.get_by_label("Title").fill("Coffee, lot 7 (traced)")
    create.get_by_label("Photo (PNG, JPEG, GIF or WebP)").set_input_files(
        {"name": "lot7.png", "mimeType": "image/png", "buffer": png(rgb=(176, 112, 56))})
    create.get_by_label("Sell provenance tokens (each unit comes with its token and trail)").check()
    create.get_by_label(f"#{token_id} · LOT-7").check()
    expect(create.get_by_label("Stock", exact=True)).to_be_disabled()
    create.get_by_label("Price").fill("30")
    create.get_by_label("Currency").select_option(label="tUSD")
    shot(merchant, "traced-listing")
    create.get_by_role("button", name="List product").click()
    expect(merchant.locator("#create-progress")).to_contain_text("Listed", timeout=30_000)
    listing = market.listingCount()
    assert list(market.listingTokens(listing)) == [token_id]
    expect(create.get_by_label(f"#{token_id} · LOT-7")).to_have_count(0)  # listed: no longer offered

    usd = demo["coins"]["tUSD"]
    usd.approve(market, 30 * USD, {"from": buyer})
    order = market.buyWithToken(listing, 1, 30 * USD, {"from": buyer}).return_value
    market.shipOrder(order, "TRACK-7", {"from": seller})
    market.confirmReceipt(order, {"from": buyer})
    assert token.ownerOf(token_id) == buyer.address
    dapp.wait_indexed()

    shopper = open_wallet_page("buyer", viewport=PHONE)
    connect(shopper, "/orders")
    expect(shopper.locator(f"#order-{order} .order-tokens")).to_have_text(f"token #{token_id} (delivered)")
    mine = shopper.locator(f"#my-token-{token_id}")
    expect(mine).to_contain_text("Coffee, lot 7")
    expect(mine).to_contain_text("Batch LOT-7")
    expect(mine).to_contain_text("latest: Selling")
    mine.scroll_into_view_if_needed()
    assert_fits_the_screen(shopper)
    shot(shopper, "my-provenance-tokens")
    mine.get_by_role("link", name="See its trail and verification").click()
    expect(shopper.locator("#trail-verdict")).to_have_text("Verified: 2 events, complete and unaltered")
    expect(shopper.locator("#trail li").last).to_contain_text("Selling")
    expect(shopper.locator("dd[title='" + buyer.address + "']")).to_be_visible()  # held by the buyer now
    shot(shopper, "token-page")
    assert not merchant.js_errors and not shopper.js_errors


def test_a_producer_with_more_tokens_than_a_page_shows_the_rest_on_demand(open_wallet_page, dapp, platform, demo_roles):
    token = platform["ProvenanceToken"]
    producer, buyer = demo_roles["seller_a"], demo_roles["buyer"]
    minted = [token.mint("bafkreipassport", f"BULK-{unit:02}", FACTORY, {"from": producer}).return_value
              for unit in range(26)]
    token.transferFrom(producer, buyer, minted[0], {"from": producer})
    dapp.wait_indexed()

    page = open_wallet_page("seller_a")
    connect_and_sign_in(page, "/trace")
    held = page.locator("#held-tokens li.item")
    expect(page.locator("#held-title")).to_have_text("Tokens you hold (25)")
    expect(held).to_have_count(24)
    page.get_by_role("button", name="Show more").first.click()
    expect(held).to_have_count(25)
    expect(page.locator("#held-more")).to_be_hidden()
    expect(page.locator("#made-title")).to_have_text("Tokens you made, held by others (1)")
    expect(page.locator("#made-tokens li.item")).to_have_count(1)
    expect(page.locator("#made-more")).to_be_hidden()
    assert not page.js_errors
