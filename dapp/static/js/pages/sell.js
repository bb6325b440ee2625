// The seller's page: apply, orders to ship, disputes, new listings (plain or traced: units that are
// provenance tokens), listings with their edits, earnings with a sales chart, withdrawals.
import { Contract } from "/static/vendor/ethers.min.js";
import { getJson, postJson, upload, ApiError } from "../api.js";
import { assetInfo, loadAbi, loadConfig } from "../config.js";
import { eventOf, perform } from "../actions.js";
import { renderBalances } from "../balances.js";
import { explain } from "../errors.js";
import { formatAmount, parseAmount } from "../format.js";
import { listingItem, tokenPicker } from "../listing_editor.js";
import { orderCard } from "../order_card.js";
import { salesChart } from "../sales_chart.js";
import { needWallet, startShell } from "../shell.js";
import { h, Progress, replace } from "../ui.js";
import * as wallet from "../wallet.js";

const root = document.getElementById("seller");
let config;
let shownFor = null;

startShell();
loadConfig().then((c) => { config = c; wallet.onChange(() => show(false)); });

async function show(force = true) {
  const state = wallet.getState();
  const gate = needWallet(state, "sell");
  if (gate) { shownFor = null; replace(root, gate); return; }
  const key = `${state.account}:${state.chainId}`;
  if (!force && shownFor === key) return;
  shownFor = key;
  try {
    const market = new Contract(config.contracts.Marketplace, await loadAbi("Marketplace"), wallet.provider());
    const seller = await market.getSeller(state.account);
    const status = ["None", "Applied", "Approved", "Suspended"][Number(seller.status)];
    if (status !== "Approved") { replace(root, applySection(status)); return; }
    const freeTokens = await unlistedTokens(state.account);
    const sections = {
      ship: h("section", { id: "to-ship", "aria-labelledby": "to-ship-title" }),
      disputes: h("section", { id: "disputes", "aria-labelledby": "disputes-title" }),
      create: createListingSection(freeTokens),
      listings: h("section", { id: "my-listings", "aria-labelledby": "my-listings-title" }),
      earnings: h("section", { id: "earnings", "aria-labelledby": "earnings-title" }),
      chart: h("section", { id: "sales", "aria-labelledby": "sales-title" }),
    };
    replace(root, Object.values(sections));
    await Promise.all([
      ordersSection(sections.ship, "to-ship-title", "Orders to ship", "Paid", "No orders waiting to ship."),
      ordersSection(sections.disputes, "disputes-title", "Disputes", "Disputed", "No open disputes."),
      listingsSection(sections.listings, freeTokens),
      earningsSection(sections.earnings),
      salesChart(sections.chart, state.account, config),
    ]);
  } catch (error) {
    replace(root, h("p", { class: "error", role: "alert" }, await explain(error)));
  }
}

async function ordersSection(el, titleId, title, state, empty) {
  const { account } = wallet.getState();
  const body = await getJson(`/api/orders?seller=${account}&state=${state}&per_page=50`);
  replace(el, h("h2", { id: titleId }, `${title} (${body.total})`),
    body.items.length
      ? h("ul", { class: "orders" }, body.items.map((order) => orderCard(order, { role: "seller", asset: assetInfo(config, order.asset), onChanged: () => show(true) })))
      : h("p", {}, empty));
}

/** Provenance tokens the seller holds that no listing holds and that are not recalled: sellable. */
async function unlistedTokens(account) {
  const body = await getJson(`/api/provenance?holder=${account}&recalled=false&per_page=100`);
  return body.items.filter((t) => t.listingId === null);
}

async function listingsSection(el, freeTokens, message = null) {
  const { account } = wallet.getState();
  const body = await getJson(`/api/listings?seller=${account}&per_page=100`);
  const progress = new Progress(h("div", { id: "listings-progress" }));
  if (message) progress.done(message);
  // After an edit, redraw the listings (fresh from the index) and say what changed above them.
  const onChanged = (done) => unlistedTokens(account).then((free) => listingsSection(el, free, done));
  replace(el, h("h2", { id: "my-listings-title" }, `My listings (${body.total})`), progress.el,
    body.items.length
      ? h("ul", { class: "items" }, body.items.map((listing) => listingItem(listing, { config, freeTokens, onChanged })))
      : h("p", {}, "No listings yet."));
}

