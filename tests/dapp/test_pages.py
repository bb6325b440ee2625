"""The page shells and what they need from the API: /api/config, /api/abi/<name>, orders by state."""
import pytest

PAGES = ["/", "/listings/1", "/orders", "/account", "/sell", "/trace", "/admin", "/works", "/works/1",
         "/licenses/verify", "/provenance/1"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_load_their_module_under_a_strict_content_security_policy(client, market, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<script type="module" src="/static/js/pages/' in html
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "connect-src 'self'" in policy and "unsafe-inline" not in policy


def test_config_names_the_chain_contracts_and_relayed_functions(client, market, forwarder):
    body = client.get("/api/config").get_json()
    from brownie import chain

    assert body["chainId"] == chain.id
    assert body["contracts"]["Marketplace"] == market.address
    assert body["forwarder"] == {"name": "ChainMartForwarder", "version": "1", "address": forwarder.address}
    assert "buyWithPermit" in body["relay"]["functions"]["Marketplace"]
    assert body["assets"][0] == {"address": "0x" + "00" * 20, "symbol": "ETH", "name": "Ether", "decimals": 18,
                                 "permit": None}


def test_config_lists_allowed_stablecoins_with_decimals_and_permit_domain(client, usd):
    assets = client.get("/api/config").get_json()["assets"]
    coin = next(a for a in assets if a["address"] == usd.address)
    assert (coin["symbol"], coin["decimals"], coin["permit"]) == ("tUSD", 6, {"name": "Test USD", "version": "1"})


def test_abi_of_a_deployed_contract_includes_its_custom_errors(client, market):
    abi = client.get("/api/abi/Marketplace").get_json()
    assert any(item["type"] == "error" and item["name"] == "MarketplaceInsufficientStock" for item in abi)


def test_abi_of_an_unknown_contract_is_a_json_404(client, market):
    response = client.get("/api/abi/TestStablecoin")
    assert response.status_code == 404
    assert "No deployed contract" in response.get_json()["error"]


def test_orders_can_be_listed_by_state_alone(app, client, market, usd, usd_listing, buyer, seller):
    usd.approve(market, 25 * 10**6, {"from": buyer})
    order = market.buyWithToken(usd_listing, 1, 25 * 10**6, {"from": buyer}).return_value
    app.extensions["indexer"].sync()
    body = client.get("/api/orders?state=Paid").get_json()
    assert [item["id"] for item in body["items"]] == [str(order)]
    assert client.get("/api/orders?state=Disputed").get_json()["total"] == 0


def test_sellers_are_listed_by_status(app, client, market, admin, seller, other_seller, stranger):
    market.applyAsSeller("bafkreiprofile", {"from": stranger})
    market.suspendSeller(other_seller, {"from": admin})
    app.extensions["indexer"].sync()
    applied = client.get("/api/sellers?status=Applied").get_json()["items"]
    assert [(s["address"], s["profileCid"]) for s in applied] == [(stranger.address, "bafkreiprofile")]
    assert [s["address"] for s in client.get("/api/sellers?status=Suspended").get_json()["items"]] == [other_seller.address]
    assert client.get("/api/sellers").get_json()["total"] == 3
    assert client.get("/api/sellers?status=Gone").status_code == 400


def test_config_shows_an_asset_the_admin_allows_or_disallows_at_once(client, market, usd, admin):
    symbols = lambda: [a["symbol"] for a in client.get("/api/config").get_json()["assets"]]  # noqa: E731
    assert symbols() == ["ETH", "tUSD"]
    market.setAssetAllowed(usd, False, {"from": admin})
    assert symbols() == ["ETH"]
    market.setAssetAllowed(usd, True, {"from": admin})
    assert symbols() == ["ETH", "tUSD"]
