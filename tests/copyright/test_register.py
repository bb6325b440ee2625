"""Registering works: certificates, first-to-register, royalties, deployment."""
import brownie
import pytest
from brownie import ZERO_ADDRESS
from eth_utils import keccak
from hexbytes import HexBytes

from tests.conftest import CONTENT_CID, CONTENT_HASH, FEE_BPS, ROYALTY_BPS, WORK_METADATA_CID
from tests.reverts import custom_error

# Brownie renders an error without arguments as "Name: ", which custom_error("Name") does not match.
ZERO_HASH_ERROR = "CopyrightZeroContentHash: "
EMPTY_CID_ERROR = "CopyrightEmptyCid: "
ZERO_ADDRESS_ERROR = "CopyrightZeroAddress: "
NEW_HASH = "0x" + keccak(text="another work").hex().removeprefix("0x")


def already_registered(content_hash, work_id):
    """CopyrightAlreadyRegistered; Brownie shows the bytes32 hash as a bytes literal."""
    return custom_error("CopyrightAlreadyRegistered", str(bytes(HexBytes(content_hash))), work_id)


def register(registry, account, content_hash=NEW_HASH, royalty_bps=ROYALTY_BPS, metadata_cid=WORK_METADATA_CID):
    return registry.registerWork(content_hash, CONTENT_CID, "Dusk", metadata_cid, royalty_bps, {"from": account})


def test_register_mints_certificate_to_creator(registry, creator):
    tx = register(registry, creator)
    assert registry.ownerOf(tx.return_value) == creator


def test_register_emits_transfer_and_work_registered(registry, creator):
    tx = register(registry, creator)
    work_id = tx.return_value
    assert list(tx.events.keys()) == ["Transfer", "WorkRegistered"]
    assert tx.events["Transfer"] == {"from": ZERO_ADDRESS, "to": creator, "tokenId": work_id}
    assert tx.events["WorkRegistered"] == {
        "workId": work_id,
        "creator": creator,
        "contentHash": NEW_HASH,
        "contentCid": CONTENT_CID,
        "title": "Dusk",
        "metadataCid": WORK_METADATA_CID,
        "royaltyBps": ROYALTY_BPS,
    }


def test_register_records_work(registry, creator):
    tx = register(registry, creator)
    work_id = tx.return_value
    assert registry.getWork(work_id) == (
        work_id, creator, creator, NEW_HASH, tx.timestamp, ROYALTY_BPS, False, WORK_METADATA_CID
    )


def test_work_id_of_content_hash(registry, creator):
    work_id = register(registry, creator).return_value
    assert registry.workIdOf(NEW_HASH) == work_id


def test_work_id_of_unregistered_hash_is_zero(registry):
    assert registry.workIdOf(NEW_HASH) == 0


def test_work_ids_are_sequential(registry, creator, stranger):
    first = register(registry, creator).return_value
    second = register(registry, stranger, content_hash="0x" + "11" * 32).return_value
    assert second == first + 1
    assert registry.workCount() == second


def test_token_uri_is_ipfs_metadata(registry, work):
    assert registry.tokenURI(work) == "ipfs://" + WORK_METADATA_CID


def test_second_registration_of_same_hash_names_existing_certificate(registry, work, stranger):
    with brownie.reverts(already_registered(CONTENT_HASH, work)):
        register(registry, stranger, content_hash=CONTENT_HASH)


def test_creator_cannot_register_same_hash_twice(registry, work, creator):
    with brownie.reverts(already_registered(CONTENT_HASH, work)):
        register(registry, creator, content_hash=CONTENT_HASH)


def test_revoked_work_keeps_its_hash(registry, work, creator, stranger):
    registry.revokeWork(work, {"from": creator})
    with brownie.reverts(already_registered(CONTENT_HASH, work)):
        register(registry, stranger, content_hash=CONTENT_HASH)


def test_register_refuses_zero_hash(registry, creator):
    with brownie.reverts(ZERO_HASH_ERROR):
        register(registry, creator, content_hash="0x" + "00" * 32)


