// What every page has: the wallet bar (connect, sign in, network, gasless or transaction mode),
// the wrong-network banner, and the current nav link. Pages call startShell() once.
import { h, replace, markCurrentNav } from "./ui.js";
import { shortAddress } from "./format.js";
import { explain } from "./errors.js";
import * as wallet from "./wallet.js";

let started = null;

export function startShell() {
  if (!started) {
    markCurrentNav();
    wallet.onChange(render);
    started = wallet.start();
  }
  return started;
}

function render(state) {
  renderBar(state);
  renderBanner(state);
}

function renderBar(state) {
  const el = document.getElementById("wallet");
  if (!el) return;
  const message = h("span", { class: "error", id: "wallet-error", role: "alert" });
  const fail = async (error) => replace(message, await explain(error));
  if (!state.account) {
    const button = h("button", { type: "button", id: "connect-wallet", onclick: () => chooseWallet(state).catch(fail) }, "Connect wallet");
    replace(el, button, message);
    return;
  }
  const mode = h("select", { id: "tx-mode", "aria-label": "How to send actions", onchange: (e) => wallet.setPreferredMode(e.target.value) },
    h("option", { value: "gasless", selected: wallet.preferredMode() === "gasless" }, "Gasless (relayer pays gas)"),
    h("option", { value: "transaction", selected: wallet.preferredMode() === "transaction" }, "Transaction (you pay gas)"));
  const account = h("span", { class: "account", id: "wallet-account", title: state.account, "data-address": state.account }, shortAddress(state.account));
  const session = state.session
    ? [h("span", { class: "badge", id: "signed-in" }, "Signed in", roleWords(state.session.roles)),
       h("button", { type: "button", class: "secondary", onclick: () => wallet.signOut().catch(fail) }, "Sign out")]
    : [h("button", { type: "button", id: "sign-in", onclick: () => wallet.signIn().catch(fail) }, "Sign in")];
  const disconnect = h("button", { type: "button", class: "secondary", onclick: () => wallet.disconnect().catch(fail) }, "Disconnect");
  replace(el, account, mode, ...session, disconnect, message);
}

function roleWords(roles) {
  const names = Object.entries(roles || {}).filter(([, has]) => has).map(([name]) => name);
  return names.length ? ` as ${names.join(", ")}` : "";
}

function renderBanner(state) {
  const el = document.getElementById("network-banner");
  if (!el) return;
  if (state.configError) {
    el.hidden = false;
    replace(el, `The shop cannot reach its chain: ${state.configError}`);
    return;
  }
  if (!state.account || wallet.onRightChain()) {
    el.hidden = true;
    replace(el);
    return;
  }
  const message = h("span", { role: "alert" });
  el.hidden = false;
  replace(el,
    h("span", {}, `Your wallet is on network ${state.chainId}; this shop runs on ${state.config.chainName} (${state.config.chainId}).`),
    h("button", { type: "button", id: "switch-network", onclick: () => wallet.switchChain().catch(async (e) => replace(message, await explain(e))) },
      `Switch to ${state.config.chainName}`),
    message);
}

async function chooseWallet(state) {
  const wallets = state.wallets.length ? state.wallets : await wallet.discover();
  if (!wallets.length) {
    throw new Error("No wallet found in this browser. Install an Ethereum wallet extension (any EIP-1193 wallet), then reload.");
  }
  if (wallets.length === 1) return wallet.connect(wallets[0]);
  // Several wallets announced themselves (EIP-6963): let the user pick one.
  return new Promise((resolve, reject) => {
    const dialog = h("dialog", { id: "wallet-picker", "aria-labelledby": "wallet-picker-title" },
      h("h2", { id: "wallet-picker-title" }, "Choose a wallet"),
      h("ul", {}, wallets.map((w) => h("li", {}, h("button", {
        type: "button", class: "secondary",
        onclick: () => { dialog.close(); dialog.remove(); wallet.connect(w).then(resolve, reject); },
      }, w.info.icon ? h("img", { src: w.info.icon, alt: "" }) : null, w.info.name)))),
      h("button", { type: "button", class: "secondary", onclick: () => { dialog.close(); dialog.remove(); resolve(); } }, "Cancel"));
    document.body.append(dialog);
    dialog.showModal();
  });
}

/** A block that asks to connect (and to switch network) when the page needs the wallet. */
export function needWallet(state, what = "see this page") {
  if (!state.account) {
    return h("p", { class: "panel" }, `Connect your wallet to ${what}. `,
      h("button", { type: "button", onclick: () => document.getElementById("connect-wallet")?.click() }, "Connect wallet"));
  }
  if (!wallet.onRightChain()) return h("p", { class: "panel" }, "Switch your wallet to the shop's network (see the banner above).");
  return null;
}
