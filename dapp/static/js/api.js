// The dApp server's JSON API: every answer is JSON, errors included ({error, status, ...}).

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error || `The server answered ${status}.`);
    this.status = status;
    this.body = body || {};
  }
}

let csrfToken = null;
export function setCsrfToken(token) { csrfToken = token; }

export async function getJson(url) {
  return request(url, { method: "GET" });
}

export async function postJson(url, body) {
  return request(url, { method: "POST", body: JSON.stringify(body ?? {}), headers: { "Content-Type": "application/json" } });
}

/** Store a file on IPFS through the server (needs a signed-in session). */
export async function upload(kind, file) {
  const form = new FormData();
  form.append("file", file);
  return request(`/api/uploads?kind=${encodeURIComponent(kind)}`, { method: "POST", body: form });
}

async function request(url, options) {
  const headers = { Accept: "application/json", ...(options.headers || {}) };
  if (options.method !== "GET" && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  let response;
  try {
    response = await fetch(url, { credentials: "same-origin", ...options, headers });
  } catch (error) {
    throw new ApiError(0, { error: "The ChainMart server does not answer: check your connection and try again." });
  }
  let body = null;
  try { body = await response.json(); } catch { body = null; }
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}
