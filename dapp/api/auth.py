"""Sign-In with Ethereum: GET a nonce, POST the signed EIP-4361 message, GET who you are, log out."""
from __future__ import annotations

from flask import current_app, jsonify, request, session

from dapp import siwe
from dapp.api import api, error_response
from dapp.auth import require_signed_in, roles_of, sign_in, signed_in_address


def _nonces() -> siwe.NonceBook:
    app = current_app._get_current_object()
    return app.extensions.setdefault("siwe_nonces", siwe.NonceBook(ttl=app.config["SIWE_TTL"]))


def _domain() -> str:
    return current_app.config["SIWE_DOMAIN"] or request.host


@api.get("/auth/nonce")
def auth_nonce():
    chain = current_app.extensions["chain"]
    return jsonify({"nonce": _nonces().issue(), "domain": _domain(), "chainId": chain.chain_id,
                    "uri": request.host_url.rstrip("/")})


@api.post("/auth/login")
def auth_login():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return error_response(400, "Expected a JSON object with 'message' and 'signature'.")
    chain = current_app.extensions["chain"]
    message = siwe.verify(
        body.get("message"), body.get("signature"), domain=_domain(), chain_id=chain.chain_id, nonces=_nonces()
    )
    csrf = sign_in(message.address)
    return jsonify({"address": message.address, "csrfToken": csrf, "roles": roles_of(message.address)})


@api.get("/auth/me")
@require_signed_in
def auth_me():
    address = signed_in_address()
    return jsonify({"address": address, "csrfToken": session["csrf"], "roles": roles_of(address)})


@api.post("/auth/logout")
@require_signed_in
def auth_logout():
    session.clear()
    return jsonify({"signedOut": True})
