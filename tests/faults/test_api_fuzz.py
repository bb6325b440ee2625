"""The HTTP API fuzzed from its own OpenAPI description with Schemathesis: requests generated from
the schema, valid and invalid, against the dApp served by gunicorn on a chain with a busy history,
signed in as the admin so the guarded endpoints parse their input too. No answer may be a 5xx, a
method the API does not take gets a 405 naming the allowed ones, and every refusal under /api is a
JSON error carrying its status.

Schemathesis runs from .venv-tools (see requirements-tools.txt for why it has a venv of its own).
"""
import json
import subprocess
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import pytest
import requests
from brownie import chain, web3
from eth_account import Account
from eth_account.messages import encode_defunct

from dapp.siwe import build_message
from scripts.local_stack import ROOT, DappServer
from scripts.signing import local_key
from tests.dapp.market_activity import trade_history, traced_history
from tests.faults.figures import Figure, show

SCHEMATHESIS = ROOT / ".venv-tools" / "bin" / "schemathesis"
MAX_EXAMPLES = 30  # per operation: about 2,000 requests in all
SEED = 20261204
RUN_TIMEOUT = 600


@pytest.fixture(scope="module", autouse=True)
def clean_chain(module_isolation):
    """Reset the chain before this module's own module-scoped fixtures deploy (see tests/dapp/test_indexer.py)."""


@pytest.fixture(scope="module")
def history(market, usd, eth_listing, usd_listing, accounts, eth_offer):
    """Listings, orders in every state, disputes, reviews, provenance tokens and a work with an offer:
    the reads have something to find."""
    ids = trade_history(market, usd, eth_listing, usd_listing, accounts)
    ids.update(traced_history(market, accounts))
    return ids


@pytest.fixture(scope="module")
def served(history, deployments_file, tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzzed-dapp")
    with DappServer(web3.provider.endpoint_uri, deployments_file, folder, env={"SECRET_KEY": "fuzzing"}) as server:
        _wait_for_the_index(server.url)
        yield server


def _wait_for_the_index(url, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = requests.get(f"{url}/api/index/status", timeout=10).json()
        if status["lastBlock"] is not None and status["lastBlock"] >= chain.height:
            return
        time.sleep(0.2)
    raise AssertionError(f"the dApp's indexer did not catch up within {timeout} s")


def _sign_in(url, key):
    """A Sign-In with Ethereum session on the served dApp: (cookie header, CSRF token)."""
    session = requests.Session()
    nonce = session.get(f"{url}/api/auth/nonce", timeout=10).json()
    now = datetime.now(timezone.utc)
    message = build_message(
        domain=urlsplit(url).netloc, address=Account.from_key(key).address, uri=url, chain_id=nonce["chainId"],
        nonce=nonce["nonce"], issued_at=now, expiration_time=now + timedelta(hours=1),
        statement="Sign in to ChainMart.",
    )
    signature = "0x" + bytes(Account.sign_message(encode_defunct(text=message), key).signature).hex()
    answer = session.post(f"{url}/api/auth/login", json={"message": message, "signature": signature}, timeout=10)
    assert answer.status_code == 200, answer.text
    cookie = "; ".join(f"{name}={value}" for name, value in session.cookies.items())
    return cookie, answer.json()["csrfToken"]


@pytest.fixture(scope="module")
def fuzzed(served, tmp_path_factory):
    """Run Schemathesis once over every operation; the exchanges it recorded (HAR entries)."""
    folder = tmp_path_factory.mktemp("schemathesis")
    cookie, csrf = _sign_in(served.url, local_key(0))  # the admin
    har = folder / "exchanges.har"
    run = subprocess.run(
        [str(SCHEMATHESIS), "run", f"{served.url}/api/openapi.json", "--url", served.url,
         "--checks", "not_a_server_error,unsupported_method", "--max-examples", str(MAX_EXAMPLES), "--seed", str(SEED),
         "--header", f"Cookie: {cookie}", "--header", f"X-CSRF-Token: {csrf}",
         "--request-timeout", "30", "--suppress-health-check", "all", "--no-shrink",
         "--report", "har", "--report-har-path", str(har)],
        cwd=folder, capture_output=True, text=True, timeout=RUN_TIMEOUT,
    )
    entries = json.loads(har.read_text())["log"]["entries"] if har.exists() else []
    return run, entries


def _is_json_error(entry):
    content = entry["response"].get("content", {})
    try:
        body = json.loads(content.get("text") or "")
    except ValueError:
        return False
    return isinstance(body, dict) and bool(body.get("error")) and body.get("status") == entry["response"]["status"]


def _api(entry):
    return urlsplit(entry["request"]["url"]).path.startswith("/api/")


def test_no_generated_request_gets_a_server_error(fuzzed, capsys):
    run, entries = fuzzed
    statuses = [entry["response"]["status"] for entry in entries]
    server_errors = [f"{e['request']['method']} {e['request']['url']} -> {e['response']['status']}"
                     for e in entries if e["response"]["status"] >= 500]
    show(capsys, Figure("API fuzzed from its OpenAPI description (Schemathesis)", tried=len(statuses),
                        refused=sum(400 <= status < 500 for status in statuses), lost=len(server_errors),
                        note=f"{sum(status < 400 for status in statuses):,} answered"))
    assert len(entries) > 500, run.stdout[-3000:] + run.stderr[-3000:]
    assert server_errors == [], "\n".join(server_errors[:20])
    assert run.returncode == 0, run.stdout[-6000:]


def test_every_refusal_under_api_is_a_json_error_with_its_status(fuzzed):
    _, entries = fuzzed
    refusals = [e for e in entries if _api(e) and 400 <= e["response"]["status"] < 500]
    wrong = [f"{e['request']['method']} {e['request']['url']} -> {e['response']['status']}"
             for e in refusals if not _is_json_error(e)]
    assert refusals and wrong == [], "\n".join(wrong[:20])
