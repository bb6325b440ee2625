"""Stateful test: random sequences of purchases, refunds, shipping, releases, disputes and
withdrawals by several buyers and both sellers, checked against a Python model after every step.

After each step, for ETH and for USD: the market's balance equals the amounts escrowed by open
orders plus every account's credit, which equals `liabilities(asset)`; each account's credit
matches the model; every listing's stock matches the model and is never negative.
"""
from collections import defaultdict

import requests
from brownie import chain, web3
from brownie.test import strategy
from hypothesis import strategies as hst

from tests.conftest import ETH, ETH_PRICE, FEE_BPS, USD, USD_PRICE
from tests.marketplace.orders import OPEN_STATES, State, fee_of, sleep_past

STOCK = 8
SETTINGS = {"stateful_step_count": 25, "max_examples": 30}
REFUNDED_STATES = (State.CANCELLED, State.REJECTED, State.RECLAIMED)  # units back in stock
DISPUTE_MARGIN = 60  # seconds left before confirm-by for a dispute to be sure to land in time


def read_batch(calls):
    """Run view calls, each `(contract, method name, args)`, in one JSON-RPC batch; decode the results.

    The invariants read about two dozen values after every step; one HTTP round trip instead of
    one per value keeps the whole run to a couple of minutes.
    """
    payload = [
        {
            "jsonrpc": "2.0",
            "id": i,
            "method": "eth_call",
            "params": [{"to": contract.address, "data": getattr(contract, name).encode_input(*args)}, "latest"],
        }
        for i, (contract, name, args) in enumerate(calls)
    ]
    responses = sorted(requests.post(web3.provider.endpoint_uri, json=payload).json(), key=lambda r: r["id"])
    return [
        getattr(contract, name).decode_output(response["result"])
        for (contract, name, _), response in zip(calls, responses)
    ]


