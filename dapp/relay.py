"""Gasless relay: check a user's signed ERC-2771 ForwardRequest and submit it from the relayer.

A request passes these checks before anything is sent: well-formed fields; the target is one of
the platform's contracts and the function is on its allow-list; value and gas within limits;
deadline not passed; nonce is the signer's next one (counting the signer's requests already
queued); the EIP-712 signature recovers to `from` and the forwarder's `verify` agrees; the call
would not revert (simulated as the forwarder would make it); the signer is within its rate limit;
the relayer has enough ETH.

One worker thread owns the relayer account's nonce and submits jobs in arrival order, so nonces
have no gaps; a job's id is the request's EIP-712 digest, so the same signed request submitted
twice is one job (the second submission returns the first's status). Each job keeps its signed
raw transaction: if the node stops mid-burst, the worker resends the same bytes when it comes
back, which can never execute twice.
"""
from __future__ import annotations

import collections
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from eth_abi import decode as abi_decode
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import function_abi_to_4byte_selector, keccak, to_checksum_address
from hexbytes import HexBytes
from web3._utils.events import get_event_data

from dapp.chain import Chain
from dapp.exceptions import (
    BadRequest,
    ChainUnavailable,
    Conflict,
    Forbidden,
    NotFound,
    RateLimited,
    ServiceUnavailable,
    Unauthorized,
)

FORWARDER = "ChainMartForwarder"
FORWARDER_DOMAIN = {"name": "ChainMartForwarder", "version": "1"}
FORWARD_REQUEST_TYPE = [
    {"name": "from", "type": "address"},
    {"name": "to", "type": "address"},
    {"name": "value", "type": "uint256"},
    {"name": "gas", "type": "uint256"},
    {"name": "nonce", "type": "uint256"},
    {"name": "deadline", "type": "uint48"},
    {"name": "data", "type": "bytes"},
]

# What users may do gaslessly, per contract. Admin functions and payable ETH purchases are not
# relayed: an admin pays its own gas, and the relayer never fronts a purchase price (buyLicense is
# relayed for ERC-20 offers only: a request with ETH value is refused by RELAY_MAX_VALUE_WEI).
RELAYABLE: dict[str, set[str]] = {
    "Marketplace": {
        "applyAsSeller", "list", "setPrice", "setStock", "setListingPaused", "setListingMetadata",
        "shipOrder", "rejectOrder", "offerSettlement", "buyWithToken", "buyWithPermit",
        "cancelOrder", "reclaimOrder", "confirmReceipt", "releaseExpired", "openDispute",
        "submitEvidence", "acceptSettlement", "review", "withdraw", "withdrawTo",
    },
    "CopyrightRegistry": {
        "registerWork", "createOffer", "setOfferPaused", "revokeWork", "buyLicense", "transferLicense",
        "relinquishLicense", "recordUse", "withdraw", "withdrawTo",
    },
    "ProvenanceToken": {"mint", "recall", "appendEvent", "appendCorrection", "setAppender"},
}

# Gas the forwarder needs around the forwarded call (signature check, nonce, event), and the
# 1/63 of gas EIP-150 keeps back, which ERC2771Forwarder checks was available.
FORWARDER_OVERHEAD_GAS = 60_000
PENDING, SUBMITTED, MINED, FAILED = "pending", "submitted", "mined", "failed"


