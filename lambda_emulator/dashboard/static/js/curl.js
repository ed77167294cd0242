// "Copy as curl": a journal entry back into a command that sends the same request again. The
// journal never holds a key's secret, so the key is the shell variable $KEY (set it first:
// KEY='λ_sk_…'); every other header, the query and the body are replayed as recorded.
const SKIP = new Set(['host', 'content-length', 'connection', 'accept-encoding', 'user-agent',
  'transfer-encoding', 'cookie', 'expect']);
const REDACTED = '[REDACTED]';
const TOKEN = '\u0000KEY\u0000';

function canonical(name) {
  return name.split('-').map((p) => (p ? p[0].toUpperCase() + p.slice(1) : p)).join('-');
}

// Single quotes keep everything literal; a word holding the key needs double quotes so that
// $KEY expands, with the characters that are special inside them escaped.
export function shellQuote(text) {
  if (text.includes(TOKEN)) {
    const escaped = text.replace(/[\\"$`]/g, (c) => `\\${c}`);
    return `"${escaped.split(TOKEN).join('$KEY')}"`;
  }
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function redactedInQuery(query) {
  return query.replace(/=(%5BREDACTED%5D|\[REDACTED\])/gi, `=${TOKEN}`);
}

export function bodyText(body) {
  if (body === null || body === undefined || body === '') return null;
  return typeof body === 'string' ? body : JSON.stringify(body);
}

export function hasRedactedBody(entry) {
  const text = bodyText(entry.request_body);
  return text !== null && text.includes(REDACTED);
}

export function curlFor(entry, origin) {
  const url = origin + entry.path + (entry.query ? `?${redactedInQuery(entry.query)}` : '');
  const parts = ['curl'];
  if (entry.method === 'HEAD') parts.push('--head');
  else if (entry.method !== 'GET') parts.push(`-X ${entry.method}`);
  parts.push(shellQuote(url));
  for (const [name, value] of Object.entries(entry.request_headers || {})) {
    if (SKIP.has(name)) continue;
    let shown = value;
    if (value === REDACTED) {
      if (name === 'authorization') shown = `Bearer ${TOKEN}`;
      else if (name === 'x-api-key') shown = TOKEN;
      else continue;
    }
    parts.push(`-H ${shellQuote(`${canonical(name)}: ${shown}`)}`);
  }
  const body = bodyText(entry.request_body);
  if (body !== null) parts.push(`--data-raw ${shellQuote(body)}`);
  return parts.join(' \\\n  ');
}
