// Times as people read them: "3 minutes ago" (kept current by one shared clock), the exact UTC time
// for a title, and durations ("42 s", "3 min 4 s").
const clock = $state({ now: Date.now() });
setInterval(() => (clock.now = Date.now()), 20_000);

const phrases = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const units = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/** "3 minutes ago", "yesterday", "in 2 hours"; "just now" within a minute. Reading it subscribes to the clock. */
export function relative(at) {
  const seconds = (new Date(at).getTime() - clock.now) / 1000;
  if (Math.abs(seconds) < 60) return 'just now';
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return phrases.format(Math.trunc(seconds / size), unit);
  }
  return 'just now';
}

/** "2026-11-27 10:22:03 UTC" */
export const absolute = (at) => new Date(at).toISOString().slice(0, 19).replace('T', ' ') + ' UTC';

/** "850 ms", "42 s", "3 min 4 s", "1 h 2 min" */
export function duration(ms) {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  return `${Math.floor(s / 3600)} h${Math.floor((s % 3600) / 60) ? ` ${Math.floor((s % 3600) / 60)} min` : ''}`;
}

/** A finished deployment's time from start to end, in milliseconds; null while it runs. */
export const tookMs = (d) => (d.finishedAt ? new Date(d.finishedAt) - new Date(d.startedAt) : null);

/** The first line of a commit message. */
export const subject = (message) => (message ?? '').split('\n', 1)[0];
