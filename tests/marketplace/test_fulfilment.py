"""The happy path: the seller ships, the buyer confirms receipt (or anyone releases the funds after
the confirm-by deadline), and the seller and the treasury are credited the amount and the fee."""
import brownie
import pytest

from tests.conftest import ETH, ETH_PRICE, FEE_BPS, USD, USD_PRICE
from tests.marketplace.orders import (
    TRACKING_REF,
    State,
    assert_event,
    confirm,
    dispute,
    fee_of,
    next_block_at,
    place_order,
    ship,
    sleep_past,
)
from tests.reverts import custom_error

CONFIRM_WINDOW = 14 * 24 * 3600  # DEFAULT_CONFIRM_WINDOW
ETH_FEE = fee_of(ETH_PRICE, FEE_BPS)


# ---------------------------------------------------------------- orders


@pytest.fixture
def order(market, eth_listing, buyer):
    """A paid ETH order for one unit."""
    return place_order(market, eth_listing, buyer)


@pytest.fixture
def shipped_order(market, order):
    ship(market, order)
    return order


@pytest.fixture
def expired_order(market, shipped_order):
    """A shipped ETH order past its confirm-by deadline."""
    sleep_past(market.getOrder(shipped_order)["deadline"])
    return shipped_order


# ---------------------------------------------------------------- shipOrder


def test_ship_sets_state_shipped(market, order, seller):
    market.shipOrder(order, TRACKING_REF, {"from": seller})
    assert market.getOrder(order)["state"] == State.SHIPPED


def test_ship_emits_tracking_ref_and_confirm_by(market, order, seller):
    tx = market.shipOrder(order, TRACKING_REF, {"from": seller})
    assert_event(
        tx,
        "OrderShipped",
        {"orderId": order, "trackingRef": TRACKING_REF, "confirmBy": tx.timestamp + CONFIRM_WINDOW},
    )


def test_ship_sets_deadline_to_confirm_by(market, order, seller):
    tx = market.shipOrder(order, TRACKING_REF, {"from": seller})
    assert market.getOrder(order)["deadline"] == tx.timestamp + CONFIRM_WINDOW


def test_ship_keeps_funds_in_escrow(market, order, seller):
    market.shipOrder(order, TRACKING_REF, {"from": seller})
    assert market.creditOf(seller, ETH) == 0
    assert market.liabilities(ETH) == ETH_PRICE == market.balance()


@pytest.mark.parametrize("caller", ["buyer", "other_seller", "stranger"])
def test_ship_by_anyone_but_seller_is_refused(market, order, caller, request):
    account = request.getfixturevalue(caller)
    with brownie.reverts(custom_error("MarketplaceNotSeller", order, account)):
        market.shipOrder(order, TRACKING_REF, {"from": account})


def test_ship_twice_is_refused(market, shipped_order, seller):
    with brownie.reverts(custom_error("MarketplaceInvalidOrderState", shipped_order, State.SHIPPED)):
        market.shipOrder(shipped_order, TRACKING_REF, {"from": seller})


def test_ship_cancelled_order_is_refused(market, order, buyer, seller):
    market.cancelOrder(order, {"from": buyer})
    with brownie.reverts(custom_error("MarketplaceInvalidOrderState", order, State.CANCELLED)):
        market.shipOrder(order, TRACKING_REF, {"from": seller})


def test_ship_unknown_order_is_refused(market, eth_listing, buyer, seller):
    unknown = market.orderIdFor(buyer, eth_listing, 99)
    with brownie.reverts(custom_error("MarketplaceUnknownOrder", unknown)):
        market.shipOrder(unknown, TRACKING_REF, {"from": seller})


# ---------------------------------------------------------------- confirmReceipt


def test_confirm_sets_state_completed(market, shipped_order, buyer):
    market.confirmReceipt(shipped_order, {"from": buyer})
    assert market.getOrder(shipped_order)["state"] == State.COMPLETED


def test_confirm_credits_seller_price_minus_fee(market, shipped_order, buyer, seller):
    market.confirmReceipt(shipped_order, {"from": buyer})
    assert market.creditOf(seller, ETH) == ETH_PRICE - ETH_FEE


