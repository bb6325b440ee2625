"""The event index's SQLite database: where it lives, its schema, and per-request read access.

The indexer (dapp/indexer.py) is the only writer; the API reads through a read-only connection
on `flask.g`, as in Flask's tutorial (flaskr/db.py), which each server thread keeps open from one
request to the next. The file runs in WAL mode, so readers never block the indexer and always see
whole committed batches.

Numbers that can exceed SQLite's 64-bit integers (uint256 amounts, prices and order ids) are
stored as decimal strings; prices also as `price_key`, zero-padded to 78 digits, so that range
filters and sorting compare them as numbers. `bigsum` adds such strings exactly in SQL.
"""
from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from pathlib import Path
from typing import Iterator
from urllib.parse import quote

from flask import Flask, current_app, g

from dapp.exceptions import ConfigError, ServiceUnavailable

# Bump when the schema or what a handler writes changes: an index built by an older version is
# then dropped and rebuilt from the chain on the next sync.
SCHEMA_VERSION = 3
UINT256_DIGITS = 78

SCHEMA = """
CREATE TABLE sync_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    chain_id INTEGER NOT NULL,
    deployment TEXT NOT NULL,        -- fingerprint of the followed contracts and start block
    start_block INTEGER NOT NULL,
    last_block INTEGER NOT NULL,     -- every event up to and including this block is applied
    last_block_hash TEXT,
    last_block_time INTEGER,         -- its timestamp: "now" for answers about recent days
    updated_at REAL NOT NULL         -- the indexer's last write: with last_block, the index's version
);

CREATE TABLE market (                -- the Marketplace's own settings
    id INTEGER PRIMARY KEY CHECK (id = 1),
    fee_bps INTEGER NOT NULL DEFAULT 0,
    treasury TEXT,
    paused INTEGER NOT NULL DEFAULT 0,
    provenance TEXT                  -- the ProvenanceToken traced listings sell
);

CREATE TABLE roles (
    contract TEXT NOT NULL,
    role TEXT NOT NULL,              -- bytes32 as 0x-hex
    account TEXT NOT NULL,
    granted_block INTEGER NOT NULL,
    PRIMARY KEY (contract, role, account)
);

CREATE TABLE sellers (
    address TEXT PRIMARY KEY,
    seller_id INTEGER NOT NULL UNIQUE,
    status TEXT NOT NULL,            -- Applied | Approved | Suspended
    profile_cid TEXT,
    rating_count INTEGER NOT NULL DEFAULT 0,
    rating_sum INTEGER NOT NULL DEFAULT 0,
    created_block INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_block INTEGER NOT NULL
);

CREATE TABLE assets (
    address TEXT PRIMARY KEY,        -- 0x000...0 is ETH
    asset_id INTEGER NOT NULL UNIQUE,
    allowed INTEGER NOT NULL,
    updated_block INTEGER
);

CREATE TABLE listings (
    id INTEGER PRIMARY KEY,
    seller TEXT NOT NULL,
    asset TEXT NOT NULL,
    price TEXT NOT NULL,
    price_key TEXT NOT NULL,
    stock INTEGER NOT NULL,
    ship_window INTEGER NOT NULL,
    confirm_window INTEGER NOT NULL,
    paused INTEGER NOT NULL DEFAULT 0,
    order_count INTEGER NOT NULL DEFAULT 0,
    traced INTEGER NOT NULL DEFAULT 0,  -- units are provenance tokens (listing_tokens)
    token_cursor INTEGER NOT NULL DEFAULT 0,  -- listing_tokens from this position are for sale
    metadata_cid TEXT NOT NULL,
    title TEXT,                      -- from the metadata document, once loaded
    description TEXT,
    category TEXT,                   -- the metadata's "category" attribute
    metadata_status TEXT NOT NULL DEFAULT 'pending',  -- pending | loaded | unavailable
    metadata_attempts INTEGER NOT NULL DEFAULT 0,
    created_block INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_block INTEGER NOT NULL
);
-- One index per way the catalog is read, each in the order it is sorted (id, the rowid, is in
-- every index), so a page is an index range: no sort of the whole table, and deep pages skip
-- index entries, not rows.
CREATE INDEX listings_by_created ON listings (created_block, id);
CREATE INDEX listings_by_seller ON listings (seller, created_block, id);
CREATE INDEX listings_by_asset ON listings (asset, price_key);
CREATE INDEX listings_by_price ON listings (price_key);
CREATE INDEX listings_by_category ON listings (category COLLATE NOCASE);

-- Catalog search: a trigram full-text index of title and description finds a substring (any case)
-- without reading every listing. Its content is the listings table's; triggers keep it in step.
CREATE VIRTUAL TABLE listing_text USING fts5(
    title, description, content = 'listings', content_rowid = 'id', tokenize = 'trigram'
);
CREATE TRIGGER listing_text_added AFTER INSERT ON listings BEGIN
    INSERT INTO listing_text (rowid, title, description) VALUES (new.id, new.title, new.description);
END;
CREATE TRIGGER listing_text_changed AFTER UPDATE OF title, description ON listings BEGIN
    INSERT INTO listing_text (listing_text, rowid, title, description)
        VALUES ('delete', old.id, old.title, old.description);
    INSERT INTO listing_text (rowid, title, description) VALUES (new.id, new.title, new.description);
END;

CREATE TABLE listing_tokens (        -- a traced listing's token pool, as the contract's array
    listing_id INTEGER NOT NULL,
    position INTEGER NOT NULL,
    token_id TEXT NOT NULL,
    PRIMARY KEY (listing_id, position)
);
CREATE INDEX listing_tokens_by_token ON listing_tokens (token_id);

CREATE TABLE orders (
    id TEXT PRIMARY KEY,             -- uint256 as a decimal string
    listing_id INTEGER NOT NULL,
    sequence INTEGER NOT NULL,
    buyer TEXT NOT NULL,
    seller TEXT NOT NULL,
    asset TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    amount TEXT NOT NULL,
    state TEXT NOT NULL,             -- IMarketplace.OrderState name
    deadline INTEGER NOT NULL,       -- ship-by, then confirm-by, 0 once final (as getOrder)
    fee_bps INTEGER NOT NULL,
    reviewed INTEGER NOT NULL DEFAULT 0,
    tracking_ref TEXT,
    settlement_offer TEXT NOT NULL DEFAULT '0',
    refund TEXT,                     -- the final split, once the order ends
    seller_amount TEXT,
    fee TEXT,
    placed_block INTEGER NOT NULL,
    placed_at INTEGER NOT NULL,
    updated_block INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    closed_at INTEGER
);
CREATE INDEX orders_by_buyer ON orders (buyer, placed_block);
CREATE INDEX orders_by_seller ON orders (seller, placed_block);
CREATE INDEX orders_by_listing ON orders (listing_id);

CREATE TABLE order_tokens (          -- the provenance tokens a traced order takes
    order_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    token_id TEXT NOT NULL,
    status TEXT NOT NULL,            -- reserved | delivered | undelivered | returned (to the pool)
                                     -- | kept (by the seller, after a full refund)
    PRIMARY KEY (order_id, position)
);
CREATE INDEX order_tokens_by_token ON order_tokens (token_id);

CREATE TABLE order_events (          -- an order's timeline
    block INTEGER NOT NULL,
    log_index INTEGER NOT NULL,
    order_id TEXT NOT NULL,
    event TEXT NOT NULL,
    state TEXT NOT NULL,             -- the order's state after the event
    actor TEXT,
    details TEXT NOT NULL,           -- JSON
    tx_hash TEXT NOT NULL,
    timestamp INTEGER NOT NULL,
    PRIMARY KEY (block, log_index)
);
CREATE INDEX order_events_by_order ON order_events (order_id, block, log_index);

CREATE TABLE disputes (
    order_id TEXT PRIMARY KEY,
    opened_by TEXT NOT NULL,
    opened_block INTEGER NOT NULL,
    opened_at INTEGER NOT NULL,
    outcome TEXT,                    -- NULL while open, then Completed | Settled | Resolved
    buyer_bps INTEGER,
    refund TEXT,
    seller_amount TEXT,
    fee TEXT,
    resolved_by TEXT,
    closed_block INTEGER,
    closed_at INTEGER
);

CREATE TABLE evidence (
    block INTEGER NOT NULL,
    log_index INTEGER NOT NULL,
    order_id TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    cid TEXT NOT NULL,
    timestamp INTEGER NOT NULL,
    PRIMARY KEY (block, log_index)
);
CREATE INDEX evidence_by_order ON evidence (order_id);

CREATE TABLE reviews (
    order_id TEXT PRIMARY KEY,
    listing_id INTEGER NOT NULL,
    seller TEXT NOT NULL,
    buyer TEXT NOT NULL,
    rating INTEGER NOT NULL,
    cid TEXT NOT NULL,
    block INTEGER NOT NULL,
    timestamp INTEGER NOT NULL
);
CREATE INDEX reviews_by_listing ON reviews (listing_id, block);
CREATE INDEX reviews_by_seller ON reviews (seller);

CREATE TABLE provenance_tokens (    -- ProvenanceToken: one row per minted token
    token_id INTEGER PRIMARY KEY,    -- ids run from 1 to totalMinted()
    producer TEXT NOT NULL,
    holder TEXT NOT NULL,
    passport_cid TEXT NOT NULL,
    batch_ref TEXT NOT NULL,
    minted_block INTEGER NOT NULL,
    minted_at INTEGER NOT NULL,
    events INTEGER NOT NULL DEFAULT 0,  -- trail length, as trailOf's count
    last_step INTEGER,               -- IProvenanceToken.Step of the latest event
    last_event_at INTEGER,
    recalled INTEGER NOT NULL DEFAULT 0,
    updated_block INTEGER NOT NULL
);
CREATE INDEX provenance_by_holder ON provenance_tokens (holder);
CREATE INDEX provenance_by_producer ON provenance_tokens (producer);

CREATE TABLE credits (               -- withdrawable balances (creditOf), derived from payouts
    account TEXT NOT NULL,
    asset TEXT NOT NULL,
    amount TEXT NOT NULL,
    PRIMARY KEY (account, asset)
);
"""

