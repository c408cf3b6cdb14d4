// The selected track: identities, sources with their ages, the compliance
// triple, recent history (GET /api/tracks/ID: the track and its trail, and
// the sources' and sensors' ages, read every 3 s while it is selected: the
// map's copy has them from the track's last full object only),
// and the two actions: "query the peer" (a TRACK_QUERY draft, POST
// /api/messages/drafts) and "set radio contact" (POST /api/tracks/ID/radio).
import { classOf, peerOf } from '../map/classify.js';

const h = (tag, attrs = {}, ...kids) => {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'testid') el.dataset.testid = v;
    else if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v);
  }
  for (const k of kids) if (k != null) el.append(k);
  return el;
};

function trackRef(t) {
  if (t.icao) return `icao:${t.icao.toUpperCase()}`;
  if (t.mmsi != null) return `mmsi:${t.mmsi}`;
  return `T${t.id}`;
}

/* the selected track's GET /api/tracks/ID (its slow members, its history) is read again this often */
const DETAIL_MS = 3000;

export default {
  id: 'track',
  title: 'tab.track',
  mount(el, ctx) {
    const { t: tr, fmtUtc, fmtAge, fmtTime } = ctx.i18n;
    let id = null;
    let detail = null; /* the last GET /api/tracks/ID */
    let msg = '';
    let msgLevel = '';
    const body = h('div', { class: 'track-detail', testid: 'track-detail' });
    el.append(body);

    const row = (k, v, testid) => h('tr', {}, h('th', {}, tr(k)), h('td', testid ? { testid } : {}, v ?? '—'));
    const tri = (v) => h('span', { class: `tri tri-${v || 'unknown'}` }, tr(`tri.${v || 'unknown'}`));

    async function action(kind) {
      const t = ctx.map.tracks.get(id);
      if (!t) return;
      try {
        if (kind === 'radio') {
          await ctx.api.post(`/api/tracks/${id}/radio`, { radio: 'yes' });
          msg = tr('track.radio.done');
        } else {
          const fields = { track: trackRef(t), question: 'Identity and intentions?' };
          if (t.t_last_ms) fields.observed = t.t_last_ms;
          if (t.lat != null) fields.position = `${t.lat.toFixed(5)},${t.lon.toFixed(5)}`;
          /* a peer's track: ask that peer; an own track: every roster peer (the draft's default) */
          const body = { type: 'TRACK_QUERY', fields };
          const peer = peerOf(t);
          if (peer) body.to = peer;
          await ctx.api.post('/api/messages/drafts', body);
          msg = tr('track.query.done');
        }
        msgLevel = 'ok';
      } catch (e) {
        msg = tr('track.action.failed', { e: e.message });
        msgLevel = 'alarm';
      }
      render();
    }

    function render() {
      body.innerHTML = '';
      const t = id == null ? null : ctx.map.tracks.get(id);
      if (!t) {
        body.append(h('p', { class: 'muted', testid: 'track-none' }, tr(id == null ? 'track.none' : 'track.gone')));
        return;
      }
      const cls = classOf(t);
      const peer = peerOf(t);
      const name = (t.callsign && t.callsign.trim()) || (t.icao ? t.icao.toUpperCase() : `#${t.id}`);
      body.append(h('h2', { class: `cls-${cls}`, testid: 'track-title' }, name,
        h('span', { class: `badge cls-${cls}`, testid: 'track-class' }, tr(`cls.${cls}`)),
        peer ? h('span', { class: 'badge peer', testid: 'track-peer' }, tr('cls.peer', { p: peer })) : null));

      const ids = h('table', { class: 'kv' });
      ids.append(row('track.id', String(t.id), 'track-id'), row('track.callsign', t.callsign),
        row('track.icao', t.icao && t.icao.toUpperCase(), 'track-icao'), row('track.squawk', t.squawk),
        row('track.mmsi', t.mmsi != null ? String(t.mmsi) : null), row('track.status', t.status));
      if (t.emergency && t.emergency !== 'none') ids.append(row('track.emergency', h('b', { class: 'alarm' }, t.emergency)));
      body.append(h('h3', {}, tr('track.identities')), ids);

      const kin = h('table', { class: 'kv' });
      kin.append(
        row('track.position', t.lat != null ? `${t.lat.toFixed(4)}, ${t.lon.toFixed(4)}` : null),
        row('track.alt', t.on_ground ? 'GND' : t.alt_ft != null ? `${t.alt_ft} ft` : null),
        row('track.gs', t.gs_kt != null ? `${Math.round(t.gs_kt)} kt` : null),
        row('track.hdg', t.track_deg != null ? `${Math.round(t.track_deg)}°` : null),
        row('track.vrate', t.vrate_fpm != null ? `${t.vrate_fpm} ft/min` : null),
        row('track.first', fmtUtc(t.t_first_ms)), row('track.last', fmtUtc(t.t_last_ms)));
      body.append(kin);

      const comp = h('table', { class: 'kv', testid: 'track-compliance' });
      comp.append(row('track.transponder', tri(t.transponder)), row('track.flight_plan', tri(t.flight_plan)),
        row('track.radio', tri(t.radio)));
      const op = Array.isArray(t.operator) ? t.operator.join(', ') : t.operator;
      if (op) comp.append(row('track.operator', h('b', { class: 'alarm', testid: 'track-operator' }, op)));
      body.append(h('h3', {}, tr('track.compliance')), comp);

      /* the slow members (sources' and sensors' ages) from GET /api/tracks/ID,
       * read again every DETAIL_MS: the stream's lean form carries only the
       * kinematics of a track between its full objects (every 30 s) */
      const slow = detail && detail.track && Number(detail.track.id) === Number(t.id) ? detail.track : t;
      const src = h('table', { class: 'kv', testid: 'track-sources' });
      for (const [k, age] of Object.entries(slow.sources || {})) src.append(h('tr', {}, h('th', {}, k), h('td', {}, fmtAge(age))));
      for (const s of slow.sensors || [])
        src.append(h('tr', {}, h('th', {}, String(s.id)), h('td', {}, `${s.track_no != null ? `#${s.track_no} ` : ''}${fmtAge(s.age_s)}`)));
      body.append(h('h3', {}, tr('track.sources')), src);

      const acts = h('div', { class: 'actions' },
        h('button', { type: 'button', testid: 'track-query', onclick: () => action('query') }, tr('track.query')),
        h('button', { type: 'button', testid: 'track-radio', onclick: () => action('radio') }, tr('track.radio.set')));
      body.append(acts);
      if (msg) body.append(h('p', { class: `msg ${msgLevel}`, testid: 'track-action-msg' }, msg));

      const hist = h('table', { class: 'history', testid: 'track-history' });
      const trail = (detail && detail.trail) || [];
      for (const p of trail.slice(-12).reverse())
        hist.append(h('tr', {}, h('td', {}, fmtTime(p[0])), h('td', {}, `${(+p[1]).toFixed(3)}, ${(+p[2]).toFixed(3)}`),
          h('td', {}, p[3] == null ? '—' : `${p[3]} ft`)));
      body.append(h('h3', {}, tr('track.history')), hist);
    }

    let timer = 0;
    async function fetchDetail() {
      const want = id;
      try {
        const d = await ctx.api.get(`/api/tracks/${want}`);
        if (want === id) { detail = d; render(); }
      } catch { /* ended or not found: the map's copy is shown */ }
    }

    function load() {
      detail = null;
      clearInterval(timer);
      timer = 0;
      render();
      if (id == null) return;
      fetchDetail();
      timer = setInterval(() => { if (id != null && !document.hidden) fetchDetail(); }, DETAIL_MS);
    }

    ctx.map.onSelect((sel) => {
      id = sel;
      msg = '';
      if (sel != null) ctx.ui.showTab('track');
      load();
    });
    let last = 0;
    ctx.map.tracks.onChange((ids) => {
      if (id == null || !ids.has(id)) return;
      const now = Date.now();
      if (now - last < 1000) return; /* one repaint a second is plenty */
      last = now;
      render();
    });
    ctx.i18n.onChange(render);
    render();
  },
};
