"""Verifying a provenance token's trail against the hash head stored on chain.

The ProvenanceToken contract keeps, per token, only the running hash head and the event count; the
events themselves live in ``ProvenanceEventRecorded`` logs. This module recomputes the chain (see
``interfaces/IProvenanceToken.sol`` for the definition) from a list of events and compares it with
the chain's ``trailOf(tokenId)``:

    head_0     = 28 zero bytes
    head_{i+1} = keccak256(abi.encode(head_i, tokenId, i, step, actor, time,
                                      keccak256(location), keccak256(evidenceCid), corrects))[:28]

A dropped, inserted, reordered or altered event changes the recomputed head (and usually trips an
earlier, more specific check), so ``verify_trail`` reports the first problem it finds. The pure
functions take plain Python values; ``fetch_trail`` and ``verify_token`` read a contract through
web3.py or Brownie.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Iterable, Mapping, Optional, Sequence

from eth_abi import encode
from eth_typing import ChecksumAddress
from eth_utils import keccak, to_checksum_address

HEAD_SIZE = 28
ZERO_HEAD = bytes(HEAD_SIZE)
NO_CORRECTION = 2**32 - 1
EVENT_NAME = "ProvenanceEventRecorded"

_HASH_TYPES = ["bytes28", "uint256", "uint32", "uint8", "address", "uint64", "bytes32", "bytes32", "uint32"]


class Step(IntEnum):
    """Business steps, mirroring ``IProvenanceToken.Step`` (GS1 CBV business steps)."""

    COMMISSIONING = 0
    PROCUREMENT = 1
    ASSEMBLING = 2
    PACKING = 3
    SHIPPING = 4
    RECEIVING = 5
    STORING = 6
    INSPECTING = 7
    SELLING = 8
    DELIVERING = 9
    RETURNING = 10
    DESTROYING = 11
    RECALLED = 12
    OTHER = 13


_STEP_VALUES = frozenset(step.value for step in Step)


@dataclass(frozen=True)
class TrailEvent:
    """One ``ProvenanceEventRecorded`` log, as plain values. ``head`` is the head the log claims."""

    token_id: int
    index: int
    step: int
    actor: ChecksumAddress
    time: int
    location: str
    evidence_cid: str
    corrects: int
    head: bytes
    block_number: Optional[int] = None
    log_index: Optional[int] = None

    @property
    def is_correction(self) -> bool:
        return self.corrects != NO_CORRECTION


@dataclass(frozen=True)
class VerificationResult:
    """The verdict on one token's trail.

    ``ok`` is true when every event checks out, the recomputed head equals the on-chain head and the
    event count equals the on-chain count. ``problem`` describes the first problem found and
    ``problem_position`` is its position in the event list (``None`` for a whole-trail mismatch).
    ``events`` are the events that were checked, in the order given.
    """

    token_id: int
    ok: bool
    head_recomputed: bytes
    head_onchain: bytes
    count: int
    count_onchain: int
    recalled: bool
    recalled_in_trail: bool
    problem: Optional[str] = None
    problem_position: Optional[int] = None
    events: tuple[TrailEvent, ...] = ()

    def summary(self) -> str:
        verdict = "VALID: trail complete and unaltered" if self.ok else f"INVALID: {self.problem}"
        lines = [
            f"Provenance token {self.token_id}: {verdict}",
            f"  events   {self.count} fetched, {self.count_onchain} on chain",
            f"  head     0x{self.head_recomputed.hex()} recomputed",
            f"           0x{self.head_onchain.hex()} on chain",
            f"  recalled {'YES' if self.recalled else 'no'}",
        ]
        for event in self.events:
            step = Step(event.step).name if event.step in _STEP_VALUES else f"step {event.step}"
            correction = f", corrects #{event.corrects}" if event.is_correction else ""
            lines.append(f"  #{event.index:<3} {step:<13} by {event.actor} at {event.time}{correction}")
        return "\n".join(lines)


def next_head(
    head: bytes,
    token_id: int,
    index: int,
    step: int,
    actor: str,
    time: int,
    location: str,
    evidence_cid: str,
    corrects: int = NO_CORRECTION,
) -> bytes:
    """One step of the hash chain, exactly as the contract computes it."""
    encoded = encode(
        _HASH_TYPES,
        [
            bytes(head),
            token_id,
            index,
            int(step),
            to_checksum_address(actor),
            time,
            keccak(text=location),
            keccak(text=evidence_cid),
            corrects,
        ],
    )
    return keccak(encoded)[:HEAD_SIZE]


def trail_head(events: Iterable[TrailEvent]) -> bytes:
    """The head after ``events``, taking each event's fields (not its claimed head) at face value."""
    head = ZERO_HEAD
    for event in events:
        head = _recompute(head, event)
    return head


