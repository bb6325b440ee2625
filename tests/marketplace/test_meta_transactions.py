"""Gasless use through the trusted ERC-2771 forwarder: a relayer pays, the signer is the caller."""

import brownie
import pytest
from brownie import ZERO_ADDRESS, chain, web3

from scripts.signing import sign_permit
from tests.conftest import ETH_PRICE, USD, USD_PRICE
from tests.reverts import custom_error

PAID, CANCELLED = 1, 5  # IMarketplace.OrderState
ONE_HOUR = 3600


@pytest.fixture(scope="module")
def stranger_key(signing_key, stranger):
    return signing_key(stranger)


@pytest.fixture(scope="module")
def relay(forwarder, relayer, request_tuple):
    """Submit a signed request as the relayer, who pays the gas."""

    def relay(request):
        return forwarder.execute(request_tuple(request), {"from": relayer})

    return relay


@pytest.fixture(scope="module")
def purchase_request(market, usd, usd_listing, forwarder, gasless_buyer, sign_request):
    """The gasless buyer's signed request to buy one unit of the USD listing with a permit."""
    deadline = chain[-1].timestamp + ONE_HOUR
    v, r, s = sign_permit(usd, gasless_buyer.key, market, USD_PRICE, deadline, chain.id)
    data = market.buyWithPermit.encode_input(usd_listing, 1, USD_PRICE, deadline, v, r, s)
    return sign_request(forwarder, gasless_buyer, market, data, deadline=deadline)


@pytest.fixture
def relayed_order(relay, purchase_request):
    """The id of the order the gasless buyer placed through the relayer."""
    return relay(purchase_request).events["OrderPlaced"]["orderId"]


@pytest.fixture(scope="module")
def sign_call(market, forwarder, sign_request):
    """`key`'s signed request to call `market.<method>(*args)` through the forwarder."""

    def sign_call(key, method, *args):
        return sign_request(forwarder, key, market, getattr(market, method).encode_input(*args))

    return sign_call


# ---------------------------------------------------------------- trust


def test_marketplace_trusts_the_forwarder(market, forwarder):
    assert market.isTrustedForwarder(forwarder) is True
    assert market.trustedForwarder() == forwarder


def test_marketplace_trusts_no_other_address(market, relayer):
    assert market.isTrustedForwarder(relayer) is False


def test_gasless_buyer_holds_no_eth(gasless_buyer):
    assert web3.eth.get_balance(gasless_buyer.address) == 0


# ---------------------------------------------------------------- relayed purchase


def test_forwarder_verifies_a_signed_request(forwarder, purchase_request, request_tuple):
    assert forwarder.verify(request_tuple(purchase_request)) is True


def test_relayed_purchase_places_order_for_signer(
    market, usd_listing, relay, purchase_request, gasless_buyer
):
    tx = relay(purchase_request)
    assert tx.events["OrderPlaced"] == {
        "orderId": market.orderIdFor(gasless_buyer.address, usd_listing, 1),
        "listingId": usd_listing,
        "buyer": gasless_buyer.address,
        "quantity": 1,
        "amount": USD_PRICE,
        "shipBy": tx.timestamp + market.DEFAULT_SHIP_WINDOW(),
    }


def test_relayed_order_records_signer_as_buyer(market, relayed_order, gasless_buyer):
    order = market.getOrder(relayed_order)
    assert (order["buyer"], order["state"]) == (gasless_buyer.address, PAID)


def test_relayed_purchase_pays_with_signers_usd(market, usd, relayed_order, gasless_buyer):
    assert usd.balanceOf(gasless_buyer.address) == 1_000 * USD - USD_PRICE
    assert usd.balanceOf(market) == USD_PRICE


def test_relayed_purchase_costs_signer_no_eth(relay, purchase_request, gasless_buyer):
    relay(purchase_request)
    assert web3.eth.get_balance(gasless_buyer.address) == 0


