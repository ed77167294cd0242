// Accounts and keys, and every resource with its live status.
import { html, Badge, Section, Empty, useLoad } from './ui.js';
import { clockTime, time } from './format.js';
import { ui } from './api.js';

const LISTS = [
  { key: 'instances', title: 'Instances', columns: [
    ['Name', (r) => html`<strong>${r.name}</strong><div class="sub mono">${r.id}</div>`],
    ['Status', (r) => html`<${Badge} status=${r.status} />`],
    ['Type', (r) => html`${r.instance_type}<div class="sub">${r.vcpus} vCPU · ${r.memory_gb} GB</div>`, 'wide'],
    ['Region', (r) => r.region, 'wide'],
    ['Public IP', (r) => html`<span class="mono">${r.public_ip || '—'}</span>`],
    ['Created', (r) => time(r.created_at), 'wide'],
    ['', (r) => html`<a class="btn btn-small" href=${`#/metrics/${r.id}`} aria-label=${`Metrics of ${r.name}`}>Metrics</a>`, 'wide'],
  ] },
  { key: 'volumes', title: 'Volumes', columns: [
    ['Name', (r) => html`<strong>${r.name}</strong><div class="sub mono">${r.id}</div>`],
    ['Status', (r) => html`<${Badge} status=${r.status} />`],
    ['Size', (r) => `${r.size_gb} GB`],
    ['Region', (r) => r.region, 'wide'],
    ['Attached to', (r) => html`<span class="mono">${r.instance_id || '—'}</span>`],
  ] },
  { key: 'snapshots', title: 'Snapshots', columns: [
    ['Name', (r) => html`<strong>${r.name}</strong><div class="sub mono">${r.id}</div>`],
    ['Status', (r) => html`<${Badge} status=${r.status} />`],
    ['Size', (r) => `${r.size_gb} GB`],
    ['Volume', (r) => html`<span class="mono">${r.volume_id}</span>`, 'wide'],
    ['Region', (r) => r.region, 'wide'],
  ] },
  { key: 'firewall_rules', title: 'Firewall rules', columns: [
    ['Rule', (r) => html`<strong>${r.direction} ${r.protocol}${r.ports ? ` ${r.ports}` : ''}</strong><div class="sub mono">${r.id}</div>`],
    ['CIDR', (r) => html`<span class="mono">${r.cidr}</span>`],
    ['Applies to', (r) => html`<span class="mono">${r.instance_id || 'every instance'}</span>`],
    ['Description', (r) => r.description || '—', 'wide'],
  ] },
  { key: 'vpns', title: 'VPNs', noun: 'VPNs', columns: [
    ['Name', (r) => html`<strong>${r.name}</strong><div class="sub mono">${r.id}</div>`],
    ['Status', (r) => html`<${Badge} status=${r.status} />`],
    ['Region', (r) => r.region],
    ['CIDR', (r) => html`<span class="mono">${r.cidr}</span>`, 'wide'],
    ['Endpoint', (r) => html`<span class="mono">${r.endpoint || '—'}</span>`, 'wide'],
  ] },
];

function Table({ list, rows }) {
  return html`<div class="table-wrap"><table>
    <thead><tr>${list.columns.map(([name, , wide]) => html`<th class=${wide ? 'wide-only' : ''} scope="col">${name || html`<span class="sr-only">Actions</span>`}</th>`)}</tr></thead>
    <tbody>${rows.map((r) => html`<tr data-id=${r.id} key=${r.id}>
      ${list.columns.map(([, cell, wide]) => html`<td class=${wide ? 'wide-only' : ''}>${cell(r)}</td>`)}
    </tr>`)}</tbody>
  </table></div>`;
}

function Tiles({ overview }) {
  return html`<div class="tiles">${LISTS.map((list) => {
    const rows = overview[list.key];
    const settled = rows.filter((r) => ['running', 'available', 'in-use', 'completed', 'active'].includes(r.status)).length;
    const hasStatus = rows.some((r) => r.status);
    return html`<a class="tile" href=${`#resources-${list.key}`}>
      <span class="tile-n">${rows.length}</span>
      <span class="tile-label">${list.title}</span>
      ${hasStatus && html`<span class="tile-sub">${settled} ready</span>`}
    </a>`;
  })}</div>`;
}

// The latest changes of state, newest first: the emulator's event outbox, read for the page.
function Activity({ sbx, tick }) {
  const [items] = useLoad(ui(sbx, '/activity?limit=25'), [tick]);
  return html`<${Section} id="h-activity" title="Activity">
    ${items && items.length
      ? html`<ol class="activity">${items.map((e) => html`<li key=${e.id} data-event=${e.type}>
          <span class="when mono">${clockTime(e.timestamp)}</span>
          <div><strong>${e.type}</strong>
            <div class="sub">${e.name || e.resource_id || ''}${e.previous_status && e.status && e.previous_status !== e.status ? html` · ${e.previous_status} → <${Badge} status=${e.status} />` : ''}</div></div>
        </li>`)}</ol>`
      : html`<${Empty}>Changes of state appear here as they happen.</${Empty}>`}
  </${Section}>`;
}

export function Resources({ overview, sbx, tick }) {
  if (!overview) return html`<p class="muted">Loading…</p>`;
  return html`<div class="stack">
    <${Tiles} overview=${overview} />
    <div class="with-side">
      <div class="stack">
        ${LISTS.map((list) => html`<div id=${`resources-${list.key}`} key=${list.key}>
          <${Section} id=${`h-${list.key}`} title=${list.title} count=${overview[list.key].length}>
            ${overview[list.key].length
              ? html`<${Table} list=${list} rows=${overview[list.key]} />`
              : html`<${Empty}>No ${list.noun || list.title.toLowerCase()} yet.</${Empty}>`}
          </${Section}>
        </div>`)}
      </div>
      <aside class="side"><${Activity} sbx=${sbx} tick=${tick} /></aside>
    </div>
  </div>`;
}

const QUOTA_NAMES = {
  instances: 'Instances', vcpus: 'vCPUs', volumes: 'Volumes', storage_gb: 'Storage (GB)',
  snapshots: 'Snapshots', vpns: 'VPNs', firewall_rules: 'Firewall rules', api_keys: 'API keys',
  webhooks: 'Webhooks',
};

function QuotaBars({ quota }) {
  return html`<ul class="quota">${Object.entries(quota.quotas).map(([name, q]) => {
    const share = q.limit ? Math.min(100, (100 * q.used) / q.limit) : 0;
    return html`<li>
      <span class="quota-name">${QUOTA_NAMES[name] || name}</span>
      <span class="bar" role="meter" aria-label=${name} aria-valuemin="0" aria-valuemax=${q.limit} aria-valuenow=${q.used}><span style=${`width:${share}%`}></span></span>
      <span class="quota-n">${q.used} / ${q.limit}</span>
    </li>`;
  })}</ul>`;
}

export function Accounts({ overview }) {
  if (!overview) return html`<p class="muted">Loading…</p>`;
  return html`<div class="stack">${overview.accounts.map((a) => html`<${Section}
      key=${a.id} id=${`h-${a.id}`} title=${a.name}
      actions=${html`<span class="chips"><span class="chip">${a.plan}</span>${a.default && html`<span class="chip chip-accent">default</span>`}</span>`}>
    <p class="sub"><span class="mono">${a.id}</span> · ${a.email}</p>
    <div class="split">
      <div>
        <h3>API keys</h3>
        <div class="table-wrap"><table>
          <thead><tr><th scope="col">Name</th><th scope="col">Key</th><th scope="col" class="wide-only">Permissions</th><th scope="col" class="wide-only">Last used</th></tr></thead>
          <tbody>${a.keys.map((k) => html`<tr key=${k.id} data-id=${k.id}>
            <td><strong>${k.name}</strong><div class="sub mono">${k.id}</div></td>
            <td><span class="mono nowrap" title="Only the prefix and the last four characters are ever shown">${k.prefix}…${k.last4}</span>${k.revoked_at && html` <${Badge} status="revoked" />`}</td>
            <td class="wide-only">${k.permissions.join(', ')}</td>
            <td class="wide-only">${time(k.last_used_at)}</td>
          </tr>`)}</tbody>
        </table></div>
      </div>
      <div><h3>Quota (${a.quota.plan})</h3><${QuotaBars} quota=${a.quota} /></div>
    </div>
  </${Section}>`)}</div>`;
}
