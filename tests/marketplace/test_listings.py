"""Listing products and the seller's changes to a listing."""

import brownie
import pytest
from brownie import TestStablecoin

from tests.conftest import ETH, ETH_PRICE, USD_PRICE
from tests.reverts import custom_error

METADATA_CID = "bafkreiproductmetadata"
HOUR = 3600
DAY = 24 * HOUR
MAX_PRICE = 2**96 - 1


@pytest.fixture(scope="module")
def unlisted_token(admin):
    return TestStablecoin.deploy("Unlisted USD", "uUSD", 6, {"from": admin})


# ---------------------------------------------------------------- list


def test_list_emits_listed(market, seller):
    expected_id = market.listingCount() + 1
    tx = market.list(ETH_PRICE, ETH, 10, 2 * DAY, 3 * DAY, METADATA_CID, {"from": seller})
    assert tx.events["Listed"] == {
        "listingId": expected_id,
        "seller": seller,
        "asset": ETH,
        "price": ETH_PRICE,
        "stock": 10,
        "shipWindow": 2 * DAY,
        "confirmWindow": 3 * DAY,
        "metadataCid": METADATA_CID,
    }


def test_first_listing_gets_id_one(market, seller):
    assert market.listingCount() == 0
    tx = market.list(ETH_PRICE, ETH, 10, 0, 0, METADATA_CID, {"from": seller})
    assert tx.return_value == 1


def test_listing_ids_count_up_across_sellers(market, seller, other_seller):
    first = market.list(ETH_PRICE, ETH, 10, 0, 0, METADATA_CID, {"from": seller}).return_value
    second = market.list(ETH_PRICE, ETH, 10, 0, 0, METADATA_CID, {"from": other_seller}).return_value
    assert second == first + 1


def test_list_increments_listing_count(market, seller):
    count = market.listingCount()
    market.list(ETH_PRICE, ETH, 10, 0, 0, METADATA_CID, {"from": seller})
    market.list(ETH_PRICE, ETH, 10, 0, 0, METADATA_CID, {"from": seller})
    assert market.listingCount() == count + 2


def test_get_listing_returns_listed_fields(market, usd, seller):
    listing_id = market.list(USD_PRICE, usd, 7, 2 * DAY, 3 * DAY, METADATA_CID, {"from": seller}).return_value
    assert market.getListing(listing_id).dict() == {
        "id": listing_id,
        "seller": seller,
        "asset": usd,
        "price": USD_PRICE,
        "stock": 7,
        "shipWindow": 2 * DAY,
        "confirmWindow": 3 * DAY,
        "paused": False,
        "orderCount": 0,
    }


def test_list_with_zero_windows_takes_defaults(market, seller):
    tx = market.list(ETH_PRICE, ETH, 10, 0, 0, METADATA_CID, {"from": seller})
    listing = market.getListing(tx.return_value)
    assert (listing["shipWindow"], listing["confirmWindow"]) == (7 * DAY, 14 * DAY)
    assert (tx.events["Listed"]["shipWindow"], tx.events["Listed"]["confirmWindow"]) == (7 * DAY, 14 * DAY)


def test_default_windows_are_one_and_two_weeks(market):
    assert market.DEFAULT_SHIP_WINDOW() == 7 * DAY
    assert market.DEFAULT_CONFIRM_WINDOW() == 14 * DAY


def test_window_limits_are_one_hour_and_180_days(market):
    assert market.MIN_WINDOW() == HOUR
    assert market.MAX_WINDOW() == 180 * DAY


def test_list_takes_default_for_only_the_zero_window(market, seller):
    listing_id = market.list(ETH_PRICE, ETH, 10, 2 * DAY, 0, METADATA_CID, {"from": seller}).return_value
    listing = market.getListing(listing_id)
    assert (listing["shipWindow"], listing["confirmWindow"]) == (2 * DAY, 14 * DAY)


def test_list_accepts_windows_at_the_limits(market, seller):
    listing_id = market.list(ETH_PRICE, ETH, 10, HOUR, 180 * DAY, METADATA_CID, {"from": seller}).return_value
    listing = market.getListing(listing_id)
    assert (listing["shipWindow"], listing["confirmWindow"]) == (HOUR, 180 * DAY)


@pytest.mark.parametrize(
    "ship_window, confirm_window, refused",
    [
        (HOUR - 1, 0, HOUR - 1),
        (180 * DAY + 1, 0, 180 * DAY + 1),
        (0, HOUR - 1, HOUR - 1),
        (0, 180 * DAY + 1, 180 * DAY + 1),
        (2**32 - 1, 0, 2**32 - 1),
    ],
)
def test_list_refuses_window_outside_limits(market, seller, ship_window, confirm_window, refused):
    with brownie.reverts(custom_error("MarketplaceInvalidWindow", refused)):
        market.list(ETH_PRICE, ETH, 10, ship_window, confirm_window, METADATA_CID, {"from": seller})


