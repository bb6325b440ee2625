"""The event indexer: rebuilds the platform's state from contract events into SQLite (dapp/index_db.py).

    indexer = Indexer(chain, "instance/index.sqlite3", confirmations=2)
    indexer.sync()        # catch up to head - confirmations, in batches of eth_getLogs
    indexer.rebuild()     # drop everything, re-read from the deployment's start block
    indexer.start()       # follow the chain from a background thread (run_forever)

    python -m dapp.indexer [--rebuild] [--once]     # configured from the environment

Every batch of blocks is applied in one SQLite transaction together with the new last-processed
block, so a crash mid-batch leaves the index at the previous batch and the next run re-does the
batch whole: each event is applied exactly once. The index restarts itself from scratch when the
deployment it was built for changes (other addresses or chain), when the last indexed block is
no longer on the chain (a reorganisation deeper than INDEX_CONFIRMATIONS, or a restarted local
chain), or when SCHEMA_VERSION changes.

What to follow is the handler table `HANDLERS`: contract name -> event name -> handler. A
contract is followed when it has handlers and is in the deployment: the Marketplace, and the
ProvenanceToken (who holds which token, its trail's length and recall). The copyright registry
is read from the chain directly (dapp/api/copyright.py).
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import requests
from flask import Flask
from hexbytes import HexBytes
from web3.exceptions import BlockNotFound
from web3.types import BlockData

from chainmart.provenance import Step
from dapp import index_db
from dapp.abi import EventDecoder
from dapp.chain import Chain
from dapp.exceptions import ChainMartError, ChainUnavailable, ConfigError, ContentNotFound, InvalidCid
from dapp.ipfs import ContentStore, store_from_config

log = logging.getLogger(__name__)

UINT32_MAX = 2**32 - 1
ORDER_STATES = (
    "None", "Paid", "Shipped", "Disputed", "Completed", "Cancelled", "Rejected", "Reclaimed", "Settled", "Resolved",
)
METADATA_MAX_ATTEMPTS = 5
METADATA_PAGE = 200
METADATA_BUDGET = 2.0  # seconds of metadata loading per sync, so that new blocks are not held up long


class IndexInconsistent(ChainMartError):
    """An event refers to something the index never saw: a bug, or events missing from the node."""


@dataclass(frozen=True)
class Event:
    contract: str
    name: str
    args: Mapping[str, Any]
    block: int
    log_index: int
    tx_hash: str
    timestamp: int


Handler = Callable[[sqlite3.Connection, Event], None]
MetadataLoader = Callable[[str], "dict[str, Any] | None"]


@dataclass(frozen=True)
class SyncReport:
    from_block: int  # first block read, or last_block + 1 when there was nothing to read
    to_block: int  # last block indexed after this sync
    head: int
    blocks: int
    events: int
    seconds: float

    def to_json(self) -> dict[str, Any]:
        return {
            "fromBlock": self.from_block, "toBlock": self.to_block, "head": self.head,
            "blocks": self.blocks, "events": self.events, "seconds": round(self.seconds, 3),
        }


class Indexer:
    """Follows the platform contracts' events into the index database."""

    def __init__(
        self,
        chain: Chain,
        database: str = "instance/index.sqlite3",
        *,
        confirmations: int = 0,
        batch_blocks: int = 2_000,
        poll_interval: float = 1.0,
        handlers: Mapping[str, Mapping[str, Handler]] | None = None,
        metadata_loader: MetadataLoader | None = None,
    ):
        if confirmations < 0:
            raise ConfigError(f"INDEX_CONFIRMATIONS must be 0 or more, got {confirmations}.")
        if batch_blocks < 1:
            raise ConfigError(f"INDEX_BATCH_BLOCKS must be 1 or more, got {batch_blocks}.")
        self.chain = chain
        self.database = database
        self.confirmations = confirmations
        self.batch_blocks = batch_blocks
        self.poll_interval = poll_interval
        self.handlers = HANDLERS if handlers is None else handlers
        # The IPFS layer plugs in here: cid -> the metadata document (name, description...) or None.
        self.metadata_loader = metadata_loader
        self.db = index_db.connect(database)
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._events: dict[tuple[str, bytes], EventDecoder] | None = None
        self._timestamps: dict[int, int] = {}
        self._log_window = batch_blocks  # narrows if the node refuses wide eth_getLogs ranges
        self.metadata_backlog = False  # the last sync left listings' metadata to load

    @classmethod
    def from_config(cls, chain: Chain, config: Mapping[str, Any], **kwargs) -> "Indexer":
        return cls(
            chain,
            config["INDEX_DATABASE"],
            confirmations=config["INDEX_CONFIRMATIONS"],
            batch_blocks=config["INDEX_BATCH_BLOCKS"],
            poll_interval=config["INDEX_POLL_INTERVAL"],
            **kwargs,
        )

    # ---------------------------------------------------------------- public

    def sync(self, *, until: int | None = None) -> SyncReport:
        """Index every block up to head - confirmations (or `until`, if lower) not indexed yet."""
        return self._sync(until=until)

    def _sync(self, *, until: int | None = None, stop: threading.Event | None = None) -> SyncReport:
        with self._lock:
            started = time.monotonic()
            last = self._prepare()
            head = self._rpc(lambda: self.chain.web3.eth.block_number)
            target = head - self.confirmations
            if until is not None:
                target = min(target, until)
            first, events = last + 1, 0
            while last < target and not (stop and stop.is_set()):
                to_block = min(last + min(self.batch_blocks, self._log_window), target)
                to_block, applied = self._index_batch(last + 1, to_block)
                events += applied
                last = to_block
            if self.metadata_loader is not None:
                self.load_metadata()
            return SyncReport(first, last, head, max(0, last - first + 1), events, time.monotonic() - started)

    def rebuild(self) -> SyncReport:
        """Drop the whole index and rebuild it from the deployment's start block."""
        with self._lock:
            index_db.reset(self.db)
            return self.sync()

    @property
    def running(self) -> bool:
        """Whether the background thread (start) is following the chain."""
        return self._thread is not None and self._thread.is_alive()

    def last_block(self) -> int | None:
        with self._lock:
            row = self.db.execute("SELECT last_block FROM sync_state").fetchone()
        return None if row is None else row[0]

    def load_metadata(self, *, budget: float = METADATA_BUDGET) -> int:
        """Fill title and description of listings whose metadata is not loaded yet, each tried once per
        call, for up to `budget` seconds (new blocks wait meanwhile); returns how many loaded.
        `metadata_backlog` tells whether some were left for the next call."""
        if self.metadata_loader is None:
            return 0
        with self._lock:
            started, after, tried, loaded = time.monotonic(), 0, 0, 0
            self.metadata_backlog = False
            while True:
                page = self.db.execute(
                    "SELECT id, metadata_cid, metadata_attempts FROM listings WHERE metadata_status = 'pending' "
                    "AND id > ? ORDER BY id LIMIT ?", (after, METADATA_PAGE),
                ).fetchall()
                if not page:
                    return loaded
                outcomes = []
                for row in page:
                    if tried and time.monotonic() - started > budget:  # one at least, so each call progresses
                        self.metadata_backlog = True
                        break
                    outcomes.append(self._fetch_metadata(row))
                    tried += 1
                with index_db.write_transaction(self.db):  # one transaction a page: a commit per listing costs more
                    for sql, params, _status in outcomes:
                        self.db.execute(sql, params)
                    # every write moves the index's version on (dapp/api/index_cache.py)
                    self.db.execute("UPDATE sync_state SET updated_at = ?", (time.time(),))
                loaded += sum(status == "loaded" for _sql, _params, status in outcomes)
                if self.metadata_backlog:
                    return loaded
                after = page[-1]["id"]

    def _fetch_metadata(self, row: sqlite3.Row) -> tuple[str, tuple, str]:
        """Load one listing's metadata document: the UPDATE that records the outcome, and its status."""
        try:
            document = self.metadata_loader(row["metadata_cid"])
        except Exception as exc:
            log.warning("Metadata %s of listing %s: %s", row["metadata_cid"], row["id"], exc)
            attempts = row["metadata_attempts"] + 1
            status = "unavailable" if attempts >= METADATA_MAX_ATTEMPTS else "pending"
            return ("UPDATE listings SET metadata_attempts = ?, metadata_status = ? WHERE id = ?",
                    (attempts, status, row["id"]), status)
        title, description = _metadata_text(document)
        status = "loaded" if document is not None else "unavailable"
        return ("UPDATE listings SET title = ?, description = ?, category = ?, metadata_status = ? "
                "WHERE id = ? AND metadata_cid = ?",
                (title, description, _metadata_category(document), status, row["id"], row["metadata_cid"]), status)

    def run_forever(self, stop_event: threading.Event) -> None:
        """Sync, then poll every INDEX_POLL_INTERVAL seconds (at once while metadata is left to load),
        until `stop_event` is set."""
        failing = False
        while not stop_event.is_set():
            try:
                report = self._sync(stop=stop_event)
                if report.events:
                    log.info("Indexed blocks %s..%s: %s events", report.from_block, report.to_block, report.events)
                if failing:
                    log.info("Indexer: the chain answers again.")
                failing = False
                if self.metadata_backlog:
                    continue
            except ChainUnavailable as exc:
                if not failing:
                    log.warning("Indexer waiting for the chain: %s", exc)
                failing = True
            except Exception:
                log.exception("Indexer: sync failed; retrying in %ss", self.poll_interval)
            stop_event.wait(self.poll_interval)

    def start(self) -> threading.Thread:
        """Follow the chain from a daemon thread (idempotent)."""
        if self._thread is None or not self._thread.is_alive():
            self._stop = threading.Event()
            self._thread = threading.Thread(
                target=self.run_forever, args=(self._stop,), name="chainmart-indexer", daemon=True
            )
            self._thread.start()
        return self._thread

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._stop = threading.Event()

    def close(self) -> None:
        self.stop()
        with self._lock:
            self.db.close()

    # ---------------------------------------------------------------- batches

    def _prepare(self) -> int:
        """The last indexed block, after resetting the index if it no longer matches the chain."""
        fingerprint = self._fingerprint()
        row = self.db.execute("SELECT * FROM sync_state").fetchone()
        if row is not None and row["deployment"] != fingerprint:
            log.warning("The deployment changed since the index was built: rebuilding it.")
            row = None
        elif row is not None and row["last_block"] >= row["start_block"] and not self._still_on_chain(row):
            log.warning("Block %s of the index is no longer on the chain: rebuilding the index.", row["last_block"])
            row = None
        if row is not None:
            return row["last_block"]
        index_db.reset(self.db)
        start = self.chain.start_block
        self._write(
            "INSERT INTO sync_state (id, chain_id, deployment, start_block, last_block, last_block_hash, "
            "last_block_time, updated_at) VALUES (1, ?, ?, ?, ?, NULL, NULL, ?)",
            (self.chain.chain_id, fingerprint, start, start - 1, time.time()),
        )
        return start - 1

    def _fingerprint(self) -> str:
        contracts = {name: address for name, address in self.chain.addresses.items() if name in self.handlers}
        return json.dumps(
            {"chainId": self.chain.chain_id, "startBlock": self.chain.start_block, "contracts": contracts},
            sort_keys=True,
        )

    def _still_on_chain(self, row: sqlite3.Row) -> bool:
        block = self._block(row["last_block"])
        return block is not None and (
            row["last_block_hash"] is None or HexBytes(block["hash"]).to_0x_hex() == row["last_block_hash"]
        )

    def _block(self, number: int) -> BlockData | None:
        try:
            return self.chain.web3.eth.get_block(number)
        except BlockNotFound:
            return None
        except Exception as exc:
            raise ChainUnavailable(self.chain.rpc_url, exc) from exc

    def _index_batch(self, from_block: int, to_block: int) -> tuple[int, int]:
        """Apply the events of blocks from_block..to_block (fewer if the node caps a log query) in
        one transaction with the new sync block. Returns (last block applied, events applied)."""
        logs, to_block = self._logs(from_block, to_block)
        events = [self._decode(entry) for entry in logs]
        events.sort(key=lambda e: (e.block, e.log_index))
        block = self._block(to_block)
        if block is None:
            raise ChainUnavailable(self.chain.rpc_url, LookupError(f"block {to_block} not found"))
        block_hash = HexBytes(block["hash"]).to_0x_hex()
        try:
            with index_db.write_transaction(self.db):
                for event in events:
                    self.handlers[event.contract][event.name](self.db, event)
                self.db.execute(
                    "UPDATE sync_state SET last_block = ?, last_block_hash = ?, last_block_time = ?, updated_at = ?",
                    (to_block, block_hash, block["timestamp"], time.time()),
                )
        finally:
            self._timestamps.clear()
        return to_block, len(events)

    def _logs(self, from_block: int, to_block: int) -> tuple[list[dict], int]:
        """Raw eth_getLogs entries of the handled events (web3's per-field result formatting costs more
        than the decoding); halves the range while the node refuses it as too big."""
        events = self._event_table()
        followed = {address for address, _ in events}
        query = {
            "address": [address for _, address in self._followed() if address.lower() in followed],
            "topics": [sorted({HexBytes(topic).to_0x_hex() for _, topic in events})],
        }
        while True:
            try:
                answer = self.chain.web3.provider.make_request(
                    "eth_getLogs", [{**query, "fromBlock": hex(from_block), "toBlock": hex(to_block)}]
                )
            except (requests.RequestException, OSError) as exc:
                raise ChainUnavailable(self.chain.rpc_url, exc) from exc
            if "error" not in answer:
                # The query is addresses x topics: drop a followed contract's event that only another
                # followed contract's handler shares (both emit RoleGranted, only one is handled).
                return [entry for entry in answer["result"] if not entry.get("removed") and (
                    entry["address"].lower(), bytes.fromhex(entry["topics"][0][2:])) in events], to_block
            # e.g. "query returned more than 10000 results", or a provider's block-range limit
            if to_block == from_block:
                raise ChainUnavailable(self.chain.rpc_url, RuntimeError(f"eth_getLogs: {answer['error']}"))
            to_block = from_block + (to_block - from_block) // 2
            self._log_window = to_block - from_block + 1
            log.info("eth_getLogs refused (%s): retrying with blocks %s..%s", answer["error"], from_block, to_block)

    def _followed(self) -> list[tuple[str, str]]:
        return [(name, address) for name, address in self.chain.addresses.items() if name in self.handlers]

    def _event_table(self) -> dict[tuple[str, bytes], EventDecoder]:
        """(address, topic0) -> decoder of every handled event. Keyed by address too: two contracts
        can share an event signature with different indexed arguments (an ERC-20 and an ERC-721
        `Transfer`), so a topic alone does not say how to decode a log."""
        if self._events is None:
            events = {}
            for name, address in self._followed():
                wanted = self.handlers[name]
                for item in self.chain.abi(name):
                    if item["type"] == "event" and item["name"] in wanted:
                        decoder = EventDecoder(name, item, self.chain.web3.codec)
                        events[(address.lower(), decoder.topic)] = decoder
            self._events = events
        return self._events

    def _decode(self, entry: dict) -> Event:
        topics = [bytes.fromhex(t[2:]) for t in entry["topics"]]
        decoder = self._event_table()[(entry["address"].lower(), topics[0])]
        if len(topics) - 1 != len(decoder.indexed):
            raise IndexInconsistent(
                f"{decoder.contract}.{decoder.name} log has {len(topics) - 1} indexed topics, its ABI "
                f"{len(decoder.indexed)}: the build artifacts do not match the deployed contract.")
        return Event(
            contract=decoder.contract,
            name=decoder.name,
            args=decoder.args(topics[1:], bytes.fromhex(entry["data"][2:])),
            block=int(entry["blockNumber"], 16),
            log_index=int(entry["logIndex"], 16),
            tx_hash=entry["transactionHash"],
            timestamp=self._timestamp(entry),
        )

    def _timestamp(self, entry: dict) -> int:
        """The log's block time: anvil (and newer nodes) put it in the log, else one block fetch per block."""
        stamp = entry.get("blockTimestamp")
        if stamp is not None:
            return int(stamp, 16)
        number = int(entry["blockNumber"], 16)
        if number not in self._timestamps:
            self._timestamps[number] = self._block(number)["timestamp"]
        return self._timestamps[number]

    def _write(self, sql: str, params: tuple = ()) -> None:
        with index_db.write_transaction(self.db):
            self.db.execute(sql, params)


    def _rpc(self, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except ChainMartError:
            raise
        except Exception as exc:
            raise ChainUnavailable(self.chain.rpc_url, exc) from exc


def _metadata_category(document: Any) -> str | None:
    """The ERC-721 metadata's `{"trait_type": "category", "value": ...}` attribute (the pages write
    it so), or a top-level "category"."""
    if not isinstance(document, dict):
        return None
    value = document.get("category")
    attributes = document.get("attributes")
    if isinstance(attributes, list):
        for attribute in attributes:
            if isinstance(attribute, dict) and str(attribute.get("trait_type", "")).strip().lower() == "category":
                value = attribute.get("value")
                break
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip()[:60]


def _metadata_text(document: Any) -> tuple[str | None, str | None]:
    if not isinstance(document, dict):
        return None, None
    title = document.get("name") or document.get("title")
    description = document.get("description")
    return (
        title[:300] if isinstance(title, str) else None,
        description[:5000] if isinstance(description, str) else None,
    )


# ==================================================================== Marketplace handlers
# Each mirrors what the contract does to its storage, so the index answers as its views do.


def _seller_applied(db: sqlite3.Connection, ev: Event) -> None:
    a = ev.args
    db.execute(
        "INSERT INTO sellers (address, seller_id, status, profile_cid, created_block, created_at, updated_block) "
        "VALUES (?, ?, 'Applied', ?, ?, ?, ?) ON CONFLICT (address) DO UPDATE SET "
        "status = 'Applied', profile_cid = excluded.profile_cid, updated_block = excluded.updated_block",
        (a["account"], a["sellerId"], a["profileCid"], ev.block, ev.timestamp, ev.block),
    )


def _seller_approved(db: sqlite3.Connection, ev: Event) -> None:
    a = ev.args
    db.execute(
        "INSERT INTO sellers (address, seller_id, status, created_block, created_at, updated_block) "
        "VALUES (?, ?, 'Approved', ?, ?, ?) ON CONFLICT (address) DO UPDATE SET "
        "status = 'Approved', updated_block = excluded.updated_block",
        (a["account"], a["sellerId"], ev.block, ev.timestamp, ev.block),
    )


def _seller_suspended(db: sqlite3.Connection, ev: Event) -> None:
    _update(db, "sellers", "address", ev.args["account"], status="Suspended", updated_block=ev.block)


def _asset_allowed(db: sqlite3.Connection, ev: Event) -> None:
    a = ev.args
    db.execute(
        "INSERT INTO assets (address, asset_id, allowed, updated_block) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (address) DO UPDATE SET allowed = excluded.allowed, updated_block = excluded.updated_block",
        (a["asset"], a["assetId"], int(a["allowed"]), ev.block),
    )


def _market_setter(column: str, value: Callable[[Event], Any]) -> Handler:
    def handler(db: sqlite3.Connection, ev: Event) -> None:
        db.execute(
            f"INSERT INTO market (id, {column}) VALUES (1, ?) "
            f"ON CONFLICT (id) DO UPDATE SET {column} = excluded.{column}",
            (value(ev),),
        )

    return handler


def _role_granted(db: sqlite3.Connection, ev: Event) -> None:
    db.execute(
        "INSERT OR IGNORE INTO roles (contract, role, account, granted_block) VALUES (?, ?, ?, ?)",
        (ev.contract, HexBytes(ev.args["role"]).to_0x_hex(), ev.args["account"], ev.block),
    )


def _role_revoked(db: sqlite3.Connection, ev: Event) -> None:
    db.execute(
        "DELETE FROM roles WHERE contract = ? AND role = ? AND account = ?",
        (ev.contract, HexBytes(ev.args["role"]).to_0x_hex(), ev.args["account"]),
    )


def _listed(db: sqlite3.Connection, ev: Event) -> None:
    a = ev.args
    db.execute(
        "INSERT INTO listings (id, seller, asset, price, price_key, stock, ship_window, confirm_window, "
        "metadata_cid, created_block, created_at, updated_block) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            a["listingId"], a["seller"], a["asset"], str(a["price"]), index_db.price_key(a["price"]), a["stock"],
            a["shipWindow"], a["confirmWindow"], a["metadataCid"], ev.block, ev.timestamp, ev.block,
        ),
    )


