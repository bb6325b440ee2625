"""Buying licenses: payment in ETH or ERC-20, fee split, limits, expiry and renewal."""
import brownie
from brownie import chain

from tests.conftest import ETH, ETH_PRICE, FEE_BPS, LICENSE_DURATION, TERMS_CID, USD_PRICE
from tests.reverts import custom_error

PERPETUAL = 2**64 - 1
ETH_FEE = ETH_PRICE * FEE_BPS // 10_000
USD_FEE = USD_PRICE * FEE_BPS // 10_000


def buy(registry, offer_id, account, value=ETH_PRICE):
    return registry.buyLicense(offer_id, {"from": account, "value": value})


def sleep(seconds):
    chain.sleep(seconds)
    chain.mine()


# ---------------------------------------------------------------- buying with ETH


def test_buy_with_eth_grants_valid_license(registry, work, eth_offer, buyer):
    buy(registry, eth_offer, buyer)
    assert registry.isLicenseValid(buyer, work)


def test_buy_with_eth_sets_expiry_from_duration(registry, eth_offer, buyer):
    tx = buy(registry, eth_offer, buyer)
    assert tx.return_value == tx.timestamp + LICENSE_DURATION


def test_buy_emits_license_issued(registry, work, eth_offer, creator, buyer):
    tx = buy(registry, eth_offer, buyer)
    assert list(tx.events.keys()) == ["LicenseIssued"]
    assert tx.events["LicenseIssued"] == {
        "workId": work,
        "offerId": eth_offer,
        "licensee": buyer,
        "expiresAt": tx.timestamp + LICENSE_DURATION,
        "payee": creator,
        "price": ETH_PRICE,
        "fee": ETH_FEE,
    }


def test_buy_records_license_terms(registry, work, eth_offer, buyer):
    tx = buy(registry, eth_offer, buyer)
    assert registry.getLicense(buyer, work) == (eth_offer, tx.return_value, False, True, True)


def test_buy_with_eth_credits_creator_price_minus_fee(registry, eth_offer, creator, buyer):
    buy(registry, eth_offer, buyer)
    assert registry.creditOf(creator, ETH) == ETH_PRICE - ETH_FEE


def test_buy_with_eth_accrues_fee_and_liability(registry, eth_offer, buyer):
    buy(registry, eth_offer, buyer)
    assert registry.accruedFees(ETH) == ETH_FEE
    assert registry.liabilities(ETH) == ETH_PRICE
    assert registry.balance() == ETH_PRICE


def test_buy_counts_sale_on_offer(registry, eth_offer, buyer, other_buyer):
    buy(registry, eth_offer, buyer)
    buy(registry, eth_offer, other_buyer)
    assert registry.getOffer(eth_offer)["sold"] == 2


def test_buy_refuses_underpayment(registry, eth_offer, buyer):
    with brownie.reverts(custom_error("CopyrightIncorrectPayment", ETH_PRICE, ETH_PRICE - 1)):
        buy(registry, eth_offer, buyer, value=ETH_PRICE - 1)


def test_buy_refuses_overpayment(registry, eth_offer, buyer):
    with brownie.reverts(custom_error("CopyrightIncorrectPayment", ETH_PRICE, ETH_PRICE + 1)):
        buy(registry, eth_offer, buyer, value=ETH_PRICE + 1)


def test_buy_refuses_unknown_offer(registry, buyer):
    with brownie.reverts(custom_error("CopyrightUnknownOffer", 77)):
        buy(registry, 77, buyer)


def test_buy_refuses_revoked_work(registry, work, eth_offer, creator, buyer):
    registry.revokeWork(work, {"from": creator})
    with brownie.reverts(custom_error("CopyrightWorkRevoked", work)):
        buy(registry, eth_offer, buyer)


def test_free_license_takes_no_payment(registry, work, creator, buyer):
    offer_id = registry.createOffer(work, ETH, 0, 0, 0, False, False, TERMS_CID, {"from": creator}).return_value
    tx = registry.buyLicense(offer_id, {"from": buyer})
    assert tx.events["LicenseIssued"]["fee"] == 0
    assert registry.creditOf(creator, ETH) == 0 and registry.liabilities(ETH) == 0
    assert registry.isLicenseValid(buyer, work)


def test_free_license_refuses_attached_eth(registry, work, creator, buyer):
    offer_id = registry.createOffer(work, ETH, 0, 0, 0, False, False, TERMS_CID, {"from": creator}).return_value
    with brownie.reverts(custom_error("CopyrightIncorrectPayment", 0, 1)):
        registry.buyLicense(offer_id, {"from": buyer, "value": 1})


# ---------------------------------------------------------------- buying with an ERC-20


def test_buy_with_erc20_takes_exact_price(registry, usd_offer, usd, buyer):
    before = usd.balanceOf(buyer)
    registry.buyLicense(usd_offer, {"from": buyer})
    assert usd.balanceOf(buyer) == before - USD_PRICE
    assert usd.balanceOf(registry) == USD_PRICE


def test_buy_with_erc20_grants_perpetual_license(registry, work, usd_offer, buyer):
    tx = registry.buyLicense(usd_offer, {"from": buyer})
    assert tx.return_value == PERPETUAL
    assert registry.getLicense(buyer, work) == (usd_offer, PERPETUAL, True, False, True)


def test_buy_with_erc20_credits_creator_and_fee_in_token(registry, usd_offer, usd, creator, buyer):
    registry.buyLicense(usd_offer, {"from": buyer})
    assert registry.creditOf(creator, usd) == USD_PRICE - USD_FEE
    assert registry.accruedFees(usd) == USD_FEE
    assert registry.liabilities(usd) == USD_PRICE


