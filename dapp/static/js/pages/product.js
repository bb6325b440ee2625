// A product: photo, price in its currency, stock, seller rating, reviews, provenance, and checkout.
// Stablecoin listings are bought with an EIP-2612 permit and buyWithPermit, gasless through the
// relayer or as one transaction; ETH listings with buy() and the price as the value.
import { getJson } from "../api.js";
import { assetInfo, ETH, loadConfig } from "../config.js";
import { approve, canRelay, eventOf, perform, signPermit, token } from "../actions.js";
import { explain } from "../errors.js";
import { formatAmount, formatDate, ipfsUrl, shortAddress, stars } from "../format.js";
import { needWallet, startShell } from "../shell.js";
import { h, Progress, replace } from "../ui.js";
import * as wallet from "../wallet.js";

const root = document.getElementById("product");
const listingId = Number(root.dataset.listingId);
let config, listing, asset, metadata = null;
let checkoutEl = null;

startShell();
init().catch((error) => { root.removeAttribute("aria-busy"); replace(root, h("p", { class: "error", role: "alert" }, error.message)); });

async function init() {
  config = await loadConfig();
  listing = await getJson(`/api/listings/${listingId}`);
  asset = assetInfo(config, listing.asset);
  try { metadata = await getJson(`/ipfs/${listing.metadataCid}`); } catch { metadata = null; }
  render();
  wallet.onChange(() => renderCheckout());
}

function render() {
  const title = listing.title || metadata?.name || `Listing ${listing.id}`;
  document.title = `${title} · ChainMart`;
  const image = ipfsUrl(metadata?.image);
  const rating = listing.sellerRating;
  checkoutEl = h("section", { class: "panel", id: "checkout", "aria-labelledby": "checkout-title" });
  replace(root,
    h("div", { class: "media" }, image ? h("img", { class: "photo", src: image, alt: title }) : h("span", { class: "placeholder" }, "No photo")),
    h("div", {},
      h("h1", {}, title),
      h("p", { class: "price", id: "price" }, formatAmount(listing.price, asset)),
      listing.traced ? h("p", {}, h("span", { class: "badge traced", id: "provenance-badge" }, "Traced provenance"),
        " Each unit comes with a provenance token and its supply-chain trail.") : null,
      h("p", {}, listing.description || metadata?.description || ""),
      h("dl", { class: "facts" },
        h("dt", {}, "In stock"), h("dd", { id: "stock" }, String(listing.stock)),
        h("dt", {}, "Seller"), h("dd", {}, h("span", { class: "mono", title: listing.seller }, shortAddress(listing.seller)),
          listing.sellerStatus && listing.sellerStatus !== "Approved" ? h("span", { class: "badge bad" }, ` ${listing.sellerStatus}`) : null),
        h("dt", {}, "Seller rating"), h("dd", { id: "seller-rating" }, rating.count
          ? [h("span", { class: "stars", "aria-hidden": "true" }, stars(rating.average)), ` ${rating.average} of 5 (${rating.count} review${rating.count === 1 ? "" : "s"})`]
          : "No reviews yet"),
        h("dt", {}, "Ships within"), h("dd", {}, duration(listing.shipWindow)),
        h("dt", {}, "Buyer protection"), h("dd", {}, `Your payment stays in escrow until you confirm receipt, or ${duration(listing.confirmWindow)} after shipping.`)),
      checkoutEl),
    h("section", { class: "wide", "aria-labelledby": "reviews-title" },
      h("h2", { id: "reviews-title" }, `Reviews (${listing.reviewCount})`),
      listing.reviews.length ? h("ul", { class: "reviews", id: "reviews" }, listing.reviews.map(review)) : h("p", {}, "No reviews yet.")),
    listing.traced && listing.tokens.length ? h("section", { class: "wide" },
      h("h2", {}, "Provenance tokens for sale"),
      h("ul", {}, listing.tokens.map((id) => h("li", {}, h("a", { href: `/provenance/${id}` }, `Token #${id}: see its trail`))))) : null);
  root.removeAttribute("aria-busy");
  renderCheckout();
}

function review(item) {
  const text = h("p", { class: "review-text" });
  if (item.reviewCid) loadReviewText(item.reviewCid, text);
  return h("li", {},
    h("span", { class: "stars", "aria-label": `${item.rating} of 5 stars` }, stars(item.rating)),
    " ", h("span", { class: "hint" }, `${shortAddress(item.buyer)}, ${formatDate(item.timestamp)}`), text);
}

