"""The relay as users meet it, for fault tests: its own anvil, the platform deployed on it, and the
dApp served by gunicorn as `make run` serves it; requests signed like a wallet signs them."""
from __future__ import annotations

import concurrent.futures
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

import requests
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_utils import keccak, to_checksum_address
from web3 import Web3

from dapp.config import LOCAL_RELAYER_KEY
from dapp.jsonrpc import JsonRpcClient
from dapp.siwe import build_message
from scripts.local_stack import CHAIN_ID, DappServer, LocalChain, Stack, deploy_stack
from scripts.signing import local_key, sign_forward_request

EXECUTED = "0x" + keccak(text="ExecutedForwardRequest(address,uint256,bool)").hex().removeprefix("0x")
FINAL = ("mined", "failed")


@dataclass
class RelayUnderTest:
    node: LocalChain
    stack: Stack
    dapp: DappServer

    def __post_init__(self) -> None:
        self.rpc = JsonRpcClient(self.node.url, 30)
        self.web3 = Web3()
        self.registry = self.web3.eth.contract(address=self.stack.contracts["CopyrightRegistry"], abi=_build_abi("CopyrightRegistry"))
        self.market = self.web3.eth.contract(address=self.stack.contracts["Marketplace"], abi=_build_abi("Marketplace"))
        self.relayer = Account.from_key(LOCAL_RELAYER_KEY).address

    # ------------------------------------------------------------ requests a wallet would sign

    def chain_time(self) -> int:
        return int(self.rpc.call("eth_getBlockByNumber", ["latest", False])["timestamp"], 16)

    def register_work(self, signer, nonce: int, label: str, *, deadline: int | None = None,
                      chain_id: int = CHAIN_ID, to: str | None = None, data: bytes | None = None) -> dict:
        """A signed request to register a work whose content hash is keccak(label)."""
        calldata = data if data is not None else bytes.fromhex(self.registry.encode_abi(
            "registerWork", args=[keccak(text=label), f"bafkrei{label}", label, "bafkreimeta", 0]
        )[2:])
        request = {
            "from": signer.address,
            "to": to or self.stack.contracts["CopyrightRegistry"],
            "value": 0,
            "gas": 400_000,
            "nonce": nonce,
            "deadline": deadline if deadline is not None else self.chain_time() + 3600,
            "data": "0x" + calldata.hex(),
        }
        return sign_forward_request(signer.key, request, chain_id, self.stack.contracts["ChainMartForwarder"])

    def admin_call(self) -> bytes:
        return bytes.fromhex(self.market.encode_abi("setFee", args=[0])[2:])

    # ------------------------------------------------------------ the API

    def post(self, body: dict, session: requests.Session | None = None) -> tuple[int, dict]:
        answer = (session or requests).post(f"{self.dapp.url}/api/relay", json=body, timeout=60)
        return answer.status_code, answer.json()

    def job(self, job_id: str, session: requests.Session | None = None) -> dict:
        return (session or requests).get(f"{self.dapp.url}/api/relay/{job_id}", timeout=30).json()

    def relayer_stats(self) -> dict:
        """GET /api/admin/relayer, signed in (Sign-In with Ethereum) as the platform's admin."""
        session = requests.Session()
        config = session.get(f"{self.dapp.url}/api/auth/nonce", timeout=30).json()
        admin = Account.from_key(local_key(0))  # deploy_stack's admin: the first test account
        now = datetime.now(timezone.utc)
        message = build_message(
            domain=config["domain"], address=admin.address, uri=config["uri"], chain_id=config["chainId"],
            nonce=config["nonce"], issued_at=now, expiration_time=now + timedelta(minutes=5),
        )
        signature = Account.sign_message(encode_defunct(text=message), admin.key).signature
        login = session.post(f"{self.dapp.url}/api/auth/login", timeout=30,
                             json={"message": message, "signature": "0x" + bytes(signature).hex()})
        assert login.status_code == 200, login.text
        return session.get(f"{self.dapp.url}/api/admin/relayer", timeout=30).json()

    def wait_final(self, job_ids: list[str], timeout: float = 120) -> dict[str, dict]:
        """Every job's last status once all are mined or failed (or the timeout passed)."""
        deadline = time.monotonic() + timeout
        final: dict[str, dict] = {}
        session = requests.Session()
        while time.monotonic() < deadline:
            for job_id in job_ids:
                if job_id not in final:
                    body = self.job(job_id, session)
                    if body.get("state") in FINAL:
                        final[job_id] = body
            if len(final) == len(job_ids):
                break
            time.sleep(0.2)
        return final

    # ------------------------------------------------------------ what the chain says

    def executions(self) -> list[tuple[str, int, bool]]:
        """Every ExecutedForwardRequest (signer, forwarder nonce, success) the forwarder emitted."""
        logs = self.rpc.call("eth_getLogs", [{
            "fromBlock": "0x0", "toBlock": "latest", "address": self.stack.contracts["ChainMartForwarder"],
            "topics": [EXECUTED],
        }])
        return [(to_checksum_address("0x" + log["topics"][1][-40:]), int(log["data"][2:66], 16), bool(int(log["data"][66:130], 16)))
                for log in logs]

    def relayer_transactions(self) -> list[dict]:
        """Receipts of every transaction the relayer account sent."""
        latest = int(self.rpc.call("eth_blockNumber"), 16)
        blocks = self.rpc.batch([("eth_getBlockReceipts", [hex(n)]) for n in range(latest + 1)])
        return [r for block in blocks for r in block if r["from"].lower() == self.relayer.lower()]


def concurrently(tasks: list, workers: int = 64) -> list[Any]:
    """Run the callables all at once (as many at a time as `workers`); their results in order."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda task: task(), tasks))


def signers(label: str, count: int) -> list:
    """Deterministic keys that own nothing: a relayed request needs no ETH."""
    return [Account.from_key(keccak(text=f"chainmart-fault-test:{label}:{i}")) for i in range(count)]


@contextmanager
def served_relay(workdir: Path, **dapp_env: str) -> Iterator[RelayUnderTest]:
    with LocalChain(workdir) as node:
        stack = deploy_stack(node.url, workdir)
        with DappServer(node.url, stack.deployments, workdir, env=dapp_env) as dapp:
            yield RelayUnderTest(node, stack, dapp)


def _build_abi(name: str) -> list:
    import json

    from scripts.local_stack import ROOT

    return json.loads((ROOT / "build" / "contracts" / f"{name}.json").read_text())["abi"]
