"""A throwaway ChainMart stack for benchmarks and fault tests, in plain Python (not a Brownie script).

    with LocalChain(workdir) as node:                  # anvil on a free port
        platform = deploy_stack(node.url, workdir)      # the contracts, a stablecoin, a listing
        with DappServer(node.url, platform.deployments, workdir) as dapp:
            ...                                         # the dApp as `make run` serves it

The chain keeps its state in a file (anvil `--state`): `node.restart()` stops it the way a node
operator does (SIGTERM, which writes the state) and starts it again from that state on the same
port, so whatever was mined before the stop is there after it.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import requests

ROOT = Path(__file__).resolve().parent.parent
CHAIN_ID = 31337
# Public development mnemonic (anvil's default): its accounts are the local test accounts.
MNEMONIC = "test test test test test test test test test test test junk"
USD = 10**6  # the test stablecoin has 6 decimals, like USDC
LISTING_PRICE = 25 * USD
LISTING_STOCK = 2**32 - 1  # uint32: stock never runs out during a run


def free_port() -> int:
    """A TCP port nothing listens on right now (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(ready: Callable[[], bool], timeout: float, what: str, alive: Callable[[], bool] = lambda: True) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        if not alive():
            raise RuntimeError(f"{what} exited before it was ready")
        time.sleep(0.05)
    raise TimeoutError(f"{what} not ready after {timeout:g} s")


def rpc(url: str, method: str, params: list | None = None, *, session: requests.Session | None = None, timeout: float = 10) -> Any:
    """One JSON-RPC call; raises RuntimeError with the node's message on an error answer."""
    body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}
    answer = (session or requests).post(url, json=body, timeout=timeout).json()
    if "error" in answer:
        raise RuntimeError(f"{method}: {answer['error'].get('message')}")
    return answer["result"]


