"""Paying with ERC-20s that are not plain: EIP-2612 permits, fee-on-transfer and false-returning tokens."""

import brownie
import pytest
from brownie import FalseReturningToken, FeeOnTransferToken, chain

from scripts.signing import sign_permit
from tests.conftest import ETH, ETH_PRICE, FEE_BPS, USD_PRICE
from tests.reverts import custom_error

PAID = 1  # IMarketplace.OrderState.Paid
TOKEN_PRICE = 10**18
ONE_HOUR = 3600


@pytest.fixture(scope="module")
def buyer_key(signing_key, buyer):
    return signing_key(buyer)


@pytest.fixture(scope="module")
def stranger_key(signing_key, stranger):
    return signing_key(stranger)


@pytest.fixture(scope="module")
def fee_token(market, admin, buyer):
    """Allow-listed, but burns 1% of every transfer."""
    token = FeeOnTransferToken.deploy({"from": admin})
    market.setAssetAllowed(token, True, {"from": admin})
    token.mint(buyer, 100 * TOKEN_PRICE, {"from": admin})
    return token


@pytest.fixture(scope="module")
def fee_listing(market, fee_token, seller):
    return market.list(TOKEN_PRICE, fee_token, 10, 0, 0, "bafkreifeetoken", {"from": seller}).return_value


@pytest.fixture(scope="module")
def false_token(market, admin, buyer):
    """Allow-listed; returns false instead of reverting once set failing."""
    token = FalseReturningToken.deploy({"from": admin})
    market.setAssetAllowed(token, True, {"from": admin})
    token.mint(buyer, 100 * TOKEN_PRICE, {"from": admin})
    return token


@pytest.fixture(scope="module")
def false_listing(market, false_token, seller):
    return market.list(TOKEN_PRICE, false_token, 10, 0, 0, "bafkreifalsetoken", {"from": seller}).return_value


@pytest.fixture
def completed_false_order(market, false_token, false_listing, buyer, seller):
    """A false-token order bought, shipped and confirmed: the seller holds a credit in the token."""
    false_token.approve(market, TOKEN_PRICE, {"from": buyer})
    order_id = market.buyWithToken(false_listing, 1, TOKEN_PRICE, {"from": buyer}).return_value
    market.shipOrder(order_id, "TRACK-1", {"from": seller})
    market.confirmReceipt(order_id, {"from": buyer})
    return order_id


def seller_share(amount):
    return amount - amount * FEE_BPS // 10_000


# ---------------------------------------------------------------- EIP-2612 permit


def test_usd_permit_domain_is_test_usd_version_1(usd):
    assert usd.eip712Domain()[1:5] == ("Test USD", "1", chain.id, usd)


def test_buy_with_permit_needs_no_prior_approval(market, usd, usd_listing, buyer, buyer_key):
    deadline = chain[-1].timestamp + ONE_HOUR
    v, r, s = sign_permit(usd, buyer_key.key, market, USD_PRICE, deadline, chain.id)
    assert usd.allowance(buyer, market) == 0
    tx = market.buyWithPermit(usd_listing, 1, USD_PRICE, deadline, v, r, s, {"from": buyer})
    assert market.getOrder(tx.return_value)["state"] == PAID


def test_buy_with_permit_takes_exact_amount(market, usd, usd_listing, buyer, buyer_key):
    deadline = chain[-1].timestamp + ONE_HOUR
    v, r, s = sign_permit(usd, buyer_key.key, market, 2 * USD_PRICE, deadline, chain.id)
    balance = usd.balanceOf(buyer)
    market.buyWithPermit(usd_listing, 2, 2 * USD_PRICE, deadline, v, r, s, {"from": buyer})
    assert usd.balanceOf(buyer) == balance - 2 * USD_PRICE
    assert usd.balanceOf(market) == 2 * USD_PRICE


def test_buy_with_permit_uses_up_the_permit(market, usd, usd_listing, buyer, buyer_key):
    deadline = chain[-1].timestamp + ONE_HOUR
    v, r, s = sign_permit(usd, buyer_key.key, market, USD_PRICE, deadline, chain.id)
    market.buyWithPermit(usd_listing, 1, USD_PRICE, deadline, v, r, s, {"from": buyer})
    assert usd.nonces(buyer) == 1
    assert usd.allowance(buyer, market) == 0


