// Doing things on chain, the user's way: gasless (sign an ERC-2771 ForwardRequest; the relayer
// pays the gas) or a normal transaction (the wallet sends it; the user pays the gas).
// Every step shows in a Progress box; every failure is explained in words.
import { Contract, Interface, Signature, concat } from "/static/vendor/ethers.min.js";
import { getJson, postJson } from "./api.js";
import { ERC20_ABI, loadAbi, loadConfig } from "./config.js";
import { explain, RevertError } from "./errors.js";
import { getState, preferredMode, provider, requireReady, signer } from "./wallet.js";
import { sleep } from "./ui.js";

const FORWARD_REQUEST = [
  { name: "from", type: "address" },
  { name: "to", type: "address" },
  { name: "value", type: "uint256" },
  { name: "gas", type: "uint256" },
  { name: "nonce", type: "uint256" },
  { name: "deadline", type: "uint48" },
  { name: "data", type: "bytes" },
];
const REQUEST_LIFETIME = 15 * 60; // seconds a signed request stays valid
const POLL_MS = 400;

/** Can `contract.method` go through the relayer (with no ETH value)? */
export async function canRelay(contract, method, value = 0n) {
  const config = await loadConfig();
  return Boolean(config.relay.available && value === 0n && config.relay.functions[contract]?.includes(method));
}

/**
 * Run `contract.method(...args)` as the connected account.
 * options: {value, mode ("gasless" | "transaction"; default: the user's preference), progress, context, label}
 * Returns {txHash, block, events: [{contract, event, args}]} once mined; throws Error(message in words).
 */
export async function perform(contract, method, args, options = {}) {
  const { progress, context = {} } = options;
  const value = BigInt(options.value ?? 0);
  try {
    requireReady();
    const wanted = options.mode || preferredMode();
    const gasless = wanted === "gasless" && (await canRelay(contract, method, value));
    const result = gasless
      ? await relay(contract, method, args, progress)
      : await transact(contract, method, args, value, progress);
    progress?.step(`Confirmed in block ${result.block}. Updating the page…`);
    await waitForIndex(result.block);
    return result;
  } catch (error) {
    const message = await explain(error, { account: getState().account, ...context });
    progress?.fail(message);
    const wrapped = new Error(message);
    wrapped.cause = error;
    wrapped.explained = true;
    throw wrapped;
  }
}

async function transact(contract, method, args, value, progress) {
  const config = await loadConfig();
  const target = new Contract(config.contracts[contract], await loadAbi(contract), await signer());
  progress?.step("Confirm the transaction in your wallet (you pay the gas)…");
  const tx = await target[method](...args, { value });
  progress?.step(`Sent. Waiting for confirmation (transaction ${tx.hash.slice(0, 10)}…)`);
  const receipt = await tx.wait();
  if (!receipt || receipt.status !== 1) throw new Error("The transaction failed on chain.");
  return { txHash: receipt.hash, block: receipt.blockNumber, events: await decodeLogs(receipt.logs) };
}

