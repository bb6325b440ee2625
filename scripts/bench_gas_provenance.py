"""Gas of the provenance and copyright operations, each performed once on a fresh deploy.

``measure(accounts)`` returns ``{operation: gas_used}`` for merging into the main gas benchmark;
``brownie run scripts/bench_gas_provenance.py --network <net>`` prints it. On a fresh deploy every
operation is the first of its kind, so slots written for the first time (a first credit, a first
ledger entry) are included: these are upper bounds for the steady state. Gas is deterministic, so
tests/provenance/test_append_gas.py asserts GAS_BUDGETS on this scenario.
"""
import time

from brownie import TestStablecoin

from chainmart.provenance import Step
from scripts.deployment import deploy_platform

ETH = "0x0000000000000000000000000000000000000000"
PASSPORT_CID = "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"
EVIDENCE_CID = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"
LOCATION = "urn:epc:id:sgln:4012345.00001.0"
CONTENT_HASH = "0x" + "ab" * 32
ETH_PRICE = 10**17
USD_PRICE = 25 * 10**6
THIRTY_DAYS = 30 * 24 * 3600

# Budgets an operation must stay within (issue-set limits).
GAS_BUDGETS = {"provenance_append": 45_000, "buy_license_eth": 120_000}


def measure(accounts):
    """Deploy the platform, perform each operation once, and return the gas each used."""
    admin, treasury, producer, buyer, token_buyer = accounts[0], accounts[1], accounts[3], accounts[5], accounts[6]
    platform = deploy_platform(admin, treasury=treasury)
    market, provenance, registry = platform["Marketplace"], platform["ProvenanceToken"], platform["CopyrightRegistry"]
    market.approveSeller(producer, {"from": admin})
    usd = TestStablecoin.deploy("Test USD", "tUSD", 6, {"from": admin})
    market.setAssetAllowed(usd, True, {"from": admin})
    usd.mint(token_buyer, USD_PRICE, {"from": admin})
    usd.approve(registry, USD_PRICE, {"from": token_buyer})

    gas = {}
    tx = provenance.mint(PASSPORT_CID, "LOT-2026-0042", LOCATION, {"from": producer})
    gas["provenance_mint"] = tx.gas_used
    tx = provenance.appendEvent(tx.return_value, Step.SHIPPING, LOCATION, EVIDENCE_CID, {"from": producer})
    gas["provenance_append"] = tx.gas_used

    tx = registry.registerWork(CONTENT_HASH, EVIDENCE_CID, "Sunrise", PASSPORT_CID, 500, {"from": producer})
    gas["register_work"] = tx.gas_used
    work = tx.return_value
    tx = registry.createOffer(work, ETH, ETH_PRICE, THIRTY_DAYS, 0, False, True, EVIDENCE_CID, {"from": producer})
    gas["create_license_offer"] = tx.gas_used
    tx = registry.buyLicense(tx.return_value, {"from": buyer, "value": ETH_PRICE})
    gas["buy_license_eth"] = tx.gas_used
    usd_offer = registry.createOffer(work, usd, USD_PRICE, 0, 0, True, False, EVIDENCE_CID, {"from": producer})
    tx = registry.buyLicense(usd_offer.return_value, {"from": token_buyer})
    gas["buy_license_erc20"] = tx.gas_used
    tx = registry.revokeWork(work, {"from": producer})
    gas["revoke"] = tx.gas_used
    return gas


def main():
    from brownie import accounts

    print(f"\n{'operation':<24}{'gas':>10}{'budget':>10}")
    for operation, used in measure(accounts).items():
        budget = GAS_BUDGETS.get(operation)
        print(f"{operation:<24}{used:>10,}{f'{budget:,}' if budget else '':>10}")
    time.sleep(0.5)  # let Brownie's background bookkeeping finish before the chain is stopped
