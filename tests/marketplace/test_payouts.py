"""Pull payments: credits accumulate per (account, asset) and leave only through `withdraw` or
`withdrawTo`; re-entry and contracts that refuse ETH strand nothing; only the surplus above
what the market owes can be swept."""
import brownie
import pytest
from brownie import EtherRejecter, ReentrantSeller

from tests.conftest import ETH, ETH_PRICE, FEE_BPS, USD, USD_PRICE
from tests.marketplace.orders import assert_event, complete, fee_of, place_order, unauthorized
from tests.reverts import custom_error

ETH_EARNED = ETH_PRICE - fee_of(ETH_PRICE, FEE_BPS)
USD_EARNED = USD_PRICE - fee_of(USD_PRICE, FEE_BPS)
ZERO_ADDRESS_ERROR = "MarketplaceZeroAddress: "  # how Brownie renders an error without arguments
DEFAULT_ADMIN_ROLE = "0x" + "00" * 32


def gas_cost(tx):
    return tx.gas_used * tx.gas_price


# ---------------------------------------------------------------- credits


@pytest.fixture
def eth_earnings(market, eth_listing, buyer):
    """The seller has earned one ETH sale."""
    complete(market, eth_listing, buyer)
    return ETH_EARNED


@pytest.fixture
def usd_earnings(market, usd, usd_listing, buyer):
    """The seller has earned one USD sale."""
    complete(market, usd_listing, buyer, 1, usd)
    return USD_EARNED


# ---------------------------------------------------------------- withdraw ETH


def test_withdraw_eth_pays_the_seller(market, eth_earnings, seller):
    before = seller.balance()
    tx = market.withdraw(ETH, {"from": seller})
    assert seller.balance() == before + eth_earnings - gas_cost(tx)


def test_withdraw_eth_takes_it_from_the_market(market, eth_earnings, seller):
    before = market.balance()
    market.withdraw(ETH, {"from": seller})
    assert market.balance() == before - eth_earnings


def test_withdraw_eth_emits_withdrawn(market, eth_earnings, seller):
    tx = market.withdraw(ETH, {"from": seller})
    assert_event(tx, "Withdrawn", {"account": seller, "asset": ETH, "to": seller, "amount": eth_earnings})


def test_withdraw_returns_the_amount(market, eth_earnings, seller):
    assert market.withdraw.call(ETH, {"from": seller}) == eth_earnings


def test_withdraw_eth_zeroes_the_credit(market, eth_earnings, seller):
    market.withdraw(ETH, {"from": seller})
    assert market.creditOf(seller, ETH) == 0


def test_withdraw_eth_lowers_liabilities(market, eth_earnings, seller):
    before = market.liabilities(ETH)
    market.withdraw(ETH, {"from": seller})
    assert market.liabilities(ETH) == before - eth_earnings == market.balance()


def test_withdraw_leaves_other_credits_alone(market, eth_earnings, seller, treasury):
    market.withdraw(ETH, {"from": seller})
    assert market.creditOf(treasury, ETH) == fee_of(ETH_PRICE, FEE_BPS)


# ---------------------------------------------------------------- withdraw USD


def test_withdraw_usd_pays_the_seller(market, usd, usd_earnings, seller):
    market.withdraw(usd, {"from": seller})
    assert usd.balanceOf(seller) == usd_earnings


def test_withdraw_usd_takes_it_from_the_market(market, usd, usd_earnings, seller):
    before = usd.balanceOf(market)
    market.withdraw(usd, {"from": seller})
    assert usd.balanceOf(market) == before - usd_earnings


def test_withdraw_usd_emits_withdrawn(market, usd, usd_earnings, seller):
    tx = market.withdraw(usd, {"from": seller})
    assert_event(tx, "Withdrawn", {"account": seller, "asset": usd, "to": seller, "amount": usd_earnings})


