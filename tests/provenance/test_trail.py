"""Appending to a token's trail: who may append, steps, corrections, per-token authorisation."""
import brownie
import pytest
from brownie import ZERO_ADDRESS
from eth_abi import encode
from hexbytes import HexBytes

from chainmart.provenance import NO_CORRECTION, Step
from tests.conftest import FACTORY
from tests.provenance.trail_events import recorded_event
from tests.reverts import custom_error

WAREHOUSE = "urn:epc:id:sgln:4012345.00002.0"
EVIDENCE_CID = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"
ZERO_ADDRESS_ERROR = "ProvenanceZeroAddress: "


def append(provenance, token_id, actor, step=Step.SHIPPING, location=WAREHOUSE, evidence=EVIDENCE_CID):
    return provenance.appendEvent(token_id, step, location, evidence, {"from": actor})


# ---------------------------------------------------------------- recording


def test_producer_appends_event_at_next_index(provenance, product, producer):
    tx = append(provenance, product, producer)
    assert tx.return_value == 1
    assert provenance.trailOf(product)[1] == 2


def test_append_emits_event_with_new_head(provenance, product, producer):
    prev_head = provenance.trailOf(product)[0]
    tx = append(provenance, product, producer)
    assert tx.events["ProvenanceEventRecorded"] == recorded_event(
        tx, product, 1, Step.SHIPPING, producer, WAREHOUSE, EVIDENCE_CID, prev_head
    )


def test_append_stores_the_head_it_logs(provenance, product, producer):
    tx = append(provenance, product, producer)
    assert provenance.trailOf(product) == (tx.events["ProvenanceEventRecorded"]["head"], 2)


def test_append_emits_only_the_trail_event(provenance, product, producer):
    tx = append(provenance, product, producer)
    assert list(tx.events.keys()) == ["ProvenanceEventRecorded"]


# The append path writes its log's ABI encoding by hand (strings straight from calldata): the bytes
# must be exactly what the ABI encoder writes, padding included, for every string length.
@pytest.mark.parametrize("location, evidence", [
    ("", ""),
    ("x", EVIDENCE_CID),
    ("a" * 31, "b" * 32),
    ("c" * 32, "d" * 33),
    ("geo:52.3676,4.9041;u=10 · Lagerhaus Süd", "e" * 100),
])
def test_append_log_data_is_the_canonical_abi_encoding(provenance, product, producer, location, evidence):
    tx = append(provenance, product, producer, location=location, evidence=evidence)
    event = tx.events["ProvenanceEventRecorded"]
    expected = encode(
        ["uint32", "uint64", "string", "string", "uint32", "bytes28"],
        [1, tx.timestamp, location, evidence, NO_CORRECTION, bytes(HexBytes(event["head"]))],
    )
    (log,) = tx.logs
    assert bytes(HexBytes(log["data"])) == expected
    assert [bytes(t) for t in log["topics"][1:]] == [
        int(product).to_bytes(32, "big"), int(Step.SHIPPING).to_bytes(32, "big"), bytes(12) + bytes(HexBytes(producer.address))
    ]


def test_append_accepts_empty_location_and_evidence(provenance, product, producer):
    tx = append(provenance, product, producer, location="", evidence="")
    assert tx.events["ProvenanceEventRecorded"]["location"] == ""


@pytest.mark.parametrize("step", [s for s in Step if s not in (Step.COMMISSIONING, Step.RECALLED)])
def test_append_accepts_every_ordinary_step(provenance, product, producer, step):
    tx = append(provenance, product, producer, step=step)
    assert tx.events["ProvenanceEventRecorded"]["step"] == step


@pytest.mark.parametrize("step", [Step.COMMISSIONING, Step.RECALLED])
def test_append_refuses_steps_reserved_for_mint_and_recall(provenance, product, producer, step):
    with brownie.reverts(custom_error("ProvenanceReservedStep", step)):
        append(provenance, product, producer, step=step)


@pytest.mark.parametrize("step", [len(Step), 255])
def test_append_refuses_unknown_step(provenance, product, producer, step):
    with brownie.reverts(custom_error("ProvenanceInvalidStep", step)):
        append(provenance, product, producer, step=step)


def test_append_refuses_unknown_token(provenance, producer):
    with brownie.reverts(custom_error("ProvenanceUnknownToken", 77)):
        append(provenance, 77, producer)


# ---------------------------------------------------------------- who may append


def test_holder_appends(provenance, product, producer, buyer):
    provenance.transferFrom(producer, buyer, product, {"from": producer})
    tx = append(provenance, product, buyer, step=Step.RECEIVING)
    assert tx.events["ProvenanceEventRecorded"]["actor"] == buyer