def test_confirm_credits_treasury_the_fee(market, shipped_order, buyer, treasury):
    market.confirmReceipt(shipped_order, {"from": buyer})
    assert market.creditOf(treasury, ETH) == ETH_FEE == ETH_PRICE * 250 // 10_000


def test_confirm_credits_buyer_nothing(market, shipped_order, buyer):
    market.confirmReceipt(shipped_order, {"from": buyer})
    assert market.creditOf(buyer, ETH) == 0


def test_confirm_clears_deadline(market, shipped_order, buyer):
    market.confirmReceipt(shipped_order, {"from": buyer})
    assert market.getOrder(shipped_order)["deadline"] == 0


def test_confirm_emits_order_completed_released_by_buyer(market, shipped_order, buyer):
    tx = market.confirmReceipt(shipped_order, {"from": buyer})
    assert_event(
        tx,
        "OrderCompleted",
        {"orderId": shipped_order, "releasedBy": buyer, "sellerAmount": ETH_PRICE - ETH_FEE, "fee": ETH_FEE},
    )


def test_confirm_rounds_fee_down(market, seller, buyer, treasury):
    price = 12_345  # 12_345 * 250 / 10_000 = 308.625
    listing = market.list(price, ETH, 1, 0, 0, "bafkreiodd", {"from": seller}).events["Listed"]["listingId"]
    order = place_order(market, listing, buyer)
    ship(market, order)
    market.confirmReceipt(order, {"from": buyer})
    assert market.creditOf(treasury, ETH) == 308
    assert market.creditOf(seller, ETH) == price - 308


@pytest.mark.parametrize("caller", ["seller", "stranger"])
def test_confirm_by_anyone_but_buyer_is_refused(market, shipped_order, caller, request):
    account = request.getfixturevalue(caller)
    with brownie.reverts(custom_error("MarketplaceNotBuyer", shipped_order, account)):
        market.confirmReceipt(shipped_order, {"from": account})


def test_confirm_before_shipping_is_refused(market, order, buyer):
    with brownie.reverts(custom_error("MarketplaceInvalidOrderState", order, State.PAID)):
        market.confirmReceipt(order, {"from": buyer})


def test_confirm_twice_is_refused(market, shipped_order, buyer):
    market.confirmReceipt(shipped_order, {"from": buyer})
    with brownie.reverts(custom_error("MarketplaceInvalidOrderState", shipped_order, State.COMPLETED)):
        market.confirmReceipt(shipped_order, {"from": buyer})


def test_confirm_after_confirm_by_deadline_still_completes(market, expired_order, buyer):
    market.confirmReceipt(expired_order, {"from": buyer})
    assert market.getOrder(expired_order)["state"] == State.COMPLETED


# ---------------------------------------------------------------- releaseExpired


def test_release_after_confirm_by_deadline_completes_order(market, expired_order, stranger):
    market.releaseExpired(expired_order, {"from": stranger})
    assert market.getOrder(expired_order)["state"] == State.COMPLETED


def test_release_credits_seller_and_treasury(market, expired_order, stranger, seller, treasury):
    market.releaseExpired(expired_order, {"from": stranger})
    assert market.creditOf(seller, ETH) == ETH_PRICE - ETH_FEE
    assert market.creditOf(treasury, ETH) == ETH_FEE


def test_release_credits_the_releaser_nothing(market, expired_order, stranger):
    market.releaseExpired(expired_order, {"from": stranger})
    assert market.creditOf(stranger, ETH) == 0


def test_release_emits_order_completed_released_by_stranger(market, expired_order, stranger):
    tx = market.releaseExpired(expired_order, {"from": stranger})
    assert_event(
        tx,
        "OrderCompleted",
        {"orderId": expired_order, "releasedBy": stranger, "sellerAmount": ETH_PRICE - ETH_FEE, "fee": ETH_FEE},
    )


def test_release_before_confirm_by_deadline_is_refused(market, shipped_order, stranger):
    confirm_by = market.getOrder(shipped_order)["deadline"]
    with brownie.reverts(custom_error("MarketplaceDeadlineNotPassed", shipped_order, confirm_by)):
        market.releaseExpired(shipped_order, {"from": stranger})


