"""Deployment, seller approval, payment assets, fee, treasury, pause and roles."""

import brownie
import pytest
from brownie import ZERO_ADDRESS, Marketplace, TestStablecoin, web3
from hexbytes import HexBytes

from tests.conftest import ETH, ETH_PRICE, FEE_BPS, USD_PRICE
from tests.reverts import custom_error

DEFAULT_ADMIN_ROLE = "0x" + "00" * 32
NONE, APPLIED, APPROVED, SUSPENDED = range(4)  # IMarketplace.SellerStatus
CANCELLED = 5  # IMarketplace.OrderState.Cancelled
PROFILE_CID = "bafkreisellerprofile"

# Brownie renders an error without arguments as "Name: ", which custom_error("Name") does not match.
ZERO_ADDRESS_ERROR = "MarketplaceZeroAddress: "
PAUSED_ERROR = "MarketplacePaused: "


def unauthorized(account, role):
    """OpenZeppelin's AccessControlUnauthorizedAccount; Brownie shows the bytes32 role as a bytes literal."""
    return custom_error("AccessControlUnauthorizedAccount", account, str(bytes(HexBytes(role))))


@pytest.fixture(scope="module")
def deploy_market(forwarder, stranger):
    """Deploy a fresh Marketplace from `stranger` (not the admin) with the given constructor arguments."""

    def deploy_market(admin, treasury, fee_bps):
        return Marketplace.deploy(admin, treasury, fee_bps, forwarder, {"from": stranger})

    return deploy_market


@pytest.fixture(scope="module")
def other_token(admin):
    return TestStablecoin.deploy("Other USD", "oUSD", 18, {"from": admin})


# ---------------------------------------------------------------- constructor


def test_constructor_grants_admin_role_to_admin_only(deploy_market, admin, treasury, stranger):
    market = deploy_market(admin, treasury, FEE_BPS)
    assert market.hasRole(DEFAULT_ADMIN_ROLE, admin)
    assert not market.hasRole(DEFAULT_ADMIN_ROLE, stranger)


def test_constructor_grants_no_arbiter_role(deploy_market, admin, treasury):
    market = deploy_market(admin, treasury, FEE_BPS)
    assert not market.hasRole(market.ARBITER_ROLE(), admin)


def test_arbiter_role_is_hash_of_its_name(market):
    assert HexBytes(market.ARBITER_ROLE()) == web3.keccak(text="ARBITER_ROLE")


def test_constructor_sets_treasury_and_fee(deploy_market, admin, treasury):
    market = deploy_market(admin, treasury, FEE_BPS)
    assert market.treasury() == treasury
    assert market.feeBps() == FEE_BPS


def test_constructor_starts_unpaused_with_no_listings(deploy_market, admin, treasury):
    market = deploy_market(admin, treasury, FEE_BPS)
    assert market.paused() is False
    assert market.listingCount() == 0


def test_constructor_allows_only_eth(deploy_market, admin, treasury):
    market = deploy_market(admin, treasury, FEE_BPS)
    assert market.allowedAssets() == [ETH]
    assert market.isAssetAllowed(ETH) is True


def test_constructor_emits_treasury_and_fee_events(deploy_market, admin, treasury):
    events = deploy_market(admin, treasury, FEE_BPS).tx.events
    assert events["TreasuryUpdated"] == {"treasury": treasury}
    assert events["FeeUpdated"] == {"feeBps": FEE_BPS}


def test_constructor_emits_role_granted_for_admin(deploy_market, admin, treasury, stranger):
    events = deploy_market(admin, treasury, FEE_BPS).tx.events
    assert events["RoleGranted"] == {"role": DEFAULT_ADMIN_ROLE, "account": admin, "sender": stranger}


def test_constructor_refuses_zero_admin(deploy_market, treasury):
    with brownie.reverts(ZERO_ADDRESS_ERROR):
        deploy_market(ZERO_ADDRESS, treasury, FEE_BPS)


def test_constructor_refuses_zero_treasury(deploy_market, admin):
    with brownie.reverts(ZERO_ADDRESS_ERROR):
        deploy_market(admin, ZERO_ADDRESS, FEE_BPS)


def test_constructor_refuses_fee_above_cap(deploy_market, market, admin, treasury):
    cap = market.MAX_FEE_BPS()
    with brownie.reverts(custom_error("MarketplaceInvalidFee", cap + 1, cap)):
        deploy_market(admin, treasury, cap + 1)


def test_constructor_accepts_fee_at_cap(deploy_market, market, admin, treasury):
    cap = market.MAX_FEE_BPS()
    assert deploy_market(admin, treasury, cap).feeBps() == cap


