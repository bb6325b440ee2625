"""Every benchmark, each on a fresh local chain: gas, relay throughput, the catalog at scale and IPFS.
Writes reports/bench.json, reports/bench.md and the plots next to them.

    .venv/bin/python -m scripts.bench [--part gas,relay,catalog,ipfs] [--smoke] [--out reports]
    make bench [PART=catalog] [SMOKE=1]

Each part runs in a process of its own (its own anvil on a free port, its own servers), so one
part's crash or leftovers cannot touch another's numbers. Running some parts replaces their
sections of the report and keeps the others from the last run. --smoke scales every part down
to check the machinery in a minute or two, and writes to .bench/smoke unless --out says otherwise.
docs/benchmarks.md explains what each part measures.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from scripts import bench_report
from scripts.local_stack import ROOT

PARTS = ("gas", "relay", "catalog", "ipfs")
REPORTS = ROOT / "reports"
SMOKE_OUT = ROOT / ".bench" / "smoke"
# Full runs and smoke runs (--smoke).
RELAY_SIZE = {"full": {"users": 50, "per_user": 20}, "smoke": {"users": 5, "per_user": 4}}
CATALOG_SIZE = {"full": {"listings": 10_000, "requests_per_client": 200},
                "smoke": {"listings": 300, "requests_per_client": 20}}
IPFS_SIZES = {"full": (1, 10, 50), "smoke": (1,)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", default=",".join(PARTS), help=f"comma-separated, of: {', '.join(PARTS)}")
    parser.add_argument("--smoke", action="store_true", help="a small run of every part, to check the machinery")
    parser.add_argument("--out", type=Path, help="where the report goes (default reports/, or .bench/smoke/)")
    parser.add_argument("--run-part", choices=PARTS, help=argparse.SUPPRESS)  # the child process of one part
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    out = args.out or (SMOKE_OUT if args.smoke else REPORTS)
    if args.run_part:
        result = run_part(args.run_part, smoke=args.smoke, out=out)
        args.result.write_text(json.dumps(result, indent=2, default=str) + "\n")
        return 0

    parts = [p.strip() for p in args.part.split(",") if p.strip()]
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        parser.error(f"unknown part(s) {', '.join(unknown)}: choose from {', '.join(PARTS)}")
    out.mkdir(parents=True, exist_ok=True)
    report = _previous(out / "bench.json")
    report["machine"] = machine()
    report["smoke"] = args.smoke
    for part in parts:
        report["parts"][part] = run_in_child(part, smoke=args.smoke, out=out)
        bench_report.write_json(report, out)  # after each part: a later crash keeps what was measured
    bench_report.write(report, out)
    print(bench_report.summary(report))
    print(f"\nWrote {out / 'bench.json'} and {out / 'bench.md'}")
    return 1 if any(report["parts"][p].get("status") == "error" for p in parts) else 0


def run_in_child(part: str, *, smoke: bool, out: Path) -> dict[str, Any]:
    """Run one part in a fresh Python process; its result, or what went wrong."""
    print(f"\n==== {part}{' (smoke)' if smoke else ''} ====", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        result_path = Path(folder) / "result.json"
        command = [sys.executable, "-m", "scripts.bench", "--run-part", part, "--result", str(result_path),
                   "--out", str(out), *(["--smoke"] if smoke else [])]
        started, load_before = time.monotonic(), os.getloadavg()
        finished = subprocess.run(command, cwd=ROOT)
        seconds, load_after = time.monotonic() - started, os.getloadavg()
        if finished.returncode != 0 or not result_path.exists():
            result = {"status": "error", "reason": f"the {part} benchmark exited with {finished.returncode}; "
                                                   "its output above says why"}
        else:
            result = json.loads(result_path.read_text())
    result["run"] = {
        "at": _now(), "seconds": round(seconds, 1), "smoke": smoke,
        "load_average": {"before": [round(x, 2) for x in load_before], "after": [round(x, 2) for x in load_after]},
    }
    return result


def run_part(part: str, *, smoke: bool, out: Path) -> dict[str, Any]:
    size = "smoke" if smoke else "full"
    runners: dict[str, Callable[[], dict[str, Any]]] = {
        "gas": lambda: gas(out),
        "relay": lambda: relay(**RELAY_SIZE[size]),
        "catalog": lambda: catalog(**CATALOG_SIZE[size]),
        "ipfs": lambda: ipfs(IPFS_SIZES[size]),
    }
    return runners[part]()


# ---------------------------------------------------------------- the parts


def gas(out: Path) -> dict[str, Any]:
    """scripts/bench_gas.py's table, measured on a fresh anvil, with each budget and its margin."""
    from scripts.local_stack import LocalChain, attach_brownie

    with tempfile.TemporaryDirectory() as folder:
        with LocalChain(folder, keep_state=False) as node:
            attach_brownie(node.url)
            from brownie import accounts

            from scripts import bench_gas, bench_gas_provenance

            measured = bench_gas.measure_marketplace(accounts)
            measured.update(bench_gas_provenance.measure(accounts))
            bench_gas.print_table(measured)
            time.sleep(0.5)  # let Brownie's background bookkeeping finish before the chain is stopped
    (out / "gas.json").write_text(json.dumps(measured, indent=2) + "\n")
    operations = []
    for operation, used in measured.items():
        budget = bench_gas.GAS_BUDGETS.get(operation)
        operations.append({"operation": operation, "gas": used, "budget": budget,
                           "margin": None if budget is None else budget - used,
                           "aim": bench_gas.GAS_AIMS.get(operation)})
    budgeted = [o for o in operations if o["budget"] is not None]
    over = [o["operation"] for o in budgeted if o["margin"] < 0]
    return {"status": "pass" if not over else "miss", "operations": operations, "budgeted": len(budgeted),
            "over_budget": over}


def relay(users: int, per_user: int) -> dict[str, Any]:
    """scripts/bench_relay.py's run(): relayed requests against direct transactions."""
    from scripts import bench_relay

    result = bench_relay.run(users=users, per_user=per_user)
    failed = result["relayed"].get("failed", 0)
    return {"status": "pass" if failed == 0 else "miss", "users": users, "per_user": per_user, **result}


def catalog(listings: int, requests_per_client: int) -> dict[str, Any]:
    from scripts import bench_catalog

    result = bench_catalog.run(listings, requests_per_client=requests_per_client)
    bench_catalog.print_result(result)
    return {"status": "pass" if result["passed"] else "miss", **result}


def ipfs(sizes_mib: tuple[int, ...]) -> dict[str, Any]:
    from scripts import bench_ipfs

    return {"status": "measured", **bench_ipfs.run(sizes_mib, start_node=True)}


# ---------------------------------------------------------------- the report


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    model = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        memory = int(Path("/proc/meminfo").read_text().split()[1]) // 1024
    except (OSError, IndexError, ValueError):
        memory = None
    return {"cpu": model, "cores": os.cpu_count(), "memory_mib": memory, "python": platform.python_version(),
            "system": f"{platform.system()} {platform.release()}"}


def _previous(path: Path) -> dict[str, Any]:
    try:
        report = json.loads(path.read_text())
    except (OSError, ValueError):
        report = {}
    report.setdefault("parts", {})
    return report


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


if __name__ == "__main__":
    raise SystemExit(main())
