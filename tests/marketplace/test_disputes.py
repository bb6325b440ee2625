"""Disputes on shipped orders: opening one, evidence, the seller's settlement offer, the arbiter's
split, and the buyer ending a dispute by confirming receipt."""
import brownie
import pytest

from tests.conftest import ETH, ETH_PRICE, FEE_BPS, USD_PRICE
from tests.marketplace.orders import (
    EVIDENCE_CID,
    State,
    assert_event,
    dispute,
    fee_of,
    next_block_at,
    place_order,
    ship,
    sleep_past,
    unauthorized,
)
from tests.reverts import custom_error

MORE_EVIDENCE_CID = "bafkreimoreevidence"
ODD_PRICE = 1_000_003  # wei; makes every split round
SPLITS = [0, 3333, 5000, 10_000]


def expected_split(amount, buyer_bps, fee_bps=FEE_BPS):
    """(refund, sellerAmount, fee) for a split of `amount` giving the buyer `buyer_bps`."""
    refund = amount * buyer_bps // 10_000
    seller_gross = amount - refund
    fee = fee_of(seller_gross, fee_bps)
    return refund, seller_gross - fee, fee


# ---------------------------------------------------------------- orders


@pytest.fixture
def shipped_order(market, eth_listing, buyer):
    order = place_order(market, eth_listing, buyer)
    ship(market, order)
    return order


@pytest.fixture
def disputed_order(market, shipped_order):
    dispute(market, shipped_order)
    return shipped_order


@pytest.fixture
def disputed_usd_order(market, usd, usd_listing, buyer):
    order = place_order(market, usd_listing, buyer, 2, usd)
    ship(market, order)
    dispute(market, order)
    return order


@pytest.fixture
def disputed_odd_order(market, seller, buyer):
    """A disputed ETH order whose amount no split divides evenly."""
    tx = market.list(ODD_PRICE, ETH, 1, 0, 0, "bafkreiodd", {"from": seller})
    order = place_order(market, tx.events["Listed"]["listingId"], buyer)
    ship(market, order)
    dispute(market, order)
    return order


# ---------------------------------------------------------------- openDispute


def test_buyer_opens_dispute(market, shipped_order, buyer):
    market.openDispute(shipped_order, EVIDENCE_CID, {"from": buyer})
    assert market.getOrder(shipped_order)["state"] == State.DISPUTED


def test_buyer_dispute_emits_event_with_evidence(market, shipped_order, buyer):
    tx = market.openDispute(shipped_order, EVIDENCE_CID, {"from": buyer})
    assert_event(tx, "DisputeOpened", {"orderId": shipped_order, "by": buyer, "evidenceCid": EVIDENCE_CID})


def test_seller_opens_dispute(market, shipped_order, seller):
    market.openDispute(shipped_order, EVIDENCE_CID, {"from": seller})
    assert market.getOrder(shipped_order)["state"] == State.DISPUTED


def test_seller_dispute_emits_event_with_evidence(market, shipped_order, seller):
    tx = market.openDispute(shipped_order, EVIDENCE_CID, {"from": seller})
    assert_event(tx, "DisputeOpened", {"orderId": shipped_order, "by": seller, "evidenceCid": EVIDENCE_CID})


def test_dispute_keeps_confirm_by_deadline(market, shipped_order, buyer):
    confirm_by = market.getOrder(shipped_order)["deadline"]
    market.openDispute(shipped_order, EVIDENCE_CID, {"from": buyer})
    assert market.getOrder(shipped_order)["deadline"] == confirm_by


def test_dispute_keeps_funds_in_escrow(market, shipped_order, buyer, seller):
    market.openDispute(shipped_order, EVIDENCE_CID, {"from": buyer})
    assert market.creditOf(buyer, ETH) == market.creditOf(seller, ETH) == 0
    assert market.liabilities(ETH) == ETH_PRICE == market.balance()


