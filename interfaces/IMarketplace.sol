// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ChainMart escrowed-order marketplace
/// @notice Approved sellers list products; buyers pay into escrow in ETH or an allow-listed ERC-20;
/// the seller ships; the buyer confirms receipt (or anyone releases the funds after the confirm-by
/// deadline); disputes go to an arbiter who can split the funds. Every payout is credited to an
/// (account, asset) pair and leaves through `withdraw`. `asset == address(0)` means ETH.
/// @dev Order ids pack the buyer, the listing and a per-listing sequence number:
/// `orderId = uint256(uint160(buyer)) << 96 | uint256(listingId) << 32 | sequence`, so an order needs
/// one storage slot. `orderIdFor` and `getOrder` unpack them.
interface IMarketplace {
    enum SellerStatus {
        None,
        Applied,
        Approved,
        Suspended
    }

    /// @dev Paid -> Shipped -> Completed is the happy path. Paid ends in Cancelled (buyer), Rejected
    /// (seller) or Reclaimed (buyer, after the ship-by deadline). Shipped -> Disputed ends in Completed
    /// (buyer confirms), Settled (buyer accepts the seller's offer) or Resolved (arbiter).
    enum OrderState {
        None,
        Paid,
        Shipped,
        Disputed,
        Completed,
        Cancelled,
        Rejected,
        Reclaimed,
        Settled,
        Resolved
    }

    struct ListingView {
        uint64 id;
        address seller;
        address asset;
        uint256 price;
        uint32 stock;
        uint32 shipWindow;
        uint32 confirmWindow;
        bool paused;
        uint32 orderCount;
    }

    struct OrderView {
        uint256 id;
        uint64 listingId;
        address buyer;
        address seller;
        address asset;
        uint32 quantity;
        uint256 amount;
        OrderState state;
        /// @dev Ship-by while Paid, confirm-by while Shipped or Disputed, 0 once final.
        uint64 deadline;
        uint16 feeBps;
        bool reviewed;
        uint256 settlementOffer;
    }

    struct SellerView {
        address account;
        uint32 id;
        SellerStatus status;
        uint32 ratingCount;
        uint64 ratingSum;
    }

    // ---------------------------------------------------------------- events

    event SellerApplied(address indexed account, uint32 indexed sellerId, string profileCid);
    event SellerApproved(address indexed account, uint32 indexed sellerId);
    event SellerSuspended(address indexed account, uint32 indexed sellerId);
    event AssetAllowed(address indexed asset, uint8 indexed assetId, bool allowed);
    event FeeUpdated(uint16 feeBps);
    event TreasuryUpdated(address indexed treasury);
    event MarketPaused(address indexed by);
    event MarketUnpaused(address indexed by);

    event Listed(
        uint64 indexed listingId,
        address indexed seller,
        address indexed asset,
        uint256 price,
        uint32 stock,
        uint32 shipWindow,
        uint32 confirmWindow,
        string metadataCid
    );
    event ListingPriceUpdated(uint64 indexed listingId, uint256 price);
    event ListingStockUpdated(uint64 indexed listingId, uint32 stock);
    event ListingPausedSet(uint64 indexed listingId, bool paused);
    event ListingMetadataUpdated(uint64 indexed listingId, string metadataCid);
    /// @notice Provenance tokens joined a traced listing's pool; each is one unit of stock.
    event ListingTokensAdded(uint64 indexed listingId, uint256[] tokenIds);
    event ProvenanceContractSet(address indexed provenance);
    /// @notice A finished order's provenance token could not move to the buyer (the seller no longer
    /// holds it, or it was recalled). The payout went ahead; the buyer can take it up with the seller.
    event TracedTokenNotDelivered(uint256 indexed orderId, uint256 indexed tokenId);

