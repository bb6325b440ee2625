"""The catalog without a wallet: search, category, currency and price filters, sorting, shareable addresses."""
from playwright.sync_api import expect

from tests.browser.conftest import PHONE


def test_catalog_filters_by_currency_and_price_and_sorts_without_a_wallet(browser, dapp, shot):
    context = browser.new_context(viewport=PHONE, base_url=dapp.url)
    page = context.new_page()
    page.goto("/")
    expect(page.locator("#catalog-status")).to_have_text("6 listings.")
    expect(page.get_by_label("Min price")).to_be_disabled()
    page.get_by_label("Paid in").select_option(label="tUSD")
    page.get_by_label("Max price").fill("20")
    page.get_by_label("Sort").select_option(label="Price: low to high")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#catalog-status")).to_have_text("2 listings.")
    expect(page.locator("#catalog .card h2")).to_have_text(["E-book: Supply chains on Ethereum", "Hand-roasted coffee beans, 1 kg"])
    expect(page.locator("#catalog .card .price")).to_have_text(["9 tUSD", "18 tUSD"])
    assert "max_price=20000000" in page.url and "sort=price_asc" in page.url
    shot(page, "filtered")

    page.reload()  # the address keeps the search
    expect(page.get_by_label("Max price")).to_have_value("20")
    expect(page.locator("#catalog .card")).to_have_count(2)
    page.get_by_label("Max price").fill("12.5.0")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#catalog-status")).to_contain_text("Enter an amount like 12.50 (tUSD).")
    context.close()


def test_catalog_filters_by_the_category_in_each_listings_metadata(browser, dapp, shot):
    context = browser.new_context(viewport=PHONE, base_url=dapp.url)
    page = context.new_page()
    page.goto("/")
    expect(page.get_by_label("Category").locator("option")).to_have_text(
        ["All categories", "clothing (2)", "digital (1)", "food (2)", "home (1)"])
    page.get_by_label("Category").select_option(label="clothing (2)")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#catalog-status")).to_have_text("2 listings.")
    expect(page.locator("#catalog .card h2")).to_have_text(["Silk scarf", "Linen shirt"])  # newest first
    assert "category=clothing" in page.url
    shot(page, "category")
    page.reload()  # the address keeps the category
    expect(page.get_by_label("Category")).to_have_value("clothing")
    expect(page.locator("#catalog .card")).to_have_count(2)
    context.close()
