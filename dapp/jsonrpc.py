"""JSON-RPC to the node for the hot paths: plain HTTP/1.1 keep-alive connections, one per thread.

web3.py formats, validates and middlewares every call (and its validation asks the node for the
chain id again before each eth_call); `requests` prepares each call with cookies, proxies and
~/.netrc. For the relay's few well-known calls this client does just the HTTP round trip, and
sends several calls as one JSON-RPC batch. A node behind an HTTP proxy (from the environment)
is reached through `requests` instead, which knows proxies.
"""
from __future__ import annotations

import base64
import http.client
import itertools
import json
import threading
from typing import Any
from urllib.parse import unquote, urlsplit

import requests

from dapp.exceptions import ChainUnavailable, NodeError


class JsonRpcClient:
    def __init__(self, url: str, timeout: float):
        self.url = url
        self.timeout = timeout
        parts = urlsplit(url)
        self._https = parts.scheme == "https"
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port
        self._path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._headers = {"Content-Type": "application/json"}
        if parts.username:
            credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
            self._headers["Authorization"] = "Basic " + base64.b64encode(credentials).decode()
        self._proxies = requests.utils.get_environ_proxies(url)
        self._local = threading.local()
        self._ids = itertools.count(1)

    def call(self, method: str, params: list | None = None) -> Any:
        """The call's result; NodeError for an error answer, ChainUnavailable if none comes."""
        (answer,) = self.batch([(method, params or [])])
        if isinstance(answer, NodeError):
            raise answer
        return answer

    def batch(self, calls: list[tuple[str, list]]) -> list[Any]:
        """Several calls in one round trip; each entry is the call's result or a NodeError."""
        if not calls:
            return []
        ids = [next(self._ids) for _ in calls]
        payload = json.dumps(
            [{"jsonrpc": "2.0", "id": i, "method": m, "params": p} for i, (m, p) in zip(ids, calls)]
        ).encode()
        try:
            answers = json.loads(self._post(payload))
        except ValueError as exc:  # not JSON: whatever answers there is not a node
            raise ChainUnavailable(self.url, exc) from exc
        if isinstance(answers, dict):  # a node that refuses batches answers one error object
            error = answers.get("error") or {}
            raise ChainUnavailable(self.url, RuntimeError(error.get("message", "a batch was refused")))
        by_id = {answer.get("id"): answer for answer in answers if isinstance(answer, dict)}
        results = []
        for i, (method, _) in zip(ids, calls):
            answer = by_id.get(i)
            if answer is None:
                raise ChainUnavailable(self.url, RuntimeError(f"no answer to {method} in a batch"))
            if "error" in answer:
                error = answer["error"] or {}
                results.append(NodeError(method, error.get("code"), str(error.get("message", "")), error.get("data")))
            else:
                results.append(answer.get("result"))
        return results

    def _post(self, payload: bytes) -> bytes:
        if self._proxies:
            return self._post_through_proxy(payload)
        # A kept-alive connection the node closed meanwhile fails at once: one retry on a new one.
        # Every call sent here is safe to repeat (reads, and signed transactions the node dedupes).
        for attempt in (1, 2):
            connection = self._connection()
            try:
                connection.request("POST", self._path, body=payload, headers=self._headers)
                response = connection.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as exc:
                self._drop_connection()
                if attempt == 2 or isinstance(exc, TimeoutError):
                    raise ChainUnavailable(self.url, exc) from exc
                continue
            if response.status != 200:
                raise ChainUnavailable(self.url, RuntimeError(f"HTTP {response.status}"))
            return body
        raise AssertionError("unreachable")

    def _connection(self) -> http.client.HTTPConnection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            kind = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            connection = kind(self._host, self._port, timeout=self.timeout)
            self._local.connection = connection
        return connection

    def _drop_connection(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None

    def _post_through_proxy(self, payload: bytes) -> bytes:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        try:
            response = session.post(self.url, data=payload, headers=self._headers, timeout=self.timeout)
        except requests.RequestException as exc:
            raise ChainUnavailable(self.url, exc) from exc
        if response.status_code != 200:
            raise ChainUnavailable(self.url, RuntimeError(f"HTTP {response.status_code}"))
        return response.content
