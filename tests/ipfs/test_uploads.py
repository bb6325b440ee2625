"""Upload checks: size, type by content (not by name), and ERC-721 metadata."""
from __future__ import annotations

import io
import json
import re

import pytest

from dapp.cid import cid_of_bytes
from dapp.exceptions import EmptyUpload, InvalidMetadata, UnsupportedMediaType, UploadRejected, UploadTooLarge
from dapp.uploads import (
    GIF,
    JPEG,
    JSON,
    MP4,
    PDF,
    PNG,
    POLICIES,
    TEXT,
    WEBM,
    WEBP,
    UploadPolicy,
    check_upload,
    detect_media_type,
    read_limited,
    validate_token_metadata,
)

SAMPLES = {
    PNG: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00",
    JPEG: b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00",
    GIF: b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!",
    WEBP: b"RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00",
    PDF: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
    MP4: b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2\x00\x00\x00\x08free",
    WEBM: b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08\x42\x82\x84webm",
    JSON: b'{"name": "Oak chair", "sizes": [1, 2]}',
    TEXT: "Licence: the buyer may display the work. Überall.\n\tSigned.\r\n".encode(),
}
WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(48) + b"PE\x00\x00"
CID = cid_of_bytes(b"an image")


@pytest.mark.parametrize("media_type", sorted(SAMPLES))
def test_types_are_detected_by_content(media_type):
    assert detect_media_type(SAMPLES[media_type]) == media_type


@pytest.mark.parametrize(
    "content",
    [WINDOWS_EXE, b"\x7fELF\x02\x01\x01", b"PK\x03\x04\x14\x00", b"\x00\x01\x02binary", b"<html><script>", b"{not json"],
)
def test_other_content_is_not_a_supported_type(content):
    assert detect_media_type(content) is None


def test_an_executable_renamed_png_is_refused_naming_what_it_is():
    with pytest.raises(UnsupportedMediaType) as raised:
        check_upload("product-image", WINDOWS_EXE, filename="chair.png")
    message = str(raised.value)
    assert "Windows executable" in message
    assert "'chair.png'" in message and "names are not trusted" in message
    assert "PNG image" in message and "JPEG image" in message
    assert isinstance(raised.value, UploadRejected) and isinstance(raised.value, ValueError)


def test_the_name_does_not_decide_the_type():
    assert check_upload("product-image", SAMPLES[JPEG], filename="photo.png") == JPEG


