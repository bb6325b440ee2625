"""Real local services on free ports, for benchmarks and fault tests: an anvil chain, the IPFS test
node (js-ipfs) and the dApp served by gunicorn as `make run` serves it; and the platform deployed.

    with LocalChain(workdir) as node:                  # anvil on a free port
        platform = deploy_stack(node.url, workdir)      # the contracts, a stablecoin, a listing
        with DappServer(node.url, platform.deployments, workdir) as dapp:
            ...                                         # dapp.url, dapp.cpu_seconds()
    with IpfsNode(home) as node: node.api; node.kill(); node.start()
    attach_brownie(rpc_url)      # Brownie's project and accounts on a chain started here

Each service starts a process, waits until it answers, and stops it on the way out (SIGTERM, then
SIGKILL), keeping its output in a log file whose tail is shown if it fails to start. The chain keeps
its state in a file (anvil `--state`): `node.stop()` stops it the way a node operator does
(SIGTERM, which writes the state) and `node.start()` starts it again from that state on the same port. Nothing here
imports Brownie at import time: the plain-pytest tests use this module too.
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
from typing import Any, Mapping, Self

import requests

ROOT = Path(__file__).resolve().parent.parent
IPFS_NODE_DIR = ROOT / "tools" / "ipfs-node"
CHAIN_ID = 31337
# Public development mnemonic (anvil's default): its accounts are the local test accounts.
MNEMONIC = "test test test test test test test test test test test junk"
USD = 10**6  # the test stablecoin has 6 decimals, like USDC
LISTING_PRICE = 25 * USD
LISTING_STOCK = 2**32 - 1  # uint32: stock never runs out during a run
START_TIMEOUT = 90.0
STOP_TIMEOUT = 30.0  # anvil writes its state file before it exits


class ServiceFailed(RuntimeError):
    """A local service did not start or answer; the message carries the tail of its log."""


class NodeNotInstalled(ServiceFailed):
    pass


def free_port() -> int:
    """A TCP port nothing listens on right now (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rpc(url: str, method: str, params: list | None = None, *, session: requests.Session | None = None,
        timeout: float = 10) -> Any:
    """One JSON-RPC call; raises RuntimeError with the node's message on an error answer."""
    body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}
    answer = (session or requests).post(url, json=body, timeout=timeout).json()
    if "error" in answer:
        raise RuntimeError(f"{method}: {answer['error'].get('message')}")
    return answer["result"]


class Service:
    """One child process on `port` with its log; subclasses say how to run it and when it answers."""

    name = "a local service"

    def __init__(self, log_path: Path, port: int | None = None):
        self.log_path = Path(log_path)
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None
        self.start_seconds: float | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        raise NotImplementedError

    def env(self) -> Mapping[str, str]:
        return {}

    def answers(self) -> bool:
        raise NotImplementedError

    def start(self) -> Self:
        """Start the process and wait until it answers; ServiceFailed if it exits or time runs out first."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(self.command(), cwd=ROOT, env={**os.environ, **self.env()},
                                            stdout=log, stderr=subprocess.STDOUT)
        started = time.monotonic()
        while not self.answers():
            if not self.running:
                raise ServiceFailed(f"{self.name} exited with {self.process.returncode}; its log:\n{self.log_tail()}")
            if time.monotonic() - started > START_TIMEOUT:
                self.stop()
                raise ServiceFailed(
                    f"{self.name} did not answer within {START_TIMEOUT:.0f} s; its log:\n{self.log_tail()}")
            time.sleep(0.05)
        self.start_seconds = time.monotonic() - started
        return self

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.running:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.kill()

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to clean up (a crash, a power cut)."""
        if self.running:
            self.process.kill()
            self.process.wait()

    def log_tail(self, characters: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-characters:]
        except FileNotFoundError:
            return "(no log)"

    def cpu_seconds(self) -> float:
        """CPU time the process and its children (gunicorn's worker) have used so far."""
        return sum(_cpu_seconds(pid) for pid in (self.process.pid, *_children(self.process.pid)))

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


# ---------------------------------------------------------------- the chain


class LocalChain(Service):
    """anvil with the local test accounts, as `make run` starts it; with `keep_state`, a state file
    it loads when started and writes when stopped, so a stop and a start keep what was mined."""

    name = "anvil"

    def __init__(self, workdir: str | Path, *, port: int | None = None, accounts: int = 10,
                 keep_state: bool = True):
        super().__init__(Path(workdir) / "anvil.log", port)
        self.state_path = Path(workdir) / "anvil-state.json"
        self.accounts, self.keep_state = accounts, keep_state

    def command(self) -> list[str]:
        # The flags of `make run` (tools/run-local.sh) minus --steps-tracing, which only Brownie's
        # debugging needs.
        return [
            anvil_binary(), "--host", "127.0.0.1", "--port", str(self.port), "--chain-id", str(CHAIN_ID),
            "--mnemonic", MNEMONIC, "--accounts", str(self.accounts), "--gas-limit", "30000000",
            *(["--state", str(self.state_path)] if self.keep_state else []),
        ]

    def answers(self) -> bool:
        try:
            return int(rpc(self.url, "eth_chainId", timeout=1), 16) == CHAIN_ID
        except (requests.RequestException, ValueError, RuntimeError):
            return False

    def version(self) -> str:
        return subprocess.run([anvil_binary(), "--version"], capture_output=True, text=True).stdout.splitlines()[0]


