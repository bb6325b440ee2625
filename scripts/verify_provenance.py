"""Print whether a provenance token's trail is complete and unaltered.

    brownie run scripts/verify_provenance.py main <token_id> [<ProvenanceToken address>] --network <net>

Without an address it takes the ProvenanceToken recorded for this chain in the deployments file.
The verdict comes from ``chainmart.provenance.verify_token``: it fetches the token's
``ProvenanceEventRecorded`` logs, recomputes the hash chain and compares it with ``trailOf``.
"""
from brownie import ProvenanceToken

from chainmart.provenance import verify_token
from scripts.deployment import load_deployment


def main(token_id, address=None):
    address = address or load_deployment()["contracts"]["ProvenanceToken"]
    result = verify_token(ProvenanceToken.at(address), int(token_id))
    print(result.summary())
    return result