def _listing_price_updated(db: sqlite3.Connection, ev: Event) -> None:
    price = ev.args["price"]
    _update(db, "listings", "id", ev.args["listingId"], price=str(price), price_key=index_db.price_key(price),
            updated_block=ev.block)


def _listing_stock_updated(db: sqlite3.Connection, ev: Event) -> None:
    _update(db, "listings", "id", ev.args["listingId"], stock=ev.args["stock"], updated_block=ev.block)


def _listing_paused_set(db: sqlite3.Connection, ev: Event) -> None:
    _update(db, "listings", "id", ev.args["listingId"], paused=int(ev.args["paused"]), updated_block=ev.block)


def _listing_metadata_updated(db: sqlite3.Connection, ev: Event) -> None:
    _update(db, "listings", "id", ev.args["listingId"], metadata_cid=ev.args["metadataCid"], title=None,
            description=None, category=None, metadata_status="pending", metadata_attempts=0, updated_block=ev.block)


def _order_placed(db: sqlite3.Connection, ev: Event) -> None:
    a = ev.args
    order_id = a["orderId"]
    listing = _row(db, "listings", "id", a["listingId"])
    market = db.execute("SELECT fee_bps FROM market WHERE id = 1").fetchone()
    sequence = order_id & UINT32_MAX
    db.execute(
        "INSERT INTO orders (id, listing_id, sequence, buyer, seller, asset, quantity, amount, state, deadline, "
        "fee_bps, placed_block, placed_at, updated_block, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'Paid', ?, ?, ?, ?, ?, ?)",
        (
            str(order_id), a["listingId"], sequence, a["buyer"], listing["seller"], listing["asset"], a["quantity"],
            str(a["amount"]), a["shipBy"], market["fee_bps"] if market else 0, ev.block, ev.timestamp, ev.block,
            ev.timestamp,
        ),
    )
    cursor = listing["token_cursor"]
    if listing["traced"]:  # the order takes the next `quantity` tokens of the pool
        db.execute(
            "INSERT INTO order_tokens (order_id, position, token_id, status) SELECT ?, position - ?, token_id, "
            "'reserved' FROM listing_tokens WHERE listing_id = ? AND position >= ? AND position < ?",
            (str(order_id), cursor, a["listingId"], cursor, cursor + a["quantity"]),
        )
        cursor += a["quantity"]
    _update(db, "listings", "id", a["listingId"], stock=listing["stock"] - a["quantity"], order_count=sequence,
            token_cursor=cursor, updated_block=ev.block)
    _timeline(db, ev, order_id, "Paid", a["buyer"], quantity=a["quantity"], amount=str(a["amount"]),
              shipBy=a["shipBy"])


