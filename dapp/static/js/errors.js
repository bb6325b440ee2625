// Errors in words: wallet refusals, RPC failures, relay refusals and the contracts' custom errors.
import { errorInterface } from "./config.js";
import { ApiError } from "./api.js";
import { formatDate, ORDER_STATES, STATE_WORDS } from "./format.js";

/** A contract's custom error, already decoded (e.g. reported by the relayer): args by name. */
export class RevertError extends Error {
  constructor(name, args = {}) {
    super(`The contract refused: ${name}.`);
    this.revertName = name;
    this.revertArgs = args;
  }
}

/** name -> (args, context) => message. args are by parameter name (strings for big numbers). */
const MESSAGES = {
  MarketplacePaused: () => "The marketplace is paused by its admin: purchases and new listings are stopped for now.",
  MarketplaceAssetNotAllowed: () => "This currency is not accepted by the marketplace.",
  MarketplaceSellerNotActive: () => "This seller is not active: not approved yet, or suspended.",
  MarketplaceAlreadySeller: () => "This account has already applied or is already a seller.",
  MarketplaceUnknownListing: (a) => `There is no listing ${a.listingId}.`,
  MarketplaceNotListingSeller: () => "Only the seller of this listing can change it.",
  MarketplaceInvalidPrice: () => "The price must be more than zero.",
  MarketplaceInvalidWindow: () => "The shipping or confirmation window is out of range.",
  MarketplaceListingPaused: () => "The seller has paused this listing: it cannot be bought right now.",
  MarketplaceZeroQuantity: () => "Choose a quantity of at least 1.",
  MarketplaceInsufficientStock: (a) => `Out of stock: you asked for ${a.requested}, and ${a.available} ${Number(a.available) === 1 ? "is" : "are"} left.`,
  MarketplaceSelfPurchase: () => "You cannot buy your own listing.",
  MarketplaceWrongPaymentAsset: () => "This listing is paid in another currency.",
  MarketplaceIncorrectPayment: () => "The payment does not match the price: reload the page and try again.",
  MarketplacePriceAboveMaximum: () => "The price changed since you opened the page: reload it and check the new total.",
  MarketplaceTransferAmountMismatch: () => "The token moved a different amount than the price (a fee-on-transfer token?).",
  MarketplaceUnknownOrder: () => "This order does not exist.",
  MarketplaceInvalidOrderState: (a) => `This order is now "${STATE_WORDS[ORDER_STATES[Number(a.state)]] || ORDER_STATES[Number(a.state)]}", so this action no longer applies. Reload the page.`,
  MarketplaceNotBuyer: (a, c) => `Only the order's buyer can do this${c.account ? ` (you are ${c.account})` : ""}.`,
  MarketplaceNotSeller: (a, c) => `Only the order's seller can do this${c.account ? ` (you are ${c.account})` : ""}.`,
  MarketplaceNotParty: () => "Only the order's buyer or seller can do this.",
  MarketplaceDeadlineNotPassed: (a) => `Not yet: this becomes possible after ${formatDate(a.deadline)}.`,
  MarketplaceDeadlinePassed: (a) => `Too late: the deadline passed on ${formatDate(a.deadline)}.`,
  MarketplaceInvalidRefund: () => "A refund can be at most the order amount.",
  MarketplaceNoSettlementOffer: () => "The seller has not offered a settlement yet.",
  MarketplaceInvalidSplit: () => "The buyer's share must be between 0 % and 100 %.",
  MarketplaceInvalidRating: () => "A rating is 1 to 5 stars.",
  MarketplaceAlreadyReviewed: () => "You have already reviewed this order.",
  MarketplaceNothingToWithdraw: () => "There is nothing to withdraw in this currency.",
  MarketplaceEthTransferFailed: () => "Sending ETH to the account failed: withdraw to another address.",
  MarketplaceTokenRecalled: (a) => `Provenance token ${a.tokenId} was recalled by its producer: it cannot be sold.`,
  MarketplaceInvalidFee: (a) => `The fee can be at most ${Number(a.maxFeeBps) / 100} %.`,
  MarketplaceZeroAddress: () => "An address is missing (the zero address is not allowed here).",
  MarketplaceTooManyAssets: () => "The marketplace already has the most payment assets it can hold.",
  MarketplaceUnknownSeller: () => "This account has never applied to sell.",
  MarketplaceAmountTooLarge: () => "That amount is too large for the marketplace.",
  MarketplaceNoProvenanceContract: () => "This marketplace has no provenance contract: traced listings are not available.",
  MarketplaceNotTracedListing: () => "This listing does not sell provenance tokens.",
  MarketplaceTracedListingStock: () => "A traced listing's stock is its number of provenance tokens: add tokens instead.",
  MarketplaceInvalidTokenCount: () => "Choose between 1 and 100 provenance tokens at a time.",
  MarketplaceNotTokenHolder: (a) => `You do not hold provenance token ${a.tokenId}.`,
  MarketplaceTokenAlreadyListed: (a) => `Provenance token ${a.tokenId} is already in a listing.`,
  ERC20InsufficientBalance: (a, c) => `Your balance is too low for this payment${c.asset ? `: you have ${c.format(a.balance)}, it needs ${c.format(a.needed)}` : ""}.`,
  ERC20InsufficientAllowance: () => "The token allowance is too low: approve the payment first.",
  ERC2612ExpiredSignature: () => "The payment permit you signed has expired: try again.",
  ERC2612InvalidSigner: () => "The payment permit's signature is not from your account.",
  ERC2771ForwarderExpiredRequest: () => "Your signed request's deadline passed before it was sent: try again.",
  ERC2771ForwarderInvalidSigner: () => "The signed request is not from your account.",
  ERC2771ForwarderMismatchedValue: () => "The request's value does not match.",
  ERC2771UntrustfulTarget: () => "The contract does not trust the forwarder.",
  AccessControlUnauthorizedAccount: () => "Your account does not have the role this needs.",
  CopyrightAlreadyRegistered: (a) => `This content is already registered, as work #${a.workId}.`,
  CopyrightNotRightsHolder: () => "Only the work's rights holder can do this.",
  CopyrightWorkRevoked: () => "This work's certificate was revoked: it has no valid licenses and sells none.",
  CopyrightOfferPaused: () => "This license offer is paused.",
  CopyrightOfferSoldOut: () => "This license offer is sold out.",
  CopyrightAlreadyLicensed: (a) => `You already hold a license for this work${a.expiresAt && BigInt(a.expiresAt) < 2n ** 63n ? ` (until ${formatDate(a.expiresAt)})` : ""}.`,
  CopyrightIncorrectPayment: () => "The payment does not match the license price: reload the page.",
  CopyrightZeroContentHash: () => "The content hash is missing.",
  CopyrightEmptyCid: () => "An IPFS reference is missing.",
  CopyrightRoyaltyTooHigh: (a) => `The royalty is too high (at most ${Number(a.maxRoyaltyBps) / 100} %).`,
  CopyrightNothingToWithdraw: () => "There is nothing to withdraw in this currency.",
  CopyrightInvalidFee: (a) => `The license fee can be at most ${Number(a.maxFeeBps) / 100} %.`,
  CopyrightUnknownWork: (a) => `There is no work #${a.workId}.`,
  CopyrightUnknownOffer: (a) => `There is no license offer #${a.offerId}.`,
  CopyrightAssetNotAllowed: () => "This currency is not accepted for licenses.",
  CopyrightInvalidPrice: () => "The price must be more than zero.",
  CopyrightNoValidLicense: () => "You hold no valid license for this work (expired, revoked or never bought).",
  CopyrightLicenseNotTransferable: () => "This license cannot be transferred.",
  ProvenanceUnauthorizedProducer: () => "Only an approved producer (an active seller) can mint provenance tokens.",
  ProvenanceUnauthorizedActor: () => "You are not allowed to add events to this token's trail.",
  ProvenanceAlreadyRecalled: () => "This token is already recalled.",
  ProvenanceNotTokenProducer: () => "Only the token's producer can do this.",
  ProvenanceNotProducerOrHolder: () => "Only the token's producer or its current holder can do this.",
  ProvenanceUnknownToken: (a) => `There is no provenance token #${a.tokenId}.`,
  ProvenanceZeroAddress: () => "An address is missing (the zero address is not allowed here).",
  ProvenanceEmptyCid: () => "The document's IPFS reference is missing: upload it first.",
  ProvenanceBatchRefTooLong: (a) => `The batch reference is too long: ${a.length} bytes, at most ${a.maxLength}.`,
  ProvenanceInvalidStep: () => "That is not a known supply-chain step.",
  ProvenanceReservedStep: () => "That step is recorded only by minting (Commissioning) or by a recall.",
  ProvenanceInvalidCorrection: (a) => `There is no event #${a.corrects} to correct: the trail has ${a.count} events.`,
  ProvenanceTokenRecalled: (a) => `Provenance token ${a.tokenId} is recalled.`,
};

