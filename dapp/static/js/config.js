// The deployment the pages work with: chain, contracts, assets, relay (GET /api/config), and ABIs.
import { Interface } from "/static/vendor/ethers.min.js";
import { getJson } from "./api.js";

export const ETH = "0x0000000000000000000000000000000000000000";
export const CONTRACTS = ["Marketplace", "ChainMartForwarder", "ProvenanceToken", "CopyrightRegistry"];

// ERC-20 with EIP-2612, and the errors OpenZeppelin tokens raise, for any allow-listed stablecoin.
export const ERC20_ABI = [
  "function balanceOf(address) view returns (uint256)",
  "function allowance(address owner, address spender) view returns (uint256)",
  "function approve(address spender, uint256 value) returns (bool)",
  "function nonces(address owner) view returns (uint256)",
  "function decimals() view returns (uint8)",
  "function symbol() view returns (string)",
  "function name() view returns (string)",
  "error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)",
  "error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed)",
  "error ERC2612ExpiredSignature(uint256 deadline)",
  "error ERC2612InvalidSigner(address signer, address owner)",
];

let configPromise = null;
const abiPromises = new Map();

export function loadConfig() {
  if (!configPromise) configPromise = getJson("/api/config").catch((error) => { configPromise = null; throw error; });
  return configPromise;
}

export function loadAbi(name) {
  if (!abiPromises.has(name)) {
    abiPromises.set(name, getJson(`/api/abi/${name}`).catch((error) => { abiPromises.delete(name); throw error; }));
  }
  return abiPromises.get(name);
}

export async function contractInterface(name) {
  return new Interface(await loadAbi(name));
}

/** One Interface holding every error the platform's contracts (and tokens) can raise. */
let errorsPromise = null;
export function errorInterface() {
  if (!errorsPromise) {
    errorsPromise = Promise.all(CONTRACTS.map((name) => loadAbi(name).catch(() => []))).then((abis) => {
      const seen = new Set();
      const fragments = [];
      for (const item of [...abis.flat(), ...new Interface(ERC20_ABI).fragments.map((f) => JSON.parse(f.format("json")))]) {
        if (item.type !== "error") continue;
        const key = `${item.name}(${(item.inputs || []).map((i) => i.type).join(",")})`;
        if (seen.has(key)) continue;
        seen.add(key);
        fragments.push(item);
      }
      return new Interface(fragments);
    });
  }
  return errorsPromise;
}

export function assetInfo(config, address) {
  const found = config.assets.find((a) => a.address.toLowerCase() === String(address).toLowerCase());
  return found || { address, symbol: "tokens", decimals: 18, permit: null, name: "" };
}
