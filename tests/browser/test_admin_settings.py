"""The admin's platform settings in the browser: allow-list a new stablecoin and set the fee, each as a
normal transaction from the admin's own wallet (admin functions are never relayed), with the
current values read from the chain and refusals explained in words."""
from playwright.sync_api import expect

from tests.browser.conftest import connect_and_sign_in


def test_admin_allows_a_new_stablecoin_and_sets_the_fee_from_the_admin_wallet(
    browser, open_wallet_page, shot, dapp, market, admin, TestStablecoin
):
    gbp = TestStablecoin.deploy("Test GBP", "tGBP", 6, {"from": admin})
    dapp.wait_indexed()
    before = admin.balance()

    page = open_wallet_page("admin")
    connect_and_sign_in(page, "/admin")
    settings = page.locator("#settings")
    expect(settings.locator("#market-fee-current")).to_contain_text("Now 2.5 %, at most 10 %")
    expect(settings.locator("#assets-table tbody tr")).to_have_count(4)  # ETH and the demo's three
    settings.get_by_label("Allow a token").fill(gbp.address)
    expect(settings.locator("#allow-token")).to_have_text("Test GBP (tGBP, 6 decimals)")
    shot(page, "allow-token")
    settings.get_by_role("button", name="Allow", exact=True).click()
    progress = page.locator("#settings-progress")
    expect(progress).to_contain_text("tGBP is now accepted", timeout=30_000)
    expect(page.locator("#assets-table tr[data-symbol=tGBP]")).to_contain_text("Test GBP")
    assert market.isAssetAllowed(gbp)

    page.get_by_label("Marketplace fee (%)").fill("12")
    page.locator("#market-fee-form").get_by_role("button", name="Set fee").click()
    expect(progress).to_have_text("The fee can be at most 10 %.", timeout=30_000)
    page.get_by_label("Marketplace fee (%)").fill("3")
    page.locator("#market-fee-form").get_by_role("button", name="Set fee").click()
    expect(progress).to_contain_text("The marketplace fee is now 3 %.", timeout=30_000)
    expect(page.locator("#market-fee-current")).to_contain_text("Now 3 %")
    shot(page, "fee-set")
    assert market.feeBps() == 300
    assert admin.balance() < before  # sent from the admin's wallet, gas paid by the admin

    shopper = browser.new_context(base_url=dapp.url)
    catalog = shopper.new_page()
    catalog.goto("/")
    expect(catalog.get_by_label("Paid in").locator("option", has_text="tGBP")).to_have_count(1)
    shopper.close()
    assert not page.js_errors
