"""Content identifiers, computed exactly as kubo's ``ipfs add --cid-version=1 --raw-leaves``.

No IPFS node is needed: the CID of a file is a pure function of its bytes and of the import
layout, which is kubo's default (go-unixfs ``importer/balanced``):

- The file is cut into 262144-byte chunks (the last one may be shorter). Each chunk is a raw
  block: codec ``raw``, CID = sha2-256 of the chunk. A file of at most one chunk *is* that
  raw block; the empty file is the empty raw block.
- A longer file gets a balanced tree of dag-pb/UnixFS nodes with at most 174 links each. It
  is filled left to right, every subtree full before the next one starts, and it is as
  shallow as possible: depth d holds up to 174**d chunks. Depth 1 covers 43.5 MiB, depth 2
  about 7.4 GiB, depth 3 about 1.3 TiB. kubo builds it top-down (it adds a level whenever
  the current root is full and data remains); building it bottom-up, closing a node as
  soon as it has 174 links and closing the partial nodes at the end, gives the same tree,
  because in both a node is full before its right neighbour gets anything. A partial node
  stays a node even with a single link (it is never replaced by its child); only the root
  of a one-chunk file is a bare leaf.
- An inner node is ``PBNode{Links: [PBLink{Hash, Name="", Tsize}, ...], Data}`` where
  ``Data`` is ``UnixFS{Type=File, filesize, blocksizes...}`` with no ``Data`` field of its
  own (the bytes live in the raw leaves). dag-pb's canonical form writes the links
  (field 2) before the data (field 1); protobuf fields inside are in field-number order,
  ``blocksizes`` unpacked, and ``Name`` is written even though it is empty. ``Tsize`` is
  the size of everything beneath the link as stored: for a raw leaf its length, for a
  node its encoded length plus the ``Tsize`` of all its links (kubo's ``Node.Size()``).

CIDs are written as CIDv1 in base32 (``bafkrei...`` for one raw block, ``bafybei...`` for a
dag-pb root). ``parse_cid`` also reads CIDv0 (``Qm...``) and base58btc CIDv1 (``z...``).
"""
from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator, Union

from dapp.exceptions import InvalidCid

CHUNK_SIZE = 262_144
MAX_LINKS = 174

RAW = 0x55
DAG_PB = 0x70
SHA2_256 = 0x12
SHA2_256_LENGTH = 32

_MAX_CID_TEXT = 256
_BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BASE58_INDEX = {c: i for i, c in enumerate(_BASE58_ALPHABET)}
_BASE32_ALPHABET = frozenset("abcdefghijklmnopqrstuvwxyz234567")

# The constant prefixes of the CIDv1 + sha2-256 multihash of a raw leaf and of a dag-pb node.
_RAW_SHA256_PREFIX = bytes([1, RAW, SHA2_256, SHA2_256_LENGTH])
_DAG_PB_SHA256_PREFIX = bytes([1, DAG_PB, SHA2_256, SHA2_256_LENGTH])

Content = Union[bytes, bytearray, memoryview, BinaryIO, Iterable[bytes]]
BlockSink = Callable[[bytes, bytes], None]
"""Called with (binary CID, block bytes) for every block, leaves first, the root last."""


# ---------------------------------------------------------------- the CID value


