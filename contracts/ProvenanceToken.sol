// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {ERC2771Context} from "@openzeppelin/contracts/metatx/ERC2771Context.sol";
import {Context} from "@openzeppelin/contracts/utils/Context.sol";
import {ShortString, ShortStrings} from "@openzeppelin/contracts/utils/ShortStrings.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

import {IMarketplace} from "../interfaces/IMarketplace.sol";
import {IProvenanceToken} from "../interfaces/IProvenanceToken.sol";
import {ProvenanceTrail} from "./ProvenanceTrail.sol";

/// @title ChainMart provenance tokens
/// @notice See {IProvenanceToken}. Trusts one ERC-2771 forwarder, fixed at deploy, so a relayer can
/// pay the gas for a producer's or a carrier's signed request while they stay the actor.
contract ProvenanceToken is IProvenanceToken, ProvenanceTrail, ERC721, AccessControl, ERC2771Context {
    bytes32 public constant PRODUCER_ROLE = keccak256("PRODUCER_ROLE");
    bytes32 public constant LOGISTICS_ROLE = keccak256("LOGISTICS_ROLE");
    bytes32 public constant MARKETPLACE_ROLE = keccak256("MARKETPLACE_ROLE");
    uint256 private constant _MAX_BATCH_REF_LENGTH = 31;

    IMarketplace private immutable _market;

    /// @dev One slot: 160 + 64 + 8 = 232 bits; an append reads it to recognise the producer.
    struct Origin {
        address producer;
        uint64 mintedAt;
        bool recalled;
    }

    uint256 private _minted;
    mapping(uint256 tokenId => Origin) private _origins;
    /// @dev The batch reference packed into one slot (bytes plus length), absent when empty.
    mapping(uint256 tokenId => ShortString) private _batchRefs;
    mapping(uint256 tokenId => string) private _passportCids;
    /// @dev Who authorised an appender for a token. The authorisation counts while its grantor is the
    /// producer or the current holder, so a holder's authorisations lapse when the token moves on.
    mapping(uint256 tokenId => mapping(address account => address grantor)) private _appenderGrantors;

    /// @param market the Marketplace: its active sellers are producers, and it gets `MARKETPLACE_ROLE`
    constructor(address admin, IMarketplace market, address trustedForwarder_)
        ERC721("ChainMart Provenance", "CMPROV")
        ERC2771Context(trustedForwarder_)
    {
        if (admin == address(0) || address(market) == address(0)) revert ProvenanceZeroAddress();
        _market = market;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(MARKETPLACE_ROLE, address(market));
    }

    // ================================================================ producers

    /// @inheritdoc IProvenanceToken
    function mint(string calldata passportCid, string calldata batchRef, string calldata location)
        external
        returns (uint256 tokenId)
    {
        address producer = _msgSender();
        if (!isProducer(producer)) revert ProvenanceUnauthorizedProducer(producer);
        if (bytes(passportCid).length == 0) revert ProvenanceEmptyCid();
        uint256 refLength = bytes(batchRef).length;
        if (refLength > _MAX_BATCH_REF_LENGTH) revert ProvenanceBatchRefTooLong(refLength, _MAX_BATCH_REF_LENGTH);

        tokenId = ++_minted;
        _origins[tokenId] = Origin({producer: producer, mintedAt: uint64(block.timestamp), recalled: false});
        if (refLength != 0) _batchRefs[tokenId] = ShortStrings.toShortString(batchRef);
        _passportCids[tokenId] = passportCid;
        _mint(producer, tokenId);
        emit ProvenanceMinted(tokenId, producer, passportCid, batchRef);
        Trail memory empty = Trail({head: bytes28(0), count: 0});
        _record(tokenId, empty, uint8(Step.Commissioning), producer, location, passportCid, NO_CORRECTION);
    }

    /// @inheritdoc IProvenanceToken
    function recall(uint256 tokenId, string calldata noticeCid) external returns (uint32 index) {
        Trail memory trail = _loadTrail(tokenId);
        Origin storage origin = _origins[tokenId];
        address caller = _msgSender();
        if (caller != origin.producer) revert ProvenanceNotTokenProducer(tokenId, caller);
        if (origin.recalled) revert ProvenanceAlreadyRecalled(tokenId);
        if (bytes(noticeCid).length == 0) revert ProvenanceEmptyCid();
        origin.recalled = true;
        return _record(tokenId, trail, uint8(Step.Recalled), caller, "", noticeCid, NO_CORRECTION);
    }

    // ================================================================ trail

    /// @inheritdoc IProvenanceToken
    function appendEvent(uint256 tokenId, uint8 step, string calldata location, string calldata evidenceCid)
        external
        returns (uint32 index)
    {
        if (step == uint8(Step.Commissioning) || step == uint8(Step.Recalled)) revert ProvenanceReservedStep(step);
        return _appendFromCalldata(tokenId, NO_CORRECTION, step, _msgSender(), location, evidenceCid);
    }

    /// @inheritdoc IProvenanceToken
    function appendCorrection(
        uint256 tokenId,
        uint32 corrects,
        uint8 step,
        string calldata location,
        string calldata evidenceCid
    ) external returns (uint32 index) {
        if (step == uint8(Step.Recalled)) revert ProvenanceReservedStep(step);
        if (corrects == NO_CORRECTION) revert ProvenanceInvalidCorrection(tokenId, corrects, _loadTrail(tokenId).count);
        return _appendFromCalldata(tokenId, corrects, step, _msgSender(), location, evidenceCid);
    }

    /// @inheritdoc IProvenanceToken
    function setAppender(uint256 tokenId, address account, bool authorized) external {
        _loadTrail(tokenId);
        if (account == address(0)) revert ProvenanceZeroAddress();
        address caller = _msgSender();
        if (caller != _origins[tokenId].producer && caller != _ownerOf(tokenId)) {
            revert ProvenanceNotProducerOrHolder(tokenId, caller);
        }
        if (authorized) {
            _appenderGrantors[tokenId][account] = caller;
        } else {
            delete _appenderGrantors[tokenId][account];
        }
        emit ProvenanceAppenderSet(tokenId, account, caller, authorized);
    }

    // ================================================================ marketplace

    /// @inheritdoc IProvenanceToken
    function recordSale(uint256 tokenId, address seller, address buyer, uint256 orderId)
        external
        onlyRole(MARKETPLACE_ROLE)
        returns (uint32 index)
    {
        Trail memory trail = _loadTrail(tokenId);
        if (buyer == address(0)) revert ProvenanceZeroAddress();
        if (_origins[tokenId].recalled) revert ProvenanceTokenRecalled(tokenId);
        address holder = _ownerOf(tokenId);
        if (holder != seller) revert ProvenanceSellerNotHolder(tokenId, seller, holder);
        if (buyer == holder) revert ProvenanceBuyerIsHolder(tokenId, buyer);
        _transfer(holder, buyer, tokenId);
        emit ProvenanceSold(tokenId, holder, buyer, orderId);
        string memory orderRef = string.concat("order:", Strings.toHexString(orderId));
        return _record(tokenId, trail, uint8(Step.Selling), _msgSender(), "", orderRef, NO_CORRECTION);
    }

    // ================================================================ internal

    function _authorizeAppend(uint256 tokenId, address actor) internal view override {
        if (!_canAppend(tokenId, actor)) revert ProvenanceUnauthorizedActor(tokenId, actor);
    }

    /// @dev Each check reads one more cold slot (2,100 gas), so the most frequent actors come first:
    /// producer, holder, carriers with the role; per-token appenders last (a fourth read).
    function _canAppend(uint256 tokenId, address actor) private view returns (bool) {
        address producer = _origins[tokenId].producer;
        if (actor == producer) return true;
        address holder = _ownerOf(tokenId);
        if (actor == holder) return true;
        if (hasRole(LOGISTICS_ROLE, actor)) return true;
        address grantor = _appenderGrantors[tokenId][actor];
        return grantor != address(0) && (grantor == producer || grantor == holder);
    }

    // ---------------------------------------------------------------- ERC-2771 plumbing

    function _msgSender() internal view override(Context, ERC2771Context) returns (address) {
        return ERC2771Context._msgSender();
    }

    function _msgData() internal view override(Context, ERC2771Context) returns (bytes calldata) {
        return ERC2771Context._msgData();
    }

    function _contextSuffixLength() internal view override(Context, ERC2771Context) returns (uint256) {
        return ERC2771Context._contextSuffixLength();
    }

    // ================================================================ views

    /// @inheritdoc IProvenanceToken
    function isProducer(address account) public view returns (bool) {
        return hasRole(PRODUCER_ROLE, account) || _market.isActiveSeller(account);
    }

    /// @inheritdoc IProvenanceToken
    function isRecalled(uint256 tokenId) external view returns (bool) {
        return _existingOrigin(tokenId).recalled;
    }

    /// @inheritdoc IProvenanceToken
    function originOf(uint256 tokenId) external view returns (OriginView memory) {
        Origin memory origin = _existingOrigin(tokenId);
        ShortString batchRef = _batchRefs[tokenId];
        return OriginView({
            producer: origin.producer,
            mintedAt: origin.mintedAt,
            recalled: origin.recalled,
            passportCid: _passportCids[tokenId],
            batchRef: ShortString.unwrap(batchRef) == 0 ? "" : ShortStrings.toString(batchRef)
        });
    }

    /// @inheritdoc IProvenanceToken
    function canAppend(uint256 tokenId, address account) external view returns (bool) {
        _existingOrigin(tokenId);
        return _canAppend(tokenId, account);
    }

    /// @inheritdoc IProvenanceToken
    function totalMinted() external view returns (uint256) {
        return _minted;
    }

    /// @inheritdoc IProvenanceToken
    function marketplace() external view returns (address) {
        return address(_market);
    }

    /// @notice `ipfs://` followed by the token's passport CID.
    function tokenURI(uint256 tokenId) public view override returns (string memory) {
        _requireOwned(tokenId);
        return string.concat("ipfs://", _passportCids[tokenId]);
    }

    function supportsInterface(bytes4 interfaceId) public view override(ERC721, AccessControl) returns (bool) {
        return super.supportsInterface(interfaceId);
    }

    function _existingOrigin(uint256 tokenId) private view returns (Origin storage origin) {
        origin = _origins[tokenId];
        if (origin.producer == address(0)) revert ProvenanceUnknownToken(tokenId);
    }
}
