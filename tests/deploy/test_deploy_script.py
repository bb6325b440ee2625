"""scripts/deploy.py and scripts/seed.py on a fresh chain: what they deploy and record."""
import json

import pytest
from brownie import ChainMartForwarder, Marketplace, chain

from dapp.cid import cid_of_bytes
from dapp.ipfs import EmbeddedStore
from scripts import deploy, seed
from scripts.deployment import load_deployment


@pytest.fixture
def deployments_file(tmp_path, monkeypatch):
    path = tmp_path / "deployments.json"
    monkeypatch.setenv("CHAINMART_DEPLOYMENTS", str(path))
    monkeypatch.setenv("IPFS_BACKEND", "embedded")
    monkeypatch.setenv("IPFS_STORE_PATH", str(tmp_path / "ipfs"))
    return path


def test_deploy_records_addresses_under_the_chain_id(deployments_file):
    contracts = deploy.main()
    recorded = json.loads(deployments_file.read_text())[str(chain.id)]
    assert recorded["contracts"] == {name: contract.address for name, contract in contracts.items()}
    assert set(recorded["contracts"]) == {"ChainMartForwarder", "Marketplace", "ProvenanceToken", "CopyrightRegistry"}
    assert recorded["block"] == contracts["ChainMartForwarder"].tx.block_number


@pytest.mark.parametrize("name", ["Marketplace", "ProvenanceToken", "CopyrightRegistry"])
def test_every_deployed_contract_trusts_the_deployed_forwarder(deployments_file, name):
    contracts = deploy.main()
    assert contracts[name].trustedForwarder() == contracts["ChainMartForwarder"].address
    assert ChainMartForwarder.at(contracts["ChainMartForwarder"].address).eip712Domain()[1] == "ChainMartForwarder"


def test_provenance_token_lets_the_marketplace_record_sales(deployments_file):
    contracts = deploy.main()
    provenance = contracts["ProvenanceToken"]
    assert provenance.hasRole(provenance.MARKETPLACE_ROLE(), contracts["Marketplace"])


def test_deploy_reads_fee_and_treasury_from_the_environment(deployments_file, monkeypatch, accounts):
    monkeypatch.setenv("CHAINMART_FEE_BPS", "125")
    monkeypatch.setenv("CHAINMART_TREASURY", accounts[9].address)
    market = deploy.main()["Marketplace"]
    assert market.feeBps() == 125
    assert market.treasury() == accounts[9]


def test_deploy_keeps_other_chains_entries(deployments_file):
    deployments_file.write_text(json.dumps({"1": {"contracts": {"Marketplace": "0xabc"}}}))
    deploy.main()
    data = json.loads(deployments_file.read_text())
    assert data["1"] == {"contracts": {"Marketplace": "0xabc"}}
    assert str(chain.id) in data


def test_load_deployment_explains_a_chain_without_deployment(deployments_file):
    with pytest.raises(SystemExit, match=f"Nothing deployed on chain {chain.id}"):
        load_deployment()


def test_seed_creates_sellers_listings_and_a_funded_buyer(deployments_file):
    deploy.main()
    seed.main()
    entry = load_deployment()
    market = Marketplace.at(entry["contracts"]["Marketplace"])
    demo = entry["demo_accounts"]
    assert market.isActiveSeller(demo["seller_a"]) and market.isActiveSeller(demo["seller_b"])
    assert market.hasRole(market.ARBITER_ROLE(), demo["arbiter"])
    assert market.listingCount() == len(entry["demo_listings"]) == 6
    assert set(entry["stablecoins"]) == {"tUSD", "tEUR", "tCNY"}
    assert all(market.isAssetAllowed(address) for address in entry["stablecoins"].values())


def test_seeded_listings_point_at_their_metadata_in_the_content_store(deployments_file, tmp_path):
    deploy.main()
    seed.main()
    entry = load_deployment()
    market = Marketplace.at(entry["contracts"]["Marketplace"])
    listed = market.events.get_sequence(from_block=entry["block"], event_type="Listed")[0]
    document = seed.product_metadata(json.loads(seed.CATALOG.read_text())["listings"][0])
    assert listed["args"]["metadataCid"] == cid_of_bytes(document)
    assert EmbeddedStore(tmp_path / "ipfs").get(listed["args"]["metadataCid"]) == document
