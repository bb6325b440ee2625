"""Relaying a user's call through the ChainMartForwarder (ERC-2771), signed with the user's key."""
from brownie import chain
from eth_account import Account
from eth_account.messages import encode_typed_data

from chainmart.eip712 import forward_request_typed_data


def forward(forwarder, signer, target, calldata, relayer, gas=1_000_000):
    """Have `relayer` execute `calldata` on `target` as `signer` (a Brownie LocalAccount)."""
    request = forward_request(forwarder, signer.private_key, signer.address, target, calldata, gas)
    return forwarder.execute(request, {"from": relayer})


def forward_request(forwarder, key, signer, target, calldata, gas=1_000_000):
    """The `ForwardRequestData` tuple for `calldata` on `target`, signed with `signer`'s `key`."""
    deadline = chain.time() + 3600
    typed = forward_request_typed_data(chain.id, forwarder.address, {
        "from": str(signer),
        "to": str(target.address),
        "value": 0,
        "gas": gas,
        "nonce": int(forwarder.nonces(signer)),
        "deadline": deadline,
        "data": bytes.fromhex(calldata[2:]),
    })
    signature = Account.sign_message(encode_typed_data(full_message=typed), key).signature
    return (str(signer), target.address, 0, gas, deadline, calldata, signature)