ETH = "0x0000000000000000000000000000000000000000"
SEED = f"INSERT INTO assets (address, asset_id, allowed, updated_block) VALUES ('{ETH}', 0, 1, NULL)"


def database_path(url: str) -> Path:
    """The file behind INDEX_DATABASE: a plain path, or `sqlite:///relative` / `sqlite:////absolute`."""
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):]
    elif "://" in url:
        raise ConfigError(f"INDEX_DATABASE must be a file path or a sqlite:/// URL, got {url!r}.")
    else:
        path = url
    if not path or path == ":memory:":
        raise ConfigError(
            "INDEX_DATABASE must name a file: the indexer and the API open it from different connections."
        )
    return Path(path)


def connect(url: str) -> sqlite3.Connection:
    """The indexer's read-write connection; creates the file, its folder and the schema."""
    path = database_path(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)  # transactions are explicit
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA busy_timeout = 5000")
    _register_functions(db)
    if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
        reset(db)
    return db


def connect_readonly(url: str) -> sqlite3.Connection:
    path = database_path(url)
    if not path.exists():
        raise ServiceUnavailable(
            f"The event index {path} does not exist yet: run `python -m dapp.indexer`, or start the "
            "dApp with INDEX_AUTOSTART=true."
        )
    db = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True, check_same_thread=False)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA busy_timeout = 5000")
    _register_functions(db)
    return db


