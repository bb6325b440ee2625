// A seller's listing as a card with its edits: price and stock, pause or resume, description and
// photo (a new metadata document on IPFS), and for traced listings more provenance tokens.
// Each change is one call (setPrice, setStock, setListingPaused, setListingMetadata,
// addListingTokens), gasless or as a transaction, as the wallet bar says.
import { getJson, postJson, upload } from "./api.js";
import { assetInfo } from "./config.js";
import { perform } from "./actions.js";
import { explain } from "./errors.js";
import { formatAmount, ipfsUrl, parseAmount } from "./format.js";
import { h, Progress, replace } from "./ui.js";
import * as wallet from "./wallet.js";

const UINT32_MAX = 4294967295;

/** listing: from /api/listings; options: {config, freeTokens (tokens the seller may add),
 * onChanged(message) after a change went through (the caller redraws, and says `message`)} */
export function listingItem(listing, { config, freeTokens = [], onChanged }) {
  const asset = assetInfo(config, listing.asset);
  const id = listing.id;
  const progress = new Progress(h("div", { class: "listing-progress", id: `listing-progress-${id}` }));
  const context = { asset, format: (v) => formatAmount(v, asset) };
  const title = listing.title || `Listing ${id}`;

  /** Run the calls in order; report `done` and refresh, or explain the failure. */
  const run = async (calls, done, button) => {
    if (button) button.disabled = true;
    try {
      wallet.requireReady();
      for (const [method, args] of calls) await perform("Marketplace", method, args, { progress, context });
      progress.done(done);
      onChanged?.(done);
    } catch (error) {
      if (!error.explained) progress.fail(await explain(error, context));
    } finally { if (button) button.disabled = false; }
  };

  const pause = h("button", {
    type: "button", class: "secondary", "data-action": listing.paused ? "resume" : "pause",
    onclick: () => run([["setListingPaused", [id, !listing.paused]]],
      listing.paused ? "Listing resumed: buyers can order it again." : "Listing paused: buyers cannot order it until you resume it.", pause),
  }, listing.paused ? "Resume listing" : "Pause listing");

  return h("li", { class: "item", id: `listing-${id}`, dataset: { listingId: id } },
    h("header", {},
      h("h3", {}, h("a", { href: `/listings/${id}` }, title)),
      h("span", {},
        listing.paused ? h("span", { class: "badge warn", "data-testid": "listing-status" }, "Paused") : h("span", { class: "badge", "data-testid": "listing-status" }, "On sale"),
        listing.traced ? [" ", h("span", { class: "badge traced" }, "Traced")] : null)),
    h("dl", { class: "facts" },
      h("dt", {}, "Price"), h("dd", { class: "listing-price" }, formatAmount(listing.price, asset)),
      h("dt", {}, "Stock"), h("dd", { class: "listing-stock" }, String(listing.stock), listing.traced ? " (provenance tokens)" : ""),
      h("dt", {}, "Orders"), h("dd", {}, String(listing.orderCount)),
      listing.category ? [h("dt", {}, "Category"), h("dd", {}, listing.category)] : null),
    h("div", { class: "actions" }, pause),
    priceAndStock(listing, asset, run, progress),
    describe(listing, run, progress),
    listing.traced ? addTokens(listing, freeTokens, run, progress) : null,
    progress.el);
}

function priceAndStock(listing, asset, run, progress) {
  const id = listing.id;
  const price = h("input", { id: `price-${id}`, required: true, inputmode: "decimal", size: "10",
    value: formatAmount(listing.price, asset, { symbol: false }).replace(/,/g, "") });
  const stock = listing.traced ? null : h("input", { id: `stock-${id}`, type: "number", min: "0", max: String(UINT32_MAX), required: true, value: String(listing.stock) });
  const save = h("button", { type: "submit", "data-action": "save-price-stock" }, "Save");
  const form = h("form", { class: "actions", onsubmit: async (e) => {
    e.preventDefault();
    const calls = [];
    let amount;
    try {
      amount = parseAmount(price.value, asset);
      if (amount === 0n) throw new Error("The price must be more than zero.");
    } catch (error) { progress.fail(error.message); return; }
    if (amount !== BigInt(listing.price)) calls.push(["setPrice", [id, amount]]);
    if (stock) {
      const units = Number(stock.value);
      if (!Number.isInteger(units) || units < 0 || units > UINT32_MAX) return progress.fail(`Stock is a whole number from 0 to ${UINT32_MAX}.`);
      if (units !== listing.stock) calls.push(["setStock", [id, units]]);
    }
    if (!calls.length) return progress.fail("Nothing changed: edit the price or the stock first.");
    const words = calls.map(([method]) => (method === "setPrice" ? `price ${formatAmount(amount, asset)}` : `stock ${stock.value}`)).join(", ");
    await run(calls, `Saved: ${words}.`, save);
  } },
  h("div", { class: "field" }, h("label", { for: `price-${id}` }, `Price (${asset.symbol})`), price),
  stock ? h("div", { class: "field" }, h("label", { for: `stock-${id}` }, "Stock"), stock) : null,
  save);
  return h("details", { class: "edit" }, h("summary", {}, "Change price", listing.traced ? "" : " or stock"), form);
}

