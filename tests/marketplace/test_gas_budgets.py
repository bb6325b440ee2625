"""Marketplace gas budgets, asserted on the benchmark's own scenario (gas is deterministic).

The provenance and license budgets are asserted in tests/provenance and tests/copyright."""
import pytest

from scripts.bench_gas import MARKETPLACE_GAS_BUDGETS, measure_marketplace


@pytest.fixture(scope="module")
def gas(accounts):
    return measure_marketplace(accounts)


@pytest.mark.parametrize("operation", sorted(MARKETPLACE_GAS_BUDGETS))
def test_operation_stays_within_its_gas_budget(gas, operation):
    assert gas[operation] <= MARKETPLACE_GAS_BUDGETS[operation], f"{operation}: {gas[operation]:,} gas"

