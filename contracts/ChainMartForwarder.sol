// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {ERC2771Forwarder} from "@openzeppelin/contracts/metatx/ERC2771Forwarder.sol";

/// @title The ERC-2771 forwarder every ChainMart contract trusts
/// @notice OpenZeppelin's forwarder unchanged: EIP-712 `ForwardRequest`s with per-signer nonces and
/// a deadline, checked by `verify` and run by `execute`/`executeBatch`. The EIP-712 domain name is
/// "ChainMartForwarder", version "1".
contract ChainMartForwarder is ERC2771Forwarder {
    constructor() ERC2771Forwarder("ChainMartForwarder") {}
}
