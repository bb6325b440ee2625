"""Fixtures for signing off chain: local test keys, a gasless buyer and ERC-2771 forward requests.

Signatures are made with ``eth_account`` directly, the way a wallet in the dApp makes them. The
chain's unlocked test accounts have no key in Brownie, so ``signing_key`` derives it from the local
chain's public mnemonic (``scripts.signing.local_key``) and checks it against the address.
EIP-2612 permits are signed with ``scripts.signing.sign_permit``.
"""

import pytest
from brownie import chain
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak

from chainmart.eip712 import FORWARD_REQUEST, FORWARDER_DOMAIN
from scripts.signing import local_key
from tests.conftest import USD

FORWARD_REQUEST_TYPES = {"ForwardRequest": FORWARD_REQUEST}
REQUEST_FIELDS = ("from", "to", "value", "gas", "deadline", "data", "signature")  # ForwardRequestData
REQUEST_GAS = 1_000_000
ONE_HOUR = 3600


# ---------------------------------------------------------------- keys


@pytest.fixture(scope="session")
def signing_key(accounts):
    """The eth_account key of one of the chain's unlocked test accounts."""

    def signing_key(account):
        key = Account.from_key(local_key(list(accounts).index(account)))
        if key.address != account.address:
            raise LookupError(f"{account} is not derived from the local test mnemonic")
        return key

    return signing_key


@pytest.fixture(scope="module")
def gasless_buyer(usd, admin):
    """A fresh key that never holds ETH: it only signs, with 1,000 USD to spend."""
    key = Account.from_key(keccak(text="chainmart gasless buyer"))
    usd.mint(key.address, 1_000 * USD, {"from": admin})
    return key


# ---------------------------------------------------------------- ERC-2771


def forward_request_message(forwarder, request, nonce):
    """The EIP-712 (domain, types, message) `forwarder` checks `request` against at `nonce`."""
    domain = {**FORWARDER_DOMAIN, "chainId": chain.id, "verifyingContract": forwarder.address}
    message = {field: request[field] for field in REQUEST_FIELDS if field != "signature"}
    message["nonce"] = nonce
    return domain, FORWARD_REQUEST_TYPES, message


@pytest.fixture(scope="session")
def sign_request():
    """Sign a `ForwardRequest` with `key` for `forwarder` and return it as a dict.

    `data` is the calldata, as hex (what `encode_input` gives) or bytes.
    `from_` defaults to the key's address (another one makes a request the forwarder refuses);
    the nonce defaults to the forwarder's current nonce for `from_`.
    """

    def sign_request(forwarder, key, to, data, *, from_=None, value=0, deadline=None, nonce=None):
        request = {
            "from": from_ or key.address,
            "to": str(to),
            "value": value,
            "gas": REQUEST_GAS,
            "deadline": chain[-1].timestamp + ONE_HOUR if deadline is None else deadline,
            "data": bytes.fromhex(data.removeprefix("0x")) if isinstance(data, str) else bytes(data),
        }
        if nonce is None:
            nonce = forwarder.nonces(request["from"])
        signed = Account.sign_typed_data(key.key, *forward_request_message(forwarder, request, nonce))
        request["signature"] = bytes(signed.signature)
        return request

    return sign_request


@pytest.fixture(scope="session")
def request_tuple():
    """A signed request dict as the `ForwardRequestData` tuple `execute` and `verify` take."""

    def request_tuple(request):
        return tuple(request[field] for field in REQUEST_FIELDS)

    return request_tuple


@pytest.fixture(scope="session")
def recover_request_signer():
    """The address `forwarder` recovers from `request`'s signature when the signer's nonce is `nonce`."""

    def recover_request_signer(forwarder, request, nonce):
        message = encode_typed_data(*forward_request_message(forwarder, request, nonce))
        return Account.recover_message(message, signature=request["signature"])

    return recover_request_signer
