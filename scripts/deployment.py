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

DEFAULT_FEE_BPS = 250
DEPLOYMENTS_FILE = Path(os.environ.get("CHAINMART_DEPLOYMENTS", "deployments.json"))


def deploy_platform(deployer, *, admin=None, treasury=None, fee_bps=DEFAULT_FEE_BPS):
    """Deploy the forwarder and every contract that trusts it; return them by contract name.

    ProvenanceToken grants the Marketplace its MARKETPLACE_ROLE in its constructor (so the wiring
    needs no admin transaction); CopyrightRegistry takes the same treasury and fee as the Marketplace
    and uses the Marketplace's ERC-20 allow-list.
    """
    admin = admin or deployer
    treasury = treasury or admin
    forwarder = ChainMartForwarder.deploy({"from": deployer})
    market = Marketplace.deploy(admin, treasury, fee_bps, forwarder, {"from": deployer})
    provenance = ProvenanceToken.deploy(admin, market, forwarder, {"from": deployer})
    copyright_registry = CopyrightRegistry.deploy(admin, treasury, fee_bps, market, forwarder, {"from": deployer})
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
    if network.show_active() in ("development", "ganache-cli") or "fork" in network.show_active():
        return accounts[0]
    key = os.environ.get("DEPLOYER_PRIVATE_KEY")
    if key:
        return accounts.add(key)
    keystore = os.environ.get("DEPLOYER_KEYSTORE")
    if keystore:
        return accounts.load(keystore)
    raise SystemExit(
        "No deployer account: set DEPLOYER_PRIVATE_KEY or DEPLOYER_KEYSTORE (a Brownie keystore id)."
    )


def record_deployment(contracts, *, extra=None, path=DEPLOYMENTS_FILE):
    """Write the contracts' addresses under this chain's id in the deployments file."""
    path = Path(path)
    data = json.loads(path.read_text()) if path.exists() else {}
    first = next(iter(contracts.values()))
    entry = {
        "network": network.show_active(),
        "block": first.tx.block_number if first.tx else chain.height,
        "contracts": {name: c.address for name, c in contracts.items()},
    }
    if extra:
        entry.update(extra)
    data[str(chain.id)] = entry
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    return entry


def load_deployment(path=DEPLOYMENTS_FILE):
    """The deployment recorded for the connected chain, or SystemExit saying how to make one."""
    path = Path(path)
    data = json.loads(path.read_text()) if path.exists() else {}
    entry = data.get(str(chain.id))
    if entry is None:
        raise SystemExit(f"Nothing deployed on chain {chain.id} in {path}: run scripts/deploy.py first.")
    return entry
