"""Placing orders: `buy` in ETH and `buyWithToken` in an allow-listed ERC-20."""

import brownie

from tests.conftest import ETH, ETH_PRICE, FEE_BPS, USD, USD_PRICE
from tests.reverts import custom_error

PAID = 1  # IMarketplace.OrderState.Paid
DAY = 24 * 3600
MAX_UINT96 = 2**96 - 1


def buy(market, listing_id, buyer, quantity=1, price=ETH_PRICE):
    return market.buy(listing_id, quantity, {"from": buyer, "value": price * quantity})


# ---------------------------------------------------------------- buy with ETH


def test_buy_returns_packed_order_id(market, eth_listing, buyer):
    tx = buy(market, eth_listing, buyer)
    assert tx.return_value == market.orderIdFor(buyer, eth_listing, 1)


def test_order_id_packs_buyer_listing_and_sequence(market, buyer):
    assert market.orderIdFor(buyer, 5, 7) == (int(buyer.address, 16) << 96) | (5 << 32) | 7


def test_buy_emits_order_placed(market, eth_listing, buyer):
    tx = buy(market, eth_listing, buyer, quantity=3)
    assert tx.events["OrderPlaced"] == {
        "orderId": market.orderIdFor(buyer, eth_listing, 1),
        "listingId": eth_listing,
        "buyer": buyer,
        "quantity": 3,
        "amount": 3 * ETH_PRICE,
        "shipBy": tx.timestamp + 7 * DAY,
    }


def test_buy_records_order(market, eth_listing, buyer, seller):
    tx = buy(market, eth_listing, buyer, quantity=2)
    assert market.getOrder(tx.return_value).dict() == {
        "id": tx.return_value,
        "listingId": eth_listing,
        "buyer": buyer,
        "seller": seller,
        "asset": ETH,
        "quantity": 2,
        "amount": 2 * ETH_PRICE,
        "state": PAID,
        "deadline": tx.timestamp + 7 * DAY,
        "feeBps": FEE_BPS,
        "reviewed": False,
        "settlementOffer": 0,
    }


def test_buy_sets_ship_by_from_listing_ship_window(market, seller, buyer):
    listing_id = market.list(ETH_PRICE, ETH, 10, 2 * DAY, 0, "bafkreifast", {"from": seller}).return_value
    tx = buy(market, listing_id, buyer)
    assert market.getOrder(tx.return_value)["deadline"] == tx.timestamp + 2 * DAY


def test_buy_decrements_stock(market, eth_listing, buyer):
    buy(market, eth_listing, buyer, quantity=3)
    assert market.getListing(eth_listing)["stock"] == 7


def test_buy_increments_listing_order_count(market, eth_listing, buyer):
    buy(market, eth_listing, buyer)
    buy(market, eth_listing, buyer)
    assert market.getListing(eth_listing)["orderCount"] == 2


def test_buy_can_take_the_last_unit(market, eth_listing, buyer):
    buy(market, eth_listing, buyer, quantity=10)
    assert market.getListing(eth_listing)["stock"] == 0


def test_buy_raises_eth_liabilities(market, eth_listing, buyer):
    buy(market, eth_listing, buyer, quantity=2)
    assert market.liabilities(ETH) == 2 * ETH_PRICE


def test_buy_holds_payment_in_contract(market, eth_listing, buyer):
    buy(market, eth_listing, buyer, quantity=2)
    assert market.balance() == 2 * ETH_PRICE


def test_buy_takes_exactly_the_amount_from_buyer(market, eth_listing, buyer):
    balance = buyer.balance()
    tx = buy(market, eth_listing, buyer, quantity=2)
    assert buyer.balance() == balance - 2 * ETH_PRICE - tx.gas_used * tx.gas_price


def test_buy_credits_no_one(market, eth_listing, buyer, seller, treasury):
    buy(market, eth_listing, buyer)
    assert [market.creditOf(account, ETH) for account in (buyer, seller, treasury)] == [0, 0, 0]


def test_buy_with_too_little_eth_is_refused(market, eth_listing, buyer):
    with brownie.reverts(custom_error("MarketplaceIncorrectPayment", 2 * ETH_PRICE, 2 * ETH_PRICE - 1)):
        market.buy(eth_listing, 2, {"from": buyer, "value": 2 * ETH_PRICE - 1})


def test_buy_with_too_much_eth_is_refused(market, eth_listing, buyer):
    with brownie.reverts(custom_error("MarketplaceIncorrectPayment", ETH_PRICE, ETH_PRICE + 1)):
        market.buy(eth_listing, 1, {"from": buyer, "value": ETH_PRICE + 1})


def test_buy_without_eth_is_refused(market, eth_listing, buyer):
    with brownie.reverts(custom_error("MarketplaceIncorrectPayment", ETH_PRICE, 0)):
        market.buy(eth_listing, 1, {"from": buyer})


def test_refused_buy_leaves_stock_and_liabilities(market, eth_listing, buyer):
    with brownie.reverts(custom_error("MarketplaceIncorrectPayment", ETH_PRICE, 0)):
        market.buy(eth_listing, 1, {"from": buyer})
    assert market.getListing(eth_listing)["stock"] == 10
    assert market.liabilities(ETH) == 0


