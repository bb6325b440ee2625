"""The catalogue, read from the event index: GET /api/listings, /api/listings/<id>, /api/categories,
/api/sellers, /api/sellers/<address>.

Amounts are decimal strings in the asset's base units (wei, or the token's smallest unit);
`asset` is the zero address for ETH. Search is over the listing's title and description, and the
category is the metadata's "category" attribute: the indexer fills all three from the metadata
document once it can load it (`Indexer.metadata_loader`).
"""
from __future__ import annotations

import sqlite3
from typing import Any

from flask import jsonify, request

from dapp.api import api
from dapp.api.index_cache import kept_until_the_index_changes
from dapp.api.params import (
    MAX_SQLITE_INTEGER,
    MAX_UINT64,
    PAGE_PARAMS,
    Query,
    paginate,
    parse_address,
    parse_uint,
    where,
)
from dapp.exceptions import BadRequest, NotFound
from dapp.index_db import get_index, price_key, search_phrase

LISTING_SORTS = {
    "newest": "l.created_block DESC, l.id DESC",
    "oldest": "l.created_block ASC, l.id ASC",
    "price_asc": "l.price_key ASC, l.id ASC",
    "price_desc": "l.price_key DESC, l.id DESC",
}
LISTING_COLUMNS = "l.*, s.status AS seller_status"
LISTING_FROM = "FROM listings l LEFT JOIN sellers s ON s.address = l.seller"
LISTING_REVIEWS_SHOWN = 50
TRIGRAM = 3


@api.get("/listings")
@kept_until_the_index_changes
def list_listings():
    query = Query(request.args, ("seller", "asset", "category", "min_price", "max_price", "in_stock", "paused", "q",
                                 "sort", *PAGE_PARAMS))
    min_price, max_price = query.uint("min_price"), query.uint("max_price")
    if min_price is not None and max_price is not None and min_price > max_price:
        raise BadRequest(f"'min_price' ({min_price}) is above 'max_price' ({max_price}).")
    in_stock, paused, text = query.boolean("in_stock"), query.boolean("paused"), query.text("q")
    sort = query.choice("sort", LISTING_SORTS, "newest")
    page, per_page = query.page()
    where_sql, params = where([
        ("l.seller = ?", query.address("seller")),
        ("l.asset = ?", query.asset()),
        ("l.category = ? COLLATE NOCASE", query.text("category", max_length=60)),
        ("l.price_key >= ?", None if min_price is None else price_key(min_price)),
        ("l.price_key <= ?", None if max_price is None else price_key(max_price)),
        ("l.stock > 0" if in_stock else "l.stock = 0", None if in_stock is None else ()),
        ("l.paused = ?", None if paused is None else int(paused)),
        *_search(text),
    ])
    db = get_index()
    # The page's ids first, from the indexes alone (dapp/index_db.py has one per sort), then its rows.
    ids, paging = paginate(db, "l.id", "FROM listings l" + where_sql, params, LISTING_SORTS[sort], page, per_page)
    return jsonify({"items": [listing_json(row) for row in _listings_by_id(db, [r[0] for r in ids])], **paging,
                    "sort": sort})


def _listings_by_id(db: sqlite3.Connection, ids: list[int]) -> list[sqlite3.Row]:
    """The listings with these ids, in this order."""
    if not ids:
        return []
    found = {row["id"]: row for row in db.execute(
        f"SELECT {LISTING_COLUMNS} {LISTING_FROM} WHERE l.id IN ({', '.join('?' * len(ids))})", ids)}
    return [found[i] for i in ids if i in found]


@api.get("/listings/<listing_id>")
def get_listing(listing_id: str):
    Query(request.args, ())
    number = parse_uint(listing_id, "listingId", minimum=1, maximum=MAX_UINT64)
    db = get_index()
    row = None if number > MAX_SQLITE_INTEGER else db.execute(
        f"SELECT {LISTING_COLUMNS}, s.rating_count, s.rating_sum {LISTING_FROM} WHERE l.id = ?", (number,)
    ).fetchone()
    if row is None:
        raise NotFound(f"No listing {number} in the index (it may not be indexed yet: see /api/index/status).")
    reviews = db.execute(
        "SELECT * FROM reviews WHERE listing_id = ? ORDER BY block DESC, order_id DESC LIMIT ?",
        (number, LISTING_REVIEWS_SHOWN),
    ).fetchall()
    review_count = db.execute("SELECT COUNT(*) FROM reviews WHERE listing_id = ?", (number,)).fetchone()[0]
    tokens = db.execute(
        "SELECT token_id FROM listing_tokens WHERE listing_id = ? AND position >= ? ORDER BY position",
        (number, row["token_cursor"]),
    )
    return jsonify({
        **listing_json(row),
        "tokens": [t[0] for t in tokens],  # a traced listing's provenance tokens for sale, next first
        "sellerRating": rating_json(row["rating_count"], row["rating_sum"]),
        "reviewCount": review_count,
        "reviews": [review_json(r) for r in reviews],
    })


@api.get("/categories")
def list_categories():
    """The categories listings have, with how many listings each (case-insensitively one category)."""
    Query(request.args, ())
    rows = get_index().execute(
        "SELECT MIN(category) AS name, COUNT(*) AS listings FROM listings WHERE category IS NOT NULL "
        "GROUP BY category COLLATE NOCASE ORDER BY name COLLATE NOCASE"
    ).fetchall()
    return jsonify({"items": [{"name": r["name"], "listings": r["listings"]} for r in rows]})


SELLER_STATUSES = ("Applied", "Approved", "Suspended")


