"""The local chain's well-known test accounts, by role.

anvil derives its ten funded accounts from the public mnemonic below, and `make run` starts
Ganache with the same one, so both chains fund the same addresses. These keys are published test
keys: never use them, or anything derived from them, on a real network.
"""
from brownie import accounts, chain, network

# Public development mnemonic (anvil's default); not a secret.
LOCAL_MNEMONIC = "test test test test test test test test test test test junk"
LOCAL_CHAIN_IDS = {31337, 1337}
ROLES = ("admin", "treasury", "arbiter", "seller_a", "seller_b", "buyer", "buyer_b", "relayer")


def demo_accounts():
    """Role name -> account: unlocked accounts on a Brownie-launched chain, else local keys."""
    if chain.id not in LOCAL_CHAIN_IDS:
        raise SystemExit(f"Chain {chain.id} is not a local chain: its accounts are not the demo accounts.")
    if network.show_active() in ("development", "ganache-cli") or len(accounts) >= len(ROLES):
        pool = list(accounts)
    else:
        pool = accounts.from_mnemonic(LOCAL_MNEMONIC, count=len(ROLES))
    return dict(zip(ROLES, pool))
