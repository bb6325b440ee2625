"""The browser suite's stack: a chain (the Brownie-run anvil), the contracts and the demo catalog,
the dApp served over HTTP from a thread, and headless Debian Chromium driven by Playwright with
an injected EIP-1193 test wallet per role.

Deploy and seed are module-scoped; each test gets a fresh dApp (index, relayer, sessions) because
fn_isolation rewinds the chain after every test. Screenshots go to reports/screenshots/.
"""
from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path

import pytest
from brownie import chain, web3
from werkzeug.serving import make_server

from dapp import create_app
from dapp.ipfs import store_from_config
from scripts.seed import create_listing, deploy_stablecoins
from scripts.signing import local_key

ROOT = Path(__file__).resolve().parents[2]
CATALOG = json.loads((ROOT / "demo" / "catalog.json").read_text())
SCREENSHOTS = ROOT / "reports" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
WALLET_JS = Path(__file__).with_name("injected_wallet.js").read_text()
ETHERS_UMD = ROOT / "node_modules" / "ethers" / "dist" / "ethers.umd.min.js"
VENDOR = ROOT / "dapp" / "static" / "vendor" / "ethers.min.js"
# Demo roles -> index of the public test mnemonic (as scripts/local_accounts.ROLES).
ROLE_INDEX = {"admin": 0, "treasury": 1, "arbiter": 2, "seller_a": 3, "seller_b": 4, "buyer": 5, "buyer_b": 6}
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


# ---------------------------------------------------------------- chain and demo data


@pytest.fixture(scope="module")
def demo_roles(admin, treasury, arbiter, seller, other_seller, buyer, stranger):
    return {"admin": admin, "treasury": treasury, "arbiter": arbiter, "seller_a": seller, "seller_b": other_seller,
            "buyer": buyer, "buyer_b": stranger}


@pytest.fixture(scope="module")
def ipfs_path(tmp_path_factory):
    return tmp_path_factory.mktemp("browser-ipfs")


@pytest.fixture(scope="module")
def demo(platform, market, demo_roles, ipfs_path, tmp_path_factory):
    """The demo catalog on the test chain (as `make run` seeds it) and a deployments file for the dApp."""
    store = store_from_config({"IPFS_BACKEND": "embedded", "IPFS_STORE_PATH": str(ipfs_path)})
    coins = deploy_stablecoins(market, demo_roles, CATALOG["stablecoins"], CATALOG["buyer_funds"])
    listings = [create_listing(market, demo_roles, coins, store, item) for item in CATALOG["listings"]]
    path = tmp_path_factory.mktemp("browser-deploy") / "deployments.json"
    entry = {"block": platform["ChainMartForwarder"].tx.block_number,
             "contracts": {name: c.address for name, c in platform.items()}}
    path.write_text(json.dumps({str(chain.id): entry}))
    return {"coins": coins, "listings": listings, "deployments": path, "store": store}


def listing_named(demo, text):
    return next(item for item in demo["listings"] if text.lower() in item["name"].lower())


# ---------------------------------------------------------------- the dApp over HTTP


class Server:
    def __init__(self, app):
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="dapp-http", daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._thread.join(5)
        indexer = self.app.extensions.get("indexer")
        if indexer:
            indexer.close()
        relayer = self.app.extensions.get("relayer")
        if relayer:
            relayer.stop()

    def wait_indexed(self, timeout=15):
        """Until the index has read the chain's head (after the tests' own transactions)."""
        head = web3.eth.block_number
        deadline = time.time() + timeout
        while time.time() < deadline:
            if (self.app.extensions["indexer"].last_block() or 0) >= head:
                return
            time.sleep(0.1)
        raise AssertionError(f"the index did not reach block {head} in {timeout} s")