def test_buy_with_permit_emits_order_placed(market, usd, usd_listing, buyer, buyer_key):
    deadline = chain[-1].timestamp + ONE_HOUR
    v, r, s = sign_permit(usd, buyer_key.key, market, USD_PRICE, deadline, chain.id)
    tx = market.buyWithPermit(usd_listing, 1, USD_PRICE, deadline, v, r, s, {"from": buyer})
    assert tx.events["OrderPlaced"] == {
        "orderId": market.orderIdFor(buyer, usd_listing, 1),
        "listingId": usd_listing,
        "buyer": buyer,
        "quantity": 1,
        "amount": USD_PRICE,
        "shipBy": tx.timestamp + market.DEFAULT_SHIP_WINDOW(),
    }


def test_buy_with_front_run_permit_still_succeeds(market, usd, usd_listing, buyer, stranger, buyer_key):
    deadline = chain[-1].timestamp + ONE_HOUR
    v, r, s = sign_permit(usd, buyer_key.key, market, USD_PRICE, deadline, chain.id)
    usd.permit(buyer, market, USD_PRICE, deadline, v, r, s, {"from": stranger})  # someone submits it first
    tx = market.buyWithPermit(usd_listing, 1, USD_PRICE, deadline, v, r, s, {"from": buyer})
    assert tx.events["OrderPlaced"]["buyer"] == buyer
    assert usd.allowance(buyer, market) == 0


def test_buy_with_bad_permit_and_no_allowance_is_refused(market, usd, usd_listing, buyer, stranger_key):
    deadline = chain[-1].timestamp + ONE_HOUR
    # signed by the stranger, so it is not the buyer's permit
    v, r, s = sign_permit(usd, stranger_key.key, market, USD_PRICE, deadline, chain.id)
    with brownie.reverts(custom_error("ERC20InsufficientAllowance", market, 0, USD_PRICE)):
        market.buyWithPermit(usd_listing, 1, USD_PRICE, deadline, v, r, s, {"from": buyer})


def test_buy_with_expired_permit_and_no_allowance_is_refused(market, usd, usd_listing, buyer, buyer_key):
    deadline = chain[-1].timestamp - 1
    v, r, s = sign_permit(usd, buyer_key.key, market, USD_PRICE, deadline, chain.id)
    with brownie.reverts(custom_error("ERC20InsufficientAllowance", market, 0, USD_PRICE)):
        market.buyWithPermit(usd_listing, 1, USD_PRICE, deadline, v, r, s, {"from": buyer})


def test_buy_with_bad_permit_uses_existing_allowance(market, usd, usd_listing, buyer, stranger_key):
    usd.approve(market, USD_PRICE, {"from": buyer})
    deadline = chain[-1].timestamp + ONE_HOUR
    v, r, s = sign_permit(usd, stranger_key.key, market, USD_PRICE, deadline, chain.id)
    tx = market.buyWithPermit(usd_listing, 1, USD_PRICE, deadline, v, r, s, {"from": buyer})
    assert tx.events["OrderPlaced"]["amount"] == USD_PRICE


def test_buy_with_permit_above_max_total_is_refused(market, usd, usd_listing, buyer, buyer_key):
    deadline = chain[-1].timestamp + ONE_HOUR
    v, r, s = sign_permit(usd, buyer_key.key, market, 2 * USD_PRICE, deadline, chain.id)
    with brownie.reverts(custom_error("MarketplacePriceAboveMaximum", 2 * USD_PRICE, USD_PRICE)):
        market.buyWithPermit(usd_listing, 2, USD_PRICE, deadline, v, r, s, {"from": buyer})


def test_buy_with_permit_on_eth_listing_is_refused(market, usd, eth_listing, buyer, buyer_key):
    deadline = chain[-1].timestamp + ONE_HOUR
    v, r, s = sign_permit(usd, buyer_key.key, market, ETH_PRICE, deadline, chain.id)
    with brownie.reverts(custom_error("MarketplaceWrongPaymentAsset", eth_listing, ETH)):
        market.buyWithPermit(eth_listing, 1, ETH_PRICE, deadline, v, r, s, {"from": buyer})


# ---------------------------------------------------------------- fee-on-transfer token


