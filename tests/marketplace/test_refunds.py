"""Full refunds before shipping: the buyer cancels, the seller rejects, or the buyer reclaims
after the ship-by deadline. Each credits the buyer the whole amount and puts the units back."""
import brownie
import pytest

from tests.conftest import ETH, ETH_PRICE, USD_PRICE
from tests.marketplace.orders import (
    State,
    assert_event,
    next_block_at,
    place_order,
    ship,
    sleep_past,
)
from tests.reverts import custom_error

QUANTITY = 2


# ---------------------------------------------------------------- orders


@pytest.fixture
def order(market, eth_listing, buyer):
    """A paid ETH order for two units."""
    return place_order(market, eth_listing, buyer, QUANTITY)


@pytest.fixture
def usd_order(market, usd_listing, usd, buyer):
    """A paid USD order for two units."""
    return place_order(market, usd_listing, buyer, QUANTITY, usd)


@pytest.fixture
def overdue_order(market, order):
    """The ETH order, unshipped past its ship-by deadline."""
    sleep_past(market.getOrder(order)["deadline"])
    return order


# ---------------------------------------------------------------- cancelOrder


def test_cancel_sets_state_cancelled(market, order, buyer):
    market.cancelOrder(order, {"from": buyer})
    assert market.getOrder(order)["state"] == State.CANCELLED


def test_cancel_credits_buyer_in_full(market, order, buyer):
    market.cancelOrder(order, {"from": buyer})
    assert market.creditOf(buyer, ETH) == QUANTITY * ETH_PRICE


def test_cancel_takes_no_fee(market, order, buyer, seller, treasury):
    market.cancelOrder(order, {"from": buyer})
    assert market.creditOf(treasury, ETH) == 0
    assert market.creditOf(seller, ETH) == 0


def test_cancel_restores_stock(market, eth_listing, order, buyer):
    market.cancelOrder(order, {"from": buyer})
    assert market.getListing(eth_listing)["stock"] == 10


def test_cancel_clears_deadline(market, order, buyer):
    market.cancelOrder(order, {"from": buyer})
    assert market.getOrder(order)["deadline"] == 0


def test_cancel_keeps_refund_owed_in_liabilities(market, order, buyer):
    market.cancelOrder(order, {"from": buyer})
    assert market.liabilities(ETH) == QUANTITY * ETH_PRICE == market.balance()


def test_cancel_emits_order_cancelled(market, order, buyer):
    tx = market.cancelOrder(order, {"from": buyer})
    assert_event(tx, "OrderCancelled", {"orderId": order})


@pytest.mark.parametrize("caller", ["seller", "stranger"])
def test_cancel_by_anyone_but_buyer_is_refused(market, order, caller, request):
    account = request.getfixturevalue(caller)
    with brownie.reverts(custom_error("MarketplaceNotBuyer", order, account)):
        market.cancelOrder(order, {"from": account})


def test_cancel_after_shipping_is_refused(market, order, buyer):
    ship(market, order)
    with brownie.reverts(custom_error("MarketplaceInvalidOrderState", order, State.SHIPPED)):
        market.cancelOrder(order, {"from": buyer})


def test_cancel_twice_is_refused(market, order, buyer):
    market.cancelOrder(order, {"from": buyer})
    with brownie.reverts(custom_error("MarketplaceInvalidOrderState", order, State.CANCELLED)):
        market.cancelOrder(order, {"from": buyer})


# ---------------------------------------------------------------- rejectOrder


def test_reject_sets_state_rejected(market, order, seller):
    market.rejectOrder(order, {"from": seller})
    assert market.getOrder(order)["state"] == State.REJECTED


def test_reject_credits_buyer_in_full(market, order, buyer, seller):
    market.rejectOrder(order, {"from": seller})
    assert market.creditOf(buyer, ETH) == QUANTITY * ETH_PRICE


def test_reject_takes_no_fee(market, order, seller, treasury):
    market.rejectOrder(order, {"from": seller})
    assert market.creditOf(treasury, ETH) == 0
    assert market.creditOf(seller, ETH) == 0


def test_reject_restores_stock(market, eth_listing, order, seller):
    market.rejectOrder(order, {"from": seller})
    assert market.getListing(eth_listing)["stock"] == 10


def test_reject_clears_deadline(market, order, seller):
    market.rejectOrder(order, {"from": seller})
    assert market.getOrder(order)["deadline"] == 0


def test_reject_emits_order_rejected(market, order, seller):
    tx = market.rejectOrder(order, {"from": seller})
    assert_event(tx, "OrderRejected", {"orderId": order})


@pytest.mark.parametrize("caller", ["buyer", "other_seller", "stranger"])
def test_reject_by_anyone_but_seller_is_refused(market, order, caller, request):
    account = request.getfixturevalue(caller)
    with brownie.reverts(custom_error("MarketplaceNotSeller", order, account)):
        market.rejectOrder(order, {"from": account})


def test_reject_after_shipping_is_refused(market, order, seller):
    ship(market, order)
    with brownie.reverts(custom_error("MarketplaceInvalidOrderState", order, State.SHIPPED)):
        market.rejectOrder(order, {"from": seller})


def test_reject_after_cancel_is_refused(market, order, buyer, seller):
    market.cancelOrder(order, {"from": buyer})
    with brownie.reverts(custom_error("MarketplaceInvalidOrderState", order, State.CANCELLED)):
        market.rejectOrder(order, {"from": seller})