def test_release_exactly_at_confirm_by_deadline_is_refused(market, shipped_order, stranger):
    confirm_by = market.getOrder(shipped_order)["deadline"]
    next_block_at(confirm_by)
    with brownie.reverts(custom_error("MarketplaceDeadlineNotPassed", shipped_order, confirm_by)):
        market.releaseExpired(shipped_order, {"from": stranger})
    assert brownie.history[-1].timestamp == confirm_by  # the refused transaction was mined at the deadline


def test_release_one_second_after_confirm_by_deadline_succeeds(market, shipped_order, stranger):
    confirm_by = market.getOrder(shipped_order)["deadline"]
    next_block_at(confirm_by + 1)
    market.releaseExpired(shipped_order, {"from": stranger})
    assert market.getOrder(shipped_order)["state"] == State.COMPLETED


def test_release_while_disputed_is_refused(market, shipped_order, stranger):
    dispute(market, shipped_order)
    sleep_past(market.getOrder(shipped_order)["deadline"])
    with brownie.reverts(custom_error("MarketplaceInvalidOrderState", shipped_order, State.DISPUTED)):
        market.releaseExpired(shipped_order, {"from": stranger})


def test_release_of_unshipped_order_is_refused(market, order, stranger):
    sleep_past(market.getOrder(order)["deadline"])
    with brownie.reverts(custom_error("MarketplaceInvalidOrderState", order, State.PAID)):
        market.releaseExpired(order, {"from": stranger})


def test_release_of_completed_order_is_refused(market, expired_order, buyer, stranger):
    market.confirmReceipt(expired_order, {"from": buyer})
    with brownie.reverts(custom_error("MarketplaceInvalidOrderState", expired_order, State.COMPLETED)):
        market.releaseExpired(expired_order, {"from": stranger})


def test_release_of_unknown_order_is_refused(market, eth_listing, buyer, stranger):
    unknown = market.orderIdFor(buyer, eth_listing, 99)
    with brownie.reverts(custom_error("MarketplaceUnknownOrder", unknown)):
        market.releaseExpired(unknown, {"from": stranger})


# ---------------------------------------------------------------- fee and treasury


def test_fee_change_after_purchase_keeps_the_order_fee(market, order, admin, buyer, treasury):
    market.setFee(1_000, {"from": admin})
    ship(market, order)
    market.confirmReceipt(order, {"from": buyer})
    assert market.getOrder(order)["feeBps"] == FEE_BPS
    assert market.creditOf(treasury, ETH) == ETH_FEE


def test_fee_change_before_purchase_applies_to_the_order(market, eth_listing, admin, buyer, seller, treasury):
    market.setFee(1_000, {"from": admin})
    order = place_order(market, eth_listing, buyer)
    ship(market, order)
    market.confirmReceipt(order, {"from": buyer})
    assert market.creditOf(treasury, ETH) == ETH_PRICE // 10
    assert market.creditOf(seller, ETH) == ETH_PRICE - ETH_PRICE // 10


def test_treasury_at_release_time_receives_the_fee(market, shipped_order, admin, buyer, treasury, relayer):
    market.setTreasury(relayer, {"from": admin})
    market.confirmReceipt(shipped_order, {"from": buyer})
    assert market.creditOf(relayer, ETH) == ETH_FEE
    assert market.creditOf(treasury, ETH) == 0


# ---------------------------------------------------------------- suspended sellers


def test_suspended_seller_can_still_ship(market, order, admin, seller):
    market.suspendSeller(seller, {"from": admin})
    market.shipOrder(order, TRACKING_REF, {"from": seller})
    assert market.getOrder(order)["state"] == State.SHIPPED


def test_suspended_seller_still_gets_paid(market, order, admin, buyer, seller):
    market.suspendSeller(seller, {"from": admin})
    ship(market, order)
    market.confirmReceipt(order, {"from": buyer})
    assert market.creditOf(seller, ETH) == ETH_PRICE - ETH_FEE


def test_suspended_seller_can_withdraw_earnings(market, shipped_order, admin, buyer, seller):
    market.suspendSeller(seller, {"from": admin})
    market.confirmReceipt(shipped_order, {"from": buyer})
    tx = market.withdraw(ETH, {"from": seller})
    assert tx.events["Withdrawn"]["amount"] == ETH_PRICE - ETH_FEE
    assert market.creditOf(seller, ETH) == 0


