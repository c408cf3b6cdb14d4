// compliance.js: the reciprocity pane. The latest COMPLIANCE_SUMMARY each
// side sent (ours to the peer, the peer's to us: the transponder
// reciprocity of the 2016 Baltic proposal, app/compliance.h), side by side:
// per party the flights in the agreed area and how many had the
// transponder on, a flight plan, radio contact; then the flights both list,
// with their facts. What the two sides say differently is highlighted:
//   - a party whose flight count or transponder-on count differs (the
//     comparison the receiving centre makes, cpl_compare), and any other
//     count that differs, in a lighter shade;
//   - a flight listed by both (ICAO address or callsign) with another
//     transponder fact, or listed by one side only.
// The centre's own discrepancy alerts (rule COMPLIANCE) are in the alerts
// pane. "Send our summary now" asks the centre for one (POST
// /api/compliance), for today so far.
import { get, post, events } from '../api.js';
import { add, t, onChange, fmtUtc } from '../i18n.js';
import { el, clear } from './dom.js';
import { parseCounts, parseFlights, compare, WHAT } from './compliance-data.js';

add({
  en: {
    'compl.none': 'No COMPLIANCE_SUMMARY yet (none sent or received).',
    'compl.nohotline': 'This centre has no hotline.',
    'compl.ours': 'Ours',
    'compl.sent': 'sent {t}, no. {n}', 'compl.received': 'received {t}, no. {n}', 'compl.nonefrom': 'none yet',
    'compl.period': 'Period', 'compl.area': 'Area',
    'compl.party': 'Party', 'compl.flights': 'Flights', 'compl.xpdr': 'Transponder on',
    'compl.plan': 'Flight plan', 'compl.radio': 'Radio contact',
    'compl.flightlist': 'Flights listed', 'compl.ident': 'Flight', 'compl.omitted': 'Not listed: {a} / {b}',
    'compl.disc': '{n} discrepancy(ies)', 'compl.nodisc': 'No discrepancy.',
    'compl.disc.count': '{party}: {what} {a} (ours) ≠ {b} ({p})',
    'compl.disc.flight': '{f}: transponder {a} (ours) ≠ {b} ({p})',
    'compl.period.differs': 'The two summaries cover different periods: counts are not comparable.',
    'compl.send': 'Send our summary now',
    'compl.sent.ok': 'Summary sent.', 'compl.send.failed': 'Not sent: {e}',
    'compl.bad': 'unreadable ({e})',
  },
  ru: {
    'compl.none': 'Сводок COMPLIANCE_SUMMARY пока нет (не отправлялись и не получены).',
    'compl.nohotline': 'У этого центра нет прямой линии.',
    'compl.ours': 'Наша',
    'compl.sent': 'отправлена {t}, № {n}', 'compl.received': 'получена {t}, № {n}', 'compl.nonefrom': 'пока нет',
    'compl.period': 'Период', 'compl.area': 'Район',
    'compl.party': 'Сторона', 'compl.flights': 'Полёты', 'compl.xpdr': 'С ответчиком',
    'compl.plan': 'С планом полёта', 'compl.radio': 'С радиосвязью',
    'compl.flightlist': 'Перечисленные полёты', 'compl.ident': 'Полёт', 'compl.omitted': 'Не перечислено: {a} / {b}',
    'compl.disc': 'Расхождений: {n}', 'compl.nodisc': 'Расхождений нет.',
    'compl.disc.count': '{party}: {what} {a} (у нас) ≠ {b} ({p})',
    'compl.disc.flight': '{f}: ответчик {a} (у нас) ≠ {b} ({p})',
    'compl.period.differs': 'Сводки охватывают разные периоды: итоги несопоставимы.',
    'compl.send': 'Отправить нашу сводку сейчас',
    'compl.sent.ok': 'Сводка отправлена.', 'compl.send.failed': 'Не отправлено: {e}',
    'compl.bad': 'не читается ({e})',
  },
});