    event OrderPlaced(
        uint256 indexed orderId,
        uint64 indexed listingId,
        address indexed buyer,
        uint32 quantity,
        uint256 amount,
        uint64 shipBy
    );
    event OrderCancelled(uint256 indexed orderId);
    event OrderRejected(uint256 indexed orderId);
    event OrderReclaimed(uint256 indexed orderId);
    event OrderShipped(uint256 indexed orderId, string trackingRef, uint64 confirmBy);
    /// @param releasedBy the buyer when confirmed, anyone after the confirm-by deadline
    event OrderCompleted(uint256 indexed orderId, address indexed releasedBy, uint256 sellerAmount, uint256 fee);
    event DisputeOpened(uint256 indexed orderId, address indexed by, string evidenceCid);
    event EvidenceSubmitted(uint256 indexed orderId, address indexed by, string evidenceCid);
    event SettlementOffered(uint256 indexed orderId, uint256 refund);
    event SettlementAccepted(uint256 indexed orderId, uint256 refund, uint256 sellerAmount, uint256 fee);
    event DisputeResolved(
        uint256 indexed orderId, address indexed arbiter, uint16 buyerBps, uint256 refund, uint256 sellerAmount, uint256 fee
    );
    event Reviewed(uint256 indexed orderId, address indexed seller, uint8 rating, string reviewCid);
    event Withdrawn(address indexed account, address indexed asset, address to, uint256 amount);
    event SurplusSwept(address indexed asset, address indexed to, uint256 amount);

    // ---------------------------------------------------------------- errors

    error MarketplacePaused();
    error MarketplaceInvalidFee(uint256 feeBps, uint256 maxFeeBps);
    error MarketplaceZeroAddress();
    error MarketplaceTooManyAssets();
    error MarketplaceAssetNotAllowed(address asset);
    error MarketplaceSellerNotActive(address account);
    error MarketplaceAlreadySeller(address account);
    error MarketplaceUnknownSeller(address account);
    error MarketplaceUnknownListing(uint64 listingId);
    error MarketplaceNotListingSeller(uint64 listingId, address account);
    error MarketplaceInvalidPrice(uint256 price);
    error MarketplaceInvalidWindow(uint256 window);
    error MarketplaceListingPaused(uint64 listingId);
    error MarketplaceZeroQuantity();
    error MarketplaceInsufficientStock(uint64 listingId, uint256 requested, uint256 available);
    error MarketplaceAmountTooLarge(uint256 amount);
    error MarketplaceSelfPurchase(address account);
    error MarketplaceWrongPaymentAsset(uint64 listingId, address asset);
    error MarketplaceIncorrectPayment(uint256 expected, uint256 received);
    error MarketplacePriceAboveMaximum(uint256 total, uint256 maxTotal);
    error MarketplaceTransferAmountMismatch(address asset, uint256 expected, uint256 received);
    error MarketplaceUnknownOrder(uint256 orderId);
    error MarketplaceInvalidOrderState(uint256 orderId, OrderState state);
    error MarketplaceNotBuyer(uint256 orderId, address account);
    error MarketplaceNotSeller(uint256 orderId, address account);
    error MarketplaceNotParty(uint256 orderId, address account);
    error MarketplaceDeadlineNotPassed(uint256 orderId, uint256 deadline);
    error MarketplaceDeadlinePassed(uint256 orderId, uint256 deadline);
    error MarketplaceInvalidRefund(uint256 refund, uint256 amount);
    error MarketplaceNoSettlementOffer(uint256 orderId);
    error MarketplaceInvalidSplit(uint256 buyerBps);
    error MarketplaceInvalidRating(uint8 rating);
    error MarketplaceAlreadyReviewed(uint256 orderId);
    error MarketplaceNothingToWithdraw(address account, address asset);
    error MarketplaceEthTransferFailed(address to, uint256 amount);
    error MarketplaceNoProvenanceContract();
    error MarketplaceNotTracedListing(uint64 listingId);
    error MarketplaceTracedListingStock(uint64 listingId);
    error MarketplaceInvalidTokenCount(uint256 count);
    error MarketplaceTokenAlreadyListed(uint256 tokenId);
    error MarketplaceNotTokenHolder(uint256 tokenId, address account);
    error MarketplaceTokenRecalled(uint256 tokenId);

