// alerts.js: the alerts pane. Every alert of /api/alerts, kept current by
// the stream's "alert" events, sorted by severity (ALERT, WARNING,
// CAUTION, INFO) then newest first; the explanation (the detector's text,
// its values, and in Russian a rendering of the rule and values), the
// hypothesis that fired (for predictions), the tracks involved (a click
// selects the track on the map), "acknowledge" and "draft a hotline
// message". The audible alarm (alarm.js) sounds for new alerts that need a
// person at once (needsAlarm below) until they are acknowledged, cleared
// or silenced.
import { get, post, events, subscribe } from '../api.js';
import { t, add, onChange, fmtUtc, getLang } from '../i18n.js';
import { Alarm } from './alarm.js';
import { el, clear } from './dom.js';
import { openCompose } from './drafts.js';
import { SEV_RANK, needsAlarm, localDraftFromAlert } from './policy.js';

add({
  en: {
    'alerts.title': 'Alerts',
    'alerts.none': 'No alerts.',
    'alerts.ack': 'Acknowledge',
    'alerts.acked': 'Acknowledged by {u} at {t}',
    'alerts.draft': 'Draft a hotline message',
    'alerts.draft.local': 'The centre cannot draft from alerts yet: the console prepared this draft from the alert.',
    'alerts.draft.failed': 'Drafting failed: {e}',
    'alerts.ack.failed': 'Acknowledgement failed: {e}',
    'alerts.hypothesis': 'Hypothesis',
    'alerts.hypothesis.none': 'none (observed, not predicted)',
    'alerts.opened': 'opened {t}',
    'alerts.changed': 'changed {t}',
    'alerts.seen': 'last seen {t}',
    'alerts.tracks': 'Tracks',
    'alerts.show.cleared': 'Show cleared',
    'alerts.values': 'Values',
    'alerts.state.OPEN': 'open',
    'alerts.state.UPDATED': 'updated',
    'alerts.state.CLEARED': 'cleared',
    'alerts.alarm.silence': 'Silence',
    'alerts.alarm.mute': 'Sound off',
    'alerts.alarm.unmute': 'Sound on',
    'alerts.alarm.state.idle': 'alarm quiet',
    'alerts.alarm.state.playing': 'ALARM',
    'alerts.alarm.state.silenced': 'alarm silenced',
    'alerts.alarm.state.muted': 'SOUND OFF',
    'alerts.alarm.state.blocked': 'ALARM: click to allow sound',
    'alerts.sev.ALERT': 'ALERT', 'alerts.sev.WARNING': 'WARNING', 'alerts.sev.CAUTION': 'CAUTION', 'alerts.sev.INFO': 'INFO',
    'alerts.rule.EMERGENCY': 'Emergency',
    'alerts.rule.NO_TRANSPONDER': 'No transponder',
    'alerts.rule.SEPARATION': 'Separation',
    'alerts.rule.TRANSPONDER_OFF': 'Transponder off',
    'alerts.rule.RENEGADE': 'Renegade',
    'alerts.rule.ZONE': 'Zone',
    'alerts.rule.SEA_CPA': 'Vessels close (CPA)',
    'alerts.rule.LOW_PASS': 'Low pass over vessel',
    'alerts.rule.AIS_GAP': 'AIS silent',
    'alerts.rule.NOTICE': 'Activity notice',
    'alerts.rule.COMPLIANCE': 'Reciprocity discrepancy',
  },
  ru: {
    'alerts.title': 'Тревоги',
    'alerts.none': 'Тревог нет.',
    'alerts.ack': 'Подтвердить',
    'alerts.acked': 'Подтверждено: {u}, {t}',
    'alerts.draft': 'Подготовить сообщение по прямой линии',
    'alerts.draft.local': 'Центр пока не готовит проекты по тревогам: проект составлен пультом по данным тревоги.',
    'alerts.draft.failed': 'Не удалось подготовить проект: {e}',
    'alerts.ack.failed': 'Не удалось подтвердить: {e}',
    'alerts.hypothesis': 'Гипотеза',
    'alerts.hypothesis.none': 'нет (наблюдается, не прогноз)',
    'alerts.opened': 'открыта {t}',
    'alerts.changed': 'изменена {t}',
    'alerts.seen': 'последнее наблюдение {t}',
    'alerts.tracks': 'Треки',
    'alerts.show.cleared': 'Показать снятые',
    'alerts.values': 'Значения',
    'alerts.state.OPEN': 'открыта',
    'alerts.state.UPDATED': 'обновлена',
    'alerts.state.CLEARED': 'снята',
    'alerts.alarm.silence': 'Тише',
    'alerts.alarm.mute': 'Звук выкл.',
    'alerts.alarm.unmute': 'Звук вкл.',
    'alerts.alarm.state.idle': 'сигнал не звучит',
    'alerts.alarm.state.playing': 'ТРЕВОГА',
    'alerts.alarm.state.silenced': 'сигнал приглушён',
    'alerts.alarm.state.muted': 'ЗВУК ВЫКЛЮЧЕН',
    'alerts.alarm.state.blocked': 'ТРЕВОГА: нажмите, чтобы включить звук',
    'alerts.sev.ALERT': 'ТРЕВОГА', 'alerts.sev.WARNING': 'ПРЕДУПРЕЖДЕНИЕ', 'alerts.sev.CAUTION': 'ВНИМАНИЕ', 'alerts.sev.INFO': 'СВЕДЕНИЯ',
    'alerts.rule.EMERGENCY': 'Аварийная ситуация',
    'alerts.rule.NO_TRANSPONDER': 'Без ответчика',
    'alerts.rule.SEPARATION': 'Нарушение интервала',
    'alerts.rule.TRANSPONDER_OFF': 'Ответчик выключен',
    'alerts.rule.RENEGADE': 'Ренегат',
    'alerts.rule.ZONE': 'Зона',
    'alerts.rule.SEA_CPA': 'Опасное сближение судов',
    'alerts.rule.LOW_PASS': 'Пролёт на малой высоте над судном',
    'alerts.rule.AIS_GAP': 'Молчание АИС',
    'alerts.rule.NOTICE': 'Уведомление о деятельности',
    'alerts.rule.COMPLIANCE': 'Расхождение в сводках',
  },
});

