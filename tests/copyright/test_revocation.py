"""Revoking a certificate: every license stops, nothing new is sold, no money moves."""
import brownie
import pytest

from tests.conftest import ETH, ETH_PRICE, FEE_BPS, TERMS_CID
from tests.reverts import custom_error

ETH_FEE = ETH_PRICE * FEE_BPS // 10_000


@pytest.fixture
def licensed(registry, eth_offer, buyer, other_buyer):
    """Two licensees of the ETH offer."""
    registry.buyLicense(eth_offer, {"from": buyer, "value": ETH_PRICE})
    registry.buyLicense(eth_offer, {"from": other_buyer, "value": ETH_PRICE})


def test_revoke_emits_event_and_marks_work(registry, work, creator):
    tx = registry.revokeWork(work, {"from": creator})
    assert tx.events["WorkRevoked"] == {"workId": work, "by": creator}
    assert registry.getWork(work)["revoked"] is True


def test_revoke_invalidates_every_license(registry, work, licensed, buyer, other_buyer, creator):
    registry.revokeWork(work, {"from": creator})
    assert not registry.isLicenseValid(buyer, work)
    assert not registry.isLicenseValid(other_buyer, work)


def test_revoke_invalidates_perpetual_license(registry, work, usd_offer, buyer, creator):
    registry.buyLicense(usd_offer, {"from": buyer})
    registry.revokeWork(work, {"from": creator})
    assert registry.getLicense(buyer, work)["valid"] is False


def test_revoked_work_sells_no_license(registry, work, eth_offer, creator, stranger):
    registry.revokeWork(work, {"from": creator})
    with brownie.reverts(custom_error("CopyrightWorkRevoked", work)):
        registry.buyLicense(eth_offer, {"from": stranger, "value": ETH_PRICE})


def test_revoked_license_cannot_move(registry, work, licensed, buyer, stranger, creator):
    registry.revokeWork(work, {"from": creator})
    with brownie.reverts(custom_error("CopyrightNoValidLicense", buyer, work)):
        registry.transferLicense(work, stranger, {"from": buyer})


def test_revoked_license_records_no_use(registry, work, licensed, buyer, creator):
    registry.revokeWork(work, {"from": creator})
    with brownie.reverts(custom_error("CopyrightNoValidLicense", buyer, work)):
        registry.recordUse(work, "print", "bafkreiuse", {"from": buyer})


def test_revoke_moves_no_money(registry, work, licensed, creator):
    before = (registry.creditOf(creator, ETH), registry.accruedFees(ETH), registry.liabilities(ETH), registry.balance())
    registry.revokeWork(work, {"from": creator})
    after = (registry.creditOf(creator, ETH), registry.accruedFees(ETH), registry.liabilities(ETH), registry.balance())
    assert after == before == (2 * (ETH_PRICE - ETH_FEE), 2 * ETH_FEE, 2 * ETH_PRICE, 2 * ETH_PRICE)


def test_creator_withdraws_after_revocation(registry, work, licensed, creator):
    registry.revokeWork(work, {"from": creator})
    tx = registry.withdraw(ETH, {"from": creator})
    assert tx.return_value == 2 * (ETH_PRICE - ETH_FEE)


def test_fees_withdrawable_after_revocation(registry, work, licensed, creator, stranger, treasury):
    registry.revokeWork(work, {"from": creator})
    tx = registry.withdrawFees(ETH, {"from": stranger})
    assert tx.events["FeesWithdrawn"] == {"asset": ETH, "treasury": treasury, "amount": 2 * ETH_FEE}


def test_revoke_twice_refused(registry, work, creator):
    registry.revokeWork(work, {"from": creator})
    with brownie.reverts(custom_error("CopyrightWorkRevoked", work)):
        registry.revokeWork(work, {"from": creator})


def test_stranger_cannot_revoke(registry, work, stranger):
    with brownie.reverts(custom_error("CopyrightNotRightsHolder", work, stranger)):
        registry.revokeWork(work, {"from": stranger})


def test_licensee_cannot_revoke(registry, work, licensed, buyer):
    with brownie.reverts(custom_error("CopyrightNotRightsHolder", work, buyer)):
        registry.revokeWork(work, {"from": buyer})


def test_revoke_refuses_unknown_work(registry, creator):
    with brownie.reverts(custom_error("CopyrightUnknownWork", 77)):
        registry.revokeWork(77, {"from": creator})


def test_revocation_is_per_work(registry, work, creator, buyer):
    other = registry.registerWork("0x" + "22" * 32, "bafkreiother", "Other", "bafkreiothermeta", 0, {"from": creator})
    offer_id = registry.createOffer(other.return_value, ETH, 1, 0, 0, False, False, TERMS_CID, {"from": creator})
    registry.buyLicense(offer_id.return_value, {"from": buyer, "value": 1})
    registry.revokeWork(work, {"from": creator})
    assert registry.isLicenseValid(buyer, other.return_value)
