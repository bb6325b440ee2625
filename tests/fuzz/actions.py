"""What every rule of the platform machine uses: the strategies, sending a transaction the model
says must succeed, asserting the custom error of one it says must revert, picking actors and
targets, and moving chain time.

A call the model says must revert runs as `eth_call` from the same sender with the same value:
the contract raises the same custom error as a mined transaction would, in a few milliseconds
instead of the few hundred Brownie spends tracing a reverted transaction.
"""
from brownie import chain, web3
from brownie.exceptions import VirtualMachineError, decode_typed_error
from hypothesis import strategies as hst

from tests.forwarding import forward_request
from tests.reverts import custom_error

# Deadlines and expiries closer than this to the latest block are not predicted either way: the
# next block's timestamp follows the wall clock, so it may land on either side.
TIME_MARGIN = 300
HOUR, DAY = 3600, 24 * 3600


class Actions:
    st_pick = hst.integers(0, 2**16 - 1)
    st_who = hst.integers(0, 255)
    st_flag = hst.booleans()
    st_rare = hst.sampled_from([False] * 7 + [True])
    st_asset = hst.sampled_from([0, 0, 1, 1, 2, 2, 3])  # ETH, tUSD, tEUR, tJPY (never allow-listed)
    st_price = hst.sampled_from([0, 1, 7, 10**6, 25 * 10**6, 10**15, 10**17, 10**18])
    st_stock = hst.integers(0, 6)
    st_window = hst.sampled_from([0, 0, HOUR, 2 * HOUR, DAY, HOUR // 2, 181 * DAY])
    st_quantity = hst.sampled_from([1, 1, 1, 2, 2, 3, 4, 0])
    st_mode = hst.integers(0, 4)
    st_bps = hst.sampled_from([0, 1, 2_500, 5_000, 9_999, 10_000, 10_001])
    st_rating = hst.integers(0, 6)
    st_seconds = hst.sampled_from([60, HOUR, 6 * HOUR, DAY, 3 * DAY, 8 * DAY, 15 * DAY, 40 * DAY])
    st_step = hst.integers(0, 15)  # trail steps 0..13, and two that do not exist
    st_royalty = hst.sampled_from([0, 500, 1_000, 1_001])
    st_duration = hst.sampled_from([0, DAY, 30 * DAY])
    st_max = hst.sampled_from([0, 0, 1, 2])
    st_picks = hst.lists(hst.integers(0, 2**16 - 1), min_size=0, max_size=3)
    st_purchase = hst.tuples(st_who, st_pick, st_quantity, st_mode)
    st_license_purchase = hst.tuples(st_who, st_pick, st_rare)

    # ------------------------------------------------------------ transactions

    def _act(self, error, sender, fn, *args, value=0, relayed=False):
        """Send `fn(*args)` from `sender` if `error` is None and return the receipt; otherwise
        assert that it reverts with exactly `error` and return None. `relayed`: as a gasless
        ERC-2771 request that `sender` signs and the relayer sends."""
        if relayed:
            return self._relay(error, sender, fn, *args)
        account = self.accounts_by_address[sender]
        tx_params = {"from": account, "value": value} if value else {"from": account}
        if error is not None:
            try:
                fn.call(*args, tx_params)
            except VirtualMachineError as exc:
                got = exc.revert_msg
                assert got == error, f"{fn._name} reverted with {got!r}, the model expected {error!r}"
            else:
                raise AssertionError(f"{fn._name}{args} from {sender} succeeded; the model expected {error!r}")
            self.stats["reverts asserted"] += 1
            self.outcomes[f"{fn._name} -> {error.split(':')[0]}"] += 1
            return None
        tx = fn.transact(*args, tx_params, silent=True)
        self.model.ledger.pay_gas(sender, tx.gas_used * tx.gas_price)
        self.stats["transactions"] += 1
        self.outcomes[f"{fn._name} -> ok"] += 1
        return tx

    def _relay(self, error, signer, fn, *args):
        target = self.contract_at[fn._address]
        calldata = fn.encode_input(*args)
        request = forward_request(self.forwarder, self.keys[signer], signer, target, calldata)
        relayer = self.accounts_by_address[self.relayer]
        if error is not None:
            # The forwarder only says that the call failed; the call as the target receives it (from
            # the forwarder, with the signer appended) names the error.
            as_received = {"from": self.forwarder.address, "to": target.address, "data": calldata + signer[2:].lower()}
            answer = web3.provider.make_request("eth_call", [as_received, "latest"])
            assert "error" in answer, f"relayed {fn._name}{args} by {signer} succeeds; the model expected {error!r}"
            assert decode_typed_error(answer["error"]["data"]) == error
            try:
                self.forwarder.execute.call(request, {"from": relayer})
            except VirtualMachineError as exc:
                assert exc.revert_msg == custom_error("FailedCall")
            else:
                raise AssertionError(f"the forwarder executed a relayed {fn._name} that must fail")
            self.stats["reverts asserted"] += 1
            self.outcomes[f"{fn._name} relayed -> {error.split(':')[0]}"] += 1
            return None
        tx = self.forwarder.execute.transact(request, {"from": relayer}, silent=True)
        self.model.ledger.pay_gas(self.relayer, tx.gas_used * tx.gas_price)
        assert tx.events["ExecutedForwardRequest"]["success"], f"relayed {fn._name} failed"
        self.stats["transactions"] += 1
        self.outcomes[f"{fn._name} relayed -> ok"] += 1
        return tx

    # ------------------------------------------------------------ choosing

    @staticmethod
    def _choose(items, pick):
        items = list(items)
        return items[pick % len(items)] if items else None

    def _actor(self, who, right, pool=None):
        """Mostly an account the action is meant for (`right`, one or a list), sometimes anyone."""
        right = [right] if isinstance(right, str) else list(right)
        if right and who % 4:
            return self._choose(right, who // 4)
        return self._choose(pool or self.everyone, who // 4)

    def _withdraw(self, model, contract, who, asset, pick, to_other):
        """Withdraw a credit from `contract` (the Marketplace or the CopyrightRegistry, both pull
        payments), mostly by an account owed one, to itself or to another account."""
        token = self.assets[asset]
        owed = [account for (account, held), amount in model.credits.items() if held == token and amount]
        account = self._actor(who, owed)
        to = self._choose(self.everyone, pick) if to_other else account
        error = model.withdraw_error(account, token)
        if to_other:
            tx = self._act(error, account, contract.withdrawTo, token, to)
        else:
            tx = self._act(error, account, contract.withdraw, token)
        if tx:
            assert tx.events["Withdrawn"]["amount"] == model.withdraw(account, token, to)
            self.stats["withdrawals"] += 1

    # ------------------------------------------------------------ time

    def _now(self):
        return web3.eth.get_block("latest")["timestamp"]

    def _sleep(self, seconds):
        chain.sleep(seconds)
        chain.mine()

    def _sleep_past(self, deadline):
        """The latest block, and every later one, strictly after `deadline` (by a margin)."""
        now = self._now()
        if now <= deadline + TIME_MARGIN:
            self._sleep(deadline + TIME_MARGIN + 1 - now)

    def _clear_of(self, *deadlines):
        """Each deadline is safely in the future or in the past: one too close to call is moved past.
        Returns the time to predict with."""
        now = self._now()
        while close := [d for d in deadlines if abs(d - now) <= TIME_MARGIN]:
            self._sleep(max(close) + TIME_MARGIN + 1 - now)
            now = self._now()
        return now
