"""GET /ipfs/<cid>: a read-only gateway over the content store.

Content is served only after its bytes hash to the CID (the stores verify on read), with the
type detected from the bytes, and cached forever: a CID's content can never change.
"""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from dapp.api.media import content_store
from dapp.cid import parse_cid
from dapp.exceptions import ChainMartError
from dapp.uploads import detect_media_type

gateway = Blueprint("gateway", __name__)
IMMUTABLE = "public, max-age=31536000, immutable"


@gateway.get("/ipfs/<cid>")
def serve(cid: str):
    parsed = parse_cid(cid)
    canonical = str(parsed)
    etag = f'"{canonical}"'
    if request.headers.get("If-None-Match") == etag:
        return Response(status=304, headers={"ETag": etag, "Cache-Control": IMMUTABLE})
    data = content_store().get(cid)
    media_type = detect_media_type(data) or "application/octet-stream"
    if media_type.startswith("text/") or media_type == "application/json":
        media_type += "; charset=utf-8"
    return Response(
        data,
        mimetype=None,
        headers={
            "Content-Type": media_type,
            "Cache-Control": IMMUTABLE,
            "ETag": etag,
            "X-Ipfs-Path": f"/ipfs/{canonical}",
            "X-Content-Type-Options": "nosniff",
            # Served bytes come from users: never let them run as a page of this origin.
            "Content-Security-Policy": "default-src 'none'; img-src 'self'; media-src 'self'; sandbox",
        },
    )


@gateway.errorhandler(ChainMartError)
def _gateway_error(exc: ChainMartError):
    return jsonify({"error": exc.message, "status": exc.status}), exc.status