async function earningsSection(el) {
  const { account } = wallet.getState();
  let sales = null;
  try { sales = (await getJson(`/api/sellers/${account}`)).sales; } catch (error) { if (!(error instanceof ApiError)) throw error; }
  const table = h("div", { id: "earnings-balances" });
  replace(el, h("h2", { id: "earnings-title" }, "Earnings"),
    sales && sales.perAsset.length ? h("div", { class: "table-wrap" }, h("table", {},
      h("thead", {}, h("tr", {}, h("th", {}, "Currency"), h("th", { class: "num" }, "Orders"), h("th", { class: "num" }, "Sold"),
        h("th", { class: "num" }, "In escrow"), h("th", { class: "num" }, "Earned (after fees)"))),
      h("tbody", {}, sales.perAsset.map((row) => {
        const asset = assetInfo(config, row.asset);
        return h("tr", {}, h("th", { scope: "row" }, asset.symbol), h("td", { class: "num" }, String(row.orders)),
          h("td", { class: "num" }, formatAmount(row.volume, asset, { symbol: false })),
          h("td", { class: "num" }, formatAmount(row.inEscrow, asset, { symbol: false })),
          h("td", { class: "num" }, formatAmount(row.revenue, asset, { symbol: false })));
      })))) : h("p", {}, "No sales yet."),
    h("h3", {}, "Withdraw"), table);
  await renderBalances(table);
}

function applySection(status) {
  if (status === "Applied") return h("p", { class: "panel", id: "seller-status" }, "Your seller application is waiting for an admin's approval.");
  if (status === "Suspended") return h("p", { class: "panel error", id: "seller-status" }, "Your seller account is suspended: your listings cannot be bought. Orders already placed run to their end.");
  const progress = new Progress(h("div"));
  const name = h("input", { id: "shop-name", required: true, maxlength: "100" });
  const about = h("textarea", { id: "shop-about", maxlength: "2000" });
  return h("section", { class: "panel", id: "apply" }, h("h2", {}, "Become a seller"),
    h("p", {}, "Sellers are approved by the platform's admin. Tell buyers who you are."),
    h("form", { onsubmit: async (e) => {
      e.preventDefault();
      try {
        if (!wallet.getState().session) throw new Error("Sign in first (button at the top): your profile is stored through your session.");
        progress.step("Storing your profile on IPFS…");
        const doc = JSON.stringify({ name: name.value.trim(), description: about.value.trim() });
        const stored = await upload("profile", new File([doc], "profile.json", { type: "application/json" }));
        await perform("Marketplace", "applyAsSeller", [stored.cid], { progress });
        progress.done("Application sent: an admin will review it.");
      } catch (error) { if (!error.explained) progress.fail(await explain(error)); }
    } },
    h("div", { class: "field" }, h("label", { for: "shop-name" }, "Shop name"), name),
    h("div", { class: "field" }, h("label", { for: "shop-about" }, "About your shop"), about),
    h("button", { type: "submit" }, "Apply")), progress.el);
}

