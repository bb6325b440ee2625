"""The hash-chain verifier (chainmart.provenance) against real trails and tampered copies of them."""
from dataclasses import replace

import pytest
from brownie import web3

from chainmart.provenance import (
    NO_CORRECTION,
    ZERO_HEAD,
    Step,
    fetch_trail,
    next_head,
    trail_head,
    verify_token,
    verify_trail,
)
from scripts import verify_provenance
from tests.conftest import FACTORY

PORT = "urn:epc:id:sgln:4012345.00009.0"
SHOP = "urn:epc:id:sgln:4098765.00001.0"


@pytest.fixture(scope="module")
def traced(provenance, product, producer, carrier, courier, buyer):
    """A token with a five-event trail by four actors, including a correction; held by the buyer."""
    provenance.appendEvent(product, Step.PACKING, FACTORY, "bafkreipacking", {"from": producer})
    provenance.appendEvent(product, Step.SHIPPING, PORT, "bafkreishipping", {"from": carrier})
    provenance.transferFrom(producer, buyer, product, {"from": producer})
    provenance.setAppender(product, courier, True, {"from": buyer})
    provenance.appendEvent(product, Step.RECEIVING, SHOP, "bafkreireceiving", {"from": courier})
    provenance.appendCorrection(product, 2, Step.SHIPPING, SHOP, "bafkreifixed", {"from": carrier})
    return product


@pytest.fixture
def events(provenance, traced):
    return fetch_trail(provenance, traced)


def verify(provenance, token_id, events, recalled=False):
    head, count = provenance.trailOf(token_id)
    return verify_trail(
        events, token_id=token_id, head_onchain=bytes(head), count_onchain=count, recalled_onchain=recalled
    )


def rehash(events):
    """What a careful forger would do: recompute every claimed head after changing the events."""
    head, forged = ZERO_HEAD, []
    for event in events:
        head = next_head(
            head, event.token_id, event.index, event.step, event.actor, event.time,
            event.location, event.evidence_cid, event.corrects,
        )
        forged.append(replace(event, head=head))
    return forged


# ---------------------------------------------------------------- the hash definition


def test_python_next_head_matches_contract(provenance, carrier):
    args = (bytes.fromhex("ab" * 28), 12, 3, Step.SHIPPING, carrier.address, 1_800_000_000, PORT, "bafkreix", 1)
    assert bytes(provenance.nextHead(*args)) == next_head(*args)


def test_python_next_head_matches_contract_without_correction(provenance, producer):
    args = (ZERO_HEAD, 1, 0, Step.COMMISSIONING, producer.address, 5, "", "", NO_CORRECTION)
    assert bytes(provenance.nextHead(*args)) == next_head(*args)


def test_trail_head_of_fetched_events_is_the_onchain_head(provenance, traced, events):
    assert trail_head(events) == bytes(provenance.trailOf(traced)[0])


# ---------------------------------------------------------------- untampered trails


def test_fetch_trail_returns_events_in_chain_order(events):
    assert [e.index for e in events] == [0, 1, 2, 3, 4]
    assert [e.step for e in events] == [Step.COMMISSIONING, Step.PACKING, Step.SHIPPING, Step.RECEIVING, Step.SHIPPING]


def test_verify_token_accepts_untampered_trail(provenance, traced):
    result = verify_token(provenance, traced)
    assert result.ok and result.problem is None
    assert (result.count, result.count_onchain) == (5, 5)
    assert result.head_recomputed == result.head_onchain


def test_verify_token_accepts_web3_contract_object(provenance, traced):
    contract = web3.eth.contract(address=provenance.address, abi=provenance.abi)
    assert verify_token(contract, traced).ok


def test_verify_token_reads_only_that_tokens_events(provenance, traced, producer):
    other = provenance.mint("bafkreiother", "LOT-9", FACTORY, {"from": producer}).return_value
    provenance.appendEvent(other, Step.PACKING, FACTORY, "bafkreiotherpacking", {"from": producer})
    assert verify_token(provenance, traced).count == 5


def test_verify_token_reports_no_recall(provenance, traced):
    result = verify_token(provenance, traced)
    assert (result.recalled, result.recalled_in_trail) == (False, False)


def test_verify_token_reports_recall(provenance, traced, producer):
    provenance.recall(traced, "bafkreirecallnotice", {"from": producer})
    result = verify_token(provenance, traced)
    assert result.ok
    assert (result.recalled, result.recalled_in_trail) == (True, True)


