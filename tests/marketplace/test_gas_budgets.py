"""Gas budgets from the issue, asserted on the benchmark's own scenario (gas is deterministic)."""
import pytest

from scripts.bench_gas import GAS_BUDGETS, measure_marketplace


@pytest.fixture(scope="module")
def gas(accounts):
    return measure_marketplace(accounts)


@pytest.mark.parametrize("operation", sorted(GAS_BUDGETS))
def test_operation_stays_within_its_gas_budget(gas, operation):
    assert gas[operation] <= GAS_BUDGETS[operation], f"{operation}: {gas[operation]:,} gas"

