// A registered work: its certificate, license offers, buying a license, and your license's status.
import { getJson } from "../api.js";
import { assetInfo, ETH, loadConfig } from "../config.js";
import { approve, perform, token } from "../actions.js";
import { explain } from "../errors.js";
import { formatAmount, formatDate, shortAddress } from "../format.js";
import { needWallet, startShell } from "../shell.js";
import { h, Progress, replace } from "../ui.js";
import * as wallet from "../wallet.js";

const root = document.getElementById("work");
const workId = root.dataset.workId;
let config, work;
let mine = null;

startShell();
init().catch((error) => { root.removeAttribute("aria-busy"); replace(root, h("p", { class: "error", role: "alert" }, error.message)); });

async function init() {
  config = await loadConfig();
  await load();
  wallet.onChange(() => renderMine());
}

async function load() {
  work = await getJson(`/api/works/${workId}`);
  document.title = `${work.title} · ChainMart`;
  mine = h("section", { class: "panel", id: "my-license", "aria-live": "polite" });
  replace(root,
    h("h1", {}, work.title, " ", work.revoked ? h("span", { class: "badge bad", id: "work-status" }, "Revoked") : h("span", { class: "badge", id: "work-status" }, "Active")),
    h("dl", { class: "facts" },
      h("dt", {}, "Work"), h("dd", {}, `#${work.id}`),
      h("dt", {}, "Creator"), h("dd", { class: "mono", title: work.creator }, shortAddress(work.creator)),
      h("dt", {}, "Rights holder"), h("dd", { class: "mono", title: work.rightsHolder }, shortAddress(work.rightsHolder)),
      h("dt", {}, "SHA-256"), h("dd", { class: "mono" }, work.contentHash),
      h("dt", {}, "Content"), h("dd", {}, h("a", { href: `/ipfs/${work.contentCid}` }, work.contentCid)),
      h("dt", {}, "Registered"), h("dd", {}, formatDate(work.registeredAt)),
      h("dt", {}, "Royalty"), h("dd", {}, `${work.royaltyBps / 100} %`)),
    h("section", { "aria-labelledby": "offers-title" }, h("h2", { id: "offers-title" }, "License offers"),
      work.offers.length ? h("div", { class: "table-wrap" }, h("table", { id: "offers" },
        h("thead", {}, h("tr", {}, h("th", {}, "Offer"), h("th", { class: "num" }, "Price"), h("th", {}, "Term"), h("th", {}, "Use"), h("th", { class: "num" }, "Sold"), h("th", {}, h("span", { class: "hint" }, "Action")))),
        h("tbody", {}, work.offers.map(offerRow)))) : h("p", {}, "No offers yet.")),
    mine,
    h("p", {}, h("a", { href: `/licenses/verify?work=${work.id}` }, "Verify anyone's license for this work")));
  root.removeAttribute("aria-busy");
  renderMine();
}

function offerRow(offer) {
  const asset = assetInfo(config, offer.asset);
  const term = Number(offer.duration) === 0 ? "Perpetual" : `${Math.round(Number(offer.duration) / 86400 * 10) / 10} days`;
  const use = [offer.commercial ? "Commercial" : "Non-commercial", offer.transferable ? "transferable" : "not transferable"].join(", ");
  const soldOut = Number(offer.maxLicenses) > 0 && Number(offer.sold) >= Number(offer.maxLicenses);
  const progress = new Progress(h("div", { class: "offer-progress" }));
  const buy = h("button", { type: "button", "data-action": "buy-license", onclick: () => buyLicense(offer, asset, buy, progress) }, "Buy license");
  return h("tr", { id: `offer-${offer.id}` },
    h("td", {}, `#${offer.id} `, h("a", { href: `/ipfs/${offer.termsCid}` }, "terms")),
    h("td", { class: "num" }, formatAmount(offer.price, asset)),
    h("td", {}, term), h("td", {}, use),
    h("td", { class: "num" }, Number(offer.maxLicenses) ? `${offer.sold} of ${offer.maxLicenses}` : String(offer.sold)),
    h("td", {}, work.revoked ? "Revoked" : offer.paused ? "Paused" : soldOut ? "Sold out" : [buy, progress.el]));
}

async function buyLicense(offer, asset, button, progress) {
  button.disabled = true;
  try {
    wallet.requireReady();
    const price = BigInt(offer.price);
    if (offer.asset === ETH) {
      await perform("CopyrightRegistry", "buyLicense", [offer.id], { value: price, mode: "transaction", progress, context: { asset } });
    } else {
      const { account } = wallet.getState();
      const allowance = await token(asset.address).allowance(account, config.contracts.CopyrightRegistry);
      if (allowance < price) await approve(asset, config.contracts.CopyrightRegistry, price, progress);
      await perform("CopyrightRegistry", "buyLicense", [offer.id], { progress, context: { asset } });
    }
    progress.done("Licensed.");
    renderMine();
  } catch (error) {
    if (!error.explained) progress.fail(await explain(error));
  } finally { button.disabled = false; }
}

async function renderMine() {
  if (!mine) return;
  const state = wallet.getState();
  const gate = needWallet(state, "buy a license");
  if (gate) return replace(mine, gate);
  try {
    const verdict = await getJson(`/api/licenses/verify?work=${work.id}&account=${state.account}`);
    const expires = BigInt(verdict.license.expiresAt);
    replace(mine, h("h2", {}, "Your license"),
      h("p", { class: `verdict ${verdict.valid ? "valid" : "invalid"}`, id: "my-license-verdict" },
        verdict.valid ? (expires >= 2n ** 64n - 1n ? "Valid, perpetual" : `Valid until ${formatDate(verdict.license.expiresAt)}`) : `None valid: ${verdict.reason}`));
  } catch (error) {
    replace(mine, h("p", { class: "error" }, await explain(error)));
  }
}
