// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {IMarketplace} from "../../interfaces/IMarketplace.sol";

/// @title Test seller contract that tries to re-enter `withdraw` from its ETH receive hook
/// @notice It swallows the failed re-entry so the outer withdrawal can finish, and records it.
contract ReentrantSeller {
    IMarketplace public immutable market;
    uint256 public reentryAttempts;
    bool public reentrySucceeded;

    constructor(IMarketplace market_) {
        market = market_;
    }

    function list(uint256 price, uint32 stock) external returns (uint64) {
        return market.list(price, address(0), stock, 0, 0, "bafkreiattacker");
    }

    function ship(uint256 orderId) external {
        market.shipOrder(orderId, "TRACK");
    }

    function withdraw() external returns (uint256) {
        return market.withdraw(address(0));
    }

    receive() external payable {
        if (reentryAttempts < 3) {
            ++reentryAttempts;
            try market.withdraw(address(0)) {
                reentrySucceeded = true;
            } catch {}
        }
    }
}
