"""Copyright calls relayed through the platform's ERC-2771 forwarder act for the signer."""
from tests.conftest import CONTENT_CID, ETH, ETH_PRICE, TERMS_CID
from tests.forwarding import forward

RELAYED_HASH = "0x" + "5e" * 32


def test_relayed_registration_makes_signer_the_creator(registry, forwarder, courier, relayer):
    calldata = registry.registerWork.encode_input(RELAYED_HASH, CONTENT_CID, "Relayed", "bafkreimeta", 100)
    tx = forward(forwarder, courier, registry, calldata, relayer)
    work_id = tx.events["WorkRegistered"]["workId"]
    assert registry.ownerOf(work_id) == courier
    assert registry.royaltyInfo(work_id, 10_000) == (courier, 100)


def test_relayed_use_record_names_the_licensee(registry, forwarder, work, eth_offer, courier, relayer):
    registry.buyLicense(eth_offer, {"from": courier, "value": ETH_PRICE})
    calldata = registry.recordUse.encode_input(work, "stream", "bafkreiusage")
    tx = forward(forwarder, courier, registry, calldata, relayer)
    assert tx.events["LicenseUseRecorded"]["licensee"] == courier


def test_relayed_offer_by_rights_holder(registry, forwarder, work, creator, relayer):
    calldata = registry.createOffer.encode_input(work, ETH, 1, 0, 0, False, False, TERMS_CID)
    tx = forward(forwarder, creator, registry, calldata, relayer)
    assert tx.events["LicenseOfferCreated"]["workId"] == work
