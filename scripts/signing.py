"""EIP-712 signatures the platform's users make: ERC-2612 permits and ERC-2771 forward requests.

Keys are eth-account keys; on a local chain `local_key(i)` gives the i-th well-known test key.
"""
from eth_account import Account
from eth_account.messages import encode_typed_data

from scripts.local_accounts import LOCAL_MNEMONIC

Account.enable_unaudited_hdwallet_features()


def local_key(index):
    """The i-th well-known test key of the local chain (public: never use on a real network)."""
    return Account.from_mnemonic(LOCAL_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}").key


def sign_permit(token, owner_key, spender, value, deadline, chain_id):
    """(v, r, s) of an EIP-2612 permit for `token` (a contract with name(), nonces())."""
    owner = Account.from_key(owner_key).address
    typed = {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "Permit": [
                {"name": "owner", "type": "address"},
                {"name": "spender", "type": "address"},
                {"name": "value", "type": "uint256"},
                {"name": "nonce", "type": "uint256"},
                {"name": "deadline", "type": "uint256"},
            ],
        },
        "primaryType": "Permit",
        "domain": {
            "name": token.name(),
            "version": "1",
            "chainId": chain_id,
            "verifyingContract": str(token.address),
        },
        "message": {
            "owner": owner,
            "spender": str(spender),
            "value": int(value),
            "nonce": int(token.nonces(owner)),
            "deadline": int(deadline),
        },
    }
    signed = Account.sign_message(encode_typed_data(full_message=typed), owner_key)
    return signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big")
