"""Money out: credits, platform fees, surplus; the admin's fee and treasury; the books balance."""
import brownie
import pytest
from brownie import ZERO_ADDRESS
from hexbytes import HexBytes

from tests.conftest import ETH, ETH_PRICE, FEE_BPS, USD_PRICE
from tests.reverts import custom_error

ETH_FEE = ETH_PRICE * FEE_BPS // 10_000
USD_FEE = USD_PRICE * FEE_BPS // 10_000
ZERO_ADDRESS_ERROR = "CopyrightZeroAddress: "


def unauthorized(account, role):
    """OpenZeppelin's AccessControlUnauthorizedAccount; Brownie shows the bytes32 role as a bytes literal."""
    return custom_error("AccessControlUnauthorizedAccount", account, str(bytes(HexBytes(role))))


@pytest.fixture
def sold_eth(registry, eth_offer, buyer):
    registry.buyLicense(eth_offer, {"from": buyer, "value": ETH_PRICE})


@pytest.fixture
def sold_usd(registry, usd_offer, buyer):
    registry.buyLicense(usd_offer, {"from": buyer})


# ---------------------------------------------------------------- credits


def test_creator_withdraws_eth_credit(registry, sold_eth, creator):
    before = creator.balance()
    tx = registry.withdraw(ETH, {"from": creator})
    assert tx.return_value == ETH_PRICE - ETH_FEE
    assert creator.balance() == before + ETH_PRICE - ETH_FEE - tx.gas_used * tx.gas_price


def test_withdraw_emits_event_and_clears_credit(registry, sold_eth, creator):
    tx = registry.withdraw(ETH, {"from": creator})
    amount = ETH_PRICE - ETH_FEE
    assert tx.events["Withdrawn"] == {"account": creator, "asset": ETH, "to": creator, "amount": amount}
    assert registry.creditOf(creator, ETH) == 0
    assert registry.liabilities(ETH) == ETH_FEE


def test_creator_withdraws_token_credit(registry, sold_usd, usd, creator):
    registry.withdraw(usd, {"from": creator})
    assert usd.balanceOf(creator) == USD_PRICE - USD_FEE


def test_withdraw_to_another_account(registry, sold_eth, creator, stranger):
    before = stranger.balance()
    tx = registry.withdrawTo(ETH, stranger, {"from": creator})
    assert tx.events["Withdrawn"]["to"] == stranger
    assert stranger.balance() == before + ETH_PRICE - ETH_FEE


def test_withdraw_with_nothing_credited_refused(registry, stranger):
    with brownie.reverts(custom_error("CopyrightNothingToWithdraw", stranger, ETH)):
        registry.withdraw(ETH, {"from": stranger})


def test_second_withdraw_refused(registry, sold_eth, creator):
    registry.withdraw(ETH, {"from": creator})
    with brownie.reverts(custom_error("CopyrightNothingToWithdraw", creator, ETH)):
        registry.withdraw(ETH, {"from": creator})


def test_credit_after_withdrawal_is_withdrawable(registry, eth_offer, sold_eth, creator, other_buyer):
    registry.withdraw(ETH, {"from": creator})
    registry.buyLicense(eth_offer, {"from": other_buyer, "value": ETH_PRICE})
    assert registry.creditOf(creator, ETH) == ETH_PRICE - ETH_FEE


def test_withdraw_to_zero_address_refused(registry, sold_eth, creator):
    with brownie.reverts(ZERO_ADDRESS_ERROR):
        registry.withdrawTo(ETH, ZERO_ADDRESS, {"from": creator})


def test_withdraw_to_account_rejecting_eth_fails_and_keeps_credit(registry, sold_eth, usd, creator):
    amount = ETH_PRICE - ETH_FEE
    with brownie.reverts(custom_error("CopyrightEthTransferFailed", usd, amount)):
        registry.withdrawTo(ETH, usd, {"from": creator})
    assert registry.creditOf(creator, ETH) == amount


# ---------------------------------------------------------------- platform fees


def test_anyone_sends_fees_to_treasury(registry, sold_eth, stranger, treasury):
    before = treasury.balance()
    tx = registry.withdrawFees(ETH, {"from": stranger})
    assert tx.events["FeesWithdrawn"] == {"asset": ETH, "treasury": treasury, "amount": ETH_FEE}
    assert treasury.balance() == before + ETH_FEE


def test_fee_withdrawal_clears_accrued_fees(registry, sold_eth, treasury):
    registry.withdrawFees(ETH, {"from": treasury})
    assert registry.accruedFees(ETH) == 0
    assert registry.liabilities(ETH) == ETH_PRICE - ETH_FEE


def test_token_fees_go_to_treasury(registry, sold_usd, usd, treasury):
    registry.withdrawFees(usd, {"from": treasury})
    assert usd.balanceOf(treasury) == USD_FEE


