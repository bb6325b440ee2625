"""Copyright in the browser: a creator registers a work (hashed in the browser, checked against the
server's hash), offers a license, a buyer licenses it, the creator revokes the certificate, and
the public verification page says the license is no longer valid; a licensee records a use under
"My licenses" and the creator pauses the offer."""
import hashlib

from playwright.sync_api import expect

from tests.browser.conftest import connect, connect_and_sign_in
from scripts.demo_images import png

BUYER = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc"  # test account 5
ARTWORK = png(width=80, height=60, rgb=(230, 180, 30))
ETH = "0x" + "00" * 20
SOME_CID = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"  # stands for a document on IPFS


def test_creator_registers_buyer_licenses_creator_revokes_and_verification_says_invalid(
    open_wallet_page, shot, dapp, registry, buyer
):
    creator = open_wallet_page("seller_b")
    connect_and_sign_in(creator, "/works")
    creator.get_by_label("Title").fill("Sunflowers at noon")
    creator.get_by_label("Description").fill("A photograph.")
    creator.get_by_label("The work (image, video, PDF, text or JSON)").set_input_files(
        {"name": "sunflowers.png", "mimeType": "image/png", "buffer": ARTWORK})
    sha256 = "0x" + hashlib.sha256(ARTWORK).hexdigest()
    expect(creator.locator("#work-hash")).to_contain_text(f"SHA-256 {sha256}")
    expect(creator.locator("#work-hash")).to_contain_text("Not registered yet.")
    shot(creator, "register")
    creator.get_by_role("button", name="Register work").click()
    expect(creator.locator("#register-progress")).to_contain_text("Registered as work #1", timeout=30_000)
    expect(creator.locator("#register-progress")).to_contain_text("matches the server's")
    assert registry.workIdOf(sha256) == 1

    # The same content again is recognised before anything is sent.
    creator.get_by_label("The work (image, video, PDF, text or JSON)").set_input_files(
        {"name": "copy.png", "mimeType": "image/png", "buffer": ARTWORK})
    expect(creator.locator("#work-hash")).to_contain_text("Already registered as work #1")

    work = creator.locator("#work-1")
    work.locator("summary", has_text="Create a license offer").click()
    work.get_by_label("Price").fill("0.01")
    work.get_by_label("Currency").select_option(label="ETH")
    work.get_by_label("Duration (days)").fill("30")
    work.get_by_label("Commercial use").check()
    work.get_by_label("License terms").fill("Print and web use, one publication.")
    work.get_by_role("button", name="Create offer").click()
    expect(work.locator(".work-progress")).to_contain_text("Offer created", timeout=30_000)

    licensee = open_wallet_page("buyer")
    connect(licensee, "/works/1")
    expect(licensee.locator("#offers")).to_contain_text("0.01 ETH")
    licensee.get_by_role("button", name="Buy license").click()
    expect(licensee.locator("#offer-1 .offer-progress")).to_contain_text("Licensed.", timeout=30_000)
    expect(licensee.locator("#my-license-verdict")).to_contain_text("Valid until")
    shot(licensee, "licensed")
    assert registry.isLicenseValid(buyer, 1)

    licensee.goto(f"/licenses/verify?work=1&account={BUYER}")
    expect(licensee.locator("#license-verdict")).to_have_text("VALID license")
    shot(licensee, "verify-valid")

    creator.reload()
    work = creator.locator("#work-1")
    work.get_by_role("button", name="Revoke certificate…").click()
    work.get_by_role("button", name="Yes, revoke for ever").click()
    expect(work.locator(".work-progress")).to_contain_text("Certificate revoked", timeout=30_000)
    assert not registry.isLicenseValid(buyer, 1)

    licensee.reload()
    expect(licensee.locator("#license-verdict")).to_have_text("NOT a valid license")
    expect(licensee.locator("#license-reason")).to_contain_text("revoked")
    shot(licensee, "verify-revoked")
    assert not creator.js_errors and not licensee.js_errors


def test_licensee_records_a_use_under_my_licenses_and_the_creator_pauses_the_offer(
    open_wallet_page, shot, dapp, registry, buyer, other_seller
):
    content = png(width=40, height=30, rgb=(20, 90, 160))
    sha256 = "0x" + hashlib.sha256(content).hexdigest()
    work = registry.registerWork(sha256, SOME_CID, "Harbour at dawn", SOME_CID, 0, {"from": other_seller}).return_value
    offer = registry.createOffer(work, ETH, 10**16, 0, 0, True, False, SOME_CID, {"from": other_seller}).return_value
    registry.buyLicense(offer, {"from": buyer, "value": 10**16})
    dapp.wait_indexed()

    licensee = open_wallet_page("buyer")
    connect_and_sign_in(licensee, "/works")
    card = licensee.locator(f"#license-{work}")
    expect(card).to_contain_text("Harbour at dawn")
    expect(card.get_by_test_id("license-status")).to_have_text("Valid")
    expect(card).to_contain_text("Valid, perpetual")
    card.locator("summary", has_text="Record a use").click()
    card.get_by_label("Kind of use").fill("web publication")
    card.get_by_label("Usage report").fill("Cover image of the spring issue, example.org/spring.")
    card.get_by_role("button", name="Record use").click()
    expect(card.locator(".license-progress")).to_contain_text('Use recorded on chain: "web publication".',
                                                              timeout=30_000)
    expect(licensee.locator(f"#license-{work} .license-uses")).to_contain_text("web publication report", timeout=10_000)
    uses = registry.events.get_sequence(from_block=0, event_type="LicenseUseRecorded")
    assert [(u.args.workId, u.args.licensee, u.args.kind) for u in uses] == [(work, buyer.address, "web publication")]
    report = licensee.locator(f"#license-{work} .license-uses a").get_attribute("href")
    assert licensee.request.get(f"{dapp.url}{report}").text().startswith("Cover image of the spring issue")
    shot(licensee, "use-recorded")

    creator = open_wallet_page("seller_b")
    connect(creator, "/works")
    row = creator.locator(f"#offer-row-{offer}")
    expect(row.locator(".offer-status")).to_have_text("On sale")
    row.get_by_role("button", name="Pause").click()
    expect(creator.locator(f"#work-{work} .work-progress")).to_contain_text(f"Offer #{offer} paused", timeout=30_000)
    assert registry.getOffer(offer)["paused"]
    expect(creator.locator(f"#offer-row-{offer} .offer-status")).to_have_text("Paused", timeout=10_000)
    shot(creator, "offer-paused")

    licensee.goto(f"/works/{work}")
    expect(licensee.locator(f"#offer-{offer}")).to_contain_text("Paused")
    expect(licensee.get_by_role("button", name="Buy license")).to_have_count(0)
    assert not licensee.js_errors and not creator.js_errors
