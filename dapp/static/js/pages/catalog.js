// The catalog: search, category, currency and price filters, sorting and pages over GET /api/listings.
import { getJson } from "../api.js";
import { assetInfo, loadConfig } from "../config.js";
import { formatAmount, ipfsUrl, parseAmount, shortAddress } from "../format.js";
import { startShell } from "../shell.js";
import { h, replace } from "../ui.js";

const form = document.getElementById("catalog-filters");
const list = document.getElementById("catalog");
const status = document.getElementById("catalog-status");
const pager = document.getElementById("pager");
let config;

startShell();
init().catch((error) => replace(status, h("span", { class: "error" }, error.message)));

async function init() {
  const [loaded, categories] = await Promise.all([loadConfig(), getJson("/api/categories").catch(() => ({ items: [] }))]);
  config = loaded;
  const select = form.elements.asset;
  for (const asset of config.assets) select.append(h("option", { value: asset.address }, asset.symbol));
  for (const category of categories.items) {
    form.elements.category.append(h("option", { value: category.name }, `${category.name} (${category.listings})`));
  }
  // Restore the filters from the address, so a search can be shared and the back button works.
  const params = new URLSearchParams(location.search);
  for (const name of ["q", "category", "asset", "sort"]) if (params.get(name)) form.elements[name].value = params.get(name);
  form.elements.in_stock.checked = params.get("in_stock") === "true";
  togglePrices();
  const asset = selectedAsset();
  if (asset) {
    for (const name of ["min_price", "max_price"]) {
      if (params.get(name)) form.elements[name].value = formatAmount(params.get(name), asset, { symbol: false }).replace(/,/g, "");
    }
  }
  select.addEventListener("change", togglePrices);
  form.addEventListener("submit", (event) => { event.preventDefault(); search(1); });
  window.addEventListener("popstate", () => load(new URLSearchParams(location.search)));
  await load(params);
}

function selectedAsset() {
  const value = form.elements.asset.value;
  return value ? assetInfo(config, value) : null;
}

function togglePrices() {
  const asset = selectedAsset();
  for (const name of ["min_price", "max_price"]) {
    form.elements[name].disabled = !asset;
    form.elements[name].placeholder = asset ? asset.symbol : "";
    if (!asset) form.elements[name].value = "";
  }
}

function search(page) {
  const params = new URLSearchParams();
  const q = form.elements.q.value.trim();
  if (q) params.set("q", q);
  if (form.elements.category.value) params.set("category", form.elements.category.value);
  const asset = selectedAsset();
  try {
    if (asset) {
      params.set("asset", asset.address);
      for (const name of ["min_price", "max_price"]) {
        const text = form.elements[name].value.trim();
        if (text) params.set(name, parseAmount(text, asset).toString());
      }
    }
  } catch (error) {
    replace(status, h("span", { class: "error", role: "alert" }, error.message));
    return;
  }
  if (form.elements.in_stock.checked) params.set("in_stock", "true");
  if (form.elements.sort.value !== "newest") params.set("sort", form.elements.sort.value);
  if (page > 1) params.set("page", String(page));
  history.pushState(null, "", `${location.pathname}${params.size ? "?" + params : ""}`);
  load(params);
}

async function load(params) {
  replace(status, "Loading…");
  list.setAttribute("aria-busy", "true");
  const query = new URLSearchParams(params);
  query.set("per_page", query.get("per_page") || "12");
  let body;
  try {
    body = await getJson(`/api/listings?${query}`);
  } catch (error) {
    replace(status, h("span", { class: "error", role: "alert" }, error.message));
    list.removeAttribute("aria-busy");
    return;
  }
  replace(list, body.items.map(card));
  list.removeAttribute("aria-busy");
  replace(status, body.total === 0 ? "No listings match." : `${body.total} listing${body.total === 1 ? "" : "s"}.`);
  renderPager(body);
}

function card(listing) {
  const asset = assetInfo(config, listing.asset);
  const title = listing.title || `Listing ${listing.id}`;
  const cover = h("a", { class: "cover", href: `/listings/${listing.id}`, tabindex: "-1", "aria-hidden": "true" },
    h("span", { class: "placeholder" }, "No photo"));
  loadImage(listing, cover, title);
  return h("li", { class: "card", dataset: { listingId: listing.id } },
    cover,
    h("div", { class: "body" },
      h("h2", {}, h("a", { href: `/listings/${listing.id}` }, title)),
      h("span", { class: "price" }, formatAmount(listing.price, asset)),
      h("span", {}, listing.stock > 0 ? `${listing.stock} in stock` : h("span", { class: "badge warn" }, "Out of stock")),
      h("span", { class: "hint" }, listing.category ? `${listing.category} · ` : "", "Seller ", shortAddress(listing.seller)),
      listing.traced ? h("span", { class: "badge traced" }, "Traced provenance") : null,
      listing.paused ? h("span", { class: "badge warn" }, "Paused") : null));
}

async function loadImage(listing, cover, title) {
  if (!listing.metadataCid) return;
  try {
    const metadata = await getJson(`/ipfs/${listing.metadataCid}`);
    const url = ipfsUrl(metadata.image);
    if (url) replace(cover, h("img", { src: url, alt: title, loading: "lazy" }));
  } catch { /* keep the placeholder */ }
}

function renderPager(body) {
  if (body.pages <= 1) { replace(pager); return; }
  const go = (page) => h("button", { type: "button", class: "secondary", onclick: () => search(page) });
  const prev = go(body.page - 1); prev.textContent = "Previous"; prev.disabled = body.page <= 1;
  const next = go(body.page + 1); next.textContent = "Next"; next.disabled = body.page >= body.pages;
  replace(pager, prev, h("span", { "aria-live": "polite" }, `Page ${body.page} of ${body.pages}`), next);
}