def test_relayer_pays_the_gas(relay, purchase_request, relayer):
    balance = relayer.balance()
    tx = relay(purchase_request)
    assert relayer.balance() == balance - tx.gas_used * tx.gas_price


def test_relayed_request_emits_executed_forward_request(relay, purchase_request, gasless_buyer):
    tx = relay(purchase_request)
    assert tx.events["ExecutedForwardRequest"] == {
        "signer": gasless_buyer.address,
        "nonce": 0,
        "success": True,
    }


def test_relayed_request_uses_signers_nonce(forwarder, relay, purchase_request, gasless_buyer):
    relay(purchase_request)
    assert forwarder.nonces(gasless_buyer.address) == 1


# ---------------------------------------------------------------- relayed follow-ups


def test_relayed_cancel_cancels_signers_order(market, relay, relayed_order, gasless_buyer, sign_call):
    tx = relay(sign_call(gasless_buyer, "cancelOrder", relayed_order))
    assert tx.events["OrderCancelled"] == {"orderId": relayed_order}
    assert market.getOrder(relayed_order)["state"] == CANCELLED


def test_relayed_cancel_credits_signer(market, usd, relay, relayed_order, gasless_buyer, sign_call):
    relay(sign_call(gasless_buyer, "cancelOrder", relayed_order))
    assert market.creditOf(gasless_buyer.address, usd) == USD_PRICE


def test_relayed_withdraw_pays_signer(usd, relay, relayed_order, gasless_buyer, sign_call):
    relay(sign_call(gasless_buyer, "cancelOrder", relayed_order))
    tx = relay(sign_call(gasless_buyer, "withdraw", usd))
    assert tx.events["Withdrawn"] == {
        "account": gasless_buyer.address,
        "asset": usd,
        "to": gasless_buyer.address,
        "amount": USD_PRICE,
    }
    assert usd.balanceOf(gasless_buyer.address) == 1_000 * USD
    assert web3.eth.get_balance(gasless_buyer.address) == 0


def test_relayed_apply_as_seller_registers_signer(market, relay, gasless_buyer, sign_call):
    tx = relay(sign_call(gasless_buyer, "applyAsSeller", "bafkreigasless"))
    assert tx.events["SellerApplied"]["account"] == gasless_buyer.address
    assert market.getSeller(gasless_buyer.address)["status"] == 1  # Applied


def test_relayed_call_by_another_account_is_refused_by_marketplace(
    market, relay, relayed_order, stranger_key, sign_call
):
    # the stranger signs for themselves: the marketplace sees the stranger, not the buyer
    request = sign_call(stranger_key, "cancelOrder", relayed_order)
    # the forwarder reports only that the call failed (Brownie renders an error without arguments as "Name: ")
    with brownie.reverts("FailedCall: "):
        relay(request)
    assert market.getOrder(relayed_order)["state"] == PAID


def test_failed_relayed_call_leaves_signers_nonce_unused(
    forwarder, relay, relayed_order, stranger, stranger_key, sign_call
):
    request = sign_call(stranger_key, "cancelOrder", relayed_order)
    with brownie.reverts("FailedCall: "):
        relay(request)
    assert forwarder.nonces(stranger) == 0


def test_sender_appended_by_untrusted_caller_is_ignored(market, eth_listing, buyer, stranger):
    order_id = market.buy(eth_listing, 1, {"from": buyer, "value": ETH_PRICE}).return_value
    spoofed = market.cancelOrder.encode_input(order_id) + buyer.address[2:].lower()
    with brownie.reverts(custom_error("MarketplaceNotBuyer", order_id, stranger)):
        stranger.transfer(market, 0, data=spoofed)


# ---------------------------------------------------------------- refused requests


