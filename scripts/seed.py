"""Seed demo data on a local chain: roles, stablecoins, sellers with listings, a funded buyer.

    brownie run scripts/seed.py --network chainmart-local

Reads demo/catalog.json and the deployment recorded for the connected chain, and stores each
listing's ERC-721 metadata in the dApp's content store (IPFS_BACKEND / IPFS_STORE_PATH, as the
dApp is configured), so the catalog shows it. The accounts are the
local chain's well-known test accounts (see scripts/local_accounts.py), so this refuses to run on
any chain that is not local.
"""
import json
from decimal import Decimal
from pathlib import Path

from brownie import Marketplace, TestStablecoin, chain, network

from dapp import config as dapp_config
from dapp.cid import cid_of_bytes
from dapp.ipfs import store_from_config
from scripts.demo_images import product_image
from scripts.deployment import load_deployment, update_deployment
from scripts.local_accounts import LOCAL_CHAIN_IDS, demo_accounts

ETH = "0x0000000000000000000000000000000000000000"
CATALOG = Path(__file__).resolve().parent.parent / "demo" / "catalog.json"


def main():
    if chain.id not in LOCAL_CHAIN_IDS:
        raise SystemExit(f"Refusing to seed chain {chain.id}: demo data is for local chains only.")
    catalog = json.loads(CATALOG.read_text())
    market = Marketplace.at(load_deployment()["contracts"]["Marketplace"])
    roles = demo_accounts()
    store = store_from_config(dapp_config.from_environ())

    coins = deploy_stablecoins(market, roles, catalog["stablecoins"], catalog["buyer_funds"])
    appoint_roles(market, roles)
    listings = [create_listing(market, roles, coins, store, item) for item in catalog["listings"]]

    update_deployment(
        stablecoins={symbol: coin.address for symbol, coin in coins.items()},
        demo_accounts={role: account.address for role, account in roles.items()},
        demo_listings=listings,
    )
    print_summary(roles, coins, listings)


def deploy_stablecoins(market, roles, specs, buyer_funds):
    admin = roles["admin"]
    coins = {}
    for spec in specs:
        coin = TestStablecoin.deploy(spec["name"], spec["symbol"], spec["decimals"], {"from": admin})
        market.setAssetAllowed(coin, True, {"from": admin})
        for holder in ("buyer", "buyer_b"):
            coin.mint(roles[holder], buyer_funds * 10 ** spec["decimals"], {"from": admin})
        coins[spec["symbol"]] = coin
    return coins


def appoint_roles(market, roles):
    admin = roles["admin"]
    market.grantRole(market.ARBITER_ROLE(), roles["arbiter"], {"from": admin})
    market.setTreasury(roles["treasury"], {"from": admin})
    for seller in ("seller_a", "seller_b"):
        market.approveSeller(roles[seller], {"from": admin})


def create_listing(market, roles, coins, store, item):
    coin = coins.get(item["asset"])
    decimals = coin.decimals() if coin else 18
    price = int(Decimal(item["price"]) * 10**decimals)
    store.add(product_image(item))
    metadata = product_metadata(item)
    tx = market.list(
        price,
        coin or ETH,
        item["stock"],
        item.get("ship_window", 0),
        item.get("confirm_window", 0),
        store.add(metadata),
        {"from": roles[item["seller"]]},
    )
    return {"id": tx.return_value, "name": item["name"], "metadata": json.loads(metadata)}


def product_metadata(item):
    """ERC-721-style metadata JSON for a product (with its demo photo's CID), as canonical bytes."""
    document = {
        "name": item["name"],
        "description": item["description"],
        "image": f"ipfs://{cid_of_bytes(product_image(item))}",
        "attributes": [{"trait_type": "category", "value": item["category"]}],
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def print_summary(roles, coins, listings):
    print(f"\nDemo data on {network.show_active()} (chain {chain.id}):")
    for role, account in roles.items():
        print(f"  {role:<9} {account.address}")
    for symbol, coin in coins.items():
        print(f"  {symbol:<9} {coin.address}")
    for listing in listings:
        print(f"  listing {listing['id']}: {listing['name']}")
