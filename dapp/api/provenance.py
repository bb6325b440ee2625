"""GET /api/provenance/<token_id>: a provenance token's origin, holder, recall status and trail,
with the server's verdict on the trail's hash chain (chainmart.provenance.verify_token)."""
from __future__ import annotations

from flask import current_app, jsonify, request

from chainmart.provenance import NO_CORRECTION, Step, verify_token
from dapp.api import api
from dapp.api.params import MAX_UINT256, Query, parse_uint
from dapp.exceptions import NotFound


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
                "step": Step(e.step).name.title() if e.step in Step._value2member_map_ else f"Step {e.step}",
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