// The detector's value names, with units.
const VALUE_LABELS = {
  adsb_emergency: ['ADS-B emergency', 'аварийный код ADS-B'],
  alt_ft: ['altitude, ft', 'высота, фт'],
  boundary_nm: ['to boundary, NM', 'до границы, м. миль'],
  category: ['category', 'категория'],
  closest_nm: ['closest, NM', 'наименьшее расстояние, м. миль'],
  cpa_horiz_nm: ['CPA horizontal, NM', 'КТС по горизонтали, м. миль'],
  cpa_nm: ['CPA, NM', 'КТС, м. миль'],
  cpa_s: ['time to CPA, s', 'время до КТС, с'],
  cpa_vert_ft: ['CPA vertical, ft', 'КТС по вертикали, фт'],
  entry_s: ['entry in, s', 'вход через, с'],
  evidence: ['evidence', 'признаки'],
  gap_s: ['silent for, s', 'молчит, с'],
  ground_speed_kt: ['ground speed, kt', 'путевая скорость, уз'],
  horiz_nm: ['horizontal, NM', 'по горизонтали, м. миль'],
  indicators: ['indicators', 'признаки'],
  inside: ['inside', 'внутри'],
  interval_s: ['reporting interval, s', 'интервал сообщений, с'],
  last_alt_ft: ['last altitude, ft', 'последняя высота, фт'],
  moving: ['moving', 'в движении'],
  nearest_nm: ['nearest traffic, NM', 'ближайший борт, м. миль'],
  now_nm: ['distance now, NM', 'расстояние сейчас, м. миль'],
  passes: ['passes', 'пролётов'],
  plan_dev_nm: ['off flight plan, NM', 'отклонение от плана, м. миль'],
  primary_only_scans: ['primary-only scans', 'обзоров только первичным радаром'],
  since_reply_s: ['since last reply, s', 'с последнего ответа, с'],
  squawk_octal: ['squawk', 'код ответчика'],
  tolerance_s: ['tolerance, s', 'допуск, с'],
  vert_ft: ['vertical, ft', 'по вертикали, фт'],
  zone: ['zone', 'зона'],
  zone_nm: ['to zone, NM', 'до зоны, м. миль'],
};
const HYP = {
  straight: ['straight line', 'прямолинейное движение'],
  turning: ['turning at the measured rate', 'разворот с измеренной угловой скоростью'],
  'level-off': ['levelling off at the selected altitude', 'выход на заданную высоту'],
  'turning+level-off': ['turning and levelling off', 'разворот и выход на заданную высоту'],
};
const li = (pair) => (getLang() === 'ru' ? pair[1] : pair[0]);

