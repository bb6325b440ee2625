// Traceability: producers mint provenance tokens (the product passport is ERC-721 metadata on
// IPFS), and everyone who may record a token's journey does it here: events with evidence,
// corrections, authorised carriers, recalls. Tokens come from the event index (/api/provenance).
import { Contract } from "/static/vendor/ethers.min.js";
import { getJson, postJson, upload } from "../api.js";
import { loadAbi, loadConfig } from "../config.js";
import { eventOf, perform } from "../actions.js";
import { explain } from "../errors.js";
import { needWallet, startShell } from "../shell.js";
import { tokenCard } from "../token_card.js";
import { h, Progress, replace } from "../ui.js";
import * as wallet from "../wallet.js";

const root = document.getElementById("trace");
const MAX_BATCH_REF_BYTES = 31;
const MAX_UNITS = 20;
const TOKENS_PER_PAGE = 24;
let config;
let shownFor = null;

startShell();
loadConfig().then((c) => { config = c; wallet.onChange(() => show(false)); });

async function show(force = true, message = null) {
  const state = wallet.getState();
  const gate = needWallet(state, "trace products");
  if (gate) { shownFor = null; replace(root, gate); return; }
  const key = `${state.account}:${state.chainId}`;
  if (!force && shownFor === key) return;
  shownFor = key;
  try {
    const token = new Contract(config.contracts.ProvenanceToken, await loadAbi("ProvenanceToken"), wallet.provider());
    const producer = await token.isProducer(state.account);
    const progress = new Progress(h("div", { id: "trace-progress" }));
    if (message) progress.done(message);
    const held = h("section", { id: "held-tokens", "aria-labelledby": "held-title" });
    const made = h("section", { id: "made-tokens", "aria-labelledby": "made-title" });
    replace(root, progress.el,
      producer ? mintSection() : h("p", { class: "panel", id: "not-producer" },
        "Minting is for producers: active sellers, and accounts the admin made producers. You can still record events on tokens you hold or were authorised for."),
      held, made, otherTokenSection());
    await Promise.all([heldTokens(held), madeTokens(made, producer)]);
  } catch (error) {
    replace(root, h("p", { class: "error", role: "alert" }, await explain(error)));
  }
}

const changed = (message) => show(true, message);

async function heldTokens(el) {
  const { account } = wallet.getState();
  await tokenList(el, `/api/provenance?holder=${account}`, "held", "Tokens you hold", "You hold no provenance tokens.");
}

async function madeTokens(el, producer) {
  const { account } = wallet.getState();
  if (!producer) { replace(el); return; }
  await tokenList(el, `/api/provenance?producer=${account}&not_holder=${account}`, "made",
    "Tokens you made, held by others", "None yet: tokens you sell move to their buyers when the order completes.");
}

// A titled list of token cards, TOKENS_PER_PAGE at a time, with a button for the next page.
async function tokenList(el, url, name, title, empty) {
  const { account } = wallet.getState();
  const list = h("ul", { class: "items" });
  const more = h("button", { type: "button", class: "secondary", id: `${name}-more` }, "Show more");
  let page = 0;
  const next = async () => {
    page += 1;
    const body = await getJson(`${url}&page=${page}&per_page=${TOKENS_PER_PAGE}`);
    list.append(...body.items.map((t) => tokenCard(t, { account, onChanged: changed })));
    more.hidden = page >= body.pages;
    return body;
  };
  more.addEventListener("click", async () => {
    more.disabled = true;
    try { await next(); } catch (error) { more.after(h("p", { class: "error", role: "alert" }, await explain(error))); }
    more.disabled = false;
  });
  const body = await next();
  replace(el, h("h2", { id: `${name}-title` }, `${title} (${body.total})`),
    body.total ? list : h("p", {}, empty), more);
}