def test_withdraw_usd_zeroes_the_credit(market, usd, usd_earnings, seller):
    market.withdraw(usd, {"from": seller})
    assert market.creditOf(seller, usd) == 0


def test_withdraw_usd_lowers_liabilities(market, usd, usd_earnings, seller):
    before = market.liabilities(usd)
    market.withdraw(usd, {"from": seller})
    assert market.liabilities(usd) == before - usd_earnings == usd.balanceOf(market)


def test_withdraw_usd_still_works_after_usd_is_disallowed(market, usd, usd_earnings, admin, seller):
    market.setAssetAllowed(usd, False, {"from": admin})
    market.withdraw(usd, {"from": seller})
    assert usd.balanceOf(seller) == usd_earnings


# ---------------------------------------------------------------- nothing to withdraw


def test_withdraw_without_credit_is_refused(market, stranger):
    with brownie.reverts(custom_error("MarketplaceNothingToWithdraw", stranger, ETH)):
        market.withdraw(ETH, {"from": stranger})


def test_withdraw_twice_is_refused(market, eth_earnings, seller):
    market.withdraw(ETH, {"from": seller})
    with brownie.reverts(custom_error("MarketplaceNothingToWithdraw", seller, ETH)):
        market.withdraw(ETH, {"from": seller})


def test_withdraw_of_another_asset_is_refused(market, usd, eth_earnings, seller):
    with brownie.reverts(custom_error("MarketplaceNothingToWithdraw", seller, usd)):
        market.withdraw(usd, {"from": seller})


def test_withdraw_to_without_credit_is_refused(market, stranger, relayer):
    with brownie.reverts(custom_error("MarketplaceNothingToWithdraw", stranger, ETH)):
        market.withdrawTo(ETH, relayer, {"from": stranger})


# ---------------------------------------------------------------- withdrawTo


def test_withdraw_to_pays_the_other_address(market, eth_earnings, seller, relayer):
    before = relayer.balance()
    market.withdrawTo(ETH, relayer, {"from": seller})
    assert relayer.balance() == before + eth_earnings


def test_withdraw_to_zeroes_the_callers_credit(market, eth_earnings, seller, relayer):
    market.withdrawTo(ETH, relayer, {"from": seller})
    assert market.creditOf(seller, ETH) == 0
    assert market.creditOf(relayer, ETH) == 0


def test_withdraw_to_emits_withdrawn_with_the_recipient(market, eth_earnings, seller, relayer):
    tx = market.withdrawTo(ETH, relayer, {"from": seller})
    assert_event(tx, "Withdrawn", {"account": seller, "asset": ETH, "to": relayer, "amount": eth_earnings})


def test_withdraw_to_pays_usd_to_the_other_address(market, usd, usd_earnings, seller, relayer):
    market.withdrawTo(usd, relayer, {"from": seller})
    assert usd.balanceOf(relayer) == usd_earnings
    assert usd.balanceOf(seller) == 0


def test_withdraw_to_zero_address_is_refused(market, eth_earnings, seller):
    with brownie.reverts(ZERO_ADDRESS_ERROR):
        market.withdrawTo(ETH, ETH, {"from": seller})


# ---------------------------------------------------------------- accumulating and reusing credits


def test_crediting_twice_accumulates(market, eth_listing, buyer, stranger, seller):
    complete(market, eth_listing, buyer)
    complete(market, eth_listing, stranger)
    assert market.creditOf(seller, ETH) == 2 * ETH_EARNED


def test_refunds_accumulate_across_orders(market, eth_listing, buyer):
    first = place_order(market, eth_listing, buyer, 1)
    second = place_order(market, eth_listing, buyer, 3)
    market.cancelOrder(first, {"from": buyer})
    market.cancelOrder(second, {"from": buyer})
    assert market.creditOf(buyer, ETH) == 4 * ETH_PRICE


