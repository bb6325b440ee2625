"""Provenance calls relayed through the platform's ERC-2771 forwarder keep the signer as the actor."""
import brownie

from chainmart.provenance import Step
from tests.conftest import FACTORY, PASSPORT_CID
from tests.forwarding import forward

# The forwarder reports a failed inner call as OpenZeppelin's FailedCall (no arguments).
FAILED_CALL = "FailedCall: "


def test_relayed_append_records_signer_as_actor(provenance, forwarder, product, carrier, relayer):
    calldata = provenance.appendEvent.encode_input(product, Step.SHIPPING, FACTORY, "bafkreirelayed")
    tx = forward(forwarder, carrier, provenance, calldata, relayer)
    assert tx.events["ProvenanceEventRecorded"]["actor"] == carrier


def test_relayed_append_by_unauthorised_signer_is_refused(provenance, forwarder, product, courier, relayer):
    calldata = provenance.appendEvent.encode_input(product, Step.SHIPPING, FACTORY, "bafkreirelayed")
    with brownie.reverts(FAILED_CALL):
        forward(forwarder, courier, provenance, calldata, relayer)


def test_relayed_mint_makes_signer_the_producer(provenance, forwarder, admin, courier, relayer):
    provenance.grantRole(provenance.PRODUCER_ROLE(), courier, {"from": admin})
    calldata = provenance.mint.encode_input(PASSPORT_CID, "LOT-R", FACTORY)
    tx = forward(forwarder, courier, provenance, calldata, relayer)
    assert tx.events["ProvenanceMinted"]["producer"] == courier
