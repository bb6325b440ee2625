// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {ICopyrightRegistry} from "../interfaces/ICopyrightRegistry.sol";

/// @title License payments: platform fee, pull-payment credits and the accounting behind them
/// @notice Every license payment is booked at once: the fee accrues to the platform, the rest is
/// credited to the rights holder. What the contract owes per asset (`liabilities`: credits plus
/// accrued fees) is tracked on chain, so `balance >= liabilities` can be checked by anyone and only
/// the surplus above it can be swept. Same pattern as the Marketplace's PaymentVault, kept separate
/// so neither contract's storage, errors or gas depend on the other.
abstract contract LicenseVault is ICopyrightRegistry, AccessControl {
    using SafeERC20 for IERC20;

    uint16 public constant MAX_FEE_BPS = 1_000;
    uint16 internal constant _BPS = 10_000;
    address internal constant ETH = address(0);

    /// @dev One slot: 160 + 16 = 176 bits; a purchase reads it once.
    struct FeeConfig {
        address treasury;
        uint16 feeBps;
    }

    /// @dev One slot: 128 + 128 bits. `owed` includes `fees`; a purchase writes both in one store.
    struct Ledger {
        uint128 owed;
        uint128 fees;
    }

    FeeConfig private _feeConfig;
    mapping(address asset => Ledger) private _ledgers;
    /// @dev Stored as credit + 1 once an account has been credited, so a withdrawal leaves the slot
    /// non-zero and the next credit is a cheap non-zero to non-zero write.
    mapping(address account => mapping(address asset => uint256)) private _creditsPlusOne;

    constructor(address treasury_, uint16 feeBps_) {
        if (treasury_ == address(0)) revert CopyrightZeroAddress();
        if (feeBps_ > MAX_FEE_BPS) revert CopyrightInvalidFee(feeBps_, MAX_FEE_BPS);
        _feeConfig = FeeConfig({treasury: treasury_, feeBps: feeBps_});
        emit TreasuryUpdated(treasury_);
        emit FeeUpdated(feeBps_);
    }

    /// @inheritdoc ICopyrightRegistry
    function setFee(uint16 feeBps_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (feeBps_ > MAX_FEE_BPS) revert CopyrightInvalidFee(feeBps_, MAX_FEE_BPS);
        _feeConfig.feeBps = feeBps_;
        emit FeeUpdated(feeBps_);
    }

    /// @inheritdoc ICopyrightRegistry
    function setTreasury(address treasury_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (treasury_ == address(0)) revert CopyrightZeroAddress();
        _feeConfig.treasury = treasury_;
        emit TreasuryUpdated(treasury_);
    }

    /// @inheritdoc ICopyrightRegistry
    function sweepSurplus(address asset, address to) external onlyRole(DEFAULT_ADMIN_ROLE) returns (uint256 amount) {
        if (to == address(0)) revert CopyrightZeroAddress();
        amount = _balanceOf(asset) - _ledgers[asset].owed;
        if (amount == 0) revert CopyrightNothingToWithdraw(address(this), asset);
        emit SurplusSwept(asset, to, amount);
        _send(asset, to, amount);
    }

    /// @inheritdoc ICopyrightRegistry
    function withdraw(address asset) external returns (uint256 amount) {
        address account = _msgSender();
        return _withdraw(account, asset, account);
    }

    /// @inheritdoc ICopyrightRegistry
    function withdrawTo(address asset, address to) external returns (uint256 amount) {
        if (to == address(0)) revert CopyrightZeroAddress();
        return _withdraw(_msgSender(), asset, to);
    }

    /// @inheritdoc ICopyrightRegistry
    function withdrawFees(address asset) external returns (uint256 amount) {
        Ledger memory ledger = _ledgers[asset];
        amount = ledger.fees;
        address to = _feeConfig.treasury;
        if (amount == 0) revert CopyrightNothingToWithdraw(to, asset);
        _ledgers[asset] = Ledger({owed: ledger.owed - ledger.fees, fees: 0});
        emit FeesWithdrawn(asset, to, amount);
        _send(asset, to, amount);
    }

    // ---------------------------------------------------------------- internal

    /// @dev Books a payment of `price` in `asset` before it is collected: the fee accrues to the
    /// platform, the rest is credited to `payee`. Returns the fee.
    function _book(address asset, address payee, uint256 price) internal returns (uint256 fee) {
        if (price == 0) return 0;
        fee = price * _feeConfig.feeBps / _BPS;
        Ledger memory ledger = _ledgers[asset];
        _ledgers[asset] = Ledger({owed: ledger.owed + uint128(price), fees: ledger.fees + uint128(fee)});
        uint256 raw = _creditsPlusOne[payee][asset];
        _creditsPlusOne[payee][asset] = (raw == 0 ? 1 : raw) + (price - fee);
    }

    /// @dev Takes exactly `amount` of `asset` from `payer`. ETH must be attached as exactly `amount`;
    /// for a token no ETH may be attached and the balance change must equal `amount`, which refuses
    /// fee-on-transfer tokens (SafeERC20 refuses tokens that return false).
    function _collect(address asset, address payer, uint256 amount) internal {
        if (asset == ETH) {
            if (msg.value != amount) revert CopyrightIncorrectPayment(amount, msg.value);
            return;
        }
        if (msg.value != 0) revert CopyrightIncorrectPayment(0, msg.value);
        if (amount == 0) return;
        IERC20 token = IERC20(asset);
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(payer, address(this), amount);
        uint256 received = token.balanceOf(address(this)) - before;
        if (received != amount) revert CopyrightTransferAmountMismatch(asset, amount, received);
    }

    function _withdraw(address account, address asset, address to) private returns (uint256 amount) {
        uint256 raw = _creditsPlusOne[account][asset];
        if (raw <= 1) revert CopyrightNothingToWithdraw(account, asset);
        amount = raw - 1;
        _creditsPlusOne[account][asset] = 1;
        _ledgers[asset].owed -= uint128(amount);
        emit Withdrawn(account, asset, to, amount);
        _send(asset, to, amount);
    }

    function _send(address asset, address to, uint256 amount) private {
        if (asset == ETH) {
            (bool ok,) = to.call{value: amount}("");
            if (!ok) revert CopyrightEthTransferFailed(to, amount);
        } else {
            IERC20(asset).safeTransfer(to, amount);
        }
    }

    function _balanceOf(address asset) private view returns (uint256) {
        return asset == ETH ? address(this).balance : IERC20(asset).balanceOf(address(this));
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc ICopyrightRegistry
    function creditOf(address account, address asset) external view returns (uint256) {
        uint256 raw = _creditsPlusOne[account][asset];
        return raw == 0 ? 0 : raw - 1;
    }

    /// @inheritdoc ICopyrightRegistry
    function accruedFees(address asset) external view returns (uint256) {
        return _ledgers[asset].fees;
    }

    /// @inheritdoc ICopyrightRegistry
    function liabilities(address asset) external view returns (uint256) {
        return _ledgers[asset].owed;
    }

    /// @inheritdoc ICopyrightRegistry
    function feeBps() external view returns (uint16) {
        return _feeConfig.feeBps;
    }

    /// @inheritdoc ICopyrightRegistry
    function treasury() external view returns (address) {
        return _feeConfig.treasury;
    }
}
