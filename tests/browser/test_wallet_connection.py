"""Connecting any EIP-1193 wallet: the wrong network, refusals, account changes, contract errors in
words, and paying with a normal transaction."""
from playwright.sync_api import expect

from scripts.signing import local_key
from tests.browser.conftest import connect, connect_and_sign_in, listing_named

EUR = 10**6


def test_a_wallet_on_another_network_is_offered_the_switch_and_the_chain_is_added(open_wallet_page, shot, dapp):
    page = open_wallet_page("buyer", start_chain_id=1, known_chains_only=True)
    connect(page)
    banner = page.locator("#network-banner")
    expect(banner).to_contain_text("Your wallet is on network 1")
    shot(page, "wrong-network")
    page.get_by_role("button", name="Switch to ChainMart local").click()
    expect(banner).to_be_hidden()
    assert page.evaluate("window.__testWallet.log").count("wallet_addEthereumChain") == 1
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#signed-in")).to_be_visible()


def test_a_refused_signature_is_explained_and_nothing_is_sent(open_wallet_page, demo, dapp, buyer):
    coffee = listing_named(demo, "coffee")
    page = open_wallet_page("buyer")
    connect(page, f"/listings/{coffee['id']}")
    page.evaluate("window.__testWallet.refuseNext('eth_signTypedData_v4')")
    page.get_by_role("button", name="Buy now").click()
    expect(page.locator("#checkout-progress")).to_have_text("You rejected the request in your wallet. Nothing was sent.")
    assert demo["coins"]["tUSD"].balanceOf(buyer) == 10_000 * 10**6


def test_out_of_stock_is_explained_from_the_contracts_custom_error(open_wallet_page, shot, demo, dapp, market, stranger):
    tea = listing_named(demo, "tea")
    page = open_wallet_page("buyer")
    connect(page, f"/listings/{tea['id']}")
    expect(page.locator("#stock")).to_have_text("60")
    # Someone else buys all but one while the page is open.
    eur = demo["coins"]["tEUR"]
    total = 59 * 24_500_000
    eur.approve(market, total, {"from": stranger})
    market.buyWithToken(tea["id"], 59, total, {"from": stranger})
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Buy now").click()
    expect(page.locator("#checkout-progress")).to_have_text("Out of stock: you asked for 2, and 1 is left.")
    shot(page, "out-of-stock")


def test_switching_account_in_the_wallet_ends_the_session(open_wallet_page, dapp):
    page = open_wallet_page("buyer")
    connect_and_sign_in(page, "/orders")
    other = "0x" + local_key(6).hex().removeprefix("0x")
    page.evaluate(f"window.__testWallet.switchAccount('{other}')")
    expect(page.locator("#wallet-account")).to_have_attribute("data-address", "0x976EA74026E726554dB657fA54763abd0C3a0aa9")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert page.request.get(f"{dapp.url}/api/auth/me").status == 401


def test_an_eth_listing_is_bought_with_a_transaction_the_buyer_pays_for(open_wallet_page, shot, demo, dapp, market, buyer):
    espresso = listing_named(demo, "espresso")
    before = buyer.balance()
    page = open_wallet_page("buyer")
    connect(page, f"/listings/{espresso['id']}")
    expect(page.locator("#checkout-mode")).to_contain_text("Paid in ETH")
    page.get_by_role("button", name="Buy now").click()
    expect(page.locator("#checkout-progress")).to_contain_text("Order placed", timeout=30_000)
    shot(page, "eth-order")
    spent = before - buyer.balance()
    assert spent > 5 * 10**16  # the price, plus the gas the buyer paid
    assert market.creditOf(buyer, "0x" + "00" * 20) == 0


def test_a_network_change_in_the_wallet_shows_the_banner_until_switched_back(open_wallet_page, dapp):
    page = open_wallet_page("buyer")
    connect(page, "/account")
    expect(page.locator("#balances-table")).to_be_visible()
    page.evaluate("window.__testWallet.switchChain(10)")
    expect(page.locator("#network-banner")).to_contain_text("Your wallet is on network 10")
    expect(page.locator("#balances")).to_contain_text("Switch your wallet to the shop's network")
    page.get_by_role("button", name="Switch to ChainMart local").click()
    expect(page.locator("#network-banner")).to_be_hidden()
    expect(page.locator("#balances-table")).to_be_visible()


def tab_to(page, selector, limit=60):
    """Press Tab until `selector` has the keyboard focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} is not reachable with the keyboard")


def test_connect_and_buy_with_the_keyboard_alone(open_wallet_page, shot, demo, dapp):
    ebook = listing_named(demo, "e-book")
    page = open_wallet_page("buyer_b")
    page.goto(f"/listings/{ebook['id']}")
    page.locator("#connect-wallet").wait_for()
    tab_to(page, "#connect-wallet")
    page.keyboard.press("Enter")
    expect(page.locator("#wallet-account")).to_be_visible()
    tab_to(page, "#quantity")
    page.keyboard.press("ArrowUp")
    expect(page.locator("#total")).to_have_text("Total: 18 tUSD")
    tab_to(page, "#buy")
    page.keyboard.press("Enter")
    expect(page.locator("#checkout-progress")).to_contain_text("Order placed", timeout=30_000)
    shot(page, "keyboard-order")