def _refunded_in_full(state: str, actor: str) -> Handler:
    """OrderCancelled / OrderRejected / OrderReclaimed: the buyer gets it all back, stock is restored."""

    def handler(db: sqlite3.Connection, ev: Event) -> None:
        order_id = ev.args["orderId"]
        order = _order(db, order_id)
        listing = _row(db, "listings", "id", order["listing_id"])
        _update(db, "listings", "id", order["listing_id"],
                stock=min(listing["stock"] + order["quantity"], UINT32_MAX), updated_block=ev.block)
        if listing["traced"]:  # the order's tokens go back to the end of the pool
            _append_tokens(db, order["listing_id"], _order_token_ids(db, order["id"]))
            db.execute("UPDATE order_tokens SET status = 'returned' WHERE order_id = ?", (order["id"],))
        _close_order(db, ev, order, state, refund=int(order["amount"]), seller_amount=0, fee=0)
        _timeline(db, ev, order_id, state, order[actor], refund=order["amount"])

    return handler


def _order_shipped(db: sqlite3.Connection, ev: Event) -> None:
    a = ev.args
    order = _order(db, a["orderId"])
    _update_order(db, ev, order, state="Shipped", deadline=a["confirmBy"], tracking_ref=a["trackingRef"])
    _timeline(db, ev, a["orderId"], "Shipped", order["seller"], trackingRef=a["trackingRef"], confirmBy=a["confirmBy"])


