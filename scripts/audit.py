"""Static analysis gate: Slither over contracts/, every finding it keeps triaged in contracts/SLITHER.md.

    make audit            (runs: .venv-tools/bin/python -m scripts.audit)

Slither's settings live in slither.config.json (solc-js wrapper, OpenZeppelin remapping, the
optimizer and EVM version the project compiles with; OpenZeppelin and test mocks filtered out).
Each finding of impact High, Medium or Low must match a row of the triage table in
contracts/SLITHER.md (detector, where, impact, verdict, reason):

- High and Medium findings may only be listed as `false positive`, with the proof why; a real one
  is fixed in the contract, never accepted.
- Low findings are `false positive`, `accepted` (by design) or `open` (real; a fix is proposed in
  the file and waits for the contract owner), with the reason. Open ones are printed on every run.

The gate fails on a finding the table does not list (fix it or explain it), and on a row that no
longer matches any finding (stale: delete it). Writes a summary to reports/audit.json.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRIAGE = ROOT / "contracts" / "SLITHER.md"
REPORT = ROOT / "reports" / "audit.json"
GATED_IMPACTS = ("High", "Medium", "Low")
VERDICTS = {"High": {"false positive"}, "Medium": {"false positive"}, "Low": {"false positive", "accepted", "open"}}


@dataclass(frozen=True)
class Finding:
    check: str
    where: str
    impact: str
    confidence: str
    description: str

    @property
    def key(self) -> tuple[str, str]:
        return self.check, self.where


@dataclass(frozen=True)
class TriageRow:
    check: str
    where: str
    impact: str
    verdict: str
    reason: str
    line: int

    @property
    def key(self) -> tuple[str, str]:
        return self.check, self.where


def run_slither(slither: str, target: str = "contracts/") -> list[Finding]:
    """Slither's detector results (settings from slither.config.json in the project root)."""
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "slither.json"
        completed = subprocess.run(
            [slither, target, "--fail-none", "--json", str(output)],
            cwd=ROOT, capture_output=True, text=True, check=False,
        )
        if not output.exists():
            raise SystemExit(f"Slither produced no report (exit {completed.returncode}):\n{completed.stderr[-4000:]}")
        answer = json.loads(output.read_text())
    if not answer.get("success"):
        raise SystemExit(f"Slither failed: {answer.get('error')}\n{completed.stderr[-4000:]}")
    findings = []
    for result in answer["results"].get("detectors", []):
        findings.append(Finding(
            check=result["check"],
            where=element_name(result["elements"][0]) if result["elements"] else "",
            impact=result["impact"],
            confidence=result["confidence"],
            description=result["description"].strip().splitlines()[0],
        ))
    return findings


def element_name(element: dict) -> str:
    """A finding's location by name, not line (lines move with every edit): `Contract.function(types)`,
    `Contract.variable`, or `Contract.function(types).localVariable`."""
    fields = element.get("type_specific_fields", {})
    kind = element.get("type")
    if kind == "node":
        return element_name(fields["parent"])
    if kind == "function":
        return f"{fields['parent']['name']}.{fields.get('signature', element['name'])}"
    parent = fields.get("parent")
    if parent is None:
        return element["name"]
    return f"{element_name(parent)}.{element['name']}"


def read_triage(path: Path = TRIAGE) -> list[TriageRow]:
    """Rows of the table under the `## Triaged findings` heading."""
    rows, in_section = [], False
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if line.startswith("## "):
            in_section = line.strip() == "## Triaged findings"
            continue
        if not in_section or not line.startswith("|") or set(line) <= set("|-: "):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells[0].lower() == "detector":
            continue
        if len(cells) != 5:
            raise SystemExit(f"{path}:{number}: a triage row needs 5 cells (detector, where, impact, verdict, reason).")
        check, where, impact, verdict, reason = (re.sub(r"^`|`$", "", cell) for cell in cells)
        rows.append(TriageRow(check, where, impact, verdict, reason, number))
    return rows


def compare(findings: list[Finding], rows: list[TriageRow]) -> dict:
    gated = [f for f in findings if f.impact in GATED_IMPACTS]
    by_key = {row.key: row for row in rows}
    problems = []
    for row in rows:
        if row.verdict not in VERDICTS.get(row.impact, set()):
            problems.append(f"contracts/SLITHER.md:{row.line}: a {row.impact} finding cannot be '{row.verdict}' "
                            f"(allowed: {', '.join(sorted(VERDICTS.get(row.impact, ())))}).")
        if not row.reason:
            problems.append(f"contracts/SLITHER.md:{row.line}: give the reason.")
    new = [f for f in gated if f.key not in by_key]
    seen = {f.key for f in gated}
    stale = [row for row in rows if row.key not in seen]
    for finding in gated:
        row = by_key.get(finding.key)
        if row is not None and row.impact != finding.impact:
            problems.append(f"contracts/SLITHER.md:{row.line}: {finding.check} at {finding.where} is {finding.impact}, "
                            f"the table says {row.impact}.")
    return {
        "findings": dict(Counter(f.impact for f in findings)),
        "triaged": {verdict: sum(1 for f in gated if by_key.get(f.key) and by_key[f.key].verdict == verdict)
                    for verdict in ("false positive", "accepted", "open")},
        "open": [{"check": r.check, "where": r.where} for r in rows if r.verdict == "open"],
        "new": [{"check": f.check, "where": f.where, "impact": f.impact, "description": f.description} for f in new],
        "stale": [{"check": r.check, "where": r.where, "line": r.line} for r in stale],
        "problems": problems,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slither", default=str(Path(sys.executable).parent / "slither"),
                        help="the slither command (default: beside this Python)")
    args = parser.parse_args(argv)
    if not os.access(args.slither, os.X_OK):
        raise SystemExit(f"No slither at {args.slither}: run `make audit` (it installs .venv-tools).")

    findings = run_slither(args.slither)
    summary = compare(findings, read_triage())
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")

    counts = ", ".join(f"{summary['findings'].get(i, 0)} {i.lower()}" for i in GATED_IMPACTS)
    print(f"Slither: {len(findings)} findings ({counts}); triaged in contracts/SLITHER.md: "
          f"{summary['triaged']['false positive']} false positives, {summary['triaged']['accepted']} accepted lows, "
          f"{summary['triaged']['open']} open lows.")
    for row in summary["open"]:
        print(f"OPEN   {row['check']:<24} {row['where']} (contracts/SLITHER.md has the proposed fix)")
    for finding in summary["new"]:
        print(f"NEW {finding['impact']:<6} {finding['check']:<24} {finding['where']}\n    {finding['description']}")
    for row in summary["stale"]:
        print(f"STALE contracts/SLITHER.md:{row['line']}: {row['check']} at {row['where']} is no longer reported")
    for problem in summary["problems"]:
        print(f"TRIAGE {problem}")
    if summary["new"] or summary["stale"] or summary["problems"]:
        print("Audit failed: fix the contract or triage the finding in contracts/SLITHER.md.")
        return 1
    print("Audit passed: no untriaged high, medium or low finding.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
