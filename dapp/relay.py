"""Gasless relay: check a user's signed ERC-2771 ForwardRequest and submit it from the relayer.

A request passes these checks before anything is sent: well-formed fields; the target is one of
the platform's contracts and the function is on its allow-list; value and gas within limits;
deadline not passed; nonce is the signer's next one (counting the signer's requests already
queued); the EIP-712 signature recovers to `from`; the forwarder accepts it (what its `verify`
checks: signer, nonce, deadline, trusted target) and the call would not revert, both found by
simulating the forwarder's `execute` exactly as the relayer would send it (a refused call is then
simulated alone for its decoded custom error); the signer is within its rate limit; the relayer
has enough ETH.

One worker thread owns the relayer account's nonce and submits jobs in arrival order, so nonces
have no gaps; a job's id is the request's EIP-712 digest, so the same signed request submitted
twice is one job (the second submission returns the first's status). Each job keeps its signed
raw transaction: if the node stops mid-burst, the worker resends the same bytes when it comes
back, which can never execute twice.

Built to keep up with a burst in one process: the digest is hashed from a cached domain
separator; the nonce read and the simulation go to the node as one JSON-RPC batch over a
kept-alive connection (dapp.jsonrpc), not through web3's per-call machinery; chain time, the
relayer's balance and the gas price are reused for CHAIN_READ_TTL seconds; queued jobs are signed
and sent to the node together, in one batch; a receipt thread reads each new block's receipts
once (not every job's receipt on every poll); a job's events are decoded, with layouts prepared
once, when its status is first asked for; a transaction still without a receipt after
STALE_AFTER seconds is looked up on its own, and sent again, the same bytes, if the node has
forgotten it.
"""
from __future__ import annotations

import collections
import logging
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import rlp
from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_account import Account
from eth_utils import function_abi_to_4byte_selector, keccak, to_checksum_address
from hexbytes import HexBytes

from chainmart.eip712 import FORWARD_REQUEST, FORWARDER_DOMAIN, forward_request_typed_data
from dapp.abi import EventDecoder, abi_type
from dapp.abi import signature as abi_signature
from dapp.chain import Chain
from dapp.exceptions import (
    BadRequest,
    ChainMartError,
    ChainUnavailable,
    Conflict,
    Forbidden,
    NodeError,
    NotFound,
    RateLimited,
    ServiceUnavailable,
    Unauthorized,
)

logger = logging.getLogger(__name__)

FORWARDER = "ChainMartForwarder"

