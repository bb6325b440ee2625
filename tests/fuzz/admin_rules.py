"""Rules for the platform's administrators, on both contracts that hold money: pausing, fees,
treasuries, the payment allow-list (which the copyright registry shares), sellers' status and
sweeping what was sent by mistake. Unauthorised callers are refused by role.

A pause or a removal from the allow-list usually lasts one step (the admin restores it at once,
after checking that purchases are refused meanwhile): a lasting one would stop most of the run.
"""
from tests.fuzz.market_model import SellerStatus
from tests.reverts import custom_error

SETTINGS = ("pause", "market fee", "registry fee", "market treasury", "registry treasury", "allow-list")
ROLES = ("arbiter", "producer", "logistics", "marketplace")
FEES = (0, 100, 250, 1_000, 1_001)


class AdminRules:
    def rule_change_setting(self, who="st_who", which="st_pick", pick="st_pick", lasting="st_rare"):
        setting = SETTINGS[which % len(SETTINGS)]
        admin = self._actor(who, self.admin)
        market, registry = self.model.market, self.model.copyright
        if setting == "pause":
            self._pause(admin, lasting)
        elif setting == "market fee":
            fee = FEES[pick % len(FEES)]
            if self._act(market.fee_error(admin, fee), admin, self.market.setFee, fee):
                market.fee_bps = fee
        elif setting == "registry fee":
            fee = FEES[pick % len(FEES)]
            if self._act(registry.fee_error(admin, fee), admin, self.registry.setFee, fee):
                registry.fee_bps = fee
        elif setting == "market treasury":
            treasury = self._choose(self.treasuries, pick)
            if self._act(market.admin_error(admin), admin, self.market.setTreasury, treasury):
                market.treasury = treasury
        elif setting == "registry treasury":
            treasury = self._choose(self.treasuries, pick)
            if self._act(registry.admin_error(admin), admin, self.registry.setTreasury, treasury):
                registry.treasury = treasury
        else:
            self._toggle_asset(admin, self.assets[1 + pick % 3], lasting)

    def _pause(self, admin, lasting):
        """Pause (or, when paused, unpause) the market; a pause usually ends within the step."""
        market = self.model.market
        if market.paused:
            if self._act(market.admin_error(admin), admin, self.market.unpause):
                market.paused = False
            return
        if not self._act(market.admin_error(admin), admin, self.market.pause):
            return
        market.paused = True
        listing_id = next(iter(market.listings))
        self._act(custom_error("MarketplacePaused"), self.buyer, self.market.buy, listing_id, 1, value=1)
        if not lasting:
            self._act(None, self.admin, self.market.unpause)
            market.paused = False

    def _toggle_asset(self, admin, token, lasting):
        """Drop a stablecoin from the allow-list (usually only for the step) or allow it again.
        While it is off, the market and the copyright registry both refuse payments in it."""
        market, registry = self.model.market, self.model.copyright
        allowed = token not in market.allowed
        if not self._act(market.admin_error(admin), admin, self.market.setAssetAllowed, token, allowed):
            return
        (market.allowed.add if allowed else market.allowed.discard)(token)
        if allowed or lasting:
            return
        listings = [listing.id for listing in market.listings.values() if listing.asset == token]
        if listings:
            error = market.token_purchase_error(listings[0], self.stranger, 1, 2**256 - 1, with_permit=False)
            if error == custom_error("MarketplaceAssetNotAllowed", token):
                self._act(error, self.stranger, self.market.buyWithToken, listings[0], 1, 2**256 - 1)
        offers = [offer.id for offer in registry.offers.values() if offer.asset == token]
        if offers:
            error = registry.buy_error(offers[0], self.stranger, 0, self._now())
            if error == custom_error("CopyrightAssetNotAllowed", token):
                self._act(error, self.stranger, self.registry.buyLicense, offers[0])
        self._act(None, self.admin, self.market.setAssetAllowed, token, True)
        market.allowed.add(token)

    def rule_grant_or_revoke_role(self, who="st_who", which="st_pick", pick="st_pick", grant="st_flag"):
        """Roles that change what others may do: the market's arbiters, producers and carriers on
        provenance tokens, and the Marketplace's own right to record sales (without it, finished
        traced orders report their tokens undelivered)."""
        market, provenance = self.model.market, self.model.provenance
        role = ROLES[which % len(ROLES)]
        contract, holders, candidates = {
            "arbiter": (self.market, market.arbiters, [self.arbiter, self.stranger]),
            "producer": (self.provenance, provenance.producers, [self.role_producer, self.courier]),
            "logistics": (self.provenance, provenance.logistics, [self.carrier, self.courier]),
            "marketplace": (self.provenance, provenance.sale_recorders, [self.market.address]),
        }[role]
        account = self._choose(candidates, pick)
        admin = self._actor(who, self.admin)
        error = market.admin_error(admin)
        if self._act(error, admin, contract.grantRole if grant else contract.revokeRole, self.role_ids[role], account):
            (holders.add if grant else holders.discard)(account)

    def rule_seller_status(self, who="st_who", pick="st_pick", action="st_mode"):
        """Someone applies to sell; an admin approves (or reinstates) or suspends a seller."""
        market = self.model.market
        candidates = self.sellers_pool + [self.stranger, self.courier]
        account = self._choose(candidates, pick)
        if action < 2:
            tx = self._act(market.apply_error(account), account, self.market.applyAsSeller, "bafkreiprofile")
            status = SellerStatus.APPLIED
        elif action < 4:
            waiting = [a for a in candidates if market.status(a) in (SellerStatus.APPLIED, SellerStatus.SUSPENDED)]
            account = self._choose(waiting, pick) if waiting and pick % 3 else account
            admin = self._actor(who, self.admin)
            tx = self._act(market.admin_error(admin), admin, self.market.approveSeller, account)
            status = SellerStatus.APPROVED
        else:
            admin = self._actor(who, self.admin)
            tx = self._act(market.suspend_error(admin, account), admin, self.market.suspendSeller, account)
            status = SellerStatus.SUSPENDED
        if tx:
            market.sellers[account] = status

    def rule_sweep_surplus(self, who="st_who", asset="st_asset", from_registry="st_flag"):
        """Only what arrived outside a purchase can be swept, never escrow, credits or fees."""
        token = self.assets[asset]
        part = self.model.copyright if from_registry else self.model.market
        contract = self.registry if from_registry else self.market
        admin = self._actor(who, self.admin)
        tx = self._act(part.sweep_error(admin, token), admin, contract.sweepSurplus, token, admin)
        if tx:
            assert tx.events["SurplusSwept"]["amount"] == part.surplus[token]
            self.model.ledger.receive(admin, token, part.surplus.pop(token))