class MarketMachine:
    st_listing = strategy("uint8", max_value=3)
    st_account = strategy("uint8", max_value=7)
    st_quantity = strategy("uint8", min_value=1, max_value=3)
    st_pick = strategy("uint16")
    st_bps = strategy("uint16", max_value=10_000)
    st_bool = strategy("bool")
    st_seconds = strategy("uint32", max_value=10 * 24 * 3600)
    st_purchases = hst.lists(hst.tuples(st_listing, st_account, st_quantity), min_size=2, max_size=6)

    def __init__(cls, market, usd, listings, buyers, sellers, treasury, arbiter, releaser):
        cls.market = market
        cls.usd = usd
        cls.listings = listings  # [(listing id, seller, asset, price)]
        cls.buyers = buyers
        cls.sellers = sellers
        cls.treasury = treasury
        cls.arbiter = arbiter
        cls.releaser = releaser
        cls.accounts = list(buyers) + list(sellers) + [treasury]

    def setup(self):
        self.orders = {}  # order id -> dict(buyer, seller, asset, amount, quantity, listing, state, offer)
        self.stock = {listing: STOCK for listing, *_ in self.listings}
        self.credits = defaultdict(int)  # (account address, asset address) -> amount

    # ------------------------------------------------------------ helpers

    def _pick(self, pick, *states):
        """A random existing order in one of `states`, or None if there is none."""
        candidates = [order_id for order_id, order in self.orders.items() if order["state"] in states]
        return candidates[pick % len(candidates)] if candidates else None

    def _credit(self, account, asset, amount):
        self.credits[(str(account), str(asset))] += amount

    def _settle(self, order_id, refund, final_state):
        """Model of the contract's `_split`: refund to the buyer, the rest less the fee to the seller."""
        order = self.orders[order_id]
        seller_gross = order["amount"] - refund
        fee = fee_of(seller_gross, FEE_BPS)
        self._credit(order["buyer"], order["asset"], refund)
        self._credit(order["seller"], order["asset"], seller_gross - fee)
        self._credit(self.treasury, order["asset"], fee)
        order["state"] = final_state
        order["offer"] = 0

    def _refund_in_full(self, order_id, final_state):
        order = self.orders[order_id]
        self._credit(order["buyer"], order["asset"], order["amount"])
        self.stock[order["listing"]] += order["quantity"]
        order["state"] = final_state

    def _assert_state(self, order_id):
        assert self.market.getOrder(order_id)["state"] == self.orders[order_id]["state"]

    def _buy(self, listing, account, quantity):
        listing_id, seller, asset, price = self.listings[listing]
        buyer = self.buyers[account % len(self.buyers)]
        if self.stock[listing_id] < quantity:
            return
        amount = price * quantity
        if asset == ETH:
            tx = self.market.buy(listing_id, quantity, {"from": buyer, "value": amount})
        else:
            tx = self.market.buyWithToken(listing_id, quantity, amount, {"from": buyer})
        order_id = tx.events["OrderPlaced"]["orderId"]
        self.orders[order_id] = {
            "buyer": buyer,
            "seller": seller,
            "asset": asset,
            "amount": amount,
            "quantity": quantity,
            "listing": listing_id,
            "state": State.PAID,
            "offer": 0,
        }
        self.stock[listing_id] -= quantity
        self._assert_state(order_id)

    # ------------------------------------------------------------ buyers

    def initialize_orders(self, purchases="st_purchases"):
        """Every run starts with a few open orders, so the other rules have something to act on."""
        for listing, account, quantity in purchases:
            self._buy(listing, account, quantity)

    def rule_buy(self, listing="st_listing", account="st_account", quantity="st_quantity"):
        self._buy(listing, account, quantity)

    def rule_cancel(self, pick="st_pick"):
        order_id = self._pick(pick, State.PAID)
        if order_id is None:
            return
        self.market.cancelOrder(order_id, {"from": self.orders[order_id]["buyer"]})
        self._refund_in_full(order_id, State.CANCELLED)
        self._assert_state(order_id)

    def rule_reclaim(self, pick="st_pick"):
        order_id = self._pick(pick, State.PAID)
        if order_id is None:
            return
        sleep_past(self.market.getOrder(order_id)["deadline"])
        self.market.reclaimOrder(order_id, {"from": self.orders[order_id]["buyer"]})
        self._refund_in_full(order_id, State.RECLAIMED)
        self._assert_state(order_id)

    def rule_confirm(self, pick="st_pick"):
        order_id = self._pick(pick, State.SHIPPED, State.DISPUTED)
        if order_id is None:
            return
        self.market.confirmReceipt(order_id, {"from": self.orders[order_id]["buyer"]})
        self._settle(order_id, 0, State.COMPLETED)
        self._assert_state(order_id)

    def rule_open_dispute(self, pick="st_pick", by_seller="st_bool"):
        order_id = self._pick(pick, State.SHIPPED)
        if order_id is None:
            return
        if self.market.getOrder(order_id)["deadline"] < chain[-1].timestamp + DISPUTE_MARGIN:
            return
        order = self.orders[order_id]
        party = order["seller"] if by_seller else order["buyer"]
        self.market.openDispute(order_id, "bafkreievidence", {"from": party})
        order["state"] = State.DISPUTED
        self._assert_state(order_id)

    def rule_accept_settlement(self, pick="st_pick"):
        order_id = self._pick(pick, State.DISPUTED)
        if order_id is None or self.orders[order_id]["offer"] == 0:
            return
        refund = self.orders[order_id]["offer"]
        self.market.acceptSettlement(order_id, {"from": self.orders[order_id]["buyer"]})
        self._settle(order_id, refund, State.SETTLED)
        self._assert_state(order_id)

    # ------------------------------------------------------------ sellers

    def rule_reject(self, pick="st_pick"):
        order_id = self._pick(pick, State.PAID)
        if order_id is None:
            return
        self.market.rejectOrder(order_id, {"from": self.orders[order_id]["seller"]})
        self._refund_in_full(order_id, State.REJECTED)
        self._assert_state(order_id)

    def rule_ship(self, pick="st_pick"):
        order_id = self._pick(pick, State.PAID)
        if order_id is None:
            return
        self.market.shipOrder(order_id, "TRACK", {"from": self.orders[order_id]["seller"]})
        self.orders[order_id]["state"] = State.SHIPPED
        self._assert_state(order_id)

    def rule_offer_settlement(self, pick="st_pick", bps="st_bps"):
        order_id = self._pick(pick, State.DISPUTED)
        if order_id is None:
            return
        order = self.orders[order_id]
        refund = max(1, order["amount"] * bps // 10_000)
        self.market.offerSettlement(order_id, refund, {"from": order["seller"]})
        order["offer"] = refund
        assert self.market.getOrder(order_id)["settlementOffer"] == refund

    # ------------------------------------------------------------ anyone, arbiter, time

    def rule_release_expired(self, pick="st_pick"):
        order_id = self._pick(pick, State.SHIPPED)
        if order_id is None:
            return
        sleep_past(self.market.getOrder(order_id)["deadline"])
        self.market.releaseExpired(order_id, {"from": self.releaser})
        self._settle(order_id, 0, State.COMPLETED)
        self._assert_state(order_id)

    def rule_resolve_dispute(self, pick="st_pick", bps="st_bps"):
        order_id = self._pick(pick, State.DISPUTED)
        if order_id is None:
            return
        refund = self.orders[order_id]["amount"] * bps // 10_000
        self.market.resolveDispute(order_id, bps, {"from": self.arbiter})
        self._settle(order_id, refund, State.RESOLVED)
        self._assert_state(order_id)

    def rule_sleep(self, seconds="st_seconds"):
        chain.sleep(seconds)
        chain.mine()

    # ------------------------------------------------------------ payouts

    def rule_withdraw(self, account="st_account", in_usd="st_bool"):
        account = self.accounts[account % len(self.accounts)]
        asset = self.usd if in_usd else ETH
        key = (str(account), str(asset))
        amount = self.credits[key]
        if amount == 0:
            return
        before = self.usd.balanceOf(account) if in_usd else account.balance()
        tx = self.market.withdraw(asset, {"from": account})
        if in_usd:
            assert self.usd.balanceOf(account) == before + amount
        else:
            assert account.balance() == before + amount - tx.gas_used * tx.gas_price
        self.credits[key] = 0

    # ------------------------------------------------------------ invariants

    def invariant_balance_equals_escrow_plus_credits_equals_liabilities(self):
        assets = (ETH, str(self.usd))
        credit_calls = [(self.market, "creditOf", (account, asset)) for asset in assets for account in self.accounts]
        liability_calls = [(self.market, "liabilities", (asset,)) for asset in assets]
        values = read_batch(credit_calls + liability_calls + [(self.usd, "balanceOf", (self.market,))])
        credits, liabilities = values[: len(credit_calls)], values[len(credit_calls) : -1]
        balances = (self.market.balance(), values[-1])
        per_asset = len(self.accounts)
        for i, asset in enumerate(assets):
            escrow = sum(
                order["amount"]
                for order in self.orders.values()
                if order["asset"] == asset and order["state"] in OPEN_STATES
            )
            credited = sum(credits[i * per_asset : (i + 1) * per_asset])
            assert balances[i] == escrow + credited == liabilities[i]

    def invariant_credits_match_the_model(self):
        keys = [(str(account), asset) for asset in (ETH, str(self.usd)) for account in self.accounts]
        credits = read_batch([(self.market, "creditOf", key) for key in keys])
        assert credits == [self.credits[key] for key in keys]

    def invariant_stock_matches_the_model_and_is_never_negative(self):
        listing_ids = [listing_id for listing_id, *_ in self.listings]
        listings = read_batch([(self.market, "getListing", (i,)) for i in listing_ids])
        for listing_id, listing in zip(listing_ids, listings):
            kept = sum(
                order["quantity"]
                for order in self.orders.values()
                if order["listing"] == listing_id and order["state"] not in REFUNDED_STATES
            )
            assert listing["stock"] == self.stock[listing_id] >= 0
            assert listing["stock"] + kept == STOCK  # units are neither lost nor created


def test_market_accounting_holds_under_random_actions(
    state_machine, market, usd, admin, seller, other_seller, treasury, arbiter, accounts
):
    buyers = accounts[5:10]  # buyer, stranger, relayer and two more
    listings = []
    for account in (seller, other_seller):
        for asset, price in ((ETH, ETH_PRICE), (usd, USD_PRICE)):
            tx = market.list(price, asset, STOCK, 0, 0, "bafkreiinvariant", {"from": account})
            listings.append((tx.events["Listed"]["listingId"], account, str(asset), price))
    for buyer in buyers:
        if usd.balanceOf(buyer) < 1_000 * USD:
            usd.mint(buyer, 1_000 * USD, {"from": admin})
        usd.approve(market, 2**256 - 1, {"from": buyer})

    sellers = (seller, other_seller)
    releaser = admin  # anyone may release; the admin is never credited, so a stray credit would show
    state_machine(MarketMachine, market, usd, listings, buyers, sellers, treasury, arbiter, releaser, settings=SETTINGS)
