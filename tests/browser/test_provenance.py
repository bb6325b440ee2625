"""The public provenance page: a token's trail as a timeline, the server's hash-chain verdict, the
recall status, a QR code of the page; traced listings link to it."""
from playwright.sync_api import expect

from tests.browser.conftest import PHONE

SHIPPING, RECEIVING = 4, 5
PASSPORT_CID = "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"  # stands for a passport document


def test_provenance_page_verifies_the_trail_shows_recall_and_a_qr_code(browser, dapp, demo, platform, market, seller, shot):
    token = platform["ProvenanceToken"]
    token_id = token.mint(PASSPORT_CID, "LOT-2026-0042",
                          "urn:epc:id:sgln:4012345.00001.0", {"from": seller}).return_value
    token.appendEvent(token_id, SHIPPING, "urn:epc:id:sgln:4012345.00001.0", "", {"from": seller})
    token.appendEvent(token_id, RECEIVING, "geo:52.52,13.40", "", {"from": seller})
    listing = market.listTraced(30 * 10**6, demo["coins"]["tUSD"], [token_id], 0, 0, PASSPORT_CID,
                                {"from": seller}).return_value
    dapp.wait_indexed()

    context = browser.new_context(viewport=PHONE, base_url=dapp.url)  # no wallet: a shopper's phone camera
    page = context.new_page()
    page.goto(f"/listings/{listing}")
    expect(page.locator("#provenance-badge")).to_have_text("Traced provenance")
    page.get_by_role("link", name=f"Token #{token_id}: see its trail").click()
    expect(page.locator("#trail-verdict")).to_have_text("Verified: 3 events, complete and unaltered")
    expect(page.locator("#trail li")).to_have_count(3)
    expect(page.locator("#trail")).to_contain_text("Receiving at geo:52.52,13.40")
    expect(page.locator("#recall-status")).to_contain_text("No recall")
    assert page.evaluate("document.getElementById('qr-code').naturalWidth") > 0
    shot(page, "verified")

    token.recall(token_id, "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku", {"from": seller})
    page.reload()
    expect(page.locator("#recall-status")).to_contain_text("RECALLED")
    expect(page.locator("#trail-verdict")).to_have_text("Verified: 4 events, complete and unaltered")
    expect(page.locator("#trail")).to_contain_text("Recalled")
    shot(page, "recalled")
    context.close()