def anvil_binary() -> str:
    local = ROOT / ".tools" / "bin" / "anvil"
    found = str(local) if local.exists() else shutil.which("anvil")
    if not found:
        raise FileNotFoundError("anvil not found: run `make setup` (it links .tools/bin/anvil).")
    return found


def attach_brownie(rpc_url: str):
    """Load the Brownie project and connect it to the chain at `rpc_url` (started here, so Brownie
    neither launches nor stops it); returns the project. Its contract types and `accounts` (the
    chain's unlocked test accounts) are then importable from `brownie`."""
    from brownie import network, project
    from brownie._config import CONFIG

    loaded = project.get_loaded_projects()
    chainmart = loaded[0] if loaded else project.load(str(ROOT), name="ChainMart")
    chainmart.load_config()  # brownie-config.yaml's network settings (gas_price: auto), as the CLI loads them
    chainmart._add_to_main_namespace()  # as `brownie run` does: `from brownie import Marketplace` works
    host, port = rpc_url.rsplit(":", 1)
    CONFIG.networks["development"]["host"] = host
    CONFIG.networks["development"]["cmd_settings"]["port"] = int(port)
    network.connect("development")
    return chainmart


@dataclass
class Stack:
    """What deploy_stack made: addresses, the deployments file the dApp reads, the demo roles."""

    deployments: Path
    contracts: dict[str, str]
    stablecoin: str
    stablecoin_name: str
    listing: int
    admin: str


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
    from brownie import network

    threads_before = set(threading.enumerate())
    build = attach_brownie(rpc_url)
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
        stack = Stack(deployments, addresses, coin.address, "Test USD", int(listing), admin.address)
    finally:
        # Brownie records each transaction for its undo history in a thread of its own: let those
        # finish while still connected.
        for thread in set(threading.enumerate()) - threads_before:
            thread.join(30)
        network.disconnect(kill_rpc=False)
    deployments.write_text(json.dumps({str(CHAIN_ID): {"block": block, "contracts": addresses}}, indent=2))
    return stack


# ---------------------------------------------------------------- the IPFS test node


class IpfsNode(Service):
    """An offline js-ipfs node (tools/ipfs-node) whose repo lives under `home`, so it can be killed and
    started again with what it stored. `api` is its RPC API multiaddr; the port stays the same."""

    name = "the IPFS test node"

    def __init__(self, home: Path, port: int | None = None):
        if not (IPFS_NODE_DIR / "node_modules" / "ipfs" / "src" / "cli.js").is_file():
            raise NodeNotInstalled(f"js-ipfs is not installed: run `npm ci` in {IPFS_NODE_DIR}")
        self.home = Path(home)
        super().__init__(self.home / "node.log", port)
        self.api = f"/ip4/127.0.0.1/tcp/{self.port}/http"

    def start(self) -> Self:
        # A SIGKILLed node leaves its repo lock behind; the next start would refuse the repo.
        for lock in (self.home / "repo").glob("*.lock"):
            shutil.rmtree(lock) if lock.is_dir() else lock.unlink(missing_ok=True)
        return super().start()

    def command(self) -> list[str]:
        return [str(IPFS_NODE_DIR / "start.sh"), str(self.port)]

    def env(self) -> Mapping[str, str]:
        return {"IPFS_PATH": str(self.home / "repo")}

    def answers(self) -> bool:
        try:
            return requests.post(f"{self.url}/api/v0/version", timeout=2).status_code == 200
        except requests.RequestException:
            return False


# ---------------------------------------------------------------- the dApp


class DappServer(Service):
    """The dApp served by gunicorn as `make run` serves it (one process, as the relayer owns its
    account's nonces; 16 threads), on a free port, configured for the chain at `rpc_url` with its
    data under `workdir`; `env` adds or overrides settings (those of .env.example). `access_log=False`
    leaves out the per-request access log (the catalog benchmark measures the server alone)."""

    name = "the dApp (gunicorn)"

    def __init__(self, rpc_url: str, deployments: Path, workdir: str | Path, *, env: Mapping[str, str] | None = None,
                 access_log: bool = True):
        self.workdir = Path(workdir)
        self.access_log = access_log
        super().__init__(self.workdir / "dapp.log")
        self.settings = {
            "CHAINMART_RPC_URL": rpc_url,
            "CHAINMART_DEPLOYMENTS": str(deployments),
            "CHAINMART_BUILD_DIR": str(ROOT / "build"),
            "IPFS_STORE_PATH": str(self.workdir / "ipfs"),
            "INDEX_DATABASE": str(self.workdir / "index.sqlite3"),
            "INDEX_AUTOSTART": "true",
            "SECRET_KEY": "local-stack",
            **(env or {}),
        }

    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "gunicorn", "--workers", "1", "--threads", "16", "--bind", f"127.0.0.1:{self.port}",
            *(["--access-logfile", str(self.workdir / "access.log")] if self.access_log else []),
            "--error-logfile", "-", "dapp:create_app()",
        ]

    def env(self) -> Mapping[str, str]:
        return self.settings

    def answers(self) -> bool:
        try:
            requests.get(f"{self.url}/api/health", timeout=2)
            return True  # any answer: a 503 names what is missing, and the server is up
        except requests.RequestException:
            return False
