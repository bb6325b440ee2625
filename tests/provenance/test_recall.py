"""Recalls: the producer flags one, everyone sees it, the trail records it."""
import brownie

from chainmart.provenance import Step
from tests.conftest import FACTORY
from tests.provenance.trail_events import recorded_event
from tests.reverts import custom_error

NOTICE_CID = "bafkreirecallnotice"
EMPTY_CID_ERROR = "ProvenanceEmptyCid: "


def test_producer_recall_sets_flag(provenance, product, producer):
    provenance.recall(product, NOTICE_CID, {"from": producer})
    assert provenance.isRecalled(product)


def test_recall_appends_recalled_event_with_notice(provenance, product, producer):
    prev_head = provenance.trailOf(product)[0]
    tx = provenance.recall(product, NOTICE_CID, {"from": producer})
    assert tx.return_value == 1
    assert tx.events["ProvenanceEventRecorded"] == recorded_event(
        tx, product, 1, Step.RECALLED, producer, "", NOTICE_CID, prev_head
    )


def test_token_is_not_recalled_before(provenance, product):
    assert not provenance.isRecalled(product)


def test_holder_sees_recall_in_origin(provenance, product, producer, buyer):
    provenance.transferFrom(producer, buyer, product, {"from": producer})
    provenance.recall(product, NOTICE_CID, {"from": producer})
    assert provenance.originOf(product)["recalled"] is True


def test_holder_cannot_recall(provenance, product, producer, buyer):
    provenance.transferFrom(producer, buyer, product, {"from": producer})
    with brownie.reverts(custom_error("ProvenanceNotTokenProducer", product, buyer)):
        provenance.recall(product, NOTICE_CID, {"from": buyer})


def test_logistics_role_cannot_recall(provenance, product, carrier):
    with brownie.reverts(custom_error("ProvenanceNotTokenProducer", product, carrier)):
        provenance.recall(product, NOTICE_CID, {"from": carrier})


def test_another_producer_cannot_recall(provenance, product, role_producer):
    with brownie.reverts(custom_error("ProvenanceNotTokenProducer", product, role_producer)):
        provenance.recall(product, NOTICE_CID, {"from": role_producer})


def test_recall_twice_refused(provenance, product, producer):
    provenance.recall(product, NOTICE_CID, {"from": producer})
    with brownie.reverts(custom_error("ProvenanceAlreadyRecalled", product)):
        provenance.recall(product, NOTICE_CID, {"from": producer})


def test_recall_refuses_empty_notice(provenance, product, producer):
    with brownie.reverts(EMPTY_CID_ERROR):
        provenance.recall(product, "", {"from": producer})


def test_recall_refuses_unknown_token(provenance, producer):
    with brownie.reverts(custom_error("ProvenanceUnknownToken", 77)):
        provenance.recall(77, NOTICE_CID, {"from": producer})


def test_recalled_token_still_takes_return_events(provenance, product, producer, carrier):
    provenance.recall(product, NOTICE_CID, {"from": producer})
    tx = provenance.appendEvent(product, Step.RETURNING, FACTORY, "bafkreireturn", {"from": carrier})
    assert tx.return_value == 2


def test_recalled_token_still_transfers(provenance, product, producer, buyer):
    provenance.recall(product, NOTICE_CID, {"from": producer})
    provenance.transferFrom(producer, buyer, product, {"from": producer})
    assert provenance.ownerOf(product) == buyer
