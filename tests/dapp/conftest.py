"""The dApp against the test chain Brownie runs (its deployments file is `deployments_file` in
tests/conftest.py), a fresh app per test.

Each test gets its own app (and relayer) because fn_isolation rewinds the chain between tests,
which a long-lived relayer's cached nonce would not survive.
"""
import pytest
from brownie import web3

from dapp import create_app


@pytest.fixture
def app(deployments_file, tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "CHAINMART_RPC_URL": web3.provider.endpoint_uri,
            "CHAINMART_DEPLOYMENTS": str(deployments_file),
            "IPFS_STORE_PATH": str(tmp_path / "ipfs"),
            "INDEX_DATABASE": str(tmp_path / "index.sqlite3"),
        }
    )
    yield app
    relayer = app.extensions.get("relayer")
    if relayer:
        relayer.stop()


@pytest.fixture
def client(app):
    return app.test_client()
