"""The world every fuzz run starts from, built once on chain and in the model side by side.

Three payment assets besides ETH: tUSD (6 decimals) and tEUR (18 decimals) are allow-listed,
tJPY (0 decimals) never is, so it only ever arrives by mistake. Every account of the cast holds
all three; some approved the contracts for good, others pay with permits or approve as they go.
On chain and in the model: listings in ETH, tUSD and tEUR, a traced listing of four provenance
tokens, orders in every open state (one disputed with a settlement offer), two works with license
offers in ETH, tUSD and tEUR, and a license bought from each offer.
"""
from copy import deepcopy
from dataclasses import dataclass, field

from brownie import chain

from tests.fuzz.chain_reads import Batch
from tests.fuzz.copyright_model import CopyrightModel
from tests.fuzz.ledger import ETH, MAX_UINT256, Ledger
from tests.fuzz.market_model import MarketModel, SellerStatus, State
from tests.fuzz.provenance_model import ProvenanceModel

UNITS = {"tUSD": 10**6, "tEUR": 10**18, "tJPY": 1}
HOLDING = 10_000  # of each stablecoin, per account
CID = "bafkreifuzzworld"
FACTORY = "urn:epc:id:sgln:4012345.00001.0"


@dataclass
class Model:
    ledger: Ledger
    market: MarketModel
    provenance: ProvenanceModel
    copyright: CopyrightModel

    def copy(self):
        """A deep copy that keeps the models' references to one another."""
        return deepcopy(self)


@dataclass
class World:
    contracts: dict
    roles: dict  # role name -> account
    model: Model
    trail_events: dict = field(default_factory=dict)  # token id -> its TrailEvents so far
    block: int = 0  # the block runs start from


def build_world(contracts, roles):
    """Create the starting state on chain and return it with its model. `contracts` has market,
    provenance, registry, usd, eur, jpy; `roles` names the accounts (see `tests/fuzz/conftest.py`)."""
    market, provenance, registry = contracts["market"], contracts["provenance"], contracts["registry"]
    usd, eur, jpy = contracts["usd"], contracts["eur"], contracts["jpy"]
    admin, seller, other_seller = roles["admin"], roles["seller"], roles["other_seller"]
    everyone = list(dict.fromkeys(roles.values()))

    as_admin = {"from": admin}
    market.setAssetAllowed.transact(eur, True, as_admin, silent=True)
    for token in (usd, eur, jpy):
        for account in everyone:
            missing = HOLDING * UNITS[token.symbol()] - token.balanceOf(account)
            if missing > 0:
                token.mint.transact(account, missing, as_admin, silent=True)
    allowances = {}
    for account in (roles["buyer"], roles["stranger"], other_seller, roles["creator"], roles["courier"]):
        for token in (usd, eur):
            for spender in (market, registry):
                token.approve.transact(spender, MAX_UINT256, {"from": account}, silent=True)
                allowances[(str(account), token.address, spender.address)] = MAX_UINT256

    # From here on every transaction is booked in the model as well, gas included.
    model = _empty_model(contracts, roles, allowances)
    _read_wallets(model.ledger, everyone, (usd, eur, jpy))
    world = _Builder(model, everyone)
    world.list(market, seller, 10**17, ETH, 5, 0, 0)
    world.list(market, seller, 25 * 10**6, usd.address, 5, 3600, 3600)  # a digital good: one-hour windows
    world.list(market, other_seller, 20 * 10**18, eur.address, 5, 0, 0)
    minted = [world.mint(provenance, seller) for _ in range(5)] + [world.mint(provenance, roles["role_producer"])]
    world.send(seller, market.listTraced, 5 * 10**16, ETH, minted[:4], 0, 0, CID)
    model.market.add_listing(str(seller), ETH, 5 * 10**16, 0, 0, 0, minted[:4])

    # Orders in every open state, so that every order step has something to act on from the start.
    world.buy(market, roles["buyer"], 1, 1)
    shipped = world.buy(market, roles["stranger"], 2, 2)
    disputed = world.buy(market, roles["buyer"], 3, 1)
    world.buy(market, roles["relayer"], 4, 1)
    shipped_traced = world.buy(market, roles["stranger"], 4, 1)
    for order in (shipped, disputed, shipped_traced):
        tx = world.send(order.seller, market.shipOrder, order.id, "TRACK-0")
        model.market.move(order, State.SHIPPED)
        order.deadline = tx.timestamp + model.market.listings[order.listing].confirm_window
    world.send(disputed.buyer, market.openDispute, disputed.id, CID)
    model.market.move(disputed, State.DISPUTED)
    disputed.offer = disputed.amount // 2
    world.send(disputed.seller, market.offerSettlement, disputed.id, disputed.offer)

    creator = roles["creator"]
    content_hash = b"\x01" * 32
    world.send(creator, registry.registerWork, content_hash, CID, "Sunrise", CID, 500)
    model.copyright.register(str(creator), content_hash)
    offers = ((ETH, 10**16, 30 * 24 * 3600, 0, True), (usd.address, 10 * 10**6, 0, 3, False))
    for asset, price, duration, cap, transferable in offers:
        world.send(creator, registry.createOffer, 1, asset, price, duration, cap, True, transferable, CID)
        model.copyright.create_offer(1, asset, price, duration, cap, transferable)
    producer = roles["role_producer"]
    content_hash = b"\x02" * 32
    world.send(producer, registry.registerWork, content_hash, CID, "Harvest", CID, 0)
    model.copyright.register(str(producer), content_hash)
    world.send(producer, registry.createOffer, 2, eur.address, 5 * 10**18, 7 * 24 * 3600, 0, False, True, CID)
    model.copyright.create_offer(2, eur.address, 5 * 10**18, 7 * 24 * 3600, 0, True)
    for licensee, offer_id in ((roles["buyer"], 1), (roles["stranger"], 2), (other_seller, 3)):
        value = model.copyright.offers[offer_id].price if offer_id == 1 else 0  # offer 1 is in ETH
        tx = world.send(licensee, registry.buyLicense, offer_id, value=value)
        expires, _, _ = model.copyright.buy(offer_id, str(licensee), tx.timestamp)
        assert tx.events["LicenseIssued"]["expiresAt"] == expires

    batch = Batch()
    logs = batch.trail_logs(provenance, 0)
    batch.run()
    built = World(contracts=contracts, roles=roles, model=model, block=chain.height)
    for event in batch.result(logs):
        built.trail_events.setdefault(event.token_id, []).append(event)
    return built