export function mountCompliance(root) {
  let state = null; // {available, pairs: [{peer, ours, theirs}]}
  let note = '';
  const head = el('div', { class: 'ops-tools' });
  const sendBtn = el('button', { type: 'button', 'data-testid': 'compl-send' });
  const noteEl = el('p', { class: 'ops-note', 'data-testid': 'compl-note', role: 'status', hidden: true });
  const body = el('div', { 'data-testid': 'compl-body' });
  head.append(sendBtn);
  root.append(head, noteEl, body);
  sendBtn.onclick = async () => {
    note = '';
    try {
      await post('/api/compliance', {});
      note = t('compl.sent.ok');
    } catch (e) {
      const b = e.body || {};
      const rows = Array.isArray(b.sent) ? b.sent.filter((x) => !x.ok).map((x) => `${x.to}: ${x.message || '?'}`) : [];
      note = t('compl.send.failed', { e: rows.join('; ') || b.error || b.message || e.message });
    }
    await load();
  };

  async function detail(m) {
    const r = await get(`/api/messages/${encodeURIComponent(`${m.peer}:${m.seq}`)}?dir=${m.dir}&lang=en`);
    const msg = r.messages && r.messages[0] && r.messages[0].message;
    const f = (msg && msg.fields) || {};
    const s = { msg: m, fields: f, counts: new Map(), flights: new Map(), error: '' };
    try {
      s.counts = parseCounts(f.counts);
      s.flights = parseFlights(f.flights);
    } catch (e) { s.error = e.message; }
    return s;
  }

  async function load() {
    let list;
    try {
      list = await get('/api/messages?type=COMPLIANCE_SUMMARY&limit=50');
    } catch (e) {
      // 400: the daemon does not know the type (older centre): none yet
      state = { available: e.status !== 404, pairs: [] };
      render();
      return;
    }
    const latest = new Map(); // `${dir}:${peer}` -> row
    for (const m of list.messages || []) {
      const k = `${m.dir}:${m.peer}`;
      const o = latest.get(k);
      if (!o || m.seq > o.seq) latest.set(k, m);
    }
    const peers = [...new Set([...latest.values()].map((m) => m.peer))].sort();
    const pairs = [];
    for (const peer of peers) {
      const o = latest.get(`out:${peer}`), i = latest.get(`in:${peer}`);
      pairs.push({ peer, ours: o ? await detail(o) : null, theirs: i ? await detail(i) : null });
    }
    state = { available: true, pairs };
    render();
  }

  function render() {
    sendBtn.textContent = t('compl.send');
    noteEl.textContent = note;
    noteEl.hidden = !note;
    clear(body);
    if (!state) return;
    if (!state.available) { body.append(el('p', { class: 'muted' }, t('compl.nohotline'))); return; }
    if (!state.pairs.length) { body.append(el('p', { class: 'muted', 'data-testid': 'compl-none' }, t('compl.none'))); return; }
    let total = 0;
    for (const p of state.pairs) total += renderPair(p);
    events.emit('ui.badge', { pane: 'compliance', n: total, level: total ? 'warn' : '' });
  }

  function sideHead(s, key, params) {
    if (!s) return el('span', { class: 'muted' }, t('compl.nonefrom'));
    return el('span', {}, t(key, { ...params, t: fmtUtc(Date.parse(s.msg.created)), n: s.msg.seq }));
  }

  function renderPair({ peer, ours, theirs }) {
    const box = el('section', { class: 'compl-pair', 'data-testid': 'compl-pair', 'data-id': peer });
    const both = ours && theirs && !ours.error && !theirs.error;
    const samePeriod = both && ours.fields.period_start === theirs.fields.period_start &&
      ours.fields.period_end === theirs.fields.period_end;
    const diff = both ? compare(ours, theirs, peer) : { counts: new Set(), flights: new Set(), list: [] };
    const tbl = el('table', { class: 'ops-table', 'data-testid': 'compl-counts' });
    tbl.append(el('tr', {}, el('th', {}, ''),
      el('th', { colspan: 4, 'data-testid': 'compl-ours' }, t('compl.ours'), ' · ', sideHead(ours, 'compl.sent', {})),
      el('th', { colspan: 4, 'data-testid': 'compl-theirs' }, peer, ' · ', sideHead(theirs, 'compl.received', {}))));
    const per = (s) => (s ? `${fmtUtc(s.fields.period_start)} – ${fmtUtc(s.fields.period_end)}` : '—');
    tbl.append(el('tr', {}, el('th', {}, t('compl.period')), el('td', { colspan: 4 }, per(ours)), el('td', { colspan: 4, class: both && !samePeriod ? 'differs' : null }, per(theirs))));
    if ((ours && ours.fields.area) || (theirs && theirs.fields.area)) {
      tbl.append(el('tr', {}, el('th', {}, t('compl.area')), el('td', { colspan: 4 }, (ours && ours.fields.area) || '—'), el('td', { colspan: 4 }, (theirs && theirs.fields.area) || '—')));
    }
    const cols = ['compl.flights', 'compl.xpdr', 'compl.plan', 'compl.radio'];
    tbl.append(el('tr', {}, el('th', {}, t('compl.party')), ...cols.map((c) => el('th', {}, t(c))), ...cols.map((c) => el('th', {}, t(c)))));
    const parties = [...new Set([...(ours ? ours.counts.keys() : []), ...(theirs ? theirs.counts.keys() : [])])].sort();
    for (const party of parties) {
      const a = ours && ours.counts.get(party), b = theirs && theirs.counts.get(party);
      const cell = (v, i) => el('td', { class: `num${diff.counts.has(`${party}:${i}`) && samePeriod ? ' differs' : ''}` }, v ? String(v[i]) : '—');
      tbl.append(el('tr', { 'data-testid': 'compl-party', 'data-id': party }, el('th', {}, party),
        ...[0, 1, 2, 3].map((i) => cell(a, i)), ...[0, 1, 2, 3].map((i) => cell(b, i))));
    }
    for (const [s, who] of [[ours, 'ours'], [theirs, peer]]) {
      if (s && s.error) box.append(el('p', { class: 'ops-note' }, `${who}: ${t('compl.bad', { e: s.error })}`));
    }
    box.append(tbl);
    // flights listed by either side
    const ids = [...new Set([...(ours ? ours.flights.keys() : []), ...(theirs ? theirs.flights.keys() : [])])]
      .filter((id) => !id.startsWith('T')).sort();
    if (ids.length) {
      const ft = el('table', { class: 'ops-table', 'data-testid': 'compl-flights' },
        el('tr', {}, el('th', {}, t('compl.ident')), el('th', {}, t('compl.party')),
          el('th', {}, `${t('compl.xpdr')} / ${t('compl.plan')} / ${t('compl.radio')}`), el('th', {}, peer)));
      const tri = (f) => (f ? `${f.xpdr} / ${f.plan} / ${f.radio}` : '—');
      for (const id of ids) {
        const a = ours && ours.flights.get(id), b = theirs && theirs.flights.get(id);
        const bad = diff.flights.has(id);
        ft.append(el('tr', { 'data-testid': 'compl-flight', 'data-id': id, class: bad ? 'bad' : null },
          el('td', {}, id), el('td', {}, (a || b).party), el('td', { class: bad ? 'differs' : null }, tri(a)),
          el('td', { class: bad ? 'differs' : null }, tri(b))));
      }
      box.append(el('h3', { class: 'ops-h' }, t('compl.flightlist')), ft);
    }
    const om = (s) => (s && s.fields.omitted != null ? s.fields.omitted : 0);
    if (om(ours) || om(theirs)) box.append(el('p', { class: 'muted' }, t('compl.omitted', { a: om(ours), b: om(theirs) })));
    let n = 0;
    if (both && !samePeriod) box.append(el('p', { class: 'ops-note' }, t('compl.period.differs')));
    else if (both) {
      const items = diff.list;
      n = items.filter((d) => d.major).length;
      box.append(el('p', { class: n ? 'alarm' : 'ok', 'data-testid': 'compl-disc-count', 'data-n': n },
        n ? t('compl.disc', { n }) : t('compl.nodisc')));
      if (items.length) {
        box.append(el('ul', { class: 'compl-disc', 'data-testid': 'compl-disc' },
          ...items.map((d) => el('li', { class: d.major ? 'alarm' : 'warn' },
            t(d.key, { ...d.params, what: d.params.what != null ? t(WHAT[d.params.what]) : '' })))));
      }
    }
    body.append(box);
    return n;
  }

  let timer = 0;
  function start() { clearInterval(timer); load(); timer = setInterval(load, 15000); }
  events.on('login', start);
  events.on('logout', () => { clearInterval(timer); state = null; render(); });
  onChange(render);
  start();
  return { show: load };
}