@api.get("/sellers")
def list_sellers():
    """Sellers by status (admins review the Applied ones), newest first."""
    query = Query(request.args, ("status", *PAGE_PARAMS))
    status = query.choice("status", SELLER_STATUSES, "Applied") if "status" in query.args else None
    page, per_page = query.page()
    where_sql, params = where([("status = ?", status)])
    rows, paging = paginate(get_index(), "*", "FROM sellers" + where_sql, params, "created_block DESC, seller_id DESC",
                            page, per_page)
    return jsonify({"items": [seller_summary(row) for row in rows], **paging})


def seller_summary(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "address": row["address"],
        "sellerId": row["seller_id"],
        "status": row["status"],
        "profileCid": row["profile_cid"],
        "rating": rating_json(row["rating_count"], row["rating_sum"]),
        "createdAt": row["created_at"],
    }


@api.get("/sellers/<address>")
def get_seller(address: str):
    Query(request.args, ())
    account = parse_address(address, "address")
    db = get_index()
    seller = db.execute("SELECT * FROM sellers WHERE address = ?", (account,)).fetchone()
    if seller is None:
        raise NotFound(f"{account} has never applied or been approved as a seller.")
    return jsonify({
        "address": seller["address"],
        "sellerId": seller["seller_id"],
        "status": seller["status"],
        "profileCid": seller["profile_cid"],
        "rating": rating_json(seller["rating_count"], seller["rating_sum"]),
        "createdBlock": seller["created_block"],
        "createdAt": seller["created_at"],
        "listings": db.execute("SELECT COUNT(*) FROM listings WHERE seller = ?", (account,)).fetchone()[0],
        "sales": _sales(db, account),
    })


def _sales(db: sqlite3.Connection, seller: str) -> dict[str, Any]:
    """Order counts, money per asset, and a per-day series (UTC) for a chart."""
    by_state = dict(db.execute("SELECT state, COUNT(*) FROM orders WHERE seller = ? GROUP BY state ORDER BY state",
                               (seller,)).fetchall())
    per_asset = db.execute(
        "SELECT asset, COUNT(*) AS orders, bigsum(amount) AS volume, "
        "bigsum(CASE WHEN closed_at IS NULL THEN amount END) AS in_escrow, "
        "bigsum(seller_amount) AS revenue, bigsum(fee) AS fees, bigsum(refund) AS refunds "
        "FROM orders WHERE seller = ? GROUP BY asset ORDER BY asset",
        (seller,),
    ).fetchall()
    placed = db.execute(
        "SELECT date(placed_at, 'unixepoch') AS day, COUNT(*) FROM orders WHERE seller = ? GROUP BY day",
        (seller,),
    ).fetchall()
    paid_out = db.execute(
        "SELECT date(closed_at, 'unixepoch') AS day, asset, bigsum(seller_amount) FROM orders "
        "WHERE seller = ? AND closed_at IS NOT NULL AND seller_amount != '0' GROUP BY day, asset",
        (seller,),
    ).fetchall()
    days: dict[str, dict[str, Any]] = {}
    for day, count in placed:
        days.setdefault(day, {"day": day, "ordersPlaced": 0, "revenue": {}})["ordersPlaced"] = count
    for day, asset, amount in paid_out:
        days.setdefault(day, {"day": day, "ordersPlaced": 0, "revenue": {}})["revenue"][asset] = amount
    return {
        "orders": sum(by_state.values()),
        "completed": by_state.get("Completed", 0),
        "byState": by_state,
        "perAsset": [
            {
                "asset": r["asset"],
                "orders": r["orders"],
                "volume": r["volume"],
                "inEscrow": r["in_escrow"] or "0",
                "revenue": r["revenue"] or "0",
                "fees": r["fees"] or "0",
                "refunds": r["refunds"] or "0",
            }
            for r in per_asset
        ],
        "daily": [days[day] for day in sorted(days)],
    }


def listing_json(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "seller": row["seller"],
        "sellerStatus": row["seller_status"],
        "asset": row["asset"],
        "price": row["price"],
        "stock": row["stock"],
        "shipWindow": row["ship_window"],
        "confirmWindow": row["confirm_window"],
        "paused": bool(row["paused"]),
        "orderCount": row["order_count"],
        "traced": bool(row["traced"]),
        "metadataCid": row["metadata_cid"],
        "title": row["title"],
        "description": row["description"],
        "category": row["category"],
        "metadataStatus": row["metadata_status"],
        "createdBlock": row["created_block"],
        "createdAt": row["created_at"],
        "updatedBlock": row["updated_block"],
    }


def review_json(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "orderId": row["order_id"],
        "listingId": row["listing_id"],
        "seller": row["seller"],
        "buyer": row["buyer"],
        "rating": row["rating"],
        "reviewCid": row["cid"],
        "block": row["block"],
        "timestamp": row["timestamp"],
    }


def rating_json(count: int | None, total: int | None) -> dict[str, Any]:
    count, total = count or 0, total or 0
    return {"count": count, "sum": total, "average": round(total / count, 2) if count else None}


def _search(text: str | None) -> list[tuple[str, Any]]:
    """The condition for `q`: a substring of the title or description, in any case. The trigram
    index finds strings of 3 characters or more; shorter ones are looked for row by row."""
    if text is None:
        return []
    if len(text) >= TRIGRAM:
        return [("l.id IN (SELECT rowid FROM listing_text WHERE listing_text MATCH ?)", search_phrase(text))]
    like = "%" + _escape_like(text) + "%"
    return [("(l.title LIKE ? ESCAPE '\\' OR l.description LIKE ? ESCAPE '\\')", (like, like))]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