@dataclass(frozen=True)
class ForwardRequest:
    sender: str
    to: str
    value: int
    gas: int
    nonce: int
    deadline: int
    data: bytes

    @classmethod
    def parse(cls, body: Any) -> tuple["ForwardRequest", bytes]:
        """(request, signature) from the JSON body `{"request": {...}, "signature": "0x..."}`."""
        if not isinstance(body, dict):
            raise BadRequest("Expected a JSON object with 'request' and 'signature'.")
        fields = body.get("request")
        if not isinstance(fields, dict):
            raise BadRequest("'request' must be an object with from, to, value, gas, nonce, deadline, data.")
        request = cls(
            sender=_address(fields, "from"),
            to=_address(fields, "to"),
            value=_uint(fields, "value", 256),
            gas=_uint(fields, "gas", 256),
            nonce=_uint(fields, "nonce", 256),
            deadline=_uint(fields, "deadline", 48),
            data=_hex_bytes(fields, "data"),
        )
        signature = _hex_bytes(body, "signature")
        if len(signature) != 65:
            raise BadRequest(f"'signature' must be 65 bytes, got {len(signature)}.")
        return request, signature

    def typed_data(self, chain_id: int, forwarder: str) -> dict[str, Any]:
        return {
            "types": {
                "EIP712Domain": [
                    {"name": "name", "type": "string"},
                    {"name": "version", "type": "string"},
                    {"name": "chainId", "type": "uint256"},
                    {"name": "verifyingContract", "type": "address"},
                ],
                "ForwardRequest": FORWARD_REQUEST_TYPE,
            },
            "primaryType": "ForwardRequest",
            "domain": {**FORWARDER_DOMAIN, "chainId": chain_id, "verifyingContract": forwarder},
            "message": {
                "from": self.sender,
                "to": self.to,
                "value": self.value,
                "gas": self.gas,
                "nonce": self.nonce,
                "deadline": self.deadline,
                "data": self.data,
            },
        }

    def execute_arg(self, signature: bytes) -> tuple:
        """The forwarder's ForwardRequestData (the signed struct minus the nonce, plus the signature)."""
        return (self.sender, self.to, self.value, self.gas, self.deadline, self.data, signature)


@dataclass
class RelayJob:
    id: str
    request: ForwardRequest
    signature: bytes
    function: str
    state: str = PENDING
    created_at: float = field(default_factory=time.time)
    raw_tx: bytes | None = None
    tx_hash: str | None = None
    submitted_at: float | None = None
    mined_at: float | None = None
    block: int | None = None
    gas_used: int | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    error: dict[str, Any] | None = None
    done: threading.Event = field(default_factory=threading.Event, repr=False)

    def to_json(self) -> dict[str, Any]:
        body = {
            "id": self.id,
            "state": self.state,
            "from": self.request.sender,
            "to": self.request.to,
            "function": self.function,
            "nonce": self.request.nonce,
            "txHash": self.tx_hash,
        }
        if self.state == MINED:
            body.update(block=self.block, gasUsed=self.gas_used, events=self.events)
        if self.error:
            body["error"] = self.error
        return body


