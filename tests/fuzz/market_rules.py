"""Rules for every user-facing Marketplace action of sellers, buyers, the arbiter and payees.

Each rule picks an actor (mostly the one the action is meant for, sometimes anyone) and a target
(an existing listing or order, sometimes one that does not exist), asks the model whether the
action must succeed or which custom error it must raise, acts, and applies the result to the model.
"""
from brownie import chain

from scripts.signing import sign_permit
from tests.fuzz.actions import DAY
from tests.fuzz.ledger import ETH
from tests.fuzz.market_model import BPS, FINAL_WITH_PAYOUT, order_id_for
from tests.marketplace.orders import State
from tests.reverts import custom_error

CID = "bafkreifuzz"


class MarketRules:
    # ------------------------------------------------------------ targets

    def _listing_id(self, pick):
        """An existing listing, or now and then the next id, which does not exist yet."""
        return pick % (self.model.market.listing_count + 1) + 1

    def _order(self, pick, *states):
        """An order, mostly one in one of `states`, sometimes any order or one that does not exist."""
        orders = self.model.market.orders
        preferred = [o.id for o in orders.values() if o.state in states]
        choice = self._choose(preferred if preferred and pick % 5 else list(orders), pick // 5)
        if choice is None or pick % 23 == 0:
            return order_id_for(self.buyer, 0, 1)  # listing 0 never exists
        return choice

    def _active_sellers(self):
        return [a for a in self.sellers_pool if self.model.market.is_active_seller(a)]

    # ------------------------------------------------------------ listings

    def rule_list(
        self, who="st_who", asset="st_asset", price="st_price", stock="st_stock", ship="st_window", confirm="st_window"
    ):
        market = self.model.market
        seller = self._actor(who, self._active_sellers())
        token = self.assets[asset]
        error = market.list_error(seller, price, token, ship, confirm)
        tx = self._act(error, seller, self.market.list, price, token, stock, ship, confirm, CID)
        if tx:
            listing = market.add_listing(seller, token, price, stock, ship, confirm)
            assert tx.events["Listed"]["listingId"] == listing.id

    def _tokens_to_list(self, seller, pick, picks):
        """Mostly tokens the seller may list; sometimes any tokens, an unknown one, or none."""
        tokens = self.model.provenance.tokens
        listable = [t.id for t in tokens.values() if t.holder == seller and not t.listed and not t.recalled]
        if listable and pick % 4:
            return listable[: 1 + pick % 3]
        every = list(tokens) + [len(tokens) + 1]
        return [self._choose(every, p) for p in picks]

    def rule_list_traced(
        self, who="st_who", pick="st_pick", picks="st_picks", asset="st_asset", price="st_price", ship="st_window"
    ):
        market = self.model.market
        seller = self._actor(who, self._active_sellers())
        token_ids = self._tokens_to_list(seller, pick, picks)
        token = self.assets[asset]
        error = market.list_error(seller, price, token, ship, 0) or market.tokens_error(seller, token_ids)
        tx = self._act(error, seller, self.market.listTraced, price, token, token_ids, ship, 0, CID)
        if tx:
            listing = market.add_listing(seller, token, price, 0, ship, 0, token_ids)
            assert tx.events["Listed"]["listingId"] == listing.id

    def rule_add_listing_tokens(self, who="st_who", pick="st_pick", picks="st_picks"):
        market = self.model.market
        traced = [lid for lid, listing in market.listings.items() if listing.traced]
        listing_id = self._choose(traced, pick) if traced and pick % 4 else self._listing_id(pick)
        owner = market.listings[listing_id].seller if listing_id in market.listings else self.seller
        seller = self._actor(who, owner)
        token_ids = self._tokens_to_list(seller, pick // 4, picks)
        error = market.add_tokens_error(seller, listing_id, token_ids)
        if self._act(error, seller, self.market.addListingTokens, listing_id, token_ids):
            market.add_tokens(market.listings[listing_id], token_ids)

    def _listing_and_owner(self, who, pick):
        market = self.model.market
        listing_id = self._listing_id(pick)
        owner = market.listings[listing_id].seller if listing_id in market.listings else self.seller
        return listing_id, self._actor(who, owner)

    def rule_edit_listing(self, who="st_who", pick="st_pick", change="st_mode", price="st_price", stock="st_stock"):
        """The listing's seller sets its price or stock (not a traced listing's), pauses or resumes
        it, or points it at new metadata."""
        market = self.model.market
        listing_id, seller = self._listing_and_owner(who, pick)
        listing = market.listings.get(listing_id)
        error = market.own_listing_error(seller, listing_id)
        if change == 0:
            error = market.set_price_error(seller, listing_id, price)
            if self._act(error, seller, self.market.setPrice, listing_id, price):
                listing.price = price
        elif change == 1:
            if self._act(market.set_stock_error(seller, listing_id), seller, self.market.setStock, listing_id, stock):
                market.set_stock(listing, stock)
        elif change < 4:
            if self._act(error, seller, self.market.setListingPaused, listing_id, change == 2):
                listing.paused = change == 2
        else:
            tx = self._act(error, seller, self.market.setListingMetadata, listing_id, CID + "v2")
            if tx:
                assert tx.events["ListingMetadataUpdated"]["metadataCid"] == CID + "v2"

    # ------------------------------------------------------------ buying

    # Purchases are four rules (and take one argument each, which sorts them first among the rules,
    # where Hypothesis draws most often), so that orders keep coming.

    def rule_buy(self, purchase="st_purchase"):
        """Buy an ETH listing: the exact price, one wei more (refused), or through the token path."""
        mode = purchase[3]
        pay = ("eth", "eth", "eth", "eth, one wei more", "token")[mode]
        self._purchase(purchase, lambda listing: listing.asset == ETH, pay)

    def rule_buy_with_token(self, purchase="st_purchase"):
        """Buy a stablecoin listing with an allowance: within the buyer's maximum, above it, or in ETH."""
        mode = purchase[3]
        pay = ("token", "token", "token", "token, maximum too low", "eth")[mode]
        self._purchase(purchase, lambda listing: listing.asset != ETH, pay)

    def rule_buy_with_permit(self, purchase="st_purchase"):
        """Buy a stablecoin listing with an EIP-2612 permit signed by the buyer's key, mostly
        gaslessly: the buyer signs an ERC-2771 request too, and the relayer sends it."""
        self._purchase(purchase, lambda listing: listing.asset != ETH, "permit", relayed=purchase[3] >= 2)

    def rule_buy_traced(self, purchase="st_purchase"):
        """Buy units of a traced listing: the order takes the next provenance tokens of the pool."""
        self._purchase(purchase, lambda listing: listing.traced, None)

    def _purchase(self, purchase, preferred, pay, relayed=False):
        who, pick, quantity, _ = purchase
        market = self.model.market
        buyable = [i for i, item in market.listings.items() if item.stock and not item.paused and preferred(item)]
        listing_id = self._choose(buyable, pick // 4) if buyable and pick % 4 else self._listing_id(pick)
        listing = market.listings.get(listing_id)
        buyer = self._actor(who, [b for b in self.buyers if listing is None or b != listing.seller])
        amount = listing.price * quantity if listing else 0
        if pay is None or pay == "permit" and (listing is None or listing.asset == ETH):
            pay = "eth" if listing is None or listing.asset == ETH else "token"
        if pay.startswith("eth"):
            value = amount + 1 if pay == "eth, one wei more" else amount if listing and listing.asset == ETH else 0
            error = market.eth_purchase_error(listing_id, buyer, quantity, value)
            tx = self._act(error, buyer, self.market.buy, listing_id, quantity, value=value)
        elif pay == "permit":
            deadline = chain[-1].timestamp + DAY
            token = self.token_at[listing.asset]
            signature = sign_permit(token, self.keys[buyer], self.market, amount, deadline, chain.id)
            error = market.token_purchase_error(listing_id, buyer, quantity, amount, with_permit=True)
            args = (listing_id, quantity, amount, deadline, *signature)
            tx = self._act(error, buyer, self.market.buyWithPermit, *args, relayed=relayed)
        else:
            max_total = max(amount - 1, 0) if pay == "token, maximum too low" else amount
            error = market.token_purchase_error(listing_id, buyer, quantity, max_total, with_permit=False)
            tx = self._act(error, buyer, self.market.buyWithToken, listing_id, quantity, max_total)
        if tx:
            event = tx.events["OrderPlaced"]
            ship_by = tx.timestamp + listing.ship_window
            order = market.place_order(listing_id, buyer, quantity, ship_by, with_permit=pay == "permit")
            assert (event["orderId"], event["amount"], event["shipBy"]) == (order.id, order.amount, order.deadline)
            self.stats["orders placed"] += 1

    def rule_cancel(self, who="st_who", pick="st_pick", relay="st_flag"):
        market = self.model.market
        order_id = self._order(pick, State.PAID)
        order = market.orders.get(order_id)
        buyer = self._actor(who, order.buyer if order else self.buyer)
        error = market.order_error(order_id, buyer, "buyer", State.PAID)
        if self._act(error, buyer, self.market.cancelOrder, order_id, relayed=relay):
            market.refund_in_full(order, State.CANCELLED)

    def rule_reclaim(self, who="st_who", pick="st_pick", wait="st_flag"):
        """After the ship-by deadline the buyer takes a full refund; before it, the error says when."""
        market = self.model.market
        order_id = self._order(pick, State.PAID)
        order = market.orders.get(order_id)
        buyer = self._actor(who, order.buyer if order else self.buyer)
        error = market.order_error(order_id, buyer, "buyer", State.PAID)
        if error is None:
            if wait:
                self._sleep_past(order.deadline)
            if self._clear_of(order.deadline) <= order.deadline:
                error = custom_error("MarketplaceDeadlineNotPassed", order_id, order.deadline)
        if self._act(error, buyer, self.market.reclaimOrder, order_id):
            market.refund_in_full(order, State.RECLAIMED)

    def rule_confirm_receipt(self, who="st_who", pick="st_pick", relay="st_flag"):
        market = self.model.market
        order_id = self._order(pick, State.SHIPPED, State.DISPUTED)
        order = market.orders.get(order_id)
        buyer = self._actor(who, order.buyer if order else self.buyer)
        error = market.order_error(order_id, buyer, "buyer", State.SHIPPED, State.DISPUTED)
        tx = self._act(error, buyer, self.market.confirmReceipt, order_id, relayed=relay)
        if tx:
            self._check_delivery(tx, market.split(order, 0, State.COMPLETED))

    def rule_open_dispute(self, who="st_who", pick="st_pick", late="st_flag", relay="st_flag"):
        """A party disputes a shipped order before its confirm-by deadline; after it, too late."""
        market = self.model.market
        order_id = self._order(pick, State.SHIPPED)
        order = market.orders.get(order_id)
        party = self._actor(who, [order.buyer, order.seller] if order else self.buyer)
        error = market.order_error(order_id, party, "party", State.SHIPPED)
        if error is None:
            if late:
                self._sleep_past(order.deadline)
            if self._clear_of(order.deadline) > order.deadline:
                error = custom_error("MarketplaceDeadlinePassed", order_id, order.deadline)
        if self._act(error, party, self.market.openDispute, order_id, CID, relayed=relay):
            market.move(order, State.DISPUTED)

    def rule_submit_evidence(self, who="st_who", pick="st_pick"):
        market = self.model.market
        order_id = self._order(pick, State.DISPUTED)
        order = market.orders.get(order_id)
        party = self._actor(who, [order.buyer, order.seller] if order else self.buyer)
        error = market.order_error(order_id, party, "party", State.DISPUTED)
        tx = self._act(error, party, self.market.submitEvidence, order_id, CID)
        if tx:
            assert tx.events["EvidenceSubmitted"]["by"] == party

    def rule_accept_settlement(self, who="st_who", pick="st_pick"):
        market = self.model.market
        order_id = self._order(pick, State.DISPUTED)
        order = market.orders.get(order_id)
        buyer = self._actor(who, order.buyer if order else self.buyer)
        error = market.order_error(order_id, buyer, "buyer", State.DISPUTED)
        if error is None and order.offer == 0:
            error = custom_error("MarketplaceNoSettlementOffer", order_id)
        tx = self._act(error, buyer, self.market.acceptSettlement, order_id)
        if tx:
            self._check_delivery(tx, market.split(order, order.offer, State.SETTLED))

    def rule_review(self, who="st_who", pick="st_pick", rating="st_rating"):
        market = self.model.market
        order_id = self._order(pick, *FINAL_WITH_PAYOUT)
        order = market.orders.get(order_id)
        buyer = self._actor(who, order.buyer if order else self.buyer)
        if self._act(market.review_error(order_id, buyer, rating), buyer, self.market.review, order_id, rating, CID):
            order.reviewed = True
            market.ratings[(order.seller, "count")] += 1
            market.ratings[(order.seller, "sum")] += rating

    # ------------------------------------------------------------ sellers' order steps

    def rule_ship(self, who="st_who", pick="st_pick", relay="st_flag"):
        market = self.model.market
        order_id = self._order(pick, State.PAID)
        order = market.orders.get(order_id)
        seller = self._actor(who, order.seller if order else self.seller)
        error = market.order_error(order_id, seller, "seller", State.PAID)
        tx = self._act(error, seller, self.market.shipOrder, order_id, "TRACK-1", relayed=relay)
        if tx:
            market.move(order, State.SHIPPED)
            order.deadline = tx.timestamp + market.listings[order.listing].confirm_window
            assert tx.events["OrderShipped"]["confirmBy"] == order.deadline

    def rule_reject(self, who="st_who", pick="st_pick"):
        market = self.model.market
        order_id = self._order(pick, State.PAID)
        order = market.orders.get(order_id)
        seller = self._actor(who, order.seller if order else self.seller)
        error = market.order_error(order_id, seller, "seller", State.PAID)
        if self._act(error, seller, self.market.rejectOrder, order_id):
            market.refund_in_full(order, State.REJECTED)

    def rule_offer_settlement(self, who="st_who", pick="st_pick", bps="st_bps"):
        market = self.model.market
        order_id = self._order(pick, State.DISPUTED)
        order = market.orders.get(order_id)
        seller = self._actor(who, order.seller if order else self.seller)
        amount = order.amount if order else 0
        refund = amount + 1 if bps > BPS else amount * bps // BPS
        error = market.order_error(order_id, seller, "seller", State.DISPUTED)
        if error is None and not 0 < refund <= amount:
            error = custom_error("MarketplaceInvalidRefund", refund, amount)
        if self._act(error, seller, self.market.offerSettlement, order_id, refund):
            order.offer = refund

    # ------------------------------------------------------------ anyone, the arbiter

    def rule_release_expired(self, who="st_who", pick="st_pick", wait="st_flag"):
        market = self.model.market
        order_id = self._order(pick, State.SHIPPED)
        order = market.orders.get(order_id)
        caller = self._actor(who, self.admin)  # anyone may release; the admin is never credited
        error = market.order_error(order_id, caller, "anyone", State.SHIPPED)
        if error is None:
            if wait:
                self._sleep_past(order.deadline)
            if self._clear_of(order.deadline) <= order.deadline:
                error = custom_error("MarketplaceDeadlineNotPassed", order_id, order.deadline)
        tx = self._act(error, caller, self.market.releaseExpired, order_id)
        if tx:
            self._check_delivery(tx, market.split(order, 0, State.COMPLETED))

    def rule_resolve_dispute(self, who="st_who", pick="st_pick", bps="st_bps"):
        market = self.model.market
        order_id = self._order(pick, State.DISPUTED)
        order = market.orders.get(order_id)
        arbiter = self._actor(who, self.arbiter)
        error = market.resolve_error(order_id, arbiter, bps, self.arbiter_role)
        tx = self._act(error, arbiter, self.market.resolveDispute, order_id, bps)
        if tx:
            refund = order.amount * bps // BPS
            self._check_delivery(tx, market.split(order, refund, State.RESOLVED))
            assert tx.events["DisputeResolved"]["refund"] == refund

    def _check_delivery(self, tx, delivery):
        """A finished traced order moved exactly the tokens the model expected, and reported the rest."""
        delivered, undelivered = delivery
        sold, missed = (self._token_ids(tx, name) for name in ("ProvenanceSold", "TracedTokenNotDelivered"))
        assert (sold, missed) == (delivered, undelivered)
        self.stats["orders finished"] += 1

    @staticmethod
    def _token_ids(tx, event):
        return [e["tokenId"] for e in tx.events[event]] if event in tx.events else []

    # ------------------------------------------------------------ payouts

    def rule_withdraw_from_market(self, who="st_who", asset="st_asset", pick="st_pick", to_other="st_flag"):
        self._withdraw(self.model.market, self.market, who, asset, pick, to_other)
