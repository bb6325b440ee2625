"""The OpenAPI 3.1 description of the JSON API, served at GET /api/openapi.json.

tests/dapp/test_openapi.py checks it against the app's routes, so the two stay in step.
"""
from __future__ import annotations

from typing import Any

ADDRESS = {"type": "string", "pattern": "^0x[0-9a-fA-F]{40}$"}
UINT_STRING = {"type": "string", "pattern": "^[0-9]+$", "description": "an unsigned integer in decimal"}
ERROR = {"$ref": "#/components/schemas/Error"}
PAGE = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
]
CSRF = {"name": "X-CSRF-Token", "in": "header", "required": True, "schema": {"type": "string"},
        "description": "the csrfToken from sign-in"}


def _json(schema: dict | None = None, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema or {"type": "object"}}}}


def _errors(*codes: int) -> dict:
    names = {400: "Bad request", 401: "Not signed in / bad signature", 403: "Forbidden", 404: "Not found",
             405: "Method not allowed", 409: "Conflict (nonce)", 413: "Too large", 415: "Unsupported type",
             422: "Would revert / invalid metadata", 429: "Rate limited", 502: "Store or node error",
             503: "Node, relayer or IPFS unavailable"}
    return {str(code): _json(ERROR, names[code]) for code in codes}


def _path_param(name: str, schema: dict) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _op(summary: str, responses: dict, *, params=None, body=None, tag: str) -> dict:
    op: dict[str, Any] = {"summary": summary, "tags": [tag], "responses": responses}
    if params:
        op["parameters"] = params
    if body:
        op["requestBody"] = body
    return op


def _page(summary: str, *params: dict) -> dict:
    return {"get": _op(summary, {"200": {"description": "the page", "content": {"text/html": {}}}},
                       params=list(params) or None, tag="pages")}


# The HTML pages (dapp/pages.py): shells that read this API and act through the user's wallet.
PAGES = {
    "/": _page("Catalog (home page): search, category and price filters, pages; and the deployment"),
    "/listings/{listing_id}": _page("Product page and checkout", _path_param("listing_id", UINT_STRING)),
    "/orders": _page("My orders: timelines and actions (cancel, confirm, dispute, settle, review); my provenance "
                     "tokens"),
    "/account": _page("Balances: wallet, marketplace credits, withdrawals"),
    "/sell": _page("Seller: orders to ship, disputes, new and traced listings, listing edits, earnings, sales chart"),
    "/trace": _page("Producers and carriers: mint provenance tokens, trail events, corrections, appenders, recall"),
    "/admin": _page("Admin and arbiters: disputes, sellers, payment assets, fees, relayer"),
    "/works": _page("Creators: register works, license offers (pause, resume), revocation, license income; my "
                    "licenses and recorded uses"),
    "/works/{work_id}": _page("A work: certificate, offers, buying a license", _path_param("work_id", UINT_STRING)),
    "/licenses/verify": _page("Public license verification"),
    "/provenance/{token_id}": _page("Public provenance page: trail, verification, recall, QR code",
                                    _path_param("token_id", UINT_STRING)),
}


