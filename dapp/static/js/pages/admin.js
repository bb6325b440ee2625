// Admins and arbiters: disputes to resolve with a split, sellers to approve or suspend, payment
// assets and fees, the relayer. These are role-gated functions: they go out as normal transactions
// from the admin's wallet (the relayer serves users only), and the contracts check the role.
import { Contract, getAddress } from "/static/vendor/ethers.min.js";
import { getJson } from "../api.js";
import { assetInfo, ETH, loadAbi, loadConfig } from "../config.js";
import { perform, token } from "../actions.js";
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
  if (roles.admin) {
    sections.push(h("section", { id: "sellers", "aria-labelledby": "sellers-title" }),
      h("section", { id: "settings", "aria-labelledby": "settings-title" }),
      h("section", { id: "relayer", "aria-labelledby": "relayer-title" }));
  }
  replace(root, sections);
  try {
    await Promise.all([
      roles.arbiter ? disputes(document.getElementById("disputes")) : null,
      roles.admin ? sellers(document.getElementById("sellers")) : null,
      roles.admin ? settings(document.getElementById("settings")) : null,
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
  const address = h("input", { id: "approve-address", required: true, placeholder: "0x…", class: "address" });
  replace(el, h("h2", { id: "sellers-title" }, "Sellers"),
    table("Applications", applied, (s) => h("button", { type: "button", onclick: act("approveSeller", s.address, "Seller approved.") }, "Approve")),
    table("Active sellers", approved, (s) => h("button", { type: "button", class: "danger", onclick: act("suspendSeller", s.address, "Seller suspended: their listings cannot be bought.") }, "Suspend")),
    table("Suspended", suspended, (s) => h("button", { type: "button", class: "secondary", onclick: act("approveSeller", s.address, "Seller reinstated.") }, "Reinstate")),
    h("form", { class: "actions", onsubmit: (e) => {
      e.preventDefault();
      let account;
      try { account = getAddress(address.value.trim()); } catch { progress.fail("That is not an Ethereum address."); return; }
      act("approveSeller", account, "Seller approved.")();
    } }, h("div", { class: "field wide" }, h("label", { for: "approve-address" }, "Approve an account directly"), address), h("button", { type: "submit" }, "Approve")),
    progress.el);
}

// ---------------------------------------------------------------- fees and payment assets

async function contract(name) {
  return new Contract(config.contracts[name], await loadAbi(name), wallet.provider());
}

/** Current values read from the chain, with forms that change them (admin transactions). */
async function settings(el, message = null) {
  const [market, registry] = await Promise.all([contract("Marketplace"), contract("CopyrightRegistry")]);
  const [marketFee, marketMax, licenseFee, licenseMax, allowed] = await Promise.all([
    market.feeBps(), market.MAX_FEE_BPS(), registry.feeBps(), registry.MAX_FEE_BPS(), market.allowedAssets(),
  ]);
  const tokens = await Promise.all(allowed.filter((a) => BigInt(a) !== 0n).map(describeToken));
  const progress = new Progress(h("div", { id: "settings-progress" }));
  if (message) progress.done(message);
  const redraw = (done) => settings(el, done);
  const act = (target, method, args, done, button) => async () => {
    if (button) button.disabled = true;
    try {
      await perform(target, method, args, { mode: "transaction", progress });
      redraw(done);
    } catch (error) {
      if (!error.explained) progress.fail(await explain(error));
      if (button) button.disabled = false;
    }
  };

  const address = h("input", { id: "allow-address", required: true, placeholder: "0x… (an ERC-20 token)", class: "address" });
  const found = h("p", { id: "allow-token", class: "hint", "aria-live": "polite" });
  let lookup = 0;
  address.addEventListener("input", async () => {
    const mine = ++lookup;
    replace(found);
    let account;
    try { account = getAddress(address.value.trim()); } catch { return; }
    const info = await describeToken(account).catch(() => null);
    if (mine !== lookup) return;
    replace(found, info ? `${info.name || info.symbol} (${info.symbol}, ${info.decimals} decimals)` : h("span", { class: "error" }, "No ERC-20 token answers at this address."));
  });
  const allow = h("button", { type: "submit", "data-action": "allow-asset" }, "Allow");

  replace(el, h("h2", { id: "settings-title" }, "Fees and payment assets"), progress.el,
    feeForm("market-fee", "Marketplace fee", marketFee, marketMax, "Charged on each order's payout to the seller; orders keep the fee they were placed with.", progress,
      (bps, button) => act("Marketplace", "setFee", [bps], `The marketplace fee is now ${percent(bps)}.`, button)()),
    feeForm("license-fee", "License fee", licenseFee, licenseMax, "Charged on each license sale.", progress,
      (bps, button) => act("CopyrightRegistry", "setFee", [bps], `The license fee is now ${percent(bps)}.`, button)()),
    h("h3", {}, "Payment assets"),
    h("p", { class: "hint" }, "ETH is always accepted. Buyers can pay listings and licenses in any allowed token; disallowing one stops new listings and purchases in it (orders already paid run to their end)."),
    h("div", { class: "table-wrap" }, h("table", { id: "assets-table" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Asset"), h("th", { scope: "col" }, "Name"), h("th", { scope: "col", class: "num" }, "Decimals"),
        h("th", { scope: "col" }, "Address"), h("th", { scope: "col" }, h("span", { class: "hint" }, "Action")))),
      h("tbody", {},
        h("tr", { dataset: { symbol: "ETH" } }, h("th", { scope: "row" }, "ETH"), h("td", {}, "Ether"), h("td", { class: "num" }, "18"), h("td", {}, "native"), h("td", {})),
        tokens.map((t) => {
          const button = h("button", { type: "button", class: "secondary", "data-action": "disallow-asset" }, `Disallow ${t.symbol}`);
          button.addEventListener("click", act("Marketplace", "setAssetAllowed", [t.address, false], `${t.symbol} is no longer accepted for new listings and purchases.`, button));
          return h("tr", { dataset: { symbol: t.symbol, address: t.address } },
            h("th", { scope: "row" }, t.symbol), h("td", {}, t.name), h("td", { class: "num" }, String(t.decimals)),
            h("td", { class: "mono", title: t.address }, shortAddress(t.address)), h("td", {}, button));
        })))),
    h("form", { class: "actions", id: "allow-form", onsubmit: async (e) => {
      e.preventDefault();
      let account;
      try { account = getAddress(address.value.trim()); } catch { progress.fail("That is not an Ethereum address (0x followed by 40 hex digits)."); return; }
      const info = await describeToken(account).catch(() => null);
      if (!info) { progress.fail(`No ERC-20 token answers at ${account}: check the address.`); return; }
      await act("Marketplace", "setAssetAllowed", [account, true], `${info.symbol} is now accepted: sellers can list in it and buyers can pay with it.`, allow)();
    } },
    h("div", { class: "field wide" }, h("label", { for: "allow-address" }, "Allow a token"), address, found), allow));
}

function feeForm(id, label, current, max, hint, progress, submit) {
  const input = h("input", { id: `${id}-input`, inputmode: "decimal", required: true, size: "6", value: String(Number(current) / 100) });
  const button = h("button", { type: "submit", "data-action": `set-${id}` }, "Set fee");
  return h("form", { class: "actions", id: `${id}-form`, onsubmit: (e) => {
    e.preventDefault();
    const text = input.value.trim().replace(",", ".");
    if (!/^\d+(\.\d{1,2})?$/.test(text)) { progress.fail("Enter the fee as a percentage with at most two decimals, like 2.5."); return; }
    submit(Math.round(Number(text) * 100), button);
  } },
  h("div", { class: "field" }, h("label", { for: input.id }, `${label} (%)`), input),
  button,
  h("p", { class: "hint", id: `${id}-current` }, `Now ${percent(current)}, at most ${percent(max)}. ${hint}`));
}

function percent(bps) {
  return `${Number(bps) / 100} %`;
}

async function describeToken(address) {
  const contract = token(address);
  const [symbol, decimals, name] = await Promise.all([contract.symbol(), contract.decimals(), contract.name().catch(() => "")]);
  return { address, symbol, decimals: Number(decimals), name };
}

// ---------------------------------------------------------------- relayer

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
