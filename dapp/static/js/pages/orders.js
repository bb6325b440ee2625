// My orders (as a buyer): each order with its timeline and the actions open to it now.
import { getJson } from "../api.js";
import { assetInfo, loadConfig } from "../config.js";
import { needWallet, startShell } from "../shell.js";
import { h, replace } from "../ui.js";
import { orderCard } from "../order_card.js";
import * as wallet from "../wallet.js";

const list = document.getElementById("orders");
const status = document.getElementById("orders-status");
let config;
let shownFor = null;

startShell();
loadConfig().then((c) => { config = c; wallet.onChange(() => refresh(false)); });

async function refresh(force = true) {
  const state = wallet.getState();
  const gate = needWallet(state, "see your orders");
  if (gate) { shownFor = null; replace(list); replace(status, gate); return; }
  if (!force && shownFor === state.account) return;
  shownFor = state.account;
  replace(status, "Loading your orders…");
  try {
    const body = await getJson(`/api/orders?buyer=${state.account}&per_page=50`);
    replace(list, body.items.map((order) => orderCard(order, { role: "buyer", config, asset: assetInfo(config, order.asset), onChanged: () => refresh(true) })));
    replace(status, body.total ? `${body.total} order${body.total === 1 ? "" : "s"}.` : "You have no orders yet.");
    if (location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();
  } catch (error) {
    replace(status, h("span", { class: "error", role: "alert" }, error.message));
  }
}
