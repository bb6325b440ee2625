"""CIDs computed without a node: known vectors, the DAG's shape and bytes, and CID parsing."""
from __future__ import annotations

import io
import itertools

import pytest
from tests.ipfs_node import CHUNK, pseudo_random_bytes
from tests.ipfs.dag_reader import Tree, fields, read_file_node

from dapp.cid import (
    DAG_PB,
    MAX_LINKS,
    RAW,
    Cid,
    UnixfsFileHasher,
    cid_of_bytes,
    cid_of_file,
    cid_of_stream,
    is_valid_cid,
    parse_cid,
)
from dapp.exceptions import InvalidCid

# ---------------------------------------------------------------- known vectors


@pytest.mark.parametrize(
    "content, cid",
    [
        (b"hello world\n", "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"),
        (b"", "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"),
        # From kubo 0.18.1's own gateway fixtures (`echo hello | ipfs add --cid-version 1`).
        (b"hello\n", "bafkreicysg23kiwv34eg2d7qweipxwosdo2py4ldv42nbauguluen5v6am"),
    ],
)
def test_known_vectors(content, cid):
    assert cid_of_bytes(content) == cid


# Multi-chunk files, as the js-ipfs 0.66.1 test node returned them for `add --cid-version=1
# --raw-leaves` (the node tests check the same sizes live, with other bytes).
@pytest.mark.parametrize(
    "size, cid",
    [
        (CHUNK + 1, "bafybeigllfqgfpqydppr6cmv56g7ax4wyhruzswvcefv6j5kj77nzttfki"),
        (MAX_LINKS * CHUNK, "bafybeibxsa3ioclowpaq7b6gxl65gzqneopfr3fnhedak6sqr4bjz5lnyq"),
        (MAX_LINKS * CHUNK + 1, "bafybeihqwzd3o6q6v3pmwhzjy22vokhr767burokmqemg63hptx2nqd7ym"),
    ],
)
def test_zero_filled_files_match_recorded_node_cids(size, cid):
    assert cid_of_bytes(bytes(size)) == cid


def test_a_file_of_one_chunk_is_a_raw_block():
    for size in (0, 1, CHUNK - 1, CHUNK):
        assert Cid.parse(cid_of_bytes(bytes(size))).codec == RAW


def test_a_file_of_two_chunks_has_a_dag_pb_root():
    assert Cid.parse(cid_of_bytes(bytes(CHUNK + 1))).codec == DAG_PB


# ---------------------------------------------------------------- streaming


@pytest.mark.parametrize("piece_size", [7, 1000, CHUNK - 1, CHUNK, CHUNK + 7, 3 * CHUNK])
def test_streaming_in_any_piece_size_gives_the_same_cid(piece_size):
    data = pseudo_random_bytes(3 * CHUNK + 12345)
    pieces = [data[i : i + piece_size] for i in range(0, len(data), piece_size)]
    assert cid_of_stream(iter(pieces)) == cid_of_bytes(data)


def test_stream_sources_agree(tmp_path):
    data = pseudo_random_bytes(2 * CHUNK + 5)
    path = tmp_path / "file.bin"
    path.write_bytes(data)
    expected = cid_of_bytes(data)
    assert cid_of_stream(io.BytesIO(data)) == expected
    assert cid_of_stream([b"", data[:10], b"", data[10:]]) == expected
    assert cid_of_stream(memoryview(data)) == expected
    assert cid_of_file(path) == expected


def test_hasher_counts_bytes_and_finalizes_once():
    hasher = UnixfsFileHasher()
    hasher.update(b"hello ")
    hasher.update(bytearray(b"world\n"))
    assert hasher.size == 12
    cid = hasher.finalize()
    assert hasher.finalize() is cid
    with pytest.raises(RuntimeError):
        hasher.update(b"more")


def test_stream_pieces_must_be_bytes():
    with pytest.raises(TypeError, match="bytes"):
        cid_of_stream(["text"])


# ---------------------------------------------------------------- the tree


