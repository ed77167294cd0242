// Webhook subscriptions, every delivery with its attempts, and redelivery.
import { useState } from 'preact/hooks';
import { control, send } from './api.js';
import { time } from './format.js';
import { html, Badge, Section, Empty, Failure, useLoad, toast } from './ui.js';

async function redeliver(sbx, id) {
  try {
    const copy = await send('POST', control(sbx, `/webhooks/deliveries/${id}/redeliver`));
    toast(`Redelivery ${copy.id} queued`, 'good');
  } catch (e) {
    toast(e.message, 'bad');
  }
}

function Attempts({ delivery }) {
  if (!delivery.attempts.length) return html`<p class="muted">No attempt yet.</p>`;
  return html`<div class="table-wrap"><table class="attempts">
    <thead><tr><th scope="col">#</th><th scope="col">At</th><th scope="col">Outcome</th><th scope="col">Latency</th><th scope="col" class="wide-only">Error</th></tr></thead>
    <tbody>${delivery.attempts.map((a) => html`<tr key=${a.attempt}>
      <td>${a.attempt}</td><td>${time(a.at)}</td>
      <td><${Badge} status=${a.succeeded ? 'succeeded' : 'failed'} label=${a.status_code ? `HTTP ${a.status_code}` : 'no answer'} /></td>
      <td>${a.latency_ms.toFixed(1)} ms</td><td class="wide-only">${a.error || ''}</td>
    </tr>`)}</tbody></table></div>`;
}

export function Webhooks({ sbx, tick, overview }) {
  const [deliveries, error] = useLoad(control(sbx, '/webhooks/deliveries?limit=100&order=desc'), [tick]);
  const [open, setOpen] = useState(null);
  const hooks = overview ? overview.webhooks : [];
  const urls = Object.fromEntries(hooks.map((w) => [w.id, w.url]));
  return html`<div class="stack">
    <${Section} id="h-subscriptions" title="Subscriptions" count=${hooks.length}>
      ${hooks.length ? html`<div class="table-wrap"><table>
        <thead><tr><th scope="col">URL</th><th scope="col">Events</th><th scope="col">Status</th><th scope="col" class="wide-only">Id</th></tr></thead>
        <tbody>${hooks.map((w) => html`<tr key=${w.id} data-id=${w.id}>
          <td class="mono">${w.url}</td><td>${w.events.join(', ')}</td>
          <td><${Badge} status=${w.status} /></td><td class="wide-only mono">${w.id}</td></tr>`)}</tbody>
      </table></div>` : html`<${Empty}>No subscriptions. Create one with POST /v1/webhooks.</${Empty}>`}
    </${Section}>
    <${Section} id="h-deliveries" title="Deliveries" count=${deliveries ? deliveries.length : undefined}>
      <${Failure} error=${error} />
      ${deliveries && deliveries.length ? html`<div class="table-wrap"><table data-testid="deliveries">
        <thead><tr><th scope="col">Event</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col" class="wide-only">Next attempt</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>${deliveries.map((d) => html`<tr key=${d.id} data-id=${d.id}>
          <td><button type="button" class="link" aria-expanded=${open === d.id} onClick=${() => setOpen(open === d.id ? null : d.id)}>${d.event_type}</button>
            <div class="sub mono">${d.id} → ${urls[d.webhook_id] || d.webhook_id}</div>
            ${open === d.id && html`<${Attempts} delivery=${d} />`}</td>
          <td><${Badge} status=${d.status} /></td>
          <td>${d.attempt_count} / ${d.max_attempts}${d.last_error && html`<div class="sub">${d.last_error}</div>`}</td>
          <td class="wide-only">${d.next_attempt_at ? time(d.next_attempt_at) : '—'}</td>
          <td><button type="button" class="btn" disabled=${d.status === 'pending'}
            title=${d.status === 'pending' ? 'Still being retried: advance the clock to hurry it' : 'Send this event again'}
            onClick=${() => redeliver(sbx, d.id)}>Redeliver</button></td>
        </tr>`)}</tbody>
      </table></div>` : html`<${Empty}>No deliveries yet: they appear when a subscribed event happens.</${Empty}>`}
    </${Section}>
  </div>`;
}