def _order_completed(db: sqlite3.Connection, ev: Event) -> None:
    a = ev.args
    order = _order(db, a["orderId"])
    offer = {}
    if order["state"] == "Disputed":  # the buyer confirmed receipt during a dispute: any offer lapses
        _close_dispute(db, ev, order, "Completed", refund=0, seller_amount=a["sellerAmount"], fee=a["fee"])
        offer = {"settlement_offer": "0"}
    _close_order(db, ev, order, "Completed", refund=0, seller_amount=a["sellerAmount"], fee=a["fee"], **offer)
    _timeline(db, ev, a["orderId"], "Completed", a["releasedBy"], sellerAmount=str(a["sellerAmount"]),
              fee=str(a["fee"]))


def _dispute_opened(db: sqlite3.Connection, ev: Event) -> None:
    a = ev.args
    order = _order(db, a["orderId"])
    _update_order(db, ev, order, state="Disputed")
    db.execute(
        "INSERT INTO disputes (order_id, opened_by, opened_block, opened_at) VALUES (?, ?, ?, ?)",
        (str(a["orderId"]), a["by"], ev.block, ev.timestamp),
    )
    _evidence(db, ev)
    _timeline(db, ev, a["orderId"], "Disputed", a["by"], evidenceCid=a["evidenceCid"])