@pytest.mark.parametrize("caller", ["other_seller", "stranger", "arbiter"])
def test_dispute_by_anyone_but_a_party_is_refused(market, shipped_order, caller, request):
    account = request.getfixturevalue(caller)
    with brownie.reverts(custom_error("MarketplaceNotParty", shipped_order, account)):
        market.openDispute(shipped_order, EVIDENCE_CID, {"from": account})


def test_dispute_of_unshipped_order_is_refused(market, eth_listing, buyer):
    order = place_order(market, eth_listing, buyer)
    with brownie.reverts(custom_error("MarketplaceInvalidOrderState", order, State.PAID)):
        market.openDispute(order, EVIDENCE_CID, {"from": buyer})


def test_dispute_twice_is_refused(market, disputed_order, seller):
    with brownie.reverts(custom_error("MarketplaceInvalidOrderState", disputed_order, State.DISPUTED)):
        market.openDispute(disputed_order, EVIDENCE_CID, {"from": seller})


def test_dispute_of_completed_order_is_refused(market, shipped_order, buyer):
    market.confirmReceipt(shipped_order, {"from": buyer})
    with brownie.reverts(custom_error("MarketplaceInvalidOrderState", shipped_order, State.COMPLETED)):
        market.openDispute(shipped_order, EVIDENCE_CID, {"from": buyer})


def test_dispute_after_confirm_by_deadline_is_refused(market, shipped_order, buyer):
    confirm_by = market.getOrder(shipped_order)["deadline"]
    sleep_past(confirm_by)
    with brownie.reverts(custom_error("MarketplaceDeadlinePassed", shipped_order, confirm_by)):
        market.openDispute(shipped_order, EVIDENCE_CID, {"from": buyer})


def test_dispute_exactly_at_confirm_by_deadline_is_allowed(market, shipped_order, buyer):
    confirm_by = market.getOrder(shipped_order)["deadline"]
    next_block_at(confirm_by)
    tx = market.openDispute(shipped_order, EVIDENCE_CID, {"from": buyer})
    assert tx.timestamp == confirm_by
    assert market.getOrder(shipped_order)["state"] == State.DISPUTED


def test_dispute_of_unknown_order_is_refused(market, eth_listing, buyer):
    unknown = market.orderIdFor(buyer, eth_listing, 99)
    with brownie.reverts(custom_error("MarketplaceUnknownOrder", unknown)):
        market.openDispute(unknown, EVIDENCE_CID, {"from": buyer})


# ---------------------------------------------------------------- submitEvidence


@pytest.mark.parametrize("party", ["buyer", "seller"])
def test_party_submits_evidence(market, disputed_order, party, request):
    account = request.getfixturevalue(party)
    tx = market.submitEvidence(disputed_order, MORE_EVIDENCE_CID, {"from": account})
    assert_event(
        tx, "EvidenceSubmitted", {"orderId": disputed_order, "by": account, "evidenceCid": MORE_EVIDENCE_CID}
    )


def test_evidence_leaves_dispute_open(market, disputed_order, seller):
    market.submitEvidence(disputed_order, MORE_EVIDENCE_CID, {"from": seller})
    assert market.getOrder(disputed_order)["state"] == State.DISPUTED


@pytest.mark.parametrize("caller", ["other_seller", "stranger"])
def test_evidence_by_anyone_but_a_party_is_refused(market, disputed_order, caller, request):
    account = request.getfixturevalue(caller)
    with brownie.reverts(custom_error("MarketplaceNotParty", disputed_order, account)):
        market.submitEvidence(disputed_order, MORE_EVIDENCE_CID, {"from": account})


def test_evidence_without_dispute_is_refused(market, shipped_order, buyer):
    with brownie.reverts(custom_error("MarketplaceInvalidOrderState", shipped_order, State.SHIPPED)):
        market.submitEvidence(shipped_order, MORE_EVIDENCE_CID, {"from": buyer})


def test_evidence_after_resolution_is_refused(market, disputed_order, arbiter, buyer):
    market.resolveDispute(disputed_order, 5000, {"from": arbiter})
    with brownie.reverts(custom_error("MarketplaceInvalidOrderState", disputed_order, State.RESOLVED)):
        market.submitEvidence(disputed_order, MORE_EVIDENCE_CID, {"from": buyer})


