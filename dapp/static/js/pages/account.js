// Balances: wallet holdings and marketplace credits, with withdrawals.
import { renderBalances } from "../balances.js";
import { needWallet, startShell } from "../shell.js";
import { h, replace } from "../ui.js";
import * as wallet from "../wallet.js";

const root = document.getElementById("balances");
let shownFor = null;

startShell();
wallet.onChange((state) => {
  const gate = needWallet(state, "see your balances");
  if (gate) { shownFor = null; replace(root, gate); return; }
  if (shownFor === `${state.account}:${state.chainId}`) return;
  shownFor = `${state.account}:${state.chainId}`;
  replace(root, h("p", { class: "status" }, "Loading balances…"));
  renderBalances(root).catch((error) => replace(root, h("p", { class: "error", role: "alert" }, error.message)));
});
