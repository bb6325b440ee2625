"""GET /api/health: is the node up, on the expected chain, with the contracts deployed?"""
from __future__ import annotations

from flask import current_app, jsonify

from dapp.api import api
from dapp.openapi import openapi_spec


@api.get("/health")
def health():
    chain = current_app.extensions["chain"]
    market = chain.contract("Marketplace")
    return jsonify(
        {
            "chainId": chain.chain_id,
            "block": chain.web3.eth.block_number,
            "contracts": chain.addresses,
            "feeBps": market.functions.feeBps().call(),
        }
    )


@api.get("/openapi.json")
def openapi():
    return jsonify(openapi_spec())
