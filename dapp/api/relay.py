"""POST /api/relay submits a signed ForwardRequest; GET /api/relay/<id> reports its status."""
from __future__ import annotations

from flask import current_app, jsonify, request

from dapp.api import api, error_response
from dapp.auth import require_role
from dapp.config import LOCAL_CHAIN_IDS, LOCAL_RELAYER_KEY
from dapp.exceptions import ServiceUnavailable
from dapp.relay import Relayer, RevertWouldHappen


def relayer() -> Relayer:
    app = current_app._get_current_object()
    existing = app.extensions.get("relayer")
    if existing is not None:
        return existing
    chain = app.extensions["chain"]
    key = app.config["RELAYER_PRIVATE_KEY"]
    if not key:
        if chain.chain_id not in LOCAL_CHAIN_IDS:
            raise ServiceUnavailable("RELAYER_PRIVATE_KEY is not set: the relay is off on this chain.")
        key = LOCAL_RELAYER_KEY  # the local chain's public test account #7
    created = Relayer(
        chain,
        key,
        max_gas=app.config["RELAY_MAX_GAS"],
        max_value=app.config["RELAY_MAX_VALUE_WEI"],
        min_balance=app.config["RELAYER_MIN_BALANCE_WEI"],
        rate_limit=app.config["RELAY_RATE_LIMIT"],
        rate_window=app.config["RELAY_RATE_WINDOW"],
        poll_interval=app.config["RELAY_POLL_INTERVAL"],
    )
    return app.extensions.setdefault("relayer", created)


@api.post("/relay")
def submit_relay():
    body = request.get_json(silent=True)
    if body is None:
        return error_response(400, "Expected a JSON body (Content-Type: application/json).")
    try:
        job, created = relayer().submit(body)
    except RevertWouldHappen as exc:
        return error_response(exc.status, exc.message, revert=exc.revert)
    return jsonify(relayer().describe(job)), (202 if created else 200)


@api.get("/relay/<job_id>")
def relay_status(job_id: str):
    relay = relayer()
    return jsonify(relay.describe(relay.job(job_id)))


@api.get("/admin/relayer")
@require_role("admin")
def relay_stats():
    """The relayer's account, balance and queue (admins)."""
    return jsonify(relayer().stats())
