// Small display helpers shared by the views.
export function time(iso) {
  if (!iso) return '—';
  return iso.replace('T', ' ').replace('Z', '').slice(0, 19);
}

export function clockTime(iso) {
  return iso ? iso.slice(11, 19) : '—';
}

export function shortId(id) {
  return id || '—';
}

export function bytes(n) {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = Number(n) || 0;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) { v /= 1024; i += 1; }
  return `${v.toFixed(v >= 100 || i === 0 ? 0 : 1)} ${units[i]}`;
}

export function money(amount, currency) {
  return `${currency === 'USD' ? '$' : ''}${amount}${currency && currency !== 'USD' ? ` ${currency}` : ''}`;
}

export function duration(seconds) {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${seconds / 60} min`;
  if (seconds < 86400) return `${seconds / 3600} h`;
  return `${seconds / 86400} d`;
}

// A status word → the colour family the badge uses.
const TONES = {
  good: ['running', 'active', 'available', 'completed', 'in-use', 'succeeded', 'paid', 'ok'],
  busy: ['pending', 'starting', 'stopping', 'restarting', 'resizing', 'creating', 'attaching',
    'detaching', 'deleting', 'provisioning', 'retrying', 'open', 'draft'],
  idle: ['stopped', 'inactive', 'disabled'],
  bad: ['failed', 'error', 'deleted', 'revoked'],
};

export function tone(status) {
  for (const [name, words] of Object.entries(TONES)) if (words.includes(status)) return name;
  return 'idle';
}

export function statusTone(code) {
  if (code >= 500) return 'bad';
  if (code >= 400) return 'warn';
  if (code >= 300) return 'idle';
  return 'good';
}
