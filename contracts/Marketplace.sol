// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Context} from "@openzeppelin/contracts/utils/Context.sol";
import {ERC2771Context} from "@openzeppelin/contracts/metatx/ERC2771Context.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";

import {IMarketplace} from "../interfaces/IMarketplace.sol";
import {IProvenanceToken} from "../interfaces/IProvenanceToken.sol";
import {PaymentVault} from "./PaymentVault.sol";

/// @title ChainMart escrowed-order marketplace
/// @notice See {IMarketplace}. Trusts one ERC-2771 forwarder, fixed at deploy, so a relayer can pay
/// the gas for a user's signed request while the user stays the caller.
contract Marketplace is IMarketplace, PaymentVault, ERC2771Context {
    bytes32 public constant ARBITER_ROLE = keccak256("ARBITER_ROLE");
    uint16 public constant MAX_FEE_BPS = 1_000;
    uint16 private constant _BPS = 10_000;
    uint32 public constant DEFAULT_SHIP_WINDOW = 7 days;
    uint32 public constant DEFAULT_CONFIRM_WINDOW = 14 days;
    uint32 public constant MIN_WINDOW = 1 hours;
    uint32 public constant MAX_WINDOW = 180 days;
    uint256 public constant MAX_TOKENS_PER_CALL = 100;
    // Listing.flags and Order.flags bits
    uint8 private constant _PAUSED = 1; // listing
    uint8 private constant _REVIEWED = 1; // order
    uint8 private constant _TRACED = 2; // listing and order: units are provenance tokens

    /// @dev One slot: 96 + 32 + 32 + 32 + 24 + 24 + 8 + 8 = 256 bits. A purchase reads and writes
    /// only this slot of the listing.
    struct Listing {
        uint96 price;
        uint32 stock;
        uint32 sellerId;
        uint32 orderCount;
        uint24 shipWindow;
        uint24 confirmWindow;
        uint8 assetId;
        uint8 flags;
    }

    /// @dev One slot: 96 + 32 + 32 + 8 + 16 + 8 + 8 + 32 + 24 = 256 bits. The buyer and the listing
    /// live in the order id, and the order copies what later steps need from the listing, so placing
    /// an order writes exactly one new slot and shipping or releasing reads no listing.
    /// Timestamps are uint32 seconds (good until 2106).
    struct Order {
        uint96 amount;
        uint32 quantity;
        uint32 deadline;
        OrderState state;
        uint16 feeBps;
        uint8 flags;
        uint8 assetId;
        uint32 sellerId;
        uint24 confirmWindow;
    }

    /// @dev One slot: 160 + 8 + 32 + 56 = 256 bits.
    struct Seller {
        address account;
        SellerStatus status;
        uint32 ratingCount;
        uint56 ratingSum;
    }

    /// @dev One slot: 160 + 16 + 8 + 64 = 248 bits; read by every purchase and listing.
    struct Config {
        address treasury;
        uint16 feeBps;
        bool paused;
        uint64 listingCount;
    }

    Config private _config;
    uint32 private _sellerCount;
    mapping(address account => uint32 sellerId) private _sellerIds;
    mapping(uint32 sellerId => Seller) private _sellers;
    mapping(uint64 listingId => Listing) private _listings;
    mapping(uint256 orderId => Order) private _orders;
    mapping(uint256 orderId => uint256 refund) private _settlementOffers;

    // Traced listings sell provenance tokens: the pool of a listing is _listingTokens[id][cursor:],
    // an order takes the next `quantity` tokens and remembers where they start.
    IProvenanceToken private _provenance;
    mapping(uint64 listingId => uint256[] tokenIds) private _listingTokens;
    mapping(uint64 listingId => uint256 cursor) private _tokenCursors;
    mapping(uint256 orderId => uint256 firstTokenIndex) private _orderTokenStarts;
    mapping(uint256 tokenId => bool listed) private _tokenListed;

    constructor(address admin, address treasury_, uint16 feeBps_, address trustedForwarder_)
        ERC2771Context(trustedForwarder_)
    {
        if (admin == address(0) || treasury_ == address(0)) revert MarketplaceZeroAddress();
        if (feeBps_ > MAX_FEE_BPS) revert MarketplaceInvalidFee(feeBps_, MAX_FEE_BPS);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _config = Config({treasury: treasury_, feeBps: feeBps_, paused: false, listingCount: 0});
        _prewarmCredit(treasury_, ETH);
        emit TreasuryUpdated(treasury_);
        emit FeeUpdated(feeBps_);
    }

    // ================================================================ admin

    /// @inheritdoc IMarketplace
    function approveSeller(address account) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (account == address(0)) revert MarketplaceZeroAddress();
        uint32 id = _sellerIdOrNew(account);
        _sellers[id].status = SellerStatus.Approved;
        _prewarmCredit(account, ETH);
        emit SellerApproved(account, id);
    }

    /// @inheritdoc IMarketplace
    function suspendSeller(address account) external onlyRole(DEFAULT_ADMIN_ROLE) {
        uint32 id = _sellerIds[account];
        if (id == 0) revert MarketplaceUnknownSeller(account);
        _sellers[id].status = SellerStatus.Suspended;
        emit SellerSuspended(account, id);
    }

    /// @inheritdoc IMarketplace
    function setFee(uint16 feeBps_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (feeBps_ > MAX_FEE_BPS) revert MarketplaceInvalidFee(feeBps_, MAX_FEE_BPS);
        _config.feeBps = feeBps_;
        emit FeeUpdated(feeBps_);
    }

    /// @inheritdoc IMarketplace
    function setTreasury(address treasury_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (treasury_ == address(0)) revert MarketplaceZeroAddress();
        _config.treasury = treasury_;
        _prewarmCredit(treasury_, ETH);
        emit TreasuryUpdated(treasury_);
    }

    /// @inheritdoc IMarketplace
    function setProvenance(address provenance_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (provenance_ == address(0)) revert MarketplaceZeroAddress();
        _provenance = IProvenanceToken(provenance_);
        emit ProvenanceContractSet(provenance_);
    }

    /// @inheritdoc IMarketplace
    function pause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _config.paused = true;
        emit MarketPaused(_msgSender());
    }

    /// @inheritdoc IMarketplace
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _config.paused = false;
        emit MarketUnpaused(_msgSender());
    }

    // ================================================================ sellers

    /// @inheritdoc IMarketplace
    function applyAsSeller(string calldata profileCid) external {
        address account = _msgSender();
        uint32 id = _sellerIds[account];
        if (id != 0 && _sellers[id].status != SellerStatus.Applied) revert MarketplaceAlreadySeller(account);
        id = _sellerIdOrNew(account);
        _sellers[id].status = SellerStatus.Applied;
        emit SellerApplied(account, id, profileCid);
    }

    /// @inheritdoc IMarketplace
    function list(
        uint256 price,
        address asset,
        uint32 stock,
        uint32 shipWindow,
        uint32 confirmWindow,
        string calldata metadataCid
    ) external returns (uint64 listingId) {
        return _list(price, asset, stock, shipWindow, confirmWindow, metadataCid, 0);
    }

    /// @inheritdoc IMarketplace
    function listTraced(
        uint256 price,
        address asset,
        uint256[] calldata tokenIds,
        uint32 shipWindow,
        uint32 confirmWindow,
        string calldata metadataCid
    ) external returns (uint64 listingId) {
        if (address(_provenance) == address(0)) revert MarketplaceNoProvenanceContract();
        listingId = _list(price, asset, 0, shipWindow, confirmWindow, metadataCid, _TRACED);
        _addTokens(listingId, _listings[listingId], tokenIds);
    }

    /// @inheritdoc IMarketplace
    function addListingTokens(uint64 listingId, uint256[] calldata tokenIds) external {
        Listing storage listing = _ownListing(listingId);
        if (listing.flags & _TRACED == 0) revert MarketplaceNotTracedListing(listingId);
        _addTokens(listingId, listing, tokenIds);
    }

    function _list(
        uint256 price,
        address asset,
        uint32 stock,
        uint32 shipWindow,
        uint32 confirmWindow,
        string calldata metadataCid,
        uint8 flags
    ) private returns (uint64 listingId) {
        uint32 sellerId = _listingSellerId();
        _checkPrice(price);
        uint8 assetId = _requireAllowedAssetId(asset);
        shipWindow = _window(shipWindow, DEFAULT_SHIP_WINDOW);
        confirmWindow = _window(confirmWindow, DEFAULT_CONFIRM_WINDOW);
        listingId = ++_config.listingCount;
        _listings[listingId] = Listing({
            price: uint96(price),
            stock: stock,
            sellerId: sellerId,
            orderCount: 0,
            shipWindow: uint24(shipWindow),
            confirmWindow: uint24(confirmWindow),
            assetId: assetId,
            flags: flags
        });
        emit Listed(listingId, _msgSender(), asset, price, stock, shipWindow, confirmWindow, metadataCid);
    }

    /// @dev The caller's seller id, if the market is open and the caller may list.
    function _listingSellerId() private view returns (uint32 sellerId) {
        if (_config.paused) revert MarketplacePaused();
        address account = _msgSender();
        sellerId = _sellerIds[account];
        if (sellerId == 0 || _sellers[sellerId].status != SellerStatus.Approved) {
            revert MarketplaceSellerNotActive(account);
        }
    }

    /// @inheritdoc IMarketplace
    function setPrice(uint64 listingId, uint256 price) external {
        Listing storage listing = _ownListing(listingId);
        _checkPrice(price);
        listing.price = uint96(price);
        emit ListingPriceUpdated(listingId, price);
    }

    /// @inheritdoc IMarketplace
    function setStock(uint64 listingId, uint32 stock) external {
        Listing storage listing = _ownListing(listingId);
        if (listing.flags & _TRACED != 0) revert MarketplaceTracedListingStock(listingId);
        listing.stock = stock;
        emit ListingStockUpdated(listingId, stock);
    }

    /// @inheritdoc IMarketplace
    function setListingPaused(uint64 listingId, bool paused_) external {
        Listing storage listing = _ownListing(listingId);
        listing.flags = paused_ ? listing.flags | _PAUSED : listing.flags & ~_PAUSED;
        emit ListingPausedSet(listingId, paused_);
    }

    /// @inheritdoc IMarketplace
    function setListingMetadata(uint64 listingId, string calldata metadataCid) external {
        _ownListing(listingId);
        emit ListingMetadataUpdated(listingId, metadataCid);
    }

    /// @inheritdoc IMarketplace
    function shipOrder(uint256 orderId, string calldata trackingRef) external {
        Order storage order = _orderForSeller(orderId);
        _requireState(orderId, order.state, OrderState.Paid);
        uint32 confirmBy = uint32(block.timestamp) + order.confirmWindow;
        order.state = OrderState.Shipped;
        order.deadline = confirmBy;
        emit OrderShipped(orderId, trackingRef, confirmBy);
    }

    /// @inheritdoc IMarketplace
    function rejectOrder(uint256 orderId) external {
        Order storage order = _orderForSeller(orderId);
        _requireState(orderId, order.state, OrderState.Paid);
        _refundInFull(orderId, order, OrderState.Rejected);
        emit OrderRejected(orderId);
    }

    /// @inheritdoc IMarketplace
    function offerSettlement(uint256 orderId, uint256 refund) external {
        Order storage order = _orderForSeller(orderId);
        _requireState(orderId, order.state, OrderState.Disputed);
        if (refund == 0 || refund > order.amount) revert MarketplaceInvalidRefund(refund, order.amount);
        _settlementOffers[orderId] = refund;
        emit SettlementOffered(orderId, refund);
    }

    // ================================================================ buyers

    /// @inheritdoc IMarketplace
    function buy(uint64 listingId, uint32 quantity) external payable returns (uint256 orderId) {
        address token;
        uint256 amount;
        (orderId, token, amount) = _placeOrder(listingId, quantity, type(uint256).max);
        if (token != ETH) revert MarketplaceWrongPaymentAsset(listingId, ETH);
        _collect(ETH, _msgSender(), amount);
    }

    /// @inheritdoc IMarketplace
    function buyWithToken(uint64 listingId, uint32 quantity, uint256 maxTotal) external returns (uint256 orderId) {
        address token;
        uint256 amount;
        (orderId, token, amount) = _placeOrder(listingId, quantity, maxTotal);
        if (token == ETH) revert MarketplaceWrongPaymentAsset(listingId, ETH);
        _collect(token, _msgSender(), amount);
    }

    /// @inheritdoc IMarketplace
    function buyWithPermit(
        uint64 listingId,
        uint32 quantity,
        uint256 maxTotal,
        uint256 permitDeadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external returns (uint256 orderId) {
        address token;
        uint256 amount;
        (orderId, token, amount) = _placeOrder(listingId, quantity, maxTotal);
        if (token == ETH) revert MarketplaceWrongPaymentAsset(listingId, ETH);
        address buyer = _msgSender();
        _permit(token, buyer, amount, permitDeadline, v, r, s);
        _collect(token, buyer, amount);
    }

    /// @inheritdoc IMarketplace
    function cancelOrder(uint256 orderId) external {
        Order storage order = _orderForBuyer(orderId);
        _requireState(orderId, order.state, OrderState.Paid);
        _refundInFull(orderId, order, OrderState.Cancelled);
        emit OrderCancelled(orderId);
    }

    /// @inheritdoc IMarketplace
    function reclaimOrder(uint256 orderId) external {
        Order storage order = _orderForBuyer(orderId);
        _requireState(orderId, order.state, OrderState.Paid);
        if (block.timestamp <= order.deadline) revert MarketplaceDeadlineNotPassed(orderId, order.deadline);
        _refundInFull(orderId, order, OrderState.Reclaimed);
        emit OrderReclaimed(orderId);
    }

    /// @inheritdoc IMarketplace
    function confirmReceipt(uint256 orderId) external {
        Order storage order = _orderForBuyer(orderId);
        OrderState state = order.state;
        if (state != OrderState.Shipped && state != OrderState.Disputed) {
            revert MarketplaceInvalidOrderState(orderId, state);
        }
        if (state == OrderState.Disputed) delete _settlementOffers[orderId];
        _complete(orderId, order);
    }

    /// @inheritdoc IMarketplace
    function releaseExpired(uint256 orderId) external {
        Order storage order = _existingOrder(orderId);
        _requireState(orderId, order.state, OrderState.Shipped);
        if (block.timestamp <= order.deadline) revert MarketplaceDeadlineNotPassed(orderId, order.deadline);
        _complete(orderId, order);
    }

    /// @inheritdoc IMarketplace
    function openDispute(uint256 orderId, string calldata evidenceCid) external {
        (Order storage order, address party) = _orderForParty(orderId);
        _requireState(orderId, order.state, OrderState.Shipped);
        if (block.timestamp > order.deadline) revert MarketplaceDeadlinePassed(orderId, order.deadline);
        order.state = OrderState.Disputed;
        emit DisputeOpened(orderId, party, evidenceCid);
    }

    /// @inheritdoc IMarketplace
    function submitEvidence(uint256 orderId, string calldata evidenceCid) external {
        (Order storage order, address party) = _orderForParty(orderId);
        _requireState(orderId, order.state, OrderState.Disputed);
        emit EvidenceSubmitted(orderId, party, evidenceCid);
    }

    /// @inheritdoc IMarketplace
    function acceptSettlement(uint256 orderId) external {
        Order storage order = _orderForBuyer(orderId);
        _requireState(orderId, order.state, OrderState.Disputed);
        uint256 refund = _settlementOffers[orderId];
        if (refund == 0) revert MarketplaceNoSettlementOffer(orderId);
        delete _settlementOffers[orderId];
        (uint256 sellerAmount, uint256 fee) = _split(orderId, order, refund, OrderState.Settled);
        emit SettlementAccepted(orderId, refund, sellerAmount, fee);
    }

    /// @inheritdoc IMarketplace
    function review(uint256 orderId, uint8 rating, string calldata reviewCid) external {
        Order storage order = _orderForBuyer(orderId);
        OrderState state = order.state;
        if (state != OrderState.Completed && state != OrderState.Settled && state != OrderState.Resolved) {
            revert MarketplaceInvalidOrderState(orderId, state);
        }
        if (order.flags & _REVIEWED != 0) revert MarketplaceAlreadyReviewed(orderId);
        if (rating == 0 || rating > 5) revert MarketplaceInvalidRating(rating);
        order.flags |= _REVIEWED;
        Seller storage seller = _sellers[order.sellerId];
        seller.ratingCount += 1;
        seller.ratingSum += rating;
        emit Reviewed(orderId, seller.account, rating, reviewCid);
    }

    // ================================================================ arbiters

    /// @inheritdoc IMarketplace
    function resolveDispute(uint256 orderId, uint16 buyerBps) external onlyRole(ARBITER_ROLE) {
        Order storage order = _existingOrder(orderId);
        _requireState(orderId, order.state, OrderState.Disputed);
        if (buyerBps > _BPS) revert MarketplaceInvalidSplit(buyerBps);
        delete _settlementOffers[orderId];
        uint256 refund = uint256(order.amount) * buyerBps / _BPS;
        (uint256 sellerAmount, uint256 fee) = _split(orderId, order, refund, OrderState.Resolved);
        emit DisputeResolved(orderId, _msgSender(), buyerBps, refund, sellerAmount, fee);
    }

    // ================================================================ internal

    /// @dev Checks and effects of a purchase; the caller collects the payment afterwards.
    function _placeOrder(uint64 listingId, uint32 quantity, uint256 maxTotal)
        private
        returns (uint256 orderId, address token, uint256 amount)
    {
        Listing memory listing = _listings[listingId];
        token = _checkPurchase(listingId, listing, quantity);
        amount = uint256(listing.price) * quantity;
        if (amount > type(uint96).max) revert MarketplaceAmountTooLarge(amount);
        if (amount > maxTotal) revert MarketplacePriceAboveMaximum(amount, maxTotal);

        uint32 sequence = listing.orderCount + 1;
        orderId = _packOrderId(_msgSender(), listingId, sequence);
        Listing storage stored = _listings[listingId];
        stored.stock = listing.stock - quantity;
        stored.orderCount = sequence;
        uint32 shipBy = uint32(block.timestamp) + listing.shipWindow;
        uint8 flags = listing.flags & _TRACED;
        if (flags != 0) {
            // Completion moves each token in a loop: a bounded order always fits in a block.
            if (quantity > MAX_TOKENS_PER_CALL) revert MarketplaceInvalidTokenCount(quantity);
            uint256 cursor = _tokenCursors[listingId];
            _orderTokenStarts[orderId] = cursor;
            _tokenCursors[listingId] = cursor + quantity;
        }
        _orders[orderId] = Order({
            amount: uint96(amount),
            quantity: quantity,
            deadline: shipBy,
            state: OrderState.Paid,
            feeBps: _config.feeBps,
            flags: flags,
            assetId: listing.assetId,
            sellerId: listing.sellerId,
            confirmWindow: listing.confirmWindow
        });
        emit OrderPlaced(orderId, listingId, _buyerOf(orderId), quantity, amount, shipBy);
    }

    /// @dev Every reason a purchase can be refused, before anything changes. Returns the payment token.
    function _checkPurchase(uint64 listingId, Listing memory listing, uint32 quantity)
        private
        view
        returns (address token)
    {
        if (_config.paused) revert MarketplacePaused();
        if (listing.sellerId == 0) revert MarketplaceUnknownListing(listingId);
        if (listing.flags & _PAUSED != 0) revert MarketplaceListingPaused(listingId);
        if (quantity == 0) revert MarketplaceZeroQuantity();
        if (quantity > listing.stock) revert MarketplaceInsufficientStock(listingId, quantity, listing.stock);
        Seller memory seller = _sellers[listing.sellerId];
        if (seller.status != SellerStatus.Approved) revert MarketplaceSellerNotActive(seller.account);
        if (_msgSender() == seller.account) revert MarketplaceSelfPurchase(seller.account);
        bool allowed;
        (token, allowed) = _asset(listing.assetId);
        if (!allowed) revert MarketplaceAssetNotAllowed(token);
    }

    /// @dev Releases the whole amount to the seller, less the platform fee.
    function _complete(uint256 orderId, Order storage order) private {
        (uint256 sellerAmount, uint256 fee) = _split(orderId, order, 0, OrderState.Completed);
        emit OrderCompleted(orderId, _msgSender(), sellerAmount, fee);
    }

    /// @dev Ends an order by refunding `refund` to the buyer and crediting the rest to the seller
    /// and the treasury. The three parts always add up to the order amount.
    function _split(uint256 orderId, Order storage order, uint256 refund, OrderState finalState)
        private
        returns (uint256 sellerAmount, uint256 fee)
    {
        uint256 amount = order.amount;
        uint256 sellerGross = amount - refund;
        fee = sellerGross * order.feeBps / _BPS;
        sellerAmount = sellerGross - fee;
        order.state = finalState;
        order.deadline = 0;
        (address token,) = _asset(order.assetId);
        address seller = _sellers[order.sellerId].account;
        _credit(_buyerOf(orderId), token, refund);
        _credit(seller, token, sellerAmount);
        _credit(_config.treasury, token, fee);
        if (order.flags & _TRACED != 0) _deliverTokens(orderId, order, seller, refund < amount);
    }

    /// @dev Moves a finished order's provenance tokens to the buyer (unless fully refunded) with a
    /// Selling event on their trails. A token that cannot move (the seller gave it away, it was
    /// recalled) is reported, never allowed to block the payout.
    function _deliverTokens(uint256 orderId, Order storage order, address seller, bool toBuyer) private {
        uint256[] storage pool = _listingTokens[_listingIdOf(orderId)];
        uint256 start = _orderTokenStarts[orderId];
        address buyer = _buyerOf(orderId);
        for (uint256 i = 0; i < order.quantity; ++i) {
            uint256 tokenId = pool[start + i];
            delete _tokenListed[tokenId];
            if (!toBuyer) continue;
            try _provenance.recordSale(tokenId, seller, buyer, orderId) {}
            catch {
                emit TracedTokenNotDelivered(orderId, tokenId);
            }
        }
    }

    /// @dev Checks and adds tokens the seller holds to a traced listing's pool; each token adds a unit.
    function _addTokens(uint64 listingId, Listing storage listing, uint256[] calldata tokenIds) private {
        uint256 count = tokenIds.length;
        if (count == 0 || count > MAX_TOKENS_PER_CALL) revert MarketplaceInvalidTokenCount(count);
        address seller = _msgSender();
        uint256[] storage pool = _listingTokens[listingId];
        for (uint256 i = 0; i < count; ++i) {
            uint256 tokenId = tokenIds[i];
            if (_tokenListed[tokenId]) revert MarketplaceTokenAlreadyListed(tokenId);
            if (IERC721(address(_provenance)).ownerOf(tokenId) != seller) revert MarketplaceNotTokenHolder(tokenId, seller);
            if (_provenance.isRecalled(tokenId)) revert MarketplaceTokenRecalled(tokenId);
            _tokenListed[tokenId] = true;
            pool.push(tokenId);
        }
        uint32 stock = listing.stock + uint32(count);
        listing.stock = stock;
        emit ListingTokensAdded(listingId, tokenIds);
        emit ListingStockUpdated(listingId, stock);
    }

    /// @dev Full refund before shipping; the units go back into stock.
    function _refundInFull(uint256 orderId, Order storage order, OrderState finalState) private {
        Listing storage listing = _listings[_listingIdOf(orderId)];
        uint256 restocked = uint256(listing.stock) + order.quantity;
        listing.stock = restocked > type(uint32).max ? type(uint32).max : uint32(restocked);
        if (order.flags & _TRACED != 0) {
            uint256[] storage pool = _listingTokens[_listingIdOf(orderId)];
            uint256 start = _orderTokenStarts[orderId];
            for (uint256 i = 0; i < order.quantity; ++i) {
                pool.push(pool[start + i]);
            }
        }
        order.state = finalState;
        order.deadline = 0;
        (address token,) = _asset(order.assetId);
        _credit(_buyerOf(orderId), token, order.amount);
    }

    function _feeRecipient() internal view override returns (address) {
        return _config.treasury;
    }

    function _sellerIdOrNew(address account) private returns (uint32 id) {
        id = _sellerIds[account];
        if (id == 0) {
            id = ++_sellerCount;
            _sellerIds[account] = id;
            _sellers[id].account = account;
        }
    }

    function _ownListing(uint64 listingId) private view returns (Listing storage listing) {
        listing = _listings[listingId];
        if (listing.sellerId == 0) revert MarketplaceUnknownListing(listingId);
        address account = _msgSender();
        if (_sellers[listing.sellerId].account != account) revert MarketplaceNotListingSeller(listingId, account);
    }

    function _existingOrder(uint256 orderId) private view returns (Order storage order) {
        order = _orders[orderId];
        if (order.state == OrderState.None) revert MarketplaceUnknownOrder(orderId);
    }

    function _orderForBuyer(uint256 orderId) private view returns (Order storage order) {
        order = _existingOrder(orderId);
        address account = _msgSender();
        if (account != _buyerOf(orderId)) revert MarketplaceNotBuyer(orderId, account);
    }

    function _orderForSeller(uint256 orderId) private view returns (Order storage order) {
        order = _existingOrder(orderId);
        address account = _msgSender();
        if (account != _sellers[order.sellerId].account) revert MarketplaceNotSeller(orderId, account);
    }

    function _orderForParty(uint256 orderId) private view returns (Order storage order, address party) {
        order = _existingOrder(orderId);
        party = _msgSender();
        if (party != _buyerOf(orderId) && party != _sellers[order.sellerId].account) {
            revert MarketplaceNotParty(orderId, party);
        }
    }

    function _requireState(uint256 orderId, OrderState actual, OrderState expected) private pure {
        if (actual != expected) revert MarketplaceInvalidOrderState(orderId, actual);
    }

    function _checkPrice(uint256 price) private pure {
        if (price == 0 || price > type(uint96).max) revert MarketplaceInvalidPrice(price);
    }

    /// @dev 0 takes the default; anything else must lie in [MIN_WINDOW, MAX_WINDOW].
    function _window(uint32 window, uint32 defaultWindow) private pure returns (uint32) {
        if (window == 0) return defaultWindow;
        if (window < MIN_WINDOW || window > MAX_WINDOW) revert MarketplaceInvalidWindow(window);
        return window;
    }

    function _packOrderId(address buyer, uint64 listingId, uint32 sequence) private pure returns (uint256) {
        return (uint256(uint160(buyer)) << 96) | (uint256(listingId) << 32) | sequence;
    }

    function _buyerOf(uint256 orderId) private pure returns (address) {
        return address(uint160(orderId >> 96));
    }

    function _listingIdOf(uint256 orderId) private pure returns (uint64) {
        return uint64(orderId >> 32);
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

    /// @inheritdoc IMarketplace
    function getListing(uint64 listingId) external view returns (ListingView memory) {
        Listing memory listing = _listings[listingId];
        if (listing.sellerId == 0) revert MarketplaceUnknownListing(listingId);
        (address token,) = _asset(listing.assetId);
        return ListingView({
            id: listingId,
            seller: _sellers[listing.sellerId].account,
            asset: token,
            price: listing.price,
            stock: listing.stock,
            shipWindow: listing.shipWindow,
            confirmWindow: listing.confirmWindow,
            paused: listing.flags & _PAUSED != 0,
            orderCount: listing.orderCount
        });
    }

    /// @inheritdoc IMarketplace
    function getOrder(uint256 orderId) external view returns (OrderView memory) {
        Order memory order = _existingOrder(orderId);
        (address token,) = _asset(order.assetId);
        return OrderView({
            id: orderId,
            listingId: _listingIdOf(orderId),
            buyer: _buyerOf(orderId),
            seller: _sellers[order.sellerId].account,
            asset: token,
            quantity: order.quantity,
            amount: order.amount,
            state: order.state,
            deadline: order.deadline,
            feeBps: order.feeBps,
            reviewed: order.flags & _REVIEWED != 0,
            settlementOffer: _settlementOffers[orderId]
        });
    }

    /// @inheritdoc IMarketplace
    function listingTokens(uint64 listingId) external view returns (uint256[] memory available) {
        uint256[] storage pool = _listingTokens[listingId];
        uint256 cursor = _tokenCursors[listingId];
        available = new uint256[](pool.length - cursor);
        for (uint256 i = 0; i < available.length; ++i) {
            available[i] = pool[cursor + i];
        }
    }

    /// @inheritdoc IMarketplace
    function orderTokens(uint256 orderId) external view returns (uint256[] memory tokenIds) {
        Order storage order = _existingOrder(orderId);
        if (order.flags & _TRACED == 0) return tokenIds;
        uint256[] storage pool = _listingTokens[_listingIdOf(orderId)];
        uint256 start = _orderTokenStarts[orderId];
        tokenIds = new uint256[](order.quantity);
        for (uint256 i = 0; i < tokenIds.length; ++i) {
            tokenIds[i] = pool[start + i];
        }
    }

    /// @inheritdoc IMarketplace
    function provenance() external view returns (address) {
        return address(_provenance);
    }

    /// @inheritdoc IMarketplace
    function getSeller(address account) external view returns (SellerView memory) {
        uint32 id = _sellerIds[account];
        Seller memory seller = _sellers[id];
        return SellerView({
            account: account,
            id: id,
            status: seller.status,
            ratingCount: seller.ratingCount,
            ratingSum: seller.ratingSum
        });
    }

    /// @inheritdoc IMarketplace
    function isActiveSeller(address account) external view returns (bool) {
        uint32 id = _sellerIds[account];
        return id != 0 && _sellers[id].status == SellerStatus.Approved;
    }

    /// @inheritdoc IMarketplace
    function feeBps() external view returns (uint16) {
        return _config.feeBps;
    }

    /// @inheritdoc IMarketplace
    function treasury() external view returns (address) {
        return _config.treasury;
    }

    /// @inheritdoc IMarketplace
    function paused() external view returns (bool) {
        return _config.paused;
    }

    /// @inheritdoc IMarketplace
    function listingCount() external view returns (uint64) {
        return _config.listingCount;
    }

    /// @inheritdoc IMarketplace
    function orderIdFor(address buyer, uint64 listingId, uint32 sequence) external pure returns (uint256) {
        return _packOrderId(buyer, listingId, sequence);
    }
}
