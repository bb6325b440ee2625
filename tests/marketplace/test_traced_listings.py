"""Traced listings: a listing sells provenance tokens; completion moves them to the buyer."""
import brownie
import pytest

from chainmart.provenance import Step, verify_token
from tests.conftest import ETH, ETH_PRICE
from tests.reverts import custom_error

PASSPORT = "bafkreipassport"
FACTORY = "urn:epc:id:sgln:4012345.00001.0"


@pytest.fixture(scope="module")
def tokens(provenance, seller):
    return [provenance.mint(PASSPORT, f"SN-{i}", FACTORY, {"from": seller}).return_value for i in range(3)]


@pytest.fixture(scope="module")
def traced_listing(market, provenance, seller, tokens):
    return market.listTraced(ETH_PRICE, ETH, tokens[:2], 0, 0, "bafkreitraced", {"from": seller}).return_value


def buy(market, listing, buyer, quantity=1):
    return market.buy(listing, quantity, {"from": buyer, "value": ETH_PRICE * quantity}).return_value


def complete(market, order, seller, buyer):
    market.shipOrder(order, "TRACK", {"from": seller})
    return market.confirmReceipt(order, {"from": buyer})


def test_deployment_points_the_marketplace_at_the_provenance_contract(market, provenance):
    assert market.provenance() == provenance


def test_traced_listing_stock_is_its_tokens(market, traced_listing, tokens):
    assert market.getListing(traced_listing)["stock"] == 2
    assert market.listingTokens(traced_listing) == tokens[:2]


def test_listing_tokens_emits_the_tokens_added(market, provenance, seller, tokens):
    tx = market.listTraced(ETH_PRICE, ETH, [tokens[2]], 0, 0, "bafkreitraced", {"from": seller})
    assert tx.events["ListingTokensAdded"] == {"listingId": tx.return_value, "tokenIds": [tokens[2]]}


def test_completion_moves_the_token_to_the_buyer_with_a_selling_event(market, provenance, traced_listing, tokens, seller, buyer):
    order = buy(market, traced_listing, buyer)
    tx = complete(market, order, seller, buyer)
    assert provenance.ownerOf(tokens[0]) == buyer
    assert tx.events["ProvenanceSold"] == {"tokenId": tokens[0], "from": seller, "to": buyer, "orderId": order}
    recorded = tx.events["ProvenanceEventRecorded"]
    assert recorded["step"] == Step.SELLING and recorded["evidenceCid"] == "order:" + hex(order)


def test_the_sold_tokens_trail_still_verifies(market, provenance, traced_listing, tokens, seller, buyer):
    complete(market, buy(market, traced_listing, buyer), seller, buyer)
    result = verify_token(provenance, tokens[0])
    assert result.ok and result.count == 2


def test_an_order_takes_the_next_tokens_of_the_pool(market, traced_listing, tokens, buyer):
    order = buy(market, traced_listing, buyer, quantity=2)
    assert market.orderTokens(order) == tokens[:2]
    assert market.listingTokens(traced_listing) == []


def test_a_cancelled_order_leaves_the_token_with_the_seller_and_back_in_the_pool(market, provenance, traced_listing, tokens, seller, buyer):
    order = buy(market, traced_listing, buyer)
    market.cancelOrder(order, {"from": buyer})
    assert provenance.ownerOf(tokens[0]) == seller
    assert market.getListing(traced_listing)["stock"] == 2
    assert sorted(market.listingTokens(traced_listing)) == sorted(tokens[:2])


def test_a_returned_token_is_sold_again(market, provenance, traced_listing, tokens, seller, buyer, stranger):
    market.rejectOrder(buy(market, traced_listing, buyer), {"from": seller})
    second = buy(market, traced_listing, stranger, quantity=2)
    assert sorted(market.orderTokens(second)) == sorted(tokens[:2])
    complete(market, second, seller, stranger)
    assert provenance.ownerOf(tokens[0]) == provenance.ownerOf(tokens[1]) == stranger


def test_a_full_refund_by_the_arbiter_leaves_the_token_with_the_seller(market, provenance, traced_listing, tokens, seller, buyer, arbiter):
    order = buy(market, traced_listing, buyer)
    market.shipOrder(order, "TRACK", {"from": seller})
    market.openDispute(order, "bafkreievidence", {"from": buyer})
    market.resolveDispute(order, 10_000, {"from": arbiter})
    assert provenance.ownerOf(tokens[0]) == seller


def test_a_split_resolution_delivers_the_token(market, provenance, traced_listing, tokens, seller, buyer, arbiter):
    order = buy(market, traced_listing, buyer)
    market.shipOrder(order, "TRACK", {"from": seller})
    market.openDispute(order, "bafkreievidence", {"from": buyer})
    market.resolveDispute(order, 5_000, {"from": arbiter})
    assert provenance.ownerOf(tokens[0]) == buyer


