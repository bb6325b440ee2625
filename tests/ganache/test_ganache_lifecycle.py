"""The same deploy script and a full order lifecycle on Ganache, so both local chains stay proven.

Run with `brownie test tests/ganache --network ganache-cli` (part of `make test`).
"""
import pytest
from brownie import TestStablecoin, chain

from scripts import deploy

ETH = "0x0000000000000000000000000000000000000000"


@pytest.fixture(scope="module")
def deployed(tmp_path_factory, accounts):
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CHAINMART_DEPLOYMENTS", str(tmp_path_factory.mktemp("ganache") / "deployments.json"))
        contracts = deploy.main()
    market = contracts["Marketplace"]
    market.approveSeller(accounts[3], {"from": accounts[0]})
    market.setTreasury(accounts[1], {"from": accounts[0]})
    return contracts


def test_runs_on_ganache_shanghai(web3):
    assert "ganache" in web3.client_version.lower() or "ethereumjs" in web3.client_version.lower()
    assert chain.id == 1337


def test_eth_order_lifecycle_pays_seller_and_treasury(deployed, accounts):
    market = deployed["Marketplace"]
    seller, buyer = accounts[3], accounts[5]
    listing = market.list(10**17, ETH, 3, 0, 0, "bafkreiganache", {"from": seller}).return_value
    order = market.buy(listing, 2, {"from": buyer, "value": 2 * 10**17}).return_value
    market.shipOrder(order, "TRACK-1", {"from": seller})
    market.confirmReceipt(order, {"from": buyer})
    fee = 2 * 10**17 * market.feeBps() // 10_000
    assert market.creditOf(seller, ETH) == 2 * 10**17 - fee
    assert market.creditOf(accounts[1], ETH) == fee
    before = seller.balance()
    tx = market.withdraw(ETH, {"from": seller})
    assert seller.balance() == before + 2 * 10**17 - fee - tx.gas_used * tx.gas_price
    assert market.balance() == market.liabilities(ETH) == fee


def test_stablecoin_order_released_after_the_confirm_deadline(deployed, accounts):
    market = deployed["Marketplace"]
    seller, buyer, stranger = accounts[3], accounts[5], accounts[6]
    usd = TestStablecoin.deploy("Test USD", "tUSD", 6, {"from": accounts[0]})
    market.setAssetAllowed(usd, True, {"from": accounts[0]})
    usd.mint(buyer, 100 * 10**6, {"from": accounts[0]})
    listing = market.list(25 * 10**6, usd, 5, 0, 0, "bafkreiganacheusd", {"from": seller}).return_value
    usd.approve(market, 25 * 10**6, {"from": buyer})
    order = market.buyWithToken(listing, 1, 25 * 10**6, {"from": buyer}).return_value
    market.shipOrder(order, "TRACK-2", {"from": seller})
    chain.sleep(market.DEFAULT_CONFIRM_WINDOW() + 1)
    chain.mine()
    tx = market.releaseExpired(order, {"from": stranger})
    assert tx.events["OrderCompleted"]["releasedBy"] == stranger
    market.withdraw(usd, {"from": seller})
    assert usd.balanceOf(seller) == 25 * 10**6 - 25 * 10**6 * market.feeBps() // 10_000
    assert usd.balanceOf(market) == market.liabilities(usd)
