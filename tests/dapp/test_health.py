"""GET /api/health and the JSON error contract of the API."""
import pytest


def test_health_reports_chain_contracts_and_fee(client, market, forwarder):
    body = client.get("/api/health").get_json()
    assert body["contracts"]["Marketplace"] == market.address
    assert body["contracts"]["ChainMartForwarder"] == forwarder.address
    assert body["feeBps"] == market.feeBps()


@pytest.mark.parametrize("method,path,status", [("get", "/api/nope", 404), ("delete", "/api/health", 405), ("post", "/api/health", 405)])
def test_routing_errors_under_api_are_json(client, method, path, status):
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert response.get_json()["status"] == status


def test_a_method_not_allowed_under_api_names_the_allowed_ones(client):
    response = client.delete("/api/health")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_a_node_that_is_down_gives_a_clear_503(deployments_file, tmp_path):
    from dapp import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "t", "CHAINMART_RPC_URL": "http://127.0.0.1:9",
                      "CHAINMART_DEPLOYMENTS": str(deployments_file), "CHAINMART_RPC_TIMEOUT": 2})
    response = app.test_client().get("/api/health")
    assert response.status_code == 503
    assert "does not answer" in response.get_json()["error"]


def test_a_chain_without_deployment_gives_a_clear_503(market, tmp_path):
    from brownie import web3

    from dapp import create_app

    empty = tmp_path / "deployments.json"
    empty.write_text("{}")
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "CHAINMART_RPC_URL": web3.provider.endpoint_uri,
                      "CHAINMART_DEPLOYMENTS": str(empty)})
    response = app.test_client().get("/api/health")
    assert response.status_code == 503
    assert "not deployed" in response.get_json()["error"]


def test_a_wrong_expected_chain_id_gives_a_clear_503(deployments_file):
    from brownie import web3

    from dapp import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "t", "CHAINMART_RPC_URL": web3.provider.endpoint_uri,
                      "CHAINMART_DEPLOYMENTS": str(deployments_file), "CHAINMART_CHAIN_ID": 1})
    response = app.test_client().get("/api/health")
    assert response.status_code == 503
    assert "configured for chain 1" in response.get_json()["error"]


def test_home_page_names_the_chain_and_contracts(client, market):
    page = client.get("/")
    assert page.status_code == 200
    assert market.address in page.get_data(as_text=True)


def test_home_page_says_when_the_node_is_down(deployments_file):
    from dapp import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "t", "CHAINMART_RPC_URL": "http://127.0.0.1:9",
                      "CHAINMART_DEPLOYMENTS": str(deployments_file), "CHAINMART_RPC_TIMEOUT": 2})
    page = app.test_client().get("/")
    assert page.status_code == 200
    assert "does not answer" in page.get_data(as_text=True)
