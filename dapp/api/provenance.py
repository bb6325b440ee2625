"""Provenance and copyright, read from the chain itself.

GET /api/provenance/<token_id>: a token's origin, holder, trail and the hash-chain verdict,
recomputed from the logs against the head stored on chain (chainmart/provenance.py).
GET /api/works/<work_id>: a registered work, its offers and whether it is revoked.
GET /api/licenses/check?account=&work=: does `account` hold a valid license for `work` now?
GET /api/works?creator=: registered works, newest first; GET /api/licenses?account=: an account's
licenses with their validity now. Both read the contract's logs by indexed topic.
"""
from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request
from web3.exceptions import ContractCustomError, ContractLogicError

from chainmart.provenance import Step, verify_token
from dapp.api import api
from dapp.api.params import MAX_UINT256, Query, parse_uint
from dapp.exceptions import BadRequest, NotFound

PERPETUAL = 2**64 - 1


def _chain():
    return current_app.extensions["chain"]


@api.get("/provenance/<token_id>")
def provenance_trail(token_id: str):
    Query(request.args, ())
    number = parse_uint(token_id, "tokenId", minimum=1, maximum=MAX_UINT256)
    chain = _chain()
    token = chain.contract("ProvenanceToken")
    try:
        origin = token.functions.originOf(number).call()
        owner = token.functions.ownerOf(number).call()
    except (ContractCustomError, ContractLogicError) as exc:
        raise NotFound(f"No provenance token {number}.") from exc
    result = verify_token(token, number, from_block=chain.start_block)
    return jsonify({
        "tokenId": number,
        "owner": owner,
        "origin": {"producer": origin[0], "mintedAt": origin[1], "passportCid": origin[3], "batchRef": origin[4]},
        "recalled": result.recalled,
        "verification": {
            "ok": result.ok,
            "summary": result.summary().splitlines()[0],
            "problem": result.problem,
            "problemPosition": result.problem_position,
            "headRecomputed": "0x" + result.head_recomputed.hex(),
            "headOnChain": "0x" + result.head_onchain.hex(),
            "events": result.count,
            "eventsOnChain": result.count_onchain,
        },
        "trail": [_event_json(event) for event in result.events],
    })


@api.get("/works/<work_id>")
def work(work_id: str):
    Query(request.args, ())
    number = parse_uint(work_id, "workId", minimum=1, maximum=MAX_UINT256)
    registry = _chain().contract("CopyrightRegistry")
    try:
        view = registry.functions.getWork(number).call()
    except (ContractCustomError, ContractLogicError) as exc:
        raise NotFound(f"No registered work {number}.") from exc
    offer_ids = _offer_ids(registry, number)
    offers = [registry.functions.getOffer(offer_id).call() for offer_id in offer_ids]
    return jsonify({
        "workId": view[0],
        "creator": view[1],
        "rightsHolder": view[2],
        "contentHash": "0x" + bytes(view[3]).hex(),
        "registeredAt": view[4],
        "royaltyBps": view[5],
        "revoked": view[6],
        "metadataCid": view[7],
        "offers": [_offer_json(offer) for offer in offers],
    })


@api.get("/works")
def works():
    query = Query(request.args, ("creator", "page", "per_page"))
    creator = query.address("creator")
    page, per_page = query.page()
    registry = _chain().contract("CopyrightRegistry")
    filters = {"creator": creator} if creator else {}
    logs = registry.events.WorkRegistered.get_logs(from_block=_chain().start_block, argument_filters=filters)
    logs = sorted(logs, key=lambda log: (log["blockNumber"], log["logIndex"]), reverse=True)
    shown = logs[(page - 1) * per_page: page * per_page]
    items = []
    for log in shown:
        args = log["args"]
        view = registry.functions.getWork(args["workId"]).call()
        items.append({"workId": args["workId"], "creator": args["creator"], "title": args["title"],
                      "contentCid": args["contentCid"], "metadataCid": args["metadataCid"],
                      "contentHash": "0x" + bytes(args["contentHash"]).hex(), "rightsHolder": view[2],
                      "revoked": view[6], "block": log["blockNumber"]})
    return jsonify({"items": items, "page": page, "perPage": per_page, "total": len(logs)})


@api.get("/licenses")
def licenses():
    query = Query(request.args, ("account",))
    account = query.address("account")
    if account is None:
        raise BadRequest("Give 'account': whose licenses?")
    registry = _chain().contract("CopyrightRegistry")
    logs = registry.events.LicenseIssued.get_logs(from_block=_chain().start_block,
                                                   argument_filters={"licensee": account})
    work_ids = sorted({log["args"]["workId"] for log in logs})
    items = []
    for work_id in work_ids:
        license_ = registry.functions.getLicense(account, work_id).call()
        items.append({"workId": work_id, "offerId": license_[0],
                      "expiresAt": None if license_[1] in (0, PERPETUAL) else license_[1],
                      "perpetual": license_[1] == PERPETUAL, "commercial": license_[2],
                      "transferable": license_[3],
                      "valid": registry.functions.isLicenseValid(account, work_id).call()})
    return jsonify({"account": account, "items": items})


@api.get("/licenses/check")
def license_check():
    query = Query(request.args, ("account", "work"))
    account = query.address("account")
    work_id = query.uint("work", minimum=1, maximum=MAX_UINT256)
    if account is None or work_id is None:
        raise BadRequest("Give both 'account' (an address) and 'work' (a work id).")
    registry = _chain().contract("CopyrightRegistry")
    try:
        registry.functions.getWork(work_id).call()
    except (ContractCustomError, ContractLogicError) as exc:
        raise NotFound(f"No registered work {work_id}.") from exc
    license_ = registry.functions.getLicense(account, work_id).call()
    return jsonify({
        "account": account,
        "workId": work_id,
        "valid": registry.functions.isLicenseValid(account, work_id).call(),
        "offerId": license_[0],
        "expiresAt": None if license_[1] in (0, PERPETUAL) else license_[1],
        "perpetual": license_[1] == PERPETUAL,
        "commercial": license_[2],
        "transferable": license_[3],
    })


def _offer_ids(registry, work_id: int) -> list[int]:
    """Offer ids of a work, from its LicenseOfferCreated logs (the work id is an indexed topic)."""
    event = registry.events.LicenseOfferCreated
    logs = event.get_logs(from_block=_chain().start_block, argument_filters={"workId": work_id})
    return [log["args"]["offerId"] for log in logs]


def _offer_json(offer: Any) -> dict[str, Any]:
    return {
        "offerId": offer[0],
        "asset": offer[2],
        "price": str(offer[3]),
        "duration": offer[4] or None,
        "maxLicenses": offer[5] or None,
        "sold": offer[6],
        "commercial": offer[7],
        "transferable": offer[8],
        "paused": offer[9],
    }


def _event_json(event) -> dict[str, Any]:
    return {
        "index": event.index,
        "step": Step(event.step).name.lower() if event.step in Step._value2member_map_ else event.step,
        "actor": event.actor,
        "time": event.time,
        "location": event.location,
        "evidenceCid": event.evidence_cid,
        "corrects": None if not event.is_correction else event.corrects,
        "block": event.block_number,
    }
