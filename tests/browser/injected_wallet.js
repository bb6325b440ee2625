// A stand-in for a wallet extension in the browser tests: an EIP-1193 provider backed by one local
// test key (the public anvil mnemonic's accounts), announced with EIP-6963 and set as
// window.ethereum. It signs with its own copy of ethers (loaded before this file, as the global
// `ethers`) and forwards everything else to the node. The test drives it through
// window.__testWallet (switch account, refuse the next request).
//
// Expects window.__TEST_WALLET_CONFIG__ = {privateKey, rpcUrl, chainId, startChainId?, knownChainsOnly?}.
(() => {
  const E = globalThis.ethers;
  const config = globalThis.__TEST_WALLET_CONFIG__;
  // Like an extension, the wallet remembers across page loads (here: in the origin's storage)
  // which sites it is connected to and which chain it is on.
  const memory = {
    get(key, fallback) { try { return JSON.parse(localStorage.getItem(`__testWallet.${key}`)) ?? fallback; } catch { return fallback; } },
    set(key, value) { try { localStorage.setItem(`__testWallet.${key}`, JSON.stringify(value)); } catch { /* opaque origin */ } },
  };
  const startChain = Number(config.startChainId ?? config.chainId);
  // The node answers for the shop's chain; a wallet that "starts elsewhere" only knows that chain
  // until the page adds the shop's chain (wallet_addEthereumChain).
  const chains = new Map(config.knownChainsOnly ? [[startChain, config.rpcUrl]] : [[Number(config.chainId), config.rpcUrl]]);
  for (const [id, url] of Object.entries(memory.get("addedChains", {}))) chains.set(Number(id), url);
  let wallet = new E.Wallet(memory.get("key", config.privateKey));
  let chainId = Number(memory.get("chainId", config.startChainId ?? config.chainId));
  let connected = memory.get("connected", false);
  let refuseNext = null; // a method name: the next such request is rejected as if by the user
  const listeners = new Map();
  const log = [];

  function emit(event, payload) {
    for (const fn of listeners.get(event) || []) {
      try { fn(payload); } catch (error) { console.error(error); }
    }
  }

  function rpcError(code, message, data) {
    const error = new Error(message);
    error.code = code;
    if (data !== undefined) error.data = data;
    return error;
  }

  let nextId = 1;
  async function node(method, params = []) {
    const url = chains.get(chainId);
    if (!url) throw rpcError(4901, `The test wallet has no node for chain ${chainId}.`);
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }),
    });
    const body = await response.json();
    if (body.error) throw rpcError(body.error.code, body.error.message, body.error.data);
    return body.result;
  }

  const hex = (n) => "0x" + BigInt(n).toString(16);

  async function sendTransaction(tx) {
    const from = E.getAddress(tx.from || wallet.address);
    if (from !== wallet.address) throw rpcError(4100, `The test wallet does not hold ${from}.`);
    const base = { from, to: tx.to, data: tx.data || "0x", value: tx.value || "0x0" };
    const gas = tx.gas || hex((BigInt(await node("eth_estimateGas", [base])) * 12n) / 10n);
    const nonce = await node("eth_getTransactionCount", [from, "pending"]);
    const gasPrice = await node("eth_gasPrice", []);
    const signed = await wallet.signTransaction({
      type: 2, chainId, nonce: Number(nonce), to: tx.to || null, data: base.data, value: BigInt(base.value),
      gasLimit: BigInt(gas), maxFeePerGas: BigInt(gasPrice) * 2n, maxPriorityFeePerGas: 1000000n,
    });
    return node("eth_sendRawTransaction", [signed]);
  }

  async function handle(method, params) {
    switch (method) {
      case "eth_requestAccounts":
        connected = true;
        memory.set("connected", true);
        return [wallet.address];
      case "eth_accounts":
        return connected ? [wallet.address] : [];
      case "eth_chainId":
        return hex(chainId);
      case "net_version":
        return String(chainId);
      case "wallet_switchEthereumChain": {
        const wanted = Number(params[0].chainId);
        if (!chains.has(wanted)) throw rpcError(4902, `Unrecognized chain ID ${params[0].chainId}. Try adding the chain using wallet_addEthereumChain first.`);
        if (wanted !== chainId) { chainId = wanted; memory.set("chainId", chainId); emit("chainChanged", hex(chainId)); }
        return null;
      }
      case "wallet_addEthereumChain":
        chains.set(Number(params[0].chainId), params[0].rpcUrls[0]);
        memory.set("addedChains", { ...memory.get("addedChains", {}), [Number(params[0].chainId)]: params[0].rpcUrls[0] });
        return null;
      case "personal_sign": {
        if (!connected) throw rpcError(4100, "Not connected.");
        return wallet.signMessage(E.getBytes(params[0]));
      }
      case "eth_signTypedData_v4": {
        if (!connected) throw rpcError(4100, "Not connected.");
        const typed = typeof params[1] === "string" ? JSON.parse(params[1]) : params[1];
        const types = { ...typed.types };
        delete types.EIP712Domain; // ethers derives the domain type itself
        if (typed.domain.chainId !== undefined && Number(typed.domain.chainId) !== chainId) {
          throw rpcError(-32602, `Typed data is for chain ${typed.domain.chainId}, the wallet is on ${chainId}.`);
        }
        return wallet.signTypedData(typed.domain, types, typed.message);
      }
      case "eth_sendTransaction":
        if (!connected) throw rpcError(4100, "Not connected.");
        return sendTransaction(params[0]);
      case "eth_sign":
      case "eth_signTransaction":
        throw rpcError(4200, `${method} is not supported.`);
      default:
        return node(method, params);
    }
  }

  const provider = {
    isChainMartTestWallet: true,
    async request({ method, params = [] }) {
      log.push(method);
      if (refuseNext && refuseNext === method) {
        refuseNext = null;
        throw rpcError(4001, "User rejected the request.");
      }
      return handle(method, params);
    },
    on(event, fn) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event).add(fn);
      return provider;
    },
    removeListener(event, fn) {
      listeners.get(event)?.delete(fn);
      return provider;
    },
  };

  const info = {
    uuid: "00000000-0000-4000-8000-00000000c0de",
    name: "ChainMart Test Wallet",
    icon: "data:image/svg+xml;base64," + btoa('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10" fill="#0b5cad"/></svg>'),
    rdns: "org.chainmart.testwallet",
  };
  const announce = () => window.dispatchEvent(new CustomEvent("eip6963:announceProvider", { detail: Object.freeze({ info, provider }) }));
  window.addEventListener("eip6963:requestProvider", announce);
  announce();
  window.ethereum = provider;

  // Test controls.
  window.__testWallet = {
    get address() { return wallet.address; },
    get chainId() { return chainId; },
    log,
    refuseNext(method) { refuseNext = method; },
    /** The user picks another network in the wallet (it answers for it with the same node). */
    switchChain(id) {
      if (!chains.has(Number(id))) chains.set(Number(id), config.rpcUrl);
      chainId = Number(id);
      memory.set("chainId", chainId);
      emit("chainChanged", hex(chainId));
    },
    switchAccount(privateKey) {
      wallet = new E.Wallet(privateKey);
      memory.set("key", privateKey);
      if (connected) emit("accountsChanged", [wallet.address]);
    },
  };
})();