function mintSection() {
  const progress = new Progress(h("div", { id: "mint-progress" }));
  const field = (input, label, hint) => h("div", { class: "field" }, h("label", { for: input.id }, label), input,
    hint ? h("span", { class: "hint" }, hint) : null);
  const name = h("input", { id: "passport-name", required: true, maxlength: "200" });
  const description = h("textarea", { id: "passport-description", maxlength: "5000" });
  const origin = h("input", { id: "passport-origin", maxlength: "200", placeholder: "Huila, Colombia" });
  const materials = h("input", { id: "passport-materials", maxlength: "500", placeholder: "100% Arabica" });
  const certifications = h("input", { id: "passport-certifications", maxlength: "500", placeholder: "Fairtrade, EU organic" });
  const photo = h("input", { id: "passport-photo", type: "file", required: true, accept: "image/png,image/jpeg,image/gif,image/webp" });
  const batch = h("input", { id: "batch-ref", maxlength: "31", placeholder: "LOT-2026-0042" });
  const location = h("input", { id: "made-at", maxlength: "200", placeholder: "urn:epc:id:sgln:4012345.00001.0 or geo:4.0,-75.7" });
  const units = h("input", { id: "mint-units", type: "number", min: "1", max: String(MAX_UNITS), value: "1", required: true });
  const submit = h("button", { type: "submit", id: "mint" }, "Mint");
  const form = h("form", { onsubmit: async (e) => {
    e.preventDefault();
    submit.disabled = true;
    try {
      wallet.requireReady();
      if (!wallet.getState().session) throw new Error("Sign in first (button at the top): the passport is stored through your session.");
      const count = Number(units.value);
      if (!Number.isInteger(count) || count < 1 || count > MAX_UNITS) throw new Error(`Mint 1 to ${MAX_UNITS} units at a time.`);
      const ref = batch.value.trim();
      const refBytes = new TextEncoder().encode(ref).length;
      if (refBytes > MAX_BATCH_REF_BYTES) throw new Error(`The batch reference is ${refBytes} bytes long: at most ${MAX_BATCH_REF_BYTES}.`);
      progress.step("Uploading the product photo to IPFS…");
      const image = await upload("product-image", photo.files[0]);
      progress.step("Storing the product passport on IPFS…");
      const traits = [["origin", origin], ["materials", materials], ["certifications", certifications]]
        .filter(([, input]) => input.value.trim()).map(([trait, input]) => ({ trait_type: trait, value: input.value.trim() }));
      if (ref) traits.push({ trait_type: "batch", value: ref });
      const passport = await postJson("/api/metadata", {
        name: name.value.trim(), description: description.value.trim(), image: `ipfs://${image.cid}`, attributes: traits,
      });
      const minted = [];
      for (let i = 1; i <= count; i++) {
        if (count > 1) progress.step(`Minting unit ${i} of ${count}…`);
        const result = await perform("ProvenanceToken", "mint", [passport.cid, ref, location.value.trim()], { progress });
        minted.push(eventOf(result, "ProvenanceMinted")?.args.tokenId);
      }
      form.reset();
      show(true, `Minted ${minted.map((id) => `token #${id}`).join(", ")}: each has its passport and a Commissioning event. Record its journey below.`);
    } catch (error) {
      if (!error.explained) progress.fail(await explain(error));
    } finally { submit.disabled = false; }
  } },
  field(name, "Product name"), field(description, "Description"),
  h("div", { class: "filters" }, field(origin, "Origin"), field(materials, "Materials"), field(certifications, "Certifications")),
  field(photo, "Product photo (PNG, JPEG, GIF or WebP)"),
  h("div", { class: "filters" },
    field(batch, "Batch or serial reference", "At most 31 bytes."),
    field(location, "Made at", "A GS1 location (SGLN) or geo: coordinates."),
    field(units, "Units", "One token per unit.")),
  submit);
  return h("section", { class: "panel", id: "mint-section", "aria-labelledby": "mint-title" },
    h("h2", { id: "mint-title" }, "Mint provenance tokens"),
    h("p", { class: "hint" }, "The passport (name, photo, origin, materials, certifications) is stored on IPFS; its CID goes on chain with the token."),
    form, progress.el);
}

/** A carrier or inspector authorised for someone else's token opens it by number. */
function otherTokenSection() {
  const number = h("input", { id: "other-token", inputmode: "numeric", required: true, size: "8" });
  const found = h("div", { id: "other-token-card" });
  const form = h("form", { class: "actions", onsubmit: async (e) => {
    e.preventDefault();
    const { account } = wallet.getState();
    try {
      if (!/^\d+$/.test(number.value.trim())) throw new Error("Enter a token number, like 12.");
      const token = await getJson(`/api/provenance/${number.value.trim()}`);
      const contract = new Contract(config.contracts.ProvenanceToken, await loadAbi("ProvenanceToken"), wallet.provider());
      if (!(await contract.canAppend(token.tokenId, account))) {
        throw new Error(`You may not add events to token #${token.tokenId}: its producer or holder must authorise you first.`);
      }
      const last = token.trail[token.trail.length - 1];
      replace(found, h("ul", { class: "items" }, tokenCard({
        tokenId: token.tokenId, producer: token.origin.producer, holder: token.holder, passportCid: token.origin.passportCid,
        batchRef: token.origin.batchRef, events: token.trail.length, lastStep: last?.step, lastEventAt: last?.time,
        recalled: token.recalled, listingId: null,
      }, { account, onChanged: changed })));
    } catch (error) { replace(found, h("p", { class: "error", role: "alert" }, await explain(error))); }
  } }, h("div", { class: "field" }, h("label", { for: number.id }, "Token number"), number), h("button", { type: "submit" }, "Open"));
  return h("section", { id: "other-token-section", "aria-labelledby": "other-title" },
    h("h2", { id: "other-title" }, "A token you were authorised for"), form, found);
}
