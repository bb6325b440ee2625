// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ChainMart copyright certificates and the license market
/// @notice A creator registers a digital work by the sha256 of its content; the certificate is an
/// ERC-721 token (name "ChainMart Copyright", symbol "CMCOPY", `tokenURI` `ipfs://<metadataCid>`) whose
/// id is the work id. A content hash can be registered once, ever: the first registration is the
/// proof. ERC-2981 royalties on the certificate go to the creator, at the rate set at registration.
///
/// The rights holder is the current holder of the certificate: they create license offers, pause and
/// resume them, receive the license payments and can revoke the certificate. (Until the certificate
/// is transferred that is the creator.) Offers live on when the certificate moves, and then pay the
/// new holder.
///
/// A license is a record per (work, account), at most one per pair: buying from an offer grants it
/// until `now + duration` (or for ever when the duration is 0). Buying again from the same offer
/// while the license runs extends it by the duration; buying from another offer while one runs is
/// refused (give it up first with `relinquishLicense`). A license is valid while it has not expired
/// and the certificate is not revoked. A transferable license can move to an account that holds no
/// valid license for the work; then the sender no longer holds one.
///
/// Payment: ETH (`asset == address(0)`, exact `msg.value`) or an ERC-20 the Marketplace allow-lists
/// (`IMarketplace.isAssetAllowed`: one allow-list for the platform), taken by balance-delta check.
/// The platform fee (`feeBps` of the price, at most `MAX_FEE_BPS`) accrues to the platform and the
/// rest is credited to the rights holder. Money leaves only by pull: `withdraw`/`withdrawTo` for
/// credits, `withdrawFees` (to the treasury of the day) for fees, and `sweepSurplus` (admin) for
/// whatever arrived outside a purchase. Revocation moves no money.
interface ICopyrightRegistry {
    struct WorkView {
        uint256 id;
        address creator;
        address rightsHolder;
        bytes32 contentHash;
        uint64 registeredAt;
        uint16 royaltyBps;
        bool revoked;
        string metadataCid;
    }

    struct OfferView {
        uint64 id;
        uint256 workId;
        address asset;
        uint256 price;
        /// @dev seconds; 0 means perpetual
        uint32 duration;
        /// @dev 0 means unlimited
        uint32 maxLicenses;
        uint32 sold;
        bool commercial;
        bool transferable;
        bool paused;
    }

    struct LicenseView {
        uint64 offerId;
        /// @dev 0 when the account holds none; `type(uint64).max` when perpetual
        uint64 expiresAt;
        bool commercial;
        bool transferable;
        bool valid;
    }

    // ---------------------------------------------------------------- events

    event WorkRegistered(
        uint256 indexed workId,
        address indexed creator,
        bytes32 indexed contentHash,
        string contentCid,
        string title,
        string metadataCid,
        uint16 royaltyBps
    );
    event WorkRevoked(uint256 indexed workId, address indexed by);

    event LicenseOfferCreated(
        uint64 indexed offerId,
        uint256 indexed workId,
        address indexed asset,
        uint256 price,
        uint32 duration,
        uint32 maxLicenses,
        bool commercial,
        bool transferable,
        string termsCid
    );
    event LicenseOfferPausedSet(uint64 indexed offerId, bool paused);

    /// @param payee the rights holder credited with `price - fee`
    event LicenseIssued(
        uint256 indexed workId,
        uint64 indexed offerId,
        address indexed licensee,
        uint64 expiresAt,
        address payee,
        uint256 price,
        uint256 fee
    );
    event LicenseTransferred(uint256 indexed workId, address indexed from, address indexed to, uint64 expiresAt);
    event LicenseRelinquished(uint256 indexed workId, address indexed licensee);
    event LicenseUseRecorded(uint256 indexed workId, address indexed licensee, string kind, string usageCid);

    event FeeUpdated(uint16 feeBps);
    event TreasuryUpdated(address indexed treasury);
    event Withdrawn(address indexed account, address indexed asset, address to, uint256 amount);
    event FeesWithdrawn(address indexed asset, address indexed treasury, uint256 amount);
    event SurplusSwept(address indexed asset, address indexed to, uint256 amount);

    // ---------------------------------------------------------------- errors

    error CopyrightZeroAddress();
    error CopyrightInvalidFee(uint256 feeBps, uint256 maxFeeBps);
    error CopyrightZeroContentHash();
    error CopyrightEmptyCid();
    error CopyrightAlreadyRegistered(bytes32 contentHash, uint256 workId);
    error CopyrightRoyaltyTooHigh(uint256 royaltyBps, uint256 maxRoyaltyBps);
    error CopyrightUnknownWork(uint256 workId);
    error CopyrightNotRightsHolder(uint256 workId, address account);
    error CopyrightWorkRevoked(uint256 workId);
    error CopyrightAssetNotAllowed(address asset);
    error CopyrightInvalidPrice(uint256 price);
    error CopyrightUnknownOffer(uint64 offerId);
    error CopyrightOfferPaused(uint64 offerId);
    error CopyrightOfferSoldOut(uint64 offerId, uint32 maxLicenses);
    error CopyrightIncorrectPayment(uint256 expected, uint256 received);
    error CopyrightTransferAmountMismatch(address asset, uint256 expected, uint256 received);
    error CopyrightAlreadyLicensed(address account, uint256 workId, uint64 expiresAt);
    error CopyrightNoValidLicense(address account, uint256 workId);
    error CopyrightLicenseNotTransferable(address account, uint256 workId);
    error CopyrightNothingToWithdraw(address account, address asset);
    error CopyrightEthTransferFailed(address to, uint256 amount);

