"""Reads the blocks ``UnixfsFileHasher`` makes, independently of the code that writes them.

A minimal protobuf reader, enough for dag-pb nodes and UnixFS Data, so tests can check the
tree a file becomes: its shape, and the sizes recorded at every level.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from dapp.cid import DAG_PB, RAW, Cid


@dataclass
class Link:
    cid: Cid
    name: str | None
    tsize: int | None


@dataclass
class FileNode:
    links: list[Link] = field(default_factory=list)
    unixfs_type: int | None = None
    filesize: int | None = None
    blocksizes: list[int] = field(default_factory=list)
    has_data_field: bool = False
    field_order: list[int] = field(default_factory=list)  # PBNode fields in the order written


def read_varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7


def fields(data: bytes) -> list[tuple[int, int, int | bytes]]:
    """(field number, wire type, value) in the order written."""
    out = []
    pos = 0
    while pos < len(data):
        key, pos = read_varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = read_varint(data, pos)
            out.append((number, wire, value))
        elif wire == 2:
            length, pos = read_varint(data, pos)
            out.append((number, wire, data[pos : pos + length]))
            pos += length
        else:
            raise ValueError(f"unexpected wire type {wire}")
    return out


def read_file_node(block: bytes) -> FileNode:
    node = FileNode()
    for number, _, value in fields(block):
        node.field_order.append(number)
        if number == 2:
            link = Link(cid=None, name=None, tsize=None)  # type: ignore[arg-type]
            for link_number, _, link_value in fields(value):  # type: ignore[arg-type]
                if link_number == 1:
                    link.cid = Cid.from_bytes(link_value)  # type: ignore[arg-type]
                elif link_number == 2:
                    link.name = link_value.decode()  # type: ignore[union-attr]
                elif link_number == 3:
                    link.tsize = link_value  # type: ignore[assignment]
            node.links.append(link)
        elif number == 1:
            for data_number, _, data_value in fields(value):  # type: ignore[arg-type]
                if data_number == 1:
                    node.unixfs_type = data_value  # type: ignore[assignment]
                elif data_number == 2:
                    node.has_data_field = True
                elif data_number == 3:
                    node.filesize = data_value  # type: ignore[assignment]
                elif data_number == 4:
                    node.blocksizes.append(data_value)  # type: ignore[arg-type]
    return node


@dataclass
class Tree:
    """A file's DAG as collected from ``on_block``: blocks by CID, and the root."""

    blocks: dict[bytes, bytes]
    root: Cid

    def block(self, cid: Cid) -> bytes:
        return self.blocks[bytes(cid)]

    def depth(self, cid: Cid | None = None) -> int:
        cid = cid or self.root
        if cid.codec == RAW:
            return 0
        return 1 + max(self.depth(link.cid) for link in read_file_node(self.block(cid)).links)

    def leaves(self, cid: Cid | None = None) -> list[bytes]:
        cid = cid or self.root
        if cid.codec == RAW:
            return [self.block(cid)]
        assert cid.codec == DAG_PB
        out: list[bytes] = []
        for link in read_file_node(self.block(cid)).links:
            out.extend(self.leaves(link.cid))
        return out

    def nodes(self, cid: Cid | None = None) -> list[tuple[Cid, FileNode]]:
        cid = cid or self.root
        if cid.codec == RAW:
            return []
        node = read_file_node(self.block(cid))
        out = [(cid, node)]
        for link in node.links:
            out.extend(self.nodes(link.cid))
        return out

    def tsize(self, cid: Cid) -> int:
        """Stored bytes of the subtree: the block plus everything beneath it."""
        size = len(self.block(cid))
        if cid.codec == DAG_PB:
            size += sum(self.tsize(link.cid) for link in read_file_node(self.block(cid)).links)
        return size

    def filesize(self, cid: Cid) -> int:
        return sum(len(leaf) for leaf in self.leaves(cid))
