"""The fuzzer's model of value held outside the contracts: wallets, allowances and gas.

Amounts are per (account, asset), with ETH as the zero address like the contracts. Every account
that can send, receive or be paid in a run is tracked, so the sum over wallets and contracts (plus
the gas burned, for ETH) must stay what it was when the run began. ERC-721 tokens (provenance
tokens, copyright certificates) are held in the models of their contracts; `nft_transfer_error`
is the rule both follow.
"""
from collections import Counter

from tests.reverts import custom_error

ETH = "0x0000000000000000000000000000000000000000"
MAX_UINT256 = 2**256 - 1


class Ledger:
    def __init__(self, wallets, allowances):
        self.wallets = Counter(wallets)  # (account, asset) -> amount
        self.allowances = Counter(allowances)  # (owner, token, spender) -> amount
        self.gas = 0  # wei the tracked accounts paid for gas

    def pay_gas(self, account, wei):
        self.wallets[(account, ETH)] -= wei
        self.gas += wei

    def pay(self, account, asset, amount):
        assert self.wallets[(account, asset)] >= amount, "the model let an account spend what it does not have"
        self.wallets[(account, asset)] -= amount

    def receive(self, account, asset, amount):
        self.wallets[(account, asset)] += amount

    def total(self, asset):
        return sum(amount for (_, held), amount in self.wallets.items() if held == asset)

    # ------------------------------------------------------------ ERC-20 allowances

    def pull_error(self, owner, token, spender, amount):
        """The error an ERC-20 `transferFrom(owner, spender, amount)` by `spender` raises, if any."""
        allowance = self.allowances[(owner, token, spender)]
        if allowance < amount:
            return custom_error("ERC20InsufficientAllowance", spender, allowance, amount)
        balance = self.wallets[(owner, token)]
        if balance < amount:
            return custom_error("ERC20InsufficientBalance", owner, balance, amount)
        return None

    def pull(self, owner, token, spender, amount):
        """`transferFrom` into a contract: spends allowance (an unlimited one stays) and the wallet."""
        if self.allowances[(owner, token, spender)] != MAX_UINT256:
            self.allowances[(owner, token, spender)] -= amount
        self.pay(owner, token, amount)

    def transfer_error(self, owner, token, amount):
        balance = self.wallets[(owner, token)]
        if balance < amount:
            return custom_error("ERC20InsufficientBalance", owner, balance, amount)
        return None

    def approve(self, owner, token, spender, amount):
        self.allowances[(owner, token, spender)] = amount


def nft_transfer_error(holder, token_id, caller, claimed_holder):
    """The error of ERC-721 `transferFrom(claimed_holder, to, token_id)` sent by `caller`, who holds
    no approvals; `holder` is None for a token that does not exist."""
    if holder is None:
        return custom_error("ERC721NonexistentToken", token_id)
    if caller != holder:
        return custom_error("ERC721InsufficientApproval", caller, token_id)
    if claimed_holder != holder:
        return custom_error("ERC721IncorrectOwner", claimed_holder, token_id, holder)
    return None