export function describeRevert(name, args = {}, context = {}) {
  const make = MESSAGES[name];
  if (make) return make(args, { format: (v) => v, ...context });
  const shown = Object.entries(args).map(([k, v]) => `${k} ${v}`).join(", ");
  return `The contract refused: ${name}${shown ? ` (${shown})` : ""}.`;
}

/** Find revert data ("0x…") anywhere in an ethers / EIP-1193 error. */
function revertData(error) {
  const seen = new Set();
  const stack = [error];
  while (stack.length) {
    const e = stack.pop();
    if (!e || typeof e !== "object" || seen.has(e)) continue;
    seen.add(e);
    for (const key of ["data"]) {
      const v = e[key];
      if (typeof v === "string" && /^0x[0-9a-fA-F]{8}/.test(v)) return v;
      if (v && typeof v === "object") stack.push(v);
    }
    for (const key of ["error", "info", "cause", "payload", "originalError"]) if (e[key]) stack.push(e[key]);
  }
  return null;
}

function errorCode(error) {
  return error?.code ?? error?.info?.error?.code ?? error?.error?.code;
}

/** The decoded custom error of `error`, as {name, args}, or null. */
export async function decodeRevert(error) {
  if (error?.revert?.name) return argsByName(error.revert.name, error.revert.args, (await errorInterface()).getError(error.revert.name));
  const data = revertData(error);
  if (!data) return null;
  try {
    const parsed = (await errorInterface()).parseError(data);
    if (!parsed) return null;
    return argsByName(parsed.name, parsed.args, parsed.fragment);
  } catch {
    return null;
  }
}

