// Evidence and reports attached to on-chain records (disputes, trail events, license uses): the
// chosen file, else the typed note as a text file, uploaded to IPFS through the signed-in session.
import { upload } from "./api.js";
import * as wallet from "./wallet.js";

/** The CID of `file`'s chosen file, else of `note`'s text stored as `name`; "" when both are empty.
 * `what` names the upload in the messages ("the evidence", "the usage report"). */
export async function uploadFileOrNote(file, note, progress, { name = "evidence.txt", what = "the evidence" } = {}) {
  const text = note.value.trim();
  const chosen = file.files[0] || (text ? new File([text], name, { type: "text/plain" }) : null);
  if (!chosen) return "";
  if (!wallet.getState().session) throw new Error(`Sign in first (button at the top): ${what} is stored through your session.`);
  progress.step(`Uploading ${what} to IPFS…`);
  return (await upload("evidence", chosen)).cid;
}
