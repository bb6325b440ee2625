"""The JSON API under /api: every answer is JSON, errors included (never an HTML traceback)."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from dapp.exceptions import ChainMartError

api = Blueprint("api", __name__, url_prefix="/api")


def error_response(status: int, message: str, **details):
    body = {"error": message, "status": status}
    body.update(details)
    return jsonify(body), status


@api.errorhandler(ChainMartError)
def _chainmart_error(exc: ChainMartError):
    return error_response(exc.status, exc.message)


@api.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    return error_response(exc.code or 500, exc.description or exc.name)


def api_routing_error(exc: HTTPException):
    """App-level 404/405: JSON under /api, Flask's default page elsewhere."""
    if request.path.startswith("/api/") or request.path == "/api":
        response, status = error_response(exc.code, exc.description)
        if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
            response.headers["Allow"] = ", ".join(sorted(exc.valid_methods))  # a 405 must name what is allowed
        return response, status
    return exc


@api.errorhandler(Exception)
def _unexpected_error(exc: Exception):
    current_app.logger.exception("Unhandled error in the API")
    return error_response(500, "Internal error: the server logged the details.")


from dapp.api import (  # noqa: E402,F401  (routes register on import)
    auth, catalog, chain_config, copyright, health, index_status, media, orders, provenance, relay, roles, sales,
)
