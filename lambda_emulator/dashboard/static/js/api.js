// Talking to the emulator. Every read and action is per sandbox: the dashboard's own read-only
// surface lives under /_emulator/ui/api/sandboxes/{id}, and the control plane's endpoints act on
// the default sandbox without a prefix, or on another one under /_emulator/sandboxes/{id}.
export const DEFAULT_SANDBOX = 'sbx_default';

export const ui = (sbx, path = '') => `/_emulator/ui/api/sandboxes/${encodeURIComponent(sbx)}${path}`;

export const control = (sbx, path) =>
  sbx === DEFAULT_SANDBOX ? `/_emulator${path}` : `/_emulator/sandboxes/${encodeURIComponent(sbx)}${path}`;

export class ApiFailure extends Error {
  constructor(error, status) {
    super(error && error.message ? error.message : `HTTP ${status}`);
    this.error = error || {};
    this.status = status;
  }
}

async function parse(response) {
  let body = null;
  try {
    body = await response.json();
  } catch (_) {
    throw new ApiFailure(null, response.status);
  }
  if (!body || body.success !== true) throw new ApiFailure(body && body.error, response.status);
  return body.data;
}

export async function getJSON(url) {
  return parse(await fetch(url, { headers: { Accept: 'application/json' } }));
}

export async function send(method, url, body) {
  const init = { method, headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  return parse(await fetch(url, init));
}

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== '' && v !== null && v !== undefined) q.set(k, v);
  const text = q.toString();
  return text ? `?${text}` : '';
}
