"""What must hold after every step, read from the chain in one batch and compared with the model.

- Value: per asset (ETH, tUSD, tEUR, tJPY), each contract's balance is its escrow plus credits
  (plus accrued fees, for the registry) plus what was sent to it by mistake, and its
  `liabilities` view agrees; every account's credit and wallet is what the model says; the sum
  over all wallets and both contracts, plus the gas paid, never changes.
- Orders: each order's state is the model's, and every change the chain showed was an allowed edge.
- Stock: never negative; what orders kept plus what is left is what was listed; a traced
  listing's pool is the model's, and no token is in two pools or orders at once.
- Licenses: no account holds a valid license for a revoked work; validity matches the model.
- Provenance: every trail's logs, recomputed with `chainmart.provenance`, give the head and count
  `trailOf` stores; the count and the holder are the model's.
"""
from chainmart.provenance import verify_token, verify_trail
from tests.fuzz.actions import TIME_MARGIN
from tests.fuzz.chain_reads import Batch
from tests.fuzz.ledger import ETH
from tests.fuzz.market_model import ALLOWED_EDGES, State

FULL_TRAIL_CHECK_EVERY = 25  # steps between checks that also refetch every trail through verify_token


class Invariants:
    def invariant_platform(self):
        self.stats["invariant checks"] += 1
        batch = Batch()
        reads = self._request_reads(batch)
        batch.run()
        get = batch.result
        number, now = get(reads["block"])
        self._check_value(get, reads)
        self._check_orders(get, reads)
        self._check_listings(get, reads)
        self._check_licenses(get, reads, now)
        self._check_provenance(get, reads, number)
        if self.stats["invariant checks"] % FULL_TRAIL_CHECK_EVERY == 0:
            for token_id in self.model.provenance.tokens:
                assert verify_token(self.provenance, token_id).ok

    # ------------------------------------------------------------ reads

    def _request_reads(self, batch):
        m = self.model
        contracts = (("market", self.market), ("registry", self.registry))
        assets, everyone = self.assets, self.everyone
        reads = {
            "block": batch.latest_block(),
            # from the last block already read (anvil refuses a range that starts past the head)
            "logs": batch.trail_logs(self.provenance, self.next_log_block - 1),
            "wallets": {(a, asset): self._balance_read(batch, asset, a) for a in everyone for asset in assets},
            "held": {(n, asset): self._balance_read(batch, asset, c.address) for n, c in contracts for asset in assets},
            "liabilities": {(n, asset): batch.call(c, "liabilities", asset) for n, c in contracts for asset in assets},
            "credits": {
                (n, a, asset): batch.call(c, "creditOf", a, asset)
                for n, c in contracts
                for a in everyone
                for asset in assets[:3]  # tJPY is never allowed, so never credited: liabilities show it
            },
            "fees": {asset: batch.call(self.registry, "accruedFees", asset) for asset in assets},
            "orders": {order_id: batch.call(self.market, "getOrder", order_id) for order_id in m.market.orders},
            "listings": {lid: batch.call(self.market, "getListing", lid) for lid in m.market.listings},
            "pools": {i: batch.call(self.market, "listingTokens", i) for i, l in m.market.listings.items() if l.traced},
            "owners": {t: batch.call(self.provenance, "ownerOf", t) for t in m.provenance.tokens},
            "trails": {t: batch.call(self.provenance, "trailOf", t) for t in m.provenance.tokens},
            "recalled": {t: batch.call(self.provenance, "isRecalled", t) for t in m.provenance.tokens},
            "works": {w: batch.call(self.registry, "getWork", w) for w in m.copyright.works},
            "offers": {o: batch.call(self.registry, "getOffer", o) for o in m.copyright.offers},
            "valid": {
                (w, a): batch.call(self.registry, "isLicenseValid", a, w)
                for w in m.copyright.works
                for a in self.licensees
            },
            "sellers": {a: batch.call(self.market, "getSeller", a) for a in self.sellers_pool},
            "paused": batch.call(self.market, "paused"),
        }
        return reads

    def _balance_read(self, batch, asset, account):
        if asset == ETH:
            return batch.eth_balance(account)
        return batch.call(self.token_at[asset], "balanceOf", account)

    # ------------------------------------------------------------ value

    def _check_value(self, get, reads):
        m = self.model
        parts = {"market": m.market, "registry": m.copyright}
        for (account, asset), handle in reads["wallets"].items():
            assert get(handle) == m.ledger.wallets[(account, asset)], f"wallet of {account} in {asset}"
        for (name, account, asset), handle in reads["credits"].items():
            assert get(handle) == parts[name].credits[(account, asset)], f"{name} credit of {account} in {asset}"
        for asset in self.assets:
            market_held = get(reads["held"][("market", asset)])
            registry_held = get(reads["held"][("registry", asset)])
            escrow, credited = m.market.escrow(asset), m.market.credited(asset)
            assert get(reads["liabilities"][("market", asset)]) == escrow + credited, f"market liabilities in {asset}"
            assert market_held == escrow + credited + m.market.surplus[asset], f"market balance in {asset}"
            assert get(reads["fees"][asset]) == m.copyright.fees[asset], f"license fees in {asset}"
            owed = m.copyright.liabilities(asset)
            assert get(reads["liabilities"][("registry", asset)]) == owed, f"registry liabilities in {asset}"
            assert registry_held == owed + m.copyright.surplus[asset], f"registry balance in {asset}"
            wallets = sum(get(reads["wallets"][(a, asset)]) for a in self.everyone)
            burned = m.ledger.gas if asset == ETH else 0
            assert wallets + market_held + registry_held + burned == self.totals[asset], f"{asset} created or lost"
        assert get(reads["paused"]) == m.market.paused

    # ------------------------------------------------------------ orders and stock

    def _check_orders(self, get, reads):
        for order_id, handle in reads["orders"].items():
            view = get(handle)
            order = self.model.market.orders[order_id]
            state = State(view[7])
            seen = self.states_seen.setdefault(order_id, [State.NONE])
            if state != seen[-1]:
                assert (seen[-1], state) in ALLOWED_EDGES, f"order {order_id:#x} went {seen[-1]!r} -> {state!r}"
                seen.append(state)
            assert state == order.state, f"order {order_id:#x} is {state!r} on chain, {order.state!r} in the model"
            assert (view[5], view[6], view[8], view[10], view[11]) == (
                order.quantity,
                order.amount,
                order.deadline,
                order.reviewed,
                order.offer,
            ), f"order {order_id:#x}"
            self.stats["order states seen"] = max(self.stats["order states seen"], len(seen))

    def _check_listings(self, get, reads):
        market = self.model.market
        in_orders = [t for o in market.orders_in(State.PAID, State.SHIPPED, State.DISPUTED) for t in o.tokens]
        in_pools = []
        for listing_id, handle in reads["listings"].items():
            view = get(handle)
            listing = market.listings[listing_id]
            stock = view[4]
            assert stock == listing.stock >= 0, f"stock of listing {listing_id}"
            kept = market.kept_units(listing_id)
            assert kept + stock == listing.units and kept <= listing.units, f"listing {listing_id} oversold"
            assert (view[3], view[7], view[8]) == (listing.price, listing.paused, listing.order_count)
            if listing.traced:
                pool = list(get(reads["pools"][listing_id]))
                assert pool == list(listing.pool) and len(pool) == stock, f"pool of listing {listing_id}"
                in_pools += pool
        assert len(set(in_pools + in_orders)) == len(in_pools + in_orders), "a token is for sale twice"
        for account, handle in reads["sellers"].items():
            view = get(handle)
            assert (view[2], view[3], view[4]) == (
                market.status(account),
                market.ratings[(account, "count")],
                market.ratings[(account, "sum")],
            )

    # ------------------------------------------------------------ licenses

    def _check_licenses(self, get, reads, now):
        registry = self.model.copyright
        for work_id, handle in reads["works"].items():
            view = get(handle)
            work = registry.works[work_id]
            assert (view[2], view[6]) == (work.holder, work.revoked), f"work {work_id}"
        for (work_id, account), handle in reads["valid"].items():
            valid = get(handle)
            if registry.works[work_id].revoked:
                assert not valid, f"{account} holds a valid license for revoked work {work_id}"
            elif abs(registry.expires_at(work_id, account) - now) > TIME_MARGIN:
                expected = registry.license_valid(work_id, account, now)
                assert valid == expected, f"license of {account} for work {work_id}"
        for offer_id, handle in reads["offers"].items():
            view = get(handle)
            offer = registry.offers[offer_id]
            assert (view[6], view[9]) == (offer.sold, offer.paused), f"offer {offer_id}"
            assert offer.max_licenses == 0 or offer.sold <= offer.max_licenses

    # ------------------------------------------------------------ provenance

    def _check_provenance(self, get, reads, number):
        for event in get(reads["logs"]):
            if event.block_number >= self.next_log_block:
                self.trail_events.setdefault(event.token_id, []).append(event)
        self.next_log_block = number + 1
        for token_id, token in self.model.provenance.tokens.items():
            head, count = get(reads["trails"][token_id])
            recalled = get(reads["recalled"][token_id])
            result = verify_trail(
                self.trail_events.get(token_id, []),
                token_id=token_id,
                head_onchain=head,
                count_onchain=count,
                recalled_onchain=recalled,
            )
            assert result.ok, result.summary()
            assert (count, recalled) == (token.events, token.recalled), f"trail of token {token_id}"
            assert get(reads["owners"][token_id]) == token.holder, f"holder of token {token_id}"
