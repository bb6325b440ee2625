"""Copyright certificates and licenses, read from the chain: GET /api/works, /api/works/<id>,
/api/licenses?account= (an account's licenses), /api/licenses/verify (the public answer to "may
this account use this work?").

Works and offers are found through their events (WorkRegistered, LicenseOfferCreated, filtered by
indexed topics) and read back with the contract's views, so the answers are current.
"""
from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request
from web3 import Web3

from dapp.api import api
from dapp.api.params import MAX_UINT256, PAGE_PARAMS, Query, parse_uint
from dapp.exceptions import BadRequest, NotFound

PERPETUAL = 2**64 - 1
WORK_FIELDS = ("id", "creator", "rightsHolder", "contentHash", "registeredAt", "royaltyBps", "revoked", "metadataCid")
OFFER_FIELDS = ("id", "workId", "asset", "price", "duration", "maxLicenses", "sold", "commercial", "transferable",
                "paused")
LICENSE_FIELDS = ("offerId", "expiresAt", "commercial", "transferable", "valid")


def _registry():
    chain = current_app.extensions["chain"]
    return chain, chain.contract("CopyrightRegistry")


@api.get("/works")
def list_works():
    query = Query(request.args, ("holder", "creator", *PAGE_PARAMS))
    holder, creator = query.address("holder"), query.address("creator")
    page, per_page = query.page()
    chain, registry = _registry()
    logs = registry.events.WorkRegistered.get_logs(
        argument_filters={"creator": creator} if creator else None, from_block=chain.start_block)
    works = [_work_json(registry, log["args"]["workId"], log) for log in sorted(logs, key=_log_order, reverse=True)]
    if holder:
        works = [w for w in works if w["rightsHolder"] == holder]
    total = len(works)
    items = works[(page - 1) * per_page: page * per_page]
    return jsonify({"items": items, "page": page, "perPage": per_page, "total": total,
                    "pages": -(-total // per_page)})


@api.get("/works/<work_id>")
def get_work(work_id: str):
    Query(request.args, ())
    number = parse_uint(work_id, "workId", minimum=1, maximum=MAX_UINT256)
    chain, registry = _registry()
    work = _registered_work(chain, registry, number)
    offer_logs = registry.events.LicenseOfferCreated.get_logs(argument_filters={"workId": number},
                                                              from_block=chain.start_block)
    work["offers"] = [
        {**_struct(registry.functions.getOffer(log["args"]["offerId"]).call(), OFFER_FIELDS),
         "termsCid": log["args"]["termsCid"]}
        for log in sorted(offer_logs, key=_log_order)
    ]
    return jsonify(work)


def _registered_work(chain, registry, number: int) -> dict[str, Any]:
    """Work `number` as `_work_json` gives it, found by its WorkRegistered log; NotFound if none."""
    logs = registry.events.WorkRegistered.get_logs(argument_filters={"workId": number}, from_block=chain.start_block)
    if not logs:
        raise NotFound(f"No work {number} is registered.")
    return _work_json(registry, number, logs[0])


@api.get("/licenses")
def list_licenses():
    """An account's licenses (bought or received: LicenseIssued and LicenseTransferred logs), whether each
    is valid now, the work's title, and the uses the licensee recorded (LicenseUseRecorded)."""
    query = Query(request.args, ("account",))
    account = query.address("account")
    if account is None:
        raise BadRequest("Give 'account': whose licenses?")
    chain, registry = _registry()
    logs = registry.events.LicenseIssued.get_logs(argument_filters={"licensee": account}, from_block=chain.start_block)
    logs += registry.events.LicenseTransferred.get_logs(argument_filters={"to": account}, from_block=chain.start_block)
    uses = registry.events.LicenseUseRecorded.get_logs(argument_filters={"licensee": account},
                                                       from_block=chain.start_block)
    work_ids = sorted({log["args"]["workId"] for log in logs})
    # One log query for all the works' registrations, one pass over the uses.
    registered = {log["args"]["workId"]: log for log in registry.events.WorkRegistered.get_logs(
        argument_filters={"workId": work_ids}, from_block=chain.start_block)} if work_ids else {}
    uses_of: dict[int, list[dict]] = {}
    for use in sorted(uses, key=_log_order):
        uses_of.setdefault(use["args"]["workId"], []).append(
            {"kind": use["args"]["kind"], "usageCid": use["args"]["usageCid"], "block": use["blockNumber"]})
    items = []
    for work_id in work_ids:
        license_ = _struct(registry.functions.getLicense(account, work_id).call(), LICENSE_FIELDS)
        work = _work_json(registry, work_id, registered[work_id])
        items.append({"workId": work_id, **license_, "title": work["title"], "revoked": work["revoked"],
                      "uses": uses_of.get(work_id, [])})
    return jsonify({"account": account, "items": items})


@api.get("/licenses/verify")
def verify_license():
    """Whether `account` holds a valid license for `work` now, and if not, why not."""
    query = Query(request.args, ("work", "account"))
    if query.args.get("work") is None or query.args.get("account") is None:
        raise BadRequest("Give 'work' (a work id) and 'account' (an address).")
    number = query.uint("work", minimum=1)
    account = query.address("account")
    chain, registry = _registry()
    work = _registered_work(chain, registry, number)
    license_ = _struct(registry.functions.getLicense(account, number).call(), LICENSE_FIELDS)
    now = chain.web3.eth.get_block("latest")["timestamp"]
    expires = int(license_["expiresAt"])
    if license_["valid"]:
        reason = "perpetual license" if expires == PERPETUAL else "license runs until expiresAt"
    elif work["revoked"]:
        reason = "the work's certificate was revoked: no license for it is valid"
    elif expires == 0:
        reason = "the account holds no license for this work"
    elif expires <= now:
        reason = "the license expired"
    else:
        reason = "the license is not valid"
    return jsonify({"valid": bool(license_["valid"]), "reason": reason, "account": account, "checkedAt": now,
                    "license": license_, "work": work})


def _work_json(registry, work_id: int, log) -> dict[str, Any]:
    work = _struct(registry.functions.getWork(work_id).call(), WORK_FIELDS)
    args = log["args"]
    work.update(title=args["title"], contentCid=args["contentCid"], registeredBlock=log["blockNumber"])
    return work


def _struct(values, names) -> dict[str, Any]:
    out = {}
    for name, value in zip(names, values):
        if isinstance(value, (bytes, bytearray)):
            value = "0x" + bytes(value).hex()
        elif isinstance(value, str) and Web3.is_address(value):
            value = Web3.to_checksum_address(value)
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**53:
            value = str(value)
        out[name] = value
    return out


def _log_order(log) -> tuple[int, int]:
    return log["blockNumber"], log["logIndex"]