# What users may do gaslessly, per contract. Admin functions and payable ETH purchases are not
# relayed: an admin pays its own gas, and the relayer never fronts a purchase price (buyLicense is
# relayed for ERC-20 offers only: a request with ETH value is refused by RELAY_MAX_VALUE_WEI).
RELAYABLE: dict[str, set[str]] = {
    "Marketplace": {
        "applyAsSeller", "list", "listTraced", "addListingTokens", "setPrice", "setStock", "setListingPaused",
        "setListingMetadata", "shipOrder", "rejectOrder", "offerSettlement", "buyWithToken", "buyWithPermit",
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
# Chain time, the relayer's balance and the gas price change slowly next to a burst of requests:
# each is read once per this many seconds, not once per request.
CHAIN_READ_TTL = 1.0
# A sent transaction without a receipt after this many seconds is looked up on its own (the node
# may have restarted, or a block been skipped), and sent again if the node no longer knows it;
# then again after twice as long, and so on, up to once a minute.
STALE_AFTER = 5.0
MAX_LOOK_INTERVAL = 60.0
IDLE_POLL_INTERVAL = 1.0  # seconds between the receipt thread's looks when nothing waits
RECEIPT_BLOCKS_PER_BATCH = 100
SEND_BATCH = 64  # queued jobs sent in one JSON-RPC batch
REPLACED_AFTER_LOOKS = 3  # looks that find its nonce used but no receipt before a job is called replaced

# The forwarder's ABI, fixed by OpenZeppelin's ERC2771Forwarder: encoded without web3 per call.
REQUEST_DATA = "(address,address,uint256,uint256,uint48,bytes,bytes)"
NONCES = keccak(text="nonces(address)")[:4]
EXECUTE = keccak(text=f"execute({REQUEST_DATA})")[:4]
# How the forwarder refuses a request `verify` would call invalid.
FORWARDER_REFUSALS = {"ERC2771ForwarderInvalidSigner", "ERC2771ForwarderExpiredRequest", "ERC2771UntrustfulTarget"}
DOMAIN_TYPEHASH = keccak(text="EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")
FORWARD_REQUEST_TYPEHASH = keccak(
    text="ForwardRequest(" + ",".join(f"{f['type']} {f['name']}" for f in FORWARD_REQUEST) + ")"
)


def domain_separator(chain_id: int, forwarder: str) -> bytes:
    """EIP-712 domain separator of the ChainMartForwarder at `forwarder` on `chain_id`."""
    return keccak(abi_encode(
        ["bytes32", "bytes32", "bytes32", "uint256", "address"],
        [DOMAIN_TYPEHASH, keccak(text=FORWARDER_DOMAIN["name"]), keccak(text=FORWARDER_DOMAIN["version"]),
         chain_id, forwarder],
    ))


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
        """The EIP-712 typed data a wallet signs (eth_signTypedData_v4)."""
        return forward_request_typed_data(chain_id, forwarder, {
            "from": self.sender,
            "to": self.to,
            "value": self.value,
            "gas": self.gas,
            "nonce": self.nonce,
            "deadline": self.deadline,
            "data": self.data,
        })

    def digest(self, domain: bytes) -> bytes:
        """The EIP-712 digest the signature signs, given the forwarder's domain separator."""
        struct = keccak(abi_encode(
            ["bytes32", "address", "address", "uint256", "uint256", "uint256", "uint48", "bytes32"],
            [FORWARD_REQUEST_TYPEHASH, self.sender, self.to, self.value, self.gas, self.nonce, self.deadline,
             keccak(self.data)],
        ))
        return keccak(b"\x19\x01" + domain + struct)

    def execute_arg(self, signature: bytes) -> tuple:
        """The forwarder's ForwardRequestData (the signed struct minus the nonce, plus the signature)."""
        return (self.sender, self.to, self.value, self.gas, self.deadline, self.data, signature)

    def forwarded_call(self, forwarder: str) -> dict[str, str]:
        """The call as the forwarder makes it (ERC-2771: the signer appended to the calldata)."""
        return {
            "from": forwarder,
            "to": self.to,
            "data": "0x" + self.data.hex() + self.sender[2:].lower(),
            "value": hex(self.value),
            "gas": hex(self.gas),
        }


@dataclass
class RelayJob:
    id: str
    request: ForwardRequest
    signature: bytes
    function: str
    calldata: bytes  # the forwarder's execute(request) the relayer sends
    state: str = PENDING
    created_at: float = field(default_factory=time.time)
    raw_tx: bytes | None = None
    tx_hash: str | None = None
    tx_nonce: int | None = None  # the relayer's transaction nonce
    nonce_used_looks: int = 0  # stale looks that found its nonce used but no receipt for it
    submitted_at: float | None = None
    next_look_at: float | None = None  # when the receipt thread looks this job up on its own
    looks: int = 0
    mined_at: float | None = None
    block: int | None = None
    gas_used: int | None = None
    events: list[dict[str, Any]] | None = None  # decoded from `logs` when first asked for
    logs: list[dict[str, Any]] = field(default_factory=list, repr=False)  # the receipt's, as the node sent them
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
            body.update(block=self.block, gasUsed=self.gas_used, events=self.events or [])
        if self.error:
            body["error"] = self.error
        return body


class Recent:
    """A value read from the chain and reused for `ttl` seconds, with the monotonic time it was
    read; concurrent callers of an expired value wait for one read instead of each making one."""

    def __init__(self, read: Callable[[], Any], ttl: float):
        self._read = read
        self._ttl = ttl
        self._value: Any = None
        self._read_at = float("-inf")
        self._lock = threading.Lock()

    def get(self) -> tuple[Any, float]:
        if time.monotonic() - self._read_at < self._ttl:
            return self._value, self._read_at
        with self._lock:
            if time.monotonic() - self._read_at >= self._ttl:
                read_at = time.monotonic()
                self._value = self._read()
                self._read_at = read_at
            return self._value, self._read_at


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
        poll_interval: float = 0.02,
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
        # Jobs signed and not yet finished, by transaction hash: what the receipt thread looks for.
        self._unmined: dict[str, RelayJob] = {}
        self._recent: dict[str, collections.deque[float]] = collections.defaultdict(collections.deque)
        self._lock = threading.Lock()
        self._queue: queue.Queue[RelayJob] = queue.Queue()
        self._nonce: int | None = None
        self._resync_nonce = False
        self._gaps: list[int] = []  # relayer nonces left unused below sent transactions
        self._scanned: int | None = None  # the last block whose receipts were read
        self._block_receipts = True  # eth_getBlockReceipts; off for nodes without it
        self._node_down: str | None = None  # why the worker threads last failed to reach the node
        self._recheck_all = False  # after an outage: the node may have lost what it had pooled
        self._last_error: str | None = None
        self._resent: set[str] = set()  # jobs whose transaction went again, the same bytes, after a node failure
        self._started = False
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()
        self._wake = threading.Event()  # set when a transaction is signed, and to stop
        self._decoder = AbiDecoder(chain)
        self._forwarder: str | None = None
        self._domain: bytes | None = None
        self._names: dict[str, str] | None = None
        self._clock = Recent(self._read_chain_time, CHAIN_READ_TTL)
        self._balances = Recent(self._balance, CHAIN_READ_TTL)
        self._gas_prices = Recent(lambda: int(self.chain.rpc("eth_gasPrice"), 16), CHAIN_READ_TTL)

    # ------------------------------------------------------------------ public

    @property
    def address(self) -> str:
        return self.account.address

    def submit(self, body: Any) -> tuple[RelayJob, bool]:
        """Check and queue a request. Returns (job, created); a duplicate returns the first job."""
        request, signature = ForwardRequest.parse(body)
        forwarder = self._forwarder_address()
        digest = "0x" + request.digest(self._domain).hex()
        with self._lock:
            existing = self._jobs.get(digest)
        if existing is not None:
            return existing, False

        calldata = _execute_data(request, signature)  # the relayer's call: simulated now, sent later
        try:
            function = self._check_target(request)
            self._check_limits(request)
            self._check_signature(request, signature, digest)
            self._check_on_chain(request, calldata, forwarder)
            self._check_rate(request.sender)
            self._check_balance()
        except ChainMartError:
            # The same request, sent twice at once, may have been queued meanwhile: its first copy
            # then counts as ahead of it. A duplicate is answered with that job, never refused.
            with self._lock:
                existing = self._jobs.get(digest)
            if existing is not None:
                return existing, False
            raise

        job = RelayJob(id=digest, request=request, signature=signature, function=function, calldata=calldata)
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

    def describe(self, job: RelayJob) -> dict[str, Any]:
        """A job's JSON status; while the node is unreachable, an unfinished job says so. A mined
        job's events are decoded the first time someone asks, not on the receipt thread."""
        if job.state == MINED and job.events is None:
            job.events = self._decoder.events(job.logs)
        body = job.to_json()
        if self._node_down and job.state in (PENDING, SUBMITTED):
            body["delay"] = (
                "The chain node does not answer; the relayer keeps this request and its signed "
                "transaction, and sends the same transaction again when the node is back."
            )
        return body

    def stats(self) -> dict[str, Any]:
        with self._lock:
            states = collections.Counter(job.state for job in self._jobs.values())
        return {
            "relayer": self.address,
            "balanceWei": str(self._balance()),
            "minBalanceWei": str(self.min_balance),
            "queued": self._queue.qsize(),
            "jobs": dict(states),
            "resent": len(self._resent),
        }

    def stop(self, timeout: float = 5.0) -> None:
        """Stop submitting and polling, and wait for both threads to end."""
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout)

    # ------------------------------------------------------------------ checks

    def _forwarder_address(self) -> str:
        if self._forwarder is None:
            address = self.chain.contract(FORWARDER).address  # checks the deployment has code
            self._domain = domain_separator(self.chain.chain_id, address)
            self._forwarder = address
        return self._forwarder

    def _contract_names(self) -> dict[str, str]:
        if self._names is None:
            self._names = {address.lower(): name for name, address in self.chain.addresses.items()}
        return self._names

    def _check_target(self, request: ForwardRequest) -> str:
        name = self._contract_names().get(request.to.lower())
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

    def _check_signature(self, request: ForwardRequest, signature: bytes, digest: str) -> None:
        try:
            signer = Account._recover_hash(HexBytes(digest), signature=signature)
        except Exception as exc:
            raise Unauthorized(f"The signature is malformed: {exc}.") from exc
        if signer.lower() != request.sender.lower():
            raise Unauthorized(
                f"The signature is not from {request.sender} (it recovers to {signer}): sign the "
                "ForwardRequest with the 'from' account, for this chain and forwarder."
            )

    def _check_on_chain(self, request: ForwardRequest, calldata: bytes, forwarder: str) -> None:
        """The nonce; and, when no request of the signer is ahead of this one, the forwarder's own
        checks and the call: `execute` simulated from the relayer, exactly the transaction it would
        send. The forwarder reverts on what `verify` reports (signer, nonce, deadline, target) and
        on a failing call; only then is the call simulated alone, for its decoded error. One round
        trip when the signer has nothing queued."""
        nonce_call = ("eth_call", [{"to": forwarder, "data": "0x" + (NONCES + abi_encode(["address"], [request.sender])).hex()}, "latest"])
        execution = ("eth_call", [{
            "from": self.address,
            "to": forwarder,
            "data": "0x" + calldata.hex(),
            "value": hex(request.value),
            "gas": hex(_transaction_gas(request)),
        }, "latest"])
        with self._lock:
            open_before = set(self._open_nonces[request.sender])
        answers = self.chain.rpc_batch([nonce_call] if open_before else [nonce_call, execution])
        chain_nonce = _uint_result(answers[0])
        with self._lock:
            # Ahead of this request: the signer's open requests the chain's count does not include
            # yet. Open before the read counts too: one mined meanwhile may be missing from the read.
            queued = len({n for n in open_before | self._open_nonces[request.sender] if n >= chain_nonce})
        expected = chain_nonce + queued
        if request.nonce != expected:
            if request.nonce < chain_nonce:
                raise Conflict(f"Nonce {request.nonce} was already used (next is {expected}): a replay.")
            raise Conflict(f"Nonce {request.nonce} is out of order: the signer's next nonce is {expected}.")
        if queued:
            return  # the state it will run on does not exist yet: the requests ahead must run first
        (executed,) = answers[1:] or self.chain.rpc_batch([execution])
        if not isinstance(executed, NodeError):
            return
        revert = self._decoder.revert_of(executed)
        if revert.get("error") in FORWARDER_REFUSALS:
            raise Unauthorized("The forwarder rejects this request (signature, nonce or deadline).")
        # The forwarder hides why the call failed (FailedCall): the call alone tells.
        (called,) = self.chain.rpc_batch([("eth_call", [request.forwarded_call(forwarder), "latest"])])
        raise RevertWouldHappen(self._decoder.revert_of(called) if isinstance(called, NodeError) else revert)

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
        balance, _ = self._balances.get()
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
        # Receipts are looked for from here on: no transaction of this relayer is in an older block.
        # (If the node is down right now, the receipt thread starts from its head when it is back,
        # and finds anything in the blocks before as stale.)
        try:
            self._scanned = int(self.chain.rpc("eth_blockNumber"), 16)
        except ChainUnavailable:
            self._scanned = None
        self._threads = [
            threading.Thread(target=self._submit_loop, name="relay-submit", daemon=True),
            threading.Thread(target=self._receipt_loop, name="relay-receipts", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def _submit_loop(self) -> None:
        while not self._stop.is_set():
            try:
                if self._gaps:
                    self._fill_gaps()
                first = self._queue.get(timeout=0.2)
            except ChainUnavailable as exc:
                self._node_unreachable(exc)
                time.sleep(0.5)
                continue
            except queue.Empty:
                continue
            batch = [first]
            while len(batch) < SEND_BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            while not self._stop.is_set():
                batch = [job for job in batch if job.state == PENDING]
                if not batch:
                    break
                try:
                    self._send(batch)
                    self._node_down = None
                except ChainUnavailable as exc:
                    self._node_unreachable(exc)
                    time.sleep(0.5)  # the node is down: keep the jobs and their bytes, try again

    def _send(self, jobs: list[RelayJob]) -> None:
        """Sign the jobs not signed yet, with consecutive nonces, and send them all in one round
        trip: the node receives them together (and anvil mines them into fewer blocks)."""
        for job in jobs:
            if job.raw_tx is None:
                self._sign(job)
            else:
                self._resent.add(job.id)  # the node failed before it answered: the same bytes again
        answers = self.chain.rpc_batch([("eth_sendRawTransaction", ["0x" + job.raw_tx.hex()]) for job in jobs])
        refused = []
        for job, answer in zip(jobs, answers):
            if isinstance(answer, NodeError) and _nonce_taken(answer):
                self._sign_again(job, requeue=False)  # this batch is sent again at once
                continue
            if isinstance(answer, NodeError) and not _node_has_it(answer):
                self._finish(job, FAILED, error={"reason": answer.reason})
                refused.append(job.tx_nonce)
                continue
            # Sent, or the node has (or had) these exact bytes: the receipt thread will find them.
            with self._lock:
                if job.state == PENDING:  # the receipt thread may already have seen it mined
                    job.state = SUBMITTED
                    job.submitted_at = time.time()
        if refused:
            # A refused transaction did not use its nonce. Past the last accepted one, the next
            # jobs take those nonces again; below it they are gaps that would hold the accepted
            # transactions back, so each is filled with a no-op transaction.
            accepted = [job.tx_nonce for job in jobs if job.state != FAILED and job.tx_nonce is not None]
            last_accepted = max(accepted, default=-1)
            self._gaps.extend(n for n in refused if n < last_accepted)
            free = [n for n in refused if n > last_accepted]
            if free:
                self._nonce = min(free)

    def _sign(self, job: RelayJob) -> None:
        if self._nonce is None or self._resync_nonce:
            # Only ever forward: a transaction of ours the node forgot (a restart) would make its
            # count lower than ours, and reusing that nonce would take it from a job still owed.
            counted = int(self.chain.rpc("eth_getTransactionCount", [self.address, "pending"]), 16)
            self._nonce = counted if self._nonce is None else max(self._nonce, counted)
            self._resync_nonce = False
        gas_price, _ = self._gas_prices.get()
        job.raw_tx = sign_legacy_transaction(
            self.account, nonce=self._nonce, gas_price=gas_price, gas=_transaction_gas(job.request),
            to=self._forwarder, value=job.request.value, data=job.calldata, chain_id=self.chain.chain_id,
        )
        job.tx_hash = "0x" + keccak(job.raw_tx).hex().removeprefix("0x")
        job.tx_nonce = self._nonce
        self._nonce += 1
        with self._lock:
            self._unmined[job.tx_hash] = job
        self._wake.set()

    def _sign_again(self, job: RelayJob, *, requeue: bool = True) -> None:
        """Another transaction of ours holds this job's nonce: forget its transaction (the node
        never took it) and sign it again with a nonce past everything the node has."""
        with self._lock:
            self._unmined.pop(job.tx_hash, None)
            job.raw_tx = job.tx_hash = job.tx_nonce = None
            job.state = PENDING
        self._resync_nonce = True
        if requeue:
            self._queue.put(job)

    def _fill_gaps(self) -> None:
        gas_price, _ = self._gas_prices.get()
        while self._gaps:
            nonce = self._gaps[0]
            raw = sign_legacy_transaction(
                self.account, nonce=nonce, gas_price=gas_price, gas=21_000, to=self.address, value=0, data=b"",
                chain_id=self.chain.chain_id,
            )
            try:
                self.chain.rpc("eth_sendRawTransaction", ["0x" + raw.hex()])
            except NodeError as exc:
                if not _node_has_it(exc):
                    self._resync_nonce = True  # cannot fill it: count from the node's view again
            self._gaps.pop(0)

    def _receipt_loop(self) -> None:
        while not self._stop.is_set():
            try:
                self._read_new_blocks()
                self._look_up_stale()
                self._node_down = None
            except ChainUnavailable as exc:
                self._node_unreachable(exc)
            except _NotThereYet:
                pass
            except Exception as exc:  # never let one odd answer stop the loop for every job
                self._log_once(exc)
            # Quick looks while transactions wait, one a second when idle; a new one wakes it.
            self._wake.wait(self.poll_interval if self._unmined else IDLE_POLL_INTERVAL)
            self._wake.clear()

    def _read_new_blocks(self) -> None:
        # The head first, then the jobs: a job signed after this read lands in a later block.
        latest = int(self.chain.rpc("eth_blockNumber"), 16)
        with self._lock:
            waiting = dict(self._unmined)
        if self._scanned is None or latest < self._scanned:  # the chain went back: restart from its head
            self._scanned = latest  # (anything mined in the blocks skipped is found as stale)
        if not waiting:
            self._scanned = latest
            return
        while self._scanned < latest:
            blocks = range(self._scanned + 1, min(latest, self._scanned + RECEIPT_BLOCKS_PER_BATCH) + 1)
            for receipt in self._receipts_of_blocks(blocks, waiting):
                job = waiting.get(receipt["transactionHash"])
                if job is not None:
                    self._record_receipt(job, receipt)
            self._scanned = blocks[-1]

    def _receipts_of_blocks(self, blocks: range, waiting: dict[str, RelayJob]) -> list[dict]:
        if self._block_receipts:
            answers = self.chain.rpc_batch([("eth_getBlockReceipts", [hex(n)]) for n in blocks])
            if not any(isinstance(a, NodeError) and _unsupported(a) for a in answers):
                return [r for a in _all_answered(answers) for r in a]
            self._block_receipts = False
        # A node without eth_getBlockReceipts: the blocks' transaction hashes, then our receipts.
        hashes = [h for block in _all_answered(self.chain.rpc_batch([("eth_getBlockByNumber", [hex(n), False]) for n in blocks]))
                  for h in block["transactions"] if h in waiting]
        return [r for r in _all_answered(self.chain.rpc_batch([("eth_getTransactionReceipt", [h]) for h in hashes]))]

    def _log_once(self, exc: Exception) -> None:
        """Log an unexpected error of a worker thread, once until a different one happens."""
        if str(exc) != self._last_error:
            self._last_error = str(exc)
            logger.exception("The relay's receipt thread hit an unexpected error; it carries on.")

    def _node_unreachable(self, exc: ChainUnavailable) -> None:
        self._node_down = str(exc)
        self._recheck_all = True

    def _look_up_stale(self) -> None:
        """Jobs sent a while ago and still without a receipt, each looked up on its own: less and
        less often while it waits (STALE_AFTER, then twice that, ... up to a minute), and all of
        them at once when the node comes back from an outage."""
        now = time.time()
        recheck_all, self._recheck_all = self._recheck_all, False
        with self._lock:
            stale = [job for job in self._unmined.values() if job.state == SUBMITTED and (
                recheck_all or now >= (job.next_look_at or job.submitted_at + STALE_AFTER))]
        if not stale:
            return
        receipts = self.chain.rpc_batch([("eth_getTransactionReceipt", [job.tx_hash]) for job in stale])
        missing = []
        for job, receipt in zip(stale, receipts):
            job.next_look_at = now + min(MAX_LOOK_INTERVAL, STALE_AFTER * 2 ** job.looks)
            job.looks += 1
            if isinstance(receipt, dict):
                self._record_receipt(job, receipt)
            elif receipt is None:
                missing.append(job)
        if not missing:
            return
        known = self.chain.rpc_batch([("eth_getTransactionByHash", [job.tx_hash]) for job in missing])
        forgotten = [job for job, transaction in zip(missing, known) if transaction is None]
        if forgotten:
            self._send_again(forgotten)

    def _send_again(self, jobs: list[RelayJob]) -> None:
        """The node forgot these transactions (restarted without its pool, or dropped them): the
        same signed bytes again. Each carries its nonce, so it can be mined once at most."""
        self._resent.update(job.id for job in jobs)
        answers = self.chain.rpc_batch([("eth_sendRawTransaction", ["0x" + job.raw_tx.hex()]) for job in jobs])
        for job, answer in zip(jobs, answers):
            if not isinstance(answer, NodeError) or "already known" in answer.reason.lower():
                continue
            if _nonce_taken(answer):
                self._sign_again(job)
                continue
            if not _node_has_it(answer):
                self._finish(job, FAILED, error={"reason": answer.reason})
                self._gaps.append(job.tx_nonce)  # nothing of ours holds its nonce now
                continue
            receipt = self.chain.rpc("eth_getTransactionReceipt", [job.tx_hash])
            if receipt is not None:
                self._record_receipt(job, receipt)
                continue
            # Its nonce is used, and not (as far as the node says yet) by these bytes: a receipt
            # can lag the nonce, so only after several looks is it called replaced.
            job.nonce_used_looks += 1
            if job.nonce_used_looks >= REPLACED_AFTER_LOOKS:
                self._finish(job, FAILED, error={"reason": "The relayer's transaction was replaced; sign the request again."})
                self._resync_nonce = True

    def _record_receipt(self, job: RelayJob, receipt: dict) -> None:
        status = int(receipt["status"], 16)
        try:
            job.block = int(receipt["blockNumber"], 16)
            job.gas_used = int(receipt["gasUsed"], 16)
            if status == 1:
                self._finish(job, MINED, logs=receipt["logs"])
            else:
                self._finish(job, FAILED, error=self._failure_reason(job, job.block))
        except Exception as exc:  # an odd receipt still settles its job
            self._finish(job, MINED if status == 1 else FAILED, error={"reason": f"receipt could not be decoded: {exc}"})

    def _failure_reason(self, job: RelayJob, block: int) -> dict[str, Any]:
        """Why a mined request reverted: its call simulated on the state before its block."""
        try:
            self.chain.rpc("eth_call", [job.request.forwarded_call(self._forwarder), hex(block - 1)])
        except NodeError as exc:
            return self._decoder.revert_of(exc)
        except Exception:
            pass
        return {"reason": "The forwarded call reverted (ERC2771Forwarder FailedCall)."}

    def _finish(self, job: RelayJob, state: str, *, logs=None, error=None) -> None:
        with self._lock:
            if job.state in (MINED, FAILED):
                return
            job.state = state
            job.mined_at = time.time()
            job.logs = logs or []
            job.error = error
            self._open_nonces[job.request.sender].discard(job.request.nonce)
            self._unmined.pop(job.tx_hash, None)
        job.done.set()

    # ------------------------------------------------------------------ helpers

    def _balance(self) -> int:
        return int(self.chain.rpc("eth_getBalance", [self.address, "latest"]), 16)

    def _read_chain_time(self) -> int:
        return int(self.chain.rpc("eth_getBlockByNumber", ["latest", False])["timestamp"], 16)

    def _chain_time(self) -> int:
        """The latest block's timestamp, read at most CHAIN_READ_TTL ago, plus the seconds since."""
        timestamp, read_at = self._clock.get()
        return timestamp + int(time.monotonic() - read_at)


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
        self._events: dict[tuple[str, str], EventDecoder] = {}
        self._loaded = False
        self._lock = threading.Lock()

    def _load(self) -> None:
        if self._loaded:
            return
        with self._lock:
            if self._loaded:
                return
            for name, address in self.chain.addresses.items():
                for item in self.chain.abi(name):
                    if item["type"] == "function":
                        self._functions[(name, function_abi_to_4byte_selector(item))] = item["name"]
                    elif item["type"] == "error":
                        self._errors[keccak(text=abi_signature(item))[:4]] = item
                    elif item["type"] == "event" and not item.get("anonymous"):
                        # Keyed by emitter too: ERC-20 and ERC-721 `Transfer` share a topic but not a layout.
                        decoder = EventDecoder(name, item)
                        self._events[(address.lower(), "0x" + decoder.topic.hex())] = decoder
            self._loaded = True

    def function_name(self, contract: str, selector: bytes) -> str | None:
        self._load()
        return self._functions.get((contract, bytes(selector)))

    def revert_of(self, error: NodeError) -> dict[str, Any]:
        """The decoded custom error of a call the node refused (a revert, or why it failed)."""
        self._load()
        data = _revert_data(error.data)
        if data is None:
            return {"error": "UnknownRevert", "data": "0x", "reason": error.reason}
        if len(data) >= 4 and data[:4] in self._errors:
            item = self._errors[data[:4]]
            values = abi_decode([abi_type(i) for i in item["inputs"]], data[4:])
            args = {i["name"] or f"arg{n}": _jsonable(v) for n, (i, v) in enumerate(zip(item["inputs"], values))}
            return {"error": item["name"], "args": args}
        if data[:4] == bytes.fromhex("08c379a0"):
            return {"error": "Error", "reason": abi_decode(["string"], data[4:])[0]}
        return {"error": "UnknownRevert", "data": "0x" + data.hex()}

    def events(self, logs: list[dict]) -> list[dict[str, Any]]:
        """The platform's events among a receipt's logs (JSON-RPC form), decoded."""
        self._load()
        decoded = []
        for log in logs:
            if not log["topics"]:
                continue
            decoder = self._events.get((log["address"].lower(), log["topics"][0]))
            if decoder is None:
                continue  # a log of a contract the platform does not own (e.g. a stablecoin)
            try:
                args = decoder.args([bytes.fromhex(t[2:]) for t in log["topics"][1:]], bytes.fromhex(log["data"][2:]))
            except Exception:
                continue
            decoded.append({"contract": decoder.contract, "event": decoder.name,
                            "args": {name: _jsonable(value) for name, value in args.items()}})
        return decoded


def _revert_data(data: Any) -> bytes | None:
    """Revert data from a JSON-RPC error's `data` (hex string, or an object holding one)."""
    if isinstance(data, dict):
        data = data.get("data")
    if isinstance(data, str) and data.startswith("0x"):
        try:
            return bytes.fromhex(data[2:])
        except ValueError:
            return None
    return None


def sign_legacy_transaction(account, *, nonce: int, gas_price: int, gas: int, to: str, value: int, data: bytes,
                            chain_id: int) -> bytes:
    """The raw bytes of an EIP-155 (legacy, chain-bound) transaction signed by `account`: what
    eth-account's sign_transaction makes for the same fields, without its per-call validation and
    formatting, which took a fifth of the relay's CPU under load."""
    fields = [nonce, gas_price, gas, bytes.fromhex(to[2:]), value, data]
    signature = account._key_obj.sign_msg_hash(keccak(rlp.encode(fields + [chain_id, 0, 0])))
    return rlp.encode(fields + [signature.v + 35 + 2 * chain_id, signature.r, signature.s])


def _execute_data(request: ForwardRequest, signature: bytes) -> bytes:
    return EXECUTE + abi_encode([REQUEST_DATA], [request.execute_arg(signature)])


def _transaction_gas(request: ForwardRequest) -> int:
    return request.gas * 64 // 63 + FORWARDER_OVERHEAD_GAS


def _uint_result(answer: Any) -> int:
    if isinstance(answer, NodeError):
        raise answer
    return int(answer, 16) if answer not in (None, "0x") else 0


class _NotThereYet(Exception):
    """A block or receipt the node announced is not readable yet: the next pass reads it again."""


def _all_answered(answers: list[Any]) -> list[Any]:
    for answer in answers:
        if isinstance(answer, NodeError):
            raise answer
        if answer is None:
            raise _NotThereYet()
    return answers


def _node_has_it(exc: NodeError) -> bool:
    message = exc.reason.lower()
    return "already known" in message or "nonce too low" in message or "already imported" in message


def _nonce_taken(exc: NodeError) -> bool:
    return "replacement transaction underpriced" in exc.reason.lower()


def _unsupported(exc: NodeError) -> bool:
    message = exc.reason.lower()
    return exc.code == -32601 or any(
        words in message for words in ("method not found", "not supported", "unsupported", "does not exist", "not available")
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, HexBytes)):
        return "0x" + bytes(value).hex()
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**53:
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


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
