"""Gas budget: buying a license with ETH stays under 120,000 gas, even as the first purchase ever."""
from brownie import ZERO_ADDRESS

from scripts.bench_gas_provenance import GAS_BUDGETS
from tests.conftest import ETH_PRICE

BUY_LICENSE_ETH_BUDGET = GAS_BUDGETS["buy_license_eth"]


def test_first_eth_purchase_within_budget(registry, eth_offer, buyer):
    tx = registry.buyLicense(eth_offer, {"from": buyer, "value": ETH_PRICE})
    assert registry.liabilities(ZERO_ADDRESS) == ETH_PRICE  # the ledger slot was new: the dearest case
    assert tx.gas_used <= BUY_LICENSE_ETH_BUDGET


def test_later_eth_purchase_within_budget(registry, eth_offer, buyer, other_buyer):
    registry.buyLicense(eth_offer, {"from": buyer, "value": ETH_PRICE})
    tx = registry.buyLicense(eth_offer, {"from": other_buyer, "value": ETH_PRICE})
    assert tx.gas_used <= BUY_LICENSE_ETH_BUDGET


def test_renewal_within_budget(registry, eth_offer, buyer):
    registry.buyLicense(eth_offer, {"from": buyer, "value": ETH_PRICE})
    tx = registry.buyLicense(eth_offer, {"from": buyer, "value": ETH_PRICE})
    assert tx.gas_used <= BUY_LICENSE_ETH_BUDGET
