"""The fuzzer's model of ProvenanceToken: who holds each token, who may append, how long its trail is.

The hash chain itself is not modelled: the invariants recompute it from the chain's logs with
`chainmart.provenance` and compare it with `trailOf`; the model knows how many events each trail
must have and who holds each token.
"""
from dataclasses import dataclass, field

from tests.fuzz.ledger import nft_transfer_error
from tests.marketplace.orders import unauthorized
from tests.reverts import custom_error

NO_CORRECTION = 2**32 - 1
MAX_BATCH_REF = 31
COMMISSIONING, SELLING, RECALLED, LAST_STEP = 0, 8, 12, 13


@dataclass
class Token:
    id: int
    producer: str
    holder: str
    events: int = 1  # minting records Commissioning
    recalled: bool = False
    listed: bool = False  # in a traced listing's pool or in an order not yet finished
    grantors: dict = field(default_factory=dict)  # appender -> who authorised it


class ProvenanceModel:
    def __init__(self, market, producers, logistics, marketplace_role):
        self.market = market
        self.producers = set(producers)  # PRODUCER_ROLE
        self.logistics = set(logistics)  # LOGISTICS_ROLE
        self.marketplace_role = marketplace_role
        self.sale_recorders = {market.address}  # MARKETPLACE_ROLE: the Marketplace, unless an admin revoked it
        self.tokens = {}

    def is_producer(self, account):
        return account in self.producers or self.market.is_active_seller(account)

    def can_append(self, token, actor):
        if actor in (token.producer, token.holder) or actor in self.logistics:
            return True
        return token.grantors.get(actor) in (token.producer, token.holder)

    # ------------------------------------------------------------ producers

    def mint_error(self, account, passport_cid, batch_ref):
        if not self.is_producer(account):
            return custom_error("ProvenanceUnauthorizedProducer", account)
        if not passport_cid:
            return custom_error("ProvenanceEmptyCid")
        if len(batch_ref.encode()) > MAX_BATCH_REF:
            return custom_error("ProvenanceBatchRefTooLong", len(batch_ref.encode()), MAX_BATCH_REF)
        return None

    def mint(self, account):
        token = Token(id=len(self.tokens) + 1, producer=account, holder=account)
        self.tokens[token.id] = token
        return token

    def recall_error(self, token_id, account, notice_cid):
        token = self.tokens.get(token_id)
        if token is None:
            return custom_error("ProvenanceUnknownToken", token_id)
        if account != token.producer:
            return custom_error("ProvenanceNotTokenProducer", token_id, account)
        if token.recalled:
            return custom_error("ProvenanceAlreadyRecalled", token_id)
        if not notice_cid:
            return custom_error("ProvenanceEmptyCid")
        return None

    # ------------------------------------------------------------ trail

    def append_error(self, token_id, actor, step):
        if step in (COMMISSIONING, RECALLED):
            return custom_error("ProvenanceReservedStep", step)
        return self._appender_error(token_id, actor) or self._step_error(step)

    def correction_error(self, token_id, actor, corrects, step):
        if step == RECALLED:
            return custom_error("ProvenanceReservedStep", step)
        if corrects == NO_CORRECTION:  # refused before the actor is looked at, for any token that exists
            if token_id not in self.tokens:
                return custom_error("ProvenanceUnknownToken", token_id)
            return custom_error("ProvenanceInvalidCorrection", token_id, corrects, self.tokens[token_id].events)
        if error := self._appender_error(token_id, actor):
            return error
        count = self.tokens[token_id].events
        if error := self._step_error(step):
            return error
        if corrects >= count:
            return custom_error("ProvenanceInvalidCorrection", token_id, corrects, count)
        return None

    def set_appender_error(self, token_id, caller):
        token = self.tokens.get(token_id)
        if token is None:
            return custom_error("ProvenanceUnknownToken", token_id)
        if caller not in (token.producer, token.holder):
            return custom_error("ProvenanceNotProducerOrHolder", token_id, caller)
        return None

    def record_sale_error(self, caller):
        """Only the Marketplace may record sales: anyone else is refused by the role check."""
        return unauthorized(caller, self.marketplace_role) if caller not in self.sale_recorders else None

    def can_deliver(self, token, seller):
        """Whether the Marketplace's `recordSale` of `token` from `seller` goes through."""
        return self.market.address in self.sale_recorders and not token.recalled and token.holder == seller

    def record_sale(self, token, buyer):
        token.holder = buyer
        token.events += 1

    # ------------------------------------------------------------ ERC-721

    def transfer_error(self, token_id, caller, claimed_holder):
        token = self.tokens.get(token_id)
        return nft_transfer_error(token.holder if token else None, token_id, caller, claimed_holder)

    def _appender_error(self, token_id, actor):
        token = self.tokens.get(token_id)
        if token is None:
            return custom_error("ProvenanceUnknownToken", token_id)
        if not self.can_append(token, actor):
            return custom_error("ProvenanceUnauthorizedActor", token_id, actor)
        return None

    @staticmethod
    def _step_error(step):
        return custom_error("ProvenanceInvalidStep", step) if step > LAST_STEP else None