def test_max_fee_is_ten_percent(market):
    assert market.MAX_FEE_BPS() == 1_000


# ---------------------------------------------------------------- approveSeller / suspendSeller


def test_approve_seller_emits_seller_approved(market, admin, stranger):
    tx = market.approveSeller(stranger, {"from": admin})
    # seller and other_seller took ids 1 and 2
    assert tx.events["SellerApproved"] == {"account": stranger, "sellerId": 3}


def test_approve_seller_makes_account_an_active_seller(market, admin, stranger):
    market.approveSeller(stranger, {"from": admin})
    assert market.getSeller(stranger) == (stranger, 3, APPROVED, 0, 0)
    assert market.isActiveSeller(stranger) is True


def test_account_never_approved_is_not_a_seller(market, stranger):
    assert market.getSeller(stranger) == (stranger, 0, NONE, 0, 0)
    assert market.isActiveSeller(stranger) is False


def test_approve_seller_requires_admin(market, stranger):
    with brownie.reverts(unauthorized(stranger, DEFAULT_ADMIN_ROLE)):
        market.approveSeller(stranger, {"from": stranger})


def test_approve_seller_refuses_zero_address(market, admin):
    with brownie.reverts(ZERO_ADDRESS_ERROR):
        market.approveSeller(ZERO_ADDRESS, {"from": admin})


def test_approving_an_applicant_keeps_its_seller_id(market, admin, stranger):
    market.applyAsSeller(PROFILE_CID, {"from": stranger})
    tx = market.approveSeller(stranger, {"from": admin})
    assert tx.events["SellerApproved"]["sellerId"] == 3
    assert market.getSeller(stranger) == (stranger, 3, APPROVED, 0, 0)


def test_suspend_seller_emits_seller_suspended(market, admin, seller):
    tx = market.suspendSeller(seller, {"from": admin})
    assert tx.events["SellerSuspended"] == {"account": seller, "sellerId": 1}


def test_suspend_seller_deactivates_seller(market, admin, seller):
    market.suspendSeller(seller, {"from": admin})
    assert market.getSeller(seller) == (seller, 1, SUSPENDED, 0, 0)
    assert market.isActiveSeller(seller) is False


def test_suspend_seller_requires_admin(market, seller, stranger):
    with brownie.reverts(unauthorized(stranger, DEFAULT_ADMIN_ROLE)):
        market.suspendSeller(seller, {"from": stranger})


def test_suspend_unknown_seller_is_refused(market, admin, stranger):
    with brownie.reverts(custom_error("MarketplaceUnknownSeller", stranger)):
        market.suspendSeller(stranger, {"from": admin})


def test_approving_suspended_seller_reinstates_them(market, admin, seller):
    market.suspendSeller(seller, {"from": admin})
    tx = market.approveSeller(seller, {"from": admin})
    assert tx.events["SellerApproved"] == {"account": seller, "sellerId": 1}
    assert market.getSeller(seller) == (seller, 1, APPROVED, 0, 0)
    assert market.isActiveSeller(seller) is True


def test_reinstated_seller_can_list_again(market, admin, seller):
    market.suspendSeller(seller, {"from": admin})
    market.approveSeller(seller, {"from": admin})
    tx = market.list(ETH_PRICE, ETH, 1, 0, 0, "bafkreiagain", {"from": seller})
    assert tx.events["Listed"]["seller"] == seller


# ---------------------------------------------------------------- applyAsSeller


def test_apply_as_seller_emits_seller_applied(market, stranger):
    tx = market.applyAsSeller(PROFILE_CID, {"from": stranger})
    assert tx.events["SellerApplied"] == {"account": stranger, "sellerId": 3, "profileCid": PROFILE_CID}


def test_apply_as_seller_records_applied_status(market, stranger):
    market.applyAsSeller(PROFILE_CID, {"from": stranger})
    assert market.getSeller(stranger) == (stranger, 3, APPLIED, 0, 0)
    assert market.isActiveSeller(stranger) is False


def test_applicant_can_apply_again_under_the_same_id(market, stranger):
    market.applyAsSeller(PROFILE_CID, {"from": stranger})
    tx = market.applyAsSeller("bafkreinewprofile", {"from": stranger})
    assert tx.events["SellerApplied"] == {
        "account": stranger,
        "sellerId": 3,
        "profileCid": "bafkreinewprofile",
    }
    assert market.getSeller(stranger) == (stranger, 3, APPLIED, 0, 0)


