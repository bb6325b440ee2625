// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {IProvenanceToken} from "../interfaces/IProvenanceToken.sol";

/// @title The hash-chained event trail behind provenance tokens
/// @notice Keeps one slot per token (the running hash head and the event count) and emits each event
/// as a log; see {IProvenanceToken} for the hash definition. Who may append is the concrete
/// contract's business: this base only records.
abstract contract ProvenanceTrail is IProvenanceToken {
    /// @notice The `corrects` value of an event that corrects nothing.
    uint32 public constant NO_CORRECTION = type(uint32).max;

    /// @dev One slot: 224 + 32 = 256 bits. An append reads and rewrites only this slot (a warm,
    /// non-zero to non-zero write). `count == 0` means no such token: minting records event 0.
    struct Trail {
        bytes28 head;
        uint32 count;
    }

    mapping(uint256 tokenId => Trail) private _trails;

    // ---------------------------------------------------------------- internal

    /// @dev Appends one event after `trail` (the token's current trail, already loaded) and returns
    /// its index. Checks that `step` is a `Step` and that a correction names an earlier event.
    function _record(
        uint256 tokenId,
        Trail memory trail,
        uint8 step,
        address actor,
        string memory location,
        string memory evidenceCid,
        uint32 corrects
    ) internal returns (uint32 index) {
        if (step > uint8(type(Step).max)) revert ProvenanceInvalidStep(step);
        index = trail.count;
        if (corrects != NO_CORRECTION && corrects >= index) {
            revert ProvenanceInvalidCorrection(tokenId, corrects, index);
        }
        uint64 time = uint64(block.timestamp);
        bytes28 head = _hash(
            trail.head,
            tokenId,
            index,
            step,
            actor,
            time,
            keccak256(bytes(location)),
            keccak256(bytes(evidenceCid)),
            corrects
        );
        _trails[tokenId] = Trail({head: head, count: index + 1});
        emit ProvenanceEventRecorded(tokenId, Step(step), actor, index, time, location, evidenceCid, corrects, head);
    }

    /// @dev The token's trail; reverts for a token that was never minted.
    function _loadTrail(uint256 tokenId) internal view returns (Trail memory trail) {
        trail = _trails[tokenId];
        if (trail.count == 0) revert ProvenanceUnknownToken(tokenId);
    }

    function _hash(
        bytes28 head,
        uint256 tokenId,
        uint32 index,
        uint8 step,
        address actor,
        uint64 time,
        bytes32 locationHash,
        bytes32 evidenceHash,
        uint32 corrects
    ) private pure returns (bytes28) {
        return bytes28(
            keccak256(abi.encode(head, tokenId, index, step, actor, time, locationHash, evidenceHash, corrects))
        );
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IProvenanceToken
    function trailOf(uint256 tokenId) external view returns (bytes28 head, uint32 count) {
        Trail memory trail = _loadTrail(tokenId);
        return (trail.head, trail.count);
    }

    /// @inheritdoc IProvenanceToken
    function nextHead(
        bytes28 head,
        uint256 tokenId,
        uint32 index,
        uint8 step,
        address actor,
        uint64 time,
        string calldata location,
        string calldata evidenceCid,
        uint32 corrects
    ) external pure returns (bytes28) {
        return _hash(
            head, tokenId, index, step, actor, time, keccak256(bytes(location)), keccak256(bytes(evidenceCid)), corrects
        );
    }
}