def test_credit_after_withdrawal_counts_only_the_new_credit(market, eth_listing, eth_earnings, buyer, seller):
    market.withdraw(ETH, {"from": seller})
    complete(market, eth_listing, buyer, 2)
    assert market.creditOf(seller, ETH) == 2 * ETH_PRICE - fee_of(2 * ETH_PRICE, FEE_BPS)


def test_second_withdrawal_pays_only_the_new_credit(market, eth_listing, eth_earnings, buyer, seller):
    market.withdraw(ETH, {"from": seller})
    complete(market, eth_listing, buyer, 2)
    tx = market.withdraw(ETH, {"from": seller})
    assert tx.events["Withdrawn"]["amount"] == 2 * ETH_PRICE - fee_of(2 * ETH_PRICE, FEE_BPS)
    assert market.balance() == market.liabilities(ETH)


def test_credit_of_an_account_never_credited_is_zero(market, usd, stranger):
    assert market.creditOf(stranger, ETH) == market.creditOf(stranger, usd) == 0


def test_credit_of_an_approved_seller_without_sales_is_zero(market, seller):
    assert market.creditOf(seller, ETH) == 0


# ---------------------------------------------------------------- a seller that re-enters withdraw


@pytest.fixture
def attacker(market, admin, buyer, stranger, eth_listing):
    """A seller contract owed one sale, while another buyer's payment sits in escrow."""
    attacker = ReentrantSeller.deploy(market, {"from": admin})
    market.approveSeller(attacker, {"from": admin})
    listing = attacker.list(ETH_PRICE, 5, {"from": admin}).events["Listed"]["listingId"]
    order = place_order(market, listing, buyer)
    attacker.ship(order, {"from": admin})
    market.confirmReceipt(order, {"from": buyer})
    place_order(market, eth_listing, stranger)  # escrow a re-entry could try to drain
    return attacker


def test_reentrant_seller_receives_its_credit_exactly_once(market, attacker, admin):
    market_before = market.balance()
    attacker.withdraw({"from": admin})
    assert attacker.balance() == ETH_EARNED
    assert market.balance() == market_before - ETH_EARNED


def test_reentrant_seller_reentry_fails(market, attacker, admin):
    attacker.withdraw({"from": admin})
    assert attacker.reentryAttempts() > 0
    assert attacker.reentrySucceeded() is False


def test_reentrant_withdraw_emits_one_withdrawn(market, attacker, admin):
    tx = attacker.withdraw({"from": admin})
    assert_event(tx, "Withdrawn", {"account": attacker, "asset": ETH, "to": attacker, "amount": ETH_EARNED})


def test_reentrant_withdraw_keeps_balance_equal_to_liabilities(market, attacker, admin):
    attacker.withdraw({"from": admin})
    assert market.creditOf(attacker, ETH) == 0
    assert market.balance() == market.liabilities(ETH) == ETH_PRICE + fee_of(ETH_PRICE, FEE_BPS)


# ---------------------------------------------------------------- a buyer that cannot receive ETH


@pytest.fixture
def rejecter(market, eth_listing, stranger):
    """A buyer contract without `receive`, owed the refund of a cancelled order."""
    rejecter = EtherRejecter.deploy(market, {"from": stranger})
    tx = rejecter.buy(eth_listing, 1, {"from": stranger, "value": ETH_PRICE})
    rejecter.cancel(tx.events["OrderPlaced"]["orderId"], {"from": stranger})
    return rejecter


def test_rejecter_is_credited_its_refund(market, rejecter):
    assert market.creditOf(rejecter, ETH) == ETH_PRICE


def test_rejecter_cannot_withdraw_to_itself(market, rejecter, stranger):
    with brownie.reverts(custom_error("MarketplaceEthTransferFailed", rejecter, ETH_PRICE)):
        rejecter.withdraw({"from": stranger})


def test_rejecter_failed_withdraw_keeps_its_credit(market, rejecter, stranger):
    with brownie.reverts(custom_error("MarketplaceEthTransferFailed", rejecter, ETH_PRICE)):
        rejecter.withdraw({"from": stranger})
    assert market.creditOf(rejecter, ETH) == ETH_PRICE == market.liabilities(ETH)


