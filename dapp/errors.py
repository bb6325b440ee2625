"""The dApp's exceptions: one root, specific subclasses that also inherit the builtin they resemble.

Each carries the HTTP status the JSON API answers with, and a message that says what to do next.
"""
from __future__ import annotations


class ChainMartError(Exception):
    """Root of every error the dApp raises on purpose."""

    status = 500

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


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


class PayloadTooLarge(ChainMartError, ValueError):
    status = 413


class UnsupportedMediaType(ChainMartError, ValueError):
    status = 415


class RateLimited(ChainMartError):
    status = 429


class ServiceUnavailable(ChainMartError, ConnectionError):
    status = 503


class ChainUnavailable(ServiceUnavailable):
    """The Ethereum node does not answer."""

    def __init__(self, rpc_url: str, cause: Exception | None = None):
        detail = f": {cause}" if cause else ""
        super().__init__(f"The Ethereum node at {rpc_url} does not answer{detail}. Is the chain running (make run)?")


class NotDeployed(ServiceUnavailable, LookupError):
    """The connected chain has no ChainMart deployment recorded, or its contracts are missing."""


class WrongChain(ServiceUnavailable):
    """The node's chain id differs from the one the dApp was configured for."""
