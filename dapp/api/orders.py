"""Orders with their timelines, read from the event index: GET /api/orders and /api/orders/<orderId>.

Order ids are uint256 (buyer << 96 | listingId << 32 | sequence), so they travel as decimal
strings; a path may give one in decimal or 0x-hex.
"""
from __future__ import annotations

import json
import sqlite3
from typing import Any

from flask import jsonify, request

from dapp.api import api
from dapp.api.catalog import review_json
from dapp.api.params import MAX_SQLITE_INTEGER, MAX_UINT64, PAGE_PARAMS, Query, paginate, parse_order_id, where
from dapp.exceptions import BadRequest, NotFound
from dapp.index_db import get_index
from dapp.indexer import ORDER_STATES

ORDER_FROM = "FROM orders o LEFT JOIN listings l ON l.id = o.listing_id"
ORDER_COLUMNS = "o.*, l.title AS listing_title"


@api.get("/orders")
def list_orders():
    query = Query(request.args, ("buyer", "seller", "listing", "state", *PAGE_PARAMS))
    buyer, seller = query.address("buyer"), query.address("seller")
    state = query.args.get("state")
    if state is not None and state not in ORDER_STATES[1:]:
        raise BadRequest(f"'state' must be one of {', '.join(ORDER_STATES[1:])}; got {state!r}.")
    if buyer is None and seller is None and state is None:
        # Every order of every account is not a page anyone needs; one state is (arbiters: Disputed).
        raise BadRequest("Give 'buyer', 'seller' or 'state': the orders of which account, or in which state?")
    listing = query.uint("listing", minimum=1, maximum=MAX_UINT64)
    page, per_page = query.page()
    where_sql, params = where([
        ("o.buyer = ?", buyer),
        ("o.seller = ?", seller),
        ("o.listing_id = ?", listing if listing is None or listing <= MAX_SQLITE_INTEGER else -1),
        ("o.state = ?", state),
    ])
    db = get_index()
    rows, paging = paginate(db, ORDER_COLUMNS, ORDER_FROM + where_sql, params, "o.placed_block DESC, o.rowid DESC",
                            page, per_page)
    ids = [row["id"] for row in rows]
    timelines, tokens = _timelines(db, ids), _tokens(db, ids)
    items = [{**order_json(row, timelines.get(row["id"], [])), "tokens": tokens.get(row["id"], [])} for row in rows]
    return jsonify({"items": items, **paging})


@api.get("/orders/<order_id>")
def get_order(order_id: str):
    Query(request.args, ())
    number = parse_order_id(order_id)
    db = get_index()
    row = db.execute(f"SELECT {ORDER_COLUMNS} {ORDER_FROM} WHERE o.id = ?", (str(number),)).fetchone()
    if row is None:
        raise NotFound(f"No order {number} in the index (it may not be indexed yet: see /api/index/status).")
    body = order_json(row, _timelines(db, [row["id"]]).get(row["id"], []))
    dispute = db.execute("SELECT * FROM disputes WHERE order_id = ?", (row["id"],)).fetchone()
    review = db.execute("SELECT * FROM reviews WHERE order_id = ?", (row["id"],)).fetchone()
    body["dispute"] = None if dispute is None else _dispute_json(db, dispute)
    body["review"] = None if review is None else review_json(review)
    body["tokens"] = _tokens(db, [row["id"]]).get(row["id"], [])
    return jsonify(body)


def order_json(row: sqlite3.Row, timeline: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "listingId": row["listing_id"],
        "listingTitle": row["listing_title"],
        "sequence": row["sequence"],
        "buyer": row["buyer"],
        "seller": row["seller"],
        "asset": row["asset"],
        "quantity": row["quantity"],
        "amount": row["amount"],
        "state": row["state"],
        "deadline": row["deadline"],
        "feeBps": row["fee_bps"],
        "reviewed": bool(row["reviewed"]),
        "trackingRef": row["tracking_ref"],
        "settlementOffer": row["settlement_offer"],
        "refund": row["refund"],
        "sellerAmount": row["seller_amount"],
        "fee": row["fee"],
        "placedBlock": row["placed_block"],
        "placedAt": row["placed_at"],
        "updatedBlock": row["updated_block"],
        "updatedAt": row["updated_at"],
        "closedAt": row["closed_at"],
        "timeline": timeline,
    }


def _timelines(db: sqlite3.Connection, order_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    if not order_ids:
        return {}
    marks = ", ".join("?" * len(order_ids))
    timelines: dict[str, list[dict[str, Any]]] = {}
    for e in db.execute(
        f"SELECT * FROM order_events WHERE order_id IN ({marks}) ORDER BY block, log_index", order_ids
    ):
        timelines.setdefault(e["order_id"], []).append({
            "event": e["event"],
            "state": e["state"],
            "actor": e["actor"],
            "block": e["block"],
            "logIndex": e["log_index"],
            "txHash": e["tx_hash"],
            "timestamp": e["timestamp"],
            "details": json.loads(e["details"]),
        })
    return timelines


def _tokens(db: sqlite3.Connection, order_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The provenance tokens of traced orders, and where each went (reserved, delivered, ...)."""
    if not order_ids:
        return {}
    marks = ", ".join("?" * len(order_ids))
    tokens: dict[str, list[dict[str, Any]]] = {}
    for t in db.execute(
        f"SELECT order_id, token_id, status FROM order_tokens WHERE order_id IN ({marks}) ORDER BY order_id, position",
        order_ids,
    ):
        tokens.setdefault(t["order_id"], []).append({"tokenId": t["token_id"], "status": t["status"]})
    return tokens


def _dispute_json(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    evidence = db.execute("SELECT * FROM evidence WHERE order_id = ? ORDER BY block, log_index", (row["order_id"],))
    return {
        "openedBy": row["opened_by"],
        "openedBlock": row["opened_block"],
        "openedAt": row["opened_at"],
        "outcome": row["outcome"],
        "buyerBps": row["buyer_bps"],
        "refund": row["refund"],
        "sellerAmount": row["seller_amount"],
        "fee": row["fee"],
        "resolvedBy": row["resolved_by"],
        "closedBlock": row["closed_block"],
        "closedAt": row["closed_at"],
        "evidence": [
            {"by": e["submitted_by"], "cid": e["cid"], "block": e["block"], "timestamp": e["timestamp"]}
            for e in evidence
        ],
    }
