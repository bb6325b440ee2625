"""Becoming a seller and listing a product in the browser: apply, get approved by the admin,
upload a photo, store the metadata on IPFS and list it; buyers then see it in the catalog."""
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, connect_and_sign_in
from scripts.demo_images import png

NEWCOMER = "0x976EA74026E726554dB657fA54763abd0C3a0aa9"  # buyer B (test account 6)


def test_newcomer_applies_admin_approves_and_the_seller_lists_a_product_with_a_photo(open_wallet_page, shot, demo, dapp, market):
    newcomer = open_wallet_page("buyer_b", viewport=PHONE)
    connect_and_sign_in(newcomer, "/sell")
    newcomer.get_by_label("Shop name").fill("Ceramics by B")
    newcomer.get_by_label("About your shop").fill("Hand-thrown stoneware.")
    newcomer.get_by_role("button", name="Apply").click()
    expect(newcomer.locator("#apply")).to_contain_text("Application sent", timeout=30_000)

    admin = open_wallet_page("admin")
    connect_and_sign_in(admin, "/admin")
    row = admin.locator(f"#sellers tr[data-address='{NEWCOMER}']")
    expect(row).to_contain_text("profile")
    shot(admin, "applications")
    row.get_by_role("button", name="Approve").click()
    expect(admin.locator("#sellers-progress")).to_contain_text("Seller approved", timeout=30_000)
    expect(admin.locator("#relayer-stats")).to_contain_text("0x14dC79964da2C08b23698B3D3cc7Ca32193d9955")
    assert market.isActiveSeller(NEWCOMER)

    newcomer.reload()
    newcomer.get_by_label("Title").fill("Stoneware mug")
    newcomer.get_by_label("Description").fill("Wheel-thrown, 350 ml, dishwasher safe.")
    newcomer.get_by_label("Category").fill("home")
    newcomer.get_by_label("Photo (PNG, JPEG, GIF or WebP)").set_input_files(
        {"name": "mug.png", "mimeType": "image/png", "buffer": png(rgb=(70, 110, 160))})
    newcomer.get_by_label("Price").fill("12.5")
    newcomer.get_by_label("Currency").select_option(label="tUSD")
    newcomer.get_by_label("Stock").fill("3")
    shot(newcomer, "new-listing")
    newcomer.get_by_role("button", name="List product").click()
    expect(newcomer.locator("#create-progress")).to_contain_text("Listed", timeout=30_000)
    newcomer.locator("#new-listing-link").click()
    expect(newcomer.locator("h1")).to_have_text("Stoneware mug")
    expect(newcomer.locator("#price")).to_have_text("12.5 tUSD")
    photo = newcomer.locator("img.photo")
    expect(photo).to_be_visible()
    assert newcomer.evaluate("document.querySelector('img.photo').naturalWidth") == 64
    shot(newcomer, "product-with-photo")

    buyer = open_wallet_page("buyer")
    buyer.goto("/?q=mug")
    expect(buyer.locator("#catalog .card")).to_have_count(1)
    expect(buyer.locator("#catalog .card img")).to_be_visible()
    assert not newcomer.js_errors and not admin.js_errors