class LocalChain:
    """anvil on a free port with a state file, started and stopped as a node operator would."""

    def __init__(self, workdir: str | Path, *, port: int | None = None, extra_args: tuple[str, ...] = ()):
        self.workdir = Path(workdir)
        self.port = port or free_port()
        self.state_path = self.workdir / "anvil-state.json"
        self.log_path = self.workdir / "anvil.log"
        self.extra_args = extra_args
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def command(self) -> list[str]:
        # The flags of `make run` (tools/run-local.sh) minus --steps-tracing, which only Brownie's
        # debugging needs; --state loads the file if it exists and writes it when stopped.
        return [
            anvil_binary(), "--host", "127.0.0.1", "--port", str(self.port), "--chain-id", str(CHAIN_ID),
            "--mnemonic", MNEMONIC, "--gas-limit", "30000000", "--state", str(self.state_path),
            *self.extra_args,
        ]

    def start(self) -> "LocalChain":
        self.workdir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT)
        wait_until(self.is_up, 30, f"anvil on port {self.port}", alive=lambda: self.process.poll() is None)
        return self

    def stop(self) -> None:
        """SIGTERM: anvil writes its state file, then exits."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def restart(self) -> None:
        self.stop()
        self.start()

    def is_up(self) -> bool:
        try:
            return int(rpc(self.url, "eth_chainId", timeout=1), 16) == CHAIN_ID
        except (requests.RequestException, ValueError, RuntimeError):
            return False

    def version(self) -> str:
        return subprocess.run([anvil_binary(), "--version"], capture_output=True, text=True).stdout.splitlines()[0]

    def __enter__(self) -> "LocalChain":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def anvil_binary() -> str:
    local = ROOT / ".tools" / "bin" / "anvil"
    found = str(local) if local.exists() else shutil.which("anvil")
    if not found:
        raise FileNotFoundError("anvil not found: run `make setup` (it links .tools/bin/anvil).")
    return found


@dataclass
class Stack:
    """What deploy_stack made: addresses, the deployments file the dApp reads, the demo roles."""

    deployments: Path
    contracts: dict[str, str]
    stablecoin: str
    stablecoin_name: str
    listing: int
    admin: str
    seller: str


def deploy_stack(rpc_url: str, workdir: str | Path) -> Stack:
    """Deploy the platform (scripts.deployment.deploy_platform), a permit-capable test stablecoin
    allowed as payment, and one stablecoin listing with unlimited stock from an approved seller.

    Uses Brownie as a library against the running node (its unlocked test accounts sign), then
    disconnects; nothing of Brownie stays in use afterwards.
    """
    os.environ.setdefault("SOLCX_BINARY_PATH", str(ROOT / ".solcx"))
    deployments = Path(workdir) / "deployments.json"
    with open(Path(workdir) / "deploy.log", "w") as log, contextlib.redirect_stdout(log):
        return _deploy(rpc_url, deployments)


def _deploy(rpc_url: str, deployments: Path) -> Stack:
    from brownie import network, project
    from brownie._config import CONFIG

    threads_before = set(threading.enumerate())
    loaded = project.get_loaded_projects()
    build = loaded[0] if loaded else project.load(ROOT)
    build._add_to_main_namespace()  # what `brownie run` does: scripts import contracts from brownie
    CONFIG.networks["development"]["cmd_settings"]["port"] = int(rpc_url.rsplit(":", 1)[1])
    network.connect("development")
    network.gas_price("auto")  # Brownie's development default (0) is below anvil's base fee
    try:
        from brownie import accounts

        from scripts.deployment import deploy_platform

        admin, seller = accounts[0], accounts[3]
        contracts = deploy_platform(admin)
        market = contracts["Marketplace"]
        coin = build.TestStablecoin.deploy("Test USD", "tUSD", 6, {"from": admin})
        market.setAssetAllowed(coin, True, {"from": admin})
        market.approveSeller(seller, {"from": admin})
        listing = market.list(LISTING_PRICE, coin, LISTING_STOCK, 0, 0, "bafkreibenchlisting", {"from": seller}).return_value
        addresses = {name: c.address for name, c in contracts.items()}
        block = contracts["ChainMartForwarder"].tx.block_number
        stack = Stack(deployments, addresses, coin.address, "Test USD", int(listing), admin.address, seller.address)
    finally:
        # Brownie records each transaction for its undo history in a thread of its own: let those
        # finish while still connected.
        for thread in set(threading.enumerate()) - threads_before:
            thread.join(30)
        network.disconnect(kill_rpc=False)
    deployments.write_text(json.dumps({str(CHAIN_ID): {"block": block, "contracts": addresses}}, indent=2))
    return stack


class DappServer:
    """The dApp served by gunicorn as `make run` serves it (one process, 16 threads), on a free port."""

    def __init__(self, rpc_url: str, deployments: Path, workdir: str | Path, *, env: dict[str, str] | None = None):
        self.workdir = Path(workdir)
        self.port = free_port()
        self.rpc_url = rpc_url
        self.deployments = deployments
        self.extra_env = env or {}
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "DappServer":
        env = {
            **os.environ,
            "CHAINMART_RPC_URL": self.rpc_url,
            "CHAINMART_DEPLOYMENTS": str(self.deployments),
            "CHAINMART_BUILD_DIR": str(ROOT / "build"),
            "IPFS_STORE_PATH": str(self.workdir / "ipfs"),
            "INDEX_DATABASE": str(self.workdir / "index.sqlite3"),
            "INDEX_AUTOSTART": "true",
            "SECRET_KEY": "local-stack",
            **self.extra_env,
        }
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        command = [
            gunicorn, "--workers", "1", "--threads", "16", "--bind", f"127.0.0.1:{self.port}",
            "--access-logfile", str(self.workdir / "access.log"), "--error-logfile", str(self.workdir / "dapp.log"),
            "dapp:create_app()",
        ]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env)
        wait_until(self._healthy, 60, "the dApp server", alive=lambda: self.process.poll() is None)
        return self

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def _healthy(self) -> bool:
        try:
            return requests.get(f"{self.url}/api/health", timeout=2).status_code < 500
        except requests.RequestException:
            return False

    def __enter__(self) -> "DappServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
