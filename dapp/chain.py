"""Chain access: the one module that owns web3.

Contracts come from the deployments file (addresses per chain id, written by scripts/deploy.py)
and Brownie's build artifacts (ABIs). The node's chain id is checked against the deployment, and
every contract is checked to have code, so a stale deployments file fails clearly, not later.
"""
from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path
from typing import Any

from eth_typing import ChecksumAddress
from web3 import Web3
from web3.contract import Contract

from dapp.exceptions import ChainUnavailable, NotDeployed, WrongChain
from dapp.jsonrpc import JsonRpcClient


class Chain:
    """A connected chain and the ChainMart contracts deployed on it."""

    def __init__(
        self,
        rpc_url: str,
        deployments_path: str | Path,
        build_dir: str | Path,
        *,
        expected_chain_id: int | None = None,
        timeout: float = 10.0,
    ):
        self.rpc_url = rpc_url
        self.deployments_path = Path(deployments_path)
        self.build_dir = Path(build_dir)
        self.expected_chain_id = expected_chain_id
        self.web3 = Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": timeout}))
        self._contracts: dict[str, Contract] = {}
        self._rpc = JsonRpcClient(rpc_url, timeout)

    @cached_property
    def chain_id(self) -> int:
        try:
            chain_id = self.web3.eth.chain_id
        except Exception as exc:  # requests' ConnectionError, timeouts, bad JSON from a non-node
            raise ChainUnavailable(self.rpc_url, exc) from exc
        if self.expected_chain_id is not None and chain_id != self.expected_chain_id:
            raise WrongChain(
                f"The node at {self.rpc_url} is chain {chain_id}, but the dApp is configured for chain "
                f"{self.expected_chain_id} (CHAINMART_CHAIN_ID)."
            )
        return chain_id

    @cached_property
    def deployment(self) -> dict[str, Any]:
        try:
            data = json.loads(self.deployments_path.read_text())
        except FileNotFoundError as exc:
            raise NotDeployed(
                f"No deployments file at {self.deployments_path}: deploy first (make run, or "
                "brownie run scripts/deploy.py)."
            ) from exc
        entry = data.get(str(self.chain_id))
        if entry is None:
            raise NotDeployed(
                f"ChainMart is not deployed on chain {self.chain_id} according to {self.deployments_path}."
            )
        return entry

    @property
    def addresses(self) -> dict[str, ChecksumAddress]:
        return {name: Web3.to_checksum_address(a) for name, a in self.deployment["contracts"].items()}

    @property
    def start_block(self) -> int:
        return int(self.deployment.get("block", 0))

    def contract(self, name: str) -> Contract:
        """The deployed contract `name` (e.g. "Marketplace"), checked to have code."""
        if name not in self._contracts:
            address = self.addresses.get(name)
            if address is None:
                raise NotDeployed(f"{name} is not in the deployment of chain {self.chain_id}.")
            if not self._call(self.web3.eth.get_code, address):
                raise NotDeployed(
                    f"No contract code at {address} ({name}) on chain {self.chain_id}: the chain was "
                    "restarted since the deployments file was written. Deploy again."
                )
            self._contracts[name] = self.web3.eth.contract(address=address, abi=self.abi(name))
        return self._contracts[name]

    def at(self, name: str, address: str) -> Contract:
        """Contract type `name` (an ABI from the build) at any address, e.g. a stablecoin."""
        return self.web3.eth.contract(address=Web3.to_checksum_address(address), abi=self.abi(name))

    def abi(self, name: str) -> list[dict[str, Any]]:
        for folder in ("contracts", "interfaces"):
            path = self.build_dir / folder / f"{name}.json"
            if path.exists():
                return json.loads(path.read_text())["abi"]
        raise NotDeployed(f"No build artifact for {name} in {self.build_dir}: run `brownie compile`.")

    def rpc(self, method: str, params: list | None = None) -> Any:
        """One raw JSON-RPC call (dapp.jsonrpc): its result, NodeError for an error answer,
        ChainUnavailable if the node does not answer. For hot paths: none of web3's formatting."""
        return self._rpc.call(method, params)

    def rpc_batch(self, calls: list[tuple[str, list]]) -> list[Any]:
        """Several JSON-RPC calls in one round trip: each answer is a result or a NodeError."""
        return self._rpc.batch(calls)

    def _call(self, fn, *args):
        try:
            return fn(*args)
        except Exception as exc:
            raise ChainUnavailable(self.rpc_url, exc) from exc
