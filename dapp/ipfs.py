"""Where uploaded files live: content stores addressed by kubo's CIDv1 of the file.

Two backends behind one interface, chosen by ``store_from_config``:

- ``EmbeddedStore`` (the default): files on local disk under their CID, no daemon needed.
  Writes are atomic and every read is checked against the CID.
- ``IpfsNodeStore``: a real IPFS node (kubo in production) through its RPC API. Every add
  is hashed locally too, so the CID handed out is always the kubo CID of the bytes, whatever
  the node's own import settings.

Both return the same CID for the same bytes (``dapp.cid.cid_of_bytes``), so content can move
from one to the other, and a CID recorded on chain can be checked by anyone with ``ipfs add``.
"""
from __future__ import annotations

import os
import tempfile
import time
import warnings
from abc import ABC, abstractmethod
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, Iterator, Mapping

import ipfshttpclient
import ipfshttpclient.exceptions as ipfs_errors

from dapp.cid import CHUNK_SIZE, Cid, Content, UnixfsFileHasher, iter_content, parse_cid
from dapp.exceptions import (
    ConfigError,
    ContentIntegrityError,
    ContentNotFound,
    ContentStoreError,
    IpfsNodeError,
    IpfsUnavailable,
)

DEFAULT_API_ADDR = "/ip4/127.0.0.1/tcp/5001/http"
DEFAULT_TIMEOUT = 30.0
BACKENDS = ("embedded", "node")

# ipfshttpclient passes urllib3 a `strict=` argument that urllib3 2 deprecates; harmless here.
warnings.filterwarnings("ignore", message="The 'strict' parameter", category=FutureWarning, module=r"urllib3\.")


class ContentStore(ABC):
    """Content addressed by the CID kubo gives it (``ipfs add --cid-version=1 --raw-leaves``).

    ``add`` keeps (pins) what it stores; ``unpin`` lets it go. CIDs are accepted as text
    (CIDv1 base32 or base58btc, CIDv0) or as ``Cid``; bad ones raise ``InvalidCid``.
    """

    @abstractmethod
    def add(self, content: Content, *, expected_cid: str | Cid | None = None) -> str:
        """Store bytes, a binary file object or an iterable of byte strings (read once, streamed).

        Returns the CIDv1 in base32. With ``expected_cid`` (say, computed by the uploader's
        browser) content that hashes to anything else raises ``ContentIntegrityError`` and is
        not kept. A failure never leaves a partial file behind.
        """

    @abstractmethod
    def open(self, cid: str | Cid) -> Iterator[bytes]:
        """The content as a stream of byte strings. ``ContentNotFound`` is raised right away.

        Consume it to the end: the embedded store raises ``ContentIntegrityError`` before the
        last piece if the bytes turn out not to match the CID.
        """

    def get(self, cid: str | Cid) -> bytes:
        """The whole content, checked."""
        return b"".join(self.open(cid))

    @abstractmethod
    def has(self, cid: str | Cid) -> bool:
        """Whether the content can be read from this store without fetching it from elsewhere."""

    @abstractmethod
    def pin(self, cid: str | Cid) -> None:
        """Keep the content (fetching it first if the backend can)."""

    @abstractmethod
    def unpin(self, cid: str | Cid) -> None:
        """Stop keeping the content; it may be removed. Unpinning what is not pinned is fine."""

    def close(self) -> None:
        """Release connections; the store is not used afterwards."""

    def __enter__(self) -> ContentStore:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def store_from_config(config: Mapping[str, Any]) -> ContentStore:
    """The store a configuration asks for.

    ``IPFS_BACKEND``: ``"embedded"`` (default) or ``"node"``. Embedded needs
    ``IPFS_STORE_PATH`` (a folder; created if missing). Node uses ``IPFS_API_ADDR`` (a
    multiaddr, default ``/ip4/127.0.0.1/tcp/5001/http``) and ``IPFS_TIMEOUT`` (seconds,
    default 30).
    """
    backend = str(config.get("IPFS_BACKEND") or "embedded").strip().lower()
    if backend == "embedded":
        path = config.get("IPFS_STORE_PATH")
        if not path:
            raise ConfigError(
                "IPFS_STORE_PATH must name a folder for the embedded IPFS store "
                "(or set IPFS_BACKEND=node and IPFS_API_ADDR to use an IPFS node)"
            )
        return EmbeddedStore(path)
    if backend == "node":
        timeout = _positive_seconds(config.get("IPFS_TIMEOUT", DEFAULT_TIMEOUT), "IPFS_TIMEOUT")
        return IpfsNodeStore(str(config.get("IPFS_API_ADDR") or DEFAULT_API_ADDR), timeout=timeout)
    raise ConfigError(f"IPFS_BACKEND must be one of {', '.join(BACKENDS)}, not {backend!r}")