function createListingSection(freeTokens) {
  const progress = new Progress(h("div", { id: "create-progress" }));
  const field = (id, label, input) => h("div", { class: "field" }, h("label", { for: id }, label), input);
  const title = h("input", { id: "new-title", required: true, maxlength: "200" });
  const description = h("textarea", { id: "new-description", maxlength: "5000" });
  const category = h("input", { id: "new-category", maxlength: "60", placeholder: "food, home, clothing…" });
  const image = h("input", { id: "new-image", type: "file", accept: "image/png,image/jpeg,image/gif,image/webp", required: true });
  const price = h("input", { id: "new-price", required: true, inputmode: "decimal", size: "10" });
  const asset = h("select", { id: "new-asset" }, config.assets.map((a) => h("option", { value: a.address }, a.symbol)));
  const stock = h("input", { id: "new-stock", type: "number", min: "1", max: "4294967295", value: "1", required: true });
  let picker = tokenPicker(freeTokens, "new");
  const traced = h("input", { id: "new-traced", type: "checkbox" });
  const tracedBox = h("div", { id: "new-tokens", hidden: true }, picker.el);
  traced.addEventListener("change", () => {
    tracedBox.hidden = !traced.checked;
    stock.disabled = traced.checked;  // a traced listing's stock is its number of tokens
  });
  const shipDays = h("input", { id: "new-ship-days", type: "number", min: "0", step: "any", value: "0", "aria-describedby": "window-hint" });
  const confirmDays = h("input", { id: "new-confirm-days", type: "number", min: "0", step: "any", value: "0", "aria-describedby": "window-hint" });
  const submit = h("button", { type: "submit", id: "create-listing" }, "List product");
  const form = h("form", { onsubmit: async (e) => {
    e.preventDefault();
    submit.disabled = true;
    try {
      if (!wallet.getState().session) throw new Error("Sign in first (button at the top): photos are stored through your session.");
      const chosen = assetInfo(config, asset.value);
      const amount = parseAmount(price.value, chosen);
      if (amount === 0n) throw new Error("The price must be more than zero.");
      const tokens = traced.checked ? picker.chosen() : [];
      if (traced.checked && !tokens.length) throw new Error("Choose the provenance tokens this listing sells (one unit each).");
      progress.step("Uploading the photo to IPFS…");
      const photo = await upload("product-image", image.files[0]);
      progress.step("Storing the product description on IPFS…");
      const metadata = await postJson("/api/metadata", {
        name: title.value.trim(), description: description.value.trim(), image: `ipfs://${photo.cid}`,
        ...(category.value.trim() ? { attributes: [{ trait_type: "category", value: category.value.trim() }] } : {}),
      });
      const seconds = (days) => Math.round(Number(days.value || 0) * 86400);
      const result = traced.checked
        ? await perform("Marketplace", "listTraced",
          [amount, chosen.address, tokens, seconds(shipDays), seconds(confirmDays), metadata.cid], { progress })
        : await perform("Marketplace", "list",
          [amount, chosen.address, Number(stock.value), seconds(shipDays), seconds(confirmDays), metadata.cid], { progress });
      const listed = eventOf(result, "Listed");
      progress.done("Listed. ", h("a", { href: `/listings/${listed?.args.listingId}`, id: "new-listing-link" }, "See the product page"));
      form.reset();
      tracedBox.hidden = true;
      stock.disabled = false;
      const listings = document.getElementById("my-listings");
      // The tokens just listed leave both pickers: this form's and the listings' "add tokens".
      unlistedTokens(wallet.getState().account).then((free) => {
        picker = tokenPicker(free, "new");
        replace(tracedBox, picker.el);
        return listingsSection(listings, free);
      }).catch(() => {});
    } catch (error) {
      if (!error.explained) progress.fail(await explain(error));
    } finally { submit.disabled = false; }
  } },
  field("new-title", "Title", title), field("new-description", "Description", description), field("new-category", "Category", category),
  field("new-image", "Photo (PNG, JPEG, GIF or WebP)", image),
  h("div", { class: "field check" }, traced, h("label", { for: "new-traced" }, "Sell provenance tokens (each unit comes with its token and trail)")),
  tracedBox,
  h("div", { class: "filters" }, field("new-price", "Price", price), field("new-asset", "Currency", asset), field("new-stock", "Stock", stock),
    field("new-ship-days", "Ship within (days)", shipDays), field("new-confirm-days", "Buyer confirms within (days)", confirmDays),
    h("p", { class: "hint", id: "window-hint" }, "0 takes the defaults for physical goods.")),
  submit);
  return h("section", { id: "create", class: "panel", "aria-labelledby": "create-title" }, h("h2", { id: "create-title" }, "Create a listing"), form, progress.el);
}