# ---------------------------------------------------------------- short windows (digital goods)


@pytest.fixture
def digital_listing(market, seller):
    window = market.MIN_WINDOW()
    tx = market.list(ETH_PRICE, ETH, 5, window, window, "bafkreidigital", {"from": seller})
    return tx.events["Listed"]["listingId"]


def test_short_window_order_must_ship_within_the_window(market, digital_listing, buyer):
    order = place_order(market, digital_listing, buyer)
    placed_at = brownie.chain[-1].timestamp
    assert market.getOrder(order)["deadline"] == placed_at + market.MIN_WINDOW()


def test_short_window_order_confirm_by_is_one_window_after_shipping(market, digital_listing, buyer, seller):
    order = place_order(market, digital_listing, buyer)
    tx = market.shipOrder(order, "download-link-sent", {"from": seller})
    assert tx.events["OrderShipped"]["confirmBy"] == tx.timestamp + market.MIN_WINDOW()


def test_short_window_order_runs_end_to_end(market, digital_listing, buyer, seller, treasury, stranger):
    order = place_order(market, digital_listing, buyer)
    ship(market, order, "download-link-sent")
    sleep_past(market.getOrder(order)["deadline"])
    market.releaseExpired(order, {"from": stranger})
    assert market.getOrder(order)["state"] == State.COMPLETED
    assert market.creditOf(seller, ETH) == ETH_PRICE - ETH_FEE
    assert market.creditOf(treasury, ETH) == ETH_FEE


def test_short_window_order_is_reclaimable_after_one_window(market, digital_listing, buyer):
    order = place_order(market, digital_listing, buyer)
    sleep_past(market.getOrder(order)["deadline"])
    market.reclaimOrder(order, {"from": buyer})
    assert market.creditOf(buyer, ETH) == ETH_PRICE


# ---------------------------------------------------------------- USD (6 decimals)


def test_usd_order_full_lifecycle(market, usd, usd_listing, buyer, seller, treasury):
    quantity = 3
    amount = quantity * USD_PRICE  # 75 USD
    fee = fee_of(amount, FEE_BPS)  # 1.875 USD
    buyer_before = usd.balanceOf(buyer)

    order = place_order(market, usd_listing, buyer, quantity, usd)
    assert usd.balanceOf(market) == amount
    assert usd.balanceOf(buyer) == buyer_before - amount

    ship(market, order)
    tx = confirm(market, order)
    assert tx.events["OrderCompleted"]["sellerAmount"] == amount - fee == 73_125_000
    assert market.creditOf(seller, usd) == amount - fee
    assert market.creditOf(treasury, usd) == fee == 1_875_000

    market.withdraw(usd, {"from": seller})
    market.withdraw(usd, {"from": treasury})
    assert usd.balanceOf(seller) == amount - fee
    assert usd.balanceOf(treasury) == fee
    assert usd.balanceOf(market) == market.liabilities(usd) == 0


def test_usd_order_release_expired_credits_usd_only(market, usd, usd_listing, buyer, seller, stranger):
    order = place_order(market, usd_listing, buyer, 1, usd)
    ship(market, order)
    sleep_past(market.getOrder(order)["deadline"])
    market.releaseExpired(order, {"from": stranger})
    assert market.creditOf(seller, usd) == USD_PRICE - fee_of(USD_PRICE, FEE_BPS)
    assert market.creditOf(seller, ETH) == 0


def test_usd_fee_rounds_down_at_six_decimals(market, usd, seller, buyer, treasury):
    price = 1 * USD + 7  # fee = 1_000_007 * 250 // 10_000 = 25_000 (25_000.175)
    listing = market.list(price, usd, 1, 0, 0, "bafkreiusdodd", {"from": seller}).events["Listed"]["listingId"]
    order = place_order(market, listing, buyer, 1, usd)
    ship(market, order)
    confirm(market, order)
    assert market.creditOf(treasury, usd) == 25_000
    assert market.creditOf(seller, usd) == price - 25_000
