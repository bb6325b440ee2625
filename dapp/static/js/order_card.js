// One order as a card: state, amounts, timeline, and the actions its viewer (buyer, seller or
// arbiter) may take now. Used by My orders, the seller's page and the arbiter's page.
import { upload } from "./api.js";
import { perform } from "./actions.js";
import { explain } from "./errors.js";
import { uploadFileOrNote } from "./evidence.js";
import { formatAmount, formatDate, isoDate, parseAmount, shortAddress, STATE_WORDS } from "./format.js";
import { h, Progress } from "./ui.js";
import * as wallet from "./wallet.js";

const FINAL_REVIEWABLE = ["Completed", "Settled", "Resolved"];
const TOKEN_WORDS = {
  reserved: "comes with the order", delivered: "delivered", undelivered: "could not be delivered",
  returned: "returned to the seller", kept: "kept by the seller",
};

/** order: from /api/orders; options: {role: "buyer"|"seller"|"arbiter", asset, onChanged} */
export function orderCard(order, options) {
  const { asset } = options;
  const progress = new Progress(h("div", { class: "order-progress" }));
  const now = Date.now() / 1000;
  const deadline = order.deadline ? (order.state === "Paid" ? `Ship by ${formatDate(order.deadline)}` : `Confirm by ${formatDate(order.deadline)}`) : null;
  return h("li", { class: "order", id: `order-${order.id}`, dataset: { orderId: order.id, state: order.state } },
    h("header", {},
      h("h2", {}, h("a", { href: `/listings/${order.listingId}` }, order.listingTitle || `Listing ${order.listingId}`), ` × ${order.quantity}`),
      h("span", { class: `badge state ${order.state === "Disputed" ? "warn" : ""}`, "data-testid": "order-state" }, STATE_WORDS[order.state] || order.state)),
    h("dl", { class: "facts" },
      h("dt", {}, "Amount"), h("dd", {}, formatAmount(order.amount, asset)),
      options.role !== "buyer" ? [h("dt", {}, "Buyer"), h("dd", { class: "mono", title: order.buyer }, shortAddress(order.buyer))] : null,
      options.role !== "seller" ? [h("dt", {}, "Seller"), h("dd", { class: "mono", title: order.seller }, shortAddress(order.seller))] : null,
      order.trackingRef ? [h("dt", {}, "Tracking"), h("dd", { class: "tracking" }, order.trackingRef)] : null,
      deadline ? [h("dt", {}, "Deadline"), h("dd", {}, deadline, order.deadline < now ? " (passed)" : "")] : null,
      BigInt(order.settlementOffer || 0) > 0n ? [h("dt", {}, "Settlement offer"), h("dd", {}, `refund of ${formatAmount(order.settlementOffer, asset)}`)] : null,
      order.tokens?.length ? [h("dt", {}, "Provenance"), h("dd", { class: "order-tokens" }, order.tokens.map((t, i) => [i ? ", " : "",
        h("a", { href: `/provenance/${t.tokenId}` }, `token #${t.tokenId}`), ` (${TOKEN_WORDS[t.status] || t.status})`]))] : null,
      h("dt", {}, "Order"), h("dd", { class: "mono", title: order.id }, order.id.length > 16 ? `${order.id.slice(0, 6)}…${order.id.slice(-6)}` : order.id)),
    h("details", { class: "history", open: true },
      h("summary", {}, "Timeline"),
      h("ol", { class: "timeline" }, order.timeline.map((event) => timelineItem(event, asset)))),
    h("div", { class: "actions" }, actionsFor(order, options, progress, now)),
    progress.el);
}

function timelineItem(event, asset) {
  const d = event.details || {};
  const amount = (v) => formatAmount(v, asset);
  const words = {
    OrderPlaced: () => `Ordered ${d.quantity}, paid ${amount(d.amount)} into escrow`,
    OrderShipped: () => `Shipped${d.trackingRef ? `, tracking ${d.trackingRef}` : ""}`,
    OrderCompleted: () => `Completed: ${amount(d.sellerAmount)} released to the seller`,
    OrderCancelled: () => "Cancelled by the buyer: refunded in full",
    OrderRejected: () => "Rejected by the seller: refunded in full",
    OrderReclaimed: () => "Not shipped in time: refunded in full",
    DisputeOpened: () => "Dispute opened",
    EvidenceSubmitted: () => "Evidence added",
    SettlementOffered: () => `The seller offered a refund of ${amount(d.refund)}`,
    SettlementAccepted: () => `Settlement accepted: ${amount(d.refund)} refunded`,
    DisputeResolved: () => `Resolved by an arbiter: buyer refunded ${amount(d.refund)} (${Number(d.buyerBps) / 100} %)`,
    Reviewed: () => `Reviewed: ${d.rating} of 5 stars`,
    TracedTokenNotDelivered: () => `Provenance token ${d.tokenId} could not be delivered`,
  };
  const text = (words[event.event] || (() => event.event))();
  const evidence = d.evidenceCid ? [" ", h("a", { href: `/ipfs/${d.evidenceCid}`, target: "_blank", rel: "noopener" }, "evidence")] : null;
  return h("li", { dataset: { event: event.event } }, h("time", { datetime: isoDate(event.timestamp) }, formatDate(event.timestamp)), " · ", text, evidence);
}

