"""The platform state machine: the Marketplace, ProvenanceToken and CopyrightRegistry driven
together by one random sequence of actions, checked against the model after every step.

Brownie runs it (`brownie.test.state_machine`): `__init__` runs once per run, as a class method,
with the world built by the fixtures; `setup` starts each example from the world's snapshot and a
fresh copy of its model.
"""
from collections import Counter

from scripts.signing import local_key
from tests.fuzz.actions import Actions
from tests.fuzz.admin_rules import AdminRules
from tests.fuzz.copyright_rules import CopyrightRules
from tests.fuzz.invariants import Invariants
from tests.fuzz.ledger import ETH
from tests.fuzz.market_rules import MarketRules
from tests.fuzz.provenance_rules import ProvenanceRules
from tests.fuzz.wallet_rules import WalletRules

stats = Counter()  # across every example of a test run: steps, transactions, reverts asserted, ...
outcomes = Counter()  # "Contract.function -> ok" or "-> ErrorName": how often each action ended so


class PlatformMachine(AdminRules, MarketRules, ProvenanceRules, CopyrightRules, WalletRules, Invariants, Actions):
    def __init__(cls, world, accounts):
        cls.world = world
        cls.stats = stats
        cls.outcomes = outcomes
        contracts = world.contracts
        cls.market, cls.provenance, cls.registry = contracts["market"], contracts["provenance"], contracts["registry"]
        cls.forwarder = contracts["forwarder"]
        cls.contract_at = {c.address: c for c in contracts.values()}
        tokens = [contracts["usd"], contracts["eur"], contracts["jpy"]]
        cls.assets = [ETH] + [token.address for token in tokens]
        cls.token_at = {token.address: token for token in tokens}
        cls.arbiter_role = str(cls.market.ARBITER_ROLE())
        cls.role_ids = {
            "arbiter": cls.arbiter_role,
            "producer": str(cls.provenance.PRODUCER_ROLE()),
            "logistics": str(cls.provenance.LOGISTICS_ROLE()),
            "marketplace": str(cls.provenance.MARKETPLACE_ROLE()),
        }

        roles = {name: str(account) for name, account in world.roles.items()}
        for name, address in roles.items():
            setattr(cls, name, address)
        cls.accounts_by_address = {str(a): a for a in world.roles.values()}
        cls.everyone = list(dict.fromkeys(roles.values()))
        cls.buyers = [cls.buyer, cls.stranger, cls.relayer, cls.other_seller]
        cls.sellers_pool = [cls.seller, cls.other_seller, cls.newcomer]
        cls.creators = [cls.creator, cls.role_producer, cls.buyer]
        cls.licensees = [cls.buyer, cls.stranger, cls.relayer, cls.courier, cls.other_seller]
        cls.treasuries = [cls.treasury, cls.second_treasury]
        unlocked = [str(a) for a in accounts][:10]
        cls.keys = {
            address: local_key(unlocked.index(address)) if address in unlocked else account.private_key
            for address, account in cls.accounts_by_address.items()
        }

        model = world.model
        cls.totals = {  # per asset, in wallets, in both contracts, and (ETH) burned as gas
            asset: model.ledger.total(asset)
            + model.market.liabilities(asset)
            + model.market.surplus[asset]
            + model.copyright.liabilities(asset)
            + model.copyright.surplus[asset]
            + (model.ledger.gas if asset == ETH else 0)
            for asset in cls.assets
        }

    def setup(self):
        self.stats["examples"] += 1
        self.model = self.world.model.copy()
        self.trail_events = {token: list(events) for token, events in self.world.trail_events.items()}
        self.next_log_block = self.world.block + 1
        self.states_seen = {order.id: list(order.history) for order in self.model.market.orders.values()}
