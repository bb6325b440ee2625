// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {IMarketplace} from "../../interfaces/IMarketplace.sol";

/// @title Test buyer contract that cannot receive ETH, to prove its refund is not stranded
contract EtherRejecter {
    IMarketplace public immutable market;

    constructor(IMarketplace market_) {
        market = market_;
    }

    function buy(uint64 listingId, uint32 quantity) external payable returns (uint256) {
        return market.buy{value: msg.value}(listingId, quantity);
    }

    function cancel(uint256 orderId) external {
        market.cancelOrder(orderId);
    }

    function withdraw() external returns (uint256) {
        return market.withdraw(address(0));
    }

    function withdrawTo(address to) external returns (uint256) {
        return market.withdrawTo(address(0), to);
    }
}
