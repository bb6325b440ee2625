// The user's wallet: any EIP-1193 provider, found with EIP-6963 (else window.ethereum).
// Connects, signs in with Ethereum (EIP-4361), keeps to the deployment's chain, and follows the
// wallet's accountsChanged / chainChanged events. Pages subscribe with onChange(fn).
import { BrowserProvider, getAddress, hexlify, toUtf8Bytes } from "/static/vendor/ethers.min.js";
import { getJson, postJson, setCsrfToken, ApiError } from "./api.js";
import { loadConfig } from "./config.js";

const REMEMBER_KEY = "chainmart.wallet";
const MODE_KEY = "chainmart.mode";

const state = {
  wallets: [],          // EIP-6963 provider details: {info: {uuid, name, icon, rdns}, provider}
  wallet: null,         // the chosen one
  account: null,        // checksummed address, or null
  chainId: null,        // number
  session: null,        // {address, csrfToken, roles} once signed in
  config: null,
  ready: false,
};
const listeners = new Set();
let ethersProvider = null;

export function getState() { return state; }

export function onChange(fn) {
  listeners.add(fn);
  if (state.ready) fn(state);
  return () => listeners.delete(fn);
}

function emit() { for (const fn of [...listeners]) { try { fn(state); } catch (e) { console.error(e); } } }

export function onRightChain() { return state.config && state.chainId === state.config.chainId; }

// ---------------------------------------------------------------- discovery (EIP-6963)

window.addEventListener("eip6963:announceProvider", (event) => {
  const detail = event.detail;
  if (!detail?.info?.uuid || !detail.provider) return;
  if (state.wallets.some((w) => w.info.uuid === detail.info.uuid)) return;
  state.wallets.push(detail);
});

export async function discover(wait = 300) {
  window.dispatchEvent(new Event("eip6963:requestProvider"));
  await new Promise((resolve) => setTimeout(resolve, wait));
  if (!state.wallets.length && window.ethereum) {
    state.wallets.push({ info: { uuid: "window.ethereum", name: window.ethereum.isMetaMask ? "MetaMask" : "Browser wallet", icon: "", rdns: "window.ethereum" }, provider: window.ethereum });
  }
  return state.wallets;
}

// ---------------------------------------------------------------- start, connect, disconnect

export async function start() {
  try {
    state.config = await loadConfig();
  } catch (error) {
    state.configError = error.message;
  }
  await discover();
  const remembered = localStorage.getItem(REMEMBER_KEY);
  const wallet = state.wallets.find((w) => w.info.rdns === remembered);
  if (wallet) {
    try {
      const accounts = await wallet.provider.request({ method: "eth_accounts" });
      if (accounts?.length) await attach(wallet, accounts);
    } catch (error) {
      console.warn("Could not restore the wallet connection", error);
    }
  }
  await refreshSession();
  state.ready = true;
  emit();
}

export async function connect(wallet) {
  const accounts = await wallet.provider.request({ method: "eth_requestAccounts" });
  if (!accounts?.length) throw new Error("The wallet shared no account.");
  await attach(wallet, accounts);
  localStorage.setItem(REMEMBER_KEY, wallet.info.rdns);
  await refreshSession();
  emit();
}

export async function disconnect() {
  if (state.session) await signOut();
  detach();
  localStorage.removeItem(REMEMBER_KEY);
  emit();
}

async function attach(wallet, accounts) {
  detach();
  state.wallet = wallet;
  state.account = getAddress(accounts[0]);
  state.chainId = Number(await wallet.provider.request({ method: "eth_chainId" }));
  ethersProvider = null;
  wallet.provider.on?.("accountsChanged", onAccountsChanged);
  wallet.provider.on?.("chainChanged", onChainChanged);
  wallet.provider.on?.("disconnect", onDisconnect);
}

function detach() {
  const provider = state.wallet?.provider;
  provider?.removeListener?.("accountsChanged", onAccountsChanged);
  provider?.removeListener?.("chainChanged", onChainChanged);
  provider?.removeListener?.("disconnect", onDisconnect);
  state.wallet = null;
  state.account = null;
  state.chainId = null;
  ethersProvider = null;
}

