// Creators: register a work (SHA-256 computed here, checked against the server's), create, pause
// and resume license offers, revoke a certificate, and withdraw license income. Licensees: my
// licenses, and record a use of a licensed work (the usage report goes to IPFS).
import { Contract, hexlify } from "/static/vendor/ethers.min.js";
import { getJson, postJson, upload } from "../api.js";
import { assetInfo, loadAbi, loadConfig } from "../config.js";
import { eventOf, perform } from "../actions.js";
import { explain } from "../errors.js";
import { uploadFileOrNote } from "../evidence.js";
import { formatAmount, formatDate, parseAmount } from "../format.js";
import { needWallet, startShell } from "../shell.js";
import { h, Progress, replace } from "../ui.js";
import * as wallet from "../wallet.js";

const root = document.getElementById("creator");
let config;
let shownFor = null;

startShell();
loadConfig().then((c) => { config = c; wallet.onChange(() => show(false)); });

/** 0x-hex SHA-256 of a file, computed in the browser (SubtleCrypto needs HTTPS or localhost). */
export async function sha256Hex(file) {
  if (!globalThis.crypto?.subtle) throw new Error("This browser cannot hash files here: open the shop over HTTPS.");
  return hexlify(new Uint8Array(await crypto.subtle.digest("SHA-256", await file.arrayBuffer())));
}

async function show(force = true) {
  const state = wallet.getState();
  const gate = needWallet(state, "register works");
  if (gate) { shownFor = null; replace(root, gate); return; }
  const key = `${state.account}:${state.chainId}`;
  if (!force && shownFor === key) return;
  shownFor = key;
  const mine = h("section", { id: "my-works", "aria-labelledby": "my-works-title" });
  const income = h("section", { id: "license-income", "aria-labelledby": "income-title" });
  const licenses = h("section", { id: "my-licenses", "aria-labelledby": "my-licenses-title" });
  replace(root, registerSection(), mine, income, licenses);
  try {
    await Promise.all([myWorks(mine), licenseIncome(income), myLicenses(licenses)]);
  } catch (error) {
    root.append(h("p", { class: "error", role: "alert" }, await explain(error)));
  }
}

function registry(runner) {
  return loadAbi("CopyrightRegistry").then((abi) => new Contract(config.contracts.CopyrightRegistry, abi, runner || wallet.provider()));
}

function registerSection() {
  const progress = new Progress(h("div", { id: "register-progress" }));
  const title = h("input", { id: "work-title", required: true, maxlength: "200" });
  const description = h("textarea", { id: "work-description", maxlength: "5000" });
  const file = h("input", { id: "work-file", type: "file", required: true });
  const royalty = h("input", { id: "work-royalty", type: "number", min: "0", max: "100", step: "0.01", value: "5" });
  const digest = h("p", { id: "work-hash", class: "mono", "aria-live": "polite" });
  let hash = null;
  file.addEventListener("change", async () => {
    hash = null;
    replace(digest);
    if (!file.files[0]) return;
    try {
      replace(digest, "Hashing…");
      hash = await sha256Hex(file.files[0]);
      const existing = await (await registry()).workIdOf(hash);
      replace(digest, `SHA-256 ${hash}`, existing > 0n
        ? [h("br"), h("span", { class: "error" }, "Already registered as "), h("a", { href: `/works/${existing}` }, `work #${existing}`)]
        : [h("br"), h("span", { class: "ok" }, "Not registered yet.")]);
    } catch (error) { replace(digest, h("span", { class: "error" }, await explain(error))); }
  });
  const submit = h("button", { type: "submit", id: "register-work" }, "Register work");
  const form = h("form", { onsubmit: async (e) => {
    e.preventDefault();
    submit.disabled = true;
    try {
      if (!wallet.getState().session) throw new Error("Sign in first (button at the top): the work is stored through your session.");
      const chosen = file.files[0];
      hash = hash || await sha256Hex(chosen);
      progress.step("Uploading the work to IPFS…");
      const stored = await upload("work", chosen);
      // The server hashes what it stored: the two must agree, or the upload was altered on the way.
      if (stored.sha256.toLowerCase() !== hash.toLowerCase()) {
        throw new Error(`The server stored different bytes (SHA-256 ${stored.sha256}, this browser computed ${hash}). Nothing was registered.`);
      }
      progress.step("Storing the certificate's metadata on IPFS…");
      const metadata = await postJson("/api/metadata", {
        name: title.value.trim(), description: description.value.trim(), image: `ipfs://${stored.cid}`,
        attributes: [{ trait_type: "sha256", value: hash }, { trait_type: "media type", value: stored.mediaType }],
      });
      const bps = Math.round(Number(royalty.value || 0) * 100);
      const result = await perform("CopyrightRegistry", "registerWork", [hash, stored.cid, title.value.trim(), metadata.cid, bps], { progress });
      const registered = eventOf(result, "WorkRegistered");
      progress.done("Registered as ", h("a", { href: `/works/${registered?.args.workId}`, id: "new-work-link" }, `work #${registered?.args.workId}`),
        ` (content hash ${hash.slice(0, 10)}… matches the server's).`);
      form.reset();
      replace(digest);
      hash = null;
      myWorks(document.getElementById("my-works"));
    } catch (error) {
      if (!error.explained) progress.fail(await explain(error));
    } finally { submit.disabled = false; }
  } },
  h("div", { class: "field" }, h("label", { for: "work-title" }, "Title"), title),
  h("div", { class: "field" }, h("label", { for: "work-description" }, "Description"), description),
  h("div", { class: "field" }, h("label", { for: "work-file" }, "The work (image, video, PDF, text or JSON)"), file, digest),
  h("div", { class: "field" }, h("label", { for: "work-royalty" }, "Royalty on resales of the certificate (%)"), royalty),
  submit);
  return h("section", { class: "panel", id: "register", "aria-labelledby": "register-title" }, h("h2", { id: "register-title" }, "Register a work"), form, progress.el);
}

