// The request journal, live and filterable; each entry opens to its request and response and
// offers "copy as curl".
import { useState } from 'preact/hooks';
import { control, query } from './api.js';
import { curlFor, hasRedactedBody } from './curl.js';
import { clockTime, statusTone } from './format.js';
import { html, Section, Empty, Failure, Headers, Json, useLoad, toast } from './ui.js';

const METHODS = ['', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'];
const LIMIT = 200;

async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
    toast('Copied as curl. Set KEY to your API key before running it.', 'good');
  } catch (_) {
    toast('The browser refused the clipboard: select the command and copy it.', 'warn');
  }
}

function Detail({ entry }) {
  const curl = curlFor(entry, window.location.origin);
  return html`<div class="detail">
    <div class="detail-actions">
      <button type="button" class="btn btn-primary" onClick=${() => copy(curl)}>Copy as curl</button>
      <span class="sub mono">${entry.request_id}</span>
      ${entry.fault_id && html`<span class="chip chip-bad">fault ${entry.fault_id}</span>`}
      ${entry.idempotent_replayed && html`<span class="chip">replayed</span>`}
    </div>
    <pre class="code curl" data-testid="curl">${curl}</pre>
    ${hasRedactedBody(entry) && html`<p class="note">Fields marked [REDACTED] held secrets; put the real values in before running it.</p>`}
    <div class="split">
      <div><h3>Request</h3><${Headers} headers=${entry.request_headers} /><${Json} value=${entry.request_body} /></div>
      <div><h3>Response <span class=${`status tone-${statusTone(entry.status)}`}>${entry.status}</span></h3>
        <${Headers} headers=${entry.response_headers} /><${Json} value=${entry.response_body} /></div>
    </div>
  </div>`;
}

export function Requests({ sbx, tick, overview }) {
  const [filters, setFilters] = useState({ method: '', path: '', status: '', account_id: '' });
  const [open, setOpen] = useState(null);
  // A path without glob characters matches anywhere in the path; a status is exact (404) or a
  // class (4xx, filtered here); anything else in the status box is ignored until it is one.
  const path = filters.path && !/[*?[]/.test(filters.path) ? `*${filters.path}*` : filters.path;
  const exact = /^[1-5]\d\d$/.test(filters.status) ? filters.status : '';
  const statusClass = /^[1-5]xx$/i.test(filters.status) ? filters.status[0] : '';
  const q = query({ ...filters, path, status: exact, limit: LIMIT });
  const [entries, error] = useLoad(control(sbx, `/requests${q}`), [tick]);
  const set = (name) => (e) => setFilters({ ...filters, [name]: e.target.value.trim() });
  const rows = entries
    ? [...entries].reverse().filter((e) => !statusClass || String(e.status)[0] === statusClass)
    : [];
  return html`<${Section} id="h-requests" title="Requests" count=${entries ? rows.length : undefined}>
    <form class="filters" role="search" onSubmit=${(e) => e.preventDefault()}>
      <label>Method<select value=${filters.method} onChange=${set('method')}>
        ${METHODS.map((m) => html`<option value=${m}>${m || 'any'}</option>`)}</select></label>
      <label>Path<input type="search" placeholder="/v1/instances*" value=${filters.path} onInput=${set('path')} /></label>
      <label>Status<input type="search" placeholder="404 or 4xx" size="8" value=${filters.status} onInput=${set('status')} /></label>
      <label>Account<select value=${filters.account_id} onChange=${set('account_id')}>
        <option value="">any</option>
        ${(overview ? overview.accounts : []).map((a) => html`<option value=${a.id}>${a.name} (${a.id})</option>`)}
      </select></label>
    </form>
    <${Failure} error=${error} />
    ${rows.length === 0
      ? html`<${Empty}>No requests recorded${filters.method || filters.path || filters.status || filters.account_id ? ' that match' : ' yet'}. Point a client at the API and they appear here as they happen.</${Empty}>`
      : html`<ul class="journal">${rows.map((e) => html`<li key=${e.request_id} data-request-id=${e.request_id}>
          <button type="button" class="journal-row" aria-expanded=${open === e.request_id}
              onClick=${() => setOpen(open === e.request_id ? null : e.request_id)}>
            <span class="when mono">${clockTime(e.timestamp)}</span>
            <span class=${`method m-${e.method}`}>${e.method}</span>
            <span class="path mono">${e.path}${e.query && html`<span class="query">?${e.query}</span>`}</span>
            <span class=${`status tone-${statusTone(e.status)}`}>${e.status}</span>
            <span class="ms wide-only">${e.duration_ms.toFixed(1)} ms</span>
            <span class="acct wide-only mono">${e.account_id || '—'}</span>
          </button>
          ${open === e.request_id && html`<${Detail} entry=${e} />`}
        </li>`)}</ul>`}
  </${Section}>`;
}
