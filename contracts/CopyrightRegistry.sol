// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC2981} from "@openzeppelin/contracts/interfaces/IERC2981.sol";
import {ERC2771Context} from "@openzeppelin/contracts/metatx/ERC2771Context.sol";
import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {Context} from "@openzeppelin/contracts/utils/Context.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";

import {ICopyrightRegistry} from "../interfaces/ICopyrightRegistry.sol";
import {IMarketplace} from "../interfaces/IMarketplace.sol";
import {CopyrightWorks} from "./CopyrightWorks.sol";
import {LicenseVault} from "./LicenseVault.sol";

/// @title ChainMart copyright certificates and license market
/// @notice See {ICopyrightRegistry}. Certificates and royalties come from {CopyrightWorks}, payments
/// from {LicenseVault}; this contract sells, moves and checks licenses. Trusts one ERC-2771
/// forwarder, fixed at deploy.
contract CopyrightRegistry is ICopyrightRegistry, LicenseVault, CopyrightWorks, ERC2771Context {
    uint64 private constant _PERPETUAL = type(uint64).max;

    IMarketplace private immutable _market;

    /// @dev Two slots. Slot 0: 160 + 96 = 256 bits. Slot 1: 64 + 32 + 32 + 32 + 8 + 8 + 8 = 184 bits;
    /// a purchase reads both and rewrites slot 1 (`sold`).
    struct Offer {
        address asset;
        uint96 price;
        uint64 workId;
        uint32 duration;
        uint32 maxLicenses;
        uint32 sold;
        bool commercial;
        bool transferable;
        bool paused;
    }

    /// @dev One slot: 64 + 64 + 8 + 8 = 144 bits, per (work, account). The terms are copied from the
    /// offer so checking or moving a license reads this slot and the work's slot only.
    struct License {
        uint64 expiresAt;
        uint64 offerId;
        bool commercial;
        bool transferable;
    }

    uint64 private _offerCount;
    mapping(uint64 offerId => Offer) private _offers;
    mapping(uint256 workId => mapping(address account => License)) private _licenses;

    /// @param market the Marketplace whose ERC-20 allow-list license offers use
    constructor(address admin, address treasury_, uint16 feeBps_, IMarketplace market, address trustedForwarder_)
        LicenseVault(treasury_, feeBps_)
        ERC721("ChainMart Copyright", "CMCOPY")
        ERC2771Context(trustedForwarder_)
    {
        if (admin == address(0) || address(market) == address(0)) revert CopyrightZeroAddress();
        _market = market;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ================================================================ rights holders

    /// @inheritdoc ICopyrightRegistry
    function createOffer(
        uint256 workId,
        address asset,
        uint256 price,
        uint32 duration,
        uint32 maxLicenses,
        bool commercial,
        bool transferable,
        string calldata termsCid
    ) external returns (uint64 offerId) {
        _requireRightsHolder(workId);
        if (_isRevoked(workId)) revert CopyrightWorkRevoked(workId);
        if (price > type(uint96).max) revert CopyrightInvalidPrice(price);
        _requireAllowedAsset(asset);

        offerId = ++_offerCount;
        _offers[offerId] = Offer({
            asset: asset,
            price: uint96(price),
            workId: uint64(workId),
            duration: duration,
            maxLicenses: maxLicenses,
            sold: 0,
            commercial: commercial,
            transferable: transferable,
            paused: false
        });
        emit LicenseOfferCreated(
            offerId, workId, asset, price, duration, maxLicenses, commercial, transferable, termsCid
        );
    }

    /// @inheritdoc ICopyrightRegistry
    function setOfferPaused(uint64 offerId, bool paused) external {
        Offer storage offer = _existingOffer(offerId);
        _requireRightsHolder(offer.workId);
        offer.paused = paused;
        emit LicenseOfferPausedSet(offerId, paused);
    }

    // ================================================================ licensees

    /// @inheritdoc ICopyrightRegistry
    function buyLicense(uint64 offerId) external payable returns (uint64 expiresAt) {
        Offer memory offer = _existingOffer(offerId);
        if (offer.paused) revert CopyrightOfferPaused(offerId);
        if (offer.maxLicenses != 0 && offer.sold >= offer.maxLicenses) {
            revert CopyrightOfferSoldOut(offerId, offer.maxLicenses);
        }
        uint256 workId = offer.workId;
        if (_isRevoked(workId)) revert CopyrightWorkRevoked(workId);
        _requireAllowedAsset(offer.asset);

        address buyer = _msgSender();
        License memory held = _licenses[workId][buyer];
        uint256 start = block.timestamp;
        if (held.expiresAt > block.timestamp) {
            if (held.offerId != offerId || held.expiresAt == _PERPETUAL) {
                revert CopyrightAlreadyLicensed(buyer, workId, held.expiresAt);
            }
            start = held.expiresAt; // a renewal extends the running license
        }
        expiresAt = offer.duration == 0 ? _PERPETUAL : uint64(start + offer.duration);
        _licenses[workId][buyer] = License({
            expiresAt: expiresAt,
            offerId: offerId,
            commercial: offer.commercial,
            transferable: offer.transferable
        });
        _offers[offerId].sold = offer.sold + 1;

        address payee = _ownerOf(workId);
        uint256 fee = _book(offer.asset, payee, offer.price);
        emit LicenseIssued(workId, offerId, buyer, expiresAt, payee, offer.price, fee);
        _collect(offer.asset, buyer, offer.price);
    }

    /// @inheritdoc ICopyrightRegistry
    function transferLicense(uint256 workId, address to) external {
        if (to == address(0)) revert CopyrightZeroAddress();
        address from = _msgSender();
        License memory license = _validLicense(from, workId);
        if (!license.transferable) revert CopyrightLicenseNotTransferable(from, workId);
        uint64 theirs = _licenses[workId][to].expiresAt;
        if (theirs > block.timestamp) revert CopyrightAlreadyLicensed(to, workId, theirs);
        delete _licenses[workId][from];
        _licenses[workId][to] = license;
        emit LicenseTransferred(workId, from, to, license.expiresAt);
    }

    /// @inheritdoc ICopyrightRegistry
    function relinquishLicense(uint256 workId) external {
        address account = _msgSender();
        _validLicense(account, workId);
        delete _licenses[workId][account];
        emit LicenseRelinquished(workId, account);
    }

    /// @inheritdoc ICopyrightRegistry
    function recordUse(uint256 workId, string calldata kind, string calldata usageCid) external {
        address account = _msgSender();
        _validLicense(account, workId);
        emit LicenseUseRecorded(workId, account, kind, usageCid);
    }

    // ================================================================ internal

    function _existingOffer(uint64 offerId) private view returns (Offer storage offer) {
        offer = _offers[offerId];
        if (offer.workId == 0) revert CopyrightUnknownOffer(offerId);
    }

    function _validLicense(address account, uint256 workId) private view returns (License memory license) {
        license = _licenses[workId][account];
        if (!_isValid(workId, license)) revert CopyrightNoValidLicense(account, workId);
    }

    function _isValid(uint256 workId, License memory license) private view returns (bool) {
        return license.expiresAt > block.timestamp && !_isRevoked(workId);
    }

    /// @dev ETH is always accepted; an ERC-20 must be on the Marketplace's allow-list.
    function _requireAllowedAsset(address asset) private view {
        if (asset != ETH && !_market.isAssetAllowed(asset)) revert CopyrightAssetNotAllowed(asset);
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

    /// @inheritdoc ICopyrightRegistry
    function isLicenseValid(address account, uint256 workId) external view returns (bool) {
        return _isValid(workId, _licenses[workId][account]);
    }

    /// @inheritdoc ICopyrightRegistry
    function getLicense(address account, uint256 workId) external view returns (LicenseView memory) {
        License memory license = _licenses[workId][account];
        return LicenseView({
            offerId: license.offerId,
            expiresAt: license.expiresAt,
            commercial: license.commercial,
            transferable: license.transferable,
            valid: _isValid(workId, license)
        });
    }

    /// @inheritdoc ICopyrightRegistry
    function getOffer(uint64 offerId) external view returns (OfferView memory) {
        Offer memory offer = _existingOffer(offerId);
        return OfferView({
            id: offerId,
            workId: offer.workId,
            asset: offer.asset,
            price: offer.price,
            duration: offer.duration,
            maxLicenses: offer.maxLicenses,
            sold: offer.sold,
            commercial: offer.commercial,
            transferable: offer.transferable,
            paused: offer.paused
        });
    }

    /// @inheritdoc ICopyrightRegistry
    function offerCount() external view returns (uint64) {
        return _offerCount;
    }

    /// @inheritdoc ICopyrightRegistry
    function marketplace() external view returns (address) {
        return address(_market);
    }

    function supportsInterface(bytes4 interfaceId) public view override(ERC721, AccessControl, IERC165) returns (bool) {
        return interfaceId == type(IERC2981).interfaceId || super.supportsInterface(interfaceId);
    }
}