class Relayer:
    """Validates forward requests and submits them, in order, from one relayer account."""

    def __init__(
        self,
        chain: Chain,
        private_key: str,
        *,
        max_gas: int = 1_000_000,
        max_value: int = 0,
        min_balance: int = 10**16,
        rate_limit: int = 30,
        rate_window: float = 60.0,
        poll_interval: float = 0.05,
    ):
        self.chain = chain
        self.account = Account.from_key(private_key)
        self.max_gas = max_gas
        self.max_value = max_value
        self.min_balance = min_balance
        self.rate_limit = rate_limit
        self.rate_window = rate_window
        self.poll_interval = poll_interval
        self._jobs: dict[str, RelayJob] = {}
        # Nonces of each signer's requests not yet mined or failed: the requests ahead of a new one.
        self._open_nonces: dict[str, set[int]] = collections.defaultdict(set)
        self._recent: dict[str, collections.deque[float]] = collections.defaultdict(collections.deque)
        self._lock = threading.Lock()
        self._queue: queue.Queue[RelayJob] = queue.Queue()
        self._nonce: int | None = None
        self._started = False
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()
        self._decoder = AbiDecoder(chain)

    # ------------------------------------------------------------------ public

    @property
    def address(self) -> str:
        return self.account.address

    def submit(self, body: Any) -> tuple[RelayJob, bool]:
        """Check and queue a request. Returns (job, created); a duplicate returns the first job."""
        request, signature = ForwardRequest.parse(body)
        forwarder = self.chain.contract(FORWARDER)
        digest = self._digest(request, forwarder.address)
        with self._lock:
            existing = self._jobs.get(digest)
        if existing is not None:
            return existing, False

        function = self._check_target(request)
        self._check_limits(request)
        self._check_signature(request, signature, digest, forwarder)
        queued_ahead = self._check_nonce(request, forwarder)
        if queued_ahead == 0:
            self._check_forwarder_verify(request, signature, forwarder)
            self._simulate(request)
        self._check_rate(request.sender)
        self._check_balance()

        job = RelayJob(id=digest, request=request, signature=signature, function=function)
        with self._lock:
            if digest in self._jobs:  # a concurrent duplicate won the race
                return self._jobs[digest], False
            if request.nonce in self._open_nonces[request.sender]:  # a concurrent request took it
                raise Conflict(f"Nonce {request.nonce} is already taken by another queued request of {request.sender}.")
            self._jobs[digest] = job
            self._open_nonces[request.sender].add(request.nonce)
        self._ensure_worker()
        self._queue.put(job)
        return job, True

    def job(self, job_id: str) -> RelayJob:
        with self._lock:
            job = self._jobs.get(job_id.lower())
        if job is None:
            raise NotFound(f"No relay request with id {job_id}.")
        return job

    def stats(self) -> dict[str, Any]:
        with self._lock:
            states = collections.Counter(job.state for job in self._jobs.values())
        return {
            "relayer": self.address,
            "balanceWei": str(self._balance()),
            "minBalanceWei": str(self.min_balance),
            "queued": self._queue.qsize(),
            "jobs": dict(states),
        }

    def stop(self, timeout: float = 5.0) -> None:
        """Stop submitting and polling, and wait for both threads to end."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)

    # ------------------------------------------------------------------ checks

    def _digest(self, request: ForwardRequest, forwarder: str) -> str:
        typed = request.typed_data(self.chain.chain_id, forwarder)
        signable = encode_typed_data(full_message=typed)
        return "0x" + keccak(b"\x19" + signable.version + signable.header + signable.body).hex()

    def _check_target(self, request: ForwardRequest) -> str:
        names = {address.lower(): name for name, address in self.chain.addresses.items()}
        name = names.get(request.to.lower())
        if name is None or name not in RELAYABLE:
            raise Forbidden(f"{request.to} is not a ChainMart contract the relayer serves.")
        if len(request.data) < 4:
            raise BadRequest("'data' must start with a 4-byte function selector.")
        function = self._decoder.function_name(name, request.data[:4])
        if function is None or function not in RELAYABLE[name]:
            raise Forbidden(
                f"{name}.{function or request.data[:4].hex()} is not relayed; allowed: "
                + ", ".join(sorted(RELAYABLE[name]))
            )
        return f"{name}.{function}"

    def _check_limits(self, request: ForwardRequest) -> None:
        if request.value > self.max_value:
            raise BadRequest(f"value {request.value} wei exceeds the relay limit of {self.max_value} wei.")
        if request.gas > self.max_gas:
            raise BadRequest(f"gas {request.gas} exceeds the relay limit of {self.max_gas}.")
        now = self._chain_time()
        if request.deadline <= now:
            raise BadRequest(f"The request expired: deadline {request.deadline} is not after chain time {now}.")

    def _check_signature(self, request: ForwardRequest, signature: bytes, digest: str, forwarder) -> None:
        try:
            signer = Account._recover_hash(HexBytes(digest), signature=signature)
        except Exception as exc:
            raise Unauthorized(f"The signature is malformed: {exc}.") from exc
        if signer.lower() != request.sender.lower():
            raise Unauthorized(
                f"The signature is not from {request.sender} (it recovers to {signer}): sign the "
                "ForwardRequest with the 'from' account, for this chain and forwarder."
            )

    def _check_nonce(self, request: ForwardRequest, forwarder) -> int:
        chain_nonce = self._rpc(forwarder.functions.nonces(request.sender).call)
        with self._lock:
            # A request already mined may not be recorded yet: only open nonces at or past the
            # chain's count are ahead of this one.
            queued = sum(1 for nonce in self._open_nonces[request.sender] if nonce >= chain_nonce)
        expected = chain_nonce + queued
        if request.nonce != expected:
            if request.nonce < chain_nonce:
                raise Conflict(f"Nonce {request.nonce} was already used (next is {expected}): a replay.")
            raise Conflict(f"Nonce {request.nonce} is out of order: the signer's next nonce is {expected}.")
        return queued

    def _check_forwarder_verify(self, request: ForwardRequest, signature: bytes, forwarder) -> None:
        if not self._rpc(forwarder.functions.verify(request.execute_arg(signature)).call):
            raise Unauthorized("The forwarder rejects this request (signature, nonce or deadline).")

    def _simulate(self, request: ForwardRequest) -> None:
        """Run the forwarded call as the forwarder would, so a doomed request costs nobody gas."""
        call = {
            "from": self.chain.addresses[FORWARDER],
            "to": request.to,
            "data": bytes(request.data) + bytes.fromhex(request.sender[2:]),
            "value": request.value,
            "gas": request.gas,
        }
        try:
            self.chain.web3.eth.call(call)
        except Exception as exc:
            revert = self._decoder.revert_of(exc)
            if revert is None:
                raise ChainUnavailable(self.chain.rpc_url, exc) from exc
            raise RevertWouldHappen(revert) from exc

    def _check_rate(self, signer: str) -> None:
        now = time.monotonic()
        with self._lock:
            recent = self._recent[signer]
            while recent and recent[0] <= now - self.rate_window:
                recent.popleft()
            if len(recent) >= self.rate_limit:
                retry = int(recent[0] + self.rate_window - now) + 1
                raise RateLimited(
                    f"{signer} sent {len(recent)} requests in {self.rate_window:g} s "
                    f"(limit {self.rate_limit}); retry in {retry} s."
                )
            recent.append(now)

    def _check_balance(self) -> None:
        balance = self._balance()
        if balance < self.min_balance:
            raise ServiceUnavailable(
                f"The relayer {self.address} is low on funds ({balance} wei, needs {self.min_balance}); "
                "send the transaction yourself or try later."
            )

    # ------------------------------------------------------------------ worker

    def _ensure_worker(self) -> None:
        with self._lock:
            if self._started:
                return
            self._started = True
        self._threads = [
            threading.Thread(target=self._submit_loop, name="relay-submit", daemon=True),
            threading.Thread(target=self._receipt_loop, name="relay-receipts", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def _submit_loop(self) -> None:
        while not self._stop.is_set():
            try:
                job = self._queue.get(timeout=0.2)
            except queue.Empty:
                continue
            while not self._stop.is_set():
                try:
                    self._send(job)
                    break
                except ChainUnavailable:
                    time.sleep(0.5)  # the node is down: keep the job and its bytes, try again

    def _send(self, job: RelayJob) -> None:
        web3 = self.chain.web3
        if job.raw_tx is None:
            if self._nonce is None:
                self._nonce = self._rpc(web3.eth.get_transaction_count, self.address, "pending")
            forwarder = self.chain.contract(FORWARDER)
            tx = forwarder.functions.execute(job.request.execute_arg(job.signature)).build_transaction(
                {
                    "from": self.address,
                    "nonce": self._nonce,
                    "gas": job.request.gas * 64 // 63 + FORWARDER_OVERHEAD_GAS,
                    "gasPrice": self._rpc(lambda: web3.eth.gas_price),
                    "chainId": self.chain.chain_id,
                    "value": job.request.value,
                }
            )
            signed = self.account.sign_transaction(tx)
            job.raw_tx = bytes(signed.raw_transaction)
            job.tx_hash = "0x" + bytes(signed.hash).hex()
            self._nonce += 1
        try:
            web3.eth.send_raw_transaction(job.raw_tx)
        except Exception as exc:
            message = str(exc).lower()
            if "already known" in message or "nonce too low" in message or "already imported" in message:
                pass  # the node has (or had) these exact bytes: the receipt loop will find them
            elif _is_connection_error(exc):
                raise ChainUnavailable(self.chain.rpc_url, exc) from exc
            else:
                self._finish(job, FAILED, error={"reason": str(exc)})
                self._nonce = None  # resync: a rejected transaction did not use its nonce
                return
        job.state = SUBMITTED
        job.submitted_at = time.time()

    def _receipt_loop(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                waiting = [job for job in self._jobs.values() if job.state == SUBMITTED]
            for job in waiting:
                try:
                    receipt = self.chain.web3.eth.get_transaction_receipt(job.tx_hash)
                except Exception:
                    continue  # not mined yet, or the node is down: ask again
                try:
                    self._record_receipt(job, receipt)
                except Exception as exc:  # never let one odd receipt stop the loop for every job
                    self._finish(job, MINED if receipt["status"] == 1 else FAILED,
                                 error={"reason": f"receipt could not be decoded: {exc}"})
            time.sleep(self.poll_interval)

    def _record_receipt(self, job: RelayJob, receipt) -> None:
        job.block = receipt["blockNumber"]
        job.gas_used = receipt["gasUsed"]
        if receipt["status"] == 1:
            self._finish(job, MINED, events=self._decoder.events(receipt))
        else:
            self._finish(job, FAILED, error=self._failure_reason(job, receipt["blockNumber"]))

    def _failure_reason(self, job: RelayJob, block: int) -> dict[str, Any]:
        try:
            self._simulate_at(job.request, block - 1)
        except RevertWouldHappen as exc:
            return exc.revert
        except Exception:
            pass
        return {"reason": "The forwarded call reverted (ERC2771Forwarder FailedCall)."}

    def _simulate_at(self, request: ForwardRequest, block: int) -> None:
        call = {
            "from": self.chain.addresses[FORWARDER],
            "to": request.to,
            "data": bytes(request.data) + bytes.fromhex(request.sender[2:]),
            "gas": request.gas,
        }
        try:
            self.chain.web3.eth.call(call, block)
        except Exception as exc:
            revert = self._decoder.revert_of(exc)
            if revert is not None:
                raise RevertWouldHappen(revert) from exc
            raise

    def _finish(self, job: RelayJob, state: str, *, events=None, error=None) -> None:
        with self._lock:
            job.state = state
            job.mined_at = time.time()
            job.events = events or []
            job.error = error
            self._open_nonces[job.request.sender].discard(job.request.nonce)
        job.done.set()

    # ------------------------------------------------------------------ helpers

    def _balance(self) -> int:
        return self._rpc(self.chain.web3.eth.get_balance, self.address)

    def _chain_time(self) -> int:
        return self._rpc(self.chain.web3.eth.get_block, "latest")["timestamp"]

    def _rpc(self, fn, *args):
        try:
            return fn(*args)
        except Exception as exc:
            if _is_connection_error(exc):
                raise ChainUnavailable(self.chain.rpc_url, exc) from exc
            raise


class RevertWouldHappen(BadRequest):
    """The forwarded call reverts: answered 422 with the decoded custom error."""

    status = 422

    def __init__(self, revert: dict[str, Any]):
        super().__init__(f"The call would revert: {revert.get('error') or revert.get('reason')}.")
        self.revert = revert


class AbiDecoder:
    """Function names, custom errors and events of the platform's contracts, by selector/topic."""

    def __init__(self, chain: Chain):
        self.chain = chain
        self._functions: dict[tuple[str, bytes], str] = {}
        self._errors: dict[bytes, dict] = {}
        self._events: dict[tuple[str, bytes], tuple[str, dict]] = {}
        self._loaded = False

    def _load(self) -> None:
        if self._loaded:
            return
        for name, address in self.chain.addresses.items():
            for item in self.chain.abi(name):
                if item["type"] == "function":
                    self._functions[(name, function_abi_to_4byte_selector(item))] = item["name"]
                elif item["type"] == "error":
                    self._errors[_error_selector(item)] = item
                elif item["type"] == "event":
                    # Keyed by emitter too: ERC-20 and ERC-721 `Transfer` share a topic but not a layout.
                    self._events[(address.lower(), keccak(text=_signature(item)))] = (name, item)
        self._loaded = True

    def function_name(self, contract: str, selector: bytes) -> str | None:
        self._load()
        return self._functions.get((contract, bytes(selector)))

    def revert_of(self, exc: Exception) -> dict[str, Any] | None:
        """The decoded custom error of a reverted eth_call, or None if `exc` is not a revert."""
        self._load()
        data = _revert_data(exc)
        if data is None:
            return None
        if len(data) >= 4 and data[:4] in self._errors:
            item = self._errors[data[:4]]
            types = [i["type"] for i in item["inputs"]]
            values = abi_decode(types, data[4:])
            args = {i["name"] or f"arg{n}": _jsonable(v) for n, (i, v) in enumerate(zip(item["inputs"], values))}
            return {"error": item["name"], "args": args}
        if data[:4] == bytes.fromhex("08c379a0"):
            return {"error": "Error", "reason": abi_decode(["string"], data[4:])[0]}
        return {"error": "UnknownRevert", "data": "0x" + data.hex()}

    def events(self, receipt) -> list[dict[str, Any]]:
        self._load()
        decoded = []
        codec = self.chain.web3.codec
        for log in receipt["logs"]:
            if not log["topics"]:
                continue
            match = self._events.get((log["address"].lower(), bytes(log["topics"][0])))
            if match is None:
                continue  # a log of a contract the platform does not own (e.g. a stablecoin)
            contract, item = match
            try:
                data = get_event_data(codec, item, log)
            except Exception:
                continue
            decoded.append(
                {"contract": contract, "event": data["event"], "args": {k: _jsonable(v) for k, v in data["args"].items()}}
            )
        return decoded


