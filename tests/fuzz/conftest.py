"""The fuzz world: the deployed platform, three stablecoins and a cast of fourteen accounts."""
import pytest

from tests.conftest import _funded_account
from tests.fuzz.world import build_world


@pytest.fixture(scope="module")
def newcomer(accounts):
    """Applies to become a seller during a run."""
    return _funded_account(accounts, "newcomer")


@pytest.fixture(scope="module")
def second_treasury(accounts):
    """The treasury an admin may switch to during a run."""
    return _funded_account(accounts, "second-treasury")


@pytest.fixture(scope="module")
def eur(TestStablecoin, admin):
    return TestStablecoin.deploy("Test EUR", "tEUR", 18, {"from": admin})


@pytest.fixture(scope="module")
def jpy(TestStablecoin, admin):
    """Never allow-listed: it only reaches the contracts by mistake."""
    return TestStablecoin.deploy("Test JPY", "tJPY", 0, {"from": admin})


@pytest.fixture(scope="module")
def world(
    forwarder, market, provenance, registry, usd, eur, jpy,
    admin, treasury, second_treasury, arbiter, seller, other_seller, newcomer,
    buyer, stranger, relayer, role_producer, carrier, courier, creator,
):
    contracts = {
        "forwarder": forwarder,
        "market": market,
        "provenance": provenance,
        "registry": registry,
        "usd": usd,
        "eur": eur,
        "jpy": jpy,
    }
    roles = {
        "admin": admin,
        "treasury": treasury,
        "second_treasury": second_treasury,
        "arbiter": arbiter,
        "seller": seller,
        "other_seller": other_seller,
        "newcomer": newcomer,
        "buyer": buyer,
        "stranger": stranger,
        "relayer": relayer,
        "role_producer": role_producer,
        "carrier": carrier,
        "courier": courier,
        "creator": creator,
    }
    return build_world(contracts, roles)
