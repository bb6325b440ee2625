"""A seller's earnings over time, for the sales chart: GET /api/sellers/<address>/sales.

Earnings are what the seller was credited when an order ended (completed, settled or resolved by
an arbiter: the price less any refund and the platform fee), counted on the day (UTC) the order
ended, per payment asset. The buckets are days or ISO weeks (Monday to Sunday). Every bucket of
the range is in the answer, zero when nothing was earned, so a chart has no gaps; `since` and
`until` (Unix seconds) choose the buckets that contain them, whole.
"""
from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone

from flask import jsonify, request

from dapp.api import api
from dapp.api.params import Query, parse_address
from dapp.exceptions import BadRequest, NotFound
from dapp.index_db import get_index

STEP_DAYS = {"day": 1, "week": 7}
DEFAULT_BUCKETS = {"day": 30, "week": 26}  # the last 30 days, or the last 26 weeks
MAX_BUCKETS = 366
MAX_TIMESTAMP = 4_102_444_800  # 2100-01-01: a bound that keeps date arithmetic far from its limits


@api.get("/sellers/<address>/sales")
def seller_sales(address: str):
    query = Query(request.args, ("interval", "since", "until"))
    seller = parse_address(address, "address")
    interval = query.choice("interval", tuple(STEP_DAYS), "day")
    step = timedelta(days=STEP_DAYS[interval])
    db = get_index()
    if db.execute("SELECT 1 FROM sellers WHERE address = ?", (seller,)).fetchone() is None:
        raise NotFound(f"{seller} has never applied or been approved as a seller.")

    until = query.uint("until", default=_index_time(db), maximum=MAX_TIMESTAMP)
    last = _bucket_of(until, interval)
    since = query.uint("since", maximum=MAX_TIMESTAMP)
    first = last - step * (DEFAULT_BUCKETS[interval] - 1) if since is None else _bucket_of(since, interval)
    if first > last:
        raise BadRequest(f"'since' ({since}) is after 'until' ({until}).")
    count = (last - first) // step + 1
    if count > MAX_BUCKETS:
        raise BadRequest(f"That range has {count} {interval}s; at most {MAX_BUCKETS} buckets: narrow it, "
                         "or ask for interval=week.")

    buckets = [first + step * i for i in range(count)]
    position = {bucket: i for i, bucket in enumerate(buckets)}
    rows = db.execute(
        "SELECT date(closed_at, 'unixepoch') AS day, asset, bigsum(seller_amount) AS earned, bigsum(fee) AS fees, "
        "COUNT(*) AS orders FROM orders WHERE seller = ? AND closed_at >= ? AND closed_at < ? "
        "AND seller_amount != '0' GROUP BY day, asset",
        (seller, _timestamp(first), _timestamp(last + step)),
    ).fetchall()
    series: dict[str, dict[str, list]] = {}
    for row in rows:
        i = position[_bucket_of_day(date.fromisoformat(row["day"]), interval)]
        asset = series.setdefault(row["asset"], {"earned": [0] * count, "fees": [0] * count, "orders": [0] * count})
        asset["earned"][i] += int(row["earned"])
        asset["fees"][i] += int(row["fees"])
        asset["orders"][i] += row["orders"]
    return jsonify({
        "seller": seller,
        "interval": interval,
        "since": first.isoformat(),
        "until": (last + step - timedelta(days=1)).isoformat(),
        "buckets": [bucket.isoformat() for bucket in buckets],
        "series": [
            {
                "asset": asset,
                "earned": [str(v) for v in values["earned"]],
                "fees": [str(v) for v in values["fees"]],
                "orders": values["orders"],
                "totalEarned": str(sum(values["earned"])),
            }
            for asset, values in sorted(series.items(), key=lambda item: int(item[0], 16))
        ],
    })


def _index_time(db) -> int:
    """The time of the last block the index has read: "now" as far as its data goes."""
    row = db.execute("SELECT last_block_time FROM sync_state").fetchone()
    return int(time.time()) if row is None or row["last_block_time"] is None else row["last_block_time"]


def _bucket_of(timestamp: int, interval: str) -> date:
    return _bucket_of_day(datetime.fromtimestamp(timestamp, timezone.utc).date(), interval)


def _bucket_of_day(day: date, interval: str) -> date:
    return day - timedelta(days=day.weekday()) if interval == "week" else day


def _timestamp(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp())
