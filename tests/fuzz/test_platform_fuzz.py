"""Stateful fuzzing of the whole platform: random sequences of every user-facing action on the
Marketplace, ProvenanceToken and CopyrightRegistry together, each step checked against a model.

The run repeats Hypothesis state-machine runs until the profile's number of steps has executed,
then asserts and prints how many steps, transactions and asserted reverts there were.
"""
from brownie import chain

from tests.fuzz import platform_machine
from tests.fuzz.platform_machine import PlatformMachine
from tests.fuzz.profiles import fuzz_profile


def test_platform_invariants_hold_under_random_actions(state_machine, world, accounts):
    name, least_steps, settings = fuzz_profile()
    stats = platform_machine.stats
    stats.clear()
    platform_machine.outcomes.clear()
    while stats["invariant checks"] - stats["examples"] < least_steps:
        state_machine(PlatformMachine, world, accounts, settings=settings)
        chain.revert()
        # Hypothesis decides how long each example runs: top up with a run sized to what is missing.
        missing = least_steps - (stats["invariant checks"] - stats["examples"])
        settings = {**settings, "max_examples": max(3, missing // 30)}
    stats["steps"] = stats["invariant checks"] - stats["examples"]  # invariants run before step 1 and after each
    print(f"\nfuzz profile {name}: " + ", ".join(f"{key} {value}" for key, value in sorted(stats.items())))
    for outcome, count in sorted(platform_machine.outcomes.items()):
        print(f"  {count:6}  {outcome}")
    assert stats["steps"] >= least_steps
    acted = stats["transactions"] + stats["reverts asserted"] + stats["time jumps"]
    assert acted >= stats["steps"]  # every step sent a transaction, asserted a revert or moved time
