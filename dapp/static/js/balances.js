// An account's money: wallet balances (ETH and each allow-listed stablecoin) and unwithdrawn
// marketplace credits (creditOf), with a Withdraw button per currency.
import { Contract } from "/static/vendor/ethers.min.js";
import { loadAbi, loadConfig, ETH } from "./config.js";
import { perform, token } from "./actions.js";
import { formatAmount } from "./format.js";
import { h, Progress, replace } from "./ui.js";
import * as wallet from "./wallet.js";

/** Render the balances table into `el`; `onChanged` runs after a withdrawal. */
export async function renderBalances(el, { onChanged } = {}) {
  const wrap = h("div", { class: "table-wrap" });
  const progress = new Progress(h("div", { id: "withdraw-progress" }));
  replace(el, wrap, progress.el);
  await renderTable(wrap, progress, onChanged);
}

async function renderTable(wrap, progress, onChanged) {
  const config = await loadConfig();
  const { account } = wallet.getState();
  const reader = wallet.provider();
  const market = new Contract(config.contracts.Marketplace, await loadAbi("Marketplace"), reader);
  const rows = await Promise.all(config.assets.map(async (asset) => {
    const [held, credit] = await Promise.all([
      asset.address === ETH ? reader.getBalance(account) : token(asset.address).balanceOf(account),
      market.creditOf(account, asset.address),
    ]);
    return { asset, held, credit };
  }));
  const table = h("table", { id: "balances-table" },
    h("caption", { class: "hint" }, `Account ${account}`),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Currency"), h("th", { scope: "col", class: "num" }, "In your wallet"),
      h("th", { scope: "col", class: "num" }, "Marketplace credit"), h("th", { scope: "col" }, h("span", { class: "hint" }, "Action")))),
    h("tbody", {}, rows.map(({ asset, held, credit }) => h("tr", { dataset: { symbol: asset.symbol } },
      h("th", { scope: "row" }, asset.symbol),
      h("td", { class: "num held" }, formatAmount(held, asset, { symbol: false })),
      h("td", { class: "num credit" }, formatAmount(credit, asset, { symbol: false })),
      h("td", {}, credit > 0n ? h("button", {
        type: "button", "data-action": "withdraw", "data-asset": asset.symbol,
        onclick: async (event) => {
          event.target.disabled = true;
          try {
            await perform("Marketplace", "withdraw", [asset.address], { progress, context: { asset } });
            progress.done(`Withdrew ${formatAmount(credit, asset)} to your wallet.`);
            await renderTable(wrap, progress, onChanged);
            onChanged?.();
          } catch { event.target.disabled = false; }
        },
      }, `Withdraw ${asset.symbol}`) : "")))));
  replace(wrap, table);
}