# ---------------------------------------------------------------- embedded store


class EmbeddedStore(ContentStore):
    """Files on disk, each under the kubo CID of its bytes; no IPFS daemon involved.

    Layout: ``<root>/content/<2 chars>/<CIDv1>`` (sharded on the next-to-last characters, as
    kubo's flatfs does, since every CID starts alike) and ``<root>/tmp/`` for files being
    written. A file appears under its CID only once complete and synced (``os.replace``), so
    a crash leaves at most a stray temp file, cleared after an hour. The store keeps exactly
    what is pinned: ``unpin`` deletes. A copy found damaged on read is moved to
    ``<root>/damaged/`` and reported; adding the file again restores it.
    """

    PIECE_SIZE = 1024 * 1024
    STALE_TEMP_SECONDS = 3600

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self._content = self.root / "content"
        self._tmp = self.root / "tmp"
        self._damaged = self.root / "damaged"
        try:
            for folder in (self._content, self._tmp, self._damaged):
                folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ConfigError(f"cannot use {self.root} as the embedded IPFS store: {error}") from error
        self._clear_stale_temp_files()

    def add(self, content: Content, *, expected_cid: str | Cid | None = None) -> str:
        expected = parse_cid(expected_cid).to_v1() if expected_cid is not None else None
        fd, temp_name = tempfile.mkstemp(dir=self._tmp, prefix="add-")
        temp: Path | None = Path(temp_name)
        try:
            hasher = UnixfsFileHasher()
            with os.fdopen(fd, "wb") as out:
                for piece in iter_content(content, self.PIECE_SIZE):
                    hasher.update(piece)
                    out.write(piece)
                out.flush()
                os.fsync(out.fileno())
            cid = hasher.finalize()
            if expected is not None and cid != expected:
                raise ContentIntegrityError(str(expected), str(cid), "nothing was stored")
            final = self._path(cid)
            final.parent.mkdir(exist_ok=True)
            os.replace(temp, final)  # an existing copy has the same bytes, or was damaged
            temp = None
            _fsync_folder(final.parent)
            return str(cid)
        finally:
            if temp is not None:
                temp.unlink(missing_ok=True)

    def open(self, cid: str | Cid) -> Iterator[bytes]:
        wanted = parse_cid(cid).to_v1()
        path = self._path(wanted)
        try:
            stream = open(path, "rb")
        except FileNotFoundError:
            raise ContentNotFound(str(wanted), f"the embedded store at {self.root}") from None
        return self._checked_pieces(wanted, path, stream)

    def _checked_pieces(self, wanted: Cid, path: Path, stream: BinaryIO) -> Iterator[bytes]:
        # Each piece is handed out only once the next one is read, so the last one waits
        # for the check: a reader never gets the complete content if it does not match.
        with stream:
            hasher = UnixfsFileHasher()
            held: bytes | None = None
            while piece := stream.read(self.PIECE_SIZE):
                hasher.update(piece)
                if held is not None:
                    yield held
                held = piece
            actual = hasher.finalize()
        if actual != wanted:
            self._set_aside(path)
            raise ContentIntegrityError(
                str(wanted), str(actual), "the stored copy is damaged and was set aside; add the file again"
            )
        if held is not None:
            yield held

    def has(self, cid: str | Cid) -> bool:
        return self._path(parse_cid(cid).to_v1()).is_file()

    def pin(self, cid: str | Cid) -> None:
        if not self.has(cid):
            raise ContentNotFound(
                str(parse_cid(cid)), f"the embedded store at {self.root} (it cannot fetch content: add the file)"
            )

    def unpin(self, cid: str | Cid) -> None:
        self._path(parse_cid(cid).to_v1()).unlink(missing_ok=True)

    def _path(self, cid: Cid) -> Path:
        name = str(cid)
        return self._content / name[-3:-1] / name

    def _set_aside(self, path: Path) -> None:
        try:
            os.replace(path, self._damaged / f"{path.name}.{time.time_ns()}")
        except FileNotFoundError:
            pass  # already set aside, or replaced by a fresh add

    def _clear_stale_temp_files(self) -> None:
        cutoff = time.time() - self.STALE_TEMP_SECONDS
        for entry in self._tmp.iterdir():
            try:
                if entry.stat().st_mtime < cutoff:
                    entry.unlink()
            except OSError:
                pass  # another process is cleaning up too


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# ---------------------------------------------------------------- IPFS node