async function loadReviewText(cid, el) {
  try {
    const response = await fetch(`/ipfs/${cid}`);
    if (!response.ok) return;
    const type = response.headers.get("Content-Type") || "";
    if (type.startsWith("application/json")) {
      const doc = await response.json();
      replace(el, doc.text || doc.description || "");
    } else {
      replace(el, (await response.text()).slice(0, 2000));
    }
  } catch { /* the rating alone still shows */ }
}

function duration(seconds) {
  const s = Number(seconds);
  if (s % 86400 === 0) return `${s / 86400} day${s === 86400 ? "" : "s"}`;
  if (s % 3600 === 0) return `${s / 3600} hour${s === 3600 ? "" : "s"}`;
  return `${Math.round(s / 60)} minutes`;
}

function renderCheckout() {
  if (!checkoutEl) return;
  const state = wallet.getState();
  const heading = h("h2", { id: "checkout-title" }, "Buy");
  if (listing.stock === 0) return replace(checkoutEl, heading, h("p", { class: "badge warn" }, "Out of stock"));
  if (listing.paused) return replace(checkoutEl, heading, h("p", {}, "The seller has paused this listing."));
  const gate = needWallet(state, "buy");
  if (gate) return replace(checkoutEl, heading, gate);
  if (state.account === listing.seller) return replace(checkoutEl, heading, h("p", {}, "This is your listing."));

  const quantity = h("input", { id: "quantity", name: "quantity", type: "number", min: "1", max: String(listing.stock), value: "1", required: true, inputmode: "numeric" });
  const total = h("p", { id: "total", "aria-live": "polite" });
  const updateTotal = () => replace(total, "Total: ", h("strong", {}, formatAmount(BigInt(listing.price) * BigInt(Math.max(1, Number(quantity.value) || 1)), asset)));
  quantity.addEventListener("input", updateTotal);
  updateTotal();
  const isEth = listing.asset === ETH;
  const mode = h("p", { class: "hint", id: "checkout-mode" });
  describeMode(mode, isEth);
  const progress = new Progress(h("div", { id: "checkout-progress" }));
  const button = h("button", { type: "submit", id: "buy" }, "Buy now");
  const form = h("form", { onsubmit: (e) => { e.preventDefault(); buy(Number(quantity.value), button, progress); } },
    h("div", { class: "field" }, h("label", { for: "quantity" }, "Quantity"), quantity),
    total, mode, button);
  replace(checkoutEl, heading, form, progress.el);
}

async function describeMode(el, isEth) {
  if (isEth) return replace(el, "Paid in ETH: your wallet sends the payment as a transaction (you pay the gas).");
  const gasless = wallet.preferredMode() === "gasless" && (await canRelay("Marketplace", "buyWithPermit"));
  replace(el, gasless
    ? `Gasless: you sign a ${asset.symbol} payment permit and the order; the relayer pays the gas. You need no ETH.`
    : `Transaction: you sign a ${asset.symbol} payment permit, then send the order (you pay the gas).`);
}

async function buy(quantity, button, progress) {
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > listing.stock) {
    progress.fail(`Choose a quantity from 1 to ${listing.stock}.`);
    return;
  }
  button.disabled = true;
  const total = BigInt(listing.price) * BigInt(quantity);
  const market = config.contracts.Marketplace;
  const context = { asset, format: (v) => formatAmount(v, asset) };
  try {
    wallet.requireReady();
    let result;
    if (listing.asset === ETH) {
      result = await perform("Marketplace", "buy", [listing.id, quantity], { value: total, mode: "transaction", progress, context });
    } else if (asset.permit) {
      const balance = await token(asset.address).balanceOf(wallet.getState().account);
      if (balance < total) throw new Error(`Your ${asset.symbol} balance is too low: you have ${formatAmount(balance, asset)}, the order costs ${formatAmount(total, asset)}.`);
      const latest = await wallet.provider().getBlock("latest");
      const deadline = BigInt(latest.timestamp + 30 * 60);
      const { v, r, s } = await signPermit(asset, market, total, deadline, progress);
      result = await perform("Marketplace", "buyWithPermit", [listing.id, quantity, total, deadline, v, r, s], { progress, context });
    } else {
      await approve(asset, market, total, progress);
      result = await perform("Marketplace", "buyWithToken", [listing.id, quantity, total], { mode: "transaction", progress, context });
    }
    const placed = eventOf(result, "OrderPlaced");
    progress.done("Order placed: your payment is in escrow. ",
      h("a", { href: `/orders#order-${placed?.args.orderId ?? ""}`, id: "order-link" }, "See it in My orders"));
    listing = await getJson(`/api/listings/${listingId}`);
    replace(document.getElementById("stock"), String(listing.stock));
  } catch (error) {
    if (!error.explained) progress.fail(await explain(error, context));
  } finally {
    button.disabled = false;
  }
}
