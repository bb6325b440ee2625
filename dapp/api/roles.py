"""Endpoints for one role: the signed-in seller's work queue, and admin maintenance."""
from __future__ import annotations

from flask import current_app, jsonify

from dapp.api import api
from dapp.auth import require_role, signed_in_address
from dapp.index_db import get_index

OPEN_FOR_SELLER = ("Paid", "Shipped", "Disputed")


@api.get("/seller/orders")
@require_role("seller")
def seller_orders():
    """Orders that need the seller (to ship, awaiting the buyer, in dispute), and credits to withdraw."""
    seller = signed_in_address()
    db = get_index()
    rows = db.execute(
        "SELECT id, listing_id, buyer, asset, quantity, amount, state, deadline FROM orders "
        f"WHERE seller = ? AND state IN ({', '.join('?' * len(OPEN_FOR_SELLER))}) ORDER BY deadline ASC",
        (seller, *OPEN_FOR_SELLER),
    ).fetchall()
    market = current_app.extensions["chain"].contract("Marketplace")
    credits = {asset: str(market.functions.creditOf(seller, asset).call())
               for asset in market.functions.allowedAssets().call()}
    return jsonify({
        "seller": seller,
        "orders": [{"id": r["id"], "listingId": r["listing_id"], "buyer": r["buyer"], "asset": r["asset"],
                    "quantity": r["quantity"], "amount": r["amount"], "state": r["state"],
                    "deadline": r["deadline"]} for r in rows],
        "credits": credits,
    })


@api.post("/admin/index/rebuild")
@require_role("admin")
def rebuild_index():
    report = current_app.extensions["indexer"].rebuild()
    return jsonify(report.to_json())
