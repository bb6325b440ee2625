"""A dispute in the browser: the buyer opens it with evidence, the seller offers a settlement, an
arbiter resolves it with a split; the money lands where the split says."""
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, connect, connect_and_sign_in, listing_named

USD = 10**6
RESOLVED = 9


def shipped_order(demo, dapp, market, buyer, seller, name="coffee", quantity=1):
    """An order the buyer placed and the seller shipped, made directly on chain."""
    listing = listing_named(demo, name)
    usd = demo["coins"]["tUSD"]
    total = 18 * USD * quantity
    usd.approve(market, total, {"from": buyer})
    order = market.buyWithToken(listing["id"], quantity, total, {"from": buyer}).return_value
    market.shipOrder(order, "TRACK-42", {"from": seller})
    dapp.wait_indexed()
    return order, total


def test_buyer_disputes_with_evidence_seller_offers_and_arbiter_resolves_with_a_split(
    open_wallet_page, shot, demo, dapp, market, buyer, seller, arbiter
):
    order, total = shipped_order(demo, dapp, market, buyer, seller)

    shopper = open_wallet_page("buyer", viewport=PHONE)
    connect_and_sign_in(shopper, "/orders")
    card = shopper.locator(f"#order-{order}")
    card.locator("summary", has_text="Open a dispute").click()
    card.get_by_label("Evidence file (photo, PDF, text or video)").set_input_files(
        {"name": "broken.txt", "mimeType": "text/plain", "buffer": b"The bag arrived torn and half empty."})
    shot(shopper, "dispute-form")
    card.get_by_role("button", name="Open a dispute").click()
    expect(card.locator(".order-progress")).to_contain_text("Dispute opened", timeout=30_000)
    shopper.reload()
    expect(shopper.locator(f"#order-{order}").get_by_test_id("order-state")).to_have_text("In dispute")

    merchant = open_wallet_page("seller_a")
    connect(merchant, "/sell")
    dispute = merchant.locator(f"#disputes #order-{order}")
    expect(dispute.locator(".timeline")).to_contain_text("Dispute opened")
    dispute.get_by_label("Offer a refund (tUSD)").fill("5")
    dispute.get_by_role("button", name="Offer settlement").click()
    expect(dispute.locator(".order-progress")).to_contain_text("Settlement offered", timeout=30_000)

    shopper.reload()
    expect(shopper.locator(f"#order-{order}").get_by_role("button", name="Accept settlement (refund 5 tUSD)")).to_be_visible()
    shot(shopper, "settlement-offered")

    # The buyer does not accept; the arbiter decides: 70 % back to the buyer.
    judge = open_wallet_page("arbiter")
    connect_and_sign_in(judge, "/admin")
    case = judge.locator(f"#disputes #order-{order}")
    expect(case.locator(".timeline a", has_text="evidence")).to_have_count(1)
    case.get_by_label("Refund to the buyer").fill("70")
    expect(case.locator("output")).to_have_text("70 % to the buyer")
    shot(judge, "arbiter")
    case.get_by_role("button", name="Resolve dispute").click()
    expect(case.locator(".order-progress")).to_contain_text("Dispute resolved", timeout=30_000)

    assert market.getOrder(order)["state"] == RESOLVED
    usd = demo["coins"]["tUSD"]
    assert market.creditOf(buyer, usd) == total * 70 // 100
    shopper.goto("/orders")
    expect(shopper.locator(f"#order-{order}").get_by_test_id("order-state")).to_have_text("Resolved by an arbiter")
    expect(shopper.locator(f"#order-{order} .timeline")).to_contain_text("buyer refunded 12.6 tUSD (70 %)")
    shot(shopper, "resolved")
    assert not shopper.js_errors and not merchant.js_errors and not judge.js_errors
