// The dashboard shell: sandbox, clock and transition mode in the header, one view per tab, and
// the live feed (server-sent events) that tells each view when its data changed.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { DEFAULT_SANDBOX, control, getJSON, send, ui } from './api.js';
import { html, Toasts, useLoad, toast } from './ui.js';
import { Resources, Accounts } from './resources.js';
import { Requests } from './requests.js';
import { Webhooks } from './webhooks.js';
import { Faults } from './faults.js';
import { Metrics } from './metrics.js';
import { Billing } from './billing.js';

const TABS = [
  ['resources', 'Resources'], ['requests', 'Requests'], ['webhooks', 'Webhooks'],
  ['faults', 'Faults'], ['metrics', 'Metrics'], ['billing', 'Billing'], ['accounts', 'Accounts'],
];
const TOPICS = ['state', 'journal', 'deliveries', 'faults', 'clock'];
const ADVANCES = [[60, '+1 min'], [600, '+10 min'], [3600, '+1 h'], [86400, '+1 day']];
const MODES = ['realistic', 'instant', 'manual'];

// The location hash is the tab and an optional item: #/metrics/inst_… opens that instance's charts.
function currentRoute() {
  const [name, item] = window.location.hash.replace(/^#\/?/, '').split('/');
  return { tab: TABS.some(([id]) => id === name) ? name : 'resources', item: item || '' };
}

// Opens the feed for a sandbox; every change bumps the counters of the topics it names, and a
// reconnect bumps them all (changes may have been missed while the stream was down).
function useFeed(sbx) {
  const [ticks, setTicks] = useState(Object.fromEntries(TOPICS.map((t) => [t, 0])));
  const [clock, setClock] = useState(null);
  const [live, setLive] = useState('connecting');
  useEffect(() => {
    const source = new EventSource(ui(sbx, '/events'));
    let dropped = false;
    const bump = (topics) => setTicks((t) => {
      const next = { ...t };
      for (const topic of topics) next[topic] = (next[topic] || 0) + 1;
      return next;
    });
    source.addEventListener('hello', (e) => {
      setClock({ ...JSON.parse(e.data).clock, seen: performance.now() });
      setLive('live');
      if (dropped) { bump(TOPICS); dropped = false; }
    });
    source.addEventListener('change', (e) => {
      const msg = JSON.parse(e.data);
      setClock({ ...msg.clock, seen: performance.now() });
      bump(msg.topics);
    });
    source.addEventListener('bye', () => { setLive('stopped'); dropped = true; });
    source.onerror = () => { dropped = true; setLive((s) => (s === 'stopped' ? s : 'reconnecting')); };
    return () => source.close();
  }, [sbx]);
  return { ticks, clock, live };
}

function Clock({ sbx, clock }) {
  const [, redraw] = useState(0);
  useEffect(() => {
    if (!clock || !clock.speed) return undefined;
    const timer = setInterval(() => redraw((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, [clock]);
  if (!clock) return html`<div class="clock muted">…</div>`;
  const epoch = clock.epoch + ((performance.now() - clock.seen) / 1000) * clock.speed;
  const now = new Date(epoch * 1000).toISOString().slice(0, 19).replace('T', ' ');
  async function advance(seconds, label) {
    try {
      const moved = await send('POST', control(sbx, '/clock/advance'), { seconds });
      toast(`Clock advanced ${label.slice(1)}: ${moved.jobs_run} scheduled job${moved.jobs_run === 1 ? '' : 's'} ran`, 'good');
    } catch (e) { toast(e.message, 'bad'); }
  }
  async function mode(e) {
    try { await send('PUT', control(sbx, '/transitions'), { mode: e.target.value }); toast(`Transitions: ${e.target.value}`, 'good'); } catch (err) { toast(err.message, 'bad'); }
  }
  return html`<div class="clock" aria-label="Emulator clock">
    <div class="clock-read">
      <span class="clock-now mono" data-testid="clock-now">${now}<small> UTC</small></span>
      <span class="clock-meta">speed ×${clock.speed}${clock.pending_jobs ? ` · ${clock.pending_jobs} pending` : ''}</span>
    </div>
    <div class="clock-actions" role="group" aria-label="Advance the clock">
      ${ADVANCES.map(([s, label]) => html`<button type="button" class="btn btn-small" onClick=${() => advance(s, label)} aria-label=${`Advance the clock ${label.slice(1)}`}>${label}</button>`)}
    </div>
    <label class="inline">Transitions<select value=${clock.transitions} onChange=${mode}>
      ${MODES.map((m) => html`<option value=${m}>${m}</option>`)}</select></label>
  </div>`;
}

function App() {
  const [{ tab, item }, setRoute] = useState(currentRoute());
  const [sbx, setSbx] = useState(DEFAULT_SANDBOX);
  const [sandboxes, setSandboxes] = useState([{ id: DEFAULT_SANDBOX, name: 'default' }]);
  const { ticks, clock, live } = useFeed(sbx);
  const [overview, overviewError] = useLoad(ui(sbx, '/overview'), [ticks.state]);
  useEffect(() => {
    const follow = () => setRoute(currentRoute());
    window.addEventListener('hashchange', follow);
    getJSON('/_emulator/ui/api/sandboxes').then(setSandboxes, () => {});
    return () => window.removeEventListener('hashchange', follow);
  }, []);
  const moved = ticks.state + ticks.clock;
  const views = {
    resources: () => html`<${Resources} overview=${overview} sbx=${sbx} tick=${ticks.state} />`,
    requests: () => html`<${Requests} sbx=${sbx} tick=${ticks.journal} overview=${overview} />`,
    webhooks: () => html`<${Webhooks} sbx=${sbx} tick=${ticks.deliveries} overview=${overview} />`,
    faults: () => html`<${Faults} sbx=${sbx} tick=${ticks.faults} />`,
    metrics: () => html`<${Metrics} sbx=${sbx} tick=${moved} overview=${overview} speed=${clock ? clock.speed : 0} chosen=${item} />`,
    billing: () => html`<${Billing} sbx=${sbx} tick=${moved} overview=${overview} />`,
    accounts: () => html`<${Accounts} overview=${overview} />`,
  };
  const counts = overview ? { resources: overview.instances.length + overview.volumes.length + overview.snapshots.length + overview.firewall_rules.length + overview.vpns.length, accounts: overview.accounts.length } : {};
  return html`
    <a class="skip" href="#main">Skip to content</a>
    <header class="top">
      <div class="brand"><img src="static/favicon.svg" alt="" width="28" height="28" /><span>Lambda Emulator</span></div>
      <label class="inline sandbox">Sandbox<select value=${sbx} onChange=${(e) => setSbx(e.target.value)}>
        ${sandboxes.map((s) => html`<option value=${s.id}>${s.name} · ${s.id}</option>`)}</select></label>
      <span class=${`live live-${live}`} role="status" data-testid="live">${{ live: 'Live', connecting: 'Connecting…', reconnecting: 'Reconnecting…', stopped: 'Emulator stopped' }[live]}</span>
      <${Clock} sbx=${sbx} clock=${clock} />
    </header>
    <nav class="tabs" aria-label="Sections">
      ${TABS.map(([id, label]) => html`<a href=${`#/${id}`} aria-current=${tab === id ? 'page' : undefined}>${label}${counts[id] !== undefined && html` <span class="count">${counts[id]}</span>`}</a>`)}
    </nav>
    <main id="main" tabindex="-1">
      ${overviewError && html`<p class="failure" role="alert">${overviewError.message}</p>`}
      ${views[tab]()}
    </main>
    <${Toasts} />`;
}

render(html`<${App} />`, document.getElementById('app'));