# ---------------------------------------------------------------- offerSettlement


def test_offer_records_settlement_offer(market, disputed_order, seller):
    market.offerSettlement(disputed_order, ETH_PRICE // 4, {"from": seller})
    assert market.getOrder(disputed_order)["settlementOffer"] == ETH_PRICE // 4


def test_offer_emits_settlement_offered(market, disputed_order, seller):
    tx = market.offerSettlement(disputed_order, ETH_PRICE // 4, {"from": seller})
    assert_event(tx, "SettlementOffered", {"orderId": disputed_order, "refund": ETH_PRICE // 4})


def test_offer_leaves_dispute_open(market, disputed_order, seller):
    market.offerSettlement(disputed_order, ETH_PRICE // 4, {"from": seller})
    assert market.getOrder(disputed_order)["state"] == State.DISPUTED


def test_new_offer_replaces_the_previous_one(market, disputed_order, seller):
    market.offerSettlement(disputed_order, ETH_PRICE // 4, {"from": seller})
    market.offerSettlement(disputed_order, ETH_PRICE // 2, {"from": seller})
    assert market.getOrder(disputed_order)["settlementOffer"] == ETH_PRICE // 2


def test_offer_of_the_full_amount_is_allowed(market, disputed_order, seller):
    market.offerSettlement(disputed_order, ETH_PRICE, {"from": seller})
    assert market.getOrder(disputed_order)["settlementOffer"] == ETH_PRICE


@pytest.mark.parametrize("caller", ["buyer", "other_seller", "stranger"])
def test_offer_by_anyone_but_seller_is_refused(market, disputed_order, caller, request):
    account = request.getfixturevalue(caller)
    with brownie.reverts(custom_error("MarketplaceNotSeller", disputed_order, account)):
        market.offerSettlement(disputed_order, ETH_PRICE // 4, {"from": account})


def test_offer_of_zero_is_refused(market, disputed_order, seller):
    with brownie.reverts(custom_error("MarketplaceInvalidRefund", 0, ETH_PRICE)):
        market.offerSettlement(disputed_order, 0, {"from": seller})


def test_offer_above_the_amount_is_refused(market, disputed_order, seller):
    with brownie.reverts(custom_error("MarketplaceInvalidRefund", ETH_PRICE + 1, ETH_PRICE)):
        market.offerSettlement(disputed_order, ETH_PRICE + 1, {"from": seller})


def test_offer_without_dispute_is_refused(market, shipped_order, seller):
    with brownie.reverts(custom_error("MarketplaceInvalidOrderState", shipped_order, State.SHIPPED)):
        market.offerSettlement(shipped_order, ETH_PRICE // 4, {"from": seller})


# ---------------------------------------------------------------- acceptSettlement


@pytest.fixture
def offered_order(market, disputed_odd_order, seller):
    """The odd-priced dispute with an offer to refund a third (rounded down)."""
    market.offerSettlement(disputed_odd_order, ODD_PRICE // 3, {"from": seller})
    return disputed_odd_order


OFFER = ODD_PRICE // 3  # 333_334
OFFER_FEE = fee_of(ODD_PRICE - OFFER, FEE_BPS)  # fee on the seller's part only


def test_accept_sets_state_settled(market, offered_order, buyer):
    market.acceptSettlement(offered_order, {"from": buyer})
    assert market.getOrder(offered_order)["state"] == State.SETTLED


def test_accept_credits_buyer_the_refund(market, offered_order, buyer):
    market.acceptSettlement(offered_order, {"from": buyer})
    assert market.creditOf(buyer, ETH) == OFFER


def test_accept_credits_seller_the_rest_minus_fee(market, offered_order, buyer, seller):
    market.acceptSettlement(offered_order, {"from": buyer})
    assert market.creditOf(seller, ETH) == ODD_PRICE - OFFER - OFFER_FEE


def test_accept_credits_treasury_the_fee_on_the_seller_part(market, offered_order, buyer, treasury):
    market.acceptSettlement(offered_order, {"from": buyer})
    assert market.creditOf(treasury, ETH) == OFFER_FEE == (ODD_PRICE - OFFER) * 250 // 10_000


def test_accept_credits_add_up_to_the_amount(market, offered_order, buyer, seller, treasury):
    market.acceptSettlement(offered_order, {"from": buyer})
    credits = sum(market.creditOf(account, ETH) for account in (buyer, seller, treasury))
    assert credits == ODD_PRICE == market.liabilities(ETH)


def test_accept_emits_settlement_accepted(market, offered_order, buyer):
    tx = market.acceptSettlement(offered_order, {"from": buyer})
    assert_event(
        tx,
        "SettlementAccepted",
        {"orderId": offered_order, "refund": OFFER, "sellerAmount": ODD_PRICE - OFFER - OFFER_FEE, "fee": OFFER_FEE},
    )


def test_accept_clears_the_offer(market, offered_order, buyer):
    market.acceptSettlement(offered_order, {"from": buyer})
    assert market.getOrder(offered_order)["settlementOffer"] == 0


def test_accept_clears_the_deadline(market, offered_order, buyer):
    market.acceptSettlement(offered_order, {"from": buyer})
    assert market.getOrder(offered_order)["deadline"] == 0


def test_accept_of_full_refund_credits_seller_and_treasury_nothing(market, disputed_order, buyer, seller, treasury):
    market.offerSettlement(disputed_order, ETH_PRICE, {"from": seller})
    tx = market.acceptSettlement(disputed_order, {"from": buyer})
    assert tx.events["SettlementAccepted"]["fee"] == 0
    assert market.creditOf(buyer, ETH) == ETH_PRICE
    assert market.creditOf(seller, ETH) == market.creditOf(treasury, ETH) == 0


def test_accept_without_offer_is_refused(market, disputed_order, buyer):
    with brownie.reverts(custom_error("MarketplaceNoSettlementOffer", disputed_order)):
        market.acceptSettlement(disputed_order, {"from": buyer})


@pytest.mark.parametrize("caller", ["seller", "stranger"])
def test_accept_by_anyone_but_buyer_is_refused(market, offered_order, caller, request):
    account = request.getfixturevalue(caller)
    with brownie.reverts(custom_error("MarketplaceNotBuyer", offered_order, account)):
        market.acceptSettlement(offered_order, {"from": account})


def test_accept_twice_is_refused(market, offered_order, buyer):
    market.acceptSettlement(offered_order, {"from": buyer})
    with brownie.reverts(custom_error("MarketplaceInvalidOrderState", offered_order, State.SETTLED)):
        market.acceptSettlement(offered_order, {"from": buyer})


def test_accept_of_usd_settlement_credits_usd(market, usd, disputed_usd_order, buyer, seller, treasury):
    amount = 2 * USD_PRICE
    refund = 10 * 10**6
    market.offerSettlement(disputed_usd_order, refund, {"from": seller})
    market.acceptSettlement(disputed_usd_order, {"from": buyer})
    fee = fee_of(amount - refund, FEE_BPS)
    assert market.creditOf(buyer, usd) == refund
    assert market.creditOf(seller, usd) == amount - refund - fee
    assert market.creditOf(treasury, usd) == fee


def test_accept_keeps_the_fee_in_force_at_purchase(market, offered_order, admin, buyer, treasury):
    market.setFee(1_000, {"from": admin})
    market.acceptSettlement(offered_order, {"from": buyer})
    assert market.creditOf(treasury, ETH) == OFFER_FEE


# ---------------------------------------------------------------- resolveDispute


@pytest.mark.parametrize("buyer_bps", SPLITS)
def test_resolve_credits_buyer_the_refund(market, disputed_odd_order, arbiter, buyer, buyer_bps):
    market.resolveDispute(disputed_odd_order, buyer_bps, {"from": arbiter})
    refund, _, _ = expected_split(ODD_PRICE, buyer_bps)
    assert market.creditOf(buyer, ETH) == refund == ODD_PRICE * buyer_bps // 10_000


@pytest.mark.parametrize("buyer_bps", SPLITS)
def test_resolve_credits_seller_the_rest_minus_fee(market, disputed_odd_order, arbiter, seller, buyer_bps):
    market.resolveDispute(disputed_odd_order, buyer_bps, {"from": arbiter})
    _, seller_amount, _ = expected_split(ODD_PRICE, buyer_bps)
    assert market.creditOf(seller, ETH) == seller_amount


@pytest.mark.parametrize("buyer_bps", SPLITS)
def test_resolve_credits_treasury_the_fee(market, disputed_odd_order, arbiter, treasury, buyer_bps):
    market.resolveDispute(disputed_odd_order, buyer_bps, {"from": arbiter})
    _, _, fee = expected_split(ODD_PRICE, buyer_bps)
    assert market.creditOf(treasury, ETH) == fee


@pytest.mark.parametrize("buyer_bps", SPLITS)
def test_resolve_credits_add_up_to_the_amount(market, disputed_odd_order, arbiter, buyer, seller, treasury, buyer_bps):
    market.resolveDispute(disputed_odd_order, buyer_bps, {"from": arbiter})
    credits = sum(market.creditOf(account, ETH) for account in (buyer, seller, treasury))
    assert credits == ODD_PRICE == market.liabilities(ETH) == market.balance()


@pytest.mark.parametrize("buyer_bps", SPLITS)
def test_resolve_emits_dispute_resolved(market, disputed_odd_order, arbiter, buyer_bps):
    tx = market.resolveDispute(disputed_odd_order, buyer_bps, {"from": arbiter})
    refund, seller_amount, fee = expected_split(ODD_PRICE, buyer_bps)
    assert_event(
        tx,
        "DisputeResolved",
        {
            "orderId": disputed_odd_order,
            "arbiter": arbiter,
            "buyerBps": buyer_bps,
            "refund": refund,
            "sellerAmount": seller_amount,
            "fee": fee,
        },
    )


def test_resolve_rounds_a_third_down_for_the_buyer(market, disputed_odd_order, arbiter, buyer, seller, treasury):
    market.resolveDispute(disputed_odd_order, 3333, {"from": arbiter})
    # 1_000_003 * 3333 / 10_000 = 333_300.9999; 666_703 * 250 / 10_000 = 16_667.575
    assert market.creditOf(buyer, ETH) == 333_300
    assert market.creditOf(treasury, ETH) == 16_667
    assert market.creditOf(seller, ETH) == 650_036


def test_resolve_sets_state_resolved(market, disputed_order, arbiter):
    market.resolveDispute(disputed_order, 5000, {"from": arbiter})
    assert market.getOrder(disputed_order)["state"] == State.RESOLVED


def test_resolve_clears_the_deadline(market, disputed_order, arbiter):
    market.resolveDispute(disputed_order, 5000, {"from": arbiter})
    assert market.getOrder(disputed_order)["deadline"] == 0


def test_resolve_withdraws_a_pending_offer(market, disputed_order, arbiter, seller):
    market.offerSettlement(disputed_order, ETH_PRICE // 4, {"from": seller})
    market.resolveDispute(disputed_order, 5000, {"from": arbiter})
    assert market.getOrder(disputed_order)["settlementOffer"] == 0


def test_resolve_after_confirm_by_deadline_is_allowed(market, disputed_order, arbiter):
    sleep_past(market.getOrder(disputed_order)["deadline"])
    market.resolveDispute(disputed_order, 5000, {"from": arbiter})
    assert market.getOrder(disputed_order)["state"] == State.RESOLVED


def test_resolve_of_usd_dispute_credits_usd(market, usd, disputed_usd_order, arbiter, buyer, seller, treasury):
    market.resolveDispute(disputed_usd_order, 3333, {"from": arbiter})
    refund, seller_amount, fee = expected_split(2 * USD_PRICE, 3333)
    assert market.creditOf(buyer, usd) == refund
    assert market.creditOf(seller, usd) == seller_amount
    assert market.creditOf(treasury, usd) == fee
    assert refund + seller_amount + fee == usd.balanceOf(market) == market.liabilities(usd)


@pytest.mark.parametrize("caller", ["admin", "buyer", "seller", "stranger"])
def test_resolve_by_non_arbiter_is_refused(market, disputed_order, caller, request):
    account = request.getfixturevalue(caller)
    with brownie.reverts(unauthorized(account, market.ARBITER_ROLE())):
        market.resolveDispute(disputed_order, 5000, {"from": account})


def test_resolve_above_10000_bps_is_refused(market, disputed_order, arbiter):
    with brownie.reverts(custom_error("MarketplaceInvalidSplit", 10_001)):
        market.resolveDispute(disputed_order, 10_001, {"from": arbiter})


def test_resolve_without_dispute_is_refused(market, shipped_order, arbiter):
    with brownie.reverts(custom_error("MarketplaceInvalidOrderState", shipped_order, State.SHIPPED)):
        market.resolveDispute(shipped_order, 5000, {"from": arbiter})


def test_resolve_twice_is_refused(market, disputed_order, arbiter):
    market.resolveDispute(disputed_order, 5000, {"from": arbiter})
    with brownie.reverts(custom_error("MarketplaceInvalidOrderState", disputed_order, State.RESOLVED)):
        market.resolveDispute(disputed_order, 5000, {"from": arbiter})


def test_resolve_of_unknown_order_is_refused(market, eth_listing, buyer, arbiter):
    unknown = market.orderIdFor(buyer, eth_listing, 99)
    with brownie.reverts(custom_error("MarketplaceUnknownOrder", unknown)):
        market.resolveDispute(unknown, 5000, {"from": arbiter})


# ---------------------------------------------------------------- the buyer gives in


def test_buyer_confirm_during_dispute_completes_order(market, disputed_order, buyer):
    market.confirmReceipt(disputed_order, {"from": buyer})
    assert market.getOrder(disputed_order)["state"] == State.COMPLETED


def test_buyer_confirm_during_dispute_pays_seller_in_full(market, disputed_order, buyer, seller, treasury):
    tx = market.confirmReceipt(disputed_order, {"from": buyer})
    fee = fee_of(ETH_PRICE, FEE_BPS)
    assert_event(
        tx,
        "OrderCompleted",
        {"orderId": disputed_order, "releasedBy": buyer, "sellerAmount": ETH_PRICE - fee, "fee": fee},
    )
    assert market.creditOf(seller, ETH) == ETH_PRICE - fee
    assert market.creditOf(treasury, ETH) == fee
    assert market.creditOf(buyer, ETH) == 0


def test_buyer_confirm_during_dispute_withdraws_a_pending_offer(market, disputed_order, buyer, seller):
    market.offerSettlement(disputed_order, ETH_PRICE // 4, {"from": seller})
    market.confirmReceipt(disputed_order, {"from": buyer})
    assert market.getOrder(disputed_order)["settlementOffer"] == 0


def test_accept_after_buyer_confirmed_is_refused(market, disputed_order, buyer, seller):
    market.offerSettlement(disputed_order, ETH_PRICE // 4, {"from": seller})
    market.confirmReceipt(disputed_order, {"from": buyer})
    with brownie.reverts(custom_error("MarketplaceInvalidOrderState", disputed_order, State.COMPLETED)):
        market.acceptSettlement(disputed_order, {"from": buyer})


def test_resolve_after_buyer_confirmed_is_refused(market, disputed_order, buyer, arbiter):
    market.confirmReceipt(disputed_order, {"from": buyer})
    with brownie.reverts(custom_error("MarketplaceInvalidOrderState", disputed_order, State.COMPLETED)):
        market.resolveDispute(disputed_order, 5000, {"from": arbiter})
