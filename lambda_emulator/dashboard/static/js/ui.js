// Shared pieces: the html tag, status badges, sections, empty states, data loading and toasts.
import { h } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import htm from 'htm';
import { getJSON } from './api.js';
import { tone } from './format.js';

export const html = htm.bind(h);

export function Badge({ status, label }) {
  return html`<span class="badge tone-${tone(status)}" data-status=${status}>${label || status}</span>`;
}

export function Section({ title, count, actions, children, id }) {
  return html`<section class="card" aria-labelledby=${id}>
    <header class="card-head">
      <h2 id=${id}>${title}${count !== undefined && html` <span class="count">${count}</span>`}</h2>
      ${actions}
    </header>
    ${children}
  </section>`;
}

export function Empty({ children }) {
  return html`<p class="empty">${children}</p>`;
}

export function Failure({ error }) {
  return error ? html`<p class="failure" role="alert">${error.message}</p>` : null;
}

// Fetch `url` now and again whenever one of `deps` changes (the live feed bumps them); an answer
// that arrives after a newer request was made is dropped, so the view never goes back in time.
export function useLoad(url, deps = []) {
  const [state, setState] = useState({ data: null, error: null });
  const seq = useRef(0);
  useEffect(() => {
    if (!url) { setState({ data: null, error: null }); return; }
    const n = ++seq.current;
    getJSON(url).then(
      (data) => { if (n === seq.current) setState({ data, error: null }); },
      (error) => { if (n === seq.current) setState((s) => ({ data: s.data, error })); },
    );
  }, [url, ...deps]);
  return [state.data, state.error];
}

// A short message for the outcome of an action, read out by screen readers.
let pushToast = () => {};
export function toast(text, kind = 'info') { pushToast({ text, kind, id: Math.random() }); }

export function Toasts() {
  const [items, setItems] = useState([]);
  useEffect(() => {
    pushToast = (item) => {
      setItems((list) => [...list.slice(-3), item]);
      setTimeout(() => setItems((list) => list.filter((i) => i.id !== item.id)), 4000);
    };
  }, []);
  return html`<div class="toasts" role="status" aria-live="polite">
    ${items.map((t) => html`<div class="toast toast-${t.kind}" key=${t.id}>${t.text}</div>`)}
  </div>`;
}

export function Json({ value }) {
  if (value === null || value === undefined || value === '') return html`<p class="muted">(empty)</p>`;
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  return html`<pre class="code">${text}</pre>`;
}

export function Headers({ headers }) {
  const rows = Object.entries(headers || {});
  if (!rows.length) return html`<p class="muted">(no headers)</p>`;
  return html`<dl class="headers">${rows.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`;
}