function argsByName(name, values, fragment) {
  const args = {};
  (fragment?.inputs || []).forEach((input, i) => { args[input.name || `arg${i}`] = values?.[i]?.toString?.() ?? values?.[i]; });
  return { name, args };
}

/** One sentence that tells the user what happened and what to do. */
export async function explain(error, context = {}) {
  const code = errorCode(error);
  const text = String(error?.shortMessage || error?.message || error || "");
  if (code === 4001 || code === "ACTION_REJECTED" || /user (rejected|denied)/i.test(text)) {
    return "You rejected the request in your wallet. Nothing was sent.";
  }
  if (code === 4100) return "The wallet has not authorised this site: connect it first.";
  if (code === -32002) return "Your wallet already has a request waiting: open it and answer.";
  if (error instanceof RevertError) return describeRevert(error.revertName, error.revertArgs, context);
  if (error instanceof ApiError) {
    const revert = error.body?.revert;
    if (revert?.error) return describeRevert(revert.error, revert.args || {}, context);
    if (error.status === 409) return "Another request of yours is still being processed: wait for it to finish, then try again.";
    if (error.status === 429) return `Too many requests: ${error.message}`;
    if (error.status === 400 && /expired/i.test(error.message)) return "Your signed request expired before it reached the relayer: try again.";
    if (error.status === 401) return `${error.message}`;
    if (error.status === 503) return `${error.message} You can switch to "Transaction (you pay gas)" mode.`;
    return error.message;
  }
  const revert = await decodeRevert(error);
  if (revert) return describeRevert(revert.name, revert.args, context);
  if (code === "INSUFFICIENT_FUNDS" || /insufficient funds/i.test(text)) {
    return "Your account does not have enough ETH for this transaction and its gas. Use gasless mode, or add ETH.";
  }
  if (code === "CALL_EXCEPTION") return "The contract refused this transaction (it would revert).";
  if (code === "NETWORK_ERROR" || /failed to fetch/i.test(text)) return "The wallet cannot reach the network: check its connection.";
  return text || "Something went wrong.";
}