def test_producer_still_appends_after_token_moves(provenance, product, producer, buyer):
    provenance.transferFrom(producer, buyer, product, {"from": producer})
    tx = append(provenance, product, producer, step=Step.INSPECTING)
    assert tx.events["ProvenanceEventRecorded"]["actor"] == producer


def test_former_holder_cannot_append(provenance, product, producer, buyer, stranger):
    provenance.transferFrom(producer, buyer, product, {"from": producer})
    provenance.transferFrom(buyer, stranger, product, {"from": buyer})
    with brownie.reverts(custom_error("ProvenanceUnauthorizedActor", product, buyer)):
        append(provenance, product, buyer)


def test_logistics_role_appends_to_any_token(provenance, product, carrier):
    tx = append(provenance, product, carrier)
    assert tx.events["ProvenanceEventRecorded"]["actor"] == carrier


def test_stranger_cannot_append(provenance, product, stranger):
    with brownie.reverts(custom_error("ProvenanceUnauthorizedActor", product, stranger)):
        append(provenance, product, stranger)


def test_marketplace_role_alone_does_not_allow_appending(provenance, product, sales_agent):
    with brownie.reverts(custom_error("ProvenanceUnauthorizedActor", product, sales_agent)):
        append(provenance, product, sales_agent)


def test_logistics_role_revoked_stops_appending(provenance, product, admin, carrier):
    provenance.revokeRole(provenance.LOGISTICS_ROLE(), carrier, {"from": admin})
    with brownie.reverts(custom_error("ProvenanceUnauthorizedActor", product, carrier)):
        append(provenance, product, carrier)


# ---------------------------------------------------------------- per-token authorisation


def test_set_appender_emits_event(provenance, product, producer, courier):
    tx = provenance.setAppender(product, courier, True, {"from": producer})
    assert tx.events["ProvenanceAppenderSet"] == {
        "tokenId": product,
        "account": courier,
        "grantedBy": producer,
        "authorized": True,
    }


def test_courier_authorised_by_producer_appends(provenance, product, producer, courier):
    provenance.setAppender(product, courier, True, {"from": producer})
    tx = append(provenance, product, courier)
    assert tx.events["ProvenanceEventRecorded"]["actor"] == courier


def test_producer_authorisation_outlasts_transfer(provenance, product, producer, buyer, courier):
    provenance.setAppender(product, courier, True, {"from": producer})
    provenance.transferFrom(producer, buyer, product, {"from": producer})
    assert provenance.canAppend(product, courier)


def test_courier_authorised_by_holder_appends(provenance, product, producer, buyer, courier):
    provenance.transferFrom(producer, buyer, product, {"from": producer})
    provenance.setAppender(product, courier, True, {"from": buyer})
    tx = append(provenance, product, courier, step=Step.DELIVERING)
    assert tx.events["ProvenanceEventRecorded"]["actor"] == courier


def test_holder_authorisation_lapses_when_token_moves(provenance, product, producer, buyer, stranger, courier):
    provenance.transferFrom(producer, buyer, product, {"from": producer})
    provenance.setAppender(product, courier, True, {"from": buyer})
    provenance.transferFrom(buyer, stranger, product, {"from": buyer})
    with brownie.reverts(custom_error("ProvenanceUnauthorizedActor", product, courier)):
        append(provenance, product, courier)


def test_withdrawn_authorisation_stops_appending(provenance, product, producer, courier):
    provenance.setAppender(product, courier, True, {"from": producer})
    provenance.setAppender(product, courier, False, {"from": producer})
    with brownie.reverts(custom_error("ProvenanceUnauthorizedActor", product, courier)):
        append(provenance, product, courier)


def test_holder_withdraws_producer_authorisation(provenance, product, producer, buyer, courier):
    provenance.setAppender(product, courier, True, {"from": producer})
    provenance.transferFrom(producer, buyer, product, {"from": producer})
    tx = provenance.setAppender(product, courier, False, {"from": buyer})
    assert tx.events["ProvenanceAppenderSet"]["grantedBy"] == buyer
    assert not provenance.canAppend(product, courier)


def test_authorisation_is_per_token(provenance, product, producer, courier):
    other = provenance.mint("bafkreiother", "LOT-2", FACTORY, {"from": producer}).return_value
    provenance.setAppender(product, courier, True, {"from": producer})
    with brownie.reverts(custom_error("ProvenanceUnauthorizedActor", other, courier)):
        append(provenance, other, courier)