function fmtValue(name, v) {
  if (name === 'nearest_nm' && v < 0) return getLang() === 'ru' ? 'нет' : 'none';
  // a distance the detector could not measure (no altitude) comes as -1
  if (v < 0 && /(_nm|vert_ft)$/.test(name)) return getLang() === 'ru' ? 'неизвестно' : 'unknown';
  if (name === 'squawk_octal') return String(Math.round(v)).padStart(4, '0');
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

export function mountAlerts(root) {
  const alerts = new Map(); // id -> alert
  const seen = new Set(); // ids known before: only new ones sound
  let loaded = false;
  let showCleared = false;
  let note = '';

  const audio = el('audio', { 'data-testid': 'alerts-alarm', preload: 'auto' });
  const stateEl = el('span', { class: 'alarm-state', 'data-testid': 'alerts-alarm-state' });
  const silenceBtn = el('button', { type: 'button', 'data-testid': 'alerts-alarm-silence' });
  const muteBtn = el('button', { type: 'button', 'data-testid': 'alerts-alarm-mute' });
  const alarm = new Alarm(audio, (st, al) => {
    stateEl.textContent = t(`alerts.alarm.state.${st}`);
    stateEl.dataset.state = st;
    root.dataset.alarm = st;
    muteBtn.textContent = t(al.muted ? 'alerts.alarm.unmute' : 'alerts.alarm.mute');
    silenceBtn.textContent = t('alerts.alarm.silence');
    muteBtn.dataset.state = st;
    silenceBtn.disabled = st !== 'playing';
    events.emit('ui.alarm', st);
    // always visible: the alarm sounding, or the sound turned off
    const lvl = st === 'playing' || st === 'blocked' || st === 'muted' ? 'alarm' : '';
    events.emit('ui.status', { key: 'alarm', text: lvl ? t(`alerts.alarm.state.${st}`) : '', level: lvl });
  });
  silenceBtn.onclick = () => alarm.silence();
  muteBtn.onclick = () => alarm.setMuted(!alarm.muted);
  stateEl.onclick = () => { if (alarm.state === 'blocked') alarm.retry(); };

  const cleared = el('input', { type: 'checkbox', 'data-testid': 'alerts-show-cleared' });
  cleared.onchange = () => { showCleared = cleared.checked; render(); };
  const noteEl = el('p', { class: 'ops-note', 'data-testid': 'alerts-note', role: 'status' });
  const list = el('ol', { class: 'alert-list', 'data-testid': 'alerts-list' });
  const clearedText = el('span', {});
  const clearedLabel = el('label', { class: 'ops-check' }, cleared, clearedText);
  root.append(
    el('div', { class: 'alarm-bar', 'data-testid': 'alerts-alarm-bar' }, stateEl, silenceBtn, muteBtn, audio),
    el('div', { class: 'ops-tools' }, clearedLabel),
    noteEl, list);

  // the centre records acknowledgements: an alert carries "ack":{user,t_ms}
  // once an operator (on any console) has acknowledged it
  function ackOf(a) { return a && a.ack && a.ack.user ? a.ack : null; }
  function isAcked(id) { return !!ackOf(alerts.get(id)); }

  function take(a, live) {
    const prev = alerts.get(a.id);
    alerts.set(a.id, a);
    if (a.state === 'CLEARED') {
      alarm.drop(a.id);
    } else if (ackOf(a)) {
      alarm.drop(a.id);
    } else if (needsAlarm(a)) {
      // a new alert sounds; so does one that has just become alarming
      // (raised severity) while this console watches
      const wasAlarming = prev && needsAlarm(prev);
      if (live ? !wasAlarming : !seen.has(a.id)) alarm.raise(a.id);
    }
    seen.add(a.id);
  }

  async function reload() {
    try {
      const r = await get('/api/alerts');
      const now = new Set();
      for (const a of r.alerts || []) { now.add(a.id); take(a, false); }
      for (const [id, a] of alerts) if (!now.has(id) && a.state !== 'CLEARED') {
        alerts.set(id, { ...a, state: 'CLEARED' });
        alarm.drop(id);
      }
      loaded = true;
      render();
    } catch (e) { /* the stream's reconnect reloads */ }
  }

  async function ack(a) {
    note = '';
    try {
      // the reply is the alert with its "ack" (the "alert" event says the same)
      const r = await post(`/api/alerts/${encodeURIComponent(a.id)}/ack`, {});
      if (r && r.id === a.id && ackOf(r)) take(r, loaded);
    } catch (e) {
      note = t('alerts.ack.failed', { e: e.message });
    }
    render();
  }

  async function draft(a) {
    note = '';
    let d = null;
    try {
      const r = await post(`/api/alerts/${encodeURIComponent(a.id)}/draft`, {});
      d = (r && (r.draft || r)) || null;
      if (d && !d.type) d = null;
    } catch (e) {
      if (e.status !== 501 && e.status !== 404) {
        note = t('alerts.draft.failed', { e: (e.body && e.body.message) || e.message });
        render();
        return;
      }
    }
    if (!d) {
      d = localDraftFromAlert(a);
      d.note = 'alerts.draft.local';
    }
    d.alert = a.id;
    openCompose(d);
  }

  function render() {
    clearedText.textContent = t('alerts.show.cleared');
    clear(list);
    noteEl.textContent = note;
    noteEl.hidden = !note;
    const rows = [...alerts.values()]
      .filter((a) => showCleared || a.state !== 'CLEARED')
      .sort((x, y) => (x.state === 'CLEARED') - (y.state === 'CLEARED') ||
        (SEV_RANK[y.severity] || 0) - (SEV_RANK[x.severity] || 0) ||
        (y.t_change_ms || 0) - (x.t_change_ms || 0) || y.id - x.id);
    if (loaded && !rows.length) list.append(el('li', { class: 'empty', 'data-testid': 'alerts-empty' }, t('alerts.none')));
    for (const a of rows) list.append(row(a));
    const open = [...alerts.values()].filter((a) => a.state !== 'CLEARED' && !isAcked(a.id));
    events.emit('ui.badge', { pane: 'alerts', n: open.length,
      level: open.some((a) => needsAlarm(a)) ? 'alarm' : open.length ? 'warn' : '' });
  }

  function row(a) {
    const acked = ackOf(a);
    const vals = Object.entries(a.values || {});
    const parties = (a.parties || []).map((p) => {
      const name = p.callsign || (p.icao ? p.icao.toUpperCase() : '') || (p.mmsi ? `MMSI ${p.mmsi}` : '') || `T${p.track_id}`;
      const b = el('button', { type: 'button', class: 'linkish', 'data-testid': 'alerts-track' },
        `${name}${p.squawk ? ` (${p.squawk})` : ''}`);
      b.onclick = () => events.emit('ui.select-track', p.track_id);
      return b;
    });
    const ackBtn = el('button', { type: 'button', 'data-testid': 'alerts-ack' }, t('alerts.ack'));
    ackBtn.onclick = () => ack(a);
    ackBtn.hidden = !!acked || a.state === 'CLEARED';
    const draftBtn = el('button', { type: 'button', 'data-testid': 'alerts-draft' }, t('alerts.draft'));
    draftBtn.onclick = () => draft(a);
    const hyp = a.hypothesis ? (HYP[a.hypothesis] ? li(HYP[a.hypothesis]) : a.hypothesis) : t('alerts.hypothesis.none');
    return el('li', {
      class: `alert sev-${a.severity} st-${a.state}${acked ? ' acked' : ''}${needsAlarm(a) && !acked ? ' alarming' : ''}`,
      'data-testid': 'alerts-row', 'data-id': a.id, 'data-rule': a.rule,
      'data-severity': a.severity, 'data-state': a.state, 'data-acked': acked ? 'yes' : 'no',
      'data-alarm': needsAlarm(a) ? 'yes' : 'no',
    },
    el('div', { class: 'alert-head' },
      el('span', { class: 'sev', 'data-testid': 'alerts-severity' }, t(`alerts.sev.${a.severity}`)),
      el('span', { class: 'rule' }, t(`alerts.rule.${a.rule}`)),
      el('span', { class: 'state' }, t(`alerts.state.${a.state}`)),
      el('span', { class: 'when' }, t('alerts.opened', { t: fmtUtc(a.t_open_ms) }))),
    // the detector's own sentence is English; in Russian the rule and the
    // values above say the same, the sentence stays for reference
    el('p', { class: 'alert-text', 'data-testid': 'alerts-text', lang: 'en' }, a.text || ''),
    el('p', { class: 'alert-hyp', 'data-testid': 'alerts-hypothesis' },
      el('b', {}, `${t('alerts.hypothesis')}: `), hyp),
    vals.length ? el('dl', { class: 'alert-values' }, ...vals.flatMap(([k, v]) => [
      el('dt', {}, VALUE_LABELS[k] ? li(VALUE_LABELS[k]) : k), el('dd', {}, fmtValue(k, v))])) : '',
    parties.length ? el('p', { class: 'alert-parties' }, el('b', {}, `${t('alerts.tracks')}: `), ...parties) : '',
    el('p', { class: 'alert-times' }, t('alerts.seen', { t: fmtUtc(a.t_seen_ms) }),
      a.t_change_ms && a.t_change_ms !== a.t_open_ms ? ` · ${t('alerts.changed', { t: fmtUtc(a.t_change_ms) })}` : ''),
    acked ? el('p', { class: 'alert-acked', 'data-testid': 'alerts-acked' },
      t('alerts.acked', { u: acked.user, t: fmtUtc(acked.t_ms) })) : '',
    el('div', { class: 'alert-actions' }, ackBtn, draftBtn));
  }

  subscribe('alert', (a) => { if (a && a.id != null) { take(a, loaded); render(); } });
  events.on('open', reload);
  events.on('login', reload);
  events.on('logout', () => { alarm.silence(); alerts.clear(); seen.clear(); loaded = false; render(); });
  onChange(() => { render(); alarm.set(alarm.state); });
  render();
  reload(); // mounted after the login: load now (the stream's "open" reloads again)
  return { reload, alarm };
}
