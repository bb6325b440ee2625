"""The whole happy path in a real browser: a buyer signs in and buys a stablecoin product
gaslessly (permit + relayed buyWithPermit), the seller ships, the buyer confirms and reviews, the
seller withdraws the proceeds. Every wallet interaction goes through the injected test wallet."""
import re

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, connect, connect_and_sign_in, listing_named

USD = 10**6


def test_buyer_buys_gaslessly_seller_ships_buyer_confirms_and_reviews_seller_withdraws(
    open_wallet_page, shot, demo, dapp, seller, buyer, relayer
):
    coffee = listing_named(demo, "coffee")
    usd = demo["coins"]["tUSD"]
    buyer_usd, buyer_eth = usd.balanceOf(buyer), buyer.balance()
    seller_usd = usd.balanceOf(seller)

    # The buyer, on a phone: sign in, find the coffee, buy two bags without paying gas.
    shopper = open_wallet_page("buyer", viewport=PHONE)
    connect_and_sign_in(shopper)
    shopper.get_by_label("Search").fill("coffee")
    shopper.get_by_role("button", name="Search").click()
    expect(shopper.locator("#catalog-status")).to_have_text("1 listing.")
    shot(shopper, "catalog-search")
    shopper.get_by_role("link", name=coffee["name"]).click()
    expect(shopper.locator("#price")).to_have_text("18 tUSD")
    expect(shopper.locator("#checkout-mode")).to_contain_text("Gasless")
    shopper.get_by_label("Quantity").fill("2")
    expect(shopper.locator("#total")).to_have_text("Total: 36 tUSD")
    shot(shopper, "product")
    shopper.get_by_role("button", name="Buy now").click()
    expect(shopper.locator("#checkout-progress")).to_contain_text("Order placed", timeout=30_000)
    expect(shopper.locator("#stock")).to_have_text("118")
    shot(shopper, "order-placed")
    assert usd.balanceOf(buyer) == buyer_usd - 36 * USD
    assert buyer.balance() == buyer_eth  # gasless: the relayer paid

    # The seller ships it, gaslessly too.
    merchant = open_wallet_page("seller_a")
    connect(merchant, "/sell")
    order = merchant.locator("#to-ship .order").first
    expect(order).to_contain_text(coffee["name"])
    order.get_by_label("Tracking reference").fill("1Z999AA10123456784")
    shot(merchant, "to-ship")
    order.get_by_role("button", name="Mark shipped").click()
    expect(order.locator(".order-progress")).to_contain_text("Marked shipped", timeout=30_000)

    # The buyer sees the shipment, confirms receipt and reviews.
    shopper.goto("/orders")
    card = shopper.locator(".order").first
    expect(card.get_by_test_id("order-state")).to_have_text("Shipped")
    expect(card.locator(".tracking")).to_have_text("1Z999AA10123456784")
    shot(shopper, "shipped")
    card.get_by_role("button", name="Confirm receipt").click()
    expect(card.locator(".order-progress")).to_contain_text("Receipt confirmed", timeout=30_000)
    shopper.reload()
    card = shopper.locator(".order").first
    expect(card.get_by_test_id("order-state")).to_have_text("Completed")
    card.get_by_label("4 stars").check()
    card.get_by_label("Your review (optional)").fill("Fresh and fragrant.")
    card.get_by_role("button", name="Publish review").click()
    expect(card.locator(".order-progress")).to_contain_text("review is published", timeout=30_000)
    shopper.reload()
    expect(shopper.locator(".order").first.locator(".timeline")).to_contain_text("Reviewed: 4 of 5 stars")
    shot(shopper, "completed-and-reviewed")

    # The review shows on the product page.
    shopper.goto(f"/listings/{coffee['id']}")
    expect(shopper.locator("#seller-rating")).to_contain_text("4 of 5 (1 review)")
    expect(shopper.locator("#reviews")).to_contain_text("Fresh and fragrant.")

    # The seller withdraws: 36 tUSD less the 2.5 % fee.
    merchant.goto("/account")
    row = merchant.locator("#balances-table tr[data-symbol=tUSD]")
    expect(row.locator(".credit")).to_have_text("35.1")
    shot(merchant, "before-withdraw")
    row.get_by_role("button", name="Withdraw tUSD").click()
    expect(merchant.locator("#withdraw-progress")).to_contain_text("Withdrew 35.1 tUSD", timeout=30_000)
    expect(merchant.locator("#balances-table tr[data-symbol=tUSD] .credit")).to_have_text("0")
    shot(merchant, "withdrawn")
    assert usd.balanceOf(seller) == seller_usd + 35_100_000
    assert not shopper.js_errors and not merchant.js_errors
