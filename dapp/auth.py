"""Who is calling: the signed-in address (from a Sign-In with Ethereum session) and its on-chain roles.

State-changing requests that rely on the session cookie must carry the session's CSRF token
(header `X-CSRF-Token` or form field `csrf_token`); seller-only and admin-only endpoints check the
role on chain at request time, so a suspension takes effect at once.
"""
from __future__ import annotations

import functools
import hmac
import secrets

from flask import current_app, request, session

from dapp.exceptions import Forbidden, Unauthorized

DEFAULT_ADMIN_ROLE = b"\x00" * 32
STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def sign_in(address: str) -> str:
    """Start a session for `address`; returns its CSRF token."""
    session.clear()
    session["address"] = address
    session["csrf"] = secrets.token_urlsafe(32)
    session.permanent = True
    return session["csrf"]


def signed_in_address() -> str | None:
    return session.get("address")


def roles_of(address: str) -> dict[str, bool]:
    market = current_app.extensions["chain"].contract("Marketplace")
    arbiter_role = market.functions.ARBITER_ROLE().call()
    return {
        "seller": market.functions.isActiveSeller(address).call(),
        "admin": market.functions.hasRole(DEFAULT_ADMIN_ROLE, address).call(),
        "arbiter": market.functions.hasRole(arbiter_role, address).call(),
    }


def _check_csrf() -> None:
    if request.method not in STATE_CHANGING:
        return
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token") or ""
    if not hmac.compare_digest(sent, session.get("csrf", "")):
        raise Forbidden("Missing or wrong CSRF token: send the X-CSRF-Token header from sign-in.")


def require_signed_in(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not signed_in_address():
            raise Unauthorized("Sign in with Ethereum first (POST /api/auth/login).")
        _check_csrf()
        return view(*args, **kwargs)

    return wrapped


def require_role(role: str):
    """Only a signed-in account that holds `role` ("seller", "admin", "arbiter") on chain."""

    def decorator(view):
        @functools.wraps(view)
        @require_signed_in
        def wrapped(*args, **kwargs):
            address = signed_in_address()
            if not roles_of(address)[role]:
                raise Forbidden(f"{address} is not an active {role} on chain.")
            return view(*args, **kwargs)

        return wrapped

    return decorator
