// Usage so far this month, invoices, and an estimate for a planned configuration.
import { useState } from 'preact/hooks';
import { ui, query, getJSON } from './api.js';
import { money, time } from './format.js';
import { html, Badge, Section, Empty, Failure, useLoad } from './ui.js';

function LineItems({ items, currency }) {
  if (!items.length) return html`<${Empty}>Nothing billed in this period.</${Empty}>`;
  return html`<div class="table-wrap"><table>
    <thead><tr><th scope="col">Item</th><th scope="col" class="num">Quantity</th><th scope="col" class="num wide-only">Unit price</th><th scope="col" class="num">Amount</th></tr></thead>
    <tbody>${items.map((li, n) => html`<tr key=${n}>
      <td>${li.description}${li.resource_id && html`<div class="sub mono">${li.resource_id}</div>`}</td>
      <td class="num">${li.quantity} ${li.unit}</td><td class="num wide-only">${money(li.unit_price, currency)}</td>
      <td class="num"><strong>${money(li.amount, currency)}</strong></td></tr>`)}</tbody>
  </table></div>`;
}

function Estimate({ sbx, types }) {
  const [form, setForm] = useState({ instance_type: types[0] || '', count: '1', hours: '730', volume_size_gb: '0' });
  const [result, setResult] = useState(null);
  const [problem, setProblem] = useState(null);
  const set = (name) => (e) => setForm({ ...form, [name]: e.target.value });
  async function run(e) {
    e.preventDefault();
    try { setResult(await getJSON(ui(sbx, `/estimate${query(form)}`))); setProblem(null); } catch (err) { setProblem(err); }
  }
  return html`<form class="form-grid" onSubmit=${run}>
    <label>Instance type<select value=${form.instance_type} onChange=${set('instance_type')}>${types.map((t) => html`<option value=${t}>${t}</option>`)}</select></label>
    <label>Count<input type="number" min="1" value=${form.count} onInput=${set('count')} /></label>
    <label>Hours<input type="number" min="0" step="any" value=${form.hours} onInput=${set('hours')} /></label>
    <label>Volume (GB)<input type="number" min="0" value=${form.volume_size_gb} onInput=${set('volume_size_gb')} /></label>
    <div class="form-end"><button type="submit" class="btn btn-primary">Estimate</button></div>
  </form>
  <${Failure} error=${problem} />
  ${result && html`<div class="estimate"><p class="big" data-testid="estimate-total">${money(result.total, result.currency)}</p>
    <${LineItems} items=${result.line_items} currency=${result.currency} /></div>`}`;
}

export function Billing({ sbx, tick, overview }) {
  const accounts = overview ? overview.accounts : [];
  const [chosen, setChosen] = useState('');
  const id = chosen || (accounts[0] && accounts[0].id) || '';
  const [bill, error] = useLoad(id ? ui(sbx, `/billing${query({ account_id: id })}`) : null, [tick]);
  const usage = bill && bill.usage;
  return html`<div class="stack">
    <${Section} id="h-usage" title="Usage this month"
        actions=${html`<label class="inline">Account<select value=${id} onChange=${(e) => setChosen(e.target.value)}>
          ${accounts.map((a) => html`<option value=${a.id}>${a.name}</option>`)}</select></label>`}>
      <${Failure} error=${error} />
      ${usage && html`<p class="big" data-testid="usage-total">${money(usage.total, usage.currency)}</p>
        <p class="sub">${time(usage.period_start)} → ${time(usage.period_end)} (emulator time)</p>
        <${LineItems} items=${usage.line_items} currency=${usage.currency} />`}
    </${Section}>
    <${Section} id="h-invoices" title="Invoices" count=${bill ? bill.invoices.length : undefined}>
      ${bill && html`<div class="table-wrap"><table>
        <thead><tr><th scope="col">Period</th><th scope="col">Status</th><th scope="col" class="num">Total</th><th scope="col" class="wide-only">Id</th></tr></thead>
        <tbody>${bill.invoices.map((inv) => html`<tr key=${inv.id}>
          <td>${time(inv.period_start).slice(0, 10)} → ${time(inv.period_end).slice(0, 10)}</td>
          <td><${Badge} status=${inv.status} /></td><td class="num">${money(inv.total, inv.currency)}</td>
          <td class="wide-only mono">${inv.id}</td></tr>`)}</tbody></table></div>`}
    </${Section}>
    <${Section} id="h-estimate" title="Estimate">
      <${Estimate} sbx=${sbx} types=${overview ? overview.instance_types : []} />
    </${Section}>
  </div>`;
}