    // ---------------------------------------------------------------- admin

    /// @notice Set the platform fee on license sales, at most `MAX_FEE_BPS`. Admin only.
    function setFee(uint16 feeBps) external;

    /// @notice Set the account that `withdrawFees` pays. Fees already accrued go to it too. Admin only.
    function setTreasury(address treasury) external;

    /// @notice Send `asset` held above what the contract owes (credits plus accrued fees), such as
    /// tokens transferred to it directly, to `to`. Admin only; can never touch credits or fees.
    function sweepSurplus(address asset, address to) external returns (uint256 amount);

    // ---------------------------------------------------------------- creators

    /// @notice Register a work and mint its certificate to the caller, the creator.
    /// @param contentHash sha256 of the content; refused if zero or already registered (the error
    /// names the existing certificate)
    /// @param contentCid IPFS CID of the content (logged)
    /// @param title the work's title (logged)
    /// @param metadataCid IPFS CID of the certificate's ERC-721 metadata JSON; must not be empty
    /// @param royaltyBps ERC-2981 royalty for the creator, at most `MAX_ROYALTY_BPS`
    function registerWork(
        bytes32 contentHash,
        string calldata contentCid,
        string calldata title,
        string calldata metadataCid,
        uint16 royaltyBps
    ) external returns (uint256 workId);

    /// @notice Offer licenses on a work. Rights holder only; not on a revoked work.
    /// @param asset ETH (`address(0)`) or an ERC-20 the Marketplace allows
    /// @param price per license, in the asset's smallest unit; 0 makes a free license; fits in uint96
    /// @param duration license length in seconds; 0 for perpetual
    /// @param maxLicenses how many licenses (purchases, renewals included) it sells; 0 for unlimited
    /// @param termsCid IPFS CID of the license terms (logged)
    function createOffer(
        uint256 workId,
        address asset,
        uint256 price,
        uint32 duration,
        uint32 maxLicenses,
        bool commercial,
        bool transferable,
        string calldata termsCid
    ) external returns (uint64 offerId);

    /// @notice Pause or resume an offer; licenses already issued are unaffected. Rights holder only.
    function setOfferPaused(uint64 offerId, bool paused) external;

    /// @notice Revoke ("cancel") the certificate: from now on no license for the work is valid and
    /// none can be bought. Credits earned stay withdrawable. Final. Rights holder only.
    function revokeWork(uint256 workId) external;

    // ---------------------------------------------------------------- licensees

    /// @notice Buy a license from an offer (see the contract notice for renewals). ETH offers take
    /// exactly `price` as `msg.value`; ERC-20 offers need an allowance of `price` and no ETH.
    /// @return expiresAt when the license ends; `type(uint64).max` for perpetual
    function buyLicense(uint64 offerId) external payable returns (uint64 expiresAt);

    /// @notice Move the caller's valid, transferable license for a work to `to`, who must not hold a
    /// valid one already. The expiry moves with it.
    function transferLicense(uint256 workId, address to) external;

    /// @notice Give up the caller's license for a work (for example to buy under other terms).
    function relinquishLicense(uint256 workId) external;

    /// @notice Record a use of the work under the caller's valid license, for audit.
    /// @param kind what kind of use ("print", "stream", "broadcast", ...)
    /// @param usageCid IPFS CID of the usage report
    function recordUse(uint256 workId, string calldata kind, string calldata usageCid) external;

    // ---------------------------------------------------------------- payouts

    /// @notice Withdraw all of the caller's credit in `asset` to the caller.
    function withdraw(address asset) external returns (uint256 amount);

    /// @notice Withdraw all of the caller's credit in `asset` to `to`.
    function withdrawTo(address asset, address to) external returns (uint256 amount);

    /// @notice Send all accrued fees in `asset` to the treasury. Anyone may call it.
    function withdrawFees(address asset) external returns (uint256 amount);

    // ---------------------------------------------------------------- views

    /// @notice Whether `account` holds a license for the work that is valid now: false after expiry,
    /// after revocation, after the license was transferred away or relinquished, and for unknown works.
    function isLicenseValid(address account, uint256 workId) external view returns (bool);

    function getLicense(address account, uint256 workId) external view returns (LicenseView memory);

    function getWork(uint256 workId) external view returns (WorkView memory);

    /// @notice The work registered with `contentHash`, or 0 if none.
    function workIdOf(bytes32 contentHash) external view returns (uint256);

    function getOffer(uint64 offerId) external view returns (OfferView memory);

    function creditOf(address account, address asset) external view returns (uint256);

    /// @notice Platform fees accrued in `asset` and not yet withdrawn.
    function accruedFees(address asset) external view returns (uint256);

    /// @notice What the contract owes in `asset`: credits plus accrued fees.
    function liabilities(address asset) external view returns (uint256);

    function feeBps() external view returns (uint16);

    function treasury() external view returns (address);

    function workCount() external view returns (uint256);

    function offerCount() external view returns (uint64);

    /// @notice The Marketplace whose asset allow-list license offers use.
    function marketplace() external view returns (address);
}