class IpfsNodeStore(ContentStore):
    """A kubo-compatible IPFS node, through its RPC API (``/api/v0``), using ipfshttpclient.

    Every request carries a timeout, client side and (for reads) node side, so a node that
    is down or content that nobody has makes the call fail within ``timeout`` seconds instead
    of hanging: ``IpfsUnavailable`` for the first, ``ContentNotFound`` for the second.

    ``add`` streams the bytes to the node and hashes them on the way; if the node's CID is
    not the kubo CID of those bytes (a node importing with other settings) the file is
    unpinned and ``IpfsNodeError`` raised. The node pins only once the whole file is in, so
    an interrupted upload leaves nothing pinned; its loose blocks go at the next GC.
    """

    HAS_TIMEOUT = 2.0  # node-side: how long `has` lets a node look for a block it may not hold

    def __init__(self, api_addr: str = DEFAULT_API_ADDR, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.api_addr = api_addr
        self.timeout = timeout
        try:
            # Constructed directly: ipfshttpclient.connect() refuses every current daemon version.
            self._client = ipfshttpclient.Client(api_addr, session=True, timeout=timeout, chunk_size=CHUNK_SIZE)
        except ipfs_errors.AddressError as error:
            raise ConfigError(
                f"IPFS_API_ADDR {api_addr!r} is not the multiaddr of an RPC API "
                f"(e.g. {DEFAULT_API_ADDR})"
            ) from error

    def add(self, content: Content, *, expected_cid: str | Cid | None = None) -> str:
        expected = parse_cid(expected_cid).to_v1() if expected_cid is not None else None
        hasher = UnixfsFileHasher()
        reader = _HashingReader(iter_content(content), hasher)
        try:
            with self._calling("add the file (nothing was stored)"):
                answer = self._client.add(
                    reader,
                    cid_version=1,
                    raw_leaves=True,
                    chunker=f"size-{CHUNK_SIZE}",
                    pin=True,
                    opts={"cid-base": "base32", "hash": "sha2-256"},
                    timeout=self.timeout,
                )
        except ContentStoreError:
            if reader.failure is not None:  # the upload's own source broke, not the node
                raise reader.failure from None
            raise
        local = hasher.finalize()
        stored = self._cid_in_answer(answer)
        if stored != local:
            self._unpin_quietly(stored)
            raise IpfsNodeError(
                f"the IPFS node stored the file as {stored}, but kubo's default layout gives {local}; "
                "the node imports with other settings (chunker, raw leaves or links per node). "
                "The file was unpinned."
            )
        if expected is not None and local != expected:
            self._unpin_quietly(stored)
            raise ContentIntegrityError(str(expected), str(local), "the file was not kept")
        return str(local)

    def open(self, cid: str | Cid) -> Iterator[bytes]:
        wanted = parse_cid(cid)
        with self._calling("read a file", cid=wanted):
            pieces = self._client.cat(
                str(wanted), stream=True, timeout=self.timeout, opts={"timeout": self._node_wait()}
            )
        return self._translated(pieces, wanted)

    def _translated(self, pieces: Any, cid: Cid) -> Iterator[bytes]:
        try:
            with self._calling("read a file", cid=cid):
                yield from pieces
        finally:
            pieces.close()

    def has(self, cid: str | Cid) -> bool:
        wanted = parse_cid(cid)
        wait = min(self.HAS_TIMEOUT, self.timeout)
        try:
            with self._calling("look up a block", cid=wanted):
                self._client.block.stat(
                    str(wanted), offline=True, timeout=self.timeout, opts={"timeout": self._node_wait(wait)}
                )
        except ContentNotFound:
            return False
        return True

    def pin(self, cid: str | Cid) -> None:
        wanted = parse_cid(cid)
        with self._calling("pin a file", cid=wanted):
            self._client.pin.add(str(wanted), timeout=self.timeout, opts={"timeout": self._node_wait()})

    def unpin(self, cid: str | Cid) -> None:
        wanted = parse_cid(cid)
        try:
            with self._calling("unpin a file"):
                self._client.pin.rm(str(wanted), timeout=self.timeout)
        except IpfsNodeError as error:
            if "not pinned" not in str(error).lower():
                raise

    def close(self) -> None:
        self._client.close()

    @contextmanager
    def _calling(self, action: str, *, cid: Cid | None = None) -> Iterator[None]:
        """Turn ipfshttpclient's errors into this project's."""
        try:
            yield
        except (ipfs_errors.ConnectionError, ipfs_errors.TimeoutError, ipfs_errors.ProtocolError) as error:
            raise IpfsUnavailable(self.api_addr, _cause(error), action) from error
        except ipfs_errors.ErrorResponse as error:
            if cid is not None and _means_not_found(str(error)):
                raise ContentNotFound(str(cid), f"the IPFS node at {self.api_addr} (within {self.timeout:g} s)") from error
            raise IpfsNodeError(f"the IPFS node at {self.api_addr} could not {action}: {error}") from error
        except ipfs_errors.Error as error:
            raise IpfsNodeError(f"unexpected answer from the IPFS node at {self.api_addr} to {action}: {error}") from error

    def _node_wait(self, seconds: float | None = None) -> str:
        """A node-side deadline that runs out before the client's, so that a search for
        absent content ends in the node's 'not found' rather than in a client time-out."""
        seconds = self.timeout if seconds is None else seconds
        seconds = min(seconds, max(self.timeout * 0.8, self.timeout - 2))
        return f"{max(1, round(seconds * 1000))}ms"  # a Go duration, as the RPC API reads it

    def _cid_in_answer(self, answer: Any) -> Cid:
        try:
            return parse_cid(answer["Hash"])
        except (KeyError, TypeError, ValueError) as error:
            raise IpfsNodeError(f"the IPFS node at {self.api_addr} answered an add without a usable CID: {answer!r}") from error

    def _unpin_quietly(self, cid: Cid) -> None:
        try:
            self.unpin(cid)
        except (IpfsNodeError, IpfsUnavailable):
            pass  # the mismatch is the error worth reporting


class _HashingReader:
    """A read-only file over content pieces that feeds every byte it hands out to a hasher."""

    def __init__(self, pieces: Iterator[bytes], hasher: UnixfsFileHasher) -> None:
        self._pieces = pieces
        self._hasher = hasher
        self._pending = b""
        self.failure: BaseException | None = None

    def read(self, size: int = -1) -> bytes:
        if not self._pending:
            try:
                self._pending = next(self._pieces, b"")
            except BaseException as error:  # reported as itself, not as the node's failure
                self.failure = error
                raise
        if size < 0 or size >= len(self._pending):
            out, self._pending = self._pending, b""
        else:
            out, self._pending = self._pending[:size], self._pending[size:]
        self._hasher.update(out)
        return out


_NOT_FOUND_MARKERS = (
    "not found",  # kubo offline: "block was not found locally (offline)"
    "could not find",
    "context deadline exceeded",  # kubo: the node-side timeout ran out while searching
    "timed out",  # js-ipfs: "request timed out"
    "timeout",
)


def _means_not_found(message: str) -> bool:
    lowered = message.lower()
    return any(marker in lowered for marker in _NOT_FOUND_MARKERS)


def _cause(error: BaseException) -> str:
    """The innermost reason, e.g. 'Connection refused', rather than a stack of wrappers."""
    while error.__cause__ is not None or error.__context__ is not None:
        error = error.__cause__ or error.__context__  # type: ignore[assignment]
    text = str(error)
    for marker in ("Connection refused", "Read timed out", "timed out", "Connection reset", "Name or service not known"):
        if marker in text:
            return marker.lower()
    return text.splitlines()[0][:200] if text else type(error).__name__


def _positive_seconds(value: Any, name: str) -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a number of seconds, not {value!r}") from None
    if not seconds > 0:
        raise ConfigError(f"{name} must be more than 0 seconds, not {value!r}")
    return seconds