def test_register_refuses_empty_content_cid(registry, creator):
    with brownie.reverts(EMPTY_CID_ERROR):
        registry.registerWork(NEW_HASH, "", "Dusk", WORK_METADATA_CID, ROYALTY_BPS, {"from": creator})


def test_register_refuses_empty_metadata_cid(registry, creator):
    with brownie.reverts(EMPTY_CID_ERROR):
        register(registry, creator, metadata_cid="")


def test_register_refuses_royalty_above_cap(registry, creator):
    cap = registry.MAX_ROYALTY_BPS()
    with brownie.reverts(custom_error("CopyrightRoyaltyTooHigh", cap + 1, cap)):
        register(registry, creator, royalty_bps=cap + 1)


def test_register_accepts_royalty_at_cap(registry, creator):
    cap = registry.MAX_ROYALTY_BPS()
    work_id = register(registry, creator, royalty_bps=cap).return_value
    assert registry.getWork(work_id)["royaltyBps"] == cap


# ---------------------------------------------------------------- royalties (ERC-2981)


def test_royalty_info_pays_creator_at_registered_rate(registry, work, creator):
    assert registry.royaltyInfo(work, 10**18) == (creator, 10**18 * ROYALTY_BPS // 10_000)


def test_royalty_stays_with_creator_after_certificate_transfer(registry, work, creator, stranger):
    registry.transferFrom(creator, stranger, work, {"from": creator})
    assert registry.royaltyInfo(work, 10_000) == (creator, ROYALTY_BPS)


def test_royalty_info_of_unknown_token_is_nothing(registry):
    assert registry.royaltyInfo(77, 10**18) == (ZERO_ADDRESS, 0)


def test_certificate_transfer_moves_rights_holder(registry, work, creator, stranger):
    registry.transferFrom(creator, stranger, work, {"from": creator})
    assert registry.getWork(work)["rightsHolder"] == stranger
    assert registry.getWork(work)["creator"] == creator


@pytest.mark.parametrize("interface_id", ["0x2a55205a", "0x80ac58cd", "0x5b5e139f", "0x7965db0b", "0x01ffc9a7"])
def test_supports_erc2981_erc721_metadata_and_access_control(registry, interface_id):
    assert registry.supportsInterface(interface_id)


def test_does_not_claim_unknown_interface(registry):
    assert not registry.supportsInterface("0xffffffff")


def test_get_work_refuses_unknown_work(registry):
    with brownie.reverts(custom_error("CopyrightUnknownWork", 77)):
        registry.getWork(77)


def test_token_uri_refuses_unknown_token(registry):
    with brownie.reverts(custom_error("ERC721NonexistentToken", 77)):
        registry.tokenURI(77)


# ---------------------------------------------------------------- deployment


def test_deploy_sets_admin_fee_treasury_marketplace_and_forwarder(registry, admin, treasury, market, forwarder):
    assert registry.hasRole(registry.DEFAULT_ADMIN_ROLE(), admin)
    assert (registry.feeBps(), registry.treasury()) == (FEE_BPS, treasury)
    assert (registry.marketplace(), registry.trustedForwarder()) == (market, forwarder)
    assert (registry.name(), registry.symbol()) == ("ChainMart Copyright", "CMCOPY")


@pytest.mark.parametrize("zero_arg", [0, 1, 3])
def test_deploy_refuses_zero_admin_treasury_or_marketplace(
    CopyrightRegistry, admin, treasury, market, forwarder, zero_arg
):
    args = [admin, treasury, FEE_BPS, market]
    args[zero_arg] = ZERO_ADDRESS
    with brownie.reverts(ZERO_ADDRESS_ERROR):
        CopyrightRegistry.deploy(*args, forwarder, {"from": admin})


def test_deploy_refuses_fee_above_cap(CopyrightRegistry, admin, treasury, market, forwarder):
    with brownie.reverts(custom_error("CopyrightInvalidFee", 1_001, 1_000)):
        CopyrightRegistry.deploy(admin, treasury, 1_001, market, forwarder, {"from": admin})
