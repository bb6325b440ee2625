"""The fuzzer's model of the Marketplace: sellers, listings, escrowed orders, credits.

Each `*_error` method names the custom error the contract must raise for an action, checking in
the contract's own order, or returns None when the action must succeed; the other methods apply a
successful action. The model never reads the chain: the invariants compare it with the chain.
"""
from collections import Counter, deque
from dataclasses import dataclass, field
from enum import IntEnum

from tests.fuzz.ledger import ETH
from tests.marketplace.orders import OPEN_STATES, State, fee_of, unauthorized
from tests.reverts import custom_error

BPS = 10_000
MAX_FEE_BPS = 1_000
MIN_WINDOW = 3600
MAX_WINDOW = 180 * 24 * 3600
DEFAULT_SHIP_WINDOW = 7 * 24 * 3600
DEFAULT_CONFIRM_WINDOW = 14 * 24 * 3600
MAX_TOKENS_PER_CALL = 100
ADMIN_ROLE = "0x" + "00" * 32
REFUNDED_STATES = (State.CANCELLED, State.REJECTED, State.RECLAIMED)
FINAL_WITH_PAYOUT = (State.COMPLETED, State.SETTLED, State.RESOLVED)

# The order lifecycle of IMarketplace.OrderState: every edge an order may take, and no other.
ALLOWED_EDGES = frozenset(
    {
        (State.NONE, State.PAID),
        (State.PAID, State.SHIPPED),
        (State.PAID, State.CANCELLED),
        (State.PAID, State.REJECTED),
        (State.PAID, State.RECLAIMED),
        (State.SHIPPED, State.COMPLETED),
        (State.SHIPPED, State.DISPUTED),
        (State.DISPUTED, State.COMPLETED),
        (State.DISPUTED, State.SETTLED),
        (State.DISPUTED, State.RESOLVED),
    }
)


class SellerStatus(IntEnum):
    NONE = 0
    APPLIED = 1
    APPROVED = 2
    SUSPENDED = 3


@dataclass
class Listing:
    id: int
    seller: str
    asset: str
    price: int
    stock: int
    ship_window: int
    confirm_window: int
    traced: bool = False
    paused: bool = False
    order_count: int = 0
    units: int = 0  # units ever put up for sale: what was listed, never less than what was sold
    pool: deque = field(default_factory=deque)  # traced: the tokens still for sale, next first


@dataclass
class Order:
    id: int
    listing: int
    buyer: str
    seller: str
    asset: str
    quantity: int
    amount: int
    fee_bps: int
    deadline: int
    state: State = State.PAID
    offer: int = 0
    reviewed: bool = False
    tokens: tuple = ()
    history: list = field(default_factory=lambda: [State.NONE, State.PAID])


def order_id_for(buyer, listing_id, sequence):
    return (int(buyer, 16) << 96) | (listing_id << 32) | sequence


def window_error(window):
    if window != 0 and not MIN_WINDOW <= window <= MAX_WINDOW:
        return custom_error("MarketplaceInvalidWindow", window)
    return None


