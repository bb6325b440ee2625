"""recordSale: the Marketplace (here a test account with MARKETPLACE_ROLE) sells a token."""
import brownie
from brownie import ZERO_ADDRESS
from hexbytes import HexBytes

from chainmart.provenance import Step
from tests.provenance.trail_events import recorded_event
from tests.reverts import custom_error

ORDER_ID = (0x1234 << 96) | (7 << 32) | 1  # buyer bits, listing 7, sequence 1
ORDER_REF = "order:" + hex(ORDER_ID)
ZERO_ADDRESS_ERROR = "ProvenanceZeroAddress: "


def unauthorized(account, role):
    """OpenZeppelin's AccessControlUnauthorizedAccount; Brownie shows the bytes32 role as a bytes literal."""
    return custom_error("AccessControlUnauthorizedAccount", account, str(bytes(HexBytes(role))))


def test_record_sale_moves_token_to_buyer(provenance, product, producer, sales_agent, buyer):
    provenance.recordSale(product, producer, buyer, ORDER_ID, {"from": sales_agent})
    assert provenance.ownerOf(product) == buyer


def test_record_sale_appends_selling_event_with_order_reference(provenance, product, producer, sales_agent, buyer):
    prev_head = provenance.trailOf(product)[0]
    tx = provenance.recordSale(product, producer, buyer, ORDER_ID, {"from": sales_agent})
    assert tx.return_value == 1
    assert tx.events["ProvenanceEventRecorded"] == recorded_event(
        tx, product, 1, Step.SELLING, sales_agent, "", ORDER_REF, prev_head
    )


def test_record_sale_emits_transfer_sold_and_trail_events_in_order(
    provenance, product, producer, sales_agent, buyer
):
    tx = provenance.recordSale(product, producer, buyer, ORDER_ID, {"from": sales_agent})
    assert list(tx.events.keys()) == ["Transfer", "ProvenanceSold", "ProvenanceEventRecorded"]
    assert tx.events["Transfer"] == {"from": producer, "to": buyer, "tokenId": product}
    assert tx.events["ProvenanceSold"] == {"tokenId": product, "from": producer, "to": buyer, "orderId": ORDER_ID}


def test_record_sale_takes_token_from_the_seller_without_approval(
    provenance, product, producer, stranger, sales_agent, buyer
):
    provenance.transferFrom(producer, stranger, product, {"from": producer})
    tx = provenance.recordSale(product, stranger, buyer, ORDER_ID, {"from": sales_agent})
    assert tx.events["ProvenanceSold"]["from"] == stranger
    assert provenance.ownerOf(product) == buyer


def test_record_sale_refuses_a_seller_who_no_longer_holds_the_token(
    provenance, product, producer, stranger, sales_agent, buyer
):
    provenance.transferFrom(producer, stranger, product, {"from": producer})
    with brownie.reverts(custom_error("ProvenanceSellerNotHolder", product, producer, stranger)):
        provenance.recordSale(product, producer, buyer, ORDER_ID, {"from": sales_agent})


def test_record_sale_clears_approval(provenance, product, producer, stranger, sales_agent, buyer):
    provenance.approve(stranger, product, {"from": producer})
    provenance.recordSale(product, producer, buyer, ORDER_ID, {"from": sales_agent})
    assert provenance.getApproved(product) == ZERO_ADDRESS


def test_buyer_may_append_after_sale(provenance, product, producer, sales_agent, buyer):
    provenance.recordSale(product, producer, buyer, ORDER_ID, {"from": sales_agent})
    tx = provenance.appendEvent(product, Step.DELIVERING, "geo:52.52,13.40", "bafkreidelivered", {"from": buyer})
    assert tx.return_value == 2


def test_seller_authorisations_lapse_after_sale(provenance, product, producer, stranger, courier, sales_agent, buyer):
    provenance.transferFrom(producer, stranger, product, {"from": producer})
    provenance.setAppender(product, courier, True, {"from": stranger})
    provenance.recordSale(product, stranger, buyer, ORDER_ID, {"from": sales_agent})
    assert not provenance.canAppend(product, courier)


def test_marketplace_contract_holds_marketplace_role(provenance, market):
    assert provenance.hasRole(provenance.MARKETPLACE_ROLE(), market)


def test_account_without_marketplace_role_cannot_record_sale(provenance, product, producer, buyer):
    with brownie.reverts(unauthorized(producer, provenance.MARKETPLACE_ROLE())):
        provenance.recordSale(product, producer, buyer, ORDER_ID, {"from": producer})


def test_record_sale_refuses_recalled_token(provenance, product, producer, sales_agent, buyer):
    provenance.recall(product, "bafkreirecallnotice", {"from": producer})
    with brownie.reverts(custom_error("ProvenanceTokenRecalled", product)):
        provenance.recordSale(product, producer, buyer, ORDER_ID, {"from": sales_agent})


def test_record_sale_refuses_zero_buyer(provenance, product, producer, sales_agent):
    with brownie.reverts(ZERO_ADDRESS_ERROR):
        provenance.recordSale(product, producer, ZERO_ADDRESS, ORDER_ID, {"from": sales_agent})


def test_record_sale_refuses_buyer_who_holds_token(provenance, product, producer, sales_agent):
    with brownie.reverts(custom_error("ProvenanceBuyerIsHolder", product, producer)):
        provenance.recordSale(product, producer, producer, ORDER_ID, {"from": sales_agent})


def test_record_sale_refuses_unknown_token(provenance, producer, sales_agent, buyer):
    with brownie.reverts(custom_error("ProvenanceUnknownToken", 77)):
        provenance.recordSale(77, producer, buyer, ORDER_ID, {"from": sales_agent})
