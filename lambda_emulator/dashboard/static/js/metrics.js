// Per instance metrics as charts (uPlot, vendored), over a chosen range of emulator time.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ui, query } from './api.js';
import { bytes, duration } from './format.js';
import { html, Section, Empty, Failure, useLoad } from './ui.js';

const RANGES = [900, 3600, 21600, 86400, 604800];
const CHARTS = [
  { title: 'CPU', series: [['cpu_utilization', 'CPU %', '#6366f1']], unit: '%' },
  { title: 'Memory', series: [['memory_utilization', 'Memory %', '#0ea5e9']], unit: '%' },
  { title: 'Network', series: [['network_in_bytes', 'In', '#10b981'], ['network_out_bytes', 'Out', '#f59e0b']], unit: 'bytes' },
  { title: 'Disk', series: [['disk_read_bytes', 'Read', '#8b5cf6'], ['disk_write_bytes', 'Write', '#ef4444']], unit: 'bytes' },
];

function Chart({ spec, data }) {
  const box = useRef(null);
  useEffect(() => {
    const el = box.current;
    if (!el || !data) return undefined;
    const first = data.metrics[spec.series[0][0]] || [];
    const xs = first.map((p) => Date.parse(p.timestamp) / 1000);
    const columns = [xs, ...spec.series.map(([name]) => (data.metrics[name] || []).map((p) => p.value))];
    const fmt = spec.unit === 'bytes' ? (v) => (v === null ? '—' : bytes(v)) : (v) => (v === null ? '—' : `${v.toFixed(1)} %`);
    const styles = getComputedStyle(document.documentElement);
    const axis = { stroke: styles.getPropertyValue('--muted').trim(), grid: { stroke: styles.getPropertyValue('--grid').trim(), width: 1 }, ticks: { show: false } };
    const hhmm = (v) => new Date(v * 1000).toISOString().slice(11, 16);
    const day = (v) => new Date(v * 1000).toISOString().slice(5, 10);
    const long = xs.length > 1 && xs[xs.length - 1] - xs[0] > 86400;
    const opts = {
      width: Math.max(240, el.clientWidth),
      height: 180,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      scales: { y: spec.unit === '%' ? { range: [0, 100] } : {} },
      axes: [{ ...axis, space: 70, values: (u, vals) => vals.map((v) => (long ? `${day(v)} ${hhmm(v)}` : hhmm(v))) }, { ...axis, size: 64, values: (u, vals) => vals.map((v) => (spec.unit === 'bytes' ? bytes(v) : `${v}%`)) }],
      series: [{ label: 'UTC', value: (u, v) => (v === null ? '—' : `${day(v)} ${hhmm(v)}`) }, ...spec.series.map(([, label, colour]) => ({ label, stroke: colour, width: 2, fill: `${colour}22`, value: (u, v) => fmt(v) }))],
    };
    const plot = new window.uPlot(opts, columns, el);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(240, el.clientWidth), height: 180 }));
    resize.observe(el);
    return () => { resize.disconnect(); plot.destroy(); };
  }, [data, spec]);
  return html`<figure class="chart" data-chart=${spec.title}>
    <figcaption>${spec.title}</figcaption>
    <div ref=${box} class="chart-box" role="img" aria-label=${`${spec.title} over the selected range`}></div>
  </figure>`;
}

export function Metrics({ sbx, tick, overview, speed, chosen }) {
  const instances = overview ? overview.instances : [];
  const setChosen = (id) => { window.location.hash = `#/metrics/${id}`; };
  const [range, setRange] = useState(3600);
  const [beat, setBeat] = useState(0);
  const id = chosen && instances.some((i) => i.id === chosen) ? chosen : (instances[0] && instances[0].id) || '';
  // At a running clock the series grow by themselves: refresh every 10 s while this is on screen.
  useEffect(() => {
    if (!speed) return undefined;
    const timer = setInterval(() => setBeat((b) => b + 1), 10000);
    return () => clearInterval(timer);
  }, [speed]);
  const [data, error] = useLoad(id ? ui(sbx, `/instances/${id}/metrics${query({ range })}`) : null, [tick, beat]);
  return html`<${Section} id="h-metrics" title="Metrics"
      actions=${instances.length > 0 && html`<div class="filters">
        <label>Instance<select value=${id} onChange=${(e) => setChosen(e.target.value)}>
          ${instances.map((i) => html`<option value=${i.id}>${i.name} (${i.status})</option>`)}</select></label>
        <label>Range<select value=${range} onChange=${(e) => setRange(Number(e.target.value))}>
          ${RANGES.map((r) => html`<option value=${r}>last ${duration(r)}</option>`)}</select></label>
      </div>`}>
    <${Failure} error=${error} />
    ${instances.length === 0
      ? html`<${Empty}>No instances: create one and its metrics show here.</${Empty}>`
      : html`<div class="charts">${CHARTS.map((spec) => html`<${Chart} key=${spec.title} spec=${spec} data=${data} />`)}</div>
        <p class="sub">Samples every ${data ? duration(data.period) : '…'} of emulator time; zero while stopped, none before creation.</p>`}
  </${Section}>`;
}