@contextlib.contextmanager
def write_transaction(db: sqlite3.Connection) -> Iterator[None]:
    """One write transaction, taken at once (BEGIN IMMEDIATE), committed, or rolled back on any error."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def reset(db: sqlite3.Connection) -> None:
    """Drop every table and create the current schema, empty, in one transaction."""
    with write_transaction(db):
        # Full-text tables first: dropping one drops its own shadow tables, which are listed too.
        tables = [r[0] for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY sql LIKE 'CREATE VIRTUAL TABLE%' DESC")]
        for table in tables:
            db.execute(f'DROP TABLE IF EXISTS "{table}"')
        for statement in _statements(SCHEMA):
            db.execute(statement)
        db.execute(SEED)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _statements(script: str) -> list[str]:
    statements, pending = [], ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending)
            pending = ""
    return statements


def search_phrase(text: str) -> str:
    """An FTS5 query matching `text` as a substring, through the trigram index (quotes doubled)."""
    return '"' + text.replace('"', '""') + '"'


def table_names(db: sqlite3.Connection) -> list[str]:
    return [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]


def price_key(value: int) -> str:
    return f"{value:0{UINT256_DIGITS}d}"


class _BigSum:
    """SUM over decimal strings, exact at any size; NULL when every value is NULL."""

    def __init__(self):
        self.total: int | None = None

    def step(self, value):
        if value is not None:
            self.total = (self.total or 0) + int(value)

    def finalize(self):
        return None if self.total is None else str(self.total)


def _register_functions(db: sqlite3.Connection) -> None:
    db.create_aggregate("bigsum", 1, _BigSum)


# ---------------------------------------------------------------- per request


_readers = threading.local()


def get_index() -> sqlite3.Connection:
    """This request's read-only connection to the index.

    Each server thread keeps one open from request to request: opening a connection costs more
    than most catalog queries. Every statement still reads the latest committed batch (WAL), and
    a file replaced since (a new inode) or another INDEX_DATABASE gets a new connection.
    """
    if "index_db" not in g:
        g.index_db = _thread_reader(current_app.config["INDEX_DATABASE"])
    return g.index_db


def _thread_reader(url: str) -> sqlite3.Connection:
    path = database_path(url)
    try:
        identity = (str(path), os.stat(path).st_ino)
    except FileNotFoundError:
        identity = None  # connect_readonly says what to do
    cached = getattr(_readers, "reader", None)
    if cached is not None and cached[0] == identity:
        return cached[1]
    _readers.reader = None
    if cached is not None:
        cached[1].close()
    db = connect_readonly(url)
    _readers.reader = (identity, db)
    return db


def close_index(exc: BaseException | None = None) -> None:
    g.pop("index_db", None)  # the thread keeps it for its next request


def init_app(app: Flask) -> None:
    app.teardown_appcontext(close_index)
