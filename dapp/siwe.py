"""Sign-In with Ethereum (EIP-4361): parse a message, check it, recover its signer.

The server issues a one-time nonce; the wallet signs the EIP-4361 text with `personal_sign`
(EIP-191); the server checks domain, URI, chain id, nonce, issued-at and expiry, and that the
signature recovers to the message's address.
"""
from __future__ import annotations

import re
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from eth_account import Account
from eth_account.messages import encode_defunct
from eth_utils import is_checksum_address

from dapp.exceptions import BadRequest, Unauthorized

_HEADER = re.compile(r"^(?P<domain>[^\s]+) wants you to sign in with your Ethereum account:$")
_FIELD = re.compile(r"^(?P<key>URI|Version|Chain ID|Nonce|Issued At|Expiration Time|Not Before|Request ID): (?P<value>.+)$")
_NONCE = re.compile(r"^[A-Za-z0-9]{8,}$")
CLOCK_SKEW = 60  # seconds of disagreement between the wallet's clock and ours that we accept


@dataclass(frozen=True)
class SiweMessage:
    domain: str
    address: str
    statement: str | None
    uri: str
    version: str
    chain_id: int
    nonce: str
    issued_at: datetime
    expiration_time: datetime | None = None
    not_before: datetime | None = None
    request_id: str | None = None

    @classmethod
    def parse(cls, text: str) -> "SiweMessage":
        if not isinstance(text, str):
            raise BadRequest("'message' must be the EIP-4361 text the wallet signed.")
        lines = text.split("\n")
        header = _HEADER.match(lines[0]) if lines else None
        if not header or len(lines) < 8:
            raise BadRequest("Not an EIP-4361 sign-in message: the first line must be "
                             "'<domain> wants you to sign in with your Ethereum account:'.")
        address = lines[1].strip()
        if not is_checksum_address(address):
            raise BadRequest(f"The message's address {address!r} must be an EIP-55 checksummed address.")
        # Line 2 is blank; an optional statement follows with one more blank line.
        index, statement = 3, None
        if lines[3] and not _FIELD.match(lines[3]):
            statement, index = lines[3], 5
            if lines[4] != "":
                raise BadRequest("The statement must be followed by a blank line.")
        fields: dict[str, str] = {}
        for line in lines[index:]:
            if line.startswith("Resources:") or line.startswith("- "):
                continue
            match = _FIELD.match(line)
            if not match:
                raise BadRequest(f"Unexpected line in the sign-in message: {line!r}.")
            fields[match["key"]] = match["value"]
        for required in ("URI", "Version", "Chain ID", "Nonce", "Issued At"):
            if required not in fields:
                raise BadRequest(f"The sign-in message lacks its '{required}' field.")
        if fields["Version"] != "1":
            raise BadRequest(f"Unsupported sign-in message version {fields['Version']!r} (expected 1).")
        try:
            chain_id = int(fields["Chain ID"])
        except ValueError as exc:
            raise BadRequest("'Chain ID' must be a number.") from exc
        return cls(
            domain=header["domain"],
            address=address,
            statement=statement,
            uri=fields["URI"],
            version=fields["Version"],
            chain_id=chain_id,
            nonce=fields["Nonce"],
            issued_at=_timestamp(fields["Issued At"], "Issued At"),
            expiration_time=_timestamp(fields["Expiration Time"], "Expiration Time") if "Expiration Time" in fields else None,
            not_before=_timestamp(fields["Not Before"], "Not Before") if "Not Before" in fields else None,
            request_id=fields.get("Request ID"),
        )


class NonceBook:
    """One-time nonces: issued with a lifetime, consumed by the first sign-in that uses them."""

    def __init__(self, ttl: int = 600):
        self.ttl = ttl
        self._issued: dict[str, float] = {}
        self._lock = threading.Lock()

    def issue(self) -> str:
        nonce = secrets.token_urlsafe(16).replace("-", "a").replace("_", "b")
        with self._lock:
            now = time.time()
            self._issued = {n: t for n, t in self._issued.items() if t > now}
            self._issued[nonce] = now + self.ttl
        return nonce

    def consume(self, nonce: str) -> bool:
        with self._lock:
            expires = self._issued.pop(nonce, None)
        return expires is not None and expires > time.time()


def verify(text: str, signature: str, *, domain: str, chain_id: int, nonces: NonceBook, now: float | None = None) -> SiweMessage:
    """Check a signed sign-in message; return it, or raise Unauthorized/BadRequest saying why."""
    message = SiweMessage.parse(text)
    now = time.time() if now is None else now
    if message.domain != domain:
        raise Unauthorized(f"The message is for {message.domain}, not {domain}: a phishing page may have asked for it.")
    if message.chain_id != chain_id:
        raise Unauthorized(f"The message is for chain {message.chain_id}; this server is on chain {chain_id}.")
    if not _NONCE.match(message.nonce):
        raise BadRequest("The nonce must be at least 8 letters or digits.")
    if message.issued_at.timestamp() > now + CLOCK_SKEW:
        raise Unauthorized("The message is issued in the future: check the device clock.")
    if message.expiration_time and message.expiration_time.timestamp() <= now:
        raise Unauthorized("The sign-in message has expired: sign in again.")
    if message.not_before and message.not_before.timestamp() > now + CLOCK_SKEW:
        raise Unauthorized("The sign-in message is not valid yet.")
    if not isinstance(signature, str) or not signature.startswith("0x"):
        raise BadRequest("'signature' must be a 0x-prefixed hex string.")
    try:
        signer = Account.recover_message(encode_defunct(text=text), signature=signature)
    except Exception as exc:
        raise Unauthorized(f"The signature is malformed: {exc}.") from exc
    if signer != message.address:
        raise Unauthorized(f"The signature is from {signer}, not {message.address}.")
    # The nonce is spent last, so a request refused above can be retried with the same nonce.
    if not nonces.consume(message.nonce):
        raise Unauthorized("Unknown, used or expired nonce: ask for a new one and sign again.")
    return message


def build_message(*, domain: str, address: str, uri: str, chain_id: int, nonce: str, issued_at: datetime,
                  expiration_time: datetime | None = None, statement: str | None = None) -> str:
    """The EIP-4361 text for these fields (what the pages ask the wallet to sign)."""
    lines = [f"{domain} wants you to sign in with your Ethereum account:", address, ""]
    if statement:
        lines += [statement, ""]
    lines += [f"URI: {uri}", "Version: 1", f"Chain ID: {chain_id}", f"Nonce: {nonce}", f"Issued At: {_iso(issued_at)}"]
    if expiration_time:
        lines.append(f"Expiration Time: {_iso(expiration_time)}")
    return "\n".join(lines)


def _timestamp(value: str, field: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadRequest(f"'{field}' must be an RFC 3339 date-time, got {value!r}.") from exc
    if parsed.tzinfo is None:
        raise BadRequest(f"'{field}' must carry a time zone (e.g. a trailing Z).")
    return parsed


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
