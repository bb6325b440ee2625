// A provenance token's public page: origin, holder, recall status, the trail as a timeline, the
// server's verdict on the hash chain, and a QR code of this page's address for the product label.
import { renderSVG } from "/static/vendor/uqr.mjs";
import { getJson } from "../api.js";
import { formatDate, isoDate, shortAddress } from "../format.js";
import { startShell } from "../shell.js";
import { h, replace } from "../ui.js";

const root = document.getElementById("provenance");
const tokenId = root.dataset.tokenId;

startShell();
load().catch((error) => { root.removeAttribute("aria-busy"); replace(root, h("p", { class: "error", role: "alert" }, error.message)); });

async function load() {
  const p = await getJson(`/api/provenance/${tokenId}`);
  const v = p.verification;
  const qr = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(renderSVG(location.href, { pixelSize: 4 }));
  replace(root,
    h("h1", {}, `Provenance token #${p.tokenId}`, p.origin.batchRef ? ` · ${p.origin.batchRef}` : ""),
    p.recalled ? h("p", { class: "banner", id: "recall-status", role: "alert" }, "RECALLED by its producer: do not use this product; see the recall notice in the trail.")
      : h("p", { id: "recall-status" }, h("span", { class: "badge traced" }, "No recall")),
    h("section", { class: "panel", "aria-labelledby": "verdict-title" },
      h("h2", { id: "verdict-title" }, "Trail verification"),
      h("p", { class: `verdict ${v.ok ? "valid" : "invalid"}`, id: "trail-verdict" },
        v.ok ? `Verified: ${v.events} events, complete and unaltered` : `NOT verified: ${v.problem}`),
      h("p", { class: "hint" }, "The server re-read every event from the chain's logs, recomputed the hash chain and compared it with the head the contract stores."),
      h("dl", { class: "facts" },
        h("dt", {}, "Head on chain"), h("dd", { class: "mono" }, v.headOnChain),
        h("dt", {}, "Head recomputed"), h("dd", { class: "mono" }, v.headRecomputed),
        h("dt", {}, "Events"), h("dd", {}, `${v.events} read, ${v.eventsOnChain} on chain`))),
    h("dl", { class: "facts" },
      h("dt", {}, "Producer"), h("dd", { class: "mono", title: p.origin.producer }, shortAddress(p.origin.producer)),
      h("dt", {}, "Made"), h("dd", {}, formatDate(p.origin.mintedAt)),
      h("dt", {}, "Held by"), h("dd", { class: "mono", title: p.holder }, shortAddress(p.holder)),
      h("dt", {}, "Passport"), h("dd", {}, h("a", { href: `/ipfs/${p.origin.passportCid}` }, "product passport"))),
    h("section", { "aria-labelledby": "trail-title" },
      h("h2", { id: "trail-title" }, "Supply-chain trail"),
      h("ol", { class: "timeline", id: "trail" }, p.trail.map((e) => h("li", { dataset: { step: e.step } },
        h("time", { datetime: isoDate(e.time) }, formatDate(e.time)), " · ", h("strong", {}, e.step),
        e.location ? ` at ${e.location}` : "", ` by ${shortAddress(e.actor)}`,
        e.corrects !== null ? ` (corrects event #${e.corrects})` : "",
        e.evidenceCid && !e.evidenceCid.startsWith("order:") ? [" ", h("a", { href: `/ipfs/${e.evidenceCid}` }, "evidence")] : "")))),
    h("section", { class: "qr", "aria-labelledby": "qr-title" },
      h("h2", { id: "qr-title" }, "QR code for this page"),
      h("img", { src: qr, alt: `QR code linking to ${location.href}`, id: "qr-code", width: "160", height: "160" }),
      h("p", { class: "hint" }, "Print it on the product's label: a phone camera opens this page.")));
  root.removeAttribute("aria-busy");
}