async function onAccountsChanged(accounts) {
  const next = accounts?.length ? getAddress(accounts[0]) : null;
  if (next === state.account) return;
  state.account = next;
  ethersProvider = null;
  // A session belongs to one address: another account must sign in itself.
  if (state.session && state.session.address !== next) await signOut().catch(() => {});
  if (!next) detach();
  emit();
}

function onChainChanged(chainId) {
  state.chainId = Number(chainId);
  ethersProvider = null;
  emit();
}

function onDisconnect() { detach(); emit(); }

// ---------------------------------------------------------------- chain

/** An ethers provider over the wallet (reads go through the wallet's node). */
export function provider() {
  if (!state.wallet) throw new Error("Connect a wallet first.");
  if (!ethersProvider) ethersProvider = new BrowserProvider(state.wallet.provider, "any");
  return ethersProvider;
}

export async function signer() {
  return provider().getSigner(state.account);
}

export async function switchChain() {
  const config = state.config;
  const chainId = "0x" + config.chainId.toString(16);
  const request = (method, params) => state.wallet.provider.request({ method, params });
  try {
    await request("wallet_switchEthereumChain", [{ chainId }]);
  } catch (error) {
    const code = error?.code ?? error?.data?.originalError?.code;
    if (code !== 4902) throw error;
    // The wallet does not know the chain yet: add it (the wallet asks the user), then switch.
    await request("wallet_addEthereumChain", [{
      chainId, chainName: config.chainName, rpcUrls: [config.rpcUrl],
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      ...(config.explorerUrl ? { blockExplorerUrls: [config.explorerUrl] } : {}),
    }]);
    await request("wallet_switchEthereumChain", [{ chainId }]);
  }
  state.chainId = Number(await request("eth_chainId", []));
  ethersProvider = null;
  emit();
}

/** Throws a message in words unless a wallet is connected on the right chain. */
export function requireReady() {
  if (!state.account) throw new Error("Connect your wallet first.");
  if (!onRightChain()) throw new Error(`Your wallet is on another network: switch to ${state.config?.chainName || "the shop's network"} first.`);
}

// ---------------------------------------------------------------- Sign-In with Ethereum

async function refreshSession() {
  try {
    const me = await getJson("/api/auth/me");
    if (state.account && me.address !== state.account) {
      await postJson("/api/auth/logout", {}).catch(() => {});
      setSession(null);
    } else {
      setSession(me);
    }
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) console.warn(error);
    setSession(null);
  }
}

function setSession(session) {
  state.session = session;
  setCsrfToken(session?.csrfToken || null);
}

/** The EIP-4361 text the wallet signs. */
export function siweMessage({ domain, address, uri, chainId, nonce, issuedAt, expirationTime }) {
  return [
    `${domain} wants you to sign in with your Ethereum account:`,
    address,
    "",
    "Sign in to ChainMart.",
    "",
    `URI: ${uri}`,
    "Version: 1",
    `Chain ID: ${chainId}`,
    `Nonce: ${nonce}`,
    `Issued At: ${issuedAt}`,
    `Expiration Time: ${expirationTime}`,
  ].join("\n");
}

export async function signIn() {
  if (!state.account) throw new Error("Connect your wallet first.");
  const { nonce, domain, chainId, uri } = await getJson("/api/auth/nonce");
  const now = new Date();
  const message = siweMessage({
    domain, address: state.account, uri, chainId, nonce,
    issuedAt: now.toISOString().replace(/\.\d{3}Z$/, "Z"),
    expirationTime: new Date(now.getTime() + 10 * 60 * 1000).toISOString().replace(/\.\d{3}Z$/, "Z"),
  });
  const signature = await state.wallet.provider.request({
    method: "personal_sign", params: [hexlify(toUtf8Bytes(message)), state.account],
  });
  setSession(await postJson("/api/auth/login", { message, signature }));
  emit();
  return state.session;
}

export async function signOut() {
  try { await postJson("/api/auth/logout", {}); } catch { /* already gone */ }
  setSession(null);
  emit();
}

// ---------------------------------------------------------------- gasless or transaction

export function preferredMode() {
  return localStorage.getItem(MODE_KEY) === "transaction" ? "transaction" : "gasless";
}

export function setPreferredMode(mode) {
  localStorage.setItem(MODE_KEY, mode === "transaction" ? "transaction" : "gasless");
  emit();
}