async function myWorks(el) {
  const { account } = wallet.getState();
  const body = await getJson(`/api/works?holder=${account}&per_page=50`);
  replace(el, h("h2", { id: "my-works-title" }, `Your works (${body.total})`),
    body.items.length ? h("ul", { class: "orders" }, body.items.map(workCard)) : h("p", {}, "You hold no certificates yet."));
}

function workCard(work) {
  const progress = new Progress(h("div", { class: "work-progress" }));
  const run = async (method, args, done) => {
    try {
      await perform("CopyrightRegistry", method, args, { progress });
      progress.done(done);
      setTimeout(() => show(true), 600);
    } catch (error) { if (!error.explained) progress.fail(await explain(error)); }
  };
  const revoke = h("div", { class: "actions" });
  const ask = h("button", { type: "button", class: "secondary", "data-action": "revoke", onclick: () => replace(revoke,
    h("span", {}, "Revoking ends every license for this work, for ever. "),
    h("button", { type: "button", class: "danger", "data-action": "confirm-revoke", onclick: () => run("revokeWork", [work.id], "Certificate revoked: no license for it is valid any more.") }, "Yes, revoke for ever"),
    h("button", { type: "button", class: "secondary", onclick: () => replace(revoke, ask) }, "Keep it")) }, "Revoke certificate…");
  replace(revoke, ask);
  return h("li", { class: "order", id: `work-${work.id}` },
    h("header", {}, h("h3", {}, h("a", { href: `/works/${work.id}` }, `#${work.id} ${work.title}`)),
      work.revoked ? h("span", { class: "badge bad" }, "Revoked") : h("span", { class: "badge" }, "Active")),
    h("dl", { class: "facts" },
      h("dt", {}, "SHA-256"), h("dd", { class: "mono" }, work.contentHash),
      h("dt", {}, "Registered"), h("dd", {}, formatDate(work.registeredAt))),
    offersList(work, run),
    work.revoked ? null : [offerForm(work, run), revoke],
    progress.el);
}