def build_tree(data: bytes, chunk_size: int = CHUNK, max_links: int = MAX_LINKS) -> Tree:
    blocks: dict[bytes, bytes] = {}
    hasher = UnixfsFileHasher(
        chunk_size=chunk_size, max_links=max_links, on_block=lambda cid, block: blocks.setdefault(cid, block)
    )
    hasher.update(data)
    return Tree(blocks, hasher.finalize())


def kubo_balanced_shape(chunks: int, max_links: int):
    """kubo's balanced.Layout and fillNodeRec (go-unixfs importer/balanced), transliterated.

    Builds top-down: the first leaf is the root; while data remains, a new root takes the old
    one as its first child and is filled, one level deeper each time. Leaves are numbered
    in file order; a node is a tuple of its children.
    """
    numbers = itertools.count()
    remaining = [chunks]

    def done() -> bool:
        return remaining[0] == 0

    def leaf() -> int:
        remaining[0] -= 1
        return next(numbers)

    def fill(node: list, depth: int) -> tuple:
        while len(node) < max_links and not done():
            node.append(leaf() if depth == 1 else fill([], depth - 1))
        return tuple(node)

    if chunks == 0:
        return 0  # the empty file: one empty leaf
    root = leaf()
    depth = 1
    while not done():
        root = fill([root], depth)
        depth += 1
    return root


def shape_of(tree: Tree):
    numbers = itertools.count()

    def walk(cid: Cid):
        if cid.codec == RAW:
            return next(numbers)
        return tuple(walk(link.cid) for link in read_file_node(tree.block(cid)).links)

    return walk(tree.root)


@pytest.mark.parametrize("max_links", [2, 3, 4, 5])
def test_tree_shape_is_kubos_balanced_layout(max_links):
    for chunks in range(0, max_links**3 + max_links + 2):
        data = pseudo_random_bytes(chunks * 4, seed=chunks)
        assert shape_of(build_tree(data, chunk_size=4, max_links=max_links)) == kubo_balanced_shape(
            chunks, max_links
        ), f"{chunks} chunks, {max_links} links"


@pytest.mark.parametrize(
    "chunks, depth",
    [(1, 0), (2, 1), (MAX_LINKS, 1), (MAX_LINKS + 1, 2), (MAX_LINKS**2, 2), (MAX_LINKS**2 + 1, 3)],
)
def test_depth_grows_only_past_a_full_tree(chunks, depth):
    # One-byte chunks reach the third level with 30277 bytes instead of 7.4 GiB.
    tree = build_tree(pseudo_random_bytes(chunks), chunk_size=1)
    assert tree.depth() == depth
    assert shape_of(tree) == kubo_balanced_shape(chunks, MAX_LINKS)


def test_the_chunk_after_a_full_level_gets_a_parent_of_its_own():
    tree = build_tree(pseudo_random_bytes(MAX_LINKS * 16 + 1), chunk_size=16)
    root = read_file_node(tree.block(tree.root))
    first, second = (read_file_node(tree.block(link.cid)) for link in root.links)
    assert (len(first.links), len(second.links)) == (MAX_LINKS, 1)
    assert second.links[0].cid.codec == RAW


@pytest.mark.parametrize("size", [CHUNK + 1, 5 * CHUNK + 17, MAX_LINKS * 16 * 3 + 5])
def test_every_node_is_encoded_as_kubo_writes_it(size):
    chunk_size = 16 if size == MAX_LINKS * 16 * 3 + 5 else CHUNK
    data = pseudo_random_bytes(size)
    tree = build_tree(data, chunk_size=chunk_size)
    assert b"".join(tree.leaves()) == data
    for cid, node in tree.nodes():
        assert cid == Cid.of_block(DAG_PB, tree.block(cid))
        # PBNode: every link (field 2) first, then the data (field 1), nothing else.
        assert node.field_order == [2] * len(node.links) + [1]
        # UnixFS: a File without bytes of its own, sizes at every level.
        assert node.unixfs_type == 2 and not node.has_data_field
        assert node.blocksizes == [tree.filesize(link.cid) for link in node.links]
        assert node.filesize == sum(node.blocksizes) == tree.filesize(cid)
        for link in node.links:
            assert link.name == ""  # written, and empty
            assert link.tsize == tree.tsize(link.cid)