@dataclass(frozen=True)
class Cid:
    """A parsed content identifier: version, content codec and multihash (binary)."""

    version: int
    codec: int
    multihash: bytes

    @classmethod
    def parse(cls, value: str) -> Cid:
        """Read a CID from text; raise ``InvalidCid`` saying what is wrong with it."""
        if not isinstance(value, str):
            raise InvalidCid(value, f"a CID is a string, not {type(value).__name__}")
        text = value.strip()
        if not text:
            raise InvalidCid(value, "it is empty")
        if len(text) > _MAX_CID_TEXT:
            raise InvalidCid(value, f"it is {len(text)} characters long, far longer than any CID")
        if text.startswith("Qm"):
            return cls._parse_v0(value, text)
        prefix, body = text[0], text[1:]
        if prefix in "bB":
            raw = _base32_decode(value, body)
        elif prefix == "z":
            raw = _base58_decode(value, body)
        else:
            raise InvalidCid(value, f"it starts with {prefix!r}, not a multibase prefix this project reads")
        return cls.from_bytes(raw, original=value)

    @classmethod
    def _parse_v0(cls, value: str, text: str) -> Cid:
        if len(text) != 46:
            raise InvalidCid(value, f"a CIDv0 has 46 characters, this one has {len(text)}")
        raw = _base58_decode(value, text)
        if len(raw) != 34 or raw[:2] != bytes([SHA2_256, SHA2_256_LENGTH]):
            raise InvalidCid(value, "a CIDv0 must hold a sha2-256 multihash")
        return cls(0, DAG_PB, raw)

    @classmethod
    def from_bytes(cls, raw: bytes, *, original: object = None) -> Cid:
        """Read a binary CIDv1 (version, codec, multihash)."""
        shown = raw if original is None else original
        try:
            version, pos = _read_varint(raw, 0)
            if version == SHA2_256:
                raise InvalidCid(shown, "a CIDv0 must be written in base58btc ('Qm...'), not in a multibase")
            if version != 1:
                raise InvalidCid(shown, f"it says CID version {version}; a multibase CID must be version 1")
            codec, pos = _read_varint(raw, pos)
            hash_code, hash_start = _read_varint(raw, pos)
            length, digest_start = _read_varint(raw, hash_start)
        except _Truncated:
            raise InvalidCid(shown, "it ends before the CID is complete") from None
        digest = raw[digest_start:]
        if len(digest) != length:
            raise InvalidCid(shown, f"its multihash announces {length} digest bytes but carries {len(digest)}")
        if hash_code == SHA2_256 and length != SHA2_256_LENGTH:
            raise InvalidCid(shown, f"a sha2-256 digest has 32 bytes, not {length}")
        return cls(1, codec, raw[pos:])

    @classmethod
    def of_block(cls, codec: int, block: bytes | memoryview) -> Cid:
        """The CIDv1 (sha2-256) of one block."""
        return cls(1, codec, bytes([SHA2_256, SHA2_256_LENGTH]) + hashlib.sha256(block).digest())

    @property
    def digest(self) -> bytes:
        _, pos = _read_varint(self.multihash, 0)
        _, pos = _read_varint(self.multihash, pos)
        return self.multihash[pos:]

    def to_v1(self) -> Cid:
        """The same content as a CIDv1 (a CIDv0 always names a dag-pb block)."""
        return self if self.version == 1 else Cid(1, self.codec, self.multihash)

    def __bytes__(self) -> bytes:
        if self.version == 0:
            return self.multihash
        return _varint(1) + _varint(self.codec) + self.multihash

    def __str__(self) -> str:
        if self.version == 0:
            return _base58_encode(self.multihash)
        return "b" + base64.b32encode(bytes(self)).decode("ascii").lower().rstrip("=")

    def __repr__(self) -> str:
        return f"Cid({str(self)!r})"


def parse_cid(value: str | Cid) -> Cid:
    """A ``Cid`` from text (CIDv1 base32 or base58btc, CIDv0 ``Qm...``); ``InvalidCid`` if junk."""
    return value if isinstance(value, Cid) else Cid.parse(value)


def is_valid_cid(value: object) -> bool:
    try:
        Cid.parse(value)  # type: ignore[arg-type]
    except InvalidCid:
        return False
    return True


# ---------------------------------------------------------------- computing a file's CID


@dataclass(frozen=True)
class _Link:
    cid: bytes  # binary CIDv1
    tsize: int  # stored bytes beneath the link (kubo's Tsize)
    filesize: int  # file bytes beneath the link


class UnixfsFileHasher:
    """Streaming CID computation: ``update()`` with the file's bytes, then ``finalize()``.

    Memory stays bounded: one chunk of buffer plus at most ``max_links`` pending links per
    tree level. ``chunk_size`` and ``max_links`` exist so tests can build deep trees from
    tiny files; CIDs that match kubo's need the defaults. ``on_block`` receives every block
    as it is made (leaves in file order, each node after its children, the root last).
    """

    def __init__(
        self,
        *,
        chunk_size: int = CHUNK_SIZE,
        max_links: int = MAX_LINKS,
        on_block: BlockSink | None = None,
    ) -> None:
        if chunk_size < 1:
            raise ValueError("chunk_size must be at least 1")
        if max_links < 2:
            raise ValueError("max_links must be at least 2")
        self._chunk_size = chunk_size
        self._max_links = max_links
        self._on_block = on_block
        self._buffer = bytearray()
        self._levels: list[list[_Link]] = [[]]  # pending links: leaves at 0, their parents at 1, ...
        self._chunks = 0
        self._size = 0
        self._root: Cid | None = None

    @property
    def size(self) -> int:
        """File bytes seen so far."""
        return self._size

    def update(self, data: bytes | bytearray | memoryview) -> None:
        if self._root is not None:
            raise RuntimeError("finalize() was already called")
        view = memoryview(data).cast("B")
        self._size += len(view)
        size = self._chunk_size
        if self._buffer:
            take = size - len(self._buffer)
            self._buffer += view[:take]
            view = view[take:]
            if len(self._buffer) < size:
                return
            self._add_leaf(self._buffer)
            self._buffer = bytearray()
        while len(view) >= size:
            self._add_leaf(view[:size])
            view = view[size:]
        self._buffer += view

    def finalize(self) -> Cid:
        """The root CID. Closes the partial nodes left to right, lowest level first."""
        if self._root is not None:
            return self._root
        if self._buffer or self._chunks == 0:
            self._add_leaf(self._buffer)  # the last short chunk, or the empty file's one leaf
            self._buffer = bytearray()
        levels = self._levels
        level = 0
        while True:
            pending = levels[level]
            above = any(levels[level + 1 :])
            if not above and len(pending) == 1:
                root = pending[0]
                break
            if pending:
                link = self._add_node(pending)
                levels[level] = []
                if not above:
                    root = link
                    break
                levels[level + 1].append(link)
            level += 1
        self._root = Cid.from_bytes(root.cid)
        return self._root

    def _add_leaf(self, chunk: bytes | bytearray | memoryview) -> None:
        self._chunks += 1
        cid = _RAW_SHA256_PREFIX + hashlib.sha256(chunk).digest()
        if self._on_block is not None:
            self._on_block(cid, bytes(chunk))
        self._push(0, _Link(cid, len(chunk), len(chunk)))

    def _push(self, level: int, link: _Link) -> None:
        if level == len(self._levels):
            self._levels.append([])
        pending = self._levels[level]
        pending.append(link)
        if len(pending) == self._max_links:
            self._levels[level] = []
            self._push(level + 1, self._add_node(pending))

    def _add_node(self, links: list[_Link]) -> _Link:
        block = encode_file_node(links)
        cid = _DAG_PB_SHA256_PREFIX + hashlib.sha256(block).digest()
        if self._on_block is not None:
            self._on_block(cid, block)
        return _Link(cid, len(block) + sum(link.tsize for link in links), sum(link.filesize for link in links))


