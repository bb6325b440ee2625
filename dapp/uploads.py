"""Checks an upload passes before it is stored: size, type by content, token metadata.

The type of a file is read from its bytes (magic numbers, and for JSON and text the whole
content), never from its name or the Content-Type the browser sent: an ``.exe`` renamed
``.png`` is still an executable. What is detected is what the dApp later serves it as.

Each kind of upload has a policy (``POLICIES``): which types it takes and how large it may be.
Failures raise ``UploadRejected`` subclasses whose messages tell the user what to change.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import IO, Any, Mapping

from dapp.cid import parse_cid
from dapp.exceptions import (
    EmptyUpload,
    InvalidCid,
    InvalidMetadata,
    UnsupportedMediaType,
    UploadTooLarge,
)

MiB = 1024 * 1024

PNG = "image/png"
JPEG = "image/jpeg"
GIF = "image/gif"
WEBP = "image/webp"
PDF = "application/pdf"
JSON = "application/json"
TEXT = "text/plain"
MP4 = "video/mp4"
WEBM = "video/webm"

TYPE_NAMES = {
    PNG: "PNG image",
    JPEG: "JPEG image",
    GIF: "GIF image",
    WEBP: "WebP image",
    PDF: "PDF document",
    JSON: "JSON document",
    TEXT: "plain text (UTF-8)",
    MP4: "MP4 video",
    WEBM: "WebM video",
}
IMAGES = frozenset({PNG, JPEG, GIF, WEBP})
VIDEOS = frozenset({MP4, WEBM})


@dataclass(frozen=True)
class UploadPolicy:
    """What one kind of upload may be: its allowed types and its largest size in bytes."""

    allowed_types: frozenset[str]
    max_bytes: int

    def check(self, data: bytes, *, filename: str | None = None) -> str:
        """The detected MIME type of ``data``, if this policy accepts it; else ``UploadRejected``."""
        if len(data) > self.max_bytes:
            raise UploadTooLarge(len(data), self.max_bytes)
        if not data:
            raise EmptyUpload("the file is empty; choose a file with content")
        detected = detect_media_type(data)
        if detected not in self.allowed_types:
            raise UnsupportedMediaType(
                describe_content(data), sorted(TYPE_NAMES[t] for t in self.allowed_types), filename
            )
        return detected

    def read(self, stream: IO[bytes]) -> bytes:
        """Read an upload stream, refusing it as soon as it passes ``max_bytes``."""
        return read_limited(stream, self.max_bytes)


# Per kind of upload. The endpoint picks one; the app may replace these from its config.
POLICIES: dict[str, UploadPolicy] = {
    "product-image": UploadPolicy(IMAGES, 10 * MiB),
    "passport": UploadPolicy(frozenset({JSON, PDF}), 5 * MiB),
    "evidence": UploadPolicy(IMAGES | VIDEOS | {PDF, TEXT}, 50 * MiB),
    "license": UploadPolicy(frozenset({TEXT, PDF, JSON}), 2 * MiB),
    "work": UploadPolicy(IMAGES | VIDEOS | {PDF, TEXT, JSON}, 50 * MiB),
    "metadata": UploadPolicy(frozenset({JSON}), 256 * 1024),
    # A buyer's review text and a seller's profile: small documents the pages write.
    "review": UploadPolicy(frozenset({TEXT, JSON}), 64 * 1024),
    "profile": UploadPolicy(frozenset({TEXT, JSON}), 64 * 1024),
}


def check_upload(kind: str, data: bytes, *, filename: str | None = None) -> str:
    """Check ``data`` against the policy for ``kind``; return its detected MIME type."""
    try:
        policy = POLICIES[kind]
    except KeyError:
        raise ValueError(f"unknown upload kind {kind!r}; known: {', '.join(sorted(POLICIES))}") from None
    return policy.check(data, filename=filename)


def read_limited(stream: IO[bytes], max_bytes: int) -> bytes:
    """All of ``stream``, reading at most one byte past ``max_bytes`` before refusing it."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UploadTooLarge(None, max_bytes)
    return data


