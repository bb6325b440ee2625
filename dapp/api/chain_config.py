"""What the pages need to talk to the chain: GET /api/config and GET /api/abi/<name>.

The pages read and write the chain through the user's wallet; they learn here which chain to ask
for, where the contracts are, which assets pay (with symbol and decimals), what the relayer
accepts, and the contracts' ABIs (straight from the build, so custom errors decode exactly as the
contracts raise them).
"""
from __future__ import annotations

import threading
import time
from typing import Any

from flask import current_app, jsonify, request
from web3 import Web3

from chainmart.eip712 import FORWARDER_DOMAIN
from dapp.api import api
from dapp.api.params import ETH, Query
from dapp.config import LOCAL_CHAIN_IDS
from dapp.exceptions import ChainMartError, NotFound
from dapp.relay import RELAYABLE

TOKEN_INFO_TTL = 300.0  # seconds: a token's symbol, decimals and permit domain do not change
ERC20_ABI = [
    {"type": "function", "name": name, "stateMutability": "view", "inputs": [], "outputs": [{"type": kind, "name": ""}]}
    for name, kind in (("symbol", "string"), ("name", "string"), ("decimals", "uint8"))
] + [
    {"type": "function", "name": "eip712Domain", "stateMutability": "view", "inputs": [], "outputs": [
        {"type": "bytes1", "name": "fields"}, {"type": "string", "name": "name"}, {"type": "string", "name": "version"},
        {"type": "uint256", "name": "chainId"}, {"type": "address", "name": "verifyingContract"},
        {"type": "bytes32", "name": "salt"}, {"type": "uint256[]", "name": "extensions"}]},
]
_assets_lock = threading.Lock()


@api.get("/config")
def chain_config():
    Query(request.args, ())
    app = current_app
    chain = app.extensions["chain"]
    chain_id = chain.chain_id
    market = chain.contract("Marketplace")
    local = chain_id in LOCAL_CHAIN_IDS
    body = {
        "chainId": chain_id,
        "chainName": app.config["CHAINMART_CHAIN_NAME"] or ("ChainMart local" if local else f"Chain {chain_id}"),
        "rpcUrl": app.config["CHAINMART_PUBLIC_RPC_URL"] or app.config["CHAINMART_RPC_URL"],
        "explorerUrl": app.config["CHAINMART_EXPLORER_URL"],
        "contracts": chain.addresses,
        "feeBps": market.functions.feeBps().call(),
        "assets": _assets(chain),
        "forwarder": {**FORWARDER_DOMAIN, "address": chain.addresses.get("ChainMartForwarder")},
        "relay": {
            "maxGas": app.config["RELAY_MAX_GAS"],
            "available": bool(app.config["RELAYER_PRIVATE_KEY"]) or local,
            "functions": {name: sorted(functions) for name, functions in RELAYABLE.items()},
        },
    }
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-cache"
    return response


@api.get("/abi/<name>")
def contract_abi(name: str):
    Query(request.args, ())
    chain = current_app.extensions["chain"]
    if name not in chain.addresses:
        raise NotFound(f"No deployed contract named {name!r}; known: {', '.join(sorted(chain.addresses))}.")
    response = jsonify(chain.abi(name))
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


def _assets(chain) -> list[dict[str, Any]]:
    """ETH and every allow-listed ERC-20, with symbol, decimals and EIP-2612 support.

    The allow-list is read on every call (one eth_call), so an asset the admin allows or disallows
    shows at once; what each token says about itself is cached for TOKEN_INFO_TTL.
    """
    market = chain.contract("Marketplace")
    assets = [{"address": Web3.to_checksum_address(ETH), "symbol": "ETH", "name": "Ether", "decimals": 18,
               "permit": None}]
    # allowedAssets() names ETH too, as the zero address
    return assets + [_token_info(chain, address) for address in market.functions.allowedAssets().call()
                     if int(address, 16) != 0]


def _token_info(chain, address: str) -> dict[str, Any]:
    cache = current_app.extensions.setdefault("token_info_cache", {})
    with _assets_lock:
        cached = cache.get(address)
        if cached and cached[0] > time.monotonic():
            return cached[1]
    token = chain.web3.eth.contract(address=Web3.to_checksum_address(address), abi=ERC20_ABI)
    info = {
        "address": token.address,
        "symbol": _call(token.functions.symbol(), "?"),
        "name": _call(token.functions.name(), ""),
        "decimals": _call(token.functions.decimals(), 18),
        "permit": _permit_domain(token),
    }
    with _assets_lock:
        cache[address] = (time.monotonic() + TOKEN_INFO_TTL, info)
    return info


def _permit_domain(token) -> dict[str, str] | None:
    """The token's EIP-712 domain (EIP-5267) if it has one: it then takes EIP-2612 permits."""
    domain = _call(token.functions.eip712Domain(), None)
    if domain is None:
        return None
    return {"name": domain[1], "version": domain[2]}


def _call(fn, default):
    try:
        return fn.call()
    except ChainMartError:
        raise
    except Exception:  # a token without the optional function (or a broken one): use the default
        return default
