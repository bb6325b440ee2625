"""The IPFS node dies under the dApp (a real js-ipfs node, SIGKILLed): uploads answer a clear 503 JSON
error while it is down, an upload it dies in the middle of is either stored whole or refused, and
no CID the dApp ever answered points at content the node does not hold once it is back.

The dApp has no fallback store configured here (IPFS_BACKEND=node), so refusing is the right answer.
"""
import io
import threading
import time

import pytest
from brownie import web3

from dapp import create_app
from dapp.cid import cid_of_bytes
from dapp.ipfs import IpfsNodeStore
from scripts.signing import local_key
from tests.dapp.signin import csrf_headers
from tests.faults.figures import Figure, show
from tests.ipfs_node import ipfs_node_or_skip, pseudo_random_bytes

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452")
UPLOADS_WHILE_DOWN = 24
LARGE = 15 * 1024 * 1024  # 60 blocks of 256 KiB
KILL_AFTER_BLOCKS = (1, 20, 45)


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    with ipfs_node_or_skip(tmp_path_factory.mktemp("ipfs-node")) as node:
        yield node


@pytest.fixture
def client(node, deployments_file, tmp_path):
    if not node.running:
        node.start()
    app = create_app({
        "TESTING": True, "SECRET_KEY": "test", "CHAINMART_RPC_URL": web3.provider.endpoint_uri,
        "CHAINMART_DEPLOYMENTS": str(deployments_file), "INDEX_DATABASE": str(tmp_path / "index.sqlite3"),
        "IPFS_BACKEND": "node", "IPFS_API_ADDR": node.api, "IPFS_TIMEOUT": 10,
    })
    yield app.test_client()
    app.extensions["ipfs"].close()


@pytest.fixture
def headers(client, market):
    return csrf_headers(client, local_key(5))


@pytest.fixture
def checker(node):
    """A store of its own on the node, to check afterwards what the node holds."""
    with IpfsNodeStore(node.api, timeout=10) as store:
        yield store


def upload(client, headers, data, kind="product-image", name="photo.png"):
    return client.post(f"/api/uploads?kind={kind}", data={"file": (io.BytesIO(data), name)}, headers=headers,
                       content_type="multipart/form-data")


def samples(count, seed):
    """(send, data) pairs over every way content comes in: images, evidence, works, metadata JSON."""
    for i in range(count):
        noise = pseudo_random_bytes(1000 + 97 * i, seed=seed + i)
        image = PNG + noise
        kinds = [
            (lambda c, h, d=image: upload(c, h, d), image),
            (lambda c, h, d=noise.hex().encode(): upload(c, h, d, kind="evidence", name="note.txt"), noise.hex().encode()),
            (lambda c, h, d=image: upload(c, h, d, kind="work", name="work.png"), image),
            (lambda c, h, i=i, s=seed: c.post("/api/metadata", json=_metadata(s, i), headers=h), None),
        ]
        yield kinds[i % len(kinds)]


def _metadata(seed, i):
    return {"name": f"Product {seed}-{i}", "description": "Made by hand.",
            "image": f"ipfs://{cid_of_bytes(PNG + bytes([i % 256]))}"}


def _refused_clearly(response):
    body = response.get_json(silent=True) or {}
    return response.status_code == 503 and body.get("status") == 503 and "IPFS node" in body.get("error", "")


def _stored(checker, cid, data):
    """Whether the node holds `cid` (and, where the bytes are known, exactly them)."""
    if not checker.has(cid):
        return False
    return data is None or checker.get(cid) == data


def test_uploads_while_the_node_is_down_are_refused_and_every_answered_cid_is_stored(node, client, headers, checker,
                                                                                      capsys):
    answered = {}  # every CID the dApp handed out: it must be on the node
    for send, data in samples(8, seed=100):
        response = send(client, headers)
        assert response.status_code == 201, response.get_json()
        answered[response.get_json()["cid"]] = data
    node.kill()
    figure = Figure("IPFS node killed, uploads go on")
    for send, data in samples(UPLOADS_WHILE_DOWN, seed=200):
        response = send(client, headers)
        figure.tried += 1
        if _refused_clearly(response):
            figure.refused += 1
        elif response.status_code == 201:
            answered[response.get_json()["cid"]] = data  # checked below, once the node is back
        else:
            figure.lost += 1  # neither stored nor refused clearly
    reads = [client.get(f"/ipfs/{cid}") for cid in list(answered)[:4]]
    figure.tried += len(reads)
    figure.refused += sum(_refused_clearly(read) for read in reads)
    node.start()
    figure.lost += sum(not _stored(checker, cid, data) for cid, data in answered.items())
    figure.note = f"{len(answered)} CIDs answered in all, each checked on the restarted node"
    show(capsys, figure)
    assert figure.lost == 0
    assert figure.refused == figure.tried


def test_an_upload_the_node_dies_during_is_stored_whole_or_refused(node, client, headers, checker, capsys):
    figure = Figure("IPFS node killed in the middle of large uploads")
    for round_, blocks_in in enumerate(KILL_AFTER_BLOCKS):
        if not node.running:
            node.start()
        data = PNG + pseudo_random_bytes(LARGE, seed=300 + round_)
        before = _block_files(node)
        answer = {}
        sending = threading.Thread(target=lambda: answer.update(response=upload(client, headers, data,
                                                                                kind="evidence")))
        sending.start()
        # Killed once the node has written some of this file's blocks: the upload is under way.
        deadline = time.monotonic() + 60
        while sending.is_alive() and _block_files(node) - before < blocks_in and time.monotonic() < deadline:
            time.sleep(0.005)
        node.kill()
        sending.join(120)
        response = answer["response"]
        figure.tried += 1
        if _refused_clearly(response):
            figure.refused += 1
        elif response.status_code == 201:
            node.start()
            figure.lost += not _stored(checker, response.get_json()["cid"], data)
        else:
            figure.lost += 1
    node.start()
    show(capsys, figure)
    assert figure.lost == 0


def _block_files(node):
    return sum(1 for path in (node.home / "repo" / "blocks").rglob("*") if path.is_file())
