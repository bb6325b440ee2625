"""Rules outside any one contract: ERC-20 approvals, stablecoins sent to a contract by mistake,
and time passing (deadlines, windows and license terms run on chain time)."""
from tests.fuzz.ledger import MAX_UINT256

ALLOWANCES = (0, 10**6, 25 * 10**6, MAX_UINT256)


class WalletRules:
    def rule_approve(self, who="st_who", asset="st_asset", to_registry="st_flag", pick="st_pick"):
        owner = self._choose(self.everyone, who)
        token = self.assets[max(asset, 1)]
        spender = self.registry if to_registry else self.market
        amount = ALLOWANCES[pick % len(ALLOWANCES)]
        if self._act(None, owner, self.token_at[token].approve, spender, amount):
            self.model.ledger.approve(owner, token, spender.address, amount)

    def rule_send_tokens_by_mistake(self, who="st_who", asset="st_asset", to_registry="st_flag", pick="st_pick"):
        """A user transfers a stablecoin straight to a contract: surplus only an admin can sweep."""
        sender = self._choose(self.everyone, who)
        token = self.assets[max(asset, 1)]
        contract = self.registry if to_registry else self.market
        amount = 1 + pick % 1000
        error = self.model.ledger.transfer_error(sender, token, amount)
        if self._act(error, sender, self.token_at[token].transfer, contract, amount):
            self.model.ledger.pay(sender, token, amount)
            (self.model.copyright if to_registry else self.model.market).surplus[token] += amount

    def rule_let_time_pass(self, seconds="st_seconds"):
        self._sleep(seconds)
        self.stats["time jumps"] += 1