def test_request_signed_by_another_key_is_refused(
    forwarder, relay, market, purchase_request, stranger_key, sign_request, gasless_buyer
):
    request = sign_request(
        forwarder, stranger_key, market, purchase_request["data"], from_=gasless_buyer.address
    )
    with brownie.reverts(
        custom_error("ERC2771ForwarderInvalidSigner", stranger_key.address, gasless_buyer.address)
    ):
        relay(request)


def test_request_with_tampered_data_is_refused(
    relay, market, forwarder, purchase_request, gasless_buyer, recover_request_signer
):
    tampered = dict(purchase_request, data=bytes.fromhex(market.cancelOrder.encode_input(1)[2:]))
    recovered = recover_request_signer(forwarder, tampered, 0)
    assert recovered != gasless_buyer.address
    with brownie.reverts(custom_error("ERC2771ForwarderInvalidSigner", recovered, gasless_buyer.address)):
        relay(tampered)


def test_request_with_malformed_signature_is_refused(relay, purchase_request, gasless_buyer):
    forged = dict(purchase_request, signature=bytes(65))
    with brownie.reverts(custom_error("ERC2771ForwarderInvalidSigner", ZERO_ADDRESS, gasless_buyer.address)):
        relay(forged)


def test_expired_request_is_refused(market, forwarder, relay, gasless_buyer, sign_request):
    deadline = chain[-1].timestamp - 1
    request = sign_request(
        forwarder, gasless_buyer, market, market.applyAsSeller.encode_input("cid"), deadline=deadline
    )
    with brownie.reverts(custom_error("ERC2771ForwarderExpiredRequest", deadline)):
        relay(request)


def test_replayed_request_is_refused(
    forwarder, relay, purchase_request, gasless_buyer, recover_request_signer
):
    relay(purchase_request)
    recovered = recover_request_signer(forwarder, purchase_request, 1)  # the nonce has moved on
    with brownie.reverts(custom_error("ERC2771ForwarderInvalidSigner", recovered, gasless_buyer.address)):
        relay(purchase_request)


def test_request_to_contract_not_trusting_forwarder_is_refused(
    usd, forwarder, relay, gasless_buyer, sign_request
):
    request = sign_request(forwarder, gasless_buyer, usd, usd.approve.encode_input(ZERO_ADDRESS, 0))
    with brownie.reverts(custom_error("ERC2771UntrustfulTarget", usd, forwarder)):
        relay(request)


def test_verify_rejects_request_signed_by_another_key(
    forwarder, market, purchase_request, stranger_key, sign_request, request_tuple, gasless_buyer
):
    request = sign_request(
        forwarder, stranger_key, market, purchase_request["data"], from_=gasless_buyer.address
    )
    assert forwarder.verify(request_tuple(request)) is False


def test_verify_rejects_tampered_request(forwarder, market, purchase_request, request_tuple):
    tampered = dict(purchase_request, data=bytes.fromhex(market.cancelOrder.encode_input(1)[2:]))
    assert forwarder.verify(request_tuple(tampered)) is False


def test_verify_rejects_malformed_signature(forwarder, purchase_request, request_tuple):
    assert forwarder.verify(request_tuple(dict(purchase_request, signature=bytes(65)))) is False


def test_verify_rejects_expired_request(market, forwarder, gasless_buyer, sign_request, request_tuple):
    request = sign_request(
        forwarder,
        gasless_buyer,
        market,
        market.applyAsSeller.encode_input("cid"),
        deadline=chain[-1].timestamp - 1,
    )
    assert forwarder.verify(request_tuple(request)) is False


def test_verify_rejects_used_request(forwarder, relay, purchase_request, request_tuple):
    relay(purchase_request)
    assert forwarder.verify(request_tuple(purchase_request)) is False


def test_refused_request_leaves_signer_without_order(market, usd, usd_listing, relay, purchase_request):
    forged = dict(purchase_request, signature=bytes(65))
    with brownie.reverts():
        relay(forged)
    assert market.getListing(usd_listing)["orderCount"] == 0
    assert market.liabilities(usd) == 0
