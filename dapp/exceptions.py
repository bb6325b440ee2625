"""Every error the dApp raises on purpose.

One root, ``ChainMartError``; each specific error also inherits the builtin it resembles, so
callers that only know Python (``except ValueError``) still catch it. Each carries the HTTP
``status`` the JSON API answers with and a message that says what to do next.
"""
from __future__ import annotations


class ChainMartError(Exception):
    """Root of every error the dApp raises on purpose."""

    status = 500

    def __init__(self, message: str = "", *, status: int | None = None):
        super().__init__(message)
        self.message = message or self.__class__.__doc__ or self.__class__.__name__
        if status is not None:
            self.status = status


class ConfigError(ChainMartError, ValueError):
    """A configuration value is missing or cannot be used."""


# ---------------------------------------------------------------- HTTP-shaped refusals


class BadRequest(ChainMartError, ValueError):
    status = 400


class Unauthorized(ChainMartError, PermissionError):
    status = 401


class Forbidden(ChainMartError, PermissionError):
    status = 403


class NotFound(ChainMartError, LookupError):
    status = 404


class Conflict(ChainMartError, ValueError):
    status = 409


class RateLimited(ChainMartError):
    status = 429


class ServiceUnavailable(ChainMartError, ConnectionError):
    status = 503


# ---------------------------------------------------------------- the chain


class ChainUnavailable(ServiceUnavailable):
    """The Ethereum node does not answer."""

    def __init__(self, rpc_url: str, cause: Exception | None = None):
        detail = f": {cause}" if cause else ""
        super().__init__(f"The Ethereum node at {rpc_url} does not answer{detail}. Is the chain running (make run)?")


class NodeError(ChainMartError, RuntimeError):
    """The node answered a JSON-RPC call with an error (a revert, a rejected transaction, ...)."""

    status = 502

    def __init__(self, method: str, code: int | None, message: str, data: object = None):
        super().__init__(f"The node refused {method}: {message}")
        self.method = method
        self.code = code
        self.reason = message
        self.data = data


class NotDeployed(ServiceUnavailable, LookupError):
    """The connected chain has no ChainMart deployment recorded, or its contracts are missing."""


class WrongChain(ServiceUnavailable):
    """The node's chain id differs from the one the dApp was configured for."""


# ---------------------------------------------------------------- content identifiers


class InvalidCid(ChainMartError, ValueError):
    """A string is not a content identifier this project can use."""

    status = 400

    def __init__(self, value: object, reason: str) -> None:
        self.value = value
        self.reason = reason
        shown = repr(value) if not isinstance(value, str) or len(value) <= 80 else repr(value[:77] + "...")
        super().__init__(
            f"{shown} is not a valid CID: {reason}. Expected a CIDv1 in base32 "
            "(starts with 'b', e.g. 'bafkrei...') or a CIDv0 (46 characters starting with 'Qm')."
        )


# ---------------------------------------------------------------- content stores


class ContentStoreError(ChainMartError):
    """Storing or fetching content failed."""

    status = 502


class IpfsUnavailable(ContentStoreError, ConnectionError):
    """The IPFS node cannot be reached or did not answer in time. Retry later."""

    status = 503

    def __init__(self, api_addr: str, detail: str, action: str = "answer") -> None:
        self.api_addr = api_addr
        self.detail = detail
        super().__init__(
            f"the IPFS node at {api_addr} is unavailable ({detail}), so it could not {action}. "
            "Check that the node is running and IPFS_API_ADDR points at its RPC API, then retry."
        )


class IpfsNodeError(ContentStoreError, RuntimeError):
    """The IPFS node answered, but with an error or an answer this project cannot accept."""


class ContentNotFound(ContentStoreError, LookupError):
    """The store does not hold content for this CID (or could not find it in time)."""

    status = 404

    def __init__(self, cid: str, where: str) -> None:
        self.cid = cid
        super().__init__(f"no content for CID {cid} in {where}")


class ContentIntegrityError(ContentStoreError, ValueError):
    """Bytes do not hash to the CID they are stored or offered under."""

    def __init__(self, expected: str, actual: str, detail: str = "") -> None:
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"content does not match its CID: expected {expected}, the bytes hash to {actual}"
            + (f" ({detail})" if detail else "")
        )


# ---------------------------------------------------------------- upload checks


class UploadRejected(ChainMartError, ValueError):
    """An upload failed a content check; the message says what to change."""

    status = 400


class EmptyUpload(UploadRejected):
    """The upload has no bytes."""


class UploadTooLarge(UploadRejected):
    """The upload is larger than its kind allows."""

    status = 413

    def __init__(self, size: int | None, limit: int, what: str = "file") -> None:
        self.size = size
        self.limit = limit
        got = f"{_human_size(size)}" if size is not None else f"more than {_human_size(limit)}"
        super().__init__(f"the {what} is too large: {got}; the limit is {_human_size(limit)}")


class UnsupportedMediaType(UploadRejected):
    """The upload's content (not its name) is not one of the allowed types."""

    status = 415

    def __init__(self, detected: str, allowed: list[str], filename: str | None = None) -> None:
        self.detected = detected
        self.allowed = allowed
        named = f" (named {filename!r}; names are not trusted)" if filename else ""
        super().__init__(
            f"the file's content is {detected}{named}, which is not accepted here; "
            f"upload one of: {', '.join(allowed)}"
        )


class InvalidMetadata(UploadRejected):
    """Token metadata JSON is malformed; ``field`` names the offending field, if any."""

    status = 422

    def __init__(self, field: str | None, problem: str) -> None:
        self.field = field
        self.problem = problem
        where = f"field {field!r}: " if field else ""
        super().__init__(f"invalid token metadata: {where}{problem}")


def _human_size(n: int) -> str:
    if n < 1024:
        return f"{n} bytes"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KiB"
    return f"{n / (1024 * 1024):.1f} MiB"
