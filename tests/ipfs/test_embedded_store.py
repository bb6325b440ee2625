"""The embedded store: files on disk under their kubo CID, atomic writes, checked reads."""
from __future__ import annotations

import io
import os
import time

import pytest
from tests.ipfs_node import CHUNK, pseudo_random_bytes

from dapp.cid import DAG_PB, MAX_LINKS, Cid, cid_of_bytes
from dapp.exceptions import ContentIntegrityError, ContentNotFound, InvalidCid
from dapp.ipfs import EmbeddedStore

BOUNDARY_SIZES = [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, MAX_LINKS * CHUNK, MAX_LINKS * CHUNK + 1]


def stored_files(store: EmbeddedStore) -> list[str]:
    return sorted(path.name for path in (store.root / "content").rglob("*") if path.is_file())


def temp_files(store: EmbeddedStore) -> list[str]:
    return sorted(path.name for path in (store.root / "tmp").iterdir())


@pytest.mark.parametrize("size", BOUNDARY_SIZES)
def test_add_returns_kubos_cid_and_get_returns_the_bytes(embedded_store, size):
    data = pseudo_random_bytes(size)
    cid = embedded_store.add(data)
    assert cid == cid_of_bytes(data)
    assert embedded_store.has(cid)
    assert embedded_store.get(cid) == data


def test_add_streams_files_and_iterables(embedded_store, tmp_path):
    data = pseudo_random_bytes(3 * CHUNK + 99)
    source = tmp_path / "upload.bin"
    source.write_bytes(data)
    with open(source, "rb") as stream:
        from_file = embedded_store.add(stream)
    from_pieces = embedded_store.add(data[i : i + 5000] for i in range(0, len(data), 5000))
    assert from_file == from_pieces == embedded_store.add(io.BytesIO(data)) == cid_of_bytes(data)
    assert stored_files(embedded_store) == [from_file]


def test_open_streams_the_content_in_pieces(embedded_store):
    data = pseudo_random_bytes(3 * EmbeddedStore.PIECE_SIZE + 1)
    pieces = list(embedded_store.open(embedded_store.add(data)))
    assert len(pieces) == 4
    assert b"".join(pieces) == data


def test_expected_cid_mismatch_stores_nothing(embedded_store):
    with pytest.raises(ContentIntegrityError, match="nothing was stored") as raised:
        embedded_store.add(b"the real bytes", expected_cid=cid_of_bytes(b"the promised bytes"))
    assert raised.value.actual == cid_of_bytes(b"the real bytes")
    assert stored_files(embedded_store) == []
    assert temp_files(embedded_store) == []


def test_expected_cid_match_is_accepted_in_any_cid_form(embedded_store):
    data = pseudo_random_bytes(CHUNK + 1)
    v0 = str(Cid(0, DAG_PB, Cid.parse(cid_of_bytes(data)).multihash))
    assert embedded_store.add(data, expected_cid=v0) == cid_of_bytes(data)


def test_a_failing_upload_leaves_no_file(embedded_store):
    def upload_that_breaks():
        yield pseudo_random_bytes(CHUNK * 2)
        raise OSError("the client went away")

    with pytest.raises(OSError, match="went away"):
        embedded_store.add(upload_that_breaks())
    assert stored_files(embedded_store) == []
    assert temp_files(embedded_store) == []


def test_bytes_that_do_not_hash_to_their_cid_are_refused_and_set_aside(embedded_store):
    data = pseudo_random_bytes(2 * CHUNK)
    cid = embedded_store.add(data)
    path = next((embedded_store.root / "content").rglob(cid))
    path.write_bytes(data[:-1] + b"\x00")  # one flipped byte on disk
    with pytest.raises(ContentIntegrityError, match="damaged") as raised:
        embedded_store.get(cid)
    assert raised.value.expected == cid
    assert not embedded_store.has(cid)
    assert len(list((embedded_store.root / "damaged").iterdir())) == 1
    assert embedded_store.add(data) == cid  # adding it again restores it
    assert embedded_store.get(cid) == data


def test_a_streaming_reader_never_gets_all_of_a_damaged_file(embedded_store):
    data = pseudo_random_bytes(2 * EmbeddedStore.PIECE_SIZE)
    cid = embedded_store.add(data)
    next((embedded_store.root / "content").rglob(cid)).write_bytes(data[:-1] + b"\x00")
    received = []
    with pytest.raises(ContentIntegrityError):
        for piece in embedded_store.open(cid):
            received.append(piece)
    assert sum(map(len, received)) < len(data)


def test_cidv0_of_a_raw_leaves_root_finds_the_file(embedded_store):
    # `ipfs add --raw-leaves` with CIDv0 names the same root block as a Qm... CID.
    data = pseudo_random_bytes(CHUNK + 1)
    cid = Cid.parse(embedded_store.add(data))
    assert embedded_store.get(str(Cid(0, DAG_PB, cid.multihash))) == data


def test_absent_content_is_not_found(embedded_store):
    absent = cid_of_bytes(b"never stored")
    assert not embedded_store.has(absent)
    with pytest.raises(ContentNotFound, match=absent):
        embedded_store.get(absent)
    with pytest.raises(ContentNotFound, match="cannot fetch"):
        embedded_store.pin(absent)


def test_invalid_cids_are_rejected(embedded_store):
    with pytest.raises(InvalidCid):
        embedded_store.get("../../etc/passwd")
    with pytest.raises(InvalidCid):
        embedded_store.has("not-a-cid")


def test_pin_keeps_and_unpin_deletes(embedded_store):
    cid = embedded_store.add(b"keep me")
    embedded_store.pin(cid)
    assert embedded_store.has(cid)
    embedded_store.unpin(cid)
    embedded_store.unpin(cid)  # unpinning what is gone is fine
    assert not embedded_store.has(cid)


def test_stale_temp_files_from_a_crash_are_cleared(tmp_path):
    EmbeddedStore(tmp_path / "store")
    stale = tmp_path / "store" / "tmp" / "add-crashed"
    fresh = tmp_path / "store" / "tmp" / "add-in-progress"
    stale.write_bytes(b"half a file")
    fresh.write_bytes(b"being written by another worker")
    an_hour_ago = time.time() - EmbeddedStore.STALE_TEMP_SECONDS - 1
    os.utime(stale, (an_hour_ago, an_hour_ago))
    EmbeddedStore(tmp_path / "store")
    assert not stale.exists() and fresh.exists()


def test_store_is_a_context_manager(tmp_path):
    with EmbeddedStore(tmp_path / "store") as store:
        assert store.get(store.add(b"x")) == b"x"