def _evidence_submitted(db: sqlite3.Connection, ev: Event) -> None:
    a = ev.args
    _evidence(db, ev)
    _timeline(db, ev, a["orderId"], _order(db, a["orderId"])["state"], a["by"], evidenceCid=a["evidenceCid"])


def _settlement_offered(db: sqlite3.Connection, ev: Event) -> None:
    a = ev.args
    order = _order(db, a["orderId"])
    _update_order(db, ev, order, settlement_offer=str(a["refund"]))
    _timeline(db, ev, a["orderId"], order["state"], order["seller"], refund=str(a["refund"]))


def _settlement_accepted(db: sqlite3.Connection, ev: Event) -> None:
    a = ev.args
    order = _order(db, a["orderId"])
    split = {"refund": a["refund"], "seller_amount": a["sellerAmount"], "fee": a["fee"]}
    _close_dispute(db, ev, order, "Settled", **split)
    _close_order(db, ev, order, "Settled", settlement_offer="0", **split)
    _timeline(db, ev, a["orderId"], "Settled", order["buyer"], refund=str(a["refund"]),
              sellerAmount=str(a["sellerAmount"]), fee=str(a["fee"]))


def _dispute_resolved(db: sqlite3.Connection, ev: Event) -> None:
    a = ev.args
    order = _order(db, a["orderId"])
    split = {"refund": a["refund"], "seller_amount": a["sellerAmount"], "fee": a["fee"]}
    _close_dispute(db, ev, order, "Resolved", buyer_bps=a["buyerBps"], resolved_by=a["arbiter"], **split)
    _close_order(db, ev, order, "Resolved", settlement_offer="0", **split)
    _timeline(db, ev, a["orderId"], "Resolved", a["arbiter"], buyerBps=a["buyerBps"], refund=str(a["refund"]),
              sellerAmount=str(a["sellerAmount"]), fee=str(a["fee"]))


