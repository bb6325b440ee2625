"""Shared fixtures: named accounts, the deployed platform, and listings ready to buy.

Every test starts from the same chain snapshot (``fn_isolation``); deploys are module-scoped.
"""
import json
import time

import pytest
from brownie import chain
from eth_utils import keccak

from scripts.deployment import deploy_platform

ETH = "0x0000000000000000000000000000000000000000"
FEE_BPS = 250
USD = 10**6  # the test USD coin has 6 decimals
ETH_PRICE = 10**17
USD_PRICE = 25 * USD
PASSPORT_CID = "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"
FACTORY = "urn:epc:id:sgln:4012345.00001.0"
BATCH_REF = "LOT-2026-0042"
CONTENT_HASH = "0x" + "c0ffee00" * 8  # a sha256 digest stands here
CONTENT_CID = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"
WORK_METADATA_CID = "bafkreiworkmetadata"
TERMS_CID = "bafkreilicenseterms"
ROYALTY_BPS = 500
LICENSE_DURATION = 30 * 24 * 3600


def _patient_receipt_lookups():
    """Work around a race between Brownie 1.22 and anvil under CPU load.

    Brownie reads the sender's nonce, sees it past a transaction it just sent, and asks for that
    transaction (or its receipt) once: if anvil has bumped the nonce but not yet made the receipt
    readable, Brownie declares the mined transaction "dropped without known replacement". Here a
    lookup that finds nothing is retried for up to half a second, which only delays the answer for
    a transaction that really is missing.
    """
    from brownie.network import web3 as brownie_web3
    from web3.exceptions import TransactionNotFound

    eth = brownie_web3.eth
    for name in ("get_transaction", "get_transaction_receipt"):
        original = getattr(eth, name)

        def patient(tx_hash, _original=original):
            for attempt in range(10):
                try:
                    return _original(tx_hash)
                except TransactionNotFound:
                    if attempt == 9:
                        raise
                    time.sleep(0.05)

        setattr(eth, name, patient)


_patient_receipt_lookups()


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
def deployments_file(tmp_path_factory, platform, market):
    """A deployments.json of the platform on the test chain, as `make run` writes one for the dApp."""
    path = tmp_path_factory.mktemp("deployment") / "deployments.json"
    entry = {
        "block": platform["ChainMartForwarder"].tx.block_number,
        "contracts": {name: c.address for name, c in platform.items()},
    }
    path.write_text(json.dumps({str(chain.id): entry}))
    return path


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


# ---------------------------------------------------------------- extra accounts
# The local chain has ten accounts; these roles get deterministic keys, funded by accounts[9].


def _funded_account(accounts, label):
    key = "0x" + keccak(text=f"chainmart-test-account:{label}").hex().removeprefix("0x")
    account = next((a for a in accounts if getattr(a, "private_key", None) == key), None) or accounts.add(key)
    if account.balance() < 10**20:
        accounts[9].transfer(account, 10**21)
    return account


@pytest.fixture(scope="module")
def role_producer(accounts):
    """A producer by PRODUCER_ROLE, not a Marketplace seller."""
    return accounts[8]


@pytest.fixture(scope="module")
def carrier(accounts):
    """Holds LOGISTICS_ROLE: may append to any token's trail."""
    return _funded_account(accounts, "carrier")


@pytest.fixture(scope="module")
def courier(accounts):
    """No role: appends only where a producer or holder authorised it."""
    return _funded_account(accounts, "courier")


@pytest.fixture(scope="module")
def sales_agent(accounts):
    """Holds MARKETPLACE_ROLE, standing in for the Marketplace contract."""
    return _funded_account(accounts, "sales-agent")


@pytest.fixture(scope="module")
def creator(accounts):
    return _funded_account(accounts, "creator")


@pytest.fixture(scope="module")
def other_buyer(accounts):
    return _funded_account(accounts, "other-buyer")


# ---------------------------------------------------------------- provenance


@pytest.fixture(scope="module")
def producer(market, seller):
    """An active Marketplace seller, hence a producer."""
    return seller


@pytest.fixture(scope="module")
def provenance(platform, market, admin, role_producer, carrier, sales_agent):
    token = platform["ProvenanceToken"]
    token.grantRole(token.PRODUCER_ROLE(), role_producer, {"from": admin})
    token.grantRole(token.LOGISTICS_ROLE(), carrier, {"from": admin})
    token.grantRole(token.MARKETPLACE_ROLE(), sales_agent, {"from": admin})
    return token


@pytest.fixture(scope="module")
def product(provenance, producer):
    """A minted token id, held by its producer, with only its Commissioning event."""
    return provenance.mint(PASSPORT_CID, BATCH_REF, FACTORY, {"from": producer}).return_value


# ---------------------------------------------------------------- copyright


@pytest.fixture(scope="module")
def registry(platform, market):
    return platform["CopyrightRegistry"]


@pytest.fixture(scope="module")
def work(registry, creator):
    """A registered work id, its certificate held by the creator."""
    tx = registry.registerWork(CONTENT_HASH, CONTENT_CID, "Sunrise", WORK_METADATA_CID, ROYALTY_BPS, {"from": creator})
    return tx.return_value


@pytest.fixture(scope="module")
def eth_offer(registry, work, creator):
    """A 30-day, non-commercial, transferable ETH license, unlimited."""
    tx = registry.createOffer(work, ETH, ETH_PRICE, LICENSE_DURATION, 0, False, True, TERMS_CID, {"from": creator})
    return tx.return_value


@pytest.fixture(scope="module")
def usd_offer(registry, work, creator, usd, buyer):
    """A perpetual, commercial, non-transferable license in the test USD coin; the buyer approved it."""
    tx = registry.createOffer(work, usd, USD_PRICE, 0, 0, True, False, TERMS_CID, {"from": creator})
    usd.approve(registry, 2**256 - 1, {"from": buyer})
    return tx.return_value