class _Builder:
    """Sends the world's transactions and books each one in the model, gas included."""

    def __init__(self, model, accounts):
        self.model = model
        self.accounts = {str(account): account for account in accounts}

    def send(self, sender, fn, *args, value=0):
        tx = fn.transact(*args, {"from": self.accounts[str(sender)], "value": value}, silent=True)
        self.model.ledger.pay_gas(str(sender), tx.gas_used * tx.gas_price)
        return tx

    def list(self, market, seller, price, asset, stock, ship_window, confirm_window):
        self.send(seller, market.list, price, asset, stock, ship_window, confirm_window, CID)
        self.model.market.add_listing(str(seller), asset, price, stock, ship_window, confirm_window)

    def mint(self, provenance, producer):
        tx = self.send(producer, provenance.mint, CID, "LOT-1", FACTORY)
        token = self.model.provenance.mint(str(producer))
        assert tx.events["ProvenanceMinted"]["tokenId"] == token.id
        return token.id

    def buy(self, market, buyer, listing_id, quantity):
        listing = self.model.market.listings[listing_id]
        amount = listing.price * quantity
        if listing.asset == ETH:
            tx = self.send(buyer, market.buy, listing_id, quantity, value=amount)
        else:
            tx = self.send(buyer, market.buyWithToken, listing_id, quantity, amount)
        order = self.model.market.place_order(listing_id, str(buyer), quantity, tx.timestamp + listing.ship_window)
        assert tx.events["OrderPlaced"]["orderId"] == order.id
        return order


def _empty_model(contracts, roles, allowances):
    market = contracts["market"]
    ledger = Ledger({}, allowances)
    market_model = MarketModel(
        address=market.address,
        admins=[str(roles["admin"])],
        arbiters=[str(roles["arbiter"])],
        treasury=str(roles["treasury"]),
        fee_bps=int(market.feeBps()),
        ledger=ledger,
    )
    market_model.allowed |= {contracts["usd"].address, contracts["eur"].address}
    for seller in (roles["seller"], roles["other_seller"]):
        market_model.sellers[str(seller)] = SellerStatus.APPROVED
    provenance = contracts["provenance"]
    provenance_model = ProvenanceModel(
        market_model,
        producers=[str(roles["role_producer"])],
        logistics=[str(roles["carrier"])],
        marketplace_role=str(provenance.MARKETPLACE_ROLE()),
    )
    market_model.provenance = provenance_model
    registry = contracts["registry"]
    copyright_model = CopyrightModel(
        address=registry.address,
        admins=[str(roles["admin"])],
        treasury=str(registry.treasury()),
        fee_bps=int(registry.feeBps()),
        market=market_model,
        ledger=ledger,
    )
    return Model(ledger, market_model, provenance_model, copyright_model)


def _read_wallets(ledger, everyone, tokens):
    for account in everyone:
        ledger.wallets[(str(account), ETH)] = int(account.balance())
        for token in tokens:
            ledger.wallets[(str(account), token.address)] = int(token.balanceOf(account))
