"""Fixtures for signing off chain: EIP-2612 permits and ERC-2771 forward requests.

Signatures are made with ``eth_account`` directly, the way a wallet in the dApp makes them; the
chain's unlocked test accounts have no key in Brownie, so ``signing_key`` derives it from the
local chain's well-known mnemonic and checks it against the account's address.
"""
import pytest
from brownie import chain
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak

from tests.conftest import USD

# anvil's default test mnemonic: accounts[i] is m/44'/60'/0'/0/i
TEST_MNEMONIC = "test test test test test test test test test test test junk"
PERMIT_TYPES = {
    "Permit": [
        {"name": "owner", "type": "address"},
        {"name": "spender", "type": "address"},
        {"name": "value", "type": "uint256"},
        {"name": "nonce", "type": "uint256"},
        {"name": "deadline", "type": "uint256"},
    ]
}
FORWARD_REQUEST_TYPES = {
    "ForwardRequest": [
        {"name": "from", "type": "address"},
        {"name": "to", "type": "address"},
        {"name": "value", "type": "uint256"},
        {"name": "gas", "type": "uint256"},
        {"name": "nonce", "type": "uint256"},
        {"name": "deadline", "type": "uint48"},
        {"name": "data", "type": "bytes"},
    ]
}
REQUEST_GAS = 1_000_000
ONE_HOUR = 3600


# ---------------------------------------------------------------- keys


@pytest.fixture(scope="session")
def signing_key(accounts):
    """The private key of one of the chain's unlocked test accounts."""
    Account.enable_unaudited_hdwallet_features()

    def signing_key(account):
        for index in range(len(accounts)):
            key = Account.from_mnemonic(TEST_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")
            if key.address == account.address:
                return key
        raise LookupError(f"{account} is not derived from the test mnemonic")

    return signing_key


@pytest.fixture(scope="module")
def gasless_buyer(usd, admin):
    """A fresh key that never holds ETH: it only signs, with 1,000 USD to spend."""
    key = Account.from_key(keccak(text="chainmart gasless buyer"))
    usd.mint(key.address, 1_000 * USD, {"from": admin})
    return key


# ---------------------------------------------------------------- EIP-2612


@pytest.fixture(scope="session")
def sign_permit():
    """Sign `owner_key`'s EIP-2612 permit letting `spender` take `value` of `token`.

    Returns (v, r, s) as `permit` and `buyWithPermit` take them.
    """

    def sign_permit(token, owner_key, spender, value, deadline, nonce=None):
        domain = {
            "name": token.name(),
            "version": "1",
            "chainId": chain.id,
            "verifyingContract": token.address,
        }
        message = {
            "owner": owner_key.address,
            "spender": str(spender),
            "value": value,
            "nonce": token.nonces(owner_key.address) if nonce is None else nonce,
            "deadline": deadline,
        }
        signed = Account.sign_typed_data(owner_key.key, domain, PERMIT_TYPES, message)
        return signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big")

    return sign_permit


# ---------------------------------------------------------------- ERC-2771


def forward_request_message(forwarder, request, nonce):
    """The EIP-712 message `forwarder` checks `request` (a `ForwardRequestData` dict) against."""
    domain = {
        "name": "ChainMartForwarder",
        "version": "1",
        "chainId": chain.id,
        "verifyingContract": forwarder.address,
    }
    message = {key: request[key] for key in ("from", "to", "value", "gas", "deadline", "data")}
    message["nonce"] = nonce
    return domain, FORWARD_REQUEST_TYPES, message


@pytest.fixture(scope="session")
def sign_request():
    """Sign a `ForwardRequest` with `key` for `forwarder` and return it as a dict.

    `from_` defaults to the key's address; a different one makes a request the forwarder must
    refuse. `request_tuple` turns the dict into the `ForwardRequestData` that `execute` takes.
    """

    def sign_request(forwarder, key, to, data, *, from_=None, value=0, deadline=None, nonce=None):
        request = {
            "from": from_ or key.address,
            "to": str(to),
            "value": value,
            "gas": REQUEST_GAS,
            "deadline": chain.time() + ONE_HOUR if deadline is None else deadline,
            "data": bytes.fromhex(data[2:]) if isinstance(data, str) else bytes(data),
        }
        if nonce is None:
            nonce = forwarder.nonces(request["from"])
        signed = Account.sign_typed_data(key.key, *forward_request_message(forwarder, request, nonce))
        request["signature"] = signed.signature
        return request

    return sign_request


@pytest.fixture(scope="session")
def request_tuple():
    def request_tuple(request):
        fields = ("from", "to", "value", "gas", "deadline", "data", "signature")
        return tuple(request[field] for field in fields)

    return request_tuple


@pytest.fixture(scope="session")
def recover_request_signer():
    """The address `forwarder` recovers from `request`'s signature when the signer's nonce is `nonce`."""

    def recover_request_signer(forwarder, request, nonce):
        message = encode_typed_data(*forward_request_message(forwarder, request, nonce))
        return Account.recover_message(message, signature=request["signature"])

    return recover_request_signer
