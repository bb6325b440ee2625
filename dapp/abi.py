"""Decoding the platform's event logs with eth-abi directly, as web3's get_event_data would but
several times faster: the indexer decodes every event the platform ever emitted on a rebuild, and
the relay decodes the events of every receipt it reports."""
from __future__ import annotations

from typing import Any

from eth_abi.abi import default_codec
from eth_abi.codec import ABICodec
from eth_utils import event_abi_to_log_topic, to_checksum_address


class EventDecoder:
    """One event's ABI, split once into what its topics and its data hold."""

    def __init__(self, contract: str, abi: dict, codec: ABICodec = default_codec):
        self.contract = contract
        self.name = abi["name"]
        self.topic = bytes(event_abi_to_log_topic(abi))
        self._codec = codec
        self.indexed = [(i["name"], abi_type(i)) for i in abi["inputs"] if i["indexed"]]  # in topic order
        self._names = [i["name"] for i in abi["inputs"] if not i["indexed"]]
        self._types = [abi_type(i) for i in abi["inputs"] if not i["indexed"]]

    def args(self, topics: list[bytes], data: bytes) -> dict[str, Any]:
        """The event's arguments from a log's topics after topic0 (as many as `indexed`) and its data;
        addresses checksummed."""
        args = {}
        for (name, kind), topic in zip(self.indexed, topics, strict=True):
            # an indexed dynamic value (string, bytes, array, tuple) is only its hash in the log
            args[name] = topic if is_dynamic(kind) else checksummed(kind, self._codec.decode([kind], topic)[0])
        for name, kind, value in zip(self._names, self._types, self._codec.decode(self._types, data)):
            args[name] = checksummed(kind, value)
        return args


def abi_type(param: dict) -> str:
    """The canonical type of an ABI input ("(uint256,address)[]" for a tuple array)."""
    if param["type"].startswith("tuple"):
        return "(" + ",".join(abi_type(c) for c in param["components"]) + ")" + param["type"][5:]
    return param["type"]


def signature(item: dict) -> str:
    """`name(type,...)` of a function, error or event ABI item."""
    return f"{item['name']}({','.join(abi_type(i) for i in item['inputs'])})"


def is_dynamic(kind: str) -> bool:
    return kind in ("string", "bytes") or kind.endswith("]") or kind.startswith("(")


def checksummed(kind: str, value: Any) -> Any:
    """eth_abi decodes addresses in lower case and arrays and tuples as tuples: answer addresses
    checksummed, as web3 does, and arrays and tuples as lists."""
    if kind == "address":
        return to_checksum_address(value)
    if kind.endswith("]") and isinstance(value, (list, tuple)):
        return [checksummed(kind[: kind.rindex("[")], v) for v in value]
    if kind.startswith("(") and isinstance(value, (list, tuple)):
        return [checksummed(k, v) for k, v in zip(_tuple_components(kind), value)]
    return value


def _tuple_components(kind: str) -> list[str]:
    """The component types of a tuple type "(a,(b,c),d[])", split at its top level."""
    parts, depth, start = [], 0, 1
    for i, char in enumerate(kind):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                parts.append(kind[start:i])
                break
        elif char == "," and depth == 1:
            parts.append(kind[start:i])
            start = i + 1
    return [p for p in parts if p]
