"""Rules for every user-facing ProvenanceToken action: minting, trail events and corrections,
appender authorisations, recalls, ERC-721 transfers, and sales recorded by anyone but the market.
"""
from tests.fuzz.provenance_model import NO_CORRECTION

PASSPORT_CID = "bafkreifuzzpassport"
LOCATION = "urn:epc:id:sgln:4012345.00001.0"


class ProvenanceRules:
    def _token(self, pick):
        """A minted token, or now and then the next id, not minted yet."""
        return pick % (len(self.model.provenance.tokens) + 1) + 1

    def _appenders(self, token_id):
        provenance = self.model.provenance
        token = provenance.tokens.get(token_id)
        if token is None:
            return [self.seller]
        return [a for a in self.everyone if provenance.can_append(token, a)]

    def rule_mint(self, who="st_who", pick="st_pick"):
        """An approved producer mints; an empty passport or an over-long batch reference is refused."""
        provenance = self.model.provenance
        producers = [a for a in self.everyone if provenance.is_producer(a)]
        producer = self._actor(who, producers)
        passport = "" if pick % 11 == 0 else PASSPORT_CID
        batch_ref = "B" * 32 if pick % 13 == 0 else f"SN-{pick}"
        error = provenance.mint_error(producer, passport, batch_ref)
        tx = self._act(error, producer, self.provenance.mint, passport, batch_ref, LOCATION)
        if tx:
            token = provenance.mint(producer)
            assert tx.events["ProvenanceMinted"]["tokenId"] == token.id

    def rule_append_event(self, who="st_who", pick="st_pick", step="st_step", relay="st_flag"):
        provenance = self.model.provenance
        token_id = self._token(pick)
        actor = self._actor(who, self._appenders(token_id))
        error = provenance.append_error(token_id, actor, step)
        args = (token_id, step, LOCATION, "bafkreievent")
        tx = self._act(error, actor, self.provenance.appendEvent, *args, relayed=relay)
        if tx:
            provenance.tokens[token_id].events += 1
            assert tx.events["ProvenanceEventRecorded"]["index"] == provenance.tokens[token_id].events - 1

    def rule_append_correction(self, who="st_who", pick="st_pick", step="st_step", which="st_mode"):
        """Correct an earlier event; a correction of nothing, or of an event not yet made, is refused."""
        provenance = self.model.provenance
        token_id = self._token(pick)
        token = provenance.tokens.get(token_id)
        count = token.events if token else 1
        corrects = (0, count - 1, count - 1, count, NO_CORRECTION)[which]
        actor = self._actor(who, self._appenders(token_id))
        error = provenance.correction_error(token_id, actor, corrects, step)
        tx = self._act(error, actor, self.provenance.appendCorrection, token_id, corrects, step, LOCATION, "bafkreifix")
        if tx:
            token.events += 1

    def rule_set_appender(self, who="st_who", pick="st_pick", account="st_pick", authorized="st_flag"):
        """The producer or the holder authorises an appender; the holder's lapse when the token moves."""
        provenance = self.model.provenance
        token_id = self._token(pick)
        token = provenance.tokens.get(token_id)
        caller = self._actor(who, [token.producer, token.holder] if token else self.seller)
        appender = self._choose(self.everyone, account)
        error = provenance.set_appender_error(token_id, caller)
        if self._act(error, caller, self.provenance.setAppender, token_id, appender, authorized):
            if authorized:
                token.grantors[appender] = caller
            else:
                token.grantors.pop(appender, None)

    def rule_recall(self, who="st_who", pick="st_pick"):
        provenance = self.model.provenance
        token_id = self._token(pick)
        token = provenance.tokens.get(token_id)
        producer = self._actor(who, token.producer if token else self.seller)
        notice = "" if pick % 7 == 0 else "bafkreirecallnotice"
        error = provenance.recall_error(token_id, producer, notice)
        if self._act(error, producer, self.provenance.recall, token_id, notice):
            token.recalled = True
            token.events += 1

    def rule_transfer_token(self, who="st_who", pick="st_pick", to="st_pick", honest="st_flag"):
        """ERC-721 transfer by the holder (a listed token too: its sale will then report it undelivered)."""
        provenance = self.model.provenance
        token_id = self._token(pick)
        token = provenance.tokens.get(token_id)
        caller = self._actor(who, token.holder if token else self.seller)
        claimed = caller if honest else self._choose(self.everyone, to // 7)
        receiver = self._choose(self.everyone, to)
        error = provenance.transfer_error(token_id, caller, claimed)
        if self._act(error, caller, self.provenance.transferFrom, claimed, receiver, token_id):
            token.holder = receiver

    def rule_record_sale_outside_the_market(self, who="st_who", pick="st_pick"):
        """Only the Marketplace records sales (and moves tokens without approval): anyone else is refused."""
        caller = self._choose(self.everyone, who)
        token_id = self._token(pick)
        error = self.model.provenance.record_sale_error(caller)
        self._act(error, caller, self.provenance.recordSale, token_id, self.seller, caller, 1)