def test_stranger_cannot_set_appender(provenance, product, stranger, courier):
    with brownie.reverts(custom_error("ProvenanceNotProducerOrHolder", product, stranger)):
        provenance.setAppender(product, courier, True, {"from": stranger})


def test_authorised_courier_cannot_authorise_others(provenance, product, producer, courier, stranger):
    provenance.setAppender(product, courier, True, {"from": producer})
    with brownie.reverts(custom_error("ProvenanceNotProducerOrHolder", product, courier)):
        provenance.setAppender(product, stranger, True, {"from": courier})


def test_set_appender_refuses_zero_account(provenance, product, producer):
    with brownie.reverts(ZERO_ADDRESS_ERROR):
        provenance.setAppender(product, ZERO_ADDRESS, True, {"from": producer})


def test_set_appender_refuses_unknown_token(provenance, producer, courier):
    with brownie.reverts(custom_error("ProvenanceUnknownToken", 77)):
        provenance.setAppender(77, courier, True, {"from": producer})


@pytest.mark.parametrize(
    "who, expected",
    [("producer", True), ("carrier", True), ("courier", False), ("stranger", False), ("sales_agent", False)],
)
def test_can_append(provenance, product, request, who, expected):
    assert provenance.canAppend(product, request.getfixturevalue(who)) is expected


def test_can_append_refuses_unknown_token(provenance, producer):
    with brownie.reverts(custom_error("ProvenanceUnknownToken", 77)):
        provenance.canAppend(77, producer)


# ---------------------------------------------------------------- corrections


def test_correction_names_the_event_it_corrects(provenance, product, producer):
    append(provenance, product, producer)
    prev_head = provenance.trailOf(product)[0]
    tx = provenance.appendCorrection(product, 1, Step.SHIPPING, FACTORY, EVIDENCE_CID, {"from": producer})
    assert tx.return_value == 2
    assert tx.events["ProvenanceEventRecorded"] == recorded_event(
        tx, product, 2, Step.SHIPPING, producer, FACTORY, EVIDENCE_CID, prev_head, corrects=1
    )


def test_correction_may_correct_the_commissioning_event(provenance, product, producer):
    tx = provenance.appendCorrection(product, 0, Step.COMMISSIONING, WAREHOUSE, EVIDENCE_CID, {"from": producer})
    assert tx.events["ProvenanceEventRecorded"]["corrects"] == 0


def test_correction_leaves_the_trail_append_only(provenance, product, producer):
    first = append(provenance, product, producer).events["ProvenanceEventRecorded"]["head"]
    provenance.appendCorrection(product, 1, Step.SHIPPING, FACTORY, EVIDENCE_CID, {"from": producer})
    head, count = provenance.trailOf(product)
    assert count == 3 and head != first


def test_correction_refuses_index_not_yet_recorded(provenance, product, producer):
    with brownie.reverts(custom_error("ProvenanceInvalidCorrection", product, 1, 1)):
        provenance.appendCorrection(product, 1, Step.SHIPPING, FACTORY, EVIDENCE_CID, {"from": producer})


def test_correction_refuses_the_no_correction_marker(provenance, product, producer):
    with brownie.reverts(custom_error("ProvenanceInvalidCorrection", product, NO_CORRECTION, 1)):
        provenance.appendCorrection(product, NO_CORRECTION, Step.SHIPPING, FACTORY, "", {"from": producer})


def test_correction_refuses_recalled_step(provenance, product, producer):
    with brownie.reverts(custom_error("ProvenanceReservedStep", Step.RECALLED)):
        provenance.appendCorrection(product, 0, Step.RECALLED, FACTORY, EVIDENCE_CID, {"from": producer})


def test_correction_refuses_unknown_step(provenance, product, producer):
    with brownie.reverts(custom_error("ProvenanceInvalidStep", 200)):
        provenance.appendCorrection(product, 0, 200, FACTORY, EVIDENCE_CID, {"from": producer})


def test_stranger_cannot_correct(provenance, product, stranger):
    with brownie.reverts(custom_error("ProvenanceUnauthorizedActor", product, stranger)):
        provenance.appendCorrection(product, 0, Step.COMMISSIONING, FACTORY, EVIDENCE_CID, {"from": stranger})


def test_correction_refuses_unknown_token(provenance, producer):
    with brownie.reverts(custom_error("ProvenanceUnknownToken", 77)):
        provenance.appendCorrection(77, 0, Step.COMMISSIONING, FACTORY, EVIDENCE_CID, {"from": producer})
