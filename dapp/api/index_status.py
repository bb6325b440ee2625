"""GET /api/index/status: how far the event index has got, against the chain's head."""
from __future__ import annotations

from flask import current_app, jsonify, request

from dapp.api import api
from dapp.api.params import Query
from dapp.exceptions import ChainMartError, ChainUnavailable
from dapp.index_db import get_index


@api.get("/index/status")
def index_status():
    Query(request.args, ())
    state = get_index().execute("SELECT * FROM sync_state").fetchone()
    last = None if state is None else state["last_block"]
    confirmations = current_app.config["INDEX_CONFIRMATIONS"]
    chain = current_app.extensions["chain"]
    head, chain_error = None, None
    try:
        head = chain.web3.eth.block_number
    except Exception as exc:  # the status must answer while the node is down, to say so
        chain_error = exc.message if isinstance(exc, ChainMartError) else ChainUnavailable(chain.rpc_url, exc).message
    indexer = current_app.extensions.get("indexer")
    return jsonify({
        "chainId": None if state is None else state["chain_id"],
        "startBlock": None if state is None else state["start_block"],
        "lastBlock": last,
        "lastBlockHash": None if state is None else state["last_block_hash"],
        "updatedAt": None if state is None else state["updated_at"],
        "head": head,
        "confirmations": confirmations,
        # blocks the index is behind the head, and behind what it may index (head - confirmations)
        "lag": None if head is None or last is None else head - last,
        "pending": None if head is None or last is None else max(0, head - confirmations - last),
        "following": bool(indexer and indexer.running),
        "chainError": chain_error,
    })