    // ---------------------------------------------------------------- admin

    /// @notice Approve `account` as a seller (also reinstates a suspended seller). Admin only.
    function approveSeller(address account) external;

    /// @notice Suspend a seller: their listings cannot be bought and they cannot list. Orders
    /// already placed run to the end as usual, so no funds are held hostage. Admin only.
    function suspendSeller(address account) external;

    /// @notice Allow or disallow an ERC-20 as a payment asset. Disallowing stops new listings and
    /// purchases in it; refunds, releases and withdrawals keep working. Admin only.
    function setAssetAllowed(address asset, bool allowed) external;

    /// @notice Set the platform fee in basis points, at most `MAX_FEE_BPS`. Orders keep the fee that
    /// was in force when they were placed. Admin only.
    function setFee(uint16 feeBps) external;

    /// @notice Set the account that is credited with platform fees. Admin only.
    function setTreasury(address treasury) external;

    /// @notice Name the provenance token contract traced listings sell (it must grant this contract
    /// its MARKETPLACE_ROLE). Admin only.
    function setProvenance(address provenance_) external;

    /// @notice Stop new listings and purchases. Everything that moves existing funds keeps working.
    function pause() external;

    function unpause() external;

    /// @notice Send `asset` held above what the contract owes (escrow plus credits), such as tokens
    /// transferred to it by mistake, to `to`. Admin only; can never touch escrow or credits.
    function sweepSurplus(address asset, address to) external returns (uint256 amount);

    // ---------------------------------------------------------------- sellers

    /// @notice Ask to become a seller, with an IPFS CID of a seller profile.
    function applyAsSeller(string calldata profileCid) external;

    /// @notice List a product. `shipWindow` and `confirmWindow` are in seconds; 0 takes the defaults
    /// for physical goods (`DEFAULT_SHIP_WINDOW`, `DEFAULT_CONFIRM_WINDOW`).
    function list(
        uint256 price,
        address asset,
        uint32 stock,
        uint32 shipWindow,
        uint32 confirmWindow,
        string calldata metadataCid
    ) external returns (uint64 listingId);

    /// @notice List provenance tokens the seller holds: each token is one unit of stock. When an
    /// order completes (or settles, or is resolved with less than a full refund) its tokens move to
    /// the buyer with a Selling event on their trails; a cancelled or refunded order returns them to
    /// the pool, still held by the seller. Needs `setProvenance`.
    function listTraced(
        uint256 price,
        address asset,
        uint256[] calldata tokenIds,
        uint32 shipWindow,
        uint32 confirmWindow,
        string calldata metadataCid
    ) external returns (uint64 listingId);

    /// @notice Add provenance tokens (units) to a traced listing. Its seller only. At most
    /// `MAX_TOKENS_PER_CALL` tokens per call, and per order: completing an order moves each of its
    /// tokens, and a bounded order always fits in a block.
    function addListingTokens(uint64 listingId, uint256[] calldata tokenIds) external;

    function setPrice(uint64 listingId, uint256 price) external;

    /// @notice Set the stock of a listing (not a traced one: its stock is its tokens).
    function setStock(uint64 listingId, uint32 stock) external;

    function setListingPaused(uint64 listingId, bool paused) external;

    function setListingMetadata(uint64 listingId, string calldata metadataCid) external;

    /// @notice Mark a paid order shipped; starts the confirm-by window.
    function shipOrder(uint256 orderId, string calldata trackingRef) external;

    /// @notice Refuse a paid order before shipping: the buyer is credited in full, stock is restored.
    function rejectOrder(uint256 orderId) external;

    /// @notice In a dispute, offer to refund `refund` of the order amount; the buyer may accept.
    function offerSettlement(uint256 orderId, uint256 refund) external;