def _reviewed(db: sqlite3.Connection, ev: Event) -> None:
    a = ev.args
    order = _order(db, a["orderId"])
    _update_order(db, ev, order, reviewed=1)
    db.execute(
        "UPDATE sellers SET rating_count = rating_count + 1, rating_sum = rating_sum + ?, updated_block = ? "
        "WHERE address = ?",
        (a["rating"], ev.block, a["seller"]),
    )
    db.execute(
        "INSERT INTO reviews (order_id, listing_id, seller, buyer, rating, cid, block, timestamp) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (str(a["orderId"]), order["listing_id"], a["seller"], order["buyer"], a["rating"], a["reviewCid"], ev.block,
         ev.timestamp),
    )
    _timeline(db, ev, a["orderId"], order["state"], order["buyer"], rating=a["rating"], reviewCid=a["reviewCid"])


def _listing_tokens_added(db: sqlite3.Connection, ev: Event) -> None:
    # The stock follows in the ListingStockUpdated the contract emits right after.
    _update(db, "listings", "id", ev.args["listingId"], traced=1, updated_block=ev.block)
    _append_tokens(db, ev.args["listingId"], [str(t) for t in ev.args["tokenIds"]])


def _traced_token_not_delivered(db: sqlite3.Connection, ev: Event) -> None:
    """Emitted while the order ends, before its final event: the token stayed where it was."""
    a = ev.args
    db.execute("UPDATE order_tokens SET status = 'undelivered' WHERE order_id = ? AND token_id = ?",
               (str(a["orderId"]), str(a["tokenId"])))
    order = _order(db, a["orderId"])
    _timeline(db, ev, a["orderId"], order["state"], None, tokenId=str(a["tokenId"]))


def _withdrawn(db: sqlite3.Connection, ev: Event) -> None:
    db.execute(
        "INSERT INTO credits (account, asset, amount) VALUES (?, ?, '0') "
        "ON CONFLICT (account, asset) DO UPDATE SET amount = '0'",
        (ev.args["account"], ev.args["asset"]),
    )


# ---------------------------------------------------------------- handler helpers


def _row(db: sqlite3.Connection, table: str, key: str, value: Any) -> sqlite3.Row:
    row = db.execute(f"SELECT * FROM {table} WHERE {key} = ?", (value,)).fetchone()
    if row is None:
        raise IndexInconsistent(f"No {table} row with {key} = {value} in the index: rebuild it (python -m "
                                "dapp.indexer --rebuild); if this persists, the node is missing events.")
    return row


def _order(db: sqlite3.Connection, order_id: int) -> sqlite3.Row:
    return _row(db, "orders", "id", str(order_id))


def _update(db: sqlite3.Connection, table: str, key: str, value: Any, **columns: Any) -> None:
    assignments = ", ".join(f"{column} = ?" for column in columns)
    db.execute(f"UPDATE {table} SET {assignments} WHERE {key} = ?", (*columns.values(), value))


