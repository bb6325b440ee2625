"""Minting provenance tokens: producers, the origin record, the Commissioning event, deployment."""
import brownie
import pytest
from brownie import ZERO_ADDRESS

from chainmart.provenance import ZERO_HEAD, Step
from tests.conftest import BATCH_REF, FACTORY, PASSPORT_CID
from tests.provenance.trail_events import recorded_event
from tests.reverts import custom_error

# Brownie renders an error without arguments as "Name: ", which custom_error("Name") does not match.
EMPTY_CID_ERROR = "ProvenanceEmptyCid: "
ZERO_ADDRESS_ERROR = "ProvenanceZeroAddress: "


def test_seller_mints_token_to_itself(provenance, producer):
    tx = provenance.mint(PASSPORT_CID, BATCH_REF, FACTORY, {"from": producer})
    assert provenance.ownerOf(tx.return_value) == producer
    assert provenance.balanceOf(producer) == 1


def test_mint_emits_transfer_minted_and_commissioning_events_in_order(provenance, producer):
    tx = provenance.mint(PASSPORT_CID, BATCH_REF, FACTORY, {"from": producer})
    token_id = tx.return_value
    assert list(tx.events.keys()) == ["Transfer", "ProvenanceMinted", "ProvenanceEventRecorded"]
    assert tx.events["Transfer"] == {"from": ZERO_ADDRESS, "to": producer, "tokenId": token_id}
    assert tx.events["ProvenanceMinted"] == {
        "tokenId": token_id,
        "producer": producer,
        "passportCid": PASSPORT_CID,
        "batchRef": BATCH_REF,
    }
    assert tx.events["ProvenanceEventRecorded"] == recorded_event(
        tx, token_id, 0, Step.COMMISSIONING, producer, FACTORY, PASSPORT_CID, ZERO_HEAD
    )


def test_mint_records_origin(provenance, producer):
    tx = provenance.mint(PASSPORT_CID, BATCH_REF, FACTORY, {"from": producer})
    assert provenance.originOf(tx.return_value) == (producer, tx.timestamp, False, PASSPORT_CID, BATCH_REF)


def test_mint_starts_trail_with_one_event(provenance, producer):
    tx = provenance.mint(PASSPORT_CID, BATCH_REF, FACTORY, {"from": producer})
    head = tx.events["ProvenanceEventRecorded"]["head"]
    assert provenance.trailOf(tx.return_value) == (head, 1)


def test_token_uri_is_ipfs_passport(provenance, product):
    assert provenance.tokenURI(product) == "ipfs://" + PASSPORT_CID


def test_role_producer_mints(provenance, role_producer):
    tx = provenance.mint(PASSPORT_CID, "SN-0001", FACTORY, {"from": role_producer})
    assert provenance.ownerOf(tx.return_value) == role_producer


def test_token_ids_are_sequential(provenance, producer, role_producer):
    first = provenance.mint(PASSPORT_CID, "A", FACTORY, {"from": producer}).return_value
    tx = provenance.mint(PASSPORT_CID, "B", FACTORY, {"from": role_producer})
    assert tx.return_value == first + 1
    assert provenance.totalMinted() == first + 1


def test_mint_accepts_empty_batch_ref(provenance, producer):
    tx = provenance.mint(PASSPORT_CID, "", FACTORY, {"from": producer})
    assert provenance.originOf(tx.return_value)["batchRef"] == ""


def test_mint_accepts_31_byte_batch_ref(provenance, producer):
    ref = "B" * 31
    tx = provenance.mint(PASSPORT_CID, ref, FACTORY, {"from": producer})
    assert provenance.originOf(tx.return_value)["batchRef"] == ref


def test_mint_refuses_batch_ref_over_31_bytes(provenance, producer):
    with brownie.reverts(custom_error("ProvenanceBatchRefTooLong", 32, 31)):
        provenance.mint(PASSPORT_CID, "B" * 32, FACTORY, {"from": producer})


def test_mint_refuses_empty_passport(provenance, producer):
    with brownie.reverts(EMPTY_CID_ERROR):
        provenance.mint("", BATCH_REF, FACTORY, {"from": producer})


def test_stranger_cannot_mint(provenance, stranger):
    with brownie.reverts(custom_error("ProvenanceUnauthorizedProducer", stranger)):
        provenance.mint(PASSPORT_CID, BATCH_REF, FACTORY, {"from": stranger})


def test_suspended_seller_cannot_mint(provenance, market, admin, producer):
    market.suspendSeller(producer, {"from": admin})
    with brownie.reverts(custom_error("ProvenanceUnauthorizedProducer", producer)):
        provenance.mint(PASSPORT_CID, BATCH_REF, FACTORY, {"from": producer})


def test_producer_whose_role_was_revoked_cannot_mint(provenance, admin, role_producer):
    provenance.revokeRole(provenance.PRODUCER_ROLE(), role_producer, {"from": admin})
    with brownie.reverts(custom_error("ProvenanceUnauthorizedProducer", role_producer)):
        provenance.mint(PASSPORT_CID, BATCH_REF, FACTORY, {"from": role_producer})


@pytest.mark.parametrize("who, expected", [("producer", True), ("role_producer", True), ("stranger", False)])
def test_is_producer(provenance, request, who, expected):
    assert provenance.isProducer(request.getfixturevalue(who)) is expected


@pytest.mark.parametrize("view", ["originOf", "isRecalled", "trailOf"])
def test_views_refuse_unknown_token(provenance, view):
    with brownie.reverts(custom_error("ProvenanceUnknownToken", 77)):
        getattr(provenance, view)(77)


def test_token_uri_refuses_unknown_token(provenance):
    with brownie.reverts(custom_error("ERC721NonexistentToken", 77)):
        provenance.tokenURI(77)


@pytest.mark.parametrize("interface_id", ["0x80ac58cd", "0x5b5e139f", "0x7965db0b", "0x01ffc9a7"])
def test_supports_erc721_metadata_and_access_control(provenance, interface_id):
    assert provenance.supportsInterface(interface_id)


def test_deploy_grants_admin_and_marketplace_roles(provenance, market, admin):
    assert provenance.hasRole(provenance.DEFAULT_ADMIN_ROLE(), admin)
    assert provenance.hasRole(provenance.MARKETPLACE_ROLE(), market)
    assert provenance.marketplace() == market


def test_trusts_the_platform_forwarder(provenance, forwarder):
    assert provenance.trustedForwarder() == forwarder


@pytest.mark.parametrize("zero_arg", [0, 1])
def test_deploy_refuses_zero_admin_or_marketplace(ProvenanceToken, market, forwarder, admin, zero_arg):
    args = [admin, market]
    args[zero_arg] = ZERO_ADDRESS
    with brownie.reverts(ZERO_ADDRESS_ERROR):
        ProvenanceToken.deploy(*args, forwarder, {"from": admin})


def test_name_and_symbol(provenance):
    assert (provenance.name(), provenance.symbol()) == ("ChainMart Provenance", "CMPROV")