def test_fee_on_transfer_purchase_is_refused(market, fee_token, fee_listing, buyer):
    fee_token.approve(market, TOKEN_PRICE, {"from": buyer})
    received = TOKEN_PRICE - TOKEN_PRICE // 100
    with brownie.reverts(custom_error("MarketplaceTransferAmountMismatch", fee_token, TOKEN_PRICE, received)):
        market.buyWithToken(fee_listing, 1, TOKEN_PRICE, {"from": buyer})


def test_refused_fee_on_transfer_purchase_costs_buyer_nothing(market, fee_token, fee_listing, buyer):
    fee_token.approve(market, TOKEN_PRICE, {"from": buyer})
    balance = fee_token.balanceOf(buyer)
    with brownie.reverts():
        market.buyWithToken(fee_listing, 1, TOKEN_PRICE, {"from": buyer})
    assert fee_token.balanceOf(buyer) == balance
    assert fee_token.allowance(buyer, market) == TOKEN_PRICE


def test_refused_fee_on_transfer_purchase_leaves_stock_and_liabilities(market, fee_token, fee_listing, buyer):
    fee_token.approve(market, TOKEN_PRICE, {"from": buyer})
    with brownie.reverts():
        market.buyWithToken(fee_listing, 1, TOKEN_PRICE, {"from": buyer})
    assert market.getListing(fee_listing)["stock"] == 10
    assert market.liabilities(fee_token) == 0
    assert fee_token.balanceOf(market) == 0


# ---------------------------------------------------------------- false-returning token


def test_false_returning_token_purchase_succeeds_while_token_works(market, false_token, false_listing, buyer):
    false_token.approve(market, TOKEN_PRICE, {"from": buyer})
    market.buyWithToken(false_listing, 1, TOKEN_PRICE, {"from": buyer})
    assert false_token.balanceOf(market) == TOKEN_PRICE


def test_purchase_in_failing_token_is_refused(market, false_token, false_listing, buyer):
    false_token.approve(market, TOKEN_PRICE, {"from": buyer})
    false_token.setFailing(True, {"from": buyer})
    with brownie.reverts(custom_error("SafeERC20FailedOperation", false_token)):
        market.buyWithToken(false_listing, 1, TOKEN_PRICE, {"from": buyer})


def test_purchase_without_allowance_in_false_returning_token_is_refused(
    market, false_token, false_listing, buyer
):
    with brownie.reverts(custom_error("SafeERC20FailedOperation", false_token)):
        market.buyWithToken(false_listing, 1, TOKEN_PRICE, {"from": buyer})


def test_refused_false_returning_purchase_changes_nothing(market, false_token, false_listing, buyer):
    false_token.approve(market, TOKEN_PRICE, {"from": buyer})
    false_token.setFailing(True, {"from": buyer})
    balance = false_token.balanceOf(buyer)
    with brownie.reverts():
        market.buyWithToken(false_listing, 1, TOKEN_PRICE, {"from": buyer})
    assert false_token.balanceOf(buyer) == balance
    assert market.getListing(false_listing)["stock"] == 10
    assert market.getListing(false_listing)["orderCount"] == 0
    assert market.liabilities(false_token) == 0


def test_withdrawal_in_failing_token_is_refused(market, false_token, completed_false_order, seller):
    false_token.setFailing(True, {"from": seller})
    with brownie.reverts(custom_error("SafeERC20FailedOperation", false_token)):
        market.withdraw(false_token, {"from": seller})


def test_refused_withdrawal_keeps_the_credit(market, false_token, completed_false_order, seller):
    false_token.setFailing(True, {"from": seller})
    with brownie.reverts():
        market.withdraw(false_token, {"from": seller})
    assert market.creditOf(seller, false_token) == seller_share(TOKEN_PRICE)
    assert market.liabilities(false_token) == TOKEN_PRICE


def test_withdrawal_succeeds_once_token_works_again(market, false_token, completed_false_order, seller):
    false_token.setFailing(True, {"from": seller})
    with brownie.reverts():
        market.withdraw(false_token, {"from": seller})
    false_token.setFailing(False, {"from": seller})
    tx = market.withdraw(false_token, {"from": seller})
    amount = seller_share(TOKEN_PRICE)
    assert tx.events["Withdrawn"] == {"account": seller, "asset": false_token, "to": seller, "amount": amount}
    assert false_token.balanceOf(seller) == amount
    assert market.creditOf(seller, false_token) == 0
