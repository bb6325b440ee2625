"""Signing in to the dApp in tests: an EIP-4361 message signed with eth-account (personal_sign)."""
from datetime import datetime, timedelta, timezone

from brownie import chain
from eth_account import Account
from eth_account.messages import encode_defunct

from dapp.siwe import build_message

DOMAIN = "localhost"


def signed_login(client, key, *, domain=DOMAIN, chain_id=None, nonce=None, expires_in=600, issued_at=None):
    nonce = nonce or client.get("/api/auth/nonce").get_json()["nonce"]
    now = datetime.now(timezone.utc)
    message = build_message(
        domain=domain,
        address=Account.from_key(key).address,
        uri=f"http://{DOMAIN}",
        chain_id=chain.id if chain_id is None else chain_id,
        nonce=nonce,
        issued_at=issued_at or now,
        expiration_time=now + timedelta(seconds=expires_in),
        statement="Sign in to ChainMart.",
    )
    signature = Account.sign_message(encode_defunct(text=message), key).signature
    return {"message": message, "signature": "0x" + bytes(signature).hex()}


def login(client, key, **kwargs):
    return client.post("/api/auth/login", json=signed_login(client, key, **kwargs))


def csrf_headers(client, key):
    """Sign in `key` on `client`; the headers a state-changing request then needs."""
    return {"X-CSRF-Token": login(client, key).get_json()["csrfToken"]}