def test_buy_with_erc20_emits_transfer_after_license_issued(registry, usd_offer, buyer):
    tx = registry.buyLicense(usd_offer, {"from": buyer})
    assert list(tx.events.keys()) == ["LicenseIssued", "Transfer"]


def test_buy_with_erc20_refuses_attached_eth(registry, usd_offer, buyer):
    with brownie.reverts(custom_error("CopyrightIncorrectPayment", 0, 1)):
        registry.buyLicense(usd_offer, {"from": buyer, "value": 1})


def test_buy_with_erc20_needs_allowance(registry, usd_offer, usd, buyer):
    usd.approve(registry, 0, {"from": buyer})
    with brownie.reverts(custom_error("ERC20InsufficientAllowance", registry, 0, USD_PRICE)):
        registry.buyLicense(usd_offer, {"from": buyer})


def test_buy_refuses_asset_disallowed_after_offer(registry, market, usd_offer, usd, admin, buyer):
    market.setAssetAllowed(usd, False, {"from": admin})
    with brownie.reverts(custom_error("CopyrightAssetNotAllowed", usd)):
        registry.buyLicense(usd_offer, {"from": buyer})


def test_buy_refuses_fee_on_transfer_token(registry, market, work, creator, buyer, admin, FeeOnTransferToken):
    token = FeeOnTransferToken.deploy({"from": admin})
    market.setAssetAllowed(token, True, {"from": admin})
    token.mint(buyer, 1_000, {"from": admin})
    token.approve(registry, 1_000, {"from": buyer})
    offer_id = registry.createOffer(work, token, 1_000, 0, 0, False, False, TERMS_CID, {"from": creator}).return_value
    with brownie.reverts(custom_error("CopyrightTransferAmountMismatch", token, 1_000, 990)):
        registry.buyLicense(offer_id, {"from": buyer})


# ---------------------------------------------------------------- limits


def test_offer_sells_out_at_its_maximum(registry, work, creator, buyer, other_buyer):
    offer_id = registry.createOffer(work, ETH, ETH_PRICE, 0, 1, False, False, TERMS_CID, {"from": creator}).return_value
    buy(registry, offer_id, buyer)
    with brownie.reverts(custom_error("CopyrightOfferSoldOut", offer_id, 1)):
        buy(registry, offer_id, other_buyer)


def test_renewal_counts_towards_the_maximum(registry, work, creator, buyer):
    tx = registry.createOffer(work, ETH, ETH_PRICE, 100, 1, False, False, TERMS_CID, {"from": creator})
    offer_id = tx.return_value
    buy(registry, offer_id, buyer)
    with brownie.reverts(custom_error("CopyrightOfferSoldOut", offer_id, 1)):
        buy(registry, offer_id, buyer)


# ---------------------------------------------------------------- expiry and renewal


def test_license_valid_until_just_before_expiry(registry, work, eth_offer, buyer):
    buy(registry, eth_offer, buyer)
    sleep(LICENSE_DURATION - 60)
    assert registry.isLicenseValid(buyer, work)


def test_license_invalid_after_expiry(registry, work, eth_offer, buyer):
    buy(registry, eth_offer, buyer)
    sleep(LICENSE_DURATION + 1)
    assert not registry.isLicenseValid(buyer, work)
    assert registry.getLicense(buyer, work)["valid"] is False


def test_perpetual_license_never_expires(registry, work, usd_offer, buyer):
    registry.buyLicense(usd_offer, {"from": buyer})
    sleep(10 * 365 * 24 * 3600)
    assert registry.isLicenseValid(buyer, work)


def test_renewal_extends_running_license(registry, eth_offer, buyer):
    first = buy(registry, eth_offer, buyer).return_value
    tx = buy(registry, eth_offer, buyer)
    assert tx.return_value == first + LICENSE_DURATION


def test_buying_again_after_expiry_starts_afresh(registry, eth_offer, buyer):
    buy(registry, eth_offer, buyer)
    sleep(LICENSE_DURATION + 1)
    tx = buy(registry, eth_offer, buyer)
    assert tx.return_value == tx.timestamp + LICENSE_DURATION


def test_buying_another_offer_while_licensed_is_refused(registry, work, eth_offer, usd_offer, buyer):
    expires_at = buy(registry, eth_offer, buyer).return_value
    with brownie.reverts(custom_error("CopyrightAlreadyLicensed", buyer, work, expires_at)):
        registry.buyLicense(usd_offer, {"from": buyer})


def test_buying_perpetual_license_twice_is_refused(registry, work, usd_offer, buyer):
    registry.buyLicense(usd_offer, {"from": buyer})
    with brownie.reverts(custom_error("CopyrightAlreadyLicensed", buyer, work, PERPETUAL)):
        registry.buyLicense(usd_offer, {"from": buyer})


def test_buying_another_offer_after_expiry_is_allowed(registry, work, eth_offer, usd_offer, buyer):
    buy(registry, eth_offer, buyer)
    sleep(LICENSE_DURATION + 1)
    registry.buyLicense(usd_offer, {"from": buyer})
    assert registry.getLicense(buyer, work)["offerId"] == usd_offer


# ---------------------------------------------------------------- views


def test_account_without_license_holds_none(registry, work, stranger):
    assert not registry.isLicenseValid(stranger, work)
    assert registry.getLicense(stranger, work) == (0, 0, False, False, False)


def test_license_for_unknown_work_is_invalid(registry, buyer):
    assert not registry.isLicenseValid(buyer, 77)


def test_rights_holder_holds_no_license_by_default(registry, work, creator):
    assert not registry.isLicenseValid(creator, work)