@pytest.mark.parametrize(
    "kind, content, described",
    [
        ("product-image", SAMPLES[PDF], "a PDF document"),
        ("product-image", b"PK\x03\x04" + bytes(30), "a ZIP archive"),
        ("license", b"  <!DOCTYPE html><p>terms</p>", "markup (HTML, SVG or XML)"),
        ("license", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", "brand 'heic'"),
        ("passport", b'{"serial": 12,', "malformed JSON"),
        ("evidence", b"\x7fELF\x02\x01\x01\x00", "Linux executable"),
        ("evidence", b"text with a NUL\x00 byte", "unrecognised binary format"),
    ],
)
def test_refusals_describe_the_content(kind, content, described):
    with pytest.raises(UnsupportedMediaType, match=re.escape(described)):
        check_upload(kind, content)


@pytest.mark.parametrize("kind", sorted(POLICIES))
def test_every_kind_accepts_something(kind):
    accepted = [t for t, sample in SAMPLES.items() if t in POLICIES[kind].allowed_types]
    assert accepted
    for media_type in accepted:
        assert check_upload(kind, SAMPLES[media_type]) == media_type


def test_oversize_uploads_are_refused_with_both_sizes():
    policy = UploadPolicy(frozenset({TEXT}), max_bytes=1024)
    assert policy.check(b"a" * 1024) == TEXT
    with pytest.raises(UploadTooLarge, match=r"1\.0 KiB; the limit is 1\.0 KiB") as raised:
        policy.check(b"a" * 1025)
    assert (raised.value.size, raised.value.limit) == (1025, 1024)


def test_reading_an_upload_stops_just_past_the_limit():
    stream = io.BytesIO(b"x" * 10_000)
    with pytest.raises(UploadTooLarge, match="more than 100 bytes"):
        read_limited(stream, 100)
    assert stream.tell() == 101
    assert POLICIES["metadata"].read(io.BytesIO(b"{}")) == b"{}"


def test_empty_uploads_are_refused():
    with pytest.raises(EmptyUpload, match="empty"):
        check_upload("work", b"")


def test_unknown_upload_kinds_are_a_programming_error():
    with pytest.raises(ValueError, match="unknown upload kind 'selfie'"):
        check_upload("selfie", SAMPLES[PNG])


# ---------------------------------------------------------------- token metadata


def metadata(**changes):
    document = {
        "name": "Oak chair #12",
        "description": "Hand-made oak chair.",
        "image": f"ipfs://{CID}",
        "attributes": [{"trait_type": "Material", "value": "oak"}, {"trait_type": "Weight", "value": 7.5}],
    }
    document.update(changes)
    return {key: value for key, value in document.items() if value is not ...}


def test_valid_metadata_passes_in_every_form():
    document = metadata(external_url="https://chainmart.example/chair/12")
    assert validate_token_metadata(document) == document
    assert validate_token_metadata(json.dumps(document)) == document
    assert validate_token_metadata(json.dumps(document).encode()) == document
    assert validate_token_metadata(metadata(image=CID, attributes=...))["image"] == CID
    assert validate_token_metadata(metadata(image=f"ipfs://{CID}/front.png"))
    assert validate_token_metadata(
        metadata(attributes=[{"trait_type": "Age", "value": 3, "display_type": "number", "max_value": 10}])
    )


@pytest.mark.parametrize(
    "document, field, message",
    [
        (b"{\"name\": ", None, "not valid JSON"),
        (b"\xff\xfe{}", None, "not UTF-8"),
        ("[1, 2]", None, "must be a JSON object"),
        (metadata(name=...), "name", "is missing"),
        (metadata(name="  "), "name", "must not be empty"),
        (metadata(name=12), "name", "must be text, not a number"),
        (metadata(name="x" * 201), "name", "at most 200"),
        (metadata(description=...), "description", "is missing"),
        (metadata(description=None), "description", "must be text, not null"),
        (metadata(image=...), "image", "is missing"),
        (metadata(image="https://example.com/chair.png"), "image", "is a web address"),
        (metadata(image=f"ipfs://ipfs/{CID}"), "image", "old ipfs://ipfs/ form"),
        (metadata(image="ipfs://not-a-cid"), "image", "does not hold a valid CID"),
        (metadata(image=""), "image", "must be an ipfs://<CID> URI"),
        (metadata(attributes={"Material": "oak"}), "attributes", "must be a list"),
        (metadata(attributes=["oak"]), "attributes[0]", "must be an object"),
        (metadata(attributes=[{"value": "oak"}]), "attributes[0].trait_type", "is missing or empty"),
        (metadata(attributes=[{"trait_type": "Material"}]), "attributes[0].value", "is missing"),
        (metadata(attributes=[{"trait_type": "A", "value": 1}, {"trait_type": "B", "value": None}]), "attributes[1].value", "text or a number, not null"),
        (metadata(attributes=[{"trait_type": "Vegan", "value": True}]), "attributes[0].value", "not true/false"),
        (metadata(attributes=[{"trait_type": "A", "value": 1, "colour": "red"}]), "attributes[0]", "unknown keys colour"),
        (metadata(attributes=[{"trait_type": "A", "value": 1, "max_value": "ten"}]), "attributes[0].max_value", "must be a number"),
        (metadata(attributes=[{"trait_type": "A", "value": 1}] * 101), "attributes", "at most 100"),
    ],
)
def test_invalid_metadata_names_the_field(document, field, message):
    with pytest.raises(InvalidMetadata, match=message) as raised:
        validate_token_metadata(document)
    assert raised.value.field == field
    if field:
        assert f"field {field!r}" in str(raised.value)