/** The work's offers (from /api/works/<id>), each with Pause or Resume. */
function offersList(work, run) {
  const el = h("div", { class: "table-wrap", id: `offers-${work.id}` });
  getJson(`/api/works/${work.id}`).then((full) => {
    if (!full.offers.length) { replace(el, h("p", { class: "hint" }, "No license offers yet.")); return; }
    replace(el, h("table", {},
      h("caption", { class: "hint" }, "License offers"),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Offer"), h("th", { scope: "col", class: "num" }, "Price"), h("th", { scope: "col", class: "num" }, "Sold"),
        h("th", { scope: "col" }, "Status"), h("th", { scope: "col" }, h("span", { class: "hint" }, "Action")))),
      h("tbody", {}, full.offers.map((offer) => {
        const asset = assetInfo(config, offer.asset);
        const toggle = h("button", {
          type: "button", class: "secondary", "data-action": offer.paused ? "resume-offer" : "pause-offer",
          onclick: () => run("setOfferPaused", [offer.id, !offer.paused],
            offer.paused ? `Offer #${offer.id} resumed: buyers can license again.` : `Offer #${offer.id} paused: nobody can buy it until you resume it.`),
        }, offer.paused ? "Resume" : "Pause");
        return h("tr", { id: `offer-row-${offer.id}`, dataset: { offerId: offer.id } },
          h("td", {}, `#${offer.id} `, h("a", { href: `/ipfs/${offer.termsCid}` }, "terms")),
          h("td", { class: "num" }, formatAmount(offer.price, asset)),
          h("td", { class: "num" }, Number(offer.maxLicenses) ? `${offer.sold} of ${offer.maxLicenses}` : String(offer.sold)),
          h("td", { class: "offer-status" }, offer.paused ? "Paused" : "On sale"),
          h("td", {}, work.revoked ? "" : toggle));
      }))));
  }).catch(async (error) => replace(el, h("p", { class: "error" }, await explain(error))));
  return el;
}

function offerForm(work, run) {
  const id = (name) => `${name}-${work.id}`;
  const price = h("input", { id: id("offer-price"), required: true, inputmode: "decimal", size: "8" });
  const asset = h("select", { id: id("offer-asset") }, config.assets.map((a) => h("option", { value: a.address }, a.symbol)));
  const days = h("input", { id: id("offer-days"), type: "number", min: "0", step: "any", value: "30", "aria-describedby": id("offer-hint") });
  const max = h("input", { id: id("offer-max"), type: "number", min: "0", value: "0" });
  const commercial = h("input", { id: id("offer-commercial"), type: "checkbox" });
  const transferable = h("input", { id: id("offer-transferable"), type: "checkbox" });
  const terms = h("textarea", { id: id("offer-terms"), required: true, maxlength: "20000", placeholder: "What the licensee may do." });
  const field = (input, label) => h("div", { class: "field" }, h("label", { for: input.id }, label), input);
  const check = (input, label) => h("div", { class: "field check" }, input, h("label", { for: input.id }, label));
  const form = h("form", { onsubmit: async (e) => {
    e.preventDefault();
    try {
      if (!wallet.getState().session) throw new Error("Sign in first (button at the top): the terms are stored through your session.");
      const chosen = assetInfo(config, asset.value);
      const amount = parseAmount(price.value, chosen);
      const stored = await upload("license", new File([terms.value.trim()], "terms.txt", { type: "text/plain" }));
      await run("createOffer", [work.id, chosen.address, amount, Math.round(Number(days.value || 0) * 86400), Number(max.value || 0),
        commercial.checked, transferable.checked, stored.cid], "Offer created: buyers can license the work on its page.");
    } catch (error) { if (!error.explained) document.querySelector(`#work-${work.id} .work-progress`).textContent = await explain(error); }
  } },
  h("div", { class: "filters" }, field(price, "Price"), field(asset, "Currency"), field(days, "Duration (days)"), field(max, "Licenses for sale"),
    check(commercial, "Commercial use"), check(transferable, "Transferable"),
    h("p", { class: "hint", id: id("offer-hint") }, "Duration 0: perpetual. Licenses 0: unlimited.")),
  field(terms, "License terms"),
  h("button", { type: "submit", "data-action": "create-offer" }, "Create offer"));
  return h("details", { class: "offer" }, h("summary", {}, "Create a license offer"), form);
}

