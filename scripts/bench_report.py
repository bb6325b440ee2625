"""The benchmark report: reports/bench.json as measured, reports/bench.md as tables with each target
and whether it was met, and the plots (relay latency over the run, the indexer's catch-up).

Used by scripts/bench.py; `python -m scripts.bench_report [reports]` redraws them from bench.json.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

RELAY_PLOT = "relay-latency.png"
CATCH_UP_PLOT = "indexer-catch-up.png"


def write_json(report: dict[str, Any], out: Path) -> None:
    (out / "bench.json").write_text(json.dumps(report, indent=2, default=str) + "\n")


def write(report: dict[str, Any], out: Path) -> None:
    """bench.md and the plots, from the report as bench.json holds it."""
    plots = draw_plots(report, out)
    (out / "bench.md").write_text(markdown(report, plots))


# ---------------------------------------------------------------- plots


def draw_plots(report: dict[str, Any], out: Path) -> set[str]:
    """The PNGs the report has data for; returns their file names."""
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    from matplotlib import pyplot

    drawn = set()
    relay = report["parts"].get("relay", {})
    if relay.get("latency_series"):
        series = relay["latency_series"]
        figure, axes = pyplot.subplots(figsize=(8, 4))
        axes.plot([s for s, _ in series], [ms for _, ms in series], ".", markersize=3, alpha=0.6, label="request")
        for name, style in (("p50_ms", "--"), ("p95_ms", ":")):
            if relay["relayed"].get(name) is not None:
                axes.axhline(relay["relayed"][name], linestyle=style, color="black",
                             label=f"{name[:3]} {relay['relayed'][name]:.0f} ms")
        axes.set(xlabel="seconds since start", ylabel="latency (ms)",
                 title=f"Relay latency, {relay.get('users', '?')} users x {relay.get('per_user', '?')} requests")
        axes.legend(loc="upper right")
        _save(figure, out / RELAY_PLOT)
        drawn.add(RELAY_PLOT)
    catch_up = report["parts"].get("catalog", {}).get("catch_up")
    if catch_up and catch_up.get("series"):
        series = catch_up["series"]
        figure, blocks_axes = pyplot.subplots(figsize=(8, 4))
        seconds = [s for s, _, _ in series]
        # Steps: the index grows a whole batch (one SQLite transaction) at a time.
        blocks_axes.plot(seconds, [b for _, b, _ in series], color="tab:blue", drawstyle="steps-post",
                         label="blocks indexed")
        blocks_axes.set(xlabel="seconds since the indexer started", ylabel="blocks indexed",
                        title=f"Indexer catch-up: {catch_up['blocks']:,} blocks, {catch_up['events']:,} events")
        metadata_axes = blocks_axes.twinx()
        metadata_axes.plot(seconds, [m for _, _, m in series], color="tab:orange", drawstyle="steps-post",
                           label="listing metadata loaded")
        metadata_axes.set_ylabel("listing metadata loaded")
        figure.legend(loc="upper left", bbox_to_anchor=(0.1, 0.86))
        _save(figure, out / CATCH_UP_PLOT)
        drawn.add(CATCH_UP_PLOT)
    return drawn


def _save(figure, path: Path) -> None:
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    from matplotlib import pyplot

    pyplot.close(figure)


# ---------------------------------------------------------------- markdown


def markdown(report: dict[str, Any], plots: set[str]) -> str:
    parts = report["parts"]
    m = report.get("machine", {})
    lines = [
        "# ChainMart benchmarks",
        "",
        "Written by `make bench` (scripts/bench.py); docs/benchmarks.md says what each part measures.",
        f"Machine: {m.get('cpu') or 'unknown CPU'}, {m.get('cores')} cores, {m.get('memory_mib')} MiB, "
        f"Python {m.get('python')}, {m.get('system')}. The load average (1, 5, 15 min) before and after each "
        "part says how busy the machine was with other work.",
    ]
    if report.get("smoke"):
        lines += ["", "**Smoke run: every part scaled down; these are not the benchmark's numbers.**"]
    lines += ["", "| part | target | result | verdict | run |", "|---|---|---|---|---|"]
    for name in ("gas", "relay", "catalog", "ipfs"):
        if name in parts:
            lines.append("| " + " | ".join((name, *_summary_cells(name, parts[name]), _run_cell(parts[name]))) + " |")
    for name, (title, section) in SECTIONS.items():
        if name in parts:
            part = parts[name]
            failed = part.get("status") == "error"
            lines += ["", *([f"## {title}", "", f"**error**: {part.get('reason', '')}"] if failed
                            else section(part, plots))]
    return "\n".join(lines) + "\n"


def summary(report: dict[str, Any]) -> str:
    rows = [f"{name:<8} {cells[2]:<14} {cells[1]}" for name, part in report["parts"].items()
            for cells in [_summary_cells(name, part)]]
    return "\nSummary\n" + "\n".join(rows)


def _summary_cells(name: str, part: dict[str, Any]) -> tuple[str, str, str]:
    status = part.get("status", "error")
    if status == "error":
        return TARGETS[name], part.get("reason", ""), status
    if name == "gas":
        over = part["over_budget"]
        return (TARGETS["gas"],
                f"{part['budgeted'] - len(over)} of {part['budgeted']} within" + (f"; over: {', '.join(over)}" if over else ""),
                status)
    if name == "relay":
        r = part["relayed"]
        return (TARGETS["relay"],
                f"{r['requests']:,} requests, {r['rps']:.1f} req/s, p95 {r['p95_ms']:.0f} ms, failed {r['failed']}; "
                f"direct {part['direct']['tps']:.1f} tx/s, ratio {part['ratio']:.2f}", status)
    if name == "catalog":
        api = part["api"]
        return (f"p95 < {part['target_p95_ms']:.0f} ms, {api['clients']} clients",
                f"catalog p95 {api['catalog']['p95_ms']:.1f} ms, product p95 {api['product']['p95_ms']:.1f} ms "
                f"({api['rps']:.0f} req/s)", status)
    node = part["mib_per_second"].get("node add", {})
    return (TARGETS["ipfs"],
            "node add " + ", ".join(f"{size} MiB {rate:.0f} MiB/s" for size, rate in node.items()) if node
            else "local only", status)


def _run_cell(part: dict[str, Any]) -> str:
    run = part.get("run")
    if not run:
        return ""
    load = run["load_average"]
    return f"{run['at']}, {run['seconds']:.0f} s, load {_load(load['before'])} -> {_load(load['after'])}"


def _load(values: list[float]) -> str:
    return "/".join(f"{v:.1f}" for v in values)


def _gas(part: dict[str, Any], plots: set[str]) -> list[str]:
    lines = ["## Gas", "", "Every operation of every contract on a fresh anvil (scripts/bench_gas.py, "
             "reports/gas.json); budgets are enforced by the tests, aims are not.", "",
             "| operation | gas | budget | margin | aim | verdict |", "|---|---:|---:|---:|---:|---|"]
    for o in part["operations"]:
        verdict = "" if o["budget"] is None else ("pass" if o["margin"] >= 0 else "**over**")
        lines.append(f"| `{o['operation']}` | {o['gas']:,} | {_num(o['budget'])} | {_num(o['margin'])} | "
                     f"{_num(o['aim'])} | {verdict} |")
    return lines


def _relay(part: dict[str, Any], plots: set[str]) -> list[str]:
    r, d = part["relayed"], part["direct"]
    lines = ["## Relay throughput", "", f"{part['users']} users x {part['per_user']} signed requests each "
             "(scripts/bench_relay.py).", "",
             "| | requests | per second | p50 | p95 | p99 | failed |", "|---|---:|---:|---:|---:|---:|---:|",
             f"| relayed | {r['requests']:,} | {r['rps']:.1f} | {r['p50_ms']:.0f} ms | {r['p95_ms']:.0f} ms | "
             f"{r['p99_ms']:.0f} ms | {r['failed']} |",
             f"| direct transactions | {d['transactions']:,} | {d['tps']:.1f} | | | | |",
             "", f"Relayed / direct throughput: {part['ratio']:.2f}."]
    if RELAY_PLOT in plots:
        lines += ["", f"![Relay latency over the run]({RELAY_PLOT})"]
    return lines


def _catalog(part: dict[str, Any], plots: set[str]) -> list[str]:
    s, c, api = part["seeding"], part["catch_up"], part["api"]
    lines = [
        "## Catalog", "",
        f"{part['listings']:,} listings and {part['orders']:,} completed, reviewed orders sent through the "
        f"contracts: {s['transactions']:,} transactions ({s['transactions_per_block']} a block) in "
        f"{s['send_seconds']:.1f} s, {s['tps']:.0f} tx/s; their metadata documents stored in "
        f"{s['metadata_seconds']:.1f} s.", "",
        "| indexer catch-up | blocks | events | seconds | blocks/s | events/s | all metadata loaded after |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| from the deployment block | {c['blocks']:,} | {c['events']:,} | {c['seconds']:.2f} | "
        f"{c['blocks_per_second']:,.0f} | {c['events_per_second']:,.0f} | {c['metadata_seconds']:.2f} s |",
        "",
        f"API under {api['clients']} concurrent clients, no pause between requests, gunicorn as `make run` "
        f"serves it: {api['requests']:,} requests in {api['seconds']:.1f} s ({api['rps']:.0f} req/s); "
        f"the server used {api['server_cpu_ms_per_request']:.2f} ms of CPU a request; load average "
        f"{api['load_average_1m'][0]:.1f} -> {api['load_average_1m'][1]:.1f} (1 min) during the load.", "",
        "| endpoint | requests | p50 | p95 | p99 | errors | target p95 | verdict |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for kind, path in (("catalog", "`/api/listings` (search, filters, sorts, pages)"),
                       ("product", "`/api/listings/<id>`")):
        k = api[kind]
        verdict = "pass" if k["p95_ms"] < part["target_p95_ms"] and not k["errors"] else "miss"
        lines.append(f"| {path} | {k['requests']:,} | {k['p50_ms']:.1f} ms | {k['p95_ms']:.1f} ms | "
                     f"{k['p99_ms']:.1f} ms | {k['errors']} | < {part['target_p95_ms']:.0f} ms | {verdict} |")
    if CATCH_UP_PLOT in plots:
        lines += ["", f"![Indexer catch-up]({CATCH_UP_PLOT})"]
    return lines


def _ipfs(part: dict[str, Any], plots: set[str]) -> list[str]:
    sizes = [str(s) for s in part["sizes_mib"]]
    node = (part.get("node") or {}).get("node", "")
    lines = ["## IPFS", "", f"MiB/s, the best of {part['repeats']} runs (of {part['node_repeats']} fresh files "
             f"for the node: {node}).", "",
             "| operation | " + " | ".join(f"{s} MiB" for s in sizes) + " |",
             "|---|" + "---:|" * len(sizes)]
    for operation, rates in part["mib_per_second"].items():
        lines.append(f"| {operation} | " + " | ".join(f"{rates[s]:,.0f}" if s in rates else "" for s in sizes) + " |")
    return lines


def _num(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


# Each part's section of bench.md (a part that failed gets its error instead) and its target.
SECTIONS = {"gas": ("Gas", _gas), "relay": ("Relay throughput", _relay), "catalog": ("Catalog", _catalog),
            "ipfs": ("IPFS", _ipfs)}
TARGETS = {"gas": "every operation within its budget", "relay": "no relayed request fails",
           "catalog": "p95 < 50 ms", "ipfs": "(measured, no target)"}


if __name__ == "__main__":
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "reports")
    write(json.loads((folder / "bench.json").read_text()), folder)
