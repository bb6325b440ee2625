"""The README's `brownie console` session runs as written, and each commented result holds.

Lines ending in `# <value>...` are expressions whose value must print as <value>, like a doctest.
"""
import re
from decimal import Decimal
from pathlib import Path

import brownie
from brownie import project

README = Path(__file__).resolve().parents[2] / "README.md"


def console_session():
    text = README.read_text()
    block = re.search(r"<!-- console-session -->\s*```python\n(.*?)```", text, re.S)
    assert block, "README lost its console-session block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def console_namespace():
    namespace = {name: getattr(brownie, name) for name in brownie.__all__}
    namespace.update(project.get_loaded_projects()[0].dict())
    return namespace


def _same(value, expected):
    if isinstance(value, bool) or expected in ("True", "False"):
        return str(value) == expected
    return Decimal(str(value)) == Decimal(expected)


def test_readme_console_session_runs_and_prints_what_it_says():
    namespace = console_namespace()
    checked = 0
    for line in console_session():
        code, *comment = re.split(r"\s+#\s+", line, maxsplit=1)
        expected = comment[0].split(":")[0].split()[0] if comment else None
        if expected is None:
            exec(code, namespace)
            continue
        value = eval(code, namespace)
        assert _same(value, expected), f"{code.strip()} gave {value}, README says {expected}"
        checked += 1
    assert checked >= 4
