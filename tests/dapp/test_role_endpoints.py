"""Seller-only and admin-only endpoints check the role on chain; works and licenses lists."""
import pytest

from scripts.signing import local_key
from tests.dapp.signin import csrf_headers, login

ETH = "0x" + "00" * 20


def test_seller_orders_lists_what_needs_the_seller_and_the_credits(app, client, market, seller, buyer, eth_listing):
    order = market.buy(eth_listing, 1, {"from": buyer, "value": market.getListing(eth_listing)["price"]}).return_value
    app.extensions["indexer"].sync()
    login(client, local_key(3))
    body = client.get("/api/seller/orders").get_json()
    assert [o["id"] for o in body["orders"]] == [str(order)]
    assert body["orders"][0]["state"] == "Paid"
    assert body["credits"][ETH] == "0"


def test_seller_orders_refuses_a_buyer(client, market):
    login(client, local_key(5))
    response = client.get("/api/seller/orders")
    assert response.status_code == 403 and "not an active seller" in response.get_json()["error"]


def test_seller_orders_needs_sign_in(client, market):
    assert client.get("/api/seller/orders").status_code == 401


def test_admin_rebuilds_the_index(app, client, market, eth_listing):
    headers = csrf_headers(client, local_key(0))
    response = client.post("/api/admin/index/rebuild", headers=headers)
    assert response.status_code == 200
    assert client.get(f"/api/listings/{eth_listing}").status_code == 200


def test_rebuild_refuses_a_non_admin_and_needs_csrf(client, market):
    headers = csrf_headers(client, local_key(5))
    assert client.post("/api/admin/index/rebuild", headers=headers).status_code == 403
    assert client.post("/api/admin/index/rebuild").status_code == 403


def test_works_lists_registered_works_newest_first(client, registry, work, creator):
    body = client.get(f"/api/works?creator={creator.address}").get_json()
    assert [int(item["id"]) for item in body["items"]] == [work] and body["total"] == 1


def test_licenses_lists_an_accounts_licenses_with_validity(client, registry, work, eth_offer, buyer, creator):
    registry.buyLicense(eth_offer, {"from": buyer, "value": registry.getOffer(eth_offer)["price"]})
    body = client.get(f"/api/licenses?account={buyer.address}").get_json()
    assert [(item["workId"], item["valid"]) for item in body["items"]] == [(work, True)]
    assert client.get(f"/api/licenses/verify?account={buyer.address}&work={work}").get_json()["valid"] is True
    registry.revokeWork(work, {"from": creator})
    assert client.get(f"/api/licenses?account={buyer.address}").get_json()["items"][0]["valid"] is False


@pytest.mark.parametrize("url", ["/api/licenses", "/api/licenses?account=nope", "/api/works?creator=0x1", "/api/works?page=0"])
def test_list_refusals_are_json_400(client, registry, url):
    response = client.get(url)
    assert response.status_code == 400 and response.get_json()["error"]
