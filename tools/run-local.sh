#!/usr/bin/env bash
# Start a local chain, deploy ChainMart, seed demo data, and keep the chain running until Ctrl-C.
#   CHAIN=anvil|ganache   which node to run (default anvil)
#   RPC_PORT=8545         its port
#   DAPP_PORT=5000        where the dApp server listens (gunicorn)
# Expects the toolchain `make setup` prepares (PATH with .venv/bin and .tools/bin, SOLCX_BINARY_PATH).
set -euo pipefail

CHAIN="${CHAIN:-anvil}"
RPC_PORT="${RPC_PORT:-8545}"
DAPP_PORT="${DAPP_PORT:-5000}"
NETWORK=chainmart-local
# Public development mnemonic (anvil's default): the demo accounts. Not a secret.
MNEMONIC="test test test test test test test test test test test junk"
LOG_DIR=".run"
mkdir -p "$LOG_DIR"

case "$CHAIN" in
  anvil)
    anvil --host 127.0.0.1 --port "$RPC_PORT" --chain-id 31337 --mnemonic "$MNEMONIC" \
      --gas-limit 30000000 --steps-tracing >"$LOG_DIR/chain.log" 2>&1 &
    ;;
  ganache)
    ganache-cli --server.host 127.0.0.1 --server.port "$RPC_PORT" --chain.chainId 31337 \
      --chain.hardfork shanghai --wallet.mnemonic "$MNEMONIC" --wallet.totalAccounts 10 \
      --wallet.defaultBalance 10000 --miner.blockGasLimit 30000000 >"$LOG_DIR/chain.log" 2>&1 &
    ;;
  *)
    echo "CHAIN must be anvil or ganache, not '$CHAIN'" >&2
    exit 2
    ;;
esac
CHAIN_PID=$!
trap 'kill "$CHAIN_PID" 2>/dev/null || true; wait "$CHAIN_PID" 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM

for _ in $(seq 1 100); do
  if curl -sf -X POST -H 'Content-Type: application/json' \
      --data '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' \
      "http://127.0.0.1:$RPC_PORT" >/dev/null; then
    break
  fi
  if ! kill -0 "$CHAIN_PID" 2>/dev/null; then
    echo "The $CHAIN node exited; its log:" >&2
    cat "$LOG_DIR/chain.log" >&2
    exit 1
  fi
  sleep 0.2
done

# (listing to a file first: with pipefail, `grep -q` closing the pipe early would read as failure)
brownie networks list >"$LOG_DIR/networks.txt" 2>&1 || true
if ! grep -q "$NETWORK" "$LOG_DIR/networks.txt"; then
  brownie networks add Ethereum "$NETWORK" host="http://127.0.0.1:$RPC_PORT" chainid=31337 >/dev/null
else
  brownie networks modify "$NETWORK" host="http://127.0.0.1:$RPC_PORT" >/dev/null
fi

# Brownie keeps artifacts of live-network deployments; those of an earlier local chain point at
# contracts this fresh chain does not have, and Brownie refuses to connect over them.
rm -rf build/deployments/31337
if [ -f build/deployments/map.json ]; then
  python -c 'import json,sys; p=sys.argv[1]; m=json.load(open(p)); m.pop("31337", None); json.dump(m, open(p, "w"))' \
    build/deployments/map.json
fi

brownie run scripts/deploy.py --network "$NETWORK"
brownie run scripts/seed.py --network "$NETWORK"

export CHAINMART_RPC_URL="http://127.0.0.1:$RPC_PORT"
export INDEX_AUTOSTART="${INDEX_AUTOSTART:-true}"
# One process: the relayer owns its account's nonces. Threads serve concurrent requests.
gunicorn --workers 1 --threads 16 --bind "127.0.0.1:$DAPP_PORT" --access-logfile "$LOG_DIR/access.log" \
  --error-logfile "$LOG_DIR/dapp.log" "dapp:create_app()" &
DAPP_PID=$!
trap 'kill "$DAPP_PID" "$CHAIN_PID" 2>/dev/null || true; wait 2>/dev/null || true' EXIT

for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$DAPP_PORT/api/health" >/dev/null && break
  if ! kill -0 "$DAPP_PID" 2>/dev/null; then
    echo "The dApp server exited; its log:" >&2
    cat "$LOG_DIR/dapp.log" >&2
    exit 1
  fi
  sleep 0.2
done

echo
echo "ChainMart is running:"
echo "  dApp   http://127.0.0.1:$DAPP_PORT/  (API health: /api/health)"
echo "  chain  $CHAIN at http://127.0.0.1:$RPC_PORT (chain id 31337)"
echo "  addresses in deployments.json; logs in $LOG_DIR/"
echo "  console: brownie console --network $NETWORK"
echo "Press Ctrl-C to stop."
wait "$DAPP_PID"
