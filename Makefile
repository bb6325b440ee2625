# ChainMart: `make run` starts a local chain with everything deployed and seeded;
# `make test` installs what is missing and runs the whole suite. Both are idempotent.

SHELL := /bin/bash
PYTHON ?= python3
CHAIN ?= anvil
RPC_PORT ?= 8545
SOLC_VERSION := 0.8.24

VENV := .venv
STAMP_PY := $(VENV)/.installed
STAMP_NPM := node_modules/.installed
STAMP_IPFS_NPM := tools/ipfs-node/node_modules/.installed
VENV_TOOLS := .venv-tools
STAMP_TOOLS := $(VENV_TOOLS)/.installed
STAMP_BENCH := $(VENV)/.bench-installed
SOLC := .solcx/solc-v$(SOLC_VERSION)
TOOLS := .tools/bin/anvil .tools/bin/ganache-cli
# JavaScript the pages load, served by the dApp itself (pages work offline: no CDN).
VENDOR := dapp/static/vendor/ethers.min.js dapp/static/vendor/uqr.mjs
CHROMIUM := /usr/bin/chromium
STAMP_BROWSER := $(VENV)/.installed-browser

# Brownie finds solc through py-solc-x's folder, and picks the chain backend by command name.
export SOLCX_BINARY_PATH := $(CURDIR)/.solcx
export PATH := $(CURDIR)/.tools/bin:$(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: setup compile test test-anvil test-ganache test-ipfs test-browser test-faults audit fuzz vendor run bench bench-gas bench-ipfs bench-relay console clean

setup: $(STAMP_PY) $(STAMP_NPM) $(SOLC) $(TOOLS) $(VENDOR)

$(STAMP_PY): requirements.txt
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip wheel
	BROWNIE_NOCOMPILE=1 $(VENV)/bin/pip install --quiet --no-binary eth-brownie -r requirements.txt
	touch $@

# `npm ci`: exactly the lock's versions. The lock lists anvil's binaries for every platform
# (optional packages: npm fetches only this machine's).
$(STAMP_NPM): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Slither and Schemathesis in their own venv: see requirements-tools.txt for why not in .venv.
$(STAMP_TOOLS): requirements-tools.txt
	test -x $(VENV_TOOLS)/bin/python || $(PYTHON) -m venv $(VENV_TOOLS)
	$(VENV_TOOLS)/bin/pip install --quiet -r requirements-tools.txt
	touch $@

# Plots and profilers for the benchmarks: additions to .venv that change none of its pins.
$(STAMP_BENCH): $(STAMP_PY) requirements-bench.txt
	$(VENV)/bin/pip install --quiet -r requirements-bench.txt
	touch $@

# The IPFS test node (js-ipfs), in its own folder: 285 MB that only the IPFS tests need.
$(STAMP_IPFS_NPM): tools/ipfs-node/package.json tools/ipfs-node/package-lock.json
	cd tools/ipfs-node && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# A native-solc-compatible command over the npm solc-js package, where py-solc-x looks for it.
$(SOLC): tools/solc.js $(STAMP_NPM)
	mkdir -p $(dir $@)
	printf '#!/bin/sh\nexec node "%s/tools/solc.js" "$$@"\n' "$(CURDIR)" > $@
	chmod +x $@
	$@ --version | grep -q "$(SOLC_VERSION)+commit"

# The anvil binary itself (not npm's node launcher), so Brownie can stop it cleanly.
.tools/bin/anvil: | $(STAMP_NPM)
	mkdir -p $(dir $@)
	ln -sf "$$(ls -d $(CURDIR)/node_modules/@foundry-rs/anvil-*/bin/anvil | head -n1)" $@
	$@ --version >/dev/null

.tools/bin/ganache-cli: | $(STAMP_NPM)
	mkdir -p $(dir $@)
	ln -sf $(CURDIR)/node_modules/.bin/ganache $@

vendor: $(VENDOR)

dapp/static/vendor/ethers.min.js: $(STAMP_NPM)
	mkdir -p $(dir $@)
	cp node_modules/ethers/dist/ethers.min.js $@

dapp/static/vendor/uqr.mjs: $(STAMP_NPM)
	mkdir -p $(dir $@)
	cp node_modules/uqr/dist/index.mjs $@

# The browser tests drive Debian's Chromium with Playwright (its own browser download cannot
# reach its servers here): apt-get installs it once (root), pip adds Playwright to the venv.
$(CHROMIUM):
	apt-get update -qq && apt-get install -y -qq chromium

$(STAMP_BROWSER): requirements-browser.txt $(STAMP_PY)
	$(VENV)/bin/pip install --quiet -r requirements-browser.txt
	touch $@

compile: setup
	brownie compile

test: compile audit test-anvil test-ganache test-ipfs test-browser test-faults

# The dApp tests also run a real IPFS node, hence its npm packages.
test-anvil: $(STAMP_IPFS_NPM)
	brownie test tests --ignore tests/ganache --ignore tests/ipfs --ignore tests/browser --ignore tests/faults

# Real-browser tests of the pages: a chain, the contracts, demo data and the dApp per module,
# a headless Chromium with an injected test wallet. Screenshots go to reports/screenshots/.
# BROWSER_NETWORK names another Brownie network (another port) when 8555 is taken.
test-browser: compile $(CHROMIUM) $(STAMP_BROWSER)
	brownie test tests/browser $(if $(BROWSER_NETWORK),--network $(BROWSER_NETWORK))

# Both chains stay proven: the deploy script and a full order lifecycle on Ganache too.
test-ganache:
	brownie test tests/ganache --network ganache-cli

# Plain pytest (tests/ipfs/pytest.ini keeps Brownie out); starts its own IPFS node.
test-ipfs: $(STAMP_PY) $(STAMP_IPFS_NPM)
	$(VENV)/bin/python -m pytest tests/ipfs

# Fault tests: each breaks a real part on purpose. tests/faults/relay is plain pytest (its pytest.ini
# keeps Brownie out; each module starts its own anvil and the dApp under gunicorn on free ports); the
# rest (IPFS node stopped, indexer killed, API fuzzed with Schemathesis) are Brownie tests.
test-faults: compile $(STAMP_IPFS_NPM) $(STAMP_TOOLS)
	$(VENV)/bin/python -m pytest tests/faults/relay
	brownie test tests/faults --ignore tests/faults/relay

# The stateful fuzzer of tests/fuzz with its long profile (make test runs its CI profile); prints
# the steps, transactions and reverts it checked. See docs/fuzzing.md.
fuzz: compile
	FUZZ_PROFILE=long brownie test tests/fuzz -s

# Slither over contracts/: fails on any high, medium or low finding not triaged in contracts/SLITHER.md.
audit: $(STAMP_TOOLS) $(STAMP_NPM) $(SOLC)
	$(VENV_TOOLS)/bin/python -m scripts.audit

run: compile
	CHAIN=$(CHAIN) RPC_PORT=$(RPC_PORT) tools/run-local.sh

# Every benchmark, each on a fresh local chain: reports/bench.json, reports/bench.md and plots
# (docs/benchmarks.md). PART=gas,relay,catalog,ipfs runs some of them; SMOKE=1 a small run of
# each, written to .bench/smoke/.
bench: compile $(STAMP_BENCH) $(STAMP_IPFS_NPM)
	$(VENV)/bin/python -m scripts.bench $(if $(PART),--part $(PART)) $(if $(SMOKE),--smoke)

bench-gas: compile
	brownie run scripts/bench_gas.py

bench-ipfs: $(STAMP_PY)
	$(VENV)/bin/python -m scripts.bench_ipfs

bench-relay: compile
	$(VENV)/bin/python -m scripts.bench_relay

console: compile
	brownie console

clean:
	rm -rf build .hypothesis reports/gas.json reports/screenshots dapp/static/vendor
