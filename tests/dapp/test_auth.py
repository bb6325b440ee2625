"""Sign-In with Ethereum: nonce, login, session, CSRF, and on-chain role checks."""
from datetime import datetime, timedelta, timezone

import pytest
from brownie import chain
from eth_account import Account
from eth_account.messages import encode_defunct

from scripts.signing import local_key
from tests.dapp.signin import DOMAIN, login, signed_login

@pytest.fixture
def buyer_key():
    return local_key(5)


def test_nonce_is_fresh_each_time_and_names_domain_and_chain(client):
    first, second = client.get("/api/auth/nonce").get_json(), client.get("/api/auth/nonce").get_json()
    assert first["nonce"] != second["nonce"]
    assert first["domain"] == DOMAIN and first["chainId"] == chain.id


def test_login_starts_a_session_with_roles_from_chain(client, market, buyer_key, buyer):
    response = login(client, buyer_key)
    assert response.status_code == 200
    body = response.get_json()
    assert body["address"] == buyer.address
    assert body["roles"] == {"seller": False, "admin": False, "arbiter": False}
    assert client.get("/api/auth/me").get_json()["address"] == buyer.address


def test_session_cookie_is_http_only_and_same_site(client, buyer_key, market):
    response = login(client, buyer_key)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_seller_sees_its_seller_role(client, market, seller):
    assert login(client, local_key(3)).get_json()["roles"]["seller"] is True


def test_a_nonce_cannot_be_used_twice(client, market, buyer_key):
    body = signed_login(client, buyer_key)
    assert client.post("/api/auth/login", json=body).status_code == 200
    replay = client.post("/api/auth/login", json=body)
    assert replay.status_code == 401
    assert "nonce" in replay.get_json()["error"]


def test_a_nonce_the_server_never_issued_is_refused(client, market, buyer_key):
    response = login(client, buyer_key, nonce="madeUpNonce123")
    assert response.status_code == 401


def test_a_message_for_another_domain_is_refused(client, market, buyer_key):
    response = login(client, buyer_key, domain="evil.example")
    assert response.status_code == 401
    assert "phishing" in response.get_json()["error"]


def test_a_message_for_another_chain_is_refused(client, market, buyer_key):
    assert login(client, buyer_key, chain_id=1).status_code == 401


def test_an_expired_message_is_refused(client, market, buyer_key):
    response = login(client, buyer_key, expires_in=-5)
    assert response.status_code == 401
    assert "expired" in response.get_json()["error"]


def test_a_message_issued_in_the_future_is_refused(client, market, buyer_key):
    response = login(client, buyer_key, issued_at=datetime.now(timezone.utc) + timedelta(hours=1))
    assert response.status_code == 401


def test_a_signature_by_someone_else_is_refused(client, market, buyer_key):
    body = signed_login(client, buyer_key)
    other = Account.create()
    body["signature"] = "0x" + bytes(Account.sign_message(encode_defunct(text=body["message"]), other.key).signature).hex()
    response = client.post("/api/auth/login", json=body)
    assert response.status_code == 401
    assert other.address in response.get_json()["error"]


@pytest.mark.parametrize(
    "body",
    [None, {"message": 5, "signature": "0x00"}, {"message": "hello", "signature": "0x00"}, {"message": "x wants you to sign in with your Ethereum account:\n0xnotanaddress\n\nURI: a\nVersion: 1\nChain ID: 1\nNonce: abcdefgh1\nIssued At: 2026-01-01T00:00:00Z", "signature": "0x"}],
)
def test_malformed_logins_get_a_json_400(client, market, body):
    response = client.post("/api/auth/login", json=body) if body is not None else client.post("/api/auth/login", data="x")
    assert response.status_code == 400
    assert response.get_json()["error"]


def test_me_without_a_session_is_401(client):
    assert client.get("/api/auth/me").status_code == 401


def test_logout_needs_the_csrf_token(client, market, buyer_key):
    csrf = login(client, buyer_key).get_json()["csrfToken"]
    assert client.post("/api/auth/logout").status_code == 403
    assert client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 200
    assert client.get("/api/auth/me").status_code == 401


def test_admin_endpoint_refuses_a_signed_in_non_admin(client, market, buyer_key):
    login(client, buyer_key)
    response = client.get("/api/admin/relayer")
    assert response.status_code == 403
    assert "not an active admin" in response.get_json()["error"]


def test_admin_endpoint_shows_the_relayer_to_the_admin(client, market, admin):
    login(client, local_key(0))
    body = client.get("/api/admin/relayer").get_json()
    assert body["relayer"] == Account.from_key(local_key(7)).address
    assert int(body["balanceWei"]) > 0


def test_a_suspended_seller_loses_seller_access_at_once(client, market, seller, admin):
    login(client, local_key(3))
    market.suspendSeller(seller, {"from": admin})
    assert client.get("/api/auth/me").get_json()["roles"]["seller"] is False