def test_fee_withdrawal_with_nothing_accrued_refused(registry, treasury):
    with brownie.reverts(custom_error("CopyrightNothingToWithdraw", treasury, ETH)):
        registry.withdrawFees(ETH, {"from": treasury})


def test_accrued_fees_go_to_treasury_of_the_day(registry, sold_eth, admin, stranger):
    registry.setTreasury(stranger, {"from": admin})
    tx = registry.withdrawFees(ETH, {"from": admin})
    assert tx.events["FeesWithdrawn"]["treasury"] == stranger


# ---------------------------------------------------------------- admin: fee and treasury


def test_admin_sets_fee(registry, admin):
    tx = registry.setFee(1_000, {"from": admin})
    assert tx.events["FeeUpdated"] == {"feeBps": 1_000}
    assert registry.feeBps() == 1_000


def test_new_fee_applies_to_next_purchase(registry, eth_offer, admin, buyer):
    registry.setFee(0, {"from": admin})
    tx = registry.buyLicense(eth_offer, {"from": buyer, "value": ETH_PRICE})
    assert tx.events["LicenseIssued"]["fee"] == 0


def test_fee_above_cap_refused(registry, admin):
    with brownie.reverts(custom_error("CopyrightInvalidFee", 1_001, 1_000)):
        registry.setFee(1_001, {"from": admin})


def test_stranger_cannot_set_fee(registry, stranger):
    with brownie.reverts(unauthorized(stranger, registry.DEFAULT_ADMIN_ROLE())):
        registry.setFee(0, {"from": stranger})


def test_admin_sets_treasury(registry, admin, stranger):
    tx = registry.setTreasury(stranger, {"from": admin})
    assert tx.events["TreasuryUpdated"] == {"treasury": stranger}
    assert registry.treasury() == stranger


def test_zero_treasury_refused(registry, admin):
    with brownie.reverts(ZERO_ADDRESS_ERROR):
        registry.setTreasury(ZERO_ADDRESS, {"from": admin})


def test_stranger_cannot_set_treasury(registry, stranger):
    with brownie.reverts(unauthorized(stranger, registry.DEFAULT_ADMIN_ROLE())):
        registry.setTreasury(stranger, {"from": stranger})


# ---------------------------------------------------------------- surplus and the books


def test_plain_eth_transfer_is_refused(registry, buyer):
    with brownie.reverts():
        buyer.transfer(registry, 1)


def test_admin_sweeps_tokens_sent_directly(registry, sold_usd, usd, admin, buyer, stranger):
    usd.transfer(registry, 7, {"from": buyer})
    tx = registry.sweepSurplus(usd, stranger, {"from": admin})
    assert tx.events["SurplusSwept"] == {"asset": usd, "to": stranger, "amount": 7}
    assert usd.balanceOf(registry) == registry.liabilities(usd) == USD_PRICE


def test_sweep_with_no_surplus_refused(registry, sold_eth, admin):
    with brownie.reverts(custom_error("CopyrightNothingToWithdraw", registry, ETH)):
        registry.sweepSurplus(ETH, admin, {"from": admin})


def test_sweep_to_zero_address_refused(registry, admin):
    with brownie.reverts(ZERO_ADDRESS_ERROR):
        registry.sweepSurplus(ETH, ZERO_ADDRESS, {"from": admin})


def test_stranger_cannot_sweep(registry, stranger):
    with brownie.reverts(unauthorized(stranger, registry.DEFAULT_ADMIN_ROLE())):
        registry.sweepSurplus(ETH, stranger, {"from": stranger})


def test_eth_books_balance_through_purchases_and_withdrawals(
    registry, eth_offer, creator, buyer, other_buyer, treasury
):
    registry.buyLicense(eth_offer, {"from": buyer, "value": ETH_PRICE})
    registry.buyLicense(eth_offer, {"from": other_buyer, "value": ETH_PRICE})
    registry.withdraw(ETH, {"from": creator})
    registry.buyLicense(eth_offer, {"from": buyer, "value": ETH_PRICE})
    owed = registry.creditOf(creator, ETH) + registry.accruedFees(ETH)
    assert registry.balance() == registry.liabilities(ETH) == owed
    registry.withdraw(ETH, {"from": creator})
    registry.withdrawFees(ETH, {"from": treasury})
    assert registry.balance() == registry.liabilities(ETH) == 0


def test_token_books_balance_through_purchase_and_withdrawals(registry, sold_usd, usd, creator, treasury):
    assert usd.balanceOf(registry) == registry.liabilities(usd) == USD_PRICE
    registry.withdraw(usd, {"from": creator})
    registry.withdrawFees(usd, {"from": treasury})
    assert usd.balanceOf(registry) == registry.liabilities(usd) == 0
