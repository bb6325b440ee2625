"""Rules for every user-facing CopyrightRegistry action: works, offers, licenses bought in ETH and
in stablecoins, renewals, transfers, revocation, certificate transfers, payouts and fees.
"""
from eth_utils import keccak

from tests.fuzz.ledger import ETH, nft_transfer_error

CONTENT_HASHES = [keccak(text=f"fuzz work {i}") for i in range(8)] + [bytes(32)]
CID = "bafkreifuzzwork"


class CopyrightRules:
    def _work(self, pick):
        """A registered work, or now and then the next id, not registered yet."""
        return pick % (len(self.model.copyright.works) + 1) + 1

    def _offer(self, pick):
        return pick % (len(self.model.copyright.offers) + 1) + 1

    def _holder_of(self, work_id):
        work = self.model.copyright.works.get(work_id)
        return work.holder if work else self.creator

    def _licensed(self, work_id, now):
        registry = self.model.copyright
        return [a for a in self.licensees if work_id in registry.works and registry.license_valid(work_id, a, now)]

    def _license_time(self):
        """Now, moved past any license expiry too close to call."""
        return self._clear_of(*(held.expires for held in self.model.copyright.licenses.values()))

    def rule_register_work(self, who="st_who", pick="st_pick", royalty="st_royalty"):
        registry = self.model.copyright
        creator = self._actor(who, self.creators)
        content_hash = self._choose(CONTENT_HASHES, pick)
        metadata = "" if pick % 17 == 0 else CID
        error = registry.register_error(content_hash, CID, metadata, royalty)
        tx = self._act(error, creator, self.registry.registerWork, content_hash, CID, "Title", metadata, royalty)
        if tx:
            work = registry.register(creator, content_hash)
            assert tx.events["WorkRegistered"]["workId"] == work.id

    def rule_create_offer(
        self,
        who="st_who",
        pick="st_pick",
        asset="st_asset",
        price="st_price",
        duration="st_duration",
        cap="st_max",
        transferable="st_flag",
    ):
        registry = self.model.copyright
        work_id = self._work(pick)
        holder = self._actor(who, self._holder_of(work_id))
        token = self.assets[asset]
        error = registry.create_offer_error(work_id, holder, token)
        offer = (work_id, token, price, duration, cap, True, transferable, CID)
        tx = self._act(error, holder, self.registry.createOffer, *offer)
        if tx:
            offer = registry.create_offer(work_id, token, price, duration, cap, transferable)
            assert tx.events["LicenseOfferCreated"]["offerId"] == offer.id

    def rule_pause_offer(self, who="st_who", pick="st_pick", paused="st_flag"):
        registry = self.model.copyright
        offer_id = self._offer(pick)
        offer = registry.offers.get(offer_id)
        holder = self._actor(who, self._holder_of(offer.work) if offer else self.creator)
        error = registry.offer_paused_error(offer_id, holder)
        if self._act(error, holder, self.registry.setOfferPaused, offer_id, paused):
            offer.paused = paused

    # Buying and renewing take one argument each, which sorts them among the rules Hypothesis draws
    # most often (see MarketRules.rule_buy).

    def rule_buy_license(self, purchase="st_license_purchase"):
        """Buy a license in ETH or a stablecoin; sometimes with the wrong ETH attached."""
        who, pick, wrong_payment = purchase
        registry = self.model.copyright
        now = self._license_time()
        open_offers = [
            o.id
            for o in registry.offers.values()
            if not o.paused and not registry.works[o.work].revoked and (not o.max_licenses or o.sold < o.max_licenses)
        ]
        offer_id = self._choose(open_offers, pick // 4) if open_offers and pick % 4 else self._offer(pick)
        self._buy_license(offer_id, self._actor(who, self.licensees), pick, wrong_payment, now)

    def rule_renew_license(self, purchase="st_license_purchase"):
        """A licensee buys again from the offer of a running license: the term is extended (a
        perpetual license, or a license from another offer, is refused)."""
        who, pick, wrong_payment = purchase
        registry = self.model.copyright
        now = self._license_time()
        running = [(account, held.offer) for (_, account), held in registry.licenses.items() if held.expires > now]
        account, offer_id = self._choose(running, pick) if running else (self.buyer, self._offer(pick))
        self._buy_license(offer_id, self._actor(who, account), pick, wrong_payment, now)

    def _buy_license(self, offer_id, buyer, pick, wrong_payment, now):
        registry = self.model.copyright
        offer = registry.offers.get(offer_id)
        price = offer.price if offer else 0
        in_eth = offer is None or offer.asset == ETH
        if in_eth:
            value = price + 1 if wrong_payment and pick % 2 else price
        else:
            value = 1 if wrong_payment and pick % 3 == 0 else 0
        error = registry.buy_error(offer_id, buyer, value, now)
        tx = self._act(error, buyer, self.registry.buyLicense, offer_id, value=value)
        if tx:
            expires, payee, fee = registry.buy(offer_id, buyer, tx.timestamp)
            event = tx.events["LicenseIssued"]
            assert (event["expiresAt"], event["payee"], event["fee"]) == (expires, payee, fee)
            self.stats["licenses sold"] += 1

    def rule_transfer_license(self, who="st_who", pick="st_pick", to="st_pick"):
        registry = self.model.copyright
        work_id = self._work(pick)
        now = self._license_time()
        sender = self._actor(who, self._licensed(work_id, now))
        receiver = self._choose(self.licensees, to)
        error = registry.transfer_license_error(work_id, sender, receiver, now)
        if self._act(error, sender, self.registry.transferLicense, work_id, receiver):
            registry.transfer_license(work_id, sender, receiver)

    def rule_relinquish_license(self, who="st_who", pick="st_pick"):
        registry = self.model.copyright
        work_id = self._work(pick)
        now = self._license_time()
        account = self._actor(who, self._licensed(work_id, now))
        error = registry.valid_license_error(work_id, account, now)
        if self._act(error, account, self.registry.relinquishLicense, work_id):
            del registry.licenses[(work_id, account)]

    def rule_record_use(self, who="st_who", pick="st_pick", relay="st_flag"):
        registry = self.model.copyright
        work_id = self._work(pick)
        now = self._license_time()
        account = self._actor(who, self._licensed(work_id, now))
        error = registry.valid_license_error(work_id, account, now)
        tx = self._act(error, account, self.registry.recordUse, work_id, "print", CID, relayed=relay)
        if tx:
            assert tx.events["LicenseUseRecorded"]["licensee"] == account

    def rule_revoke_work(self, who="st_who", pick="st_pick"):
        """Revocation ends every license at once and moves no money."""
        registry = self.model.copyright
        work_id = self._work(pick)
        holder = self._actor(who, self._holder_of(work_id))
        if self._act(registry.revoke_error(work_id, holder), holder, self.registry.revokeWork, work_id):
            registry.works[work_id].revoked = True
            self.stats["works revoked"] += 1

    def rule_transfer_certificate(self, who="st_who", pick="st_pick", to="st_pick"):
        """The certificate moves (ERC-721): the new holder is the rights holder and is paid from then on."""
        registry = self.model.copyright
        work_id = self._work(pick)
        work = registry.works.get(work_id)
        caller = self._actor(who, self._holder_of(work_id))
        receiver = self._choose(self.everyone, to)
        error = nft_transfer_error(work.holder if work else None, work_id, caller, caller)
        if self._act(error, caller, self.registry.transferFrom, caller, receiver, work_id):
            work.holder = receiver

    def rule_withdraw_from_registry(self, who="st_who", asset="st_asset", pick="st_pick", to_other="st_flag"):
        self._withdraw(self.model.copyright, self.registry, who, asset, pick, to_other)

    def rule_withdraw_license_fees(self, who="st_who", asset="st_asset"):
        """Anyone may send the accrued fees to the treasury of the day."""
        registry = self.model.copyright
        token = self.assets[asset]
        caller = self._choose(self.everyone, who)
        tx = self._act(registry.withdraw_fees_error(token), caller, self.registry.withdrawFees, token)
        if tx:
            assert tx.events["FeesWithdrawn"]["amount"] == registry.withdraw_fees(token)
