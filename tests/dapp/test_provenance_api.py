"""Provenance trails with their verification, works with offers, and license checks, over the API."""
import pytest
from brownie import chain

from chainmart.provenance import Step
from tests.conftest import CONTENT_HASH, ETH, FACTORY, PASSPORT_CID, BATCH_REF


@pytest.fixture
def traced_token(provenance, producer):
    token = provenance.mint(PASSPORT_CID, BATCH_REF, FACTORY, {"from": producer}).return_value
    provenance.appendEvent(token, Step.SHIPPING, FACTORY, "bafkreishipped", {"from": producer})
    return token


def test_a_trail_is_served_with_a_passing_verification(client, provenance, traced_token, producer):
    body = client.get(f"/api/provenance/{traced_token}").get_json()
    assert body["verification"]["ok"] is True
    assert body["verification"]["headOnChain"] == "0x" + bytes(provenance.trailOf(traced_token)[0]).hex()
    assert [event["step"] for event in body["trail"]] == ["commissioning", "shipping"]
    assert body["owner"] == producer and body["origin"]["passportCid"] == PASSPORT_CID
    assert body["recalled"] is False


def test_a_recall_shows_in_the_trail_and_the_flag(client, provenance, traced_token, producer):
    provenance.recall(traced_token, "bafkreirecall", {"from": producer})
    body = client.get(f"/api/provenance/{traced_token}").get_json()
    assert body["recalled"] is True and body["trail"][-1]["step"] == "recalled"
    assert body["verification"]["ok"] is True


@pytest.mark.parametrize("token_id,status", [("999", 404), ("abc", 400), ("0", 400)])
def test_unknown_or_malformed_tokens_get_json_errors(client, provenance, token_id, status):
    response = client.get(f"/api/provenance/{token_id}")
    assert response.status_code == status and response.get_json()["status"] == status


def test_a_work_is_served_with_its_offers(client, registry, work, eth_offer, creator):
    body = client.get(f"/api/works/{work}").get_json()
    assert body["creator"] == creator and body["contentHash"] == CONTENT_HASH
    assert [offer["offerId"] for offer in body["offers"]] == [eth_offer]
    assert body["revoked"] is False


def test_license_check_follows_purchase_expiry_and_revocation(client, registry, work, eth_offer, creator, buyer):
    url = f"/api/licenses/check?account={buyer.address}&work={work}"
    assert client.get(url).get_json()["valid"] is False
    registry.buyLicense(eth_offer, {"from": buyer, "value": registry.getOffer(eth_offer)["price"]})
    assert client.get(url).get_json()["valid"] is True
    registry.revokeWork(work, {"from": creator})
    assert client.get(url).get_json()["valid"] is False


def test_license_check_is_false_after_expiry(client, registry, work, eth_offer, buyer):
    registry.buyLicense(eth_offer, {"from": buyer, "value": registry.getOffer(eth_offer)["price"]})
    chain.sleep(registry.getOffer(eth_offer)["duration"] + 1)
    chain.mine()
    assert client.get(f"/api/licenses/check?account={buyer.address}&work={work}").get_json()["valid"] is False


@pytest.mark.parametrize("query,status", [("account=0x12&work=1", 400), ("work=1", 400), ("account=0x0000000000000000000000000000000000000001&work=77", 404)])
def test_license_check_refusals_are_json(client, registry, query, status):
    response = client.get(f"/api/licenses/check?{query}")
    assert response.status_code == status
