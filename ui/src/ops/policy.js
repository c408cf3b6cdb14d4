// policy.js: the operations panes' decisions that need no page, kept apart
// so that node runs them in tests (ui/test/ops.test.mjs): which alerts sound
// the alarm, the console's own draft from an alert, the countdown's text.
import { timeText } from './validate.js';

export const SEV_RANK = { ALERT: 4, WARNING: 3, CAUTION: 2, INFO: 1 };

// Rules about an aircraft that is not cooperating (no or lost transponder,
// renegade, declared emergency) sound at any severity: finding such an
// aircraft is what the centre is for. The others sound from WARNING up.
const ALARM_RULES = new Set(['NO_TRANSPONDER', 'TRANSPONDER_OFF', 'RENEGADE', 'EMERGENCY']);
export function needsAlarm(a) {
  if (a.state === 'CLEARED') return false;
  return (SEV_RANK[a.severity] || 0) >= 3 || ALARM_RULES.has(a.rule);
}

const INCIDENT_KIND = {
  NO_TRANSPONDER: 'NO_TRANSPONDER',
  TRANSPONDER_OFF: 'NO_TRANSPONDER',
  SEPARATION: 'NEAR_MISS',
  LOW_PASS: 'LOW_PASS_SHIP',
  SEA_CPA: 'DANGEROUS_APPROACH',
};

/**
 * The console's own draft from an alert, used while the centre's
 * POST /api/alerts/ID/draft is not there (501): an INCIDENT_REPORT with
 * the kind from the rule, the time the alert opened, its position, its
 * tracks and the detector's sentence as the description.
 */
export function localDraftFromAlert(a) {
  const fields = {
    kind: INCIDENT_KIND[a.rule] || 'OTHER',
    occurred: timeText(a.t_open_ms || Date.now()),
    description: a.text || '',
  };
  if (Number.isFinite(a.lat) && Number.isFinite(a.lon)) {
    fields.position = `${a.lat.toFixed(6)},${a.lon.toFixed(6)}`;
  }
  const tracks = (a.parties || []).map((p) => (p.icao ? `icao:${p.icao.toUpperCase()}` : p.mmsi ? `mmsi:${p.mmsi}` : `T${p.track_id}`));
  if (tracks.length) fields.tracks = tracks.join(' ');
  const d = (a.values || {}).closest_nm ?? (a.values || {}).cpa_nm;
  if (Number.isFinite(d) && d >= 0) fields.min_distance_m = String(Math.round(d * 1852));
  return { type: 'INCIDENT_REPORT', fields };
}

const p2 = (n) => String(n).padStart(2, '0');

/** A countdown: "47:59:58", past 99 h "4 d 03:00:00"; seconds, rounded down. */
export function fmtCountdown(s, lang) {
  s = Math.max(0, Math.floor(s));
  const d = Math.floor(s / 86400);
  const h = Math.floor(s / 3600);
  const hms = (hh) => `${hh}:${p2(Math.floor(s / 60) % 60)}:${p2(s % 60)}`;
  if (h > 99) return `${d} ${lang === 'ru' ? 'сут' : 'd'} ${hms(p2(h % 24))}`;
  return hms(h);
}

