"""The EIP-712 typed data ChainMart's users sign, defined once for the relay, the scripts and the tests:
ERC-2771 forward requests checked by the ChainMartForwarder (OpenZeppelin's ERC2771Forwarder) and
ERC-2612 permits of the payment tokens (OpenZeppelin's ERC20Permit, domain version "1").

Each `*_typed_data` function returns the full message `eth_signTypedData_v4` (and
`eth_account.messages.encode_typed_data(full_message=...)`) takes.
"""
EIP712_DOMAIN = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]
FORWARDER_DOMAIN = {"name": "ChainMartForwarder", "version": "1"}
FORWARD_REQUEST = [
    {"name": "from", "type": "address"},
    {"name": "to", "type": "address"},
    {"name": "value", "type": "uint256"},
    {"name": "gas", "type": "uint256"},
    {"name": "nonce", "type": "uint256"},
    {"name": "deadline", "type": "uint48"},
    {"name": "data", "type": "bytes"},
]
PERMIT = [
    {"name": "owner", "type": "address"},
    {"name": "spender", "type": "address"},
    {"name": "value", "type": "uint256"},
    {"name": "nonce", "type": "uint256"},
    {"name": "deadline", "type": "uint256"},
]


def forward_request_typed_data(chain_id: int, forwarder, message: dict) -> dict:
    """A ForwardRequest (`message`: from, to, value, gas, nonce, deadline, data) for `forwarder`."""
    return {
        "types": {"EIP712Domain": EIP712_DOMAIN, "ForwardRequest": FORWARD_REQUEST},
        "primaryType": "ForwardRequest",
        "domain": {**FORWARDER_DOMAIN, "chainId": chain_id, "verifyingContract": str(forwarder)},
        "message": message,
    }


def permit_typed_data(chain_id: int, token_name: str, token, message: dict) -> dict:
    """An EIP-2612 Permit (`message`: owner, spender, value, nonce, deadline) of `token`."""
    return {
        "types": {"EIP712Domain": EIP712_DOMAIN, "Permit": PERMIT},
        "primaryType": "Permit",
        "domain": {"name": token_name, "version": "1", "chainId": chain_id, "verifyingContract": str(token)},
        "message": message,
    }