    // ---------------------------------------------------------------- buyers

    /// @notice Buy `quantity` units of an ETH listing; `msg.value` must equal price times quantity.
    function buy(uint64 listingId, uint32 quantity) external payable returns (uint256 orderId);

    /// @notice Buy with the listing's ERC-20 (allowance needed); refuses if the total exceeds `maxTotal`.
    function buyWithToken(uint64 listingId, uint32 quantity, uint256 maxTotal) external returns (uint256 orderId);

    /// @notice As `buyWithToken`, approving the payment with an EIP-2612 permit in the same call.
    function buyWithPermit(
        uint64 listingId,
        uint32 quantity,
        uint256 maxTotal,
        uint256 permitDeadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external returns (uint256 orderId);

    /// @notice Cancel a paid order before it ships; the buyer is credited in full.
    function cancelOrder(uint256 orderId) external;

    /// @notice After the ship-by deadline of an unshipped order, the buyer takes a full refund.
    function reclaimOrder(uint256 orderId) external;

    /// @notice The buyer confirms receipt (also ends a dispute in the seller's favour).
    function confirmReceipt(uint256 orderId) external;

    /// @notice Anyone can release a shipped order's funds to the seller after the confirm-by
    /// deadline if no dispute is open.
    function releaseExpired(uint256 orderId) external;

    /// @notice Buyer or seller disputes a shipped order before its confirm-by deadline.
    function openDispute(uint256 orderId, string calldata evidenceCid) external;

    /// @notice Buyer or seller adds evidence to an open dispute.
    function submitEvidence(uint256 orderId, string calldata evidenceCid) external;

    /// @notice The buyer accepts the seller's settlement offer, ending the dispute.
    function acceptSettlement(uint256 orderId) external;

    /// @notice The buyer of a completed, settled or resolved order reviews it once (rating 1..5).
    function review(uint256 orderId, uint8 rating, string calldata reviewCid) external;

    // ---------------------------------------------------------------- arbiters

    /// @notice Resolve a dispute: the buyer is refunded `buyerBps` of the amount, the seller gets
    /// the rest minus the platform fee. Arbiter role only.
    function resolveDispute(uint256 orderId, uint16 buyerBps) external;

    // ---------------------------------------------------------------- payouts

    /// @notice Withdraw all of the caller's credit in `asset` to the caller.
    function withdraw(address asset) external returns (uint256 amount);

    /// @notice Withdraw all of the caller's credit in `asset` to `to` (for an account that cannot
    /// receive, e.g. a contract without `receive` or an address a token blocks).
    function withdrawTo(address asset, address to) external returns (uint256 amount);

    // ---------------------------------------------------------------- views

    function getListing(uint64 listingId) external view returns (ListingView memory);

    function getOrder(uint256 orderId) external view returns (OrderView memory);

    function getSeller(address account) external view returns (SellerView memory);

    /// @notice The provenance tokens a traced listing still has to sell, next first.
    function listingTokens(uint64 listingId) external view returns (uint256[] memory);

    /// @notice The provenance tokens an order takes (empty for an untraced listing).
    function orderTokens(uint256 orderId) external view returns (uint256[] memory);

    function provenance() external view returns (address);

    function isActiveSeller(address account) external view returns (bool);

    function creditOf(address account, address asset) external view returns (uint256);

    /// @notice What the contract owes in `asset`: escrowed order amounts plus unwithdrawn credits.
    function liabilities(address asset) external view returns (uint256);

    function isAssetAllowed(address asset) external view returns (bool);

    function allowedAssets() external view returns (address[] memory);

    function feeBps() external view returns (uint16);

    function treasury() external view returns (address);

    function paused() external view returns (bool);

    function listingCount() external view returns (uint64);

    function orderIdFor(address buyer, uint64 listingId, uint32 sequence) external pure returns (uint256);
}