async function licenseIncome(el) {
  const { account } = wallet.getState();
  const contract = await registry();
  const credits = await Promise.all(config.assets.map(async (asset) => ({ asset, credit: await contract.creditOf(account, asset.address) })));
  const owed = credits.filter((c) => c.credit > 0n);
  const progress = new Progress(h("div", { id: "income-progress" }));
  replace(el, h("h2", { id: "income-title" }, "License income"),
    owed.length ? h("ul", {}, owed.map(({ asset, credit }) => h("li", {}, `${formatAmount(credit, asset)} `,
      h("button", { type: "button", "data-action": "withdraw-income", onclick: async () => {
        try {
          await perform("CopyrightRegistry", "withdraw", [asset.address], { progress });
          progress.done(`Withdrew ${formatAmount(credit, asset)}.`);
          setTimeout(() => show(true), 600);
        } catch (error) { if (!error.explained) progress.fail(await explain(error)); }
      } }, `Withdraw ${asset.symbol}`)))) : h("p", {}, "Nothing to withdraw."),
    progress.el);
}

// ---------------------------------------------------------------- licensees

const USE_KINDS = ["web publication", "print run", "broadcast", "exhibition", "advertising", "other"];

async function myLicenses(el) {
  const { account } = wallet.getState();
  const body = await getJson(`/api/licenses?account=${account}`);
  replace(el, h("h2", { id: "my-licenses-title" }, `My licenses (${body.items.length})`),
    h("datalist", { id: "use-kinds" }, USE_KINDS.map((k) => h("option", { value: k }))),
    body.items.length ? h("ul", { class: "items" }, body.items.map(licenseCard))
      : h("p", {}, "You hold no licenses. Buy one on a work's page."));
}

function licenseCard(license) {
  const progress = new Progress(h("div", { class: "license-progress" }));
  const expires = BigInt(license.expiresAt);
  const status = license.valid
    ? (expires >= 2n ** 64n - 1n ? "Valid, perpetual" : `Valid until ${formatDate(license.expiresAt)}`)
    : license.revoked ? "Not valid: the work's certificate was revoked" : "Not valid: expired or given up";
  return h("li", { class: "item", id: `license-${license.workId}` },
    h("header", {}, h("h3", {}, h("a", { href: `/works/${license.workId}` }, `#${license.workId} ${license.title}`)),
      h("span", { class: `badge ${license.valid ? "" : "bad"}`, "data-testid": "license-status" }, license.valid ? "Valid" : "Not valid")),
    h("dl", { class: "facts" },
      h("dt", {}, "Status"), h("dd", {}, status),
      h("dt", {}, "Use"), h("dd", {}, `${license.commercial ? "Commercial" : "Non-commercial"}, ${license.transferable ? "transferable" : "not transferable"}`),
      h("dt", {}, "Uses recorded"), h("dd", { class: "license-uses" }, license.uses.length
        ? h("ul", {}, license.uses.map((use) => h("li", {}, `${use.kind} `, use.usageCid ? h("a", { href: `/ipfs/${use.usageCid}` }, "report") : null)))
        : "none yet")),
    license.valid ? useForm(license, progress) : null,
    progress.el);
}

function useForm(license, progress) {
  const id = (name) => `${name}-${license.workId}`;
  const kind = h("input", { id: id("use-kind"), required: true, maxlength: "100", list: "use-kinds", placeholder: "web publication, print run…" });
  const report = h("textarea", { id: id("use-report"), maxlength: "4000", placeholder: "Where and how the work was used: title, address, print run, dates." });
  const file = h("input", { id: id("use-file"), type: "file", accept: "image/*,application/pdf,text/plain,video/mp4,video/webm" });
  const submit = h("button", { type: "submit", "data-action": "record-use" }, "Record use");
  const form = h("form", { onsubmit: async (e) => {
    e.preventDefault();
    submit.disabled = true;
    try {
      const cid = await uploadFileOrNote(file, report, progress, { name: "usage.txt", what: "the usage report" });
      await perform("CopyrightRegistry", "recordUse", [license.workId, kind.value.trim(), cid], { progress });
      progress.done(`Use recorded on chain: "${kind.value.trim()}".`);
      setTimeout(() => myLicenses(document.getElementById("my-licenses")), 1200);
    } catch (error) {
      if (!error.explained) progress.fail(await explain(error));
    } finally { submit.disabled = false; }
  } },
  h("div", { class: "field" }, h("label", { for: kind.id }, "Kind of use"), kind),
  h("div", { class: "field" }, h("label", { for: report.id }, "Usage report"), report),
  h("div", { class: "field" }, h("label", { for: file.id }, "Or a file (proof of use)"), file),
  submit);
  return h("details", { class: "edit" }, h("summary", {}, "Record a use"), form);
}
