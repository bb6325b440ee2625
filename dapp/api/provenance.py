"""Provenance tokens: GET /api/provenance lists tokens by holder or producer (from the event index);
GET /api/provenance/<token_id> serves a token's origin, holder, recall status, trail and the
accounts authorised to append to it, with the server's verdict on the trail's hash chain
(chainmart.provenance.verify_token), read from the chain."""
from __future__ import annotations

import sqlite3
from typing import Any

from flask import current_app, jsonify, request

from chainmart.provenance import NO_CORRECTION, Step, verify_token
from dapp.api import api
from dapp.api.params import MAX_UINT256, PAGE_PARAMS, Query, paginate, parse_uint, where
from dapp.exceptions import NotFound
from dapp.index_db import get_index

# The listing whose pool holds the token now: in a pool past the listing's cursor (for sale), or
# taken by an order that has not ended (reserved). Such a token cannot go into another listing.
TOKEN_LISTING = (
    "(SELECT lt.listing_id FROM listing_tokens lt JOIN listings l ON l.id = lt.listing_id "
    " WHERE lt.token_id = CAST(p.token_id AS TEXT) AND lt.position >= l.token_cursor "
    " UNION ALL SELECT o.listing_id FROM order_tokens ot JOIN orders o ON o.id = ot.order_id "
    " WHERE ot.token_id = CAST(p.token_id AS TEXT) AND ot.status = 'reserved' LIMIT 1)"
)


def step_name(step: int | None) -> str | None:
    if step is None:
        return None
    return Step(step).name.title() if step in Step._value2member_map_ else f"Step {step}"


@api.get("/provenance")
def list_provenance_tokens():
    """Tokens held by `holder` and/or made by `producer` (and not held by `not_holder`), newest first."""
    query = Query(request.args, ("holder", "producer", "not_holder", "recalled", *PAGE_PARAMS))
    recalled = query.boolean("recalled")
    page, per_page = query.page()
    where_sql, params = where([
        ("p.holder = ?", query.address("holder")),
        ("p.producer = ?", query.address("producer")),
        ("p.holder != ?", query.address("not_holder")),
        ("p.recalled = ?", None if recalled is None else int(recalled)),
    ])
    rows, paging = paginate(get_index(), f"p.*, {TOKEN_LISTING} AS listing_id",
                            "FROM provenance_tokens p" + where_sql, params, "p.token_id DESC", page, per_page)
    return jsonify({"items": [token_json(row) for row in rows], **paging})


def token_json(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "tokenId": str(row["token_id"]),
        "producer": row["producer"],
        "holder": row["holder"],
        "passportCid": row["passport_cid"],
        "batchRef": row["batch_ref"],
        "mintedBlock": row["minted_block"],
        "mintedAt": row["minted_at"],
        "events": row["events"],
        "lastStep": step_name(row["last_step"]),
        "lastEventAt": row["last_event_at"],
        "recalled": bool(row["recalled"]),
        "listingId": row["listing_id"],
    }


@api.get("/provenance/<token_id>")
def provenance(token_id: str):
    Query(request.args, ())
    number = parse_uint(token_id, "tokenId", minimum=1, maximum=MAX_UINT256)
    chain = current_app.extensions["chain"]
    token = chain.contract("ProvenanceToken")
    if number > token.functions.totalMinted().call():
        raise NotFound(f"No provenance token {number} has been minted.")
    producer, minted_at, recalled, passport_cid, batch_ref = token.functions.originOf(number).call()
    result = verify_token(token, number, from_block=chain.start_block)
    return jsonify({
        "tokenId": str(number),
        "holder": token.functions.ownerOf(number).call(),
        "origin": {"producer": producer, "mintedAt": minted_at, "passportCid": passport_cid, "batchRef": batch_ref},
        "recalled": recalled,
        "appenders": _appenders(chain, token, number),
        "verification": {
            "ok": result.ok,
            "problem": result.problem,
            "problemPosition": result.problem_position,
            "headRecomputed": "0x" + result.head_recomputed.hex(),
            "headOnChain": "0x" + result.head_onchain.hex(),
            "events": result.count,
            "eventsOnChain": result.count_onchain,
            "recalledInTrail": result.recalled_in_trail,
        },
        "trail": [
            {
                "index": e.index,
                "step": step_name(e.step),
                "actor": e.actor,
                "time": e.time,
                "location": e.location,
                "evidenceCid": e.evidence_cid,
                "corrects": None if e.corrects == NO_CORRECTION else e.corrects,
                "head": "0x" + e.head.hex(),
                "block": e.block_number,
            }
            for e in result.events
        ],
    })


def _appenders(chain, token, token_id: int) -> list[dict[str, Any]]:
    """Every account ever authorised for this token (ProvenanceAppenderSet logs) that may append now:
    a holder's authorisation lapses when the token moves on, so canAppend decides."""
    logs = token.events.ProvenanceAppenderSet.get_logs(argument_filters={"tokenId": token_id},
                                                       from_block=chain.start_block)
    latest: dict[str, Any] = {}
    for log in sorted(logs, key=lambda log: (log["blockNumber"], log["logIndex"])):
        latest[log["args"]["account"]] = log
    return [
        {"account": account, "grantedBy": log["args"]["grantedBy"], "block": log["blockNumber"]}
        for account, log in latest.items()
        if log["args"]["authorized"] and token.functions.canAppend(token_id, account).call()
    ]