def encode_file_node(links: list[_Link]) -> bytes:
    """The dag-pb block of an inner UnixFS file node over ``links``, byte for byte as kubo writes it."""
    # UnixFS Data: Type (field 1) = File (2), filesize (3), blocksizes (4, repeated, unpacked).
    unixfs = bytearray(b"\x08\x02\x18")
    unixfs += _varint(sum(link.filesize for link in links))
    for link in links:
        unixfs += b"\x20"
        unixfs += _varint(link.filesize)
    node = bytearray()
    for link in links:
        # PBLink: Hash (1), Name (2, present and empty), Tsize (3).
        body = b"\x0a" + _varint(len(link.cid)) + link.cid + b"\x12\x00\x18" + _varint(link.tsize)
        node += b"\x12" + _varint(len(body)) + body  # PBNode.Links (2) come first
    node += b"\x0a" + _varint(len(unixfs)) + unixfs  # then PBNode.Data (1)
    return bytes(node)


def cid_of_bytes(data: bytes | bytearray | memoryview) -> str:
    """The CID kubo gives ``data`` (``ipfs add --cid-version=1 --raw-leaves``), in base32."""
    hasher = UnixfsFileHasher()
    hasher.update(data)
    return str(hasher.finalize())


def cid_of_stream(content: Content) -> str:
    """Like ``cid_of_bytes`` for a binary file object or an iterable of byte strings, read once."""
    hasher = UnixfsFileHasher()
    for piece in iter_content(content):
        hasher.update(piece)
    return str(hasher.finalize())


def cid_of_file(path: str | Path) -> str:
    with open(path, "rb") as stream:
        return cid_of_stream(stream)


def iter_content(content: Content, piece_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """Content as a stream of non-empty byte strings: bytes-like as one piece, files read piece by piece."""
    if isinstance(content, (bytes, bytearray, memoryview)):
        if content:
            yield bytes(content)
    elif hasattr(content, "read"):
        while piece := content.read(piece_size):  # type: ignore[union-attr]
            yield piece
    else:
        for piece in content:
            if not isinstance(piece, (bytes, bytearray, memoryview)):
                raise TypeError(f"content pieces must be bytes, not {type(piece).__name__}")
            if piece:  # an empty piece would read as the end of the file to a consumer
                yield bytes(piece)


# ---------------------------------------------------------------- encodings


class _Truncated(Exception):
    pass


def _varint(n: int) -> bytes:
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    for i in range(pos, min(pos + 9, len(data))):
        byte = data[i]
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, i + 1
        shift += 7
    raise _Truncated()


def _base32_decode(original: str, body: str) -> bytes:
    lowered = body.lower()
    if body not in (lowered, body.upper()):
        raise InvalidCid(original, "base32 must be all lower case (or all upper case)")
    bad = sorted(set(lowered) - _BASE32_ALPHABET)
    if bad:
        raise InvalidCid(original, f"it contains characters outside base32 (a-z, 2-7): {''.join(bad)!r}")
    try:
        raw = base64.b32decode(lowered.upper() + "=" * (-len(lowered) % 8))
    except binascii.Error:
        raise InvalidCid(original, f"{len(body)} base32 characters cannot encode whole bytes") from None
    if base64.b32encode(raw).decode("ascii").lower().rstrip("=") != lowered:
        raise InvalidCid(original, "its base32 has a wrong length or stray trailing bits")
    return raw


def _base58_decode(original: str, text: str) -> bytes:
    number = 0
    for char in text:
        digit = _BASE58_INDEX.get(char)
        if digit is None:
            raise InvalidCid(original, f"{char!r} is not a base58btc character (0, O, I and l never appear)")
        number = number * 58 + digit
    zeros = len(text) - len(text.lstrip("1"))
    return b"\x00" * zeros + number.to_bytes((number.bit_length() + 7) // 8, "big")


def _base58_encode(raw: bytes) -> str:
    number = int.from_bytes(raw, "big")
    out = []
    while number:
        number, digit = divmod(number, 58)
        out.append(_BASE58_ALPHABET[digit])
    zeros = len(raw) - len(raw.lstrip(b"\x00"))
    return "1" * zeros + "".join(reversed(out))
