"""Product media on IPFS: POST /api/uploads stores a checked file; POST /api/metadata stores
validated ERC-721 metadata JSON. Both answer the CID kubo would give the same bytes.

Uploads need a signed-in session (and its CSRF token): storage is not an open drop box.
"""
from __future__ import annotations

import hashlib
import json

from flask import current_app, jsonify, request

from dapp.api import api, error_response
from dapp.auth import require_signed_in
from dapp.exceptions import BadRequest, UploadTooLarge
from dapp.ipfs import ContentStore, store_from_config
from dapp.uploads import POLICIES, read_limited, validate_token_metadata


def content_store() -> ContentStore:
    app = current_app._get_current_object()
    store = app.extensions.get("ipfs")
    if store is None:
        store = app.extensions.setdefault("ipfs", store_from_config(app.config))
    return store


@api.post("/uploads")
@require_signed_in
def upload():
    kind = request.args.get("kind", "")
    policy = POLICIES.get(kind)
    if policy is None:
        return error_response(400, f"'kind' must be one of: {', '.join(sorted(POLICIES))}.")
    file = request.files.get("file")
    if file is None:
        return error_response(400, "Send the file as multipart/form-data field 'file'.")
    limit = min(policy.max_bytes, current_app.config["MAX_UPLOAD_BYTES"])
    data = read_limited(file.stream, limit)
    if len(data) > limit:  # read_limited refuses larger, this is a belt to its braces
        raise UploadTooLarge(len(data), limit)
    media_type = policy.check(data, filename=file.filename)
    if kind == "metadata":
        validate_token_metadata(data)
    return _stored(data, media_type, kind)


@api.post("/metadata")
@require_signed_in
def store_metadata():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("Expected ERC-721 metadata as a JSON object.")
    document = validate_token_metadata(body)
    data = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return _stored(data, "application/json", "metadata")


def _stored(data: bytes, media_type: str, kind: str):
    cid = content_store().add(data)
    return (
        jsonify(
            {
                "cid": cid,
                "size": len(data),
                "mediaType": media_type,
                "kind": kind,
                "sha256": "0x" + hashlib.sha256(data).hexdigest(),
                "url": f"/ipfs/{cid}",
            }
        ),
        201,
    )