def verify_trail(
    events: Sequence[TrailEvent],
    *,
    token_id: int,
    head_onchain: bytes,
    count_onchain: int,
    recalled_onchain: bool = False,
) -> VerificationResult:
    """Check that ``events``, in the order given, are exactly the token's trail."""
    problem: Optional[str] = None
    position: Optional[int] = None
    head = ZERO_HEAD
    for position_, event in enumerate(events):
        found = _event_problem(event, position_, token_id)
        head = _recompute(head, event)
        if found is None and bytes(event.head) != head:
            found = (
                f"event {event.index} (position {position_}) claims head 0x{bytes(event.head).hex()}"
                f" but its data hashes to 0x{head.hex()}: the event or one before it was altered"
            )
        if found is not None and problem is None:
            problem, position = found, position_

    head_onchain = bytes(head_onchain)
    recalled_in_trail = any(event.step == Step.RECALLED for event in events)
    if problem is None and len(events) != count_onchain:
        problem = f"{len(events)} events fetched but the chain counts {count_onchain}: events are missing or extra"
    if problem is None and head != head_onchain:
        problem = f"recomputed head 0x{head.hex()} differs from the on-chain head 0x{head_onchain.hex()}"
    if problem is None and recalled_in_trail != recalled_onchain:
        problem = f"the on-chain recall flag ({recalled_onchain}) disagrees with the trail ({recalled_in_trail})"
    return VerificationResult(
        token_id=token_id,
        ok=problem is None,
        head_recomputed=head,
        head_onchain=head_onchain,
        count=len(events),
        count_onchain=count_onchain,
        recalled=recalled_onchain,
        recalled_in_trail=recalled_in_trail,
        problem=problem,
        problem_position=position,
        events=tuple(events),
    )


def event_from_log(log: Mapping[str, Any]) -> TrailEvent:
    """A ``TrailEvent`` from a decoded web3.py log (``{"args": {...}, "blockNumber": ...}``)."""
    args = log["args"]
    return TrailEvent(
        token_id=int(args["tokenId"]),
        index=int(args["index"]),
        step=int(args["step"]),
        actor=to_checksum_address(args["actor"]),
        time=int(args["time"]),
        location=args["location"],
        evidence_cid=args["evidenceCid"],
        corrects=int(args["corrects"]),
        head=bytes(args["head"]),
        block_number=log.get("blockNumber"),
        log_index=log.get("logIndex"),
    )


def fetch_trail(contract: Any, token_id: int, from_block: int = 0, to_block: Any = "latest") -> list[TrailEvent]:
    """The token's trail events from the chain, in chain order.

    ``contract`` is a web3.py contract object or a Brownie contract (``ProvenanceToken.at(addr)``).
    """
    contract = _as_web3_contract(contract)
    logs = contract.events[EVENT_NAME].get_logs(
        argument_filters={"tokenId": token_id}, from_block=from_block, to_block=to_block
    )
    ordered = sorted(logs, key=lambda log: (log["blockNumber"], log["logIndex"]))
    return [event_from_log(log) for log in ordered]


def verify_token(contract: Any, token_id: int, from_block: int = 0) -> VerificationResult:
    """Fetch a token's logs and on-chain head, count and recall flag, and verify the trail."""
    web3_contract = _as_web3_contract(contract)
    head, count = web3_contract.functions.trailOf(token_id).call()
    recalled = web3_contract.functions.isRecalled(token_id).call()
    events = fetch_trail(web3_contract, token_id, from_block=from_block)
    return verify_trail(
        events, token_id=token_id, head_onchain=bytes(head), count_onchain=count, recalled_onchain=recalled
    )


def _recompute(head: bytes, event: TrailEvent) -> bytes:
    return next_head(
        head,
        event.token_id,
        event.index,
        event.step,
        event.actor,
        event.time,
        event.location,
        event.evidence_cid,
        event.corrects,
    )


def _event_problem(event: TrailEvent, position: int, token_id: int) -> Optional[str]:
    if event.token_id != token_id:
        return f"event at position {position} belongs to token {event.token_id}, not {token_id}"
    if event.index != position:
        return (
            f"event at position {position} has index {event.index}:"
            " an event was dropped, inserted or moved before it"
        )
    if event.step not in _STEP_VALUES:
        return f"event {event.index} has unknown step {event.step}"
    if event.is_correction and event.corrects >= event.index:
        return f"event {event.index} corrects event {event.corrects}, which does not precede it"
    return None


def _as_web3_contract(contract: Any) -> Any:
    if hasattr(contract, "functions") and hasattr(contract, "events") and hasattr(contract, "w3"):
        return contract
    from brownie.network import web3 as brownie_web3  # a Brownie contract: wrap its address and ABI

    return brownie_web3.eth.contract(address=contract.address, abi=contract.abi)
