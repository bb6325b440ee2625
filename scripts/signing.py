"""EIP-712 signatures the platform's users make: ERC-2612 permits and ERC-2771 forward requests.

Keys are eth-account keys; on a local chain `local_key(i)` gives the i-th well-known test key.
`permit_signature` and `sign_forward_request` need no node: callers pass the nonces, so a
benchmark can sign a user's whole sequence ahead of time.
"""
from eth_account import Account
from eth_account.messages import encode_typed_data

from chainmart.eip712 import forward_request_typed_data, permit_typed_data
from scripts.local_accounts import LOCAL_MNEMONIC

Account.enable_unaudited_hdwallet_features()


def local_key(index):
    """The i-th well-known test key of the local chain (public: never use on a real network)."""
    return Account.from_mnemonic(LOCAL_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}").key


def sign_permit(token, owner_key, spender, value, deadline, chain_id):
    """(v, r, s) of an EIP-2612 permit for `token` (a contract with name(), nonces())."""
    owner = Account.from_key(owner_key).address
    return permit_signature(
        owner_key, token.name(), str(token.address), spender, value, int(token.nonces(owner)), deadline, chain_id
    )


def permit_signature(owner_key, token_name, token_address, spender, value, nonce, deadline, chain_id):
    """(v, r, s) of an EIP-2612 permit (domain version "1", as OpenZeppelin's ERC20Permit)."""
    typed = permit_typed_data(chain_id, token_name, token_address, {
        "owner": Account.from_key(owner_key).address,
        "spender": str(spender),
        "value": int(value),
        "nonce": int(nonce),
        "deadline": int(deadline),
    })
    signed = Account.sign_message(encode_typed_data(full_message=typed), owner_key)
    return signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big")


def sign_forward_request(signer_key, request, chain_id, forwarder):
    """The body POST /api/relay takes: `request` (from, to, value, gas, nonce, deadline and data
    as 0x-hex) signed as the ChainMartForwarder's EIP-712 ForwardRequest."""
    message = {**request, "data": bytes.fromhex(request["data"].removeprefix("0x"))}
    typed = forward_request_typed_data(chain_id, forwarder, message)
    signed = Account.sign_message(encode_typed_data(full_message=typed), signer_key)
    return {"request": request, "signature": "0x" + bytes(signed.signature).hex()}