def test_buy_more_than_stock_is_refused(market, eth_listing, buyer):
    with brownie.reverts(custom_error("MarketplaceInsufficientStock", eth_listing, 11, 10)):
        buy(market, eth_listing, buyer, quantity=11)


def test_buy_after_stock_runs_out_is_refused(market, eth_listing, buyer):
    buy(market, eth_listing, buyer, quantity=10)
    with brownie.reverts(custom_error("MarketplaceInsufficientStock", eth_listing, 1, 0)):
        buy(market, eth_listing, buyer)


def test_buy_zero_quantity_is_refused(market, eth_listing, buyer):
    # Brownie renders an error without arguments as "Name: "
    with brownie.reverts("MarketplaceZeroQuantity: "):
        market.buy(eth_listing, 0, {"from": buyer})


def test_buy_from_paused_listing_is_refused(market, eth_listing, seller, buyer):
    market.setListingPaused(eth_listing, True, {"from": seller})
    with brownie.reverts(custom_error("MarketplaceListingPaused", eth_listing)):
        buy(market, eth_listing, buyer)


def test_buy_from_resumed_listing_succeeds(market, eth_listing, seller, buyer):
    market.setListingPaused(eth_listing, True, {"from": seller})
    market.setListingPaused(eth_listing, False, {"from": seller})
    tx = buy(market, eth_listing, buyer)
    assert tx.events["OrderPlaced"]["listingId"] == eth_listing


def test_buy_from_unknown_listing_is_refused(market, eth_listing, buyer):
    with brownie.reverts(custom_error("MarketplaceUnknownListing", eth_listing + 1)):
        buy(market, eth_listing + 1, buyer)


def test_buy_from_suspended_seller_is_refused(market, eth_listing, admin, seller, buyer):
    market.suspendSeller(seller, {"from": admin})
    with brownie.reverts(custom_error("MarketplaceSellerNotActive", seller)):
        buy(market, eth_listing, buyer)


def test_buy_from_reinstated_seller_succeeds(market, eth_listing, admin, seller, buyer):
    market.suspendSeller(seller, {"from": admin})
    market.approveSeller(seller, {"from": admin})
    tx = buy(market, eth_listing, buyer)
    assert tx.events["OrderPlaced"]["listingId"] == eth_listing


def test_seller_cannot_buy_own_listing(market, eth_listing, seller):
    with brownie.reverts(custom_error("MarketplaceSelfPurchase", seller)):
        buy(market, eth_listing, seller)


def test_buy_with_eth_on_token_listing_is_refused(market, usd_listing, buyer):
    with brownie.reverts(custom_error("MarketplaceWrongPaymentAsset", usd_listing, ETH)):
        market.buy(usd_listing, 1, {"from": buyer, "value": USD_PRICE})


def test_buy_amount_above_uint96_is_refused(market, seller, buyer):
    listing_id = market.list(MAX_UINT96, ETH, 2, 0, 0, "bafkreipricey", {"from": seller}).return_value
    with brownie.reverts(custom_error("MarketplaceAmountTooLarge", 2 * MAX_UINT96)):
        market.buy(listing_id, 2, {"from": buyer})


def test_order_keeps_price_paid_after_price_change(market, eth_listing, seller, buyer):
    order_id = buy(market, eth_listing, buyer, quantity=2).return_value
    market.setPrice(eth_listing, 5 * ETH_PRICE, {"from": seller})
    assert market.getOrder(order_id)["amount"] == 2 * ETH_PRICE


def test_buy_after_price_change_pays_new_price(market, eth_listing, seller, buyer):
    market.setPrice(eth_listing, 5 * ETH_PRICE, {"from": seller})
    tx = buy(market, eth_listing, buyer, price=5 * ETH_PRICE)
    assert market.getOrder(tx.return_value)["amount"] == 5 * ETH_PRICE


def test_order_keeps_fee_in_force_when_placed(market, eth_listing, admin, buyer):
    order_id = buy(market, eth_listing, buyer).return_value
    market.setFee(500, {"from": admin})
    later_id = buy(market, eth_listing, buyer).return_value
    assert (market.getOrder(order_id)["feeBps"], market.getOrder(later_id)["feeBps"]) == (FEE_BPS, 500)


def test_orders_on_a_listing_get_consecutive_sequence_numbers(market, eth_listing, buyer, stranger):
    first = buy(market, eth_listing, buyer).return_value
    second = buy(market, eth_listing, buyer).return_value
    third = buy(market, eth_listing, stranger).return_value
    assert [first, second, third] == [
        market.orderIdFor(buyer, eth_listing, 1),
        market.orderIdFor(buyer, eth_listing, 2),
        market.orderIdFor(stranger, eth_listing, 3),
    ]


def test_sequence_numbers_are_counted_per_listing(market, eth_listing, seller, buyer):
    buy(market, eth_listing, buyer)
    other_listing = market.list(ETH_PRICE, ETH, 10, 0, 0, "bafkreiother", {"from": seller}).return_value
    tx = buy(market, other_listing, buyer)
    assert tx.return_value == market.orderIdFor(buyer, other_listing, 1)


