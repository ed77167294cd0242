// Fault rules: add one from a small form, remove any.
import { useState } from 'preact/hooks';
import { control, send } from './api.js';
import { html, Section, Empty, Failure, useLoad, toast } from './ui.js';

const STATUSES = ['', '400', '401', '403', '404', '409', '429', '500', '502', '503', '504'];

export function Faults({ sbx, tick }) {
  const [rules, error] = useLoad(control(sbx, '/faults'), [tick]);
  const [form, setForm] = useState({ method: '*', path: '/v1/*', status: '503', latency_ms: '', count: '', probability: '' });
  const [problem, setProblem] = useState(null);
  const set = (name) => (e) => setForm({ ...form, [name]: e.target.value });
  async function add(e) {
    e.preventDefault();
    const body = { method: form.method, path: form.path.trim() };
    if (form.status) body.status = Number(form.status);
    for (const name of ['latency_ms', 'count']) if (form[name] !== '') body[name] = Number(form[name]);
    if (form.probability !== '') body.probability = Number(form.probability);
    try {
      const rule = await send('POST', control(sbx, '/faults'), body);
      setProblem(null);
      toast(`Fault rule ${rule.id} added`, 'good');
    } catch (err) {
      setProblem(err);
    }
  }
  async function remove(id) {
    try { await send('DELETE', control(sbx, `/faults/${id}`)); toast(`Fault rule ${id} removed`, 'good'); } catch (err) { toast(err.message, 'bad'); }
  }
  return html`<div class="stack">
    <${Section} id="h-add-fault" title="Add a fault rule">
      <form class="form-grid" onSubmit=${add} aria-describedby="fault-help">
        <label>Method<select value=${form.method} onChange=${set('method')}>${['*', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((m) => html`<option value=${m}>${m === '*' ? 'any' : m}</option>`)}</select></label>
        <label>Path (glob)<input required value=${form.path} onInput=${set('path')} /></label>
        <label>Error status<select value=${form.status} onChange=${set('status')}>${STATUSES.map((s) => html`<option value=${s}>${s || 'none (latency only)'}</option>`)}</select></label>
        <label>Latency (ms)<input type="number" min="0" max="600000" value=${form.latency_ms} onInput=${set('latency_ms')} /></label>
        <label>Times<input type="number" min="1" placeholder="always" value=${form.count} onInput=${set('count')} /></label>
        <label>Probability<input type="number" min="0" max="1" step="0.05" placeholder="1" value=${form.probability} onInput=${set('probability')} /></label>
        <div class="form-end"><button type="submit" class="btn btn-primary">Add rule</button></div>
      </form>
      <p id="fault-help" class="sub">Rules apply to the emulated API only, first match wins; an error answers before authentication, so nothing is stored.</p>
      <${Failure} error=${problem} />
    </${Section}>
    <${Section} id="h-faults" title="Fault rules" count=${rules ? rules.length : undefined}>
      <${Failure} error=${error} />
      ${rules && rules.length ? html`<div class="table-wrap"><table>
        <thead><tr><th scope="col">Matches</th><th scope="col">Does</th><th scope="col">Fired</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>${rules.map((r) => html`<tr key=${r.id} data-id=${r.id}>
          <td><strong>${r.method || 'any'} <span class="mono">${r.path}</span></strong><div class="sub mono">${r.id}${r.account_id ? ` · ${r.account_id}` : ''}</div></td>
          <td>${r.status ? `${r.status} ${r.code}` : ''}${r.status && r.latency_ms ? ' after ' : ''}${r.latency_ms ? `${r.latency_ms} ms delay` : ''}
            ${r.probability < 1 && html`<div class="sub">probability ${r.probability}</div>`}</td>
          <td>${r.fired} of ${r.matched}${r.remaining !== null && html`<div class="sub">${r.remaining} left</div>`}</td>
          <td><button type="button" class="btn btn-danger" onClick=${() => remove(r.id)} aria-label=${`Remove fault rule ${r.id}`}>Remove</button></td>
        </tr>`)}</tbody></table></div>` : html`<${Empty}>No fault rules: every request is served normally.</${Empty}>`}
    </${Section}>
  </div>`;
}