def test_approved_seller_cannot_apply(market, seller):
    with brownie.reverts(custom_error("MarketplaceAlreadySeller", seller)):
        market.applyAsSeller(PROFILE_CID, {"from": seller})


def test_suspended_seller_cannot_apply(market, admin, seller):
    market.suspendSeller(seller, {"from": admin})
    with brownie.reverts(custom_error("MarketplaceAlreadySeller", seller)):
        market.applyAsSeller(PROFILE_CID, {"from": seller})


# ---------------------------------------------------------------- setAssetAllowed


def test_allowed_assets_get_ids_in_order(market, usd, other_token, admin):
    # usd was allowed first, by its fixture
    tx = market.setAssetAllowed(other_token, True, {"from": admin})
    assert tx.events["AssetAllowed"]["assetId"] == 2


def test_set_asset_allowed_emits_asset_allowed(market, usd, other_token, admin):
    # usd holds asset id 1
    tx = market.setAssetAllowed(other_token, True, {"from": admin})
    assert tx.events["AssetAllowed"] == {"asset": other_token, "assetId": 2, "allowed": True}


def test_allowed_assets_lists_eth_then_tokens_in_order(market, usd, other_token, admin):
    market.setAssetAllowed(other_token, True, {"from": admin})
    assert market.allowedAssets() == [ETH, usd, other_token]
    assert market.isAssetAllowed(other_token) is True


def test_disallowing_asset_emits_asset_allowed_false(market, usd, admin):
    tx = market.setAssetAllowed(usd, False, {"from": admin})
    assert tx.events["AssetAllowed"] == {"asset": usd, "assetId": 1, "allowed": False}


def test_disallowing_asset_removes_it_from_allowed_assets(market, usd, other_token, admin):
    market.setAssetAllowed(other_token, True, {"from": admin})
    market.setAssetAllowed(usd, False, {"from": admin})
    assert market.allowedAssets() == [ETH, other_token]
    assert market.isAssetAllowed(usd) is False


def test_allowing_asset_again_keeps_its_id(market, usd, other_token, admin):
    market.setAssetAllowed(usd, False, {"from": admin})
    market.setAssetAllowed(other_token, True, {"from": admin})
    tx = market.setAssetAllowed(usd, True, {"from": admin})
    assert tx.events["AssetAllowed"] == {"asset": usd, "assetId": 1, "allowed": True}
    assert market.allowedAssets() == [ETH, usd, other_token]


def test_token_never_allowed_is_not_allowed(market, other_token):
    assert market.isAssetAllowed(other_token) is False


def test_set_asset_allowed_refuses_eth(market, admin):
    with brownie.reverts(ZERO_ADDRESS_ERROR):
        market.setAssetAllowed(ETH, False, {"from": admin})


def test_set_asset_allowed_requires_admin(market, other_token, stranger):
    with brownie.reverts(unauthorized(stranger, DEFAULT_ADMIN_ROLE)):
        market.setAssetAllowed(other_token, True, {"from": stranger})


# ---------------------------------------------------------------- setFee / setTreasury


def test_set_fee_updates_fee(market, admin):
    market.setFee(500, {"from": admin})
    assert market.feeBps() == 500


def test_set_fee_emits_fee_updated(market, admin):
    tx = market.setFee(500, {"from": admin})
    assert tx.events["FeeUpdated"] == {"feeBps": 500}


def test_set_fee_accepts_cap(market, admin):
    market.setFee(market.MAX_FEE_BPS(), {"from": admin})
    assert market.feeBps() == market.MAX_FEE_BPS()


def test_set_fee_accepts_zero(market, admin):
    market.setFee(0, {"from": admin})
    assert market.feeBps() == 0


def test_set_fee_above_cap_is_refused(market, admin):
    cap = market.MAX_FEE_BPS()
    with brownie.reverts(custom_error("MarketplaceInvalidFee", cap + 1, cap)):
        market.setFee(cap + 1, {"from": admin})


def test_set_fee_requires_admin(market, stranger):
    with brownie.reverts(unauthorized(stranger, DEFAULT_ADMIN_ROLE)):
        market.setFee(0, {"from": stranger})


def test_set_treasury_updates_treasury(market, admin, stranger):
    market.setTreasury(stranger, {"from": admin})
    assert market.treasury() == stranger


def test_set_treasury_emits_treasury_updated(market, admin, stranger):
    tx = market.setTreasury(stranger, {"from": admin})
    assert tx.events["TreasuryUpdated"] == {"treasury": stranger}


def test_set_treasury_refuses_zero_address(market, admin):
    with brownie.reverts(ZERO_ADDRESS_ERROR):
        market.setTreasury(ZERO_ADDRESS, {"from": admin})


