// One provenance token as a card, with what its viewer may do to its trail: record an event (with
// evidence uploaded to IPFS), correct an earlier event, authorise or withdraw an appender, and,
// for its producer, recall it. Used by the Traceability page.
import { getAddress } from "/static/vendor/ethers.min.js";
import { getJson, upload } from "./api.js";
import { perform } from "./actions.js";
import { explain } from "./errors.js";
import { uploadFileOrNote } from "./evidence.js";
import { formatDate, shortAddress } from "./format.js";
import { h, Progress, replace } from "./ui.js";
import * as wallet from "./wallet.js";

// IProvenanceToken.Step, by value. Commissioning is recorded by mint, Recalled by recall.
const STEPS = ["Commissioning", "Procurement", "Assembling", "Packing", "Shipping", "Receiving", "Storing",
  "Inspecting", "Selling", "Delivering", "Returning", "Destroying", "Recalled", "Other"];
const APPENDABLE = STEPS.map((name, value) => ({ name, value })).filter((s) => s.name !== "Commissioning" && s.name !== "Recalled");
const CORRECTABLE = STEPS.map((name, value) => ({ name, value })).filter((s) => s.name !== "Recalled");
const STEP_HINTS = {
  Shipping: "left a location", Receiving: "arrived at a location", Inspecting: "quality check or audit",
  Assembling: "made or assembled", Procurement: "materials sourced", Other: "described by the evidence",
};

/** token: from /api/provenance; options: {account, onChanged(message)} */
export function tokenCard(token, { account, onChanged }) {
  const id = token.tokenId;
  const progress = new Progress(h("div", { class: "token-progress", id: `token-progress-${id}` }));
  const run = async (method, args, done, button) => {
    if (button) button.disabled = true;
    try {
      await perform("ProvenanceToken", method, args, { progress });
      progress.done(done);
      onChanged?.(done);
    } catch (error) {
      if (!error.explained) progress.fail(await explain(error));
    } finally { if (button) button.disabled = false; }
  };
  const isProducer = token.producer === account;
  return h("li", { class: "item", id: `token-${id}`, dataset: { tokenId: id } },
    h("header", {},
      h("h3", {}, h("a", { href: `/provenance/${id}` }, `Token #${id}`), token.batchRef ? ` · ${token.batchRef}` : ""),
      h("span", {},
        token.recalled ? h("span", { class: "badge bad" }, "Recalled") : null,
        token.listingId ? [" ", h("a", { class: "badge", href: `/listings/${token.listingId}` }, `In listing ${token.listingId}`)] : null)),
    h("dl", { class: "facts" },
      h("dt", {}, "Trail"), h("dd", { class: "token-trail" }, `${token.events} event${token.events === 1 ? "" : "s"}, latest: ${token.lastStep || "none"}${token.lastEventAt ? ` (${formatDate(token.lastEventAt)})` : ""}`),
      h("dt", {}, "Producer"), h("dd", { class: "mono", title: token.producer }, isProducer ? "you" : shortAddress(token.producer)),
      h("dt", {}, "Held by"), h("dd", { class: "mono", title: token.holder }, token.holder === account ? "you" : shortAddress(token.holder)),
      h("dt", {}, "Passport"), h("dd", {}, h("a", { href: `/ipfs/${token.passportCid}` }, "product passport"))),
    eventForm(token, run, progress),
    correctionForm(token, run, progress),
    appendersForm(token, run, progress, account),
    isProducer && !token.recalled ? recallForm(token, run, progress) : null,
    h("p", {}, h("a", { href: `/provenance/${id}` }, "Public page: the trail and its verification")),
    progress.el);
}

function stepSelect(id, steps, selected) {
  return h("select", { id, required: true }, steps.map((s) => h("option", { value: String(s.value), selected: s.name === selected },
    STEP_HINTS[s.name] ? `${s.name} (${STEP_HINTS[s.name]})` : s.name)));
}

function evidenceFields(prefix) {
  const file = h("input", { id: `${prefix}-file`, type: "file", accept: "image/*,application/pdf,text/plain,video/mp4,video/webm" });
  const note = h("textarea", { id: `${prefix}-note`, maxlength: "4000", placeholder: "Carrier, seal numbers, temperature log…" });
  return {
    file, note,
    el: [h("div", { class: "field" }, h("label", { for: file.id }, "Evidence file (photo, PDF, text or video)"), file),
      h("div", { class: "field" }, h("label", { for: note.id }, "Or a note"), note)],
  };
}

function locationField(id) {
  const input = h("input", { id, maxlength: "200", placeholder: "urn:epc:id:sgln:4012345.00001.0 or geo:52.52,13.40" });
  return { input, el: h("div", { class: "field" }, h("label", { for: id }, "Location"), input) };
}

function eventForm(token, run, progress) {
  const id = token.tokenId;
  const step = stepSelect(`step-${id}`, APPENDABLE, "Shipping");
  const location = locationField(`location-${id}`);
  const evidence = evidenceFields(`event-${id}`);
  const submit = h("button", { type: "submit", "data-action": "append-event" }, "Record event");
  const form = h("form", { onsubmit: async (e) => {
    e.preventDefault();
    submit.disabled = true;
    try {
      const cid = await uploadFileOrNote(evidence.file, evidence.note, progress);
      const name = STEPS[Number(step.value)];
      await run("appendEvent", [id, Number(step.value), location.input.value.trim(), cid], `${name} recorded on token #${id}'s trail.`, submit);
    } catch (error) { progress.fail(await explain(error)); } finally { submit.disabled = false; }
  } },
  h("div", { class: "field" }, h("label", { for: step.id }, "Step"), step), location.el, ...evidence.el, submit);
  return h("details", { class: "edit" }, h("summary", {}, "Record an event"), form);
}