function button(label, onclick, attrs = {}) {
  return h("button", { type: "button", ...attrs, onclick }, label);
}

/** Run an action from a card, then refresh the list. */
function runner(order, options, progress, done) {
  return async (contract, method, args, extra = {}) => {
    try {
      await perform(contract, method, args, { progress, context: { asset: options.asset, format: (v) => formatAmount(v, options.asset) }, ...extra });
      progress.done(done || "Done.");
      setTimeout(() => options.onChanged?.(), 600);
    } catch (error) {
      if (!error.explained) progress.fail(await explain(error));
    }
  };
}

function actionsFor(order, options, progress, now) {
  const run = (done) => runner(order, options, progress, done);
  const id = order.id;
  const items = [];
  if (options.role === "buyer") {
    if (order.state === "Paid") {
      items.push(button("Cancel order", () => run("Order cancelled: the refund is in your balances.")("Marketplace", "cancelOrder", [id]), { class: "secondary", "data-action": "cancel" }));
      if (order.deadline && order.deadline < now) {
        items.push(button("Reclaim refund (not shipped in time)", () => run("Refunded.")("Marketplace", "reclaimOrder", [id]), { "data-action": "reclaim" }));
      }
    }
    if (order.state === "Shipped" || order.state === "Disputed") {
      items.push(button("Confirm receipt", () => run("Receipt confirmed: the seller is paid.")("Marketplace", "confirmReceipt", [id]), { "data-action": "confirm" }));
    }
    if (order.state === "Shipped" && order.deadline > now) items.push(disputeForm(order, run, "openDispute", "Open a dispute"));
    if (order.state === "Disputed") {
      if (BigInt(order.settlementOffer || 0) > 0n) {
        items.push(button(`Accept settlement (refund ${formatAmount(order.settlementOffer, options.asset)})`,
          () => run("Settlement accepted.")("Marketplace", "acceptSettlement", [id]), { "data-action": "accept-settlement" }));
      }
      items.push(disputeForm(order, run, "submitEvidence", "Add evidence"));
    }
    if (FINAL_REVIEWABLE.includes(order.state) && !order.reviewed) items.push(reviewForm(order, run, progress));
  }
  if (options.role === "seller") {
    if (order.state === "Paid") {
      const input = h("input", { name: "tracking", id: `tracking-${id}`, required: true, maxlength: "100", placeholder: "e.g. 1Z999AA10123456784" });
      items.push(h("form", { class: "ship-form", onsubmit: (e) => { e.preventDefault(); run("Marked shipped.")("Marketplace", "shipOrder", [id, input.value.trim()]); } },
        h("div", { class: "field" }, h("label", { for: `tracking-${id}` }, "Tracking reference"), input),
        h("button", { type: "submit", "data-action": "ship" }, "Mark shipped")));
      items.push(button("Reject order (refund the buyer)", () => run("Order rejected: the buyer is refunded.")("Marketplace", "rejectOrder", [id]), { class: "secondary", "data-action": "reject" }));
    }
    if (order.state === "Shipped" && order.deadline && order.deadline < now) {
      items.push(button("Release payment (confirm-by passed)", () => run("Payment released.")("Marketplace", "releaseExpired", [id]), { "data-action": "release" }));
    }
    if (order.state === "Disputed") {
      const amount = h("input", { name: "refund", id: `refund-${id}`, inputmode: "decimal", required: true, size: "8" });
      items.push(h("form", { class: "settle-form", onsubmit: async (e) => {
        e.preventDefault();
        let refund;
        try { refund = parseAmount(amount.value, options.asset); } catch (error) { progress.fail(error.message); return; }
        run("Settlement offered: the buyer can accept it.")("Marketplace", "offerSettlement", [id, refund]);
      } },
      h("div", { class: "field" }, h("label", { for: `refund-${id}` }, `Offer a refund (${options.asset.symbol})`), amount),
      h("button", { type: "submit", "data-action": "offer-settlement" }, "Offer settlement")));
      items.push(disputeForm(order, run, "submitEvidence", "Add evidence"));
    }
  }
  if (options.role === "arbiter" && order.state === "Disputed") {
    const share = h("input", { type: "range", min: "0", max: "100", step: "5", value: "50", id: `split-${id}`, name: "buyerShare" });
    const shown = h("output", { for: `split-${id}` }, "50 % to the buyer");
    share.addEventListener("input", () => { shown.textContent = `${share.value} % to the buyer`; });
    items.push(h("form", { class: "resolve-form", onsubmit: (e) => {
      e.preventDefault();
      run("Dispute resolved.")("Marketplace", "resolveDispute", [id, Number(share.value) * 100], { mode: "transaction" });
    } },
    h("div", { class: "field" }, h("label", { for: `split-${id}` }, "Refund to the buyer"), share, shown),
    h("button", { type: "submit", "data-action": "resolve" }, "Resolve dispute")));
  }
  return items;
}