def test_a_token_the_seller_gave_away_does_not_block_the_payout(market, provenance, traced_listing, tokens, seller, buyer, stranger):
    order = buy(market, traced_listing, buyer)
    provenance.transferFrom(seller, stranger, tokens[0], {"from": seller})
    tx = complete(market, order, seller, buyer)
    assert tx.events["TracedTokenNotDelivered"] == {"orderId": order, "tokenId": tokens[0]}
    assert provenance.ownerOf(tokens[0]) == stranger
    assert market.creditOf(seller, ETH) == ETH_PRICE - ETH_PRICE * market.feeBps() // 10_000


def test_listing_a_token_the_seller_does_not_hold_is_refused(market, provenance, seller, stranger, tokens):
    provenance.transferFrom(seller, stranger, tokens[2], {"from": seller})
    with brownie.reverts(custom_error("MarketplaceNotTokenHolder", tokens[2], seller)):
        market.listTraced(ETH_PRICE, ETH, [tokens[2]], 0, 0, "bafkreitraced", {"from": seller})


def test_listing_a_token_twice_is_refused(market, traced_listing, seller, tokens):
    with brownie.reverts(custom_error("MarketplaceTokenAlreadyListed", tokens[0])):
        market.listTraced(ETH_PRICE, ETH, [tokens[0]], 0, 0, "bafkreitraced", {"from": seller})


def test_listing_a_recalled_token_is_refused(market, provenance, seller, tokens):
    provenance.recall(tokens[2], "bafkreirecall", {"from": seller})
    with brownie.reverts(custom_error("MarketplaceTokenRecalled", tokens[2])):
        market.listTraced(ETH_PRICE, ETH, [tokens[2]], 0, 0, "bafkreitraced", {"from": seller})


def test_listing_no_tokens_is_refused(market, provenance, seller):
    with brownie.reverts(custom_error("MarketplaceInvalidTokenCount", 0)):
        market.listTraced(ETH_PRICE, ETH, [], 0, 0, "bafkreitraced", {"from": seller})


def test_adding_tokens_raises_the_stock(market, traced_listing, seller, tokens):
    tx = market.addListingTokens(traced_listing, [tokens[2]], {"from": seller})
    assert tx.events["ListingStockUpdated"] == {"listingId": traced_listing, "stock": 3}
    assert market.listingTokens(traced_listing) == tokens


def test_adding_tokens_to_an_untraced_listing_is_refused(market, eth_listing, seller, tokens):
    with brownie.reverts(custom_error("MarketplaceNotTracedListing", eth_listing)):
        market.addListingTokens(eth_listing, [tokens[2]], {"from": seller})


def test_setting_the_stock_of_a_traced_listing_is_refused(market, traced_listing, seller):
    with brownie.reverts(custom_error("MarketplaceTracedListingStock", traced_listing)):
        market.setStock(traced_listing, 50, {"from": seller})


def test_only_the_admin_sets_the_provenance_contract(market, provenance, stranger):
    with brownie.reverts():
        market.setProvenance(provenance, {"from": stranger})


def test_an_untraced_order_has_no_tokens(market, eth_listing, buyer):
    assert market.orderTokens(buy(market, eth_listing, buyer)) == []


def test_a_traced_order_is_capped_so_its_completion_fits_in_a_block(market, provenance, seller, buyer):
    cap = market.MAX_TOKENS_PER_CALL()
    minted = [provenance.mint(PASSPORT, f"B-{i}", FACTORY, {"from": seller}).return_value for i in range(cap + 1)]
    listing = market.listTraced(1, ETH, minted[:cap], 0, 0, "bafkreitraced", {"from": seller}).return_value
    market.addListingTokens(listing, minted[cap:], {"from": seller})
    with brownie.reverts(custom_error("MarketplaceInvalidTokenCount", cap + 1)):
        market.buy(listing, cap + 1, {"from": buyer, "value": cap + 1})


def test_the_largest_traced_order_completes_within_the_block_gas_limit(market, provenance, seller, buyer):
    cap = market.MAX_TOKENS_PER_CALL()
    minted = [provenance.mint(PASSPORT, f"C-{i}", FACTORY, {"from": seller}).return_value for i in range(cap)]
    listing = market.listTraced(1, ETH, minted, 0, 0, "bafkreitraced", {"from": seller}).return_value
    order = market.buy(listing, cap, {"from": buyer, "value": cap}).return_value
    market.shipOrder(order, "TRACK", {"from": seller})
    tx = market.confirmReceipt(order, {"from": buyer})
    assert tx.gas_used < 15_000_000  # half of a 30M block
    assert all(provenance.ownerOf(token) == buyer for token in minted)
