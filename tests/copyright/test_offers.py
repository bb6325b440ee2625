"""License offers: creating, pausing and resuming; only the rights holder; only allowed assets."""
import brownie

from tests.conftest import ETH, ETH_PRICE, LICENSE_DURATION, TERMS_CID, USD_PRICE
from tests.reverts import custom_error


def create_offer(registry, work, account, asset=ETH, price=ETH_PRICE, duration=LICENSE_DURATION, max_licenses=0):
    return registry.createOffer(work, asset, price, duration, max_licenses, True, False, TERMS_CID, {"from": account})


def test_create_offer_emits_terms(registry, work, creator):
    tx = create_offer(registry, work, creator, max_licenses=5)
    assert tx.events["LicenseOfferCreated"] == {
        "offerId": tx.return_value,
        "workId": work,
        "asset": ETH,
        "price": ETH_PRICE,
        "duration": LICENSE_DURATION,
        "maxLicenses": 5,
        "commercial": True,
        "transferable": False,
        "termsCid": TERMS_CID,
    }


def test_create_offer_stores_terms(registry, work, creator):
    offer_id = create_offer(registry, work, creator, max_licenses=5).return_value
    assert registry.getOffer(offer_id) == (
        offer_id, work, ETH, ETH_PRICE, LICENSE_DURATION, 5, 0, True, False, False
    )


def test_offer_ids_are_sequential(registry, work, creator):
    first = create_offer(registry, work, creator).return_value
    assert create_offer(registry, work, creator).return_value == first + 1
    assert registry.offerCount() == first + 1


def test_create_offer_in_allowed_erc20(registry, work, creator, usd):
    offer_id = create_offer(registry, work, creator, asset=usd, price=USD_PRICE).return_value
    assert registry.getOffer(offer_id)["asset"] == usd


def test_create_offer_accepts_free_perpetual_license(registry, work, creator):
    offer_id = create_offer(registry, work, creator, price=0, duration=0).return_value
    assert registry.getOffer(offer_id)["price"] == 0


def test_create_offer_accepts_largest_uint96_price(registry, work, creator):
    offer_id = create_offer(registry, work, creator, price=2**96 - 1).return_value
    assert registry.getOffer(offer_id)["price"] == 2**96 - 1


def test_create_offer_refuses_price_above_uint96(registry, work, creator):
    with brownie.reverts(custom_error("CopyrightInvalidPrice", 2**96)):
        create_offer(registry, work, creator, price=2**96)


def test_create_offer_refuses_asset_not_allowed_by_marketplace(registry, work, creator, TestStablecoin, admin):
    token = TestStablecoin.deploy("Other", "OTH", 18, {"from": admin})
    with brownie.reverts(custom_error("CopyrightAssetNotAllowed", token)):
        create_offer(registry, work, creator, asset=token)


def test_create_offer_refuses_asset_disallowed_by_marketplace(registry, market, work, creator, usd, admin):
    market.setAssetAllowed(usd, False, {"from": admin})
    with brownie.reverts(custom_error("CopyrightAssetNotAllowed", usd)):
        create_offer(registry, work, creator, asset=usd, price=USD_PRICE)


def test_stranger_cannot_create_offer(registry, work, stranger):
    with brownie.reverts(custom_error("CopyrightNotRightsHolder", work, stranger)):
        create_offer(registry, work, stranger)


def test_create_offer_refuses_unknown_work(registry, creator):
    with brownie.reverts(custom_error("CopyrightUnknownWork", 77)):
        create_offer(registry, 77, creator)


def test_create_offer_refuses_revoked_work(registry, work, creator):
    registry.revokeWork(work, {"from": creator})
    with brownie.reverts(custom_error("CopyrightWorkRevoked", work)):
        create_offer(registry, work, creator)


def test_new_rights_holder_creates_offers(registry, work, creator, stranger):
    registry.transferFrom(creator, stranger, work, {"from": creator})
    offer_id = create_offer(registry, work, stranger).return_value
    assert registry.getOffer(offer_id)["workId"] == work


def test_former_rights_holder_cannot_create_offers(registry, work, creator, stranger):
    registry.transferFrom(creator, stranger, work, {"from": creator})
    with brownie.reverts(custom_error("CopyrightNotRightsHolder", work, creator)):
        create_offer(registry, work, creator)


# ---------------------------------------------------------------- pause and resume


def test_pause_offer_emits_event(registry, eth_offer, creator):
    tx = registry.setOfferPaused(eth_offer, True, {"from": creator})
    assert tx.events["LicenseOfferPausedSet"] == {"offerId": eth_offer, "paused": True}
    assert registry.getOffer(eth_offer)["paused"] is True


def test_paused_offer_refuses_purchase(registry, eth_offer, creator, buyer):
    registry.setOfferPaused(eth_offer, True, {"from": creator})
    with brownie.reverts(custom_error("CopyrightOfferPaused", eth_offer)):
        registry.buyLicense(eth_offer, {"from": buyer, "value": ETH_PRICE})


def test_resumed_offer_sells_again(registry, eth_offer, creator, buyer):
    registry.setOfferPaused(eth_offer, True, {"from": creator})
    tx = registry.setOfferPaused(eth_offer, False, {"from": creator})
    assert tx.events["LicenseOfferPausedSet"] == {"offerId": eth_offer, "paused": False}
    registry.buyLicense(eth_offer, {"from": buyer, "value": ETH_PRICE})
    assert registry.isLicenseValid(buyer, registry.getOffer(eth_offer)["workId"])


def test_pausing_keeps_issued_licenses_valid(registry, work, eth_offer, creator, buyer):
    registry.buyLicense(eth_offer, {"from": buyer, "value": ETH_PRICE})
    registry.setOfferPaused(eth_offer, True, {"from": creator})
    assert registry.isLicenseValid(buyer, work)


def test_stranger_cannot_pause_offer(registry, work, eth_offer, stranger):
    with brownie.reverts(custom_error("CopyrightNotRightsHolder", work, stranger)):
        registry.setOfferPaused(eth_offer, True, {"from": stranger})


def test_pause_refuses_unknown_offer(registry, creator):
    with brownie.reverts(custom_error("CopyrightUnknownOffer", 77)):
        registry.setOfferPaused(77, True, {"from": creator})


def test_get_offer_refuses_unknown_offer(registry):
    with brownie.reverts(custom_error("CopyrightUnknownOffer", 77)):
        registry.getOffer(77)


def test_offer_survives_certificate_transfer_and_pays_new_holder(registry, work, eth_offer, creator, stranger, buyer):
    registry.transferFrom(creator, stranger, work, {"from": creator})
    tx = registry.buyLicense(eth_offer, {"from": buyer, "value": ETH_PRICE})
    assert tx.events["LicenseIssued"]["payee"] == stranger

