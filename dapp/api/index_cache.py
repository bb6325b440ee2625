"""Catalog answers computed from the event index, kept until the index changes.

Catalog pages are read far more often than the index changes (a batch of blocks, a page of
listing metadata), and the same pages come back again and again (the first page, popular
searches, a shop's listings). Each answer is kept with the index's version: the last indexed block
and the time of the indexer's last write (sync_state), which every write moves on. A request reads
the version first and the data after it, so an answer is never older than the version it is kept
under.
"""
from __future__ import annotations

import functools
import sqlite3
import threading
from collections import OrderedDict

from flask import current_app, request

from dapp.index_db import get_index

MAX_ANSWERS = 2048  # at about 10 KB a page, some 20 MB at most


class AnswerCache:
    """The most recently used answers, by request URL, each with the index version it was read at."""

    def __init__(self, size: int = MAX_ANSWERS):
        self.size = size
        self._answers: OrderedDict[str, tuple[tuple, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, version: tuple) -> bytes | None:
        with self._lock:
            kept = self._answers.get(key)
            if kept is None or kept[0] != version:
                return None
            self._answers.move_to_end(key)
            return kept[1]

    def put(self, key: str, version: tuple, body: bytes) -> None:
        with self._lock:
            self._answers[key] = (version, body)
            self._answers.move_to_end(key)
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)


def index_version(db: sqlite3.Connection) -> tuple | None:
    row = db.execute("SELECT last_block, updated_at FROM sync_state").fetchone()
    return None if row is None else tuple(row)


def kept_until_the_index_changes(view):
    """Serve a GET view's 200 answers from memory while the index is unchanged."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        version = index_version(get_index())
        cache = current_app.extensions.setdefault("index_answers", AnswerCache())
        key = request.full_path
        body = None if version is None else cache.get(key, version)
        if body is not None:
            return current_app.response_class(body, mimetype="application/json")
        response = view(*args, **kwargs)
        if version is not None and response.status_code == 200:
            cache.put(key, version, response.get_data())
        return response

    return wrapped
