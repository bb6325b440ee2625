"""POST /api/relay: a user with no ETH buys with a stablecoin; the relayer pays the gas.

Requests are signed with eth-account directly (any standard EIP-712 signer must work).
"""
import time

import pytest
from brownie import chain, web3
from eth_account import Account
from eth_account.messages import encode_typed_data

from scripts.signing import sign_forward_request, sign_permit

USD = 10**6
ETH = "0x" + "00" * 20


@pytest.fixture
def gasless_buyer(usd, admin):
    account = Account.create()
    usd.mint(account.address, 1_000 * USD, {"from": admin})
    return account


def forward_request(forwarder, signer, to, data, *, gas=300_000, deadline=None, nonce=None):
    request = {
        "from": signer.address,
        "to": str(to),
        "value": 0,
        "gas": gas,
        "nonce": forwarder.nonces(signer.address) if nonce is None else nonce,
        "deadline": deadline if deadline is not None else chain.time() + 3600,
        "data": data,
    }
    return sign_forward_request(signer.key, request, chain.id, forwarder.address)


def wait_for(client, job_id, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        body = client.get(f"/api/relay/{job_id}").get_json()
        if body["state"] in ("mined", "failed"):
            return body
        time.sleep(0.05)
    raise AssertionError(f"relay job {job_id} still {body['state']}")


def permit_buy_request(market, usd, forwarder, buyer, listing, quantity=1):
    total = 25 * USD * quantity
    deadline = chain.time() + 3600
    v, r, s = sign_permit(usd, buyer.key, market, total, deadline, chain.id)
    data = market.buyWithPermit.encode_input(listing, quantity, total, deadline, v, r, s)
    return forward_request(forwarder, buyer, market, data)


def test_gasless_permit_purchase_is_mined_with_the_signer_as_buyer(app, client, market, usd, forwarder, gasless_buyer, usd_listing):
    body = permit_buy_request(market, usd, forwarder, gasless_buyer, usd_listing)
    response = client.post("/api/relay", json=body)
    assert response.status_code == 202, response.get_json()
    result = wait_for(client, response.get_json()["id"])
    assert result["state"] == "mined"
    placed = [e for e in result["events"] if e["event"] == "OrderPlaced"]
    assert placed[0]["args"]["buyer"] == gasless_buyer.address
    assert usd.balanceOf(gasless_buyer.address) == 975 * USD
    mined = web3.eth.get_transaction(result["txHash"])
    assert mined["from"] == app.extensions["relayer"].address != gasless_buyer.address


def test_resubmitting_the_same_signed_request_returns_the_first_job(client, market, usd, forwarder, gasless_buyer, usd_listing):
    body = permit_buy_request(market, usd, forwarder, gasless_buyer, usd_listing)
    first = client.post("/api/relay", json=body)
    wait_for(client, first.get_json()["id"])
    second = client.post("/api/relay", json=body)
    assert second.status_code == 200
    assert second.get_json()["id"] == first.get_json()["id"]
    assert market.getListing(usd_listing)["orderCount"] == 1


def test_a_request_that_would_revert_is_refused_with_the_decoded_error(client, market, forwarder, gasless_buyer, eth_listing):
    data = market.cancelOrder.encode_input(market.orderIdFor(gasless_buyer.address, eth_listing, 1))
    response = client.post("/api/relay", json=forward_request(forwarder, gasless_buyer, market, data))
    assert response.status_code == 422
    assert response.get_json()["revert"]["error"] == "MarketplaceUnknownOrder"


def test_a_forged_signature_is_refused(client, market, forwarder, gasless_buyer, usd, usd_listing):
    body = permit_buy_request(market, usd, forwarder, gasless_buyer, usd_listing)
    body["request"]["from"] = Account.create().address
    response = client.post("/api/relay", json=body)
    assert response.status_code == 401
    assert "is not from" in response.get_json()["error"]


def test_an_expired_request_is_refused(client, market, forwarder, gasless_buyer):
    data = market.withdraw.encode_input("0x" + "00" * 20)
    body = forward_request(forwarder, gasless_buyer, market, data, deadline=chain[-1].timestamp - 1)
    response = client.post("/api/relay", json=body)
    assert response.status_code == 400
    assert "expired" in response.get_json()["error"]


def test_an_unknown_target_is_refused(client, usd, forwarder, gasless_buyer):
    data = usd.approve.encode_input(gasless_buyer.address, 1)
    response = client.post("/api/relay", json=forward_request(forwarder, gasless_buyer, usd, data))
    assert response.status_code == 403


def test_an_admin_function_is_not_relayed(client, market, forwarder, gasless_buyer):
    data = market.setFee.encode_input(0)
    response = client.post("/api/relay", json=forward_request(forwarder, gasless_buyer, market, data))
    assert response.status_code == 403
    assert "setFee is not relayed" in response.get_json()["error"]


@pytest.mark.parametrize("body", [None, [], {"request": 1}, {"request": {"from": "0x12"}, "signature": "0x"}])
def test_malformed_bodies_get_a_json_400(client, body):
    response = client.post("/api/relay", json=body) if body is not None else client.post("/api/relay", data="{")
    assert response.status_code == 400
    assert "error" in response.get_json()


def test_a_replayed_nonce_is_refused_as_a_conflict(client, market, forwarder, gasless_buyer, usd, usd_listing):
    first = client.post("/api/relay", json=permit_buy_request(market, usd, forwarder, gasless_buyer, usd_listing))
    wait_for(client, first.get_json()["id"])
    data = market.withdraw.encode_input(usd)
    stale = forward_request(forwarder, gasless_buyer, market, data, nonce=0)
    response = client.post("/api/relay", json=stale)
    assert response.status_code == 409
    assert "already used" in response.get_json()["error"]


def test_a_request_carrying_value_is_refused(client, market, forwarder, gasless_buyer):
    body = forward_request(forwarder, gasless_buyer, market, market.withdraw.encode_input(ETH))
    body["request"]["value"] = 1
    response = client.post("/api/relay", json=body)
    assert response.status_code == 400
    assert "exceeds the relay limit" in response.get_json()["error"]


def test_a_signer_over_its_rate_limit_gets_429(app, client, market, forwarder, gasless_buyer, usd, usd_listing):
    app.config["RELAY_RATE_LIMIT"] = 1
    first = client.post("/api/relay", json=permit_buy_request(market, usd, forwarder, gasless_buyer, usd_listing))
    assert first.status_code == 202
    wait_for(client, first.get_json()["id"])
    second = client.post("/api/relay", json=permit_buy_request(market, usd, forwarder, gasless_buyer, usd_listing))
    assert second.status_code == 429


def test_a_relayer_below_its_minimum_balance_refuses_with_503(app, client, market, forwarder, gasless_buyer, usd, usd_listing):
    app.config["RELAYER_MIN_BALANCE_WEI"] = 10**30
    response = client.post("/api/relay", json=permit_buy_request(market, usd, forwarder, gasless_buyer, usd_listing))
    assert response.status_code == 503
    assert "low on funds" in response.get_json()["error"]


def test_status_of_an_unknown_job_is_404(client):
    response = client.get("/api/relay/0x" + "ab" * 32)
    assert response.status_code == 404


def test_concurrent_signers_are_all_mined_once_with_gapless_relayer_nonces(app, market, usd, forwarder, usd_listing, admin):
    import threading

    buyers = [Account.create() for _ in range(8)]
    for b in buyers:
        usd.mint(b.address, 100 * USD, {"from": admin})
    bodies = [permit_buy_request(market, usd, forwarder, b, usd_listing) for b in buyers]
    responses = [None] * len(bodies)

    def post(i):
        responses[i] = app.test_client().post("/api/relay", json=bodies[i])

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(bodies))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.status_code for r in responses] == [202] * len(bodies)
    results = [wait_for(app.test_client(), r.get_json()["id"]) for r in responses]
    assert {r["state"] for r in results} == {"mined"}
    assert market.getListing(usd_listing)["orderCount"] == len(bodies)
    relayer = app.extensions["relayer"]
    nonces = sorted(web3_nonce(tx) for tx in [r["txHash"] for r in results])
    assert nonces == list(range(nonces[0], nonces[0] + len(bodies)))
    assert relayer.stats()["jobs"] == {"mined": len(bodies)}


