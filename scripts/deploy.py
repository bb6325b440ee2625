"""Deploy ChainMart to the active Brownie network and record the addresses.

    brownie run scripts/deploy.py                          # a fresh local anvil chain
    brownie run scripts/deploy.py --network chainmart-local  # the chain `make run` started
    DEPLOYER_PRIVATE_KEY=... brownie run scripts/deploy.py --network <live network>

Settings from the environment (all optional): CHAINMART_ADMIN, CHAINMART_TREASURY (default: the
deployer), CHAINMART_FEE_BPS (default 250 = 2.5 %), CHAINMART_DEPLOYMENTS (default deployments.json).
"""
import os

from brownie import chain, network

from scripts.deployment import DEFAULT_FEE_BPS, deploy_platform, deployer_account, record_deployment


def main():
    deployer = deployer_account()
    admin = os.environ.get("CHAINMART_ADMIN") or deployer
    treasury = os.environ.get("CHAINMART_TREASURY") or admin
    fee_bps = int(os.environ.get("CHAINMART_FEE_BPS", DEFAULT_FEE_BPS))

    print(f"Deploying ChainMart to {network.show_active()} (chain {chain.id}) from {deployer}")
    contracts = deploy_platform(deployer, admin=admin, treasury=treasury, fee_bps=fee_bps)
    entry = record_deployment(contracts)

    print(f"\nDeployed on chain {chain.id} at block {entry['block']}:")
    for name, address in entry["contracts"].items():
        print(f"  {name:<20} {address}")
    return contracts
