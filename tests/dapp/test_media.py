"""Uploads to IPFS through the dApp, and the /ipfs/<cid> gateway, on the embedded store and a real node."""
import io
import json

import pytest

from dapp import create_app
from dapp.cid import cid_of_bytes
from scripts.signing import local_key
from tests.dapp.signin import csrf_headers
from tests.ipfs_node import ipfs_node_or_skip, pseudo_random_bytes

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + b"\x00" * 64
EXE = b"MZ\x90\x00" + b"\x00" * 200
METADATA = {
    "name": "Hand-roasted coffee beans",
    "description": "Washed Arabica, roasted to order.",
    "image": "ipfs://bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4",
    "attributes": [{"trait_type": "origin", "value": "Huila"}],
}


@pytest.fixture
def headers(client, market):
    return csrf_headers(client, local_key(5))


def upload(client, headers, data, kind="product-image", name="photo.png"):
    return client.post(
        f"/api/uploads?kind={kind}", data={"file": (io.BytesIO(data), name)},
        headers=headers, content_type="multipart/form-data",
    )


def test_upload_answers_the_kubo_cid_and_the_gateway_serves_it(client, headers):
    response = upload(client, headers, PNG)
    assert response.status_code == 201
    body = response.get_json()
    assert body["cid"] == cid_of_bytes(PNG)
    served = client.get(body["url"])
    assert served.status_code == 200 and served.data == PNG
    assert served.headers["Content-Type"] == "image/png"
    assert "immutable" in served.headers["Cache-Control"]
    assert served.headers["ETag"] == f'"{body["cid"]}"'


def test_the_gateway_answers_304_to_a_matching_etag(client, headers):
    cid = upload(client, headers, PNG).get_json()["cid"]
    assert client.get(f"/ipfs/{cid}", headers={"If-None-Match": f'"{cid}"'}).status_code == 304


def test_upload_reports_the_sha256_for_work_registration(client, headers):
    import hashlib

    body = upload(client, headers, PNG, kind="work").get_json()
    assert body["sha256"] == "0x" + hashlib.sha256(PNG).hexdigest()


def test_upload_needs_a_signed_in_session(client, market):
    response = client.post("/api/uploads?kind=product-image", data={"file": (io.BytesIO(PNG), "a.png")})
    assert response.status_code == 401


def test_upload_needs_the_csrf_token(client, headers):
    response = upload(client, {}, PNG)
    assert response.status_code == 403


def test_an_executable_named_png_is_refused_by_content(client, headers):
    response = upload(client, headers, EXE, name="cat.png")
    assert response.status_code == 415
    assert "executable" in response.get_json()["error"]


def test_an_oversized_upload_is_refused_with_413(app, client, headers):
    app.config["MAX_UPLOAD_BYTES"] = 1024
    response = upload(client, headers, PNG + b"\x00" * 4096)
    assert response.status_code == 413
    assert response.get_json()["status"] == 413


@pytest.mark.parametrize("query,files,status", [("kind=nope", True, 400), ("kind=product-image", False, 400)])
def test_bad_upload_requests_get_json_400(client, headers, query, files, status):
    data = {"file": (io.BytesIO(PNG), "a.png")} if files else {}
    response = client.post(f"/api/uploads?{query}", data=data, headers=headers, content_type="multipart/form-data")
    assert response.status_code == status and response.get_json()["error"]


def test_valid_metadata_is_stored_canonically(client, headers):
    response = client.post("/api/metadata", json=METADATA, headers=headers)
    assert response.status_code == 201
    stored = client.get(response.get_json()["url"])
    assert json.loads(stored.data) == METADATA
    assert stored.headers["Content-Type"] == "application/json; charset=utf-8"


def test_invalid_metadata_names_the_field(client, headers):
    response = client.post("/api/metadata", json={**METADATA, "image": "http://example.com/x.png"}, headers=headers)
    assert response.status_code == 422
    assert "image" in response.get_json()["error"]


@pytest.mark.parametrize("cid,status", [("not-a-cid", 400), (cid_of_bytes(b"never stored"), 404)])
def test_the_gateway_refuses_bad_or_unknown_cids_with_json(client, cid, status):
    response = client.get(f"/ipfs/{cid}")
    assert response.status_code == status
    assert response.get_json()["status"] == status


def test_the_gateway_never_serves_bytes_that_do_not_hash_to_the_cid(app, client, headers):
    cid = upload(client, headers, PNG).get_json()["cid"]
    stored = [p for p in (app.extensions["ipfs"].root).rglob("*") if p.is_file() and cid in p.name]
    assert stored, "the embedded store keeps the file under its CID"
    stored[0].write_bytes(PNG[:-1] + b"\x01")
    response = client.get(f"/ipfs/{cid}")
    assert response.status_code >= 500
    assert response.data != PNG[:-1] + b"\x01"


def test_an_ipfs_node_that_is_down_gives_503_and_stores_nothing(deployments_file, tmp_path, market):
    from brownie import web3

    app = create_app({"TESTING": True, "SECRET_KEY": "t", "CHAINMART_RPC_URL": web3.provider.endpoint_uri,
                      "CHAINMART_DEPLOYMENTS": str(deployments_file), "IPFS_BACKEND": "node",
                      "IPFS_API_ADDR": "/ip4/127.0.0.1/tcp/9/http", "IPFS_TIMEOUT": 2})
    client = app.test_client()
    response = upload(client, csrf_headers(client, local_key(5)), PNG)
    assert response.status_code == 503
    assert "IPFS node" in response.get_json()["error"]


@pytest.fixture(scope="module")
def ipfs_api(tmp_path_factory):
    with ipfs_node_or_skip(tmp_path_factory.mktemp("ipfs-node")) as node:
        yield node.api


def test_a_real_node_and_the_embedded_store_give_the_same_cid_for_a_multi_chunk_file(ipfs_api, deployments_file, tmp_path, client, headers):
    from brownie import web3

    data = b"\x89PNG\r\n\x1a\n" + pseudo_random_bytes(3 * 262144 + 5)
    embedded = upload(client, headers, data).get_json()["cid"]
    node_app = create_app({"TESTING": True, "SECRET_KEY": "t", "CHAINMART_RPC_URL": web3.provider.endpoint_uri,
                           "CHAINMART_DEPLOYMENTS": str(deployments_file), "IPFS_BACKEND": "node",
                           "IPFS_API_ADDR": ipfs_api})
    node_client = node_app.test_client()
    response = upload(node_client, csrf_headers(node_client, local_key(5)), data)
    assert response.status_code == 201
    assert response.get_json()["cid"] == embedded == cid_of_bytes(data)
    assert node_client.get(f"/ipfs/{embedded}").data == data


def test_a_listing_whose_metadata_is_stored_is_found_by_its_title(app, client, headers, market, seller):
    cid = client.post("/api/metadata", json=METADATA, headers=headers).get_json()["cid"]
    listing = market.list(10**17, "0x" + "00" * 20, 5, 0, 0, cid, {"from": seller}).return_value
    app.extensions["indexer"].sync()
    items = client.get("/api/listings?q=coffee").get_json()["items"]
    assert [item["id"] for item in items] == [listing]
    assert items[0]["title"] == METADATA["name"]
