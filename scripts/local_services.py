"""Real local services on free ports, for benchmarks and fault tests: an anvil chain, the IPFS test
node (js-ipfs) and the dApp served by gunicorn as `make run` serves it.

    with anvil(workdir) as rpc_url: ...
    with IpfsNode(home) as node: node.api; node.kill(); node.start()
    with dapp_server(workdir, env) as server: server.url
    attach_brownie(rpc_url)      # Brownie's project and accounts on a chain started here

Each starts a process, waits until it answers, and stops it on the way out (SIGTERM, then SIGKILL),
keeping its output in a log file whose tail is shown if it fails to start. Nothing here imports
Brownie at import time: the plain-pytest IPFS tests use this module too.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Mapping

ROOT = Path(__file__).resolve().parents[1]
IPFS_NODE_DIR = ROOT / "tools" / "ipfs-node"
# Public development mnemonic (anvil's default, as tools/run-local.sh); not a secret.
LOCAL_MNEMONIC = "test test test test test test test test test test test junk"
LOCAL_CHAIN_ID = 31337
START_TIMEOUT = 90.0
STOP_TIMEOUT = 15.0
# As tools/run-local.sh: one process (the relayer owns its account's nonces), threads for concurrency.
GUNICORN_WORKERS = 1
GUNICORN_THREADS = 16


class ServiceFailed(RuntimeError):
    """A local service did not start or answer; the message carries the tail of its log."""


class NodeNotInstalled(ServiceFailed):
    pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Service:
    """One child process with its log; `stop()` is SIGTERM then, if it lingers, SIGKILL."""

    def __init__(self, name: str, command: list[str], log_path: Path, env: Mapping[str, str] | None = None,
                 cwd: Path = ROOT):
        self.name, self.command, self.log_path = name, command, Path(log_path)
        self.env = {**os.environ, **(env or {})}
        self.cwd = cwd
        self.process: subprocess.Popen | None = None

    def start(self) -> "Service":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(self.command, cwd=self.cwd, env=self.env, stdout=log,
                                            stderr=subprocess.STDOUT)
        return self

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def wait_until(self, ready: Callable[[], bool], timeout: float = START_TIMEOUT) -> float:
        """Seconds until `ready()` holds; ServiceFailed if the process exits or time runs out first."""
        started = time.monotonic()
        while not ready():
            if not self.running:
                raise ServiceFailed(f"{self.name} exited with {self.process.returncode}; its log:\n{self.log_tail()}")
            if time.monotonic() - started > timeout:
                self.stop()
                raise ServiceFailed(f"{self.name} did not answer within {timeout:.0f} s; its log:\n{self.log_tail()}")
            time.sleep(0.05)
        return time.monotonic() - started

    def stop(self) -> None:
        if self.running:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

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


# ---------------------------------------------------------------- the chain


def rpc_answers(url: str) -> bool:
    return _post_json(url, {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}) is not None


@contextmanager
def anvil(workdir: Path, *, port: int | None = None, accounts: int = 10, extra: list[str] | None = None) -> Iterator[str]:
    """A fresh anvil chain with the local test accounts (as `make run` starts it); yields its RPC URL."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    chain = Service("anvil", [
        str(ROOT / ".tools" / "bin" / "anvil"), "--host", "127.0.0.1", "--port", str(port),
        "--chain-id", str(LOCAL_CHAIN_ID), "--mnemonic", LOCAL_MNEMONIC, "--accounts", str(accounts),
        "--gas-limit", "30000000", *(extra or []),
    ], Path(workdir) / f"anvil-{port}.log")
    chain.start()
    try:
        chain.wait_until(lambda: rpc_answers(url))
        yield url
    finally:
        chain.stop()


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


# ---------------------------------------------------------------- the IPFS test node


def ipfs_api_answers(port: int) -> bool:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v0/version", method="POST")
    try:
        with urllib.request.urlopen(request, timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


class IpfsNode:
    """An offline js-ipfs node (tools/ipfs-node) whose repo lives under `home`, so it can be killed and
    started again with what it stored. `api` is its RPC API multiaddr; the port stays the same."""

    def __init__(self, home: Path, port: int | None = None):
        if not (IPFS_NODE_DIR / "node_modules" / "ipfs" / "src" / "cli.js").is_file():
            raise NodeNotInstalled(f"js-ipfs is not installed: run `npm ci` in {IPFS_NODE_DIR}")
        self.home = Path(home)
        self.port = port or free_port()
        self.api = f"/ip4/127.0.0.1/tcp/{self.port}/http"
        self.start_seconds: float | None = None
        self._service: Service | None = None

    def start(self) -> "IpfsNode":
        self.home.mkdir(parents=True, exist_ok=True)
        # A SIGKILLed node leaves its repo lock behind; the next start would refuse the repo.
        for lock in (self.home / "repo").glob("*.lock"):
            _remove(lock)
        self._service = Service("the IPFS test node", [str(IPFS_NODE_DIR / "start.sh"), str(self.port)],
                                self.home / "node.log", env={"IPFS_PATH": str(self.home / "repo")}).start()
        self.start_seconds = self._service.wait_until(lambda: ipfs_api_answers(self.port))
        return self

    @property
    def running(self) -> bool:
        return self._service is not None and self._service.running

    def stop(self) -> None:
        if self._service:
            self._service.stop()

    def kill(self) -> None:
        if self._service:
            self._service.kill()

    def __enter__(self) -> "IpfsNode":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _remove(path: Path) -> None:
    if path.is_dir():
        for child in path.iterdir():
            _remove(child)
        path.rmdir()
    else:
        path.unlink(missing_ok=True)


@contextmanager
def running_node(home: Path) -> Iterator[tuple[str, float]]:
    """Start an offline js-ipfs node with its repo under `home`; yield (API multiaddr, start seconds)."""
    with IpfsNode(home) as node:
        yield node.api, node.start_seconds


# ---------------------------------------------------------------- the dApp


def dapp_answers(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/api/health", timeout=2) as answer:
            return answer.status == 200
    except urllib.error.HTTPError:
        return True  # it answers (a 503 names what is missing: still up)
    except OSError:
        return False


@dataclass(frozen=True)
class Served:
    url: str  # base URL, e.g. http://127.0.0.1:5000
    pid: int  # gunicorn's master process; its worker is a child

    def cpu_seconds(self) -> float:
        """CPU time the server's processes (master and worker) have used so far."""
        return sum(_cpu_seconds(pid) for pid in (self.pid, *_children(self.pid)))


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


@contextmanager
def dapp_server(workdir: Path, env: Mapping[str, str], *, port: int | None = None) -> Iterator[Served]:
    """The dApp under gunicorn as tools/run-local.sh serves it, configured by `env` (the settings of
    .env.example); yields its URL and process id."""
    port = port or free_port()
    base_url = f"http://127.0.0.1:{port}"
    server = Service("the dApp (gunicorn)", [
        sys.executable, "-m", "gunicorn", "--workers", str(GUNICORN_WORKERS), "--threads", str(GUNICORN_THREADS),
        "--bind", f"127.0.0.1:{port}", "--error-logfile", "-", "dapp:create_app()",
    ], Path(workdir) / f"dapp-{port}.log", env=env)
    server.start()
    try:
        server.wait_until(lambda: dapp_answers(base_url))
        yield Served(base_url, server.process.pid)
    finally:
        server.stop()


def _post_json(url: str, body: dict, timeout: float = 2.0) -> dict | None:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return json.loads(answer.read())
    except (OSError, ValueError):
        return None
