"""Configuration from the environment (documented in .env.example), with local-chain dev defaults.

The dev defaults for keys are the local chain's well-known public test keys; they apply only when
the connected chain is a local one (chain id 31337 or 1337). A real deployment sets its own.
"""
from __future__ import annotations

import os
from typing import Any, Mapping

# anvil's account #7 (public mnemonic "test test ... junk"): the local relayer. Not a secret.
LOCAL_RELAYER_KEY = "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356"
LOCAL_CHAIN_IDS = (31337, 1337)

# name: (default, parser)
SETTINGS: dict[str, tuple[Any, Any]] = {
    "CHAINMART_RPC_URL": ("http://127.0.0.1:8545", str),
    "CHAINMART_CHAIN_ID": (None, int),
    "CHAINMART_DEPLOYMENTS": ("deployments.json", str),
    "CHAINMART_BUILD_DIR": ("build", str),
    "CHAINMART_RPC_TIMEOUT": (10.0, float),
    # What the pages tell a wallet that does not know the chain (wallet_addEthereumChain).
    "CHAINMART_PUBLIC_RPC_URL": (None, str),  # default: CHAINMART_RPC_URL
    "CHAINMART_CHAIN_NAME": (None, str),  # default: "ChainMart local" on a local chain
    "CHAINMART_EXPLORER_URL": (None, str),
    "SECRET_KEY": (None, str),
    "SESSION_COOKIE_SECURE": (False, lambda v: v.lower() in ("1", "true", "yes")),
    "RELAYER_PRIVATE_KEY": (None, str),
    "RELAYER_MIN_BALANCE_WEI": (10**16, int),
    "RELAY_MAX_GAS": (1_000_000, int),
    "RELAY_MAX_VALUE_WEI": (0, int),
    "RELAY_RATE_LIMIT": (30, int),  # requests per signer per window
    "RELAY_RATE_WINDOW": (60.0, float),  # seconds
    "RELAY_POLL_INTERVAL": (0.02, float),  # seconds between looks for new blocks while jobs wait
    "SIWE_DOMAIN": (None, str),  # default: the request's host
    "SIWE_TTL": (600, int),  # seconds a sign-in message stays valid
    "IPFS_BACKEND": ("embedded", str),  # or "node"
    "IPFS_STORE_PATH": ("instance/ipfs", str),
    "IPFS_API_ADDR": ("/ip4/127.0.0.1/tcp/5001/http", str),
    "IPFS_TIMEOUT": (30.0, float),
    "MAX_UPLOAD_BYTES": (20 * 1024 * 1024, int),
    "INDEX_DATABASE": ("instance/index.sqlite3", str),
    "INDEX_CONFIRMATIONS": (0, int),
    "INDEX_POLL_INTERVAL": (1.0, float),
    "INDEX_BATCH_BLOCKS": (2_000, int),
    "INDEX_AUTOSTART": (False, lambda v: v.lower() in ("1", "true", "yes")),
}


def from_environ(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Every setting: parsed from the environment where set, else its default."""
    environ = os.environ if environ is None else environ
    config = {}
    for name, (default, parse) in SETTINGS.items():
        raw = environ.get(name)
        config[name] = default if raw in (None, "") else parse(raw)
    return config
