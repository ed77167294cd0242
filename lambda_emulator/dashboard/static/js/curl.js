// "Copy as curl": a journal entry back into a command that sends the same request again. The
// journal never holds a key's secret, so the key is the shell variable $KEY (set it first:
// KEY='λ_sk_…'); every other header, the query and the body are replayed as recorded. Needs
// curl 7.87 or newer when the key travelled in the query (--url-query).
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

const REDACTED_VALUE = /=(%5BREDACTED%5D|\[REDACTED\])$/i;

// The query as recorded, except that a redacted parameter (a key sent as ?api_key=) must be
// sent URL-encoded from $KEY: curl's --url-query does that. From the first such parameter on,
// every parameter goes through --url-query ('+' adds one as it is), so their order is kept.
function splitQuery(query) {
  const params = query ? query.split('&') : [];
  const first = params.findIndex((p) => REDACTED_VALUE.test(p));
  if (first < 0) return { inline: query, added: [] };
  const added = params.slice(first).map((p) => (REDACTED_VALUE.test(p)
    ? `--url-query ${shellQuote(`${decodeURIComponent(p.split('=')[0])}=${TOKEN}`)}`
    : `--url-query ${shellQuote(`+${p}`)}`));
  return { inline: params.slice(0, first).join('&'), added };
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
  const { inline, added } = splitQuery(entry.query || '');
  const url = origin + entry.path + (inline ? `?${inline}` : '');
  let first = 'curl';
  if (entry.method === 'HEAD') first += ' --head';
  else if (entry.method !== 'GET') first += ` -X ${entry.method}`;
  const parts = [`${first} ${shellQuote(url)}`, ...added];
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
