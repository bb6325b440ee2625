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
        index = _advance(tokenId, corrects, trail, step, actor, keccak256(bytes(location)), keccak256(bytes(evidenceCid)));
        emit ProvenanceEventRecorded(
            tokenId, Step(step), actor, index, uint64(block.timestamp), location, evidenceCid, corrects, trail.head
        );
    }

    /// @dev Appends an actor's event, its strings still in calldata: the path every append by an
    /// actor takes. Loads the trail (an unknown token reverts), lets the concrete contract authorise
    /// `actor`, then records. The strings are hashed and logged straight from calldata instead of
    /// being copied into memory and re-encoded by the ABI encoder. The log is the one `emit` writes.
    function _appendFromCalldata(
        uint256 tokenId,
        uint32 corrects,
        uint8 step,
        address actor,
        string calldata location,
        string calldata evidenceCid
    ) internal returns (uint32 index) {
        Trail memory trail = _loadTrail(tokenId);
        _authorizeAppend(tokenId, actor);
        (bytes32 locationHash, bytes32 evidenceHash) = _hashCalldata(location, evidenceCid);
        index = _advance(tokenId, corrects, trail, step, actor, locationHash, evidenceHash);
        _logRecorded(tokenId, corrects, step, actor, trail, location, evidenceCid);
    }

    /// @dev Reverts unless `actor` may append to the token's trail now.
    function _authorizeAppend(uint256 tokenId, address actor) internal view virtual;

    /// @dev Checks the event, computes the new head and stores it; `trail` is updated in memory too.
    function _advance(
        uint256 tokenId,
        uint32 corrects,
        Trail memory trail,
        uint8 step,
        address actor,
        bytes32 locationHash,
        bytes32 evidenceHash
    ) private returns (uint32 index) {
        if (step > uint8(type(Step).max)) revert ProvenanceInvalidStep(step);
        index = trail.count;
        if (corrects != NO_CORRECTION && corrects >= index) {
            revert ProvenanceInvalidCorrection(tokenId, corrects, index);
        }
        trail.head = _hash(
            trail.head, tokenId, index, step, actor, uint64(block.timestamp), locationHash, evidenceHash, corrects
        );
        trail.count = index + 1;
        _trails[tokenId] = trail;
    }

    /// @dev `ProvenanceEventRecorded` for the event `trail` now ends with, ABI-encoded by hand: six head
    /// words (index, time, the two string offsets, corrects, head), then each string as its length
    /// and its bytes, zero-padded to whole words.
    function _logRecorded(
        uint256 tokenId,
        uint32 corrects,
        uint8 step,
        address actor,
        Trail memory trail,
        string calldata location,
        string calldata evidenceCid
    ) private {
        bytes32 topic = ProvenanceEventRecorded.selector;
        assembly ("memory-safe") {
            // Scratch memory past the free memory pointer, never allocated: nothing runs after the log.
            let ptr := mload(0x40)
            let padded := shl(5, shr(5, add(location.length, 31)))
            mstore(ptr, sub(mload(add(trail, 0x20)), 1)) // index: trail.count - 1
            mstore(add(ptr, 0x20), timestamp())
            mstore(add(ptr, 0x40), 0xc0)
            mstore(add(ptr, 0x60), add(0xe0, padded))
            mstore(add(ptr, 0x80), corrects)
            mstore(add(ptr, 0xa0), mload(trail)) // head
            let at := add(ptr, 0xc0)
            mstore(at, location.length)
            mstore(add(at, padded), 0) // zero the last word's padding before the copy
            calldatacopy(add(at, 0x20), location.offset, location.length)
            at := add(at, add(0x20, padded))
            padded := shl(5, shr(5, add(evidenceCid.length, 31)))
            mstore(at, evidenceCid.length)
            mstore(add(at, padded), 0)
            calldatacopy(add(at, 0x20), evidenceCid.offset, evidenceCid.length)
            at := add(at, add(0x20, padded))
            log4(ptr, sub(at, ptr), topic, tokenId, step, actor)
        }
    }

    function _hashCalldata(string calldata location, string calldata evidenceCid)
        private
        pure
        returns (bytes32 locationHash, bytes32 evidenceHash)
    {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            calldatacopy(ptr, location.offset, location.length)
            locationHash := keccak256(ptr, location.length)
            calldatacopy(ptr, evidenceCid.offset, evidenceCid.length)
            evidenceHash := keccak256(ptr, evidenceCid.length)
        }
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
    ) private pure returns (bytes28 next) {
        // keccak256(abi.encode(...)) of nine static words, hashed in scratch memory past the free
        // memory pointer instead of an allocated buffer (the same bytes; cheaper on every append).
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, head)
            mstore(add(ptr, 0x20), tokenId)
            mstore(add(ptr, 0x40), index)
            mstore(add(ptr, 0x60), step)
            mstore(add(ptr, 0x80), actor)
            mstore(add(ptr, 0xa0), time)
            mstore(add(ptr, 0xc0), locationHash)
            mstore(add(ptr, 0xe0), evidenceHash)
            mstore(add(ptr, 0x100), corrects)
            next := and(keccak256(ptr, 0x120), not(0xffffffff))
        }
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
