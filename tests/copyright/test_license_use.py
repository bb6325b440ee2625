"""Moving, giving up and using licenses."""
import brownie
import pytest
from brownie import ZERO_ADDRESS, chain

from tests.conftest import ETH_PRICE, LICENSE_DURATION
from tests.reverts import custom_error

USAGE_CID = "bafkreiusagereport"
ZERO_ADDRESS_ERROR = "CopyrightZeroAddress: "


@pytest.fixture
def licensed(registry, eth_offer, buyer):
    """The buyer holds a running transferable license; returns its expiry."""
    return registry.buyLicense(eth_offer, {"from": buyer, "value": ETH_PRICE}).return_value


# ---------------------------------------------------------------- transfers


def test_transfer_moves_license(registry, work, licensed, buyer, other_buyer):
    registry.transferLicense(work, other_buyer, {"from": buyer})
    assert registry.isLicenseValid(other_buyer, work)


def test_transferred_license_is_no_longer_valid_for_sender(registry, work, licensed, buyer, other_buyer):
    registry.transferLicense(work, other_buyer, {"from": buyer})
    assert not registry.isLicenseValid(buyer, work)
    assert registry.getLicense(buyer, work) == (0, 0, False, False, False)


def test_transfer_keeps_expiry_and_terms(registry, work, eth_offer, licensed, buyer, other_buyer):
    registry.transferLicense(work, other_buyer, {"from": buyer})
    assert registry.getLicense(other_buyer, work) == (eth_offer, licensed, False, True, True)


def test_transfer_emits_event(registry, work, licensed, buyer, other_buyer):
    tx = registry.transferLicense(work, other_buyer, {"from": buyer})
    assert tx.events["LicenseTransferred"] == {
        "workId": work,
        "from": buyer,
        "to": other_buyer,
        "expiresAt": licensed,
    }


def test_transferred_license_expires_on_schedule(registry, work, licensed, buyer, other_buyer):
    registry.transferLicense(work, other_buyer, {"from": buyer})
    chain.sleep(LICENSE_DURATION + 1)
    chain.mine()
    assert not registry.isLicenseValid(other_buyer, work)


def test_non_transferable_license_cannot_move(registry, work, usd_offer, buyer, other_buyer):
    registry.buyLicense(usd_offer, {"from": buyer})
    with brownie.reverts(custom_error("CopyrightLicenseNotTransferable", buyer, work)):
        registry.transferLicense(work, other_buyer, {"from": buyer})


def test_expired_license_cannot_move(registry, work, licensed, buyer, other_buyer):
    chain.sleep(LICENSE_DURATION + 1)
    chain.mine()
    with brownie.reverts(custom_error("CopyrightNoValidLicense", buyer, work)):
        registry.transferLicense(work, other_buyer, {"from": buyer})


def test_transfer_without_license_refused(registry, work, stranger, other_buyer):
    with brownie.reverts(custom_error("CopyrightNoValidLicense", stranger, work)):
        registry.transferLicense(work, other_buyer, {"from": stranger})


def test_transfer_to_licensed_account_refused(registry, work, eth_offer, licensed, buyer, other_buyer):
    theirs = registry.buyLicense(eth_offer, {"from": other_buyer, "value": ETH_PRICE}).return_value
    with brownie.reverts(custom_error("CopyrightAlreadyLicensed", other_buyer, work, theirs)):
        registry.transferLicense(work, other_buyer, {"from": buyer})


def test_transfer_to_self_refused(registry, work, licensed, buyer):
    with brownie.reverts(custom_error("CopyrightAlreadyLicensed", buyer, work, licensed)):
        registry.transferLicense(work, buyer, {"from": buyer})


def test_transfer_to_zero_address_refused(registry, work, licensed, buyer):
    with brownie.reverts(ZERO_ADDRESS_ERROR):
        registry.transferLicense(work, ZERO_ADDRESS, {"from": buyer})


def test_transfer_to_holder_of_expired_license_replaces_it(registry, work, eth_offer, buyer, other_buyer):
    registry.buyLicense(eth_offer, {"from": other_buyer, "value": ETH_PRICE})
    chain.sleep(LICENSE_DURATION + 1)
    expires_at = registry.buyLicense(eth_offer, {"from": buyer, "value": ETH_PRICE}).return_value
    registry.transferLicense(work, other_buyer, {"from": buyer})
    assert registry.getLicense(other_buyer, work)["expiresAt"] == expires_at


# ---------------------------------------------------------------- relinquishing


def test_relinquish_ends_license(registry, work, licensed, buyer):
    tx = registry.relinquishLicense(work, {"from": buyer})
    assert tx.events["LicenseRelinquished"] == {"workId": work, "licensee": buyer}
    assert not registry.isLicenseValid(buyer, work)


def test_relinquish_lets_licensee_buy_other_terms(registry, work, usd_offer, licensed, buyer):
    registry.relinquishLicense(work, {"from": buyer})
    registry.buyLicense(usd_offer, {"from": buyer})
    assert registry.getLicense(buyer, work)["offerId"] == usd_offer


def test_relinquish_without_license_refused(registry, work, stranger):
    with brownie.reverts(custom_error("CopyrightNoValidLicense", stranger, work)):
        registry.relinquishLicense(work, {"from": stranger})


# ---------------------------------------------------------------- usage records


def test_licensee_records_use(registry, work, licensed, buyer):
    tx = registry.recordUse(work, "print", USAGE_CID, {"from": buyer})
    assert tx.events["LicenseUseRecorded"] == {
        "workId": work,
        "licensee": buyer,
        "kind": "print",
        "usageCid": USAGE_CID,
    }


def test_use_without_license_refused(registry, work, stranger):
    with brownie.reverts(custom_error("CopyrightNoValidLicense", stranger, work)):
        registry.recordUse(work, "print", USAGE_CID, {"from": stranger})


def test_use_after_expiry_refused(registry, work, licensed, buyer):
    chain.sleep(LICENSE_DURATION + 1)
    chain.mine()
    with brownie.reverts(custom_error("CopyrightNoValidLicense", buyer, work)):
        registry.recordUse(work, "stream", USAGE_CID, {"from": buyer})


def test_use_after_transfer_away_refused(registry, work, licensed, buyer, other_buyer):
    registry.transferLicense(work, other_buyer, {"from": buyer})
    with brownie.reverts(custom_error("CopyrightNoValidLicense", buyer, work)):
        registry.recordUse(work, "stream", USAGE_CID, {"from": buyer})