def openapi_spec() -> dict[str, Any]:
    read_errors = _errors(400, 404, 503)
    paths = {
        **PAGES,
        "/api/config": {"get": _op(
            "What the pages need: chain, contracts, payment assets (symbol, decimals, permit), relay",
            {"200": _json(), **_errors(400, 503)}, tag="health")},
        "/api/abi/{name}": {"get": _op(
            "A deployed contract's ABI, from the build", {"200": _json(), **_errors(400, 404, 503)},
            params=[_path_param("name", {"type": "string"})], tag="health")},
        "/api/health": {"get": _op("Node, chain and contracts", {"200": _json(), **_errors(503)}, tag="health")},
        "/api/openapi.json": {"get": _op("This description", {"200": _json()}, tag="health")},
        "/api/auth/nonce": {"get": _op("A one-time Sign-In with Ethereum nonce", {"200": _json(), **_errors(503)},
                                       tag="auth")},
        "/api/auth/login": {"post": _op(
            "Sign in with a signed EIP-4361 message",
            {"200": _json(), **_errors(400, 401, 503)},
            body={"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["message", "signature"],
                "properties": {"message": {"type": "string"}, "signature": {"type": "string"}}}}}},
            tag="auth")},
        "/api/auth/me": {"get": _op("The signed-in account and its on-chain roles", {"200": _json(), **_errors(401)},
                                    tag="auth")},
        "/api/auth/logout": {"post": _op("End the session", {"200": _json(), **_errors(401, 403)},
                                         params=[CSRF], tag="auth")},
        "/api/relay": {"post": _op(
            "Relay a signed ERC-2771 ForwardRequest (gasless)",
            {"200": _json(description="the same signed request was submitted before"),
             "202": _json(description="queued"), **_errors(400, 401, 403, 409, 422, 429, 502, 503)},
            body={"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Relay"}}}},
            tag="relay")},
        "/api/relay/{job_id}": {"get": _op(
            "Status of a relayed request: pending, submitted, mined (with events) or failed (with the error); "
            "a `delay` note while the chain node does not answer",
            {"200": _json(), **_errors(404)}, params=[_path_param("job_id", {"type": "string"})], tag="relay")},
        "/api/admin/relayer": {"get": _op("The relayer's balance and queue (admins)",
                                          {"200": _json(), **_errors(401, 403, 503)}, tag="admin")},
        "/api/uploads": {"post": _op(
            "Store a checked file on IPFS; answers its CID",
            {"201": _json(), **_errors(400, 401, 403, 413, 415, 422, 502, 503)},
            params=[CSRF, {"name": "kind", "in": "query", "required": True, "schema": {
                "type": "string",
                "enum": ["product-image", "passport", "evidence", "license", "work", "metadata", "review", "profile"]}}],
            body={"required": True, "content": {"multipart/form-data": {"schema": {
                "type": "object", "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}}}}}},
            tag="ipfs")},
        "/api/metadata": {"post": _op(
            "Store validated ERC-721 metadata JSON on IPFS",
            {"201": _json(), **_errors(400, 401, 403, 422, 502, 503)}, params=[CSRF],
            body={"required": True, "content": {"application/json": {"schema": {"type": "object"}}}},
            tag="ipfs")},
        "/ipfs/{cid}": {"get": _op(
            "Content by CID, checked against it; cached forever",
            {"200": {"description": "the content"}, "304": {"description": "not modified"},
             **_errors(400, 404, 502, 503)},
            params=[_path_param("cid", {"type": "string"})], tag="ipfs")},
        "/api/listings": {"get": _op(
            "Catalog: search, filters, sorting, paging", {"200": _json(), **_errors(400, 503)},
            params=[
                {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 200}},
                {"name": "seller", "in": "query", "schema": ADDRESS},
                {"name": "asset", "in": "query", "schema": {"type": "string"}},
                {"name": "category", "in": "query", "schema": {"type": "string", "maxLength": 60}},
                {"name": "min_price", "in": "query", "schema": UINT_STRING},
                {"name": "max_price", "in": "query", "schema": UINT_STRING},
                {"name": "in_stock", "in": "query", "schema": {"type": "string", "enum": ["true", "false"]}},
                {"name": "paused", "in": "query", "schema": {"type": "string", "enum": ["true", "false"]}},
                {"name": "sort", "in": "query",
                 "schema": {"type": "string", "enum": ["newest", "oldest", "price_asc", "price_desc"]}},
                *PAGE,
            ], tag="catalog")},
        "/api/listings/{listing_id}": {"get": _op(
            "A listing with its seller's rating and reviews", {"200": _json(), **read_errors},
            params=[_path_param("listing_id", UINT_STRING)], tag="catalog")},
        "/api/categories": {"get": _op(
            "Listing categories (from the listings' metadata) with how many listings each",
            {"200": _json(), **_errors(400, 503)}, tag="catalog")},
        "/api/sellers": {"get": _op(
            "Sellers, by status (Applied, Approved, Suspended)", {"200": _json(), **_errors(400, 503)},
            params=[{"name": "status", "in": "query",
                     "schema": {"type": "string", "enum": ["Applied", "Approved", "Suspended"]}}, *PAGE],
            tag="catalog")},
        "/api/sellers/{address}": {"get": _op(
            "A seller: status, rating and sales statistics", {"200": _json(), **read_errors},
            params=[_path_param("address", ADDRESS)], tag="catalog")},
        "/api/sellers/{address}/sales": {"get": _op(
            "A seller's earnings per day or ISO week and per asset, every bucket of the range (for a chart)",
            {"200": _json(), **read_errors},
            params=[
                _path_param("address", ADDRESS),
                {"name": "interval", "in": "query", "schema": {"type": "string", "enum": ["day", "week"]}},
                {"name": "since", "in": "query", "schema": UINT_STRING,
                 "description": "Unix seconds; default: 30 days or 26 weeks before until"},
                {"name": "until", "in": "query", "schema": UINT_STRING,
                 "description": "Unix seconds; default: the time of the last indexed block"},
            ], tag="catalog")},
        "/api/orders": {"get": _op(
            "Orders of a buyer and/or seller, or all in one state, with timelines and provenance tokens",
            {"200": _json(), **_errors(400, 503)},
            params=[
                {"name": "buyer", "in": "query", "schema": ADDRESS},
                {"name": "seller", "in": "query", "schema": ADDRESS},
                {"name": "listing", "in": "query", "schema": UINT_STRING},
                {"name": "state", "in": "query", "schema": {"type": "string"}},
                *PAGE,
            ], tag="orders")},
        "/api/orders/{order_id}": {"get": _op(
            "An order with its timeline, dispute, review and tokens", {"200": _json(), **read_errors},
            params=[_path_param("order_id", {"type": "string"})], tag="orders")},
        "/api/works": {"get": _op(
            "Registered works (copyright certificates), newest first", {"200": _json(), **_errors(400, 503)},
            params=[{"name": "holder", "in": "query", "schema": ADDRESS},
                    {"name": "creator", "in": "query", "schema": ADDRESS}, *PAGE], tag="copyright")},
        "/api/works/{work_id}": {"get": _op(
            "A work with its license offers", {"200": _json(), **read_errors},
            params=[_path_param("work_id", UINT_STRING)], tag="copyright")},
        "/api/licenses/verify": {"get": _op(
            "Whether an account holds a valid license for a work now, and why not", {"200": _json(), **read_errors},
            params=[{"name": "work", "in": "query", "required": True, "schema": UINT_STRING},
                    {"name": "account", "in": "query", "required": True, "schema": ADDRESS}], tag="copyright")},
        "/api/provenance": {"get": _op(
            "Provenance tokens by holder and/or producer (not_holder: held by anyone else), newest first, with the "
            "listing that holds each",
            {"200": _json(), **_errors(400, 503)},
            params=[{"name": "holder", "in": "query", "schema": ADDRESS},
                    {"name": "producer", "in": "query", "schema": ADDRESS},
                    {"name": "not_holder", "in": "query", "schema": ADDRESS},
                    {"name": "recalled", "in": "query", "schema": {"type": "string", "enum": ["true", "false"]}},
                    *PAGE], tag="provenance")},
        "/api/provenance/{token_id}": {"get": _op(
            "A provenance token: origin, holder, recall, appenders, trail and the hash-chain verdict",
            {"200": _json(), **read_errors}, params=[_path_param("token_id", UINT_STRING)], tag="provenance")},
        "/api/licenses": {"get": _op(
            "An account's licenses, whether each is valid now, and the uses recorded",
            {"200": _json(), **_errors(400, 503)},
            params=[{"name": "account", "in": "query", "required": True, "schema": ADDRESS}], tag="copyright")},
        "/api/seller/orders": {"get": _op(
            "The signed-in seller's open orders (to ship, in dispute) and unwithdrawn credits (sellers)",
            {"200": _json(), **_errors(401, 403, 503)}, tag="seller")},
        "/api/admin/index/rebuild": {"post": _op(
            "Rebuild the event index from scratch (admins)", {"200": _json(), **_errors(401, 403, 503)},
            params=[CSRF], tag="admin")},
        "/api/index/status": {"get": _op("How far the event index has got", {"200": _json(), **_errors(400)},
                                         tag="index")},
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "ChainMart dApp API", "version": "1.0.0",
                 "description": "Reads come from the event index; writes go on chain through the relay."},
        "paths": paths,
        "components": {"schemas": {
            "Error": {"type": "object", "required": ["error", "status"],
                      "properties": {"error": {"type": "string"}, "status": {"type": "integer"}}},
            "Relay": {"type": "object", "required": ["request", "signature"], "properties": {
                "signature": {"type": "string", "pattern": "^0x[0-9a-fA-F]{130}$"},
                "request": {"type": "object",
                            "required": ["from", "to", "value", "gas", "nonce", "deadline", "data"],
                            "properties": {
                                "from": ADDRESS, "to": ADDRESS,
                                "value": {"type": ["integer", "string"]}, "gas": {"type": ["integer", "string"]},
                                "nonce": {"type": ["integer", "string"]}, "deadline": {"type": ["integer", "string"]},
                                "data": {"type": "string", "pattern": "^0x([0-9a-fA-F]{2})*$"}}}}},
        }},
    }
