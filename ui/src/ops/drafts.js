// drafts.js: a hotline message prepared elsewhere (an alert's "draft", a
// reply to a case) handed to the compose form of the hotline pane.
import { events } from '../api.js';
import { timeText } from './validate.js';

/**
 * Ask the hotline pane to open its compose form with d:
 * {to?, type, fields: {name: value}, case?, note?: i18n key, alert?: id}.
 */
export function openCompose(d) {
  events.emit('ui.compose', d);
  events.emit('ui.show-pane', 'hotline');
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
