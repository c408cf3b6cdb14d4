// The status bar, always visible: the live stream's state, each peer's link
// state and the age of its shared picture, the number of tracks, the
// picture's time. Peers come from GET /api/link (the hotline's status:
// {peers:[{name, up, sent, delivered, received, ...}]}), re-read every
// LINK_POLL_MS and on an SSE "link" event; a peer's picture age is its
// `picture_age_s` when the centre gives it, else the freshest of that
// peer's tracks on the map.
import { peerOf, peerColour } from './map/classify.js';

const LINK_POLL_MS = 3000;

export function createStatus(root, ctx) {
  const { t, fmtAge, fmtUtc } = ctx.i18n;
  const q = (id) => root.querySelector(`[data-testid="${id}"]`);
  const sse = q('sse-state');
  const peersEl = q('peer-status');
  const count = q('track-count');
  const pic = q('picture-time');
  let peers = null; /* null: not known yet; [] : no hotline */
  let linkAt = 0;
  let timer = 0;
  let picMs = null;
  const extras = new Map();

  function peerAge(name, p) {
    if (p && Number.isFinite(p.picture_age_s)) return p.picture_age_s + (Date.now() - linkAt) / 1000;
    /* the centre's [peer] status: /api/link's peers[].picture.last_picture_age_s (-1: none yet) */
    const lp = p && p.picture && p.picture.last_picture_age_s;
    if (Number.isFinite(lp) && lp >= 0) return lp + (Date.now() - linkAt) / 1000;
    let best = Infinity;
    const key = `peer:${name}`;
    for (const tr of ctx.map.tracks.all()) {
      if (peerOf(tr) !== name && !(tr.sources && key in tr.sources)) continue;
      const a = tr.sources && Number.isFinite(tr.sources[key]) ? tr.sources[key] : tr.age_s;
      if (Number.isFinite(a) && a < best) best = a;
    }
    return best === Infinity ? null : best;
  }

  function render() {
    const live = ctx.api.connected();
    sse.textContent = t(live ? 'status.live' : 'status.offline');
    sse.className = `sse ${live ? 'ok' : 'alarm'}`;
    sse.dataset.state = live ? 'up' : 'down';
    count.textContent = t('status.tracks', { n: ctx.map.tracks.count() });
    pic.textContent = picMs ? t('status.picture', { t: fmtUtc(picMs) }) : '';
    peersEl.innerHTML = '';
    if (peers && !peers.length) {
      const s = document.createElement('span');
      s.className = 'peer muted';
      s.dataset.testid = 'peer-none';
      s.textContent = t('status.nohotline');
      peersEl.append(s);
    }
    for (const p of peers || []) {
      const state = p.up === true ? 'up' : p.up === false ? 'down' : 'unknown';
      const age = peerAge(p.name, p);
      const el = document.createElement('span');
      el.className = `peer ${state === 'up' ? 'ok' : 'alarm'}`;
      el.dataset.testid = `peer-${p.name}`;
      el.dataset.state = state;
      const sw = document.createElement('i');
      sw.className = 'swatch';
      sw.style.borderColor = peerColour(p.name) || '#888';
      const name = document.createElement('b');
      name.textContent = p.name;
      const link = document.createElement('span');
      link.dataset.testid = `peer-${p.name}-link`;
      link.textContent = t(`status.link.${state}`);
      const ag = document.createElement('span');
      ag.dataset.testid = `peer-${p.name}-age`;
      ag.textContent = age == null ? t('status.age.none') : t('status.age', { a: fmtAge(age) });
      if (age != null && age > 30) ag.className = 'warn';
      el.append(sw, name, link, ag);
      peersEl.append(el);
    }
    for (const [key, { text, level }] of extras) {
      const s = document.createElement('span');
      s.className = `extra ${level || ''}`;
      s.dataset.testid = `status-${key}`;
      s.textContent = text;
      peersEl.append(s);
    }
  }

  async function poll() {
    clearTimeout(timer);
    try {
      const l = await ctx.api.get('/api/link');
      peers = Array.isArray(l && l.peers) ? l.peers : [];
      linkAt = Date.now();
    } catch (e) {
      if (e.status === 404) peers = [];
      else if (peers) peers = peers.map((p) => ({ ...p, up: undefined }));
    }
    render();
    timer = setTimeout(poll, LINK_POLL_MS);
  }

  ctx.api.subscribe('link', () => poll());
  ctx.api.on('state', render);
  ctx.i18n.onChange(render);
  ctx.map.tracks.onChange((chg) => {
    const ms = Math.max(chg.newestMs || 0, ctx.map.tracks.pictureMs || 0);
    if (ms && (!picMs || ms > picMs)) picMs = ms;
  });
  setInterval(render, 1000);

  return {
    start() { poll(); },
    stop() { clearTimeout(timer); },
    setPictureTime(ms) { picMs = ms; render(); },
    /** Another pane's item in the bar (e.g. 'overdue'): text '' removes it. */
    setExtra(key, text, level) {
      if (!text) extras.delete(key); else extras.set(key, { text, level });
      render();
    },
    firstPeer() { return peers && peers.length ? peers[0].name : ''; },
    peers() { return peers || []; },
    render,
  };
}
