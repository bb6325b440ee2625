"""Shared fixtures: named accounts, the deployed platform, and listings ready to buy.

Every test starts from the same chain snapshot (``fn_isolation``); deploys are module-scoped.
"""
import pytest

from scripts.deployment import deploy_platform

ETH = "0x0000000000000000000000000000000000000000"
FEE_BPS = 250
USD = 10**6  # the test USD coin has 6 decimals
ETH_PRICE = 10**17
USD_PRICE = 25 * USD


@pytest.fixture(autouse=True)
def isolation(fn_isolation):
    pass


# ---------------------------------------------------------------- accounts


@pytest.fixture(scope="module")
def admin(accounts):
    return accounts[0]


@pytest.fixture(scope="module")
def treasury(accounts):
    return accounts[1]


@pytest.fixture(scope="module")
def arbiter(accounts):
    return accounts[2]


@pytest.fixture(scope="module")
def seller(accounts):
    return accounts[3]


@pytest.fixture(scope="module")
def other_seller(accounts):
    return accounts[4]


@pytest.fixture(scope="module")
def buyer(accounts):
    return accounts[5]


@pytest.fixture(scope="module")
def stranger(accounts):
    return accounts[6]


@pytest.fixture(scope="module")
def relayer(accounts):
    return accounts[7]


# ---------------------------------------------------------------- platform


@pytest.fixture(scope="module")
def platform(admin, treasury):
    return deploy_platform(admin, admin=admin, treasury=treasury, fee_bps=FEE_BPS)


@pytest.fixture(scope="module")
def forwarder(platform):
    return platform["ChainMartForwarder"]


@pytest.fixture(scope="module")
def market(platform, admin, arbiter, seller, other_seller):
    market = platform["Marketplace"]
    market.approveSeller(seller, {"from": admin})
    market.approveSeller(other_seller, {"from": admin})
    market.grantRole(market.ARBITER_ROLE(), arbiter, {"from": admin})
    return market


@pytest.fixture(scope="module")
def usd(TestStablecoin, market, admin, buyer):
    token = TestStablecoin.deploy("Test USD", "tUSD", 6, {"from": admin})
    market.setAssetAllowed(token, True, {"from": admin})
    token.mint(buyer, 10_000 * USD, {"from": admin})
    return token


# ---------------------------------------------------------------- listings


@pytest.fixture(scope="module")
def eth_listing(market, seller):
    tx = market.list(ETH_PRICE, ETH, 10, 0, 0, "bafkreiethlisting", {"from": seller})
    return tx.return_value


@pytest.fixture(scope="module")
def usd_listing(market, usd, seller):
    tx = market.list(USD_PRICE, usd, 10, 0, 0, "bafkreiusdlisting", {"from": seller})
    return tx.return_value