def test_protobuf_fields_inside_unixfs_are_in_field_number_order():
    tree = build_tree(pseudo_random_bytes(3 * CHUNK))
    data = [value for number, _, value in fields(tree.block(tree.root)) if number == 1][0]
    assert [number for number, _, _ in fields(data)] == [1, 3, 4, 4, 4]
    link = [value for number, _, value in fields(tree.block(tree.root)) if number == 2][0]
    assert [number for number, _, _ in fields(link)] == [1, 2, 3]


def test_hasher_rejects_degenerate_parameters():
    with pytest.raises(ValueError):
        UnixfsFileHasher(chunk_size=0)
    with pytest.raises(ValueError):
        UnixfsFileHasher(max_links=1)


# ---------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    "text, version, codec",
    [
        ("bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4", 1, RAW),
        ("BAFKREIFJJCIE6LYPI6NY7AMXNFFTAGCLBUXNDQONFIPMB64F2KM2DEVEI4", 1, RAW),
        ("bafybeigllfqgfpqydppr6cmv56g7ax4wyhruzswvcefv6j5kj77nzttfki", 1, DAG_PB),
        ("zb2rhj7crUKTQYRGCRATFaQ6YFLTde2YzdqbbhAASkL9uRDXn", 1, RAW),
        ("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", 0, DAG_PB),
        ("  bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4\n", 1, RAW),
    ],
)
def test_parse_accepts_cids(text, version, codec):
    cid = parse_cid(text)
    assert (cid.version, cid.codec) == (version, codec)
    assert len(cid.digest) == 32
    assert parse_cid(str(cid)) == cid
    assert is_valid_cid(text)


def test_cids_print_canonically():
    assert str(parse_cid("BAFKREIFJJCIE6LYPI6NY7AMXNFFTAGCLBUXNDQONFIPMB64F2KM2DEVEI4")) == (
        "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"
    )
    # base58btc CIDv1 of "hello world" (no newline) as js-ipfs prints it; base32 is canonical here.
    assert str(parse_cid("zb2rhj7crUKTQYRGCRATFaQ6YFLTde2YzdqbbhAASkL9uRDXn")) == cid_of_bytes(b"hello world")
    assert str(parse_cid("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o")) == "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"


def test_cidv0_converts_to_its_cidv1():
    # kubo 0.18.1 fixture: `ipfs cid base32` of the CIDv0 of "hello\n".
    v0 = parse_cid("QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXEN")
    assert str(v0.to_v1()) == "bafybeiffndsajwhk3lwjewwdxqntmjm4b5wxaaanokonsggenkbw6slwk4"


@pytest.mark.parametrize(
    "junk, reason",
    [
        ("", "empty"),
        ("   ", "empty"),
        ("hello", "not a multibase prefix"),
        ("ipfs://bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4", "not a multibase prefix"),
        ("bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei", "cannot encode whole bytes"),
        ("bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei5", "stray trailing bits"),
        ("bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2deve", "announces 32 digest bytes"),
        ("bAfkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4", "lower case"),
        ("bafkrei!jjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4", "outside base32"),
        ("baaaaaaaa", "must be version 1"),
        ("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5", "46 characters"),
        ("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff50", "not a base58btc character"),
        ("b" + "a" * 300, "far longer"),
        (42, "is a string"),
        (None, "is a string"),
    ],
)
def test_parse_rejects_junk_saying_why(junk, reason):
    with pytest.raises(InvalidCid, match=reason) as raised:
        parse_cid(junk)
    assert "Expected a CIDv1 in base32" in str(raised.value)
    assert isinstance(raised.value, ValueError)
    assert not is_valid_cid(junk)