# ---------------------------------------------------------------- buyWithToken


def test_buy_with_token_takes_exact_amount(market, usd, usd_listing, buyer):
    usd.approve(market, 100 * USD, {"from": buyer})
    balance = usd.balanceOf(buyer)
    market.buyWithToken(usd_listing, 2, 100 * USD, {"from": buyer})
    assert usd.balanceOf(buyer) == balance - 2 * USD_PRICE
    assert usd.balanceOf(market) == 2 * USD_PRICE


def test_buy_with_token_spends_only_amount_of_allowance(market, usd, usd_listing, buyer):
    usd.approve(market, 100 * USD, {"from": buyer})
    market.buyWithToken(usd_listing, 2, 100 * USD, {"from": buyer})
    assert usd.allowance(buyer, market) == 100 * USD - 2 * USD_PRICE


def test_buy_with_token_emits_order_placed(market, usd, usd_listing, buyer):
    usd.approve(market, USD_PRICE, {"from": buyer})
    tx = market.buyWithToken(usd_listing, 1, USD_PRICE, {"from": buyer})
    assert tx.events["OrderPlaced"] == {
        "orderId": market.orderIdFor(buyer, usd_listing, 1),
        "listingId": usd_listing,
        "buyer": buyer,
        "quantity": 1,
        "amount": USD_PRICE,
        "shipBy": tx.timestamp + 7 * DAY,
    }


def test_buy_with_token_records_token_as_order_asset(market, usd, usd_listing, buyer):
    usd.approve(market, USD_PRICE, {"from": buyer})
    order_id = market.buyWithToken(usd_listing, 1, USD_PRICE, {"from": buyer}).return_value
    order = market.getOrder(order_id)
    assert (order["asset"], order["amount"], order["state"]) == (usd, USD_PRICE, PAID)


def test_buy_with_token_raises_token_liabilities_only(market, usd, usd_listing, buyer):
    usd.approve(market, USD_PRICE, {"from": buyer})
    market.buyWithToken(usd_listing, 1, USD_PRICE, {"from": buyer})
    assert (market.liabilities(usd), market.liabilities(ETH)) == (USD_PRICE, 0)


def test_buy_with_token_without_allowance_is_refused(market, usd_listing, buyer):
    with brownie.reverts(custom_error("ERC20InsufficientAllowance", market, 0, USD_PRICE)):
        market.buyWithToken(usd_listing, 1, USD_PRICE, {"from": buyer})


def test_buy_with_token_above_max_total_is_refused(market, usd, usd_listing, buyer):
    usd.approve(market, 2 * USD_PRICE, {"from": buyer})
    with brownie.reverts(custom_error("MarketplacePriceAboveMaximum", 2 * USD_PRICE, 2 * USD_PRICE - 1)):
        market.buyWithToken(usd_listing, 2, 2 * USD_PRICE - 1, {"from": buyer})


def test_buy_with_token_after_price_rise_above_max_total_is_refused(market, usd, usd_listing, seller, buyer):
    usd.approve(market, 100 * USD, {"from": buyer})
    market.setPrice(usd_listing, USD_PRICE + 1, {"from": seller})  # e.g. front-running the buyer
    with brownie.reverts(custom_error("MarketplacePriceAboveMaximum", USD_PRICE + 1, USD_PRICE)):
        market.buyWithToken(usd_listing, 1, USD_PRICE, {"from": buyer})


def test_buy_with_token_refuses_attached_eth(market, usd, usd_listing, buyer):
    # buyWithToken is not payable, so a call carrying ETH reverts before any logic runs
    usd.approve(market, USD_PRICE, {"from": buyer})
    with brownie.reverts():
        buyer.transfer(market, 1, data=market.buyWithToken.encode_input(usd_listing, 1, USD_PRICE))
    assert usd.balanceOf(market) == 0


def test_buy_with_token_on_eth_listing_is_refused(market, eth_listing, buyer):
    with brownie.reverts(custom_error("MarketplaceWrongPaymentAsset", eth_listing, ETH)):
        market.buyWithToken(eth_listing, 1, ETH_PRICE, {"from": buyer})


def test_disallowing_asset_blocks_new_purchases_in_it(market, usd, usd_listing, admin, buyer):
    usd.approve(market, USD_PRICE, {"from": buyer})
    market.setAssetAllowed(usd, False, {"from": admin})
    with brownie.reverts(custom_error("MarketplaceAssetNotAllowed", usd)):
        market.buyWithToken(usd_listing, 1, USD_PRICE, {"from": buyer})


def test_allowing_asset_again_reopens_its_listings(market, usd, usd_listing, admin, buyer):
    usd.approve(market, USD_PRICE, {"from": buyer})
    market.setAssetAllowed(usd, False, {"from": admin})
    market.setAssetAllowed(usd, True, {"from": admin})
    tx = market.buyWithToken(usd_listing, 1, USD_PRICE, {"from": buyer})
    assert tx.events["OrderPlaced"]["amount"] == USD_PRICE