def test_list_refuses_zero_price(market, seller):
    with brownie.reverts(custom_error("MarketplaceInvalidPrice", 0)):
        market.list(0, ETH, 10, 0, 0, METADATA_CID, {"from": seller})


def test_list_refuses_price_above_uint96(market, seller):
    with brownie.reverts(custom_error("MarketplaceInvalidPrice", MAX_PRICE + 1)):
        market.list(MAX_PRICE + 1, ETH, 10, 0, 0, METADATA_CID, {"from": seller})


def test_list_accepts_largest_uint96_price(market, seller):
    listing_id = market.list(MAX_PRICE, ETH, 10, 0, 0, METADATA_CID, {"from": seller}).return_value
    assert market.getListing(listing_id)["price"] == MAX_PRICE


def test_list_accepts_zero_stock(market, seller):
    listing_id = market.list(ETH_PRICE, ETH, 0, 0, 0, METADATA_CID, {"from": seller}).return_value
    assert market.getListing(listing_id)["stock"] == 0


def test_list_refuses_account_that_is_not_a_seller(market, stranger):
    with brownie.reverts(custom_error("MarketplaceSellerNotActive", stranger)):
        market.list(ETH_PRICE, ETH, 10, 0, 0, METADATA_CID, {"from": stranger})


def test_list_refuses_applicant_not_yet_approved(market, stranger):
    market.applyAsSeller("bafkreiprofile", {"from": stranger})
    with brownie.reverts(custom_error("MarketplaceSellerNotActive", stranger)):
        market.list(ETH_PRICE, ETH, 10, 0, 0, METADATA_CID, {"from": stranger})


def test_list_refuses_suspended_seller(market, admin, seller):
    market.suspendSeller(seller, {"from": admin})
    with brownie.reverts(custom_error("MarketplaceSellerNotActive", seller)):
        market.list(ETH_PRICE, ETH, 10, 0, 0, METADATA_CID, {"from": seller})


def test_list_refuses_token_never_allowed(market, unlisted_token, seller):
    with brownie.reverts(custom_error("MarketplaceAssetNotAllowed", unlisted_token)):
        market.list(USD_PRICE, unlisted_token, 10, 0, 0, METADATA_CID, {"from": seller})


def test_list_refuses_disallowed_token(market, usd, admin, seller):
    market.setAssetAllowed(usd, False, {"from": admin})
    with brownie.reverts(custom_error("MarketplaceAssetNotAllowed", usd)):
        market.list(USD_PRICE, usd, 10, 0, 0, METADATA_CID, {"from": seller})


def test_list_accepts_allowed_token(market, usd, seller):
    tx = market.list(USD_PRICE, usd, 10, 0, 0, METADATA_CID, {"from": seller})
    assert market.getListing(tx.return_value)["asset"] == usd


def test_list_accepts_eth_without_allow_listing(market, usd, admin, seller):
    market.setAssetAllowed(usd, False, {"from": admin})  # no ERC-20 allowed at all
    tx = market.list(ETH_PRICE, ETH, 10, 0, 0, METADATA_CID, {"from": seller})
    assert market.getListing(tx.return_value)["asset"] == ETH


# ---------------------------------------------------------------- getListing


def test_get_listing_of_unknown_id_reverts(market, eth_listing):
    with brownie.reverts(custom_error("MarketplaceUnknownListing", eth_listing + 1)):
        market.getListing(eth_listing + 1)


def test_get_listing_of_id_zero_reverts(market):
    with brownie.reverts(custom_error("MarketplaceUnknownListing", 0)):
        market.getListing(0)


# ---------------------------------------------------------------- setPrice


def test_set_price_emits_listing_price_updated(market, eth_listing, seller):
    tx = market.setPrice(eth_listing, 2 * ETH_PRICE, {"from": seller})
    assert tx.events["ListingPriceUpdated"] == {"listingId": eth_listing, "price": 2 * ETH_PRICE}


def test_set_price_updates_listing(market, eth_listing, seller):
    market.setPrice(eth_listing, 2 * ETH_PRICE, {"from": seller})
    assert market.getListing(eth_listing)["price"] == 2 * ETH_PRICE


def test_set_price_refuses_zero(market, eth_listing, seller):
    with brownie.reverts(custom_error("MarketplaceInvalidPrice", 0)):
        market.setPrice(eth_listing, 0, {"from": seller})


