"""The fuzzer's model of CopyrightRegistry: works, offers, licenses, credits and fees.

Validity depends on time: `license_valid` takes `now`, and callers keep away from the second a
license expires (see `machine.TIME_MARGIN`), where a call and the next block could disagree.
"""
from collections import Counter
from dataclasses import dataclass

from tests.fuzz.ledger import ETH
from tests.fuzz.market_model import ADMIN_ROLE, BPS
from tests.marketplace.orders import unauthorized
from tests.reverts import custom_error

MAX_FEE_BPS = 1_000
MAX_ROYALTY_BPS = 1_000
PERPETUAL = 2**64 - 1


@dataclass
class Work:
    id: int
    creator: str
    holder: str
    content_hash: bytes
    revoked: bool = False


@dataclass
class Offer:
    id: int
    work: int
    asset: str
    price: int
    duration: int
    max_licenses: int
    transferable: bool
    sold: int = 0
    paused: bool = False


@dataclass
class License:
    offer: int
    expires: int
    transferable: bool


class CopyrightModel:
    def __init__(self, address, admins, treasury, fee_bps, market, ledger):
        self.address = address
        self.admins = set(admins)
        self.treasury = treasury
        self.fee_bps = fee_bps
        self.market = market  # its allow-list is the registry's
        self.ledger = ledger
        self.works = {}
        self.by_hash = {}
        self.offers = {}
        self.licenses = {}  # (work, account) -> License
        self.credits = Counter()  # (account, asset) -> amount
        self.fees = Counter()  # asset -> accrued platform fees
        self.surplus = Counter()

    def liabilities(self, asset):
        return sum(a for (_, held), a in self.credits.items() if held == asset) + self.fees[asset]

    def license_valid(self, work_id, account, now):
        held = self.licenses.get((work_id, account))
        return held is not None and held.expires > now and not self.works[work_id].revoked

    def expires_at(self, work_id, account):
        held = self.licenses.get((work_id, account))
        return held.expires if held else 0

    # ------------------------------------------------------------ admin

    def admin_error(self, account):
        return unauthorized(account, ADMIN_ROLE) if account not in self.admins else None

    def fee_error(self, account, fee_bps):
        return self.admin_error(account) or (
            custom_error("CopyrightInvalidFee", fee_bps, MAX_FEE_BPS) if fee_bps > MAX_FEE_BPS else None
        )

    def sweep_error(self, admin, asset):
        if error := self.admin_error(admin):
            return error
        if self.surplus[asset] == 0:
            return custom_error("CopyrightNothingToWithdraw", self.address, asset)
        return None

    # ------------------------------------------------------------ creators

    def register_error(self, content_hash, content_cid, metadata_cid, royalty_bps):
        if content_hash == bytes(32):
            return custom_error("CopyrightZeroContentHash")
        if content_hash in self.by_hash:
            return custom_error("CopyrightAlreadyRegistered", content_hash, self.by_hash[content_hash])
        if not content_cid or not metadata_cid:
            return custom_error("CopyrightEmptyCid")
        if royalty_bps > MAX_ROYALTY_BPS:
            return custom_error("CopyrightRoyaltyTooHigh", royalty_bps, MAX_ROYALTY_BPS)
        return None

    def register(self, creator, content_hash):
        work = Work(id=len(self.works) + 1, creator=creator, holder=creator, content_hash=content_hash)
        self.works[work.id] = work
        self.by_hash[content_hash] = work.id
        return work

    def rights_holder_error(self, work_id, account):
        work = self.works.get(work_id)
        if work is None:
            return custom_error("CopyrightUnknownWork", work_id)
        if account != work.holder:
            return custom_error("CopyrightNotRightsHolder", work_id, account)
        return None

    def asset_error(self, asset):
        if asset != ETH and asset not in self.market.allowed:
            return custom_error("CopyrightAssetNotAllowed", asset)
        return None

    def create_offer_error(self, work_id, account, asset):
        if error := self.rights_holder_error(work_id, account):
            return error
        if self.works[work_id].revoked:
            return custom_error("CopyrightWorkRevoked", work_id)
        return self.asset_error(asset)

    def create_offer(self, work_id, asset, price, duration, max_licenses, transferable):
        offer = Offer(len(self.offers) + 1, work_id, asset, price, duration, max_licenses, transferable)
        self.offers[offer.id] = offer
        return offer

    def offer_paused_error(self, offer_id, account):
        offer = self.offers.get(offer_id)
        if offer is None:
            return custom_error("CopyrightUnknownOffer", offer_id)
        return self.rights_holder_error(offer.work, account)

    def revoke_error(self, work_id, account):
        if error := self.rights_holder_error(work_id, account):
            return error
        if self.works[work_id].revoked:
            return custom_error("CopyrightWorkRevoked", work_id)
        return None

    # ------------------------------------------------------------ licensees

    def buy_error(self, offer_id, buyer, value, now):
        offer = self.offers.get(offer_id)
        if offer is None:
            return custom_error("CopyrightUnknownOffer", offer_id)
        if offer.paused:
            return custom_error("CopyrightOfferPaused", offer_id)
        if offer.max_licenses and offer.sold >= offer.max_licenses:
            return custom_error("CopyrightOfferSoldOut", offer_id, offer.max_licenses)
        if self.works[offer.work].revoked:
            return custom_error("CopyrightWorkRevoked", offer.work)
        if error := self.asset_error(offer.asset):
            return error
        held = self.licenses.get((offer.work, buyer))
        if held and held.expires > now and (held.offer != offer_id or held.expires == PERPETUAL):
            return custom_error("CopyrightAlreadyLicensed", buyer, offer.work, held.expires)
        if offer.asset == ETH:
            if value != offer.price:
                return custom_error("CopyrightIncorrectPayment", offer.price, value)
            return None
        if value != 0:
            return custom_error("CopyrightIncorrectPayment", 0, value)
        if offer.price == 0:
            return None
        return self.ledger.pull_error(buyer, offer.asset, self.address, offer.price)

    def buy(self, offer_id, buyer, now):
        """Issues (or renews) the license; returns (expiry, payee, fee)."""
        offer = self.offers[offer_id]
        held = self.licenses.get((offer.work, buyer))
        start = held.expires if held and held.expires > now else now
        expires = PERPETUAL if offer.duration == 0 else start + offer.duration
        self.licenses[(offer.work, buyer)] = License(offer_id, expires, offer.transferable)
        offer.sold += 1
        payee = self.works[offer.work].holder
        fee = offer.price * self.fee_bps // BPS
        if offer.price:
            self.fees[offer.asset] += fee
            self.credits[(payee, offer.asset)] += offer.price - fee
            if offer.asset == ETH:
                self.ledger.pay(buyer, ETH, offer.price)
            else:
                self.ledger.pull(buyer, offer.asset, self.address, offer.price)
        return expires, payee, fee

    def valid_license_error(self, work_id, account, now):
        if not (work_id in self.works and self.license_valid(work_id, account, now)):
            return custom_error("CopyrightNoValidLicense", account, work_id)
        return None

    def transfer_license_error(self, work_id, sender, to, now):
        if error := self.valid_license_error(work_id, sender, now):
            return error
        if not self.licenses[(work_id, sender)].transferable:
            return custom_error("CopyrightLicenseNotTransferable", sender, work_id)
        theirs = self.expires_at(work_id, to)
        if theirs > now:
            return custom_error("CopyrightAlreadyLicensed", to, work_id, theirs)
        return None

    def transfer_license(self, work_id, sender, to):
        self.licenses[(work_id, to)] = self.licenses.pop((work_id, sender))

    # ------------------------------------------------------------ payouts

    def withdraw_error(self, account, asset):
        if self.credits[(account, asset)] == 0:
            return custom_error("CopyrightNothingToWithdraw", account, asset)
        return None

    def withdraw(self, account, asset, to):
        amount = self.credits.pop((account, asset))
        self.ledger.receive(to, asset, amount)
        return amount

    def withdraw_fees_error(self, asset):
        if self.fees[asset] == 0:
            return custom_error("CopyrightNothingToWithdraw", self.treasury, asset)
        return None

    def withdraw_fees(self, asset):
        amount = self.fees.pop(asset)
        self.ledger.receive(self.treasury, asset, amount)
        return amount