def _update_order(db: sqlite3.Connection, ev: Event, order: sqlite3.Row, **columns: Any) -> None:
    _update(db, "orders", "id", order["id"], updated_block=ev.block, updated_at=ev.timestamp, **columns)


def _close_order(db, ev: Event, order: sqlite3.Row, state: str, *, refund: int, seller_amount: int, fee: int,
                 **columns: Any) -> None:
    """An order's final state: the deadline clears and the three parts are credited (as `_split`)."""
    _update_order(db, ev, order, state=state, deadline=0, refund=str(refund), seller_amount=str(seller_amount),
                  fee=str(fee), closed_at=ev.timestamp, **columns)
    if state in ("Completed", "Settled", "Resolved"):  # a traced order's tokens go to the buyer unless fully refunded
        delivered = "delivered" if refund < int(order["amount"]) else "kept"
        db.execute("UPDATE order_tokens SET status = ? WHERE order_id = ? AND status = 'reserved'",
                   (delivered, order["id"]))
    treasury = db.execute("SELECT treasury FROM market WHERE id = 1").fetchone()
    _credit(db, order["buyer"], order["asset"], refund)
    _credit(db, order["seller"], order["asset"], seller_amount)
    if fee:
        _credit(db, treasury["treasury"], order["asset"], fee)


def _close_dispute(db, ev: Event, order: sqlite3.Row, outcome: str, *, refund: int, seller_amount: int, fee: int,
                   **columns: Any) -> None:
    _update(db, "disputes", "order_id", order["id"], outcome=outcome, refund=str(refund),
            seller_amount=str(seller_amount), fee=str(fee), closed_block=ev.block, closed_at=ev.timestamp, **columns)


def _credit(db: sqlite3.Connection, account: str, asset: str, amount: int) -> None:
    if not amount:
        return
    row = db.execute("SELECT amount FROM credits WHERE account = ? AND asset = ?", (account, asset)).fetchone()
    total = (int(row["amount"]) if row else 0) + amount
    db.execute(
        "INSERT INTO credits (account, asset, amount) VALUES (?, ?, ?) "
        "ON CONFLICT (account, asset) DO UPDATE SET amount = excluded.amount",
        (account, asset, str(total)),
    )


def _append_tokens(db: sqlite3.Connection, listing_id: int, token_ids: list[str]) -> None:
    end = db.execute("SELECT COUNT(*) FROM listing_tokens WHERE listing_id = ?", (listing_id,)).fetchone()[0]
    db.executemany(
        "INSERT INTO listing_tokens (listing_id, position, token_id) VALUES (?, ?, ?)",
        [(listing_id, end + i, token_id) for i, token_id in enumerate(token_ids)],
    )


def _order_token_ids(db: sqlite3.Connection, order_id: str) -> list[str]:
    return [r[0] for r in db.execute("SELECT token_id FROM order_tokens WHERE order_id = ? ORDER BY position",
                                     (order_id,))]


def _evidence(db: sqlite3.Connection, ev: Event) -> None:
    db.execute(
        "INSERT INTO evidence (block, log_index, order_id, submitted_by, cid, timestamp) VALUES (?, ?, ?, ?, ?, ?)",
        (ev.block, ev.log_index, str(ev.args["orderId"]), ev.args["by"], ev.args["evidenceCid"], ev.timestamp),
    )


def _timeline(db: sqlite3.Connection, ev: Event, order_id: int, state: str, actor: str | None, **details: Any) -> None:
    db.execute(
        "INSERT INTO order_events (block, log_index, order_id, event, state, actor, details, tx_hash, timestamp) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (ev.block, ev.log_index, str(order_id), ev.name, state, actor, json.dumps(details, sort_keys=True),
         ev.tx_hash, ev.timestamp),
    )


MARKETPLACE_HANDLERS: dict[str, Handler] = {
    "SellerApplied": _seller_applied,
    "SellerApproved": _seller_approved,
    "SellerSuspended": _seller_suspended,
    "AssetAllowed": _asset_allowed,
    "FeeUpdated": _market_setter("fee_bps", lambda ev: ev.args["feeBps"]),
    "TreasuryUpdated": _market_setter("treasury", lambda ev: ev.args["treasury"]),
    "MarketPaused": _market_setter("paused", lambda ev: 1),
    "MarketUnpaused": _market_setter("paused", lambda ev: 0),
    "RoleGranted": _role_granted,
    "RoleRevoked": _role_revoked,
    "Listed": _listed,
    "ListingPriceUpdated": _listing_price_updated,
    "ListingStockUpdated": _listing_stock_updated,
    "ListingPausedSet": _listing_paused_set,
    "ListingMetadataUpdated": _listing_metadata_updated,
    "ListingTokensAdded": _listing_tokens_added,
    "ProvenanceContractSet": _market_setter("provenance", lambda ev: ev.args["provenance"]),
    "TracedTokenNotDelivered": _traced_token_not_delivered,
    "OrderPlaced": _order_placed,
    "OrderCancelled": _refunded_in_full("Cancelled", "buyer"),
    "OrderRejected": _refunded_in_full("Rejected", "seller"),
    "OrderReclaimed": _refunded_in_full("Reclaimed", "buyer"),
    "OrderShipped": _order_shipped,
    "OrderCompleted": _order_completed,
    "DisputeOpened": _dispute_opened,
    "EvidenceSubmitted": _evidence_submitted,
    "SettlementOffered": _settlement_offered,
    "SettlementAccepted": _settlement_accepted,
    "DisputeResolved": _dispute_resolved,
    "Reviewed": _reviewed,
    "Withdrawn": _withdrawn,
}


