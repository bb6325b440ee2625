"""Helpers that walk an order through its states, shared by the order, payout and invariant tests.

Plain functions, not fixtures: each test module builds the fixtures it needs from them. Helpers
that place an order return its id (from the ``OrderPlaced`` event); helpers that act on an order
return the transaction.
"""
from enum import IntEnum

from brownie import chain, web3
from hexbytes import HexBytes

from tests.conftest import ETH
from tests.reverts import custom_error

TRACKING_REF = "DHL-1234567890"
EVIDENCE_CID = "bafkreidisputeevidence"


class State(IntEnum):
    """`IMarketplace.OrderState`."""

    NONE = 0
    PAID = 1
    SHIPPED = 2
    DISPUTED = 3
    COMPLETED = 4
    CANCELLED = 5
    REJECTED = 6
    RECLAIMED = 7
    SETTLED = 8
    RESOLVED = 9


OPEN_STATES = (State.PAID, State.SHIPPED, State.DISPUTED)


def fee_of(amount, fee_bps):
    """The platform fee the contract takes from `amount`."""
    return amount * fee_bps // 10_000


def place_order(market, listing_id, buyer, quantity=1, token=None):
    """Buy `quantity` units of `listing_id` as `buyer`, in ETH or in the listing's token."""
    listing = market.getListing(listing_id)
    amount = listing["price"] * quantity
    if listing["asset"] == ETH:
        tx = market.buy(listing_id, quantity, {"from": buyer, "value": amount})
    else:
        token.approve(market, amount, {"from": buyer})
        tx = market.buyWithToken(listing_id, quantity, amount, {"from": buyer})
    return tx.events["OrderPlaced"]["orderId"]


def ship(market, order_id, tracking_ref=TRACKING_REF):
    """Ship a paid order as its seller."""
    seller = market.getOrder(order_id)["seller"]
    return market.shipOrder(order_id, tracking_ref, {"from": seller})


def dispute(market, order_id, by=None, evidence_cid=EVIDENCE_CID):
    """Open a dispute on a shipped order, by the buyer unless `by` is given."""
    by = by or market.getOrder(order_id)["buyer"]
    return market.openDispute(order_id, evidence_cid, {"from": by})


def confirm(market, order_id):
    """Confirm receipt of a shipped (or disputed) order as its buyer."""
    buyer = market.getOrder(order_id)["buyer"]
    return market.confirmReceipt(order_id, {"from": buyer})


def complete(market, listing_id, buyer, quantity=1, token=None):
    """Place, ship and confirm an order; return its id."""
    order_id = place_order(market, listing_id, buyer, quantity, token)
    ship(market, order_id)
    confirm(market, order_id)
    return order_id


def sleep_past(deadline):
    """Move the chain so that the latest block, and every later one, is strictly after `deadline`."""
    while chain[-1].timestamp <= deadline:
        chain.sleep(deadline - chain[-1].timestamp + 1)
        chain.mine()


def next_block_at(timestamp):
    """Make the next transaction's block carry exactly `timestamp`, to test a deadline boundary.

    `chain.sleep` only moves time forward by at least the given seconds; anvil's
    `evm_setNextBlockTimestamp` pins the second exactly.
    """
    web3.provider.make_request("evm_setNextBlockTimestamp", [int(timestamp)])


def assert_event(tx, name, expected):
    """`tx` emitted exactly one `name` event, with exactly the fields in `expected`."""
    assert name in tx.events
    assert len(tx.events[name]) == 1
    assert dict(tx.events[name][0]) == expected


def unauthorized(account, role):
    """OpenZeppelin's `AccessControlUnauthorizedAccount(account, role)` as Brownie renders it (the
    bytes32 role as a Python bytes literal)."""
    return custom_error("AccessControlUnauthorizedAccount", account, str(bytes(HexBytes(role))))
