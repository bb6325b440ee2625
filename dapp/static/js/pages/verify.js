// Public license verification: is this account licensed to use this work right now?
import { getJson } from "../api.js";
import { formatDate } from "../format.js";
import { startShell } from "../shell.js";
import { h, replace } from "../ui.js";

const form = document.getElementById("verify-form");
const out = document.getElementById("verdict");

startShell();
const params = new URLSearchParams(location.search);
if (params.get("work")) form.elements.work.value = params.get("work");
if (params.get("account")) form.elements.account.value = params.get("account");
form.addEventListener("submit", (event) => { event.preventDefault(); check(); });
if (params.get("work") && params.get("account")) check();

async function check() {
  const work = form.elements.work.value.trim();
  const account = form.elements.account.value.trim();
  history.replaceState(null, "", `?work=${encodeURIComponent(work)}&account=${encodeURIComponent(account)}`);
  replace(out, h("p", { class: "status" }, "Checking on chain…"));
  try {
    const v = await getJson(`/api/licenses/verify?work=${encodeURIComponent(work)}&account=${encodeURIComponent(account)}`);
    const perpetual = BigInt(v.license.expiresAt) >= 2n ** 64n - 1n;
    replace(out, h("section", { class: "panel" },
      h("p", { class: `verdict ${v.valid ? "valid" : "invalid"}`, id: "license-verdict" }, v.valid ? "VALID license" : "NOT a valid license"),
      h("p", { id: "license-reason" }, v.valid ? (perpetual ? "Perpetual license." : `Valid until ${formatDate(v.license.expiresAt)}.`) : `Why: ${v.reason}.`),
      h("dl", { class: "facts" },
        h("dt", {}, "Work"), h("dd", {}, h("a", { href: `/works/${v.work.id}` }, `#${v.work.id} ${v.work.title}`), v.work.revoked ? h("span", { class: "badge bad" }, " Revoked") : null),
        h("dt", {}, "Account"), h("dd", { class: "mono" }, v.account),
        v.license.offerId ? [h("dt", {}, "Terms"), h("dd", {}, `offer #${v.license.offerId}, ${v.license.commercial ? "commercial" : "non-commercial"}`)] : null,
        h("dt", {}, "Checked at"), h("dd", {}, formatDate(v.checkedAt)))));
  } catch (error) {
    replace(out, h("p", { class: "error", role: "alert" }, error.message));
  }
}