function disputeForm(order, run, method, label) {
  const fileId = `${method}-file-${order.id}`;
  const noteId = `${method}-note-${order.id}`;
  const file = h("input", { type: "file", id: fileId, name: "evidence", accept: "image/*,application/pdf,text/plain,video/mp4,video/webm" });
  const note = h("textarea", { id: noteId, name: "note", maxlength: "4000", placeholder: "What went wrong?" });
  const progress = new Progress(h("div"));
  const form = h("form", { class: "dispute-form", onsubmit: async (e) => {
    e.preventDefault();
    try {
      // Evidence is required here, and it is stored through the session: say so before anything else.
      if (!wallet.getState().session) throw new Error("Sign in first (button at the top): evidence is stored through your session.");
      const cid = await uploadFileOrNote(file, note, progress);
      if (!cid) throw new Error("Attach a photo or document, or describe the problem.");
      progress.clear();
      await run(method === "openDispute" ? "Dispute opened: the seller and an arbiter will see your evidence." : "Evidence added.")("Marketplace", method, [order.id, cid]);
    } catch (error) {
      if (!error.explained) progress.fail(await explain(error));
    }
  } },
  h("div", { class: "field" }, h("label", { for: fileId }, "Evidence file (photo, PDF, text or video)"), file),
  h("div", { class: "field" }, h("label", { for: noteId }, "Or describe it"), note),
  h("button", { type: "submit", class: "secondary", "data-action": method === "openDispute" ? "dispute" : "evidence" }, label),
  progress.el);
  return h("details", { class: "dispute" }, h("summary", {}, label), form);
}

function reviewForm(order, run) {
  const progress = new Progress(h("div"));
  const name = `rating-${order.id}`;
  const ratings = [5, 4, 3, 2, 1].map((n) => h("label", { class: "rating-choice" },
    h("input", { type: "radio", name, value: String(n), required: true, checked: n === 5 }), ` ${n} star${n === 1 ? "" : "s"}`));
  const textId = `review-text-${order.id}`;
  const text = h("textarea", { id: textId, name: "review", maxlength: "2000", placeholder: "How was it?" });
  return h("form", { class: "review-form", onsubmit: async (e) => {
    e.preventDefault();
    const rating = Number(new FormData(e.target).get(name));
    try {
      let cid = "";
      if (text.value.trim()) {
        if (!wallet.getState().session) throw new Error("Sign in first (button at the top) to publish the review text.");
        progress.step("Storing your review on IPFS…");
        const doc = JSON.stringify({ orderId: order.id, rating, text: text.value.trim() });
        cid = (await upload("review", new File([doc], "review.json", { type: "application/json" }))).cid;
        progress.clear();
      }
      await run("Thank you: your review is published.")("Marketplace", "review", [order.id, rating, cid]);
    } catch (error) {
      if (!error.explained) progress.fail(await explain(error));
    }
  } },
  h("fieldset", {}, h("legend", {}, "Review this order"), ratings),
  h("div", { class: "field" }, h("label", { for: textId }, "Your review (optional)"), text),
  h("button", { type: "submit", "data-action": "review" }, "Publish review"),
  progress.el);
}
