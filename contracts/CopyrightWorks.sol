// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {IERC2981} from "@openzeppelin/contracts/interfaces/IERC2981.sol";
import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";

import {ICopyrightRegistry} from "../interfaces/ICopyrightRegistry.sol";

/// @title Copyright certificates: registration by content hash, ERC-2981 royalties, revocation
/// @notice See {ICopyrightRegistry}. The certificate's token id is the work id; its holder is the
/// work's rights holder. The license market is built on top in {CopyrightRegistry}.
abstract contract CopyrightWorks is ICopyrightRegistry, ERC721, IERC2981 {
    uint16 public constant MAX_ROYALTY_BPS = 1_000;
    uint16 private constant _ROYALTY_DENOMINATOR = 10_000;

    /// @dev One slot: 160 + 64 + 16 + 8 = 248 bits; a license purchase reads it for `revoked`.
    /// The royalty lives here too instead of in OpenZeppelin's ERC2981 slot, saving a store per work.
    struct Work {
        address creator;
        uint64 registeredAt;
        uint16 royaltyBps;
        bool revoked;
    }

    uint64 private _workCount;
    mapping(uint256 workId => Work) private _works;
    mapping(uint256 workId => bytes32 contentHash) private _contentHashes;
    mapping(bytes32 contentHash => uint256 workId) private _workIds;
    mapping(uint256 workId => string) private _metadataCids;

    /// @inheritdoc ICopyrightRegistry
    function registerWork(
        bytes32 contentHash,
        string calldata contentCid,
        string calldata title,
        string calldata metadataCid,
        uint16 royaltyBps
    ) external returns (uint256 workId) {
        if (contentHash == bytes32(0)) revert CopyrightZeroContentHash();
        uint256 existing = _workIds[contentHash];
        if (existing != 0) revert CopyrightAlreadyRegistered(contentHash, existing);
        if (bytes(contentCid).length == 0 || bytes(metadataCid).length == 0) revert CopyrightEmptyCid();
        if (royaltyBps > MAX_ROYALTY_BPS) revert CopyrightRoyaltyTooHigh(royaltyBps, MAX_ROYALTY_BPS);

        address creator = _msgSender();
        workId = ++_workCount;
        _works[workId] =
            Work({creator: creator, registeredAt: uint64(block.timestamp), royaltyBps: royaltyBps, revoked: false});
        _contentHashes[workId] = contentHash;
        _workIds[contentHash] = workId;
        _metadataCids[workId] = metadataCid;
        _mint(creator, workId);
        emit WorkRegistered(workId, creator, contentHash, contentCid, title, metadataCid, royaltyBps);
    }

    /// @inheritdoc ICopyrightRegistry
    function revokeWork(uint256 workId) external {
        address holder = _requireRightsHolder(workId);
        Work storage work = _works[workId];
        if (work.revoked) revert CopyrightWorkRevoked(workId);
        work.revoked = true;
        emit WorkRevoked(workId, holder);
    }

    // ---------------------------------------------------------------- internal

    /// @dev The caller, if it holds the work's certificate; reverts otherwise.
    function _requireRightsHolder(uint256 workId) internal view returns (address holder) {
        holder = _ownerOf(workId);
        if (holder == address(0)) revert CopyrightUnknownWork(workId);
        address account = _msgSender();
        if (account != holder) revert CopyrightNotRightsHolder(workId, account);
    }

    function _isRevoked(uint256 workId) internal view returns (bool) {
        return _works[workId].revoked;
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IERC2981
    /// @dev The creator, at the rate set at registration; nothing for an unknown token.
    function royaltyInfo(uint256 tokenId, uint256 salePrice)
        external
        view
        returns (address receiver, uint256 royaltyAmount)
    {
        Work memory work = _works[tokenId];
        return (work.creator, salePrice * work.royaltyBps / _ROYALTY_DENOMINATOR);
    }

    /// @inheritdoc ICopyrightRegistry
    function getWork(uint256 workId) external view returns (WorkView memory) {
        address holder = _ownerOf(workId);
        if (holder == address(0)) revert CopyrightUnknownWork(workId);
        Work memory work = _works[workId];
        return WorkView({
            id: workId,
            creator: work.creator,
            rightsHolder: holder,
            contentHash: _contentHashes[workId],
            registeredAt: work.registeredAt,
            royaltyBps: work.royaltyBps,
            revoked: work.revoked,
            metadataCid: _metadataCids[workId]
        });
    }

    /// @inheritdoc ICopyrightRegistry
    function workIdOf(bytes32 contentHash) external view returns (uint256) {
        return _workIds[contentHash];
    }

    /// @inheritdoc ICopyrightRegistry
    function workCount() external view returns (uint256) {
        return _workCount;
    }

    /// @notice `ipfs://` followed by the certificate's metadata CID.
    function tokenURI(uint256 tokenId) public view override returns (string memory) {
        _requireOwned(tokenId);
        return string.concat("ipfs://", _metadataCids[tokenId]);
    }
}