def test_set_price_refuses_price_above_uint96(market, eth_listing, seller):
    with brownie.reverts(custom_error("MarketplaceInvalidPrice", MAX_PRICE + 1)):
        market.setPrice(eth_listing, MAX_PRICE + 1, {"from": seller})


def test_set_price_refuses_other_seller(market, eth_listing, other_seller):
    with brownie.reverts(custom_error("MarketplaceNotListingSeller", eth_listing, other_seller)):
        market.setPrice(eth_listing, 2 * ETH_PRICE, {"from": other_seller})


def test_set_price_refuses_admin(market, eth_listing, admin):
    with brownie.reverts(custom_error("MarketplaceNotListingSeller", eth_listing, admin)):
        market.setPrice(eth_listing, 2 * ETH_PRICE, {"from": admin})


def test_set_price_refuses_unknown_listing(market, eth_listing, seller):
    with brownie.reverts(custom_error("MarketplaceUnknownListing", eth_listing + 1)):
        market.setPrice(eth_listing + 1, 2 * ETH_PRICE, {"from": seller})


# ---------------------------------------------------------------- setStock


def test_set_stock_emits_listing_stock_updated(market, eth_listing, seller):
    tx = market.setStock(eth_listing, 25, {"from": seller})
    assert tx.events["ListingStockUpdated"] == {"listingId": eth_listing, "stock": 25}


def test_set_stock_updates_listing(market, eth_listing, seller):
    market.setStock(eth_listing, 25, {"from": seller})
    assert market.getListing(eth_listing)["stock"] == 25


def test_set_stock_accepts_zero(market, eth_listing, seller):
    market.setStock(eth_listing, 0, {"from": seller})
    assert market.getListing(eth_listing)["stock"] == 0


def test_set_stock_refuses_other_seller(market, eth_listing, other_seller):
    with brownie.reverts(custom_error("MarketplaceNotListingSeller", eth_listing, other_seller)):
        market.setStock(eth_listing, 25, {"from": other_seller})


def test_set_stock_refuses_unknown_listing(market, eth_listing, seller):
    with brownie.reverts(custom_error("MarketplaceUnknownListing", eth_listing + 1)):
        market.setStock(eth_listing + 1, 25, {"from": seller})


# ---------------------------------------------------------------- setListingPaused


def test_set_listing_paused_emits_listing_paused_set(market, eth_listing, seller):
    tx = market.setListingPaused(eth_listing, True, {"from": seller})
    assert tx.events["ListingPausedSet"] == {"listingId": eth_listing, "paused": True}


def test_set_listing_paused_pauses_listing(market, eth_listing, seller):
    market.setListingPaused(eth_listing, True, {"from": seller})
    assert market.getListing(eth_listing)["paused"] is True


def test_set_listing_paused_false_resumes_listing(market, eth_listing, seller):
    market.setListingPaused(eth_listing, True, {"from": seller})
    tx = market.setListingPaused(eth_listing, False, {"from": seller})
    assert tx.events["ListingPausedSet"] == {"listingId": eth_listing, "paused": False}
    assert market.getListing(eth_listing)["paused"] is False


def test_set_listing_paused_refuses_other_seller(market, eth_listing, other_seller):
    with brownie.reverts(custom_error("MarketplaceNotListingSeller", eth_listing, other_seller)):
        market.setListingPaused(eth_listing, True, {"from": other_seller})


def test_set_listing_paused_refuses_unknown_listing(market, eth_listing, seller):
    with brownie.reverts(custom_error("MarketplaceUnknownListing", eth_listing + 1)):
        market.setListingPaused(eth_listing + 1, True, {"from": seller})


# ---------------------------------------------------------------- setListingMetadata


def test_set_listing_metadata_emits_listing_metadata_updated(market, eth_listing, seller):
    tx = market.setListingMetadata(eth_listing, "bafkreinewmetadata", {"from": seller})
    assert tx.events["ListingMetadataUpdated"] == {
        "listingId": eth_listing,
        "metadataCid": "bafkreinewmetadata",
    }


def test_set_listing_metadata_refuses_other_seller(market, eth_listing, other_seller):
    with brownie.reverts(custom_error("MarketplaceNotListingSeller", eth_listing, other_seller)):
        market.setListingMetadata(eth_listing, "bafkreinewmetadata", {"from": other_seller})


def test_set_listing_metadata_refuses_unknown_listing(market, eth_listing, seller):
    with brownie.reverts(custom_error("MarketplaceUnknownListing", eth_listing + 1)):
        market.setListingMetadata(eth_listing + 1, "bafkreinewmetadata", {"from": seller})