# ---------------------------------------------------------------- reclaimOrder


def test_reclaim_after_ship_by_deadline_sets_state_reclaimed(market, overdue_order, buyer):
    market.reclaimOrder(overdue_order, {"from": buyer})
    assert market.getOrder(overdue_order)["state"] == State.RECLAIMED


def test_reclaim_credits_buyer_in_full(market, overdue_order, buyer):
    market.reclaimOrder(overdue_order, {"from": buyer})
    assert market.creditOf(buyer, ETH) == QUANTITY * ETH_PRICE


def test_reclaim_takes_no_fee(market, overdue_order, buyer, seller, treasury):
    market.reclaimOrder(overdue_order, {"from": buyer})
    assert market.creditOf(treasury, ETH) == 0
    assert market.creditOf(seller, ETH) == 0


def test_reclaim_restores_stock(market, eth_listing, overdue_order, buyer):
    market.reclaimOrder(overdue_order, {"from": buyer})
    assert market.getListing(eth_listing)["stock"] == 10


def test_reclaim_clears_deadline(market, overdue_order, buyer):
    market.reclaimOrder(overdue_order, {"from": buyer})
    assert market.getOrder(overdue_order)["deadline"] == 0


def test_reclaim_emits_order_reclaimed(market, overdue_order, buyer):
    tx = market.reclaimOrder(overdue_order, {"from": buyer})
    assert_event(tx, "OrderReclaimed", {"orderId": overdue_order})


def test_reclaim_before_ship_by_deadline_is_refused(market, order, buyer):
    deadline = market.getOrder(order)["deadline"]
    with brownie.reverts(custom_error("MarketplaceDeadlineNotPassed", order, deadline)):
        market.reclaimOrder(order, {"from": buyer})


def test_reclaim_exactly_at_ship_by_deadline_is_refused(market, order, buyer):
    deadline = market.getOrder(order)["deadline"]
    next_block_at(deadline)
    with brownie.reverts(custom_error("MarketplaceDeadlineNotPassed", order, deadline)):
        market.reclaimOrder(order, {"from": buyer})
    assert brownie.history[-1].timestamp == deadline  # the refused transaction was mined at the deadline


def test_reclaim_one_second_after_ship_by_deadline_succeeds(market, order, buyer):
    deadline = market.getOrder(order)["deadline"]
    next_block_at(deadline + 1)
    tx = market.reclaimOrder(order, {"from": buyer})
    assert tx.timestamp == deadline + 1
    assert market.getOrder(order)["state"] == State.RECLAIMED


@pytest.mark.parametrize("caller", ["seller", "stranger"])
def test_reclaim_by_anyone_but_buyer_is_refused(market, overdue_order, caller, request):
    account = request.getfixturevalue(caller)
    with brownie.reverts(custom_error("MarketplaceNotBuyer", overdue_order, account)):
        market.reclaimOrder(overdue_order, {"from": account})


def test_reclaim_of_shipped_order_is_refused(market, order, buyer):
    ship(market, order)
    sleep_past(market.getOrder(order)["deadline"])
    with brownie.reverts(custom_error("MarketplaceInvalidOrderState", order, State.SHIPPED)):
        market.reclaimOrder(order, {"from": buyer})


def test_reclaim_after_cancel_is_refused(market, order, buyer):
    ship_by = market.getOrder(order)["deadline"]
    market.cancelOrder(order, {"from": buyer})
    sleep_past(ship_by)
    with brownie.reverts(custom_error("MarketplaceInvalidOrderState", order, State.CANCELLED)):
        market.reclaimOrder(order, {"from": buyer})


# ---------------------------------------------------------------- refunds in USD


def test_cancel_usd_order_credits_buyer_in_usd(market, usd, usd_order, buyer):
    market.cancelOrder(usd_order, {"from": buyer})
    assert market.creditOf(buyer, usd) == QUANTITY * USD_PRICE
    assert market.creditOf(buyer, ETH) == 0


def test_reject_usd_order_credits_buyer_in_usd(market, usd, usd_order, buyer, seller):
    market.rejectOrder(usd_order, {"from": seller})
    assert market.creditOf(buyer, usd) == QUANTITY * USD_PRICE


def test_reclaim_usd_order_credits_buyer_in_usd(market, usd, usd_order, buyer):
    sleep_past(market.getOrder(usd_order)["deadline"])
    market.reclaimOrder(usd_order, {"from": buyer})
    assert market.creditOf(buyer, usd) == QUANTITY * USD_PRICE


def test_usd_refund_restores_stock(market, usd_listing, usd_order, buyer):
    market.cancelOrder(usd_order, {"from": buyer})
    assert market.getListing(usd_listing)["stock"] == 10


def test_usd_refund_keeps_tokens_in_market_until_withdrawn(market, usd, usd_order, buyer):
    market.cancelOrder(usd_order, {"from": buyer})
    assert usd.balanceOf(market) == market.liabilities(usd) == QUANTITY * USD_PRICE


# ---------------------------------------------------------------- unknown orders


@pytest.mark.parametrize("action", ["cancelOrder", "rejectOrder", "reclaimOrder"])
def test_refund_of_unknown_order_is_refused(market, eth_listing, buyer, action):
    unknown = market.orderIdFor(buyer, eth_listing, 99)
    with brownie.reverts(custom_error("MarketplaceUnknownOrder", unknown)):
        getattr(market, action)(unknown, {"from": buyer})
