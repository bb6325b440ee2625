#!/usr/bin/env bash
# Start an offline js-ipfs test node whose RPC API listens on 127.0.0.1:<port>.
#
#   tools/ipfs-node/start.sh [API_PORT]        (default 5001)
#
# The repo lives in $IPFS_PATH (default: a fresh temp dir). No swarm, no bootstrap, no
# MDNS, no gateway, no gRPC: only the kubo-style HTTP RPC API. Stop it with SIGTERM;
# the script execs the daemon, so its PID is the daemon's.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
port="${1:-5001}"
export IPFS_PATH="${IPFS_PATH:-$(mktemp -d -t chainmart-ipfs.XXXXXX)}"
mkdir -p "$IPFS_PATH"

if [ ! -x "$here/node_modules/.bin/jsipfs" ]; then
  echo "js-ipfs is not installed: run 'npm ci' in $here" >&2
  exit 1
fi

init_config="$IPFS_PATH/init-config.json"
cat > "$init_config" <<JSON
{
  "Addresses": {
    "API": "/ip4/127.0.0.1/tcp/$port",
    "Gateway": [],
    "RPC": "",
    "Swarm": [],
    "Announce": [],
    "NoAnnounce": [],
    "Delegates": []
  },
  "Bootstrap": [],
  "Discovery": {
    "MDNS": { "Enabled": false },
    "webRTCStar": { "Enabled": false }
  }
}
JSON

export NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--require $here/polyfill.cjs"
exec node "$here/node_modules/ipfs/src/cli.js" daemon \
  --init-profile test \
  --init-config "$init_config" \
  --offline \
  --enable-preload=false
