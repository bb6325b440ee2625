"""Deploying ChainMart and recording where it lives.

Shared by ``deploy.py``, ``seed.py``, the benchmarks and the tests; nothing runs at import time.
The deployments file maps a chain id to the addresses deployed there; the dApp reads it.
"""
import json
import os
from pathlib import Path

from brownie import (
    ChainMartForwarder,
    CopyrightRegistry,
    Marketplace,
    ProvenanceToken,
    accounts,
    chain,
    network,
)

from scripts.local_accounts import LOCAL_CHAIN_IDS, demo_accounts

DEFAULT_FEE_BPS = 250


def deployments_path():
    """The deployments file: ``CHAINMART_DEPLOYMENTS``, else deployments.json in the project root."""
    return Path(os.environ.get("CHAINMART_DEPLOYMENTS", "deployments.json"))


def deploy_platform(deployer, *, admin=None, treasury=None, fee_bps=DEFAULT_FEE_BPS):
    """Deploy the forwarder and every contract that trusts it; return them by contract name.

    ProvenanceToken grants the Marketplace its MARKETPLACE_ROLE in its constructor, and the
    Marketplace is pointed at it (when the deployer is the admin; else the admin must do it); CopyrightRegistry takes the same treasury and fee as the Marketplace
    and uses the Marketplace's ERC-20 allow-list.
    """
    admin = admin or deployer
    treasury = treasury or admin
    forwarder = ChainMartForwarder.deploy({"from": deployer})
    market = Marketplace.deploy(admin, treasury, fee_bps, forwarder, {"from": deployer})
    provenance = ProvenanceToken.deploy(admin, market, forwarder, {"from": deployer})
    copyright_registry = CopyrightRegistry.deploy(admin, treasury, fee_bps, market, forwarder, {"from": deployer})
    if str(admin) == str(deployer):
        market.setProvenance(provenance, {"from": deployer})
    else:
        print(f"Admin {admin}: call Marketplace.setProvenance({provenance.address}) to enable traced listings.")
    return {
        "ChainMartForwarder": forwarder,
        "Marketplace": market,
        "ProvenanceToken": provenance,
        "CopyrightRegistry": copyright_registry,
    }


def deployer_account():
    """The account that pays for a deployment.

    On a local development chain: the chain's first unlocked test account. On a live network:
    ``DEPLOYER_PRIVATE_KEY`` from the environment, or the Brownie keystore named by
    ``DEPLOYER_KEYSTORE`` (Brownie asks for its password). Never a key from the repository.
    """
    key = os.environ.get("DEPLOYER_PRIVATE_KEY")
    if key:
        return accounts.add(key)
    keystore = os.environ.get("DEPLOYER_KEYSTORE")
    if keystore:
        return accounts.load(keystore)
    if chain.id in LOCAL_CHAIN_IDS:
        admin = demo_accounts()["admin"]
        print(f"Local chain {chain.id}: deploying from its well-known test account {admin}.")
        return admin
    raise SystemExit(
        "No deployer account: set DEPLOYER_PRIVATE_KEY or DEPLOYER_KEYSTORE (a Brownie keystore id)."
    )


def record_deployment(contracts, *, path=None):
    """Write a new deployment's addresses under this chain's id in the deployments file.

    ``block`` is where the first contract was deployed: an indexer starts reading events there.
    """
    first = next(iter(contracts.values()))
    entry = {
        "network": network.show_active(),
        "block": first.tx.block_number if first.tx else chain.height,
        "contracts": {name: c.address for name, c in contracts.items()},
    }
    _write_entry(entry, path or deployments_path())
    return entry


def update_deployment(path=None, **fields):
    """Add fields (e.g. demo stablecoins) to this chain's recorded deployment."""
    path = path or deployments_path()
    entry = load_deployment(path)
    entry.update(fields)
    _write_entry(entry, path)
    return entry


def _write_entry(entry, path):
    path = Path(path)
    data = json.loads(path.read_text()) if path.exists() else {}
    data[str(chain.id)] = entry
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def load_deployment(path=None):
    """The deployment recorded for the connected chain, or SystemExit saying how to make one."""
    path = Path(path or deployments_path())
    data = json.loads(path.read_text()) if path.exists() else {}
    entry = data.get(str(chain.id))
    if entry is None:
        raise SystemExit(f"Nothing deployed on chain {chain.id} in {path}: run scripts/deploy.py first.")
    return entry
