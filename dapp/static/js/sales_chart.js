// A seller's earnings over time (GET /api/sellers/<address>/sales): one bar chart per currency,
// drawn as inline SVG by this module (no chart library, no CDN), with the same numbers in a table
// for screen readers and keyboards. Each bar carries its bucket and amount as data attributes.
import { getJson } from "./api.js";
import { assetInfo } from "./config.js";
import { formatAmount } from "./format.js";
import { h, replace } from "./ui.js";

const SVG = "http://www.w3.org/2000/svg";
const HEIGHT = 160;
const BAR = 14; // width per bucket, in viewBox units (the SVG scales to the page's width)
const GAP = 4;
const AXIS = 28; // room under the bars for dates
const INTERVALS = { day: "Daily, last 30 days", week: "Weekly, last 26 weeks" };

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) if (value !== null && value !== undefined) el.setAttribute(key, String(value));
  for (const child of children) if (child !== null && child !== undefined) el.append(child);
  return el;
}

/** The chart section for `seller` into `el`: an interval choice, then the charts. */
export function salesChart(el, seller, config) {
  const charts = h("div", { id: "sales-charts", "aria-live": "polite" });
  const choice = h("select", { id: "sales-interval", onchange: () => draw(charts, seller, config, choice.value) },
    Object.entries(INTERVALS).map(([value, label]) => h("option", { value }, label)));
  replace(el, h("h2", { id: "sales-title" }, "Sales over time"),
    h("div", { class: "field inline" }, h("label", { for: "sales-interval" }, "Show"), choice),
    charts);
  return draw(charts, seller, config, choice.value);
}

async function draw(el, seller, config, interval) {
  replace(el, h("p", { class: "status" }, "Loading sales…"));
  el.setAttribute("aria-busy", "true");
  try {
    const data = await getJson(`/api/sellers/${seller}/sales?interval=${interval}`);
    replace(el, data.series.length
      ? data.series.map((series) => chart(data, series, assetInfo(config, series.asset)))
      : h("p", { id: "sales-empty" }, `No earnings from ${data.since} to ${data.until}.`));
  } catch (error) {
    replace(el, h("p", { class: "error", role: "alert" }, `The sales chart is unavailable: ${error.message}`));
  }
  el.removeAttribute("aria-busy");
}

function chart(data, series, asset) {
  const earned = series.earned.map((v) => BigInt(v));
  const max = earned.reduce((a, b) => (b > a ? b : a), 0n);
  const width = data.buckets.length * (BAR + GAP) + GAP;
  const per = data.interval === "day" ? "day" : "week";
  const titleId = `sales-${asset.symbol}-title`;
  const bars = data.buckets.map((bucket, i) => {
    const value = earned[i];
    // Heights in thousandths of the tallest bar: exact enough, and BigInt-safe for any amount.
    const height = max === 0n ? 0 : Math.max(value > 0n ? 2 : 0, Number((value * 1000n) / max) * (HEIGHT - 12) / 1000);
    const words = `${bucketLabel(bucket, data.interval)}: ${formatAmount(value, asset)} from ${series.orders[i]} order${series.orders[i] === 1 ? "" : "s"}`;
    return svg("rect", {
      class: value > 0n ? "bar" : "bar empty", x: GAP + i * (BAR + GAP), y: HEIGHT - height, width: BAR, height: Math.max(height, 0.5),
      "data-bucket": bucket, "data-earned": value.toString(), "data-orders": series.orders[i],
    }, svg("title", {}, words));
  });
  const labels = [0, Math.floor(data.buckets.length / 2), data.buckets.length - 1].filter((v, i, all) => all.indexOf(v) === i)
    .map((i) => svg("text", { class: "axis", x: GAP + i * (BAR + GAP) + BAR / 2, y: HEIGHT + 18, "text-anchor": i === 0 ? "start" : i === data.buckets.length - 1 ? "end" : "middle" },
      bucketLabel(data.buckets[i], data.interval)));
  const picture = svg("svg", {
    class: "sales-chart", viewBox: `0 0 ${width} ${HEIGHT + AXIS}`, role: "img", "aria-labelledby": titleId,
  },
  svg("line", { class: "baseline", x1: 0, x2: width, y1: HEIGHT, y2: HEIGHT }),
  ...bars, ...labels);
  const rows = data.buckets.map((bucket, i) => ({ bucket, value: earned[i], orders: series.orders[i] })).filter((row) => row.value > 0n);
  return h("figure", { class: "chart", dataset: { asset: asset.symbol }, id: `sales-${asset.symbol}` },
    h("figcaption", { id: titleId },
      h("strong", {}, `${asset.symbol} earned per ${per}`),
      `: ${formatAmount(series.totalEarned, asset)} from ${data.since} to ${data.until}, at most ${formatAmount(max, asset)} in a ${per}.`),
    picture,
    h("details", {}, h("summary", {}, `The numbers (${asset.symbol})`),
      h("div", { class: "table-wrap" }, h("table", { class: "sales-table" },
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, per === "day" ? "Day" : "Week of"), h("th", { scope: "col", class: "num" }, "Orders"),
          h("th", { scope: "col", class: "num" }, `Earned (${asset.symbol})`))),
        h("tbody", {}, rows.map((row) => h("tr", { dataset: { bucket: row.bucket } },
          h("th", { scope: "row" }, row.bucket), h("td", { class: "num" }, String(row.orders)),
          h("td", { class: "num" }, formatAmount(row.value, asset, { symbol: false })))))))));
}

function bucketLabel(isoDate, interval) {
  const date = new Date(`${isoDate}T00:00:00Z`);
  const text = date.toLocaleDateString(undefined, { month: "short", day: "numeric", timeZone: "UTC" });
  return interval === "week" ? `week of ${text}` : text;
}