function describe(listing, run, progress) {
  const id = listing.id;
  const name = h("input", { id: `title-${id}`, required: true, maxlength: "200", value: listing.title || "" });
  const text = h("textarea", { id: `description-${id}`, maxlength: "5000" }, listing.description || "");
  const category = h("input", { id: `category-${id}`, maxlength: "60", value: listing.category || "" });
  const photo = h("input", { id: `photo-${id}`, type: "file", accept: "image/png,image/jpeg,image/gif,image/webp" });
  const current = h("p", { class: "hint" });
  let metadata = null;
  const save = h("button", { type: "submit", "data-action": "save-description" }, "Save description");
  const details = h("details", { class: "edit" }, h("summary", {}, "Change description or photo"));
  details.addEventListener("toggle", async () => {
    if (!details.open || metadata) return;
    try {
      metadata = await getJson(`/ipfs/${listing.metadataCid}`);
      const image = ipfsUrl(metadata.image);
      replace(current, image ? ["Current photo: ", h("a", { href: image }, "open")] : "No photo yet.");
    } catch { replace(current, "The current description could not be loaded from IPFS: a new photo is then needed."); }
  });
  const form = h("form", { onsubmit: async (e) => {
    e.preventDefault();
    save.disabled = true;
    try {
      if (!wallet.getState().session) throw new Error("Sign in first (button at the top): photos and descriptions are stored through your session.");
      let image = metadata?.image;
      if (photo.files[0]) {
        progress.step("Uploading the photo to IPFS…");
        image = `ipfs://${(await upload("product-image", photo.files[0])).cid}`;
      }
      if (!image) throw new Error("Choose a photo: the listing's current one could not be read.");
      progress.step("Storing the new description on IPFS…");
      const attributes = (metadata?.attributes || []).filter((a) => String(a.trait_type).toLowerCase() !== "category");
      if (category.value.trim()) attributes.push({ trait_type: "category", value: category.value.trim() });
      const stored = await postJson("/api/metadata", {
        ...(metadata || {}), name: name.value.trim(), description: text.value.trim(), image, attributes,
      });
      save.disabled = false;
      await run([["setListingMetadata", [id, stored.cid]]], "Description saved: the catalog shows it once the new document is read.", save);
    } catch (error) {
      save.disabled = false;
      progress.fail(await explain(error));
    }
  } },
  h("div", { class: "field" }, h("label", { for: `title-${id}` }, "Title"), name),
  h("div", { class: "field" }, h("label", { for: `description-${id}` }, "Description"), text),
  h("div", { class: "field" }, h("label", { for: `category-${id}` }, "Category"), category),
  h("div", { class: "field" }, h("label", { for: `photo-${id}` }, "New photo (optional)"), photo, current),
  save);
  details.append(form);
  return details;
}

function addTokens(listing, freeTokens, run, progress) {
  const id = listing.id;
  const picker = tokenPicker(freeTokens, `add-${id}`);
  const add = h("button", { type: "submit", "data-action": "add-tokens" }, "Add to this listing");
  const form = h("form", { onsubmit: (e) => {
    e.preventDefault();
    const chosen = picker.chosen();
    if (!chosen.length) return progress.fail("Choose at least one provenance token.");
    run([["addListingTokens", [id, chosen]]], `Added ${chosen.length} unit${chosen.length === 1 ? "" : "s"}.`, add);
  } }, picker.el, freeTokens.length ? add : null);
  return h("details", { class: "edit" }, h("summary", {}, "Add provenance tokens"), form);
}

/** A checklist of provenance tokens (from /api/provenance); chosen() gives the ticked ids. */
export function tokenPicker(tokens, prefix) {
  if (!tokens.length) {
    return { el: h("p", { class: "hint" }, "You hold no unlisted provenance tokens: mint them on the ", h("a", { href: "/trace" }, "Traceability"), " page."), chosen: () => [] };
  }
  const boxes = tokens.map((t) => h("input", { type: "checkbox", value: t.tokenId, id: `${prefix}-token-${t.tokenId}` }));
  return {
    el: h("fieldset", {}, h("legend", {}, "Provenance tokens (one unit each)"),
      h("ul", { class: "token-choices" }, tokens.map((t, i) => h("li", {},
        h("label", { for: boxes[i].id }, boxes[i], `#${t.tokenId}${t.batchRef ? ` · ${t.batchRef}` : ""}`))))),
    chosen: () => boxes.filter((b) => b.checked).map((b) => BigInt(b.value)),
  };
}
