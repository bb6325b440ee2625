"""GET /api/works, /api/works/<id>, /api/licenses, /api/licenses/verify and /api/provenance/<id> (read from the chain),
and /api/provenance (from the event index)."""
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


def test_licenses_of_an_account_name_the_work_and_the_uses_recorded(client, registry, work, eth_offer, buyer):
    registry.buyLicense(eth_offer, {"from": buyer, "value": 10**17})
    registry.recordUse(work, "print run", "bafkreiusagereport", {"from": buyer})
    items = client.get(f"/api/licenses?account={buyer.address}").get_json()["items"]
    assert [(i["workId"], i["title"], i["valid"], i["revoked"]) for i in items] == [(work, "Sunrise", True, False)]
    assert [(u["kind"], u["usageCid"]) for u in items[0]["uses"]] == [("print run", "bafkreiusagereport")]


def test_provenance_tokens_are_listed_by_holder_and_producer_with_the_listing_holding_them(
    app, client, market, provenance, product, producer, buyer
):
    traced = provenance.mint("bafkreipassport2", "SN-2", "geo:1,2", {"from": producer}).return_value
    given = provenance.mint("bafkreipassport3", "SN-3", "geo:1,2", {"from": producer}).return_value
    listing = market.listTraced(10**17, ETH, [traced], 0, 0, "bafkreitraced", {"from": producer}).return_value
    provenance.transferFrom(producer, buyer, given, {"from": producer})
    app.extensions["indexer"].sync()

    held = client.get(f"/api/provenance?holder={producer.address}").get_json()
    assert [(t["tokenId"], t["listingId"]) for t in held["items"]] == [(str(traced), listing), (str(product), None)]
    assert held["items"][1]["batchRef"] == "LOT-2026-0042" and held["items"][1]["lastStep"] == "Commissioning"
    assert [t["tokenId"] for t in client.get(f"/api/provenance?holder={buyer.address}").get_json()["items"]] == [
        str(given)]
    made = client.get(f"/api/provenance?producer={producer.address}&per_page=2").get_json()
    assert (made["total"], made["pages"], [t["tokenId"] for t in made["items"]]) == (3, 2, [str(given), str(traced)])
    elsewhere = client.get(f"/api/provenance?producer={producer.address}&not_holder={producer.address}").get_json()
    assert (elsewhere["total"], [t["tokenId"] for t in elsewhere["items"]]) == (1, [str(given)])
    assert client.get("/api/provenance?holder=0x123").status_code == 400


def test_a_token_names_the_accounts_authorised_to_append_while_they_may(client, provenance, product, producer, courier):
    provenance.setAppender(product, courier, True, {"from": producer})
    body = client.get(f"/api/provenance/{product}").get_json()
    assert [(a["account"], a["grantedBy"]) for a in body["appenders"]] == [(courier.address, producer.address)]
    provenance.setAppender(product, courier, False, {"from": producer})
    assert client.get(f"/api/provenance/{product}").get_json()["appenders"] == []


def test_a_seller_lists_provenance_tokens_gaslessly_through_the_relay(client, market, provenance, producer, forwarder):
    from eth_account import Account

    from scripts.signing import local_key
    from tests.dapp.test_relay import forward_request, wait_for

    token = provenance.mint("bafkreipassport", "SN-1", "geo:1,2", {"from": producer}).return_value
    signer = Account.from_key(local_key(3))
    assert signer.address == producer.address
    data = market.listTraced.encode_input(10**17, ETH, [token], 0, 0, "bafkreitraced")
    response = client.post("/api/relay", json=forward_request(forwarder, signer, market, data))
    assert response.status_code == 202, response.get_json()
    assert wait_for(client, response.get_json()["id"])["state"] == "mined"
    listing = market.listingCount()
    assert list(market.listingTokens(listing)) == [token] and market.getListing(listing)["seller"] == producer.address