class MarketModel:
    def __init__(self, address, admins, arbiters, treasury, fee_bps, ledger):
        self.address = address
        self.admins = set(admins)
        self.arbiters = set(arbiters)
        self.treasury = treasury
        self.fee_bps = fee_bps
        self.ledger = ledger
        self.provenance = None  # the ProvenanceModel, set once both exist
        self.paused = False
        self.allowed = {ETH}
        self.sellers = {}  # account -> SellerStatus
        self.ratings = Counter()  # seller -> (count, sum) as two keys
        self.listings = {}
        self.orders = {}
        self.credits = Counter()  # (account, asset) -> amount
        self.surplus = Counter()  # asset -> amount sent to the contract outside any purchase
        self.listing_count = 0

    # ------------------------------------------------------------ views of the model

    def status(self, account):
        return self.sellers.get(account, SellerStatus.NONE)

    def is_active_seller(self, account):
        return self.status(account) == SellerStatus.APPROVED

    def escrow(self, asset):
        return sum(o.amount for o in self.orders.values() if o.asset == asset and o.state in OPEN_STATES)

    def credited(self, asset):
        return sum(amount for (_, held), amount in self.credits.items() if held == asset)

    def liabilities(self, asset):
        return self.escrow(asset) + self.credited(asset)

    def kept_units(self, listing_id):
        """Units of a listing that orders took and did not give back."""
        return sum(
            o.quantity for o in self.orders.values() if o.listing == listing_id and o.state not in REFUNDED_STATES
        )

    def orders_in(self, *states):
        return [o for o in self.orders.values() if o.state in states]

    # ------------------------------------------------------------ admin

    def admin_error(self, account):
        if account not in self.admins:
            return unauthorized(account, ADMIN_ROLE)
        return None

    def fee_error(self, account, fee_bps):
        return self.admin_error(account) or (
            custom_error("MarketplaceInvalidFee", fee_bps, MAX_FEE_BPS) if fee_bps > MAX_FEE_BPS else None
        )

    def suspend_error(self, admin, account):
        return self.admin_error(admin) or (
            custom_error("MarketplaceUnknownSeller", account) if self.status(account) == SellerStatus.NONE else None
        )

    def apply_error(self, account):
        status = self.status(account)
        if status not in (SellerStatus.NONE, SellerStatus.APPLIED):
            return custom_error("MarketplaceAlreadySeller", account)
        return None

    def sweep_error(self, admin, asset):
        if error := self.admin_error(admin):
            return error
        if self.surplus[asset] == 0:
            return custom_error("MarketplaceNothingToWithdraw", self.address, asset)
        return None

    # ------------------------------------------------------------ listings

    def list_error(self, account, price, asset, ship_window, confirm_window):
        if self.paused:
            return custom_error("MarketplacePaused")
        if not self.is_active_seller(account):
            return custom_error("MarketplaceSellerNotActive", account)
        if price == 0 or price >= 2**96:
            return custom_error("MarketplaceInvalidPrice", price)
        if asset not in self.allowed:
            return custom_error("MarketplaceAssetNotAllowed", asset)
        return window_error(ship_window) or window_error(confirm_window)

    def tokens_error(self, seller, token_ids):
        """`_addTokens`: the pool takes tokens the seller holds, unlisted and not recalled."""
        if not token_ids or len(token_ids) > MAX_TOKENS_PER_CALL:
            return custom_error("MarketplaceInvalidTokenCount", len(token_ids))
        seen = set()
        for token_id in token_ids:
            token = self.provenance.tokens.get(token_id)
            if token_id in seen or (token is not None and token.listed):
                return custom_error("MarketplaceTokenAlreadyListed", token_id)
            if token is None:
                return custom_error("ERC721NonexistentToken", token_id)
            if token.holder != seller:
                return custom_error("MarketplaceNotTokenHolder", token_id, seller)
            if token.recalled:
                return custom_error("MarketplaceTokenRecalled", token_id)
            seen.add(token_id)
        return None

    def add_listing(self, seller, asset, price, stock, ship_window, confirm_window, token_ids=()):
        self.listing_count += 1
        listing = Listing(
            id=self.listing_count,
            seller=seller,
            asset=asset,
            price=price,
            stock=stock,
            ship_window=ship_window or DEFAULT_SHIP_WINDOW,
            confirm_window=confirm_window or DEFAULT_CONFIRM_WINDOW,
            traced=bool(token_ids),
            units=stock,
        )
        self.listings[listing.id] = listing
        if token_ids:
            self.add_tokens(listing, token_ids)
        return listing

    def own_listing_error(self, account, listing_id):
        listing = self.listings.get(listing_id)
        if listing is None:
            return custom_error("MarketplaceUnknownListing", listing_id)
        if listing.seller != account:
            return custom_error("MarketplaceNotListingSeller", listing_id, account)
        return None

    def add_tokens_error(self, account, listing_id, token_ids):
        if error := self.own_listing_error(account, listing_id):
            return error
        if not self.listings[listing_id].traced:
            return custom_error("MarketplaceNotTracedListing", listing_id)
        return self.tokens_error(account, token_ids)

    def add_tokens(self, listing, token_ids):
        for token_id in token_ids:
            self.provenance.tokens[token_id].listed = True
            listing.pool.append(token_id)
        listing.stock += len(token_ids)
        listing.units += len(token_ids)

    def set_price_error(self, account, listing_id, price):
        return self.own_listing_error(account, listing_id) or (
            custom_error("MarketplaceInvalidPrice", price) if price == 0 or price >= 2**96 else None
        )

    def set_stock_error(self, account, listing_id):
        if error := self.own_listing_error(account, listing_id):
            return error
        if self.listings[listing_id].traced:
            return custom_error("MarketplaceTracedListingStock", listing_id)
        return None

    def set_stock(self, listing, stock):
        listing.stock = stock
        listing.units = self.kept_units(listing.id) + stock

    # ------------------------------------------------------------ purchases

    def purchase_error(self, listing_id, buyer, quantity, max_total):
        """`_checkPurchase` and the amount checks of `_placeOrder`, in the contract's order."""
        if self.paused:
            return custom_error("MarketplacePaused")
        listing = self.listings.get(listing_id)
        if listing is None:
            return custom_error("MarketplaceUnknownListing", listing_id)
        if listing.paused:
            return custom_error("MarketplaceListingPaused", listing_id)
        if quantity == 0:
            return custom_error("MarketplaceZeroQuantity")
        if quantity > listing.stock:
            return custom_error("MarketplaceInsufficientStock", listing_id, quantity, listing.stock)
        if not self.is_active_seller(listing.seller):
            return custom_error("MarketplaceSellerNotActive", listing.seller)
        if buyer == listing.seller:
            return custom_error("MarketplaceSelfPurchase", listing.seller)
        if listing.asset not in self.allowed:
            return custom_error("MarketplaceAssetNotAllowed", listing.asset)
        amount = listing.price * quantity
        if amount > max_total:
            return custom_error("MarketplacePriceAboveMaximum", amount, max_total)
        return None

    def eth_purchase_error(self, listing_id, buyer, quantity, value):
        if error := self.purchase_error(listing_id, buyer, quantity, 2**256 - 1):
            return error
        listing = self.listings[listing_id]
        if listing.asset != ETH:
            return custom_error("MarketplaceWrongPaymentAsset", listing_id, ETH)
        if value != listing.price * quantity:
            return custom_error("MarketplaceIncorrectPayment", listing.price * quantity, value)
        if self.ledger.wallets[(buyer, ETH)] < value:
            raise AssertionError("a buyer ran out of ETH: give the fuzz accounts more")
        return None

    def token_purchase_error(self, listing_id, buyer, quantity, max_total, with_permit):
        if error := self.purchase_error(listing_id, buyer, quantity, max_total):
            return error
        listing = self.listings[listing_id]
        if listing.asset == ETH:
            return custom_error("MarketplaceWrongPaymentAsset", listing_id, ETH)
        amount = listing.price * quantity
        if with_permit:  # the permit sets the allowance to the amount; only the balance can fail
            return self.ledger.transfer_error(buyer, listing.asset, amount)
        return self.ledger.pull_error(buyer, listing.asset, self.address, amount)

    def place_order(self, listing_id, buyer, quantity, ship_by, with_permit=False):
        listing = self.listings[listing_id]
        listing.stock -= quantity
        listing.order_count += 1
        tokens = tuple(listing.pool.popleft() for _ in range(quantity)) if listing.traced else ()
        order = Order(
            id=order_id_for(buyer, listing_id, listing.order_count),
            listing=listing_id,
            buyer=buyer,
            seller=listing.seller,
            asset=listing.asset,
            quantity=quantity,
            amount=listing.price * quantity,
            fee_bps=self.fee_bps,
            deadline=ship_by,
            tokens=tokens,
        )
        self.orders[order.id] = order
        if order.asset == ETH:
            self.ledger.pay(buyer, ETH, order.amount)
        else:
            if with_permit:
                self.ledger.approve(buyer, order.asset, self.address, order.amount)
            self.ledger.pull(buyer, order.asset, self.address, order.amount)
        return order

    # ------------------------------------------------------------ order steps

    def order_error(self, order_id, account, role, *states):
        """`_orderForBuyer`, `_orderForSeller`, `_orderForParty` or `_existingOrder`, then the state."""
        order = self.orders.get(order_id)
        if order is None:
            return custom_error("MarketplaceUnknownOrder", order_id)
        if role == "buyer" and account != order.buyer:
            return custom_error("MarketplaceNotBuyer", order_id, account)
        if role == "seller" and account != order.seller:
            return custom_error("MarketplaceNotSeller", order_id, account)
        if role == "party" and account not in (order.buyer, order.seller):
            return custom_error("MarketplaceNotParty", order_id, account)
        if order.state not in states:
            return custom_error("MarketplaceInvalidOrderState", order_id, order.state)
        return None

    def move(self, order, state):
        assert (order.state, state) in ALLOWED_EDGES, f"the model moved order {order.id} {order.state!r} -> {state!r}"
        order.state = state
        order.history.append(state)

    def refund_in_full(self, order, state):
        listing = self.listings[order.listing]
        listing.stock += order.quantity
        listing.pool.extend(order.tokens)
        self.move(order, state)
        order.deadline = 0
        self.credits[(order.buyer, order.asset)] += order.amount

    def split(self, order, refund, state):
        """`_split`: the refund to the buyer, the rest less the order's fee to the seller, the fee to
        the treasury of the day; a traced order's tokens go to the buyer unless fully refunded.
        Returns the tokens delivered and those that could not move (the seller no longer holds
        them, they were recalled, or the Marketplace lost its MARKETPLACE_ROLE)."""
        gross = order.amount - refund
        fee = fee_of(gross, order.fee_bps)
        self.credits[(order.buyer, order.asset)] += refund
        self.credits[(order.seller, order.asset)] += gross - fee
        self.credits[(self.treasury, order.asset)] += fee
        self.move(order, state)
        order.deadline = 0
        order.offer = 0
        delivered, undelivered = [], []
        for token_id in order.tokens:
            token = self.provenance.tokens[token_id]
            token.listed = False
            if refund == order.amount:
                continue
            if self.provenance.can_deliver(token, order.seller):
                self.provenance.record_sale(token, order.buyer)
                delivered.append(token_id)
            else:
                undelivered.append(token_id)
        return delivered, undelivered

    def review_error(self, order_id, account, rating):
        if error := self.order_error(order_id, account, "buyer", *FINAL_WITH_PAYOUT):
            return error
        if self.orders[order_id].reviewed:
            return custom_error("MarketplaceAlreadyReviewed", order_id)
        if not 1 <= rating <= 5:
            return custom_error("MarketplaceInvalidRating", rating)
        return None

    def resolve_error(self, order_id, account, buyer_bps, arbiter_role):
        if account not in self.arbiters:
            return unauthorized(account, arbiter_role)
        if error := self.order_error(order_id, account, "anyone", State.DISPUTED):
            return error
        if buyer_bps > BPS:
            return custom_error("MarketplaceInvalidSplit", buyer_bps)
        return None

    # ------------------------------------------------------------ payouts

    def withdraw_error(self, account, asset):
        if self.credits[(account, asset)] == 0:
            return custom_error("MarketplaceNothingToWithdraw", account, asset)
        return None

    def withdraw(self, account, asset, to):
        amount = self.credits.pop((account, asset))
        self.ledger.receive(to, asset, amount)
        return amount