# ---------------------------------------------------------------- detecting types


_MP4_BRANDS = frozenset(
    {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ", b"dash", b"mmp4"}
)
_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def detect_media_type(data: bytes) -> str | None:
    """The MIME type of ``data`` among the supported ones (``TYPE_NAMES``), or None."""
    head = data[:64]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"%PDF-"):
        return PDF
    if head[4:8] == b"ftyp" and head[8:12] in _MP4_BRANDS:
        return MP4
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in head:  # EBML header, DocType "webm"
        return WEBM
    text = _as_text(data)
    if text is None:
        return None
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith(("{", "[")):
        try:
            json.loads(stripped)
        except ValueError:
            return None  # looks like JSON, is not: better refused than served as text
        return JSON
    if stripped.startswith("<"):
        return None  # markup (HTML, SVG, XML): gateways would sniff and render it
    return TEXT


def describe_content(data: bytes) -> str:
    """What ``data`` looks like, for messages: a supported type or a well-known other one."""
    detected = detect_media_type(data)
    if detected is not None:
        return f"a {TYPE_NAMES[detected]}"
    head = data[:64]
    known = (
        (b"MZ", "a Windows executable"),
        (b"\x7fELF", "a Linux executable (ELF)"),
        (b"\xcf\xfa\xed\xfe", "a macOS executable"),
        (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
        (b"\x1f\x8b", "a gzip archive"),
        (b"Rar!", "a RAR archive"),
        (b"7z\xbc\xaf", "a 7-Zip archive"),
        (b"#!", "a script"),
    )
    for magic, name in known:
        if head.startswith(magic):
            return name
    if head[4:8] == b"ftyp":
        return f"an ISO media file of brand {head[8:12].decode('latin-1')!r} (not MP4 video)"
    text = _as_text(data)
    if text is not None:
        stripped = text.lstrip("\ufeff \t\r\n")
        if stripped.startswith("<"):
            return "markup (HTML, SVG or XML)"
        if stripped.startswith(("{", "[")):
            return "malformed JSON"
    return "an unrecognised binary format"


def _as_text(data: bytes) -> str | None:
    """``data`` as text if it is UTF-8 without control characters (tab, newlines, form feed pass)."""
    if _BINARY_BYTES.search(data):
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


# ---------------------------------------------------------------- token metadata (ERC-721)


MAX_NAME_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 10_000
MAX_ATTRIBUTES = 100
_ATTRIBUTE_KEYS = frozenset({"trait_type", "value", "display_type", "max_value"})


def validate_token_metadata(source: bytes | str | Mapping[str, Any]) -> dict[str, Any]:
    """Check ERC-721 metadata JSON; return it as a dict. ``InvalidMetadata`` names the field.

    Required: ``name`` (text), ``description`` (text), ``image`` (``ipfs://<CID>[/path]`` or
    a bare CID). Optional: ``attributes``, a list of ``{"trait_type": text, "value": text or
    number}`` (``display_type`` and ``max_value`` allowed, as marketplaces use them). Other
    top-level fields (``external_url``, ``animation_url``, ...) pass through unchecked.
    """
    metadata = _load_metadata(source)
    _require_text(metadata, "name", MAX_NAME_LENGTH, allow_empty=False)
    _require_text(metadata, "description", MAX_DESCRIPTION_LENGTH, allow_empty=True)
    if "image" not in metadata:
        raise InvalidMetadata("image", "is missing; give the image as ipfs://<CID> or a bare CID")
    check_ipfs_reference(metadata["image"], "image")
    if "attributes" in metadata:
        _check_attributes(metadata["attributes"])
    return metadata


def check_ipfs_reference(value: Any, field: str) -> str:
    """The CID in ``ipfs://<CID>[/path]`` or a bare CID; ``InvalidMetadata`` otherwise."""
    if not isinstance(value, str) or not value:
        raise InvalidMetadata(field, "must be an ipfs://<CID> URI or a CID (text)")
    if value.startswith(("http://", "https://")):
        raise InvalidMetadata(
            field, f"{value!r} is a web address; upload the file to IPFS and give ipfs://<CID> so it cannot change"
        )
    if value.startswith("ipfs://ipfs/"):
        raise InvalidMetadata(field, f"{value!r} uses the old ipfs://ipfs/ form; write ipfs://<CID>")
    cid_text = value[len("ipfs://") :].split("/", 1)[0] if value.startswith("ipfs://") else value
    try:
        parse_cid(cid_text)
    except InvalidCid as error:
        raise InvalidMetadata(field, f"does not hold a valid CID: {error.reason}") from None
    return cid_text


def _load_metadata(source: bytes | str | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(source, Mapping):
        metadata: Any = dict(source)
    else:
        try:
            text = source.decode("utf-8") if isinstance(source, (bytes, bytearray)) else source
            metadata = json.loads(text)
        except UnicodeDecodeError:
            raise InvalidMetadata(None, "it is not UTF-8 text; save the JSON file as UTF-8") from None
        except json.JSONDecodeError as error:
            raise InvalidMetadata(
                None, f"it is not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})"
            ) from None
    if not isinstance(metadata, dict):
        raise InvalidMetadata(None, f"it must be a JSON object ({{...}}), not {_json_kind(metadata)}")
    return metadata


def _require_text(metadata: Mapping[str, Any], field: str, max_length: int, *, allow_empty: bool) -> None:
    if field not in metadata:
        raise InvalidMetadata(field, "is missing")
    value = metadata[field]
    if not isinstance(value, str):
        raise InvalidMetadata(field, f"must be text, not {_json_kind(value)}")
    if not allow_empty and not value.strip():
        raise InvalidMetadata(field, "must not be empty")
    if len(value) > max_length:
        raise InvalidMetadata(field, f"is {len(value)} characters long; at most {max_length} are allowed")


def _check_attributes(attributes: Any) -> None:
    if not isinstance(attributes, list):
        raise InvalidMetadata("attributes", f"must be a list of {{trait_type, value}} objects, not {_json_kind(attributes)}")
    if len(attributes) > MAX_ATTRIBUTES:
        raise InvalidMetadata("attributes", f"has {len(attributes)} entries; at most {MAX_ATTRIBUTES} are allowed")
    for index, attribute in enumerate(attributes):
        where = f"attributes[{index}]"
        if not isinstance(attribute, dict):
            raise InvalidMetadata(where, f"must be an object with trait_type and value, not {_json_kind(attribute)}")
        unknown = sorted(set(attribute) - _ATTRIBUTE_KEYS)
        if unknown:
            raise InvalidMetadata(where, f"has unknown keys {', '.join(unknown)}; allowed: trait_type, value, display_type, max_value")
        trait = attribute.get("trait_type")
        if not isinstance(trait, str) or not trait.strip():
            raise InvalidMetadata(f"{where}.trait_type", "is missing or empty; name the trait, e.g. \"Material\"")
        if "value" not in attribute:
            raise InvalidMetadata(f"{where}.value", "is missing")
        value = attribute["value"]
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise InvalidMetadata(f"{where}.value", f"must be text or a number, not {_json_kind(value)}")
        if isinstance(value, float) and not math.isfinite(value):
            raise InvalidMetadata(f"{where}.value", "must be a finite number")
        if "display_type" in attribute and not isinstance(attribute["display_type"], str):
            raise InvalidMetadata(f"{where}.display_type", "must be text")
        max_value = attribute.get("max_value")
        if max_value is not None and (isinstance(max_value, bool) or not isinstance(max_value, (int, float))):
            raise InvalidMetadata(f"{where}.max_value", "must be a number")


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
