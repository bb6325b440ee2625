"""GET /api/works, /api/works/<id>, /api/licenses/verify and /api/provenance/<id>, read from the chain."""
from brownie import chain

ETH = "0x" + "00" * 20
SHIPPING = 4


def test_works_list_by_holder_and_a_work_shows_its_offers(client, registry, work, eth_offer, creator, buyer):
    works = client.get(f"/api/works?holder={creator.address}").get_json()
    assert [(w["id"], w["title"]) for w in works["items"]] == [(work, "Sunrise")]
    assert client.get(f"/api/works?holder={buyer.address}").get_json()["total"] == 0
    body = client.get(f"/api/works/{work}").get_json()
    assert body["rightsHolder"] == creator.address and body["revoked"] is False
    assert [(o["id"], o["asset"], o["termsCid"]) for o in body["offers"]] == [(eth_offer, ETH, "bafkreilicenseterms")]


def test_an_unknown_work_is_a_json_404(client, registry):
    response = client.get("/api/works/99")
    assert response.status_code == 404
    assert response.get_json()["status"] == 404


def test_license_verification_says_valid_then_why_not_after_revocation(client, registry, work, eth_offer, creator, buyer):
    url = f"/api/licenses/verify?work={work}&account={buyer.address}"
    assert client.get(url).get_json()["reason"] == "the account holds no license for this work"
    registry.buyLicense(eth_offer, {"from": buyer, "value": 10**17})
    body = client.get(url).get_json()
    assert body["valid"] is True
    registry.revokeWork(work, {"from": creator})
    body = client.get(url).get_json()
    assert (body["valid"], body["work"]["revoked"]) == (False, True)
    assert "revoked" in body["reason"]


def test_license_verification_needs_work_and_account(client, registry):
    assert client.get("/api/licenses/verify?work=1").status_code == 400


def test_provenance_reports_the_trail_and_a_verified_hash_chain(client, provenance, product, producer):
    provenance.appendEvent(product, SHIPPING, "geo:1,2", "", {"from": producer})
    body = client.get(f"/api/provenance/{product}").get_json()
    assert body["verification"]["ok"] is True
    assert [e["step"] for e in body["trail"]] == ["Commissioning", "Shipping"]
    assert body["holder"] == producer.address and body["recalled"] is False
    assert body["verification"]["headOnChain"] == body["trail"][-1]["head"]


def test_an_unminted_provenance_token_is_a_404(client, provenance):
    assert client.get("/api/provenance/5").status_code == 404


def test_a_creator_registers_a_work_gaslessly_through_the_relay(client, registry, forwarder):
    from eth_account import Account

    from tests.dapp.test_relay import forward_request, wait_for

    creator = Account.create()
    content_hash = "0x" + "ab" * 32
    data = registry.registerWork.encode_input(content_hash, "bafkreicontent", "Relayed", "bafkreimeta", 0)
    response = client.post("/api/relay", json=forward_request(forwarder, creator, registry, data))
    assert response.status_code == 202
    assert wait_for(client, response.get_json()["id"])["state"] == "mined"
    work_id = registry.workIdOf(content_hash)
    assert registry.getWork(work_id)["creator"] == creator.address