# ==================================================================== ProvenanceToken handlers
# Minting emits Transfer (from zero), then ProvenanceMinted, then the Commissioning event.

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


def _token_transfer(db: sqlite3.Connection, ev: Event) -> None:
    a = ev.args
    if a["from"] == ZERO_ADDRESS:
        db.execute(
            "INSERT INTO provenance_tokens (token_id, producer, holder, passport_cid, batch_ref, minted_block, "
            "minted_at, updated_block) VALUES (?, ?, ?, '', '', ?, ?, ?)",
            (a["tokenId"], a["to"], a["to"], ev.block, ev.timestamp, ev.block),
        )
        return
    _row(db, "provenance_tokens", "token_id", a["tokenId"])
    _update(db, "provenance_tokens", "token_id", a["tokenId"], holder=a["to"], updated_block=ev.block)


def _provenance_minted(db: sqlite3.Connection, ev: Event) -> None:
    a = ev.args
    _row(db, "provenance_tokens", "token_id", a["tokenId"])
    _update(db, "provenance_tokens", "token_id", a["tokenId"], producer=a["producer"], passport_cid=a["passportCid"],
            batch_ref=a["batchRef"], updated_block=ev.block)


def _provenance_event_recorded(db: sqlite3.Connection, ev: Event) -> None:
    a = ev.args
    token = _row(db, "provenance_tokens", "token_id", a["tokenId"])
    _update(db, "provenance_tokens", "token_id", a["tokenId"], events=a["index"] + 1, last_step=a["step"],
            last_event_at=a["time"], recalled=1 if a["step"] == Step.RECALLED else token["recalled"],
            updated_block=ev.block)


PROVENANCE_HANDLERS: dict[str, Handler] = {
    "Transfer": _token_transfer,
    "ProvenanceMinted": _provenance_minted,
    "ProvenanceEventRecorded": _provenance_event_recorded,
}

# contract name (as in the deployments file) -> event name -> handler
HANDLERS: dict[str, dict[str, Handler]] = {
    "Marketplace": MARKETPLACE_HANDLERS,
    "ProvenanceToken": PROVENANCE_HANDLERS,
}


# ==================================================================== app and command line


def metadata_loader(store: ContentStore) -> MetadataLoader:
    """Listing metadata from the content store: the JSON document, or None if it is not there,
    is not JSON, or the listing names something that is not a CID."""

    def load(cid: str) -> dict | None:
        try:
            document = json.loads(store.get(cid))
        except (ContentNotFound, InvalidCid, UnicodeDecodeError, json.JSONDecodeError):
            return None
        return document if isinstance(document, dict) else None

    return load


def init_app(app: Flask) -> Indexer:
    """Give `app` its indexer (`app.extensions["indexer"]`) and per-request index connections.

    With INDEX_AUTOSTART true (app config, else the environment) the indexer follows the chain from
    a background thread; otherwise something else keeps the index fresh (`python -m dapp.indexer`,
    or tests calling `sync()`).
    """
    index_db.init_app(app)
    store = app.extensions.setdefault("ipfs", store_from_config(app.config))
    indexer = Indexer.from_config(app.extensions["chain"], app.config, metadata_loader=metadata_loader(store))
    app.extensions["indexer"] = indexer
    autostart = app.config.get("INDEX_AUTOSTART", os.environ.get("INDEX_AUTOSTART", ""))
    if autostart is True or str(autostart).lower() in ("1", "true", "yes"):
        indexer.start()
    return indexer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m dapp.indexer",
        description="Index ChainMart's contract events into INDEX_DATABASE (settings from the environment).",
    )
    parser.add_argument("--rebuild", action="store_true", help="drop the index and rebuild it from the start block")
    parser.add_argument("--once", action="store_true", help="catch up once and exit instead of following the chain")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")

    from dapp import config as settings

    config = settings.from_environ()
    chain = Chain(
        config["CHAINMART_RPC_URL"],
        config["CHAINMART_DEPLOYMENTS"],
        config["CHAINMART_BUILD_DIR"],
        expected_chain_id=config["CHAINMART_CHAIN_ID"],
        timeout=config["CHAINMART_RPC_TIMEOUT"],
    )
    indexer = Indexer.from_config(chain, config, metadata_loader=metadata_loader(store_from_config(config)))
    try:
        if args.rebuild or args.once:
            report = indexer.rebuild() if args.rebuild else indexer.sync()
            log.info("Indexed %s: %s", config["INDEX_DATABASE"], json.dumps(report.to_json()))
        if not args.once:
            log.info("Following chain %s from block %s (Ctrl-C stops).", chain.chain_id, indexer.last_block())
            stop = threading.Event()
            try:
                indexer.run_forever(stop)
            except KeyboardInterrupt:
                stop.set()
    except ChainMartError as exc:
        log.error("%s", exc.message)
        return 1
    finally:
        indexer.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
