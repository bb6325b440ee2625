"""Query-string and path parameters of the read API, validated: anything malformed is a 400.

A route names the parameters it takes; an unknown or repeated one is refused rather than
ignored, so a typo (`?sellr=`) fails loudly instead of returning an unfiltered list.
"""
from __future__ import annotations

import functools
import math
import re
import sqlite3
from typing import Any, Iterable, Mapping

from eth_typing import ChecksumAddress
from web3 import Web3
from werkzeug.datastructures import MultiDict

from dapp.exceptions import BadRequest

MAX_UINT256 = 2**256 - 1
MAX_UINT64 = 2**64 - 1
MAX_SQLITE_INTEGER = 2**63 - 1  # ids above it cannot be in the index (the chain counts from 1)
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 1_000_000
ETH = "0x0000000000000000000000000000000000000000"
PAGE_PARAMS = ("page", "per_page")


class Query:
    """The request's query string, restricted to the parameters a route accepts."""

    def __init__(self, args: MultiDict, allowed: Iterable[str]):
        allowed = set(allowed)
        unknown = sorted(set(args) - allowed)
        if unknown:
            raise BadRequest(
                f"Unknown query parameter(s): {', '.join(unknown)}. This route takes: {', '.join(sorted(allowed))}."
            )
        for name in args:
            if len(args.getlist(name)) > 1:
                raise BadRequest(f"Query parameter '{name}' is given more than once.")
        self.args = args

    def text(self, name: str, *, max_length: int = 200) -> str | None:
        value = self.args.get(name)
        if value is None:
            return None
        value = value.strip()
        if not value or len(value) > max_length:
            raise BadRequest(f"'{name}' must be 1 to {max_length} characters.")
        return value

    def address(self, name: str) -> ChecksumAddress | None:
        value = self.args.get(name)
        return None if value is None else parse_address(value, name)

    def asset(self, name: str = "asset") -> ChecksumAddress | None:
        """A payment asset: a token address, or `ETH` (the zero address)."""
        value = self.args.get(name)
        if value is None:
            return None
        return Web3.to_checksum_address(ETH) if value.upper() == "ETH" else parse_address(value, name)

    def uint(
        self, name: str, *, default: int | None = None, minimum: int = 0, maximum: int = MAX_UINT256
    ) -> int | None:
        value = self.args.get(name)
        if value is None:
            return default
        return parse_uint(value, name, minimum=minimum, maximum=maximum)

    def boolean(self, name: str) -> bool | None:
        value = self.args.get(name)
        if value is None:
            return None
        if value.lower() in ("true", "1", "yes"):
            return True
        if value.lower() in ("false", "0", "no"):
            return False
        raise BadRequest(f"'{name}' must be true or false, got {value!r}.")

    def choice(self, name: str, choices: Iterable[str], default: str) -> str:
        choices = tuple(choices)
        value = self.args.get(name, default)
        if value not in choices:
            raise BadRequest(f"'{name}' must be one of {', '.join(choices)}; got {value!r}.")
        return value

    def page(self) -> tuple[int, int]:
        """(page, per_page): pages count from 1; per_page is 1..MAX_PER_PAGE."""
        page = self.uint("page", default=1, minimum=1, maximum=MAX_PAGE)
        per_page = self.uint("per_page", default=DEFAULT_PER_PAGE, minimum=1, maximum=MAX_PER_PAGE)
        return page, per_page


def parse_uint(value: str, name: str, *, minimum: int = 0, maximum: int = MAX_UINT256) -> int:
    """A decimal integer (digits only: no sign, no exponent, no fraction) within the bounds."""
    if not value.isascii() or not value.isdigit() or len(value) > 80:
        raise BadRequest(f"'{name}' must be a whole number from {minimum} to {maximum}, got {value!r}.")
    number = int(value)
    if not minimum <= number <= maximum:
        raise BadRequest(f"'{name}' must be a whole number from {minimum} to {maximum}, got {value!r}.")
    return number


@functools.lru_cache(maxsize=4096)  # the same sellers and assets come back in query after query
def parse_address(value: str, name: str) -> ChecksumAddress:
    """A 0x address, lower-case or correctly checksummed (a wrong checksum is a typo: refused)."""
    mixed_case = value[2:] != value[2:].lower() and value[2:] != value[2:].upper()
    if not Web3.is_address(value) or (mixed_case and not Web3.is_checksum_address(value)):
        raise BadRequest(
            f"'{name}' must be a 0x-prefixed 20-byte address (EIP-55 checksum if mixed case), got {value!r}."
        )
    return Web3.to_checksum_address(value)


def parse_order_id(value: str) -> int:
    """An order id, decimal or 0x-hex, within uint256."""
    if re.fullmatch(r"0[xX][0-9a-fA-F]{1,64}", value):
        return int(value, 16)
    if re.fullmatch(r"[0-9]{1,78}", value) and int(value) <= MAX_UINT256:
        return int(value)
    raise BadRequest(f"The order id must be a uint256 in decimal or 0x-hex, got {value!r}.")


def paginate(
    db: sqlite3.Connection, select: str, from_where: str, params: tuple, order_by: str, page: int, per_page: int
) -> tuple[list[sqlite3.Row], dict[str, Any]]:
    """One page of `SELECT {select} {from_where} ORDER BY {order_by}` and its paging facts."""
    total = db.execute(f"SELECT COUNT(*) {from_where}", params).fetchone()[0]
    rows = db.execute(
        f"SELECT {select} {from_where} ORDER BY {order_by} LIMIT ? OFFSET ?",
        (*params, per_page, (page - 1) * per_page),
    ).fetchall()
    return rows, {"page": page, "perPage": per_page, "total": total, "pages": math.ceil(total / per_page)}


def where(conditions: Mapping[str, Any] | list[tuple[str, Any]]) -> tuple[str, tuple]:
    """`WHERE a AND b ...` and its parameters from (sql, value) pairs. A None value skips the pair
    (the filter was not asked for); a tuple gives several parameters, `()` none."""
    pairs = conditions.items() if isinstance(conditions, Mapping) else conditions
    clauses, params = [], []
    for clause, value in pairs:
        if value is None:
            continue
        clauses.append(clause)
        params.extend(value if isinstance(value, tuple) else (value,))
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", tuple(params)