def test_set_treasury_requires_admin(market, stranger):
    with brownie.reverts(unauthorized(stranger, DEFAULT_ADMIN_ROLE)):
        market.setTreasury(stranger, {"from": stranger})


# ---------------------------------------------------------------- pause / unpause


def test_pause_emits_market_paused(market, admin):
    tx = market.pause({"from": admin})
    assert tx.events["MarketPaused"] == {"by": admin}
    assert market.paused() is True


def test_unpause_emits_market_unpaused(market, admin):
    market.pause({"from": admin})
    tx = market.unpause({"from": admin})
    assert tx.events["MarketUnpaused"] == {"by": admin}
    assert market.paused() is False


def test_pause_requires_admin(market, stranger):
    with brownie.reverts(unauthorized(stranger, DEFAULT_ADMIN_ROLE)):
        market.pause({"from": stranger})


def test_unpause_requires_admin(market, admin, stranger):
    market.pause({"from": admin})
    with brownie.reverts(unauthorized(stranger, DEFAULT_ADMIN_ROLE)):
        market.unpause({"from": stranger})


def test_pause_blocks_listing(market, admin, seller):
    market.pause({"from": admin})
    with brownie.reverts(PAUSED_ERROR):
        market.list(ETH_PRICE, ETH, 1, 0, 0, "bafkreipaused", {"from": seller})


def test_pause_blocks_buying_with_eth(market, eth_listing, admin, buyer):
    market.pause({"from": admin})
    with brownie.reverts(PAUSED_ERROR):
        market.buy(eth_listing, 1, {"from": buyer, "value": ETH_PRICE})


def test_pause_blocks_buying_with_token(market, usd, usd_listing, admin, buyer):
    usd.approve(market, USD_PRICE, {"from": buyer})
    market.pause({"from": admin})
    with brownie.reverts(PAUSED_ERROR):
        market.buyWithToken(usd_listing, 1, USD_PRICE, {"from": buyer})


def test_unpause_allows_buying_again(market, eth_listing, admin, buyer):
    market.pause({"from": admin})
    market.unpause({"from": admin})
    tx = market.buy(eth_listing, 1, {"from": buyer, "value": ETH_PRICE})
    assert tx.events["OrderPlaced"]["buyer"] == buyer


def test_pause_does_not_block_cancelling(market, eth_listing, admin, buyer):
    order_id = market.buy(eth_listing, 1, {"from": buyer, "value": ETH_PRICE}).return_value
    market.pause({"from": admin})
    market.cancelOrder(order_id, {"from": buyer})
    assert market.getOrder(order_id)["state"] == CANCELLED


def test_pause_does_not_block_withdrawing(market, eth_listing, admin, buyer):
    order_id = market.buy(eth_listing, 1, {"from": buyer, "value": ETH_PRICE}).return_value
    market.cancelOrder(order_id, {"from": buyer})
    market.pause({"from": admin})
    balance = buyer.balance()
    tx = market.withdraw(ETH, {"from": buyer})
    assert tx.events["Withdrawn"] == {"account": buyer, "asset": ETH, "to": buyer, "amount": ETH_PRICE}
    assert buyer.balance() == balance + ETH_PRICE - tx.gas_used * tx.gas_price


# ---------------------------------------------------------------- roles


def test_admin_can_grant_arbiter_role(market, admin, stranger):
    role = market.ARBITER_ROLE()
    tx = market.grantRole(role, stranger, {"from": admin})
    assert tx.events["RoleGranted"] == {"role": role, "account": stranger, "sender": admin}
    assert market.hasRole(role, stranger) is True


def test_admin_can_revoke_arbiter_role(market, admin, arbiter):
    role = market.ARBITER_ROLE()
    tx = market.revokeRole(role, arbiter, {"from": admin})
    assert tx.events["RoleRevoked"] == {"role": role, "account": arbiter, "sender": admin}
    assert market.hasRole(role, arbiter) is False


def test_revoked_arbiter_cannot_resolve_disputes(market, admin, arbiter):
    role = market.ARBITER_ROLE()
    market.revokeRole(role, arbiter, {"from": admin})
    with brownie.reverts(unauthorized(arbiter, role)):
        market.resolveDispute(1, 5_000, {"from": arbiter})


def test_granting_arbiter_role_requires_admin(market, arbiter, stranger):
    with brownie.reverts(unauthorized(arbiter, DEFAULT_ADMIN_ROLE)):
        market.grantRole(market.ARBITER_ROLE(), stranger, {"from": arbiter})