def test_rejecter_withdraw_to_delivers_the_refund(market, rejecter, stranger, relayer):
    before = relayer.balance()
    rejecter.withdrawTo(relayer, {"from": stranger})
    assert relayer.balance() == before + ETH_PRICE


def test_rejecter_withdraw_to_strands_nothing(market, rejecter, stranger, relayer):
    rejecter.withdrawTo(relayer, {"from": stranger})
    assert market.creditOf(rejecter, ETH) == 0
    assert market.balance() == market.liabilities(ETH) == 0


# ---------------------------------------------------------------- sweepSurplus

SURPLUS = 100 * USD


@pytest.fixture
def surplus(market, usd, usd_listing, buyer, seller):
    """100 USD sent straight to the market, beside an open order and a refund credit."""
    place_order(market, usd_listing, buyer, 1, usd)
    refunded = place_order(market, usd_listing, buyer, 2, usd)
    market.rejectOrder(refunded, {"from": seller})
    usd.transfer(market, SURPLUS, {"from": buyer})
    return SURPLUS


def test_sweep_sends_only_the_surplus(market, usd, surplus, admin, relayer):
    market.sweepSurplus(usd, relayer, {"from": admin})
    assert usd.balanceOf(relayer) == surplus


def test_sweep_returns_the_amount(market, usd, surplus, admin, relayer):
    assert market.sweepSurplus.call(usd, relayer, {"from": admin}) == surplus


def test_sweep_emits_surplus_swept(market, usd, surplus, admin, relayer):
    tx = market.sweepSurplus(usd, relayer, {"from": admin})
    assert_event(tx, "SurplusSwept", {"asset": usd, "to": relayer, "amount": surplus})


def test_sweep_leaves_balance_equal_to_liabilities(market, usd, surplus, admin, relayer):
    market.sweepSurplus(usd, relayer, {"from": admin})
    assert usd.balanceOf(market) == market.liabilities(usd) == 3 * USD_PRICE


def test_sweep_leaves_credits_withdrawable(market, usd, surplus, admin, buyer, relayer):
    market.sweepSurplus(usd, relayer, {"from": admin})
    market.withdraw(usd, {"from": buyer})
    assert market.creditOf(buyer, usd) == 0
    assert usd.balanceOf(market) == market.liabilities(usd) == USD_PRICE


def test_sweep_twice_is_refused(market, usd, surplus, admin, relayer):
    market.sweepSurplus(usd, relayer, {"from": admin})
    with brownie.reverts(custom_error("MarketplaceNothingToWithdraw", market, usd)):
        market.sweepSurplus(usd, relayer, {"from": admin})


def test_sweep_without_surplus_is_refused(market, usd, usd_listing, buyer, admin, relayer):
    place_order(market, usd_listing, buyer, 1, usd)
    with brownie.reverts(custom_error("MarketplaceNothingToWithdraw", market, usd)):
        market.sweepSurplus(usd, relayer, {"from": admin})


def test_sweep_of_eth_without_surplus_is_refused(market, eth_earnings, admin, relayer):
    with brownie.reverts(custom_error("MarketplaceNothingToWithdraw", market, ETH)):
        market.sweepSurplus(ETH, relayer, {"from": admin})


@pytest.mark.parametrize("caller", ["treasury", "arbiter", "stranger"])
def test_sweep_by_non_admin_is_refused(market, usd, surplus, caller, request):
    account = request.getfixturevalue(caller)
    with brownie.reverts(unauthorized(account, DEFAULT_ADMIN_ROLE)):
        market.sweepSurplus(usd, account, {"from": account})


def test_sweep_to_zero_address_is_refused(market, usd, surplus, admin):
    with brownie.reverts(ZERO_ADDRESS_ERROR):
        market.sweepSurplus(usd, ETH, {"from": admin})