function correctionForm(token, run, progress) {
  const id = token.tokenId;
  const which = h("select", { id: `corrects-${id}`, required: true }, h("option", { value: "" }, "Loading the trail…"));
  const step = stepSelect(`correction-step-${id}`, CORRECTABLE, "Shipping");
  const location = locationField(`correction-location-${id}`);
  const evidence = evidenceFields(`correction-${id}`);
  const submit = h("button", { type: "submit", "data-action": "append-correction" }, "Record correction");
  const details = h("details", { class: "edit" }, h("summary", {}, "Correct an event"));
  details.addEventListener("toggle", async () => {
    if (!details.open || which.dataset.loaded) return;
    try {
      const body = await getJson(`/api/provenance/${id}`);
      replace(which, body.trail.map((e) => h("option", { value: String(e.index) },
        `#${e.index} ${e.step}${e.location ? ` at ${e.location}` : ""}, ${formatDate(e.time)}`)));
      which.dataset.loaded = "true";
    } catch (error) { progress.fail(await explain(error)); }
  });
  details.append(h("form", { onsubmit: async (e) => {
    e.preventDefault();
    submit.disabled = true;
    try {
      if (which.value === "") throw new Error("Choose the event to correct.");
      const cid = await uploadFileOrNote(evidence.file, evidence.note, progress);
      await run("appendCorrection", [id, Number(which.value), Number(step.value), location.input.value.trim(), cid],
        `Correction of event #${which.value} recorded: the original stays in the trail, marked as corrected.`, submit);
    } catch (error) { progress.fail(await explain(error)); } finally { submit.disabled = false; }
  } },
  h("p", { class: "hint" }, "Events are never edited: a correction is a new event that names the one it corrects, with the right data."),
  h("div", { class: "field" }, h("label", { for: which.id }, "Event to correct"), which),
  h("div", { class: "field" }, h("label", { for: step.id }, "Correct step"), step), location.el, ...evidence.el, submit));
  return details;
}

function appendersForm(token, run, progress, account) {
  const id = token.tokenId;
  if (token.producer !== account && token.holder !== account) return null;  // only they may authorise
  const address = h("input", { id: `appender-${id}`, required: true, placeholder: "0x…", class: "address" });
  const list = h("ul", { class: "appenders" });
  const details = h("details", { class: "edit" }, h("summary", {}, "Carriers and inspectors"));
  const submit = h("button", { type: "submit", "data-action": "authorise" }, "Authorise");
  details.addEventListener("toggle", async () => {
    if (!details.open) return;
    try {
      const body = await getJson(`/api/provenance/${id}`);
      replace(list, body.appenders.length ? body.appenders.map((a) => h("li", { dataset: { account: a.account } },
        h("span", { class: "mono", title: a.account }, a.account), " ",
        h("button", { type: "button", class: "secondary", "data-action": "withdraw-appender",
          onclick: (e) => run("setAppender", [id, a.account, false], `${shortAddress(a.account)} may no longer add events.`, e.target) }, "Withdraw")))
        : h("li", { class: "hint" }, "Nobody else is authorised for this token."));
    } catch (error) { progress.fail(await explain(error)); }
  });
  details.append(h("p", { class: "hint" }, "An authorised account (a carrier, a warehouse, an inspector) may add events to this token's trail. The holder's authorisations end when the token moves on."),
    list,
    h("form", { class: "actions", onsubmit: async (e) => {
      e.preventDefault();
      let who;
      try { who = getAddress(address.value.trim()); } catch { progress.fail("That is not an Ethereum address (0x followed by 40 hex digits)."); return; }
      await run("setAppender", [id, who, true], `${shortAddress(who)} may now add events to token #${id}.`, submit);
    } }, h("div", { class: "field wide" }, h("label", { for: address.id }, "Authorise an account"), address), submit));
  return details;
}

function recallForm(token, run, progress) {
  const id = token.tokenId;
  const notice = h("textarea", { id: `recall-notice-${id}`, required: true, maxlength: "4000", placeholder: "What is wrong, and what holders should do." });
  const box = h("div", { class: "actions" });
  const ask = h("button", { type: "button", class: "danger", "data-action": "recall", onclick: () => {
    if (!notice.value.trim()) { progress.fail("Write the recall notice first: holders will read it on the token's page."); return; }
    replace(box, h("span", {}, "A recall is final and public. "),
      h("button", { type: "button", class: "danger", "data-action": "confirm-recall", onclick: async (e) => {
        try {
          if (!wallet.getState().session) throw new Error("Sign in first (button at the top): the notice is stored through your session.");
          progress.step("Storing the recall notice on IPFS…");
          const stored = await upload("evidence", new File([notice.value.trim()], "recall-notice.txt", { type: "text/plain" }));
          await run("recall", [id, stored.cid], `Token #${id} is recalled: its public page says so.`, e.target);
        } catch (error) { progress.fail(await explain(error)); }
      } }, "Yes, recall it"),
      h("button", { type: "button", class: "secondary", onclick: () => replace(box, ask) }, "Keep it"));
  } }, "Recall…");
  replace(box, ask);
  return h("details", { class: "edit" }, h("summary", {}, "Recall"),
    h("div", { class: "field" }, h("label", { for: notice.id }, "Recall notice"), notice), box);
}
