// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {IMarketplace} from "../interfaces/IMarketplace.sol";

/// @title Payment assets, pull-payment credits and the accounting behind them
/// @notice Holds every wei and token the marketplace takes in. What it owes per asset
/// (`liabilities`: escrowed order amounts plus credits) is tracked on chain, so the invariant
/// `balance == liabilities` (or `>=` after someone sends tokens directly) can be checked by anyone,
/// and only the surplus above it can ever be swept.
abstract contract PaymentVault is IMarketplace, AccessControl {
    using SafeERC20 for IERC20;

    /// @dev Asset id 0 is ETH, always allowed; ERC-20s get ids 1..255 in the order first allowed.
    struct AssetInfo {
        address token; // 160 bits
        bool allowed; //  8 bits   (one slot)
    }

    address internal constant ETH = address(0);
    uint256 private constant _MAX_ASSETS = 255;

    mapping(uint8 assetId => AssetInfo) private _assets;
    mapping(address token => uint8 assetId) private _assetIds;
    uint8 private _assetCount;

    mapping(address asset => uint256) private _liabilities;
    /// @dev Stored as credit + 1 once an account has been credited, so a withdrawal leaves the slot
    /// non-zero and the account's next credit costs a warm write instead of a fresh 20,000-gas slot.
    mapping(address account => mapping(address asset => uint256)) private _creditsPlusOne;

    constructor() {
        _assets[0] = AssetInfo({token: ETH, allowed: true});
    }

    /// @inheritdoc IMarketplace
    function setAssetAllowed(address asset, bool allowed) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (asset == ETH) revert MarketplaceZeroAddress();
        uint8 id = _assetIds[asset];
        if (id == 0) {
            if (_assetCount == _MAX_ASSETS) revert MarketplaceTooManyAssets();
            id = ++_assetCount;
            _assetIds[asset] = id;
            _assets[id].token = asset;
            _prewarmCredit(_feeRecipient(), asset);
        }
        _assets[id].allowed = allowed;
        emit AssetAllowed(asset, id, allowed);
    }

    /// @inheritdoc IMarketplace
    function sweepSurplus(address asset, address to) external onlyRole(DEFAULT_ADMIN_ROLE) returns (uint256 amount) {
        if (to == address(0)) revert MarketplaceZeroAddress();
        amount = _balanceOf(asset) - _liabilities[asset];
        if (amount == 0) revert MarketplaceNothingToWithdraw(address(this), asset);
        emit SurplusSwept(asset, to, amount);
        _send(asset, to, amount);
    }

    /// @inheritdoc IMarketplace
    function withdraw(address asset) external returns (uint256 amount) {
        address account = _msgSender();
        return _withdraw(account, asset, account);
    }

    /// @inheritdoc IMarketplace
    function withdrawTo(address asset, address to) external returns (uint256 amount) {
        if (to == address(0)) revert MarketplaceZeroAddress();
        return _withdraw(_msgSender(), asset, to);
    }

    // ---------------------------------------------------------------- internal

    /// @dev Takes exactly `amount` of `asset` from `payer` into escrow. ETH must already be attached
    /// as exactly `amount` (token purchases are not payable, so they carry none); for a token, the balance change must equal `amount`, which refuses
    /// fee-on-transfer tokens (SafeERC20 refuses tokens that return false).
    function _collect(address asset, address payer, uint256 amount) internal {
        _liabilities[asset] += amount;
        if (asset == ETH) {
            if (msg.value != amount) revert MarketplaceIncorrectPayment(amount, msg.value);
            return;
        }
        IERC20 token = IERC20(asset);
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(payer, address(this), amount);
        uint256 received = token.balanceOf(address(this)) - before;
        if (received != amount) revert MarketplaceTransferAmountMismatch(asset, amount, received);
    }

    /// @dev Applies an EIP-2612 permit. A failure is ignored on purpose: someone may have submitted
    /// the same permit first (front-running griefing); the transfer that follows still needs allowance.
    function _permit(address asset, address owner, uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        internal
    {
        try IERC20Permit(asset).permit(owner, address(this), value, deadline, v, r, s) {} catch {}
    }

    /// @dev Moves escrowed funds to an account's withdrawable credit. Liabilities are unchanged.
    /// The events that end an order carry the amounts credited.
    function _credit(address account, address asset, uint256 amount) internal {
        if (amount == 0) return;
        uint256 raw = _creditsPlusOne[account][asset];
        _creditsPlusOne[account][asset] = (raw == 0 ? 1 : raw) + amount;
    }

    /// @dev Creates an account's credit slot ahead of its first payout (at seller approval, for the
    /// treasury), so the buyer who confirms a seller's first sale does not pay for a new slot.
    function _prewarmCredit(address account, address asset) internal {
        if (_creditsPlusOne[account][asset] == 0) _creditsPlusOne[account][asset] = 1;
    }

    function _withdraw(address account, address asset, address to) private returns (uint256 amount) {
        uint256 raw = _creditsPlusOne[account][asset];
        if (raw <= 1) revert MarketplaceNothingToWithdraw(account, asset);
        amount = raw - 1;
        _creditsPlusOne[account][asset] = 1;
        _liabilities[asset] -= amount;
        emit Withdrawn(account, asset, to, amount);
        _send(asset, to, amount);
    }

    function _send(address asset, address to, uint256 amount) private {
        if (asset == ETH) {
            (bool ok,) = to.call{value: amount}("");
            if (!ok) revert MarketplaceEthTransferFailed(to, amount);
        } else {
            IERC20(asset).safeTransfer(to, amount);
        }
    }

    /// @dev The account platform fees are credited to.
    function _feeRecipient() internal view virtual returns (address);

    /// @dev Resolves an asset for a new listing or purchase: ETH, or an allowed ERC-20.
    function _requireAllowedAssetId(address asset) internal view returns (uint8 id) {
        if (asset == ETH) return 0;
        id = _assetIds[asset];
        if (id == 0 || !_assets[id].allowed) revert MarketplaceAssetNotAllowed(asset);
    }

    /// @dev The token behind an asset id, and whether new purchases in it are allowed.
    function _asset(uint8 id) internal view returns (address token, bool allowed) {
        if (id == 0) return (ETH, true);
        AssetInfo storage info = _assets[id];
        return (info.token, info.allowed);
    }

    function _balanceOf(address asset) private view returns (uint256) {
        return asset == ETH ? address(this).balance : IERC20(asset).balanceOf(address(this));
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IMarketplace
    function creditOf(address account, address asset) external view returns (uint256) {
        uint256 raw = _creditsPlusOne[account][asset];
        return raw == 0 ? 0 : raw - 1;
    }

    /// @inheritdoc IMarketplace
    function liabilities(address asset) external view returns (uint256) {
        return _liabilities[asset];
    }

    /// @inheritdoc IMarketplace
    function isAssetAllowed(address asset) external view returns (bool) {
        if (asset == ETH) return true;
        uint8 id = _assetIds[asset];
        return id != 0 && _assets[id].allowed;
    }

    /// @inheritdoc IMarketplace
    function allowedAssets() external view returns (address[] memory assets) {
        uint256 count = _assetCount;
        assets = new address[](count + 1);
        uint256 n = 1; // assets[0] is ETH, address(0)
        for (uint256 id = 1; id <= count; ++id) {
            AssetInfo storage info = _assets[uint8(id)];
            if (info.allowed) assets[n++] = info.token;
        }
        assembly ("memory-safe") {
            mstore(assets, n)
        }
    }
}
