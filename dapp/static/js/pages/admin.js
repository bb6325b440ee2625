// Admins and arbiters: disputes to resolve with a split, sellers to approve or suspend, the relayer.
// These are role-gated functions: they go out as normal transactions (the relayer serves users only).
import { getAddress } from "/static/vendor/ethers.min.js";
import { getJson } from "../api.js";
import { assetInfo, ETH, loadConfig } from "../config.js";
import { perform } from "../actions.js";
import { explain } from "../errors.js";
import { formatAmount, formatDate, shortAddress } from "../format.js";
import { orderCard } from "../order_card.js";
import { needWallet, startShell } from "../shell.js";
import { h, Progress, replace } from "../ui.js";
import * as wallet from "../wallet.js";

const root = document.getElementById("admin");
let config;
let shownFor = null;

startShell();
loadConfig().then((c) => { config = c; wallet.onChange(() => show(false)); });

async function show(force = true) {
  const state = wallet.getState();
  const gate = needWallet(state, "use the admin tools");
  if (gate) { shownFor = null; replace(root, gate); return; }
  if (!state.session) {
    shownFor = null;
    replace(root, h("p", { class: "panel" }, "Sign in (button at the top) so the server can check your roles on chain."));
    return;
  }
  const key = `${state.account}:${state.chainId}:${state.session.address}`;
  if (!force && shownFor === key) return;
  shownFor = key;
  const roles = state.session.roles || {};
  if (!roles.admin && !roles.arbiter) {
    replace(root, h("p", { class: "panel" }, `${state.account} holds neither the admin nor the arbiter role.`));
    return;
  }
  const sections = [];
  if (roles.arbiter) sections.push(h("section", { id: "disputes", "aria-labelledby": "disputes-title" }));
  if (roles.admin) sections.push(h("section", { id: "sellers", "aria-labelledby": "sellers-title" }), h("section", { id: "relayer", "aria-labelledby": "relayer-title" }));
  replace(root, sections);
  try {
    await Promise.all([
      roles.arbiter ? disputes(document.getElementById("disputes")) : null,
      roles.admin ? sellers(document.getElementById("sellers")) : null,
      roles.admin ? relayer(document.getElementById("relayer")) : null,
    ]);
  } catch (error) {
    root.append(h("p", { class: "error", role: "alert" }, await explain(error)));
  }
}

async function disputes(el) {
  const body = await getJson("/api/orders?state=Disputed&per_page=50");
  replace(el, h("h2", { id: "disputes-title" }, `Open disputes (${body.total})`),
    h("p", { class: "hint" }, "Read both sides' evidence in each timeline, then choose how much of the payment goes back to the buyer; the seller gets the rest minus the platform fee."),
    body.items.length
      ? h("ul", { class: "orders" }, body.items.map((order) => orderCard(order, { role: "arbiter", asset: assetInfo(config, order.asset), onChanged: () => show(true) })))
      : h("p", {}, "No open disputes."));
}

async function sellers(el) {
  const [applied, approved, suspended] = await Promise.all(["Applied", "Approved", "Suspended"].map(
    (status) => getJson(`/api/sellers?status=${status}&per_page=100`)));
  const progress = new Progress(h("div", { id: "sellers-progress" }));
  const act = (method, account, done) => async () => {
    try {
      await perform("Marketplace", method, [account], { mode: "transaction", progress });
      progress.done(done);
      setTimeout(() => show(true), 600);
    } catch (error) { if (!error.explained) progress.fail(await explain(error)); }
  };
  const table = (title, rows, action) => h("div", {},
    h("h3", {}, `${title} (${rows.total})`),
    rows.items.length ? h("div", { class: "table-wrap" }, h("table", {},
      h("thead", {}, h("tr", {}, h("th", {}, "Account"), h("th", {}, "Since"), h("th", {}, "Rating"), h("th", {}, h("span", { class: "hint" }, "Action")))),
      h("tbody", {}, rows.items.map((s) => h("tr", { dataset: { address: s.address } },
        h("td", { class: "mono", title: s.address }, s.address, s.profileCid ? [" ", h("a", { href: `/ipfs/${s.profileCid}` }, "profile")] : null),
        h("td", {}, formatDate(s.createdAt)),
        h("td", {}, s.rating.count ? `${s.rating.average} (${s.rating.count})` : "–"),
        h("td", {}, action(s))))))) : h("p", {}, "None."));
  const address = h("input", { id: "approve-address", required: true, placeholder: "0x…", size: "44" });
  replace(el, h("h2", { id: "sellers-title" }, "Sellers"),
    table("Applications", applied, (s) => h("button", { type: "button", onclick: act("approveSeller", s.address, "Seller approved.") }, "Approve")),
    table("Active sellers", approved, (s) => h("button", { type: "button", class: "danger", onclick: act("suspendSeller", s.address, "Seller suspended: their listings cannot be bought.") }, "Suspend")),
    table("Suspended", suspended, (s) => h("button", { type: "button", class: "secondary", onclick: act("approveSeller", s.address, "Seller reinstated.") }, "Reinstate")),
    h("form", { class: "actions", onsubmit: (e) => {
      e.preventDefault();
      let account;
      try { account = getAddress(address.value.trim()); } catch { progress.fail("That is not an Ethereum address."); return; }
      act("approveSeller", account, "Seller approved.")();
    } }, h("div", { class: "field" }, h("label", { for: "approve-address" }, "Approve an account directly"), address), h("button", { type: "submit" }, "Approve")),
    progress.el);
}

async function relayer(el) {
  const stats = await getJson("/api/admin/relayer");
  const eth = assetInfo(config, ETH);
  const low = BigInt(stats.balanceWei) < BigInt(stats.minBalanceWei);
  replace(el, h("h2", { id: "relayer-title" }, "Gasless relayer"),
    h("dl", { class: "facts", id: "relayer-stats" },
      h("dt", {}, "Account"), h("dd", { class: "mono" }, stats.relayer),
      h("dt", {}, "Balance"), h("dd", {}, formatAmount(stats.balanceWei, eth), low ? h("span", { class: "badge bad" }, " low: relaying is refused") : null),
      h("dt", {}, "Refuses below"), h("dd", {}, formatAmount(stats.minBalanceWei, eth)),
      h("dt", {}, "Queued now"), h("dd", {}, String(stats.queued)),
      h("dt", {}, "Requests"), h("dd", {}, Object.entries(stats.jobs).map(([state, n]) => `${n} ${state}`).join(", ") || "none yet")),
    h("p", { class: "hint" }, `Top it up by sending ETH to ${shortAddress(stats.relayer)} from any wallet.`));
}
