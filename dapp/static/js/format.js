// Showing amounts, addresses, dates and order states to people.
import { formatUnits, parseUnits } from "/static/vendor/ethers.min.js";

export const ORDER_STATES = ["None", "Paid", "Shipped", "Disputed", "Completed", "Cancelled", "Rejected", "Reclaimed", "Settled", "Resolved"];
export const STATE_WORDS = {
  Paid: "Paid, waiting for shipping", Shipped: "Shipped", Disputed: "In dispute", Completed: "Completed",
  Cancelled: "Cancelled", Rejected: "Rejected by the seller", Reclaimed: "Refunded (not shipped in time)",
  Settled: "Settled", Resolved: "Resolved by an arbiter",
};

/** "18.5 tUSD" from base units and an asset ({symbol, decimals}). */
export function formatAmount(raw, asset, { symbol = true } = {}) {
  let text = formatUnits(BigInt(raw ?? 0), asset.decimals);
  if (text.includes(".")) text = text.replace(/0+$/, "").replace(/\.$/, "");
  const [whole, fraction] = text.split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const shown = fraction ? `${grouped}.${fraction}` : grouped;
  return symbol ? `${shown} ${asset.symbol}` : shown;
}

/** Base units from what a person typed ("18.5"), or throws a message in words. */
export function parseAmount(text, asset) {
  const cleaned = String(text).trim().replace(/,/g, "");
  if (!/^\d+(\.\d+)?$/.test(cleaned)) throw new Error(`Enter an amount like 12.50 (${asset.symbol}).`);
  const fraction = cleaned.split(".")[1] || "";
  if (fraction.length > asset.decimals) throw new Error(`${asset.symbol} has at most ${asset.decimals} decimals.`);
  return parseUnits(cleaned, asset.decimals);
}

export function shortAddress(address) {
  if (!address) return "";
  return `${address.slice(0, 6)}…${address.slice(-4)}`;
}

export function formatDate(seconds) {
  if (!seconds) return "";
  return new Date(Number(seconds) * 1000).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export function isoDate(seconds) {
  return new Date(Number(seconds) * 1000).toISOString();
}

export function stars(rating) {
  const n = Math.round(Number(rating) || 0);
  return "★".repeat(n) + "☆".repeat(Math.max(0, 5 - n));
}

export function ipfsUrl(reference) {
  if (!reference) return null;
  const cid = String(reference).replace(/^ipfs:\/\//, "");
  return `/ipfs/${cid}`;
}
