"""Reviews: the buyer of a completed, settled or resolved order rates the seller once, 1 to 5."""
import brownie
import pytest

from tests.conftest import ETH_PRICE
from tests.marketplace.orders import State, assert_event, complete, dispute, place_order, ship
from tests.reverts import custom_error

REVIEW_CID = "bafkreireview"


# ---------------------------------------------------------------- orders


@pytest.fixture
def completed_order(market, eth_listing, buyer):
    return complete(market, eth_listing, buyer)


@pytest.fixture
def settled_order(market, eth_listing, buyer, seller):
    order = place_order(market, eth_listing, buyer)
    ship(market, order)
    dispute(market, order)
    market.offerSettlement(order, ETH_PRICE // 2, {"from": seller})
    market.acceptSettlement(order, {"from": buyer})
    return order


@pytest.fixture
def resolved_order(market, eth_listing, buyer, arbiter):
    order = place_order(market, eth_listing, buyer)
    ship(market, order)
    dispute(market, order)
    market.resolveDispute(order, 5000, {"from": arbiter})
    return order


@pytest.fixture(params=["completed_order", "settled_order", "resolved_order"])
def finished_order(request, market, eth_listing, buyer, seller, arbiter):
    """An order in each state that can be reviewed.

    It names the module-scoped fixtures the orders need, so they exist before this test's
    snapshot is taken rather than being created (and reverted) inside it.
    """
    return request.getfixturevalue(request.param)


# ---------------------------------------------------------------- reviewing


def test_review_emits_reviewed(market, finished_order, buyer, seller):
    tx = market.review(finished_order, 4, REVIEW_CID, {"from": buyer})
    assert_event(
        tx, "Reviewed", {"orderId": finished_order, "seller": seller, "rating": 4, "reviewCid": REVIEW_CID}
    )


def test_review_marks_order_reviewed(market, finished_order, buyer):
    market.review(finished_order, 4, REVIEW_CID, {"from": buyer})
    assert market.getOrder(finished_order)["reviewed"] is True


def test_unreviewed_order_is_not_marked_reviewed(market, finished_order):
    assert market.getOrder(finished_order)["reviewed"] is False


def test_review_adds_rating_to_seller(market, finished_order, buyer, seller):
    market.review(finished_order, 4, REVIEW_CID, {"from": buyer})
    profile = market.getSeller(seller)
    assert (profile["ratingCount"], profile["ratingSum"]) == (1, 4)


def test_reviews_accumulate_on_the_seller(market, eth_listing, buyer, stranger, seller):
    first = complete(market, eth_listing, buyer)
    second = complete(market, eth_listing, stranger)
    market.review(first, 5, REVIEW_CID, {"from": buyer})
    market.review(second, 2, REVIEW_CID, {"from": stranger})
    profile = market.getSeller(seller)
    assert (profile["ratingCount"], profile["ratingSum"]) == (2, 7)


def test_review_leaves_other_sellers_unrated(market, completed_order, buyer, other_seller):
    market.review(completed_order, 5, REVIEW_CID, {"from": buyer})
    profile = market.getSeller(other_seller)
    assert (profile["ratingCount"], profile["ratingSum"]) == (0, 0)


@pytest.mark.parametrize("rating", [1, 5])
def test_review_accepts_boundary_ratings(market, completed_order, buyer, seller, rating):
    market.review(completed_order, rating, REVIEW_CID, {"from": buyer})
    assert market.getSeller(seller)["ratingSum"] == rating


def test_second_review_is_refused(market, finished_order, buyer):
    market.review(finished_order, 4, REVIEW_CID, {"from": buyer})
    with brownie.reverts(custom_error("MarketplaceAlreadyReviewed", finished_order)):
        market.review(finished_order, 1, REVIEW_CID, {"from": buyer})


@pytest.mark.parametrize("rating", [0, 6])
def test_rating_outside_one_to_five_is_refused(market, completed_order, buyer, rating):
    with brownie.reverts(custom_error("MarketplaceInvalidRating", rating)):
        market.review(completed_order, rating, REVIEW_CID, {"from": buyer})


@pytest.mark.parametrize("caller", ["seller", "stranger"])
def test_review_by_anyone_but_buyer_is_refused(market, completed_order, caller, request):
    account = request.getfixturevalue(caller)
    with brownie.reverts(custom_error("MarketplaceNotBuyer", completed_order, account)):
        market.review(completed_order, 5, REVIEW_CID, {"from": account})


# ---------------------------------------------------------------- orders that cannot be reviewed


def test_review_of_paid_order_is_refused(market, eth_listing, buyer):
    order = place_order(market, eth_listing, buyer)
    with brownie.reverts(custom_error("MarketplaceInvalidOrderState", order, State.PAID)):
        market.review(order, 5, REVIEW_CID, {"from": buyer})


def test_review_of_shipped_order_is_refused(market, eth_listing, buyer):
    order = place_order(market, eth_listing, buyer)
    ship(market, order)
    with brownie.reverts(custom_error("MarketplaceInvalidOrderState", order, State.SHIPPED)):
        market.review(order, 5, REVIEW_CID, {"from": buyer})


def test_review_of_disputed_order_is_refused(market, eth_listing, buyer):
    order = place_order(market, eth_listing, buyer)
    ship(market, order)
    dispute(market, order)
    with brownie.reverts(custom_error("MarketplaceInvalidOrderState", order, State.DISPUTED)):
        market.review(order, 1, REVIEW_CID, {"from": buyer})


def test_review_of_cancelled_order_is_refused(market, eth_listing, buyer):
    order = place_order(market, eth_listing, buyer)
    market.cancelOrder(order, {"from": buyer})
    with brownie.reverts(custom_error("MarketplaceInvalidOrderState", order, State.CANCELLED)):
        market.review(order, 5, REVIEW_CID, {"from": buyer})


def test_review_of_rejected_order_is_refused(market, eth_listing, buyer, seller):
    order = place_order(market, eth_listing, buyer)
    market.rejectOrder(order, {"from": seller})
    with brownie.reverts(custom_error("MarketplaceInvalidOrderState", order, State.REJECTED)):
        market.review(order, 1, REVIEW_CID, {"from": buyer})


def test_review_of_unknown_order_is_refused(market, eth_listing, buyer):
    unknown = market.orderIdFor(buyer, eth_listing, 99)
    with brownie.reverts(custom_error("MarketplaceUnknownOrder", unknown)):
        market.review(unknown, 5, REVIEW_CID, {"from": buyer})
