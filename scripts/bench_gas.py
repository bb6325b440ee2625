"""Gas per operation of every contract, on a fresh local chain: prints a table, writes reports/gas.json.

    brownie run scripts/bench_gas.py

Measured in steady state: the platform has already completed an order in each asset (so the
treasury's credit and the per-asset liabilities are warm), as on a live marketplace. A seller's
very first sale costs more once (a new credit slot); `one_order_first_sale` shows it.
Gas is deterministic, so tests/marketplace/test_gas_budgets.py asserts GAS_BUDGETS.
"""
import json
import time
from pathlib import Path

from brownie import TestStablecoin, accounts, chain

from scripts import bench_gas_provenance
from scripts.deployment import deploy_platform
from scripts.signing import local_key, sign_permit

ETH = "0x0000000000000000000000000000000000000000"
CID = "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"  # a typical 59-character CIDv1
TRACKING = "1Z999AA10123456784"
REPORT = Path("reports/gas.json")

# Budgets an operation must stay within (issue-set limits).
MARKETPLACE_GAS_BUDGETS = {
    "buy_eth": 90_000,
    "list": 130_000,
    "one_order": 200_000,
    "one_order_first_sale": 200_000,
}
GAS_BUDGETS = {**MARKETPLACE_GAS_BUDGETS, **bench_gas_provenance.GAS_BUDGETS}
# Aims to work towards; reported, not enforced.
GAS_AIMS = {"buy_eth": 70_000, "list": 77_000, "one_order": 150_000}


def measure_marketplace(accts, buyer_index=5):
    """Run each marketplace operation once on a fresh deployment; return {operation: gas_used}."""
    admin, treasury, arbiter, seller, new_seller, buyer, stranger = accts[:7]
    market = deploy_platform(admin, treasury=treasury)["Marketplace"]
    usd = TestStablecoin.deploy("Test USD", "tUSD", 6, {"from": admin})
    market.setAssetAllowed(usd, True, {"from": admin})
    usd.mint(buyer, 10**12, {"from": admin})
    market.grantRole(market.ARBITER_ROLE(), arbiter, {"from": admin})
    market.approveSeller(seller, {"from": admin})
    market.approveSeller(new_seller, {"from": admin})
    usd.approve(market, 2**256 - 1, {"from": buyer})

    eth_listing = market.list(10**17, ETH, 1000, 0, 0, CID, {"from": seller}).return_value
    usd_listing = market.list(25 * 10**6, usd, 1000, 0, 0, CID, {"from": seller}).return_value
    # Warm-up: one finished order per asset, then the seller withdraws, as on a running platform.
    _complete(market, market.buy(eth_listing, 1, {"from": buyer, "value": 10**17}).return_value, seller, buyer)
    _complete(market, market.buyWithToken(usd_listing, 1, 2**255, {"from": buyer}).return_value, seller, buyer)
    market.withdraw(ETH, {"from": seller})
    market.withdraw(usd, {"from": seller})

    gas = {}
    gas["list"] = market.list(10**17, ETH, 1000, 0, 0, CID, {"from": seller}).gas_used
    gas["list_erc20"] = market.list(25 * 10**6, usd, 1000, 0, 0, CID, {"from": seller}).gas_used

    order = market.buy(eth_listing, 1, {"from": buyer, "value": 10**17})
    gas["buy_eth"] = order.gas_used
    gas["ship"] = market.shipOrder(order.return_value, TRACKING, {"from": seller}).gas_used
    gas["confirm"] = market.confirmReceipt(order.return_value, {"from": buyer}).gas_used
    gas["withdraw_eth"] = market.withdraw(ETH, {"from": seller}).gas_used
    gas["one_order"] = gas["buy_eth"] + gas["ship"] + gas["confirm"] + gas["withdraw_eth"]
    gas["review"] = market.review(order.return_value, 5, CID, {"from": buyer}).gas_used

    first = market.list(10**17, ETH, 10, 0, 0, CID, {"from": new_seller}).return_value
    gas["one_order_first_sale"] = _order_gas(market, first, new_seller, buyer)

    order = market.buyWithToken(usd_listing, 1, 2**255, {"from": buyer})
    gas["buy_erc20"] = order.gas_used
    market.shipOrder(order.return_value, TRACKING, {"from": seller})
    market.confirmReceipt(order.return_value, {"from": buyer})
    gas["withdraw_erc20"] = market.withdraw(usd, {"from": seller}).gas_used

    usd.approve(market, 0, {"from": buyer})
    deadline = chain.time() + 3600
    v, r, s = sign_permit(usd, local_key(buyer_index), market, 25 * 10**6, deadline, chain.id)
    gas["buy_erc20_permit"] = market.buyWithPermit(
        usd_listing, 1, 25 * 10**6, deadline, v, r, s, {"from": buyer}
    ).gas_used

    order = market.buy(eth_listing, 1, {"from": buyer, "value": 10**17}).return_value
    gas["cancel"] = market.cancelOrder(order, {"from": buyer}).gas_used

    order = market.buy(eth_listing, 1, {"from": buyer, "value": 10**17}).return_value
    market.shipOrder(order, TRACKING, {"from": seller})
    chain.sleep(int(market.DEFAULT_CONFIRM_WINDOW()) + 1)
    chain.mine()
    gas["release_after_timeout"] = market.releaseExpired(order, {"from": stranger}).gas_used

    order = market.buy(eth_listing, 1, {"from": buyer, "value": 10**17}).return_value
    market.shipOrder(order, TRACKING, {"from": seller})
    gas["open_dispute"] = market.openDispute(order, CID, {"from": buyer}).gas_used
    gas["resolve_dispute"] = market.resolveDispute(order, 5000, {"from": arbiter}).gas_used
    return gas


def _complete(market, order_id, seller, buyer):
    market.shipOrder(order_id, TRACKING, {"from": seller})
    market.confirmReceipt(order_id, {"from": buyer})


def _order_gas(market, listing_id, seller, buyer):
    price = market.getListing(listing_id)["price"]
    order = market.buy(listing_id, 1, {"from": buyer, "value": price})
    ship = market.shipOrder(order.return_value, TRACKING, {"from": seller})
    confirm = market.confirmReceipt(order.return_value, {"from": buyer})
    withdraw = market.withdraw(ETH, {"from": seller})
    return order.gas_used + ship.gas_used + confirm.gas_used + withdraw.gas_used


def print_table(gas):
    print(f"\n{'operation':<24}{'gas':>10}{'budget':>10}{'margin':>10}{'aim':>10}")
    for operation, used in gas.items():
        budget = GAS_BUDGETS.get(operation)
        aim = GAS_AIMS.get(operation)
        margin = f"{budget - used:,}" if budget else ""
        print(f"{operation:<24}{used:>10,}{f'{budget:,}' if budget else '':>10}{margin:>10}"
              f"{f'{aim:,}' if aim else '':>10}")


def main():
    gas = measure_marketplace(accounts)
    gas.update(bench_gas_provenance.measure(accounts))
    print_table(gas)
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(json.dumps(gas, indent=2) + "\n")
    print(f"\nWrote {REPORT}")
    time.sleep(0.5)  # let Brownie's background bookkeeping finish before the chain is stopped
    over = {op: used for op, used in gas.items() if op in GAS_BUDGETS and used > GAS_BUDGETS[op]}
    if over:
        raise SystemExit(f"Over budget: {over}")
