"""Expected ``ProvenanceEventRecorded`` events, with the head computed by ``chainmart.provenance``."""
from brownie.convert import to_address

from chainmart.provenance import NO_CORRECTION, next_head


def recorded_event(tx, token_id, index, step, actor, location, evidence_cid, prev_head, corrects=NO_CORRECTION):
    """The event ``tx`` must have emitted for trail event ``index`` following ``prev_head``."""
    actor = to_address(actor.address if hasattr(actor, "address") else actor)
    head = next_head(bytes(prev_head), token_id, index, step, actor, tx.timestamp, location, evidence_cid, corrects)
    return {
        "tokenId": token_id,
        "step": int(step),
        "actor": actor,
        "index": index,
        "time": tx.timestamp,
        "location": location,
        "evidenceCid": evidence_cid,
        "corrects": corrects,
        "head": "0x" + head.hex(),
    }