def test_verify_token_accepts_marketplace_sale(provenance, producer, sales_agent, buyer):
    token_id = provenance.mint("bafkreisold", "SN-7", FACTORY, {"from": producer}).return_value
    provenance.recordSale(token_id, producer, buyer, 42, {"from": sales_agent})
    assert verify_token(provenance, token_id).ok


def test_verify_script_prints_valid_verdict(provenance, traced, capsys):
    result = verify_provenance.main(traced, provenance.address)
    out = capsys.readouterr().out
    assert result.ok
    assert f"Provenance token {traced}: VALID" in out
    assert "#4   SHIPPING      by" in out and "corrects #2" in out


# ---------------------------------------------------------------- tampered trails


def test_forged_event_data_is_detected_at_that_event(provenance, traced, events):
    forged = list(events)
    forged[2] = replace(forged[2], location=FACTORY)
    result = verify(provenance, traced, forged)
    assert not result.ok
    assert result.problem_position == 2
    assert "claims head" in result.problem


def test_forged_actor_is_detected(provenance, traced, events, stranger):
    forged = list(events)
    forged[3] = replace(forged[3], actor=stranger.address)
    result = verify(provenance, traced, forged)
    assert not result.ok and result.problem_position == 3


def test_forgery_with_rehashed_heads_is_detected_against_onchain_head(provenance, traced, events):
    forged = list(events)
    forged[1] = replace(forged[1], evidence_cid="bafkreiforged")
    result = verify(provenance, traced, rehash(forged))
    assert not result.ok
    assert result.problem_position is None
    assert "differs from the on-chain head" in result.problem


def test_dropped_event_is_detected(provenance, traced, events):
    dropped = events[:2] + events[3:]
    result = verify(provenance, traced, dropped)
    assert not result.ok
    assert result.problem_position == 2
    assert "has index 3" in result.problem


def test_dropped_last_event_is_detected(provenance, traced, events):
    result = verify(provenance, traced, events[:-1])
    assert not result.ok
    assert "4 events fetched but the chain counts 5" in result.problem


def test_dropped_event_with_renumbered_rehashed_trail_is_detected(provenance, traced, events):
    dropped = events[:2] + events[3:]
    renumbered = [replace(e, index=i, corrects=NO_CORRECTION) for i, e in enumerate(dropped)]
    result = verify(provenance, traced, rehash(renumbered))
    assert not result.ok
    assert "chain counts 5" in result.problem


def test_reordered_events_are_detected(provenance, traced, events):
    reordered = [events[0], events[2], events[1], events[3], events[4]]
    result = verify(provenance, traced, reordered)
    assert not result.ok
    assert result.problem_position == 1


def test_reordered_events_with_swapped_indices_and_rehashed_heads_are_detected(provenance, traced, events):
    swapped = [events[0], replace(events[2], index=1), replace(events[1], index=2), events[3], events[4]]
    result = verify(provenance, traced, rehash(swapped))
    assert not result.ok
    assert "differs from the on-chain head" in result.problem


def test_inserted_event_is_detected(provenance, traced, events):
    extra = replace(events[1], step=Step.INSPECTING)
    result = verify(provenance, traced, events[:2] + [extra] + events[2:])
    assert not result.ok
    assert result.problem_position == 2


def test_event_of_another_token_is_detected(provenance, traced, events):
    spliced = list(events)
    spliced[4] = replace(events[4], token_id=traced + 1)
    result = verify(provenance, traced, spliced)
    assert not result.ok
    assert f"belongs to token {traced + 1}" in result.problem


def test_correction_naming_a_later_event_is_detected(provenance, traced, events):
    forged = list(events)
    forged[4] = replace(events[4], corrects=4)
    result = verify(provenance, traced, forged)
    assert not result.ok and "does not precede it" in result.problem


def test_unknown_step_is_detected(provenance, traced, events):
    forged = list(events)
    forged[1] = replace(events[1], step=99)
    result = verify(provenance, traced, forged)
    assert not result.ok and "unknown step 99" in result.problem


def test_hidden_recall_is_detected(provenance, traced, events):
    result = verify(provenance, traced, events, recalled=True)
    assert not result.ok
    assert "recall flag" in result.problem


def test_empty_trail_is_detected(provenance, traced):
    result = verify(provenance, traced, [])
    assert not result.ok and "0 events fetched" in result.problem


def test_summary_of_tampered_trail_says_invalid(provenance, traced, events):
    result = verify(provenance, traced, events[:-1])
    assert result.summary().startswith(f"Provenance token {traced}: INVALID: 4 events fetched")
