"""Everything the invariants compare, read in one JSON-RPC batch per step.

The invariants read a few hundred values after every step; one HTTP round trip, with calldata
encoded once per distinct call and results decoded straight with eth_abi, keeps a step's check to
a few milliseconds instead of a few hundred separate requests.
"""
from eth_abi import decode
from eth_utils import event_abi_to_log_topic, get_abi_output_types, to_checksum_address

import requests
from brownie import web3

from chainmart.provenance import EVENT_NAME, event_from_log

_EVENT_DATA_TYPES = ["uint32", "uint64", "string", "string", "uint32", "bytes28"]


class Batch:
    """Collects reads, sends them together with `run()`, then answers `result(handle)`."""

    _calldata = {}  # (address, name, args) -> (calldata, output types), shared across batches

    def __init__(self):
        self._requests = []
        self._decoders = []
        self._results = None

    def call(self, contract, name, *args):
        """A view call; its result is the decoded value (a tuple for several outputs or a struct)."""
        key = (contract.address, name, args)
        if key not in self._calldata:
            fn = getattr(contract, name)
            self._calldata[key] = (fn.encode_input(*args), get_abi_output_types(fn.abi))
        data, types = self._calldata[key]
        one = len(types) == 1
        return self._add(
            "eth_call",
            [{"to": contract.address, "data": data}, "latest"],
            lambda raw: _unwrap(decode(types, bytes.fromhex(raw[2:])), one),
        )

    def eth_balance(self, address):
        return self._add("eth_getBalance", [str(address), "latest"], lambda raw: int(raw, 16))

    def latest_block(self):
        """(number, timestamp) of the latest block."""
        return self._add(
            "eth_getBlockByNumber", ["latest", False], lambda raw: (int(raw["number"], 16), int(raw["timestamp"], 16))
        )

    def trail_logs(self, provenance, from_block):
        """The ProvenanceEventRecorded logs from `from_block` on, as `chainmart.provenance.TrailEvent`s."""
        abi = next(item for item in provenance.abi if item.get("type") == "event" and item["name"] == EVENT_NAME)
        topic = "0x" + event_abi_to_log_topic(abi).hex()
        params = {"address": provenance.address, "topics": [topic], "fromBlock": hex(from_block), "toBlock": "latest"}
        return self._add("eth_getLogs", [params], lambda raw: [_trail_event(log) for log in raw])

    def run(self):
        payload = [{"jsonrpc": "2.0", "id": i, "method": m, "params": p} for i, (m, p) in enumerate(self._requests)]
        answers = sorted(requests.post(web3.provider.endpoint_uri, json=payload).json(), key=lambda a: a["id"])
        for answer, (method, params) in zip(answers, self._requests):
            if "error" in answer:
                raise AssertionError(f"{method} {params} failed: {answer['error']}")
        self._results = [decoder(answer["result"]) for answer, decoder in zip(answers, self._decoders)]
        return self

    def result(self, handle):
        return self._results[handle]

    def _add(self, method, params, decoder):
        self._requests.append((method, params))
        self._decoders.append(decoder)
        return len(self._requests) - 1


def _unwrap(values, one):
    values = _checksummed(values)
    return values[0] if one else values


def _checksummed(value):
    """eth_abi decodes addresses in lower case; the model keeps them checksummed, as Brownie does."""
    if isinstance(value, tuple):
        return tuple(_checksummed(item) for item in value)
    if isinstance(value, str) and len(value) == 42 and value.startswith("0x"):
        return to_checksum_address(value)
    return value


def _trail_event(log):
    """A raw log as `chainmart.provenance.event_from_log` takes a decoded one."""
    topics = log["topics"]
    index, time, location, evidence_cid, corrects, head = decode(_EVENT_DATA_TYPES, bytes.fromhex(log["data"][2:]))
    args = {
        "tokenId": int(topics[1], 16),
        "step": int(topics[2], 16),
        "actor": to_checksum_address("0x" + topics[3][-40:]),
        "index": index,
        "time": time,
        "location": location,
        "evidenceCid": evidence_cid,
        "corrects": corrects,
        "head": head,
    }
    position = {"blockNumber": int(log["blockNumber"], 16), "logIndex": int(log["logIndex"], 16)}
    return event_from_log({"args": args, **position})