async function relay(contract, method, args, progress) {
  const config = await loadConfig();
  const { account } = getState();
  const to = config.contracts[contract];
  const data = new Interface(await loadAbi(contract)).encodeFunctionData(method, args);
  const forwarderAddress = config.forwarder.address;
  const reader = provider();

  progress?.step("Checking the request…");
  // Simulate as the forwarder will call it (ERC-2771: the signer's address appended to the data),
  // so a doomed request is explained now and never signed.
  const estimate = await reader.estimateGas({ from: forwarderAddress, to, data: concat([data, account]) });
  const maxGas = BigInt(config.relay.maxGas);
  if (estimate > maxGas) {
    throw new Error(`This needs about ${estimate.toLocaleString()} gas, more than the relayer pays for (${maxGas.toLocaleString()}): choose "Transaction (you pay gas)" at the top, or do it in smaller steps.`);
  }
  const wanted = (estimate * 13n) / 10n + 20000n;
  const gas = wanted < maxGas ? wanted : maxGas;
  const forwarder = new Contract(forwarderAddress, await loadAbi("ChainMartForwarder"), reader);
  const [nonce, latest] = await Promise.all([forwarder.nonces(account), reader.getBlock("latest")]);
  const request = {
    from: account, to, value: 0n, gas, nonce, deadline: BigInt(latest.timestamp + REQUEST_LIFETIME), data,
  };
  const domain = { name: config.forwarder.name, version: config.forwarder.version, chainId: config.chainId, verifyingContract: forwarderAddress };

  progress?.step("Sign the request in your wallet (no gas: the relayer pays)…");
  const signature = await (await signer()).signTypedData(domain, { ForwardRequest: FORWARD_REQUEST }, request);

  progress?.step("Sent to the relayer: pending…");
  let job = await postJson("/api/relay", {
    request: {
      from: account, to, value: "0", gas: gas.toString(), nonce: nonce.toString(),
      deadline: request.deadline.toString(), data,
    },
    signature,
  });
  const started = Date.now();
  while (job.state === "pending" || job.state === "submitted") {
    progress?.step(job.state === "pending"
      ? "Queued at the relayer: pending…"
      : `Submitted by the relayer. Waiting for confirmation (transaction ${String(job.txHash).slice(0, 10)}…)`);
    if (Date.now() - started > 120000) throw new Error("The relayer has not confirmed the request after two minutes: check My orders later.");
    await sleep(POLL_MS);
    job = await getJson(`/api/relay/${job.id}`);
  }
  if (job.state === "failed") {
    if (job.error?.error) throw new RevertError(job.error.error, job.error.args || {});
    throw new Error(`The relayed call failed: ${job.error?.reason || "no reason given"}.`);
  }
  return { txHash: job.txHash, block: job.block, events: job.events || [] };
}

/** Wait (a few seconds at most) until the event index has read `block`, so lists are fresh. */
export async function waitForIndex(block, timeoutMs = 15000) {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    try {
      const status = await getJson("/api/index/status");
      if (status.lastBlock !== null && status.lastBlock >= block) return true;
    } catch { /* the page refreshes anyway */ }
    await sleep(250);
  }
  return false;
}

async function decodeLogs(logs) {
  const config = await loadConfig();
  const byAddress = new Map();
  for (const [name, address] of Object.entries(config.contracts)) {
    byAddress.set(address.toLowerCase(), { name, iface: new Interface(await loadAbi(name)) });
  }
  const events = [];
  for (const log of logs) {
    const known = byAddress.get(log.address.toLowerCase());
    if (!known) continue;
    try {
      const parsed = known.iface.parseLog(log);
      if (!parsed) continue;
      const args = {};
      parsed.fragment.inputs.forEach((input, i) => { args[input.name] = jsonable(parsed.args[i]); });
      events.push({ contract: known.name, event: parsed.name, args });
    } catch { /* not one of ours */ }
  }
  return events;
}

function jsonable(value) {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return value.map(jsonable);
  return value;
}

export function eventOf(result, name) {
  return result.events.find((e) => e.event === name);
}

// ---------------------------------------------------------------- ERC-20 payments

export function token(address, runner) {
  return new Contract(address, ERC20_ABI, runner || provider());
}

/** Sign an EIP-2612 permit letting `spender` take `value` of `asset` until `deadline`: {v, r, s}. */
export async function signPermit(asset, spender, value, deadline, progress) {
  const config = await loadConfig();
  const { account } = getState();
  const nonce = await token(asset.address).nonces(account);
  progress?.step(`Sign the payment permit for ${asset.symbol} in your wallet…`);
  const signature = await (await signer()).signTypedData(
    { name: asset.permit.name, version: asset.permit.version, chainId: config.chainId, verifyingContract: asset.address },
    { Permit: [
      { name: "owner", type: "address" }, { name: "spender", type: "address" }, { name: "value", type: "uint256" },
      { name: "nonce", type: "uint256" }, { name: "deadline", type: "uint256" },
    ] },
    { owner: account, spender, value, nonce, deadline },
  );
  const { v, r, s } = Signature.from(signature);
  return { v, r, s };
}

/** Approve `spender` for `value` of an ERC-20 with a normal transaction (tokens without permits). */
export async function approve(asset, spender, value, progress) {
  const contract = token(asset.address, await signer());
  progress?.step(`Approve ${asset.symbol} for the marketplace in your wallet…`);
  const tx = await contract.approve(spender, value);
  progress?.step("Waiting for the approval to confirm…");
  await tx.wait();
}