def web3_nonce(tx_hash):
    return web3.eth.get_transaction(tx_hash)["nonce"]


def test_the_relayers_transaction_bytes_are_those_eth_account_signs():
    from dapp.relay import sign_legacy_transaction

    relayer = Account.create()
    fields = {"nonce": 7, "gasPrice": 1_500_000_000, "gas": 400_000, "value": 0, "data": b"\x12" * 300,
              "to": "0x5FbDB2315678afecb367f032d93F642f64180aa3", "chainId": 31337}
    expected = bytes(relayer.sign_transaction(fields).raw_transaction)
    assert sign_legacy_transaction(
        relayer, nonce=7, gas_price=1_500_000_000, gas=400_000, to=fields["to"], value=0, data=fields["data"], chain_id=31337
    ) == expected


def test_the_relays_digest_is_the_eip712_digest_wallets_sign():
    from eth_utils import keccak

    from dapp.relay import ForwardRequest, domain_separator

    forwarder = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
    request = ForwardRequest(sender=Account.create().address, to=forwarder, value=1, gas=300_000, nonce=4,
                             deadline=2**40, data=bytes.fromhex("deadbeef") * 20)
    signable = encode_typed_data(full_message=request.typed_data(31337, forwarder))
    assert request.digest(domain_separator(31337, forwarder)) == keccak(b"\x19" + signable.version + signable.header + signable.body)