@pytest.fixture
def dapp(demo, ipfs_path, tmp_path):
    if not VENDOR.exists():
        pytest.fail("dapp/static/vendor/ is missing: run `make vendor` (part of make setup).")
    app = create_app({
        "SECRET_KEY": "browser-tests",
        "CHAINMART_RPC_URL": web3.provider.endpoint_uri,
        "CHAINMART_DEPLOYMENTS": str(demo["deployments"]),
        "IPFS_STORE_PATH": str(ipfs_path),
        "INDEX_DATABASE": str(tmp_path / "index.sqlite3"),
        "INDEX_POLL_INTERVAL": 0.2,
        "INDEX_AUTOSTART": True,
    })
    server = Server(app).start()
    server.wait_indexed()
    yield server
    server.stop()


# ---------------------------------------------------------------- browser and wallets


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install -y chromium` (make test-browser does it).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_wallet_page(browser, dapp, request):
    """open_wallet_page(role, **options) -> a Page whose wallet holds that demo role's key."""
    contexts = []

    def open_page(role, *, viewport=DESKTOP, start_chain_id=None, known_chains_only=False):
        """known_chains_only: the wallet knows only the chain it starts on (as a fresh wallet on
        mainnet), so switching to the shop's chain needs wallet_addEthereumChain first."""
        key = role if isinstance(role, str) and role.startswith("0x") else "0x" + local_key(ROLE_INDEX[role]).hex().removeprefix("0x")
        context = browser.new_context(bypass_csp=True, viewport=viewport, base_url=dapp.url)
        contexts.append(context)
        wallet_config = {"privateKey": key, "rpcUrl": web3.provider.endpoint_uri, "chainId": chain.id,
                         "startChainId": start_chain_id or chain.id, "knownChainsOnly": known_chains_only}
        context.add_init_script(
            "(() => {\n" + ETHERS_UMD.read_text() + "\n})();\n"
            + f"globalThis.__TEST_WALLET_CONFIG__ = {json.dumps(wallet_config)};\n" + WALLET_JS
        )
        page = context.new_page()
        page.set_default_timeout(20_000)
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.js_errors = errors
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def shot(request):
    """shot(page, "step") saves reports/screenshots/<module>-<test's first words>-<nn>-<step>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    counter = iter(range(1, 100))
    module = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    words = request.node.name.removeprefix("test_").split("_")[:3]
    name = re.sub(r"[^a-z0-9_-]+", "-", f"{module}-{'_'.join(words)}".lower())

    def take(page, step):
        path = SCREENSHOTS / f"{name}-{next(counter):02d}-{step}.png"
        # A full-page capture resizes the viewport and leaves the page scrolled elsewhere until the
        # next input event puts it back, under the pointer of the test's next click: scroll back now.
        scrolled = page.evaluate("() => [scrollX, scrollY]")
        page.screenshot(path=str(path), full_page=True)
        page.evaluate("([x, y]) => scrollTo(x, y)", scrolled)
        return path

    return take


def connect_and_sign_in(page, path="/"):
    """Open `path`, connect the injected wallet and sign in with Ethereum."""
    connect(page, path)
    page.get_by_role("button", name="Sign in").click()
    _wait(page, "#signed-in")


def connect(page, path="/"):
    """Open `path` and connect the injected wallet."""
    page.goto(path)
    page.locator("#connect-wallet").click()
    _wait(page, "#wallet-account")


def _wait(page, selector):
    try:
        page.locator(selector).wait_for()
    except Exception as exc:  # say what the page itself reported
        raise AssertionError(f"{selector} did not appear on {page.url}; page errors: {page.js_errors}; "
                             f"wallet says: {page.locator('#wallet-error').all_inner_texts()}; "
                             f"wallet calls: {page.evaluate('window.__testWallet && window.__testWallet.log')}") from exc


def assert_fits_the_screen(page):
    """Nothing on the page is wider than the viewport: no sideways scrolling on a phone."""
    scroll_width, screen_width = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert scroll_width <= screen_width, f"{page.url} is {scroll_width} px wide on a {screen_width} px screen"