def _signature(item: dict) -> str:
    return f"{item['name']}({','.join(_canonical_type(i) for i in item['inputs'])})"


def _canonical_type(param: dict) -> str:
    if param["type"].startswith("tuple"):
        return "(" + ",".join(_canonical_type(c) for c in param["components"]) + ")" + param["type"][5:]
    return param["type"]


def _error_selector(item: dict) -> bytes:
    return keccak(text=_signature(item))[:4]


def _revert_data(exc: Exception) -> bytes | None:
    """web3 7 raises ContractCustomError/ContractLogicError carrying the revert data."""
    data = getattr(exc, "data", None)
    if isinstance(data, dict):
        data = data.get("data")
    if isinstance(data, (bytes, bytearray)):
        return bytes(data)
    if isinstance(data, str) and data.startswith("0x"):
        return bytes.fromhex(data[2:])
    message = getattr(exc, "message", None) or (exc.args[0] if exc.args else None)
    if type(exc).__name__ in ("ContractLogicError", "ContractCustomError", "ContractPanicError"):
        return b"" if not isinstance(message, str) else b""
    return None


def _jsonable(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, HexBytes)):
        return "0x" + bytes(value).hex()
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**53:
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def _is_connection_error(exc: Exception) -> bool:
    import requests

    return isinstance(exc, (requests.exceptions.ConnectionError, requests.exceptions.Timeout, ConnectionError))


def _address(fields: dict, key: str) -> str:
    value = fields.get(key)
    if not isinstance(value, str):
        raise BadRequest(f"'{key}' must be a 0x-prefixed address string.")
    try:
        return to_checksum_address(value)
    except ValueError as exc:
        raise BadRequest(f"'{key}' is not a valid address: {value!r}.") from exc


def _uint(fields: dict, key: str, bits: int) -> int:
    value = fields.get(key)
    if isinstance(value, str):
        try:
            value = int(value, 0)
        except ValueError as exc:
            raise BadRequest(f"'{key}' must be an unsigned integer (number or decimal/0x string).") from exc
    if not isinstance(value, int) or isinstance(value, bool) or value < 0 or value >= 2**bits:
        raise BadRequest(f"'{key}' must be an unsigned integer below 2**{bits}.")
    return value


def _hex_bytes(fields: dict, key: str) -> bytes:
    value = fields.get(key)
    if not isinstance(value, str) or not value.startswith("0x"):
        raise BadRequest(f"'{key}' must be a 0x-prefixed hex string.")
    try:
        return bytes.fromhex(value[2:])
    except ValueError as exc:
        raise BadRequest(f"'{key}' is not valid hex.") from exc
