// My orders (as a buyer): each order with its timeline and the actions open to it now; and the
// provenance tokens the account holds (traced purchases), each linked to its public trail.
import { getJson } from "../api.js";
import { assetInfo, loadConfig } from "../config.js";
import { formatDate } from "../format.js";
import { needWallet, startShell } from "../shell.js";
import { h, replace } from "../ui.js";
import { orderCard } from "../order_card.js";
import * as wallet from "../wallet.js";

const list = document.getElementById("orders");
const tokens = document.getElementById("tokens");
const status = document.getElementById("orders-status");
let config;
let shownFor = null;

startShell();
loadConfig().then((c) => { config = c; wallet.onChange(() => refresh(false)); });

async function refresh(force = true) {
  const state = wallet.getState();
  const gate = needWallet(state, "see your orders");
  if (gate) { shownFor = null; replace(list); replace(tokens); replace(status, gate); return; }
  if (!force && shownFor === state.account) return;
  shownFor = state.account;
  replace(status, "Loading your orders…");
  try {
    const body = await getJson(`/api/orders?buyer=${state.account}&per_page=50`);
    replace(list, body.items.map((order) => orderCard(order, { role: "buyer", config, asset: assetInfo(config, order.asset), onChanged: () => refresh(true) })));
    replace(status, body.total ? `${body.total} order${body.total === 1 ? "" : "s"}.` : "You have no orders yet.");
    await myTokens(state.account);
    if (location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();
  } catch (error) {
    replace(status, h("span", { class: "error", role: "alert" }, error.message));
  }
}

async function myTokens(account) {
  const body = await getJson(`/api/provenance?holder=${account}&per_page=100`);
  if (!body.items.length) { replace(tokens, h("li", { class: "hint" }, "You hold no provenance tokens.")); return; }
  replace(tokens, body.items.map((token) => {
    const name = h("span", { class: "token-name" });
    loadPassportName(token.passportCid, name);
    return h("li", { class: "item", id: `my-token-${token.tokenId}`, dataset: { tokenId: token.tokenId } },
      h("header", {},
        h("h3", {}, h("a", { href: `/provenance/${token.tokenId}` }, `Token #${token.tokenId}`), " ", name),
        token.recalled ? h("span", { class: "badge bad" }, "RECALLED: see its page") : h("span", { class: "badge traced" }, "Traced")),
      h("p", {}, token.batchRef ? `Batch ${token.batchRef}. ` : "",
        `${token.events} trail events, latest: ${token.lastStep}${token.lastEventAt ? ` on ${formatDate(token.lastEventAt)}` : ""}. `,
        h("a", { href: `/provenance/${token.tokenId}` }, "See its trail and verification")));
  }));
}

async function loadPassportName(cid, el) {
  try {
    const passport = await getJson(`/ipfs/${cid}`);
    if (passport?.name) replace(el, `· ${passport.name}`);
  } catch { /* the token number is enough */ }
}
