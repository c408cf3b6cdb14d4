// The stream worker: owns the live connection to /api/events, parses it and
// keeps the track table, so that the main thread only draws.
//
// Why a worker: at 10,000 tracks a second the stream is megabytes of JSON
// a second; parsed on the main thread it took the frames of the map
// (bench/ui). Here the worker
//   - reads /api/events (fetch, same origin: the session cookie, and the
//     token as a Bearer header for a tab that kept only the token) and
//     GET /api/tracks at each (re)connection;
//   - applies the daemon's `tracks` events ({"now_ms", "tracks":[...]},
//     docs/centre.md) and the older one-track `track` events to its table;
//     it asks for the lean form (/api/events?form=moves: "moves":[[id, lat,
//     lon, alt_ft, gs_kt, track_deg, vrate_fpm, t_last_ms], ...] beside the
//     full objects), whose rows patch a known track without a full object;
//   - keeps, per track, a slot in the packed arrays the GPU draws (x, y
//     relative to an origin, class, heading, peer number, shown: 6 floats),
//     its trail segments in a ring, its label, and its own JSON text;
//   - posts what changed to the main thread at most once per animation
//     frame (the main thread returns a credit, "ack", from its next frame):
//     the packed arrays and the new trail segments as transferable typed
//     arrays, the new full objects' JSON texts (joined, with each track's
//     span: parsed on the main thread only for the tracks it looks at),
//     each changed track's kinematics (written over its text there), the
//     changed labels, each track's report time;
//   - forwards the other events (alerts, messages, ...) parsed.
//
// Messages from the main thread:
//   {type:'start', token, gen}  (re)open the stream; {type:'stop'}
//   {type:'ack'}                the last batch is drawn: send the next
//   {type:'resync'}             the GPU lost its buffers: send all again
//   {type:'prefill'}            (bench) trails at their full length
//   {type:'watch', ids, only}   send these tracks' texts (beyond TEXTS_ALL tracks)
//   {type:'picture'}            draw the tracks here (stream/picture.js): answered
//                               by {type:'picture-state', ok, renderer}
//   {type:'view', view}         the page's view, for the picture; {type:'shown'}: it showed the last
//   {type:'lose-context', restoreMs}  (tests) the picture's WebGL context lost (and restored after restoreMs >= 0)
// Messages to it:
//   {type:'state', connected, gen}  {type:'open', gen}  {type:'ended', gen}
//   {type:'unauthorised'}  {type:'retry', ms}  {type:'event', name, data}
//   {type:'batch', ...}     see post() below
//   {type:'picture', bitmap, T, mx, my, cssW, cssH, sample, ...}  see stream/picture.js
//   {type:'picture-state', ok, gone}  ok false + gone: the picture's context is lost for good, the page draws
import { SseParser, tracksSpans, mercator } from './sse.js';
import { classOf, peerOf, labelOf, CLASSES } from '../map/classify.js';
import { Ring } from './ring.js';
import { Picture } from './picture.js';

export const TRAIL_STEP_MS = 5000;
export const TRAIL_S = 600;
const TRAIL_MAX = (TRAIL_S * 1000) / TRAIL_STEP_MS;
const SEG_CAP = 1 << 20;
/* The coarse trails, for the worker's own picture at low zooms (where a
 * 5 s step is under a pixel, which a software rasteriser does not even
 * draw): a point every COARSE_STEP_MS, in a ring of CSEG_CAP (10 minutes
 * for up to 26,000 tracks, proportionally less beyond), and from each
 * track's last coarse point to where it is now, a head segment per slot. */
export const COARSE_STEP_MS = 60000;
const CTRAIL_MAX = (TRAIL_S * 1000) / COARSE_STEP_MS;
const CSEG_CAP = 1 << 18;
const STALE_MS = 5 * 60 * 1000;
const STALL_MS = 40000; /* the daemon's heartbeat is 15 s */
const CLS_INDEX = Object.fromEntries(CLASSES.map((c, i) => [c, i]));
const xy = [0, 0];

/* ------------------------------------------------------------ the table */

const recs = new Map(); /* id -> {id, slot, t, x, y, cls, pidx, label, doc, a, b, sent, tl, seenMs, fine, coarse (trail())}; its new full JSON: doc.s[a, b) (doc null: not kept; sent: the page has it) */
/* Up to TEXTS_ALL tracks the page gets every changed track's text; beyond,
 * only those it watches (the selected track, any it asked for): at 50,000
 * tracks a second copying the texts to the page took a core of its own. */
const TEXTS_ALL = 20000;
const watched = new Set();
let cap = 1024;
let pts = new Float32Array(cap * 6);
let slotId = new Float64Array(cap);
let nSlots = 0;
let nextSlot = 0;
const free = [];
let ox = 0;
let oy = 0;
let originSet = false;
let t0 = null; /* ms: the trails' time origin */
let nowMs = null; /* the newest report time seen */
let pictureMs = null; /* the daemon's now_ms of the last batch */
let events = 0; /* track objects and move rows received */
let lean = false; /* move rows seen on this stream (the lean form) */

const fine = new Ring(SEG_CAP, ['page', 'gpu']); /* the page's layer draws it (with a GPU), or the picture */
const coarse = new Ring(CSEG_CAP, ['gpu']);
let heads = new Float32Array(cap * 8); /* per slot: last coarse point -> now, as a segment */
let headsDirty = true;
let rev = 0; /* bumped at each change of what the picture shows */
let seq = 0; /* batches posted */
let picture = null; /* the worker's own picture (stream/picture.js), when the page asked for it */
let sample = []; /* report times applied since the picture's last drawing (latency): a uniform sample of SAMPLE_MAX */
let sampleSeen = 0;
const SAMPLE_MAX = 4000;
fine.follow('gpu', false);
coarse.follow('gpu', false);

const peers = []; /* this worker's peer numbering: index -> name */
const peerNum = new Map();
let peersDirty = false;

const chg = new Set(); /* recs changed since the last batch */
let del = []; /* ids removed since the last batch */
let idsDirty = true;
let labSlots = [];
let labText = [];
let credit = true;
let resync = false;

function grow(slot) {
  if (slot < cap) return;
  while (slot >= cap) cap *= 2;
  const p = new Float32Array(cap * 6);
  p.set(pts);
  pts = p;
  const s = new Float64Array(cap);
  s.set(slotId);
  slotId = s;
  const h = new Float32Array(cap * 8);
  h.set(heads);
  heads = h;
}

function peerNumber(name) {
  if (!name) return -1;
  let i = peerNum.get(name);
  if (i === undefined) {
    i = peers.length;
    peers.push(name);
    peerNum.set(name, i);
    peersDirty = true;
  }
  return i;
}

/* A track's trail in one ring (the fine one, a point every TRAIL_STEP_MS,
 * or the coarse one, every COARSE_STEP_MS): its last point and its
 * segments' indices (the last `max`). */
function trail(ring, max, step, x, y, tms) {
  return { ring, max, step, x, y, t: tms, segs: null, n: 0 };
}

/* colour: the class (0..3), or 4 + the peer's number */
const colourOf = (r) => (r.pidx >= 0 ? 4 + r.pidx : r.cls);

/** Track r's trail tr goes on to (x, y) at tms: a segment from its last point. */
function extend(r, tr, x, y, tms) {
  const s = tr.ring.add(tr.x - ox, tr.y - oy, x - ox, y - oy, (tms - t0) / 1000, colourOf(r), r.id);
  if (!tr.segs) tr.segs = new Int32Array(tr.max);
  tr.segs[tr.n % tr.max] = s;
  tr.n++;
  tr.x = x; tr.y = y; tr.t = tms;
}

/* Its segments blanked (a removed track). */
function dropTrail(r, tr) {
  if (tr.segs) for (let i = 0, n = Math.min(tr.n, tr.max); i < n; i++) tr.ring.drop(tr.segs[i], r.id);
}

function setHead(r, x, y) {
  const o = r.slot * 8;
  const col = colourOf(r);
  const c = r.coarse;
  const tS = (c.t - t0) / 1000;
  heads[o] = c.x - ox; heads[o + 1] = c.y - oy; heads[o + 2] = tS; heads[o + 3] = col;
  heads[o + 4] = x - ox; heads[o + 5] = y - oy; heads[o + 6] = tS; heads[o + 7] = col;
  headsDirty = true;
}

function remove(r, killSegs = true) {
  recs.delete(r.id);
  chg.delete(r);
  del.push(r.id);
  pts[r.slot * 6 + 5] = 0;
  slotId[r.slot] = -1;
  free.push(r.slot);
  idsDirty = true;
  heads[r.slot * 8 + 3] = -1;
  heads[r.slot * 8 + 7] = -1;
  headsDirty = true;
  rev++;
  if (killSegs) {
    dropTrail(r, r.fine);
    dropTrail(r, r.coarse);
  }
}

/** One track object t; its JSON text is doc.s[a, b) (doc null: made here). */
function apply(t, doc, a, b, now) {
  if (!t || typeof t !== 'object' || t.id == null) return;
  events++;
  const id = Number(t.id);
  if (!Number.isFinite(id)) return;
  let r = recs.get(id);
  if (t.status === 'deleted' || typeof t.lat !== 'number' || typeof t.lon !== 'number') {
    if (r) remove(r);
    return;
  }
  mercator(t.lon, t.lat, xy);
  const x = xy[0];
  const y = xy[1];
  const cls = CLS_INDEX[classOf(t)];
  const pidx = peerNumber(peerOf(t));
  const label = labelOf(t); /* all that may throw on a strange member, before the table changes */
  if (!originSet) { ox = x; oy = y; originSet = true; }
  const tms = Number.isFinite(t.t_last_ms) ? t.t_last_ms : now;
  if (t0 == null) t0 = tms - TRAIL_S * 1000;
  if (replaying && r && tms < r.tl) return; /* older than the reply to GET /api/tracks applied before it */
  if (!r) {
    const slot = free.length ? free.pop() : nextSlot++;
    grow(slot);
    if (slot >= nSlots) nSlots = slot + 1;
    r = {
      id, slot, t, x, y, cls, pidx, label: '', doc: null, a: 0, b: 0, sent: false, tl: tms, seenMs: now,
      /* the kinematic members (as in the lean form's rows), here: every record has this shape, the objects do not */
      lat: 0, lon: 0, alt: NaN, gs: NaN, trk: NaN, vr: NaN, age: NaN, tBehind: false,
      fine: trail(fine, TRAIL_MAX, TRAIL_STEP_MS, x, y, tms), coarse: trail(coarse, CTRAIL_MAX, COARSE_STEP_MS, x, y, tms),
    };
    recs.set(id, r);
    slotId[slot] = id;
    idsDirty = true;
  }
  r.cls = cls; r.pidx = pidx;
  r.t = t;
  r.lat = t.lat; r.lon = t.lon; r.alt = num(t.alt_ft); r.gs = num(t.gs_kt); r.trk = num(t.track_deg);
  r.vr = num(t.vrate_fpm); r.age = num(t.age_s); r.tBehind = false;
  /* a new full object: its text goes to the page (post) */
  r.sent = false;
  if (doc) { r.doc = doc; r.a = a; r.b = b; }
  else r.doc = null; /* its text made when sent (post) */
  place(r, x, y, tms, t.track_deg, now);
  setLabel(r, label);
}

/* The kinematic members a move row carries ([id, lat, lon, alt_ft, gs_kt,
 * track_deg, vrate_fpm, t_last_ms], the contract's lean form), in that
 * order; the page overlays them on the track's last full text (kin). */
const KIN = 8; /* per changed track in a batch: lat, lon, alt_ft, gs_kt, track_deg, vrate_fpm, t_last_ms, age_s (NaN: absent) */

/** One move row of a lean `tracks` event: patches the table's copy of a
 * known track (its full object came before) without a full object; nowMs
 * of its event for age_s. A row for an unknown id is ignored (its full
 * object comes within 30 s); a malformed one is dropped and counted. */
function applyMove(m, now, evNow) {
  if (!Array.isArray(m) || m.length < 8) { dropped++; return; }
  const r = recs.get(m[0]);
  if (!r) { if (!Number.isFinite(m[0])) dropped++; return; }
  const lat = m[1];
  const lon = m[2];
  const alt = m[3];
  const tms = m[7];
  if (typeof lat !== 'number' || typeof lon !== 'number' || !(lat >= -90 && lat <= 90) || !(lon >= -180 && lon <= 180) ||
    (alt !== null && typeof alt !== 'number') || typeof m[4] !== 'number' || typeof m[5] !== 'number' ||
    typeof m[6] !== 'number' || typeof tms !== 'number' || !Number.isFinite(tms)) { dropped++; return; }
  events++;
  if (replaying && tms < r.tl) return; /* older than the reply to GET /api/tracks applied before it */
  const a = alt === null ? NaN : alt;
  const altChanged = !Object.is(a, r.alt);
  r.lat = lat; r.lon = lon; r.alt = a; r.gs = m[4]; r.trk = m[5]; r.vr = m[6];
  if (Number.isFinite(evNow)) r.age = Math.round(evNow - tms) / 1000;
  /* the object itself is brought up to date only when it is read (its
   * text, its label): its members' shapes differ from track to track */
  r.tBehind = true;
  mercator(lon, lat, xy);
  place(r, xy[0], xy[1], tms, m[5], now);
  if (altChanged) setLabel(r, labelOf(current(r)));
}

/** Track r's object, with the kinematics of the rows applied since its full object. */
function current(r) {
  if (!r.tBehind) return r.t;
  const t = r.t;
  t.lat = r.lat; t.lon = r.lon;
  t.alt_ft = Number.isNaN(r.alt) ? undefined : r.alt; /* undefined: left out of its JSON, as the daemon does */
  t.gs_kt = r.gs; t.track_deg = r.trk; t.vrate_fpm = r.vr; t.t_last_ms = r.tl;
  if (!Number.isNaN(r.age)) t.age_s = r.age;
  r.tBehind = false;
  return t;
}

/* The track moves to (x, y) at tms (its trails, head segment, slot). */
function place(r, x, y, tms, deg, now) {
  if (nowMs == null || tms > nowMs) nowMs = tms;
  if (tms - r.fine.t >= r.fine.step) extend(r, r.fine, x, y, tms);
  if (tms - r.coarse.t >= r.coarse.step) extend(r, r.coarse, x, y, tms);
  setHead(r, x, y);
  rev++;
  r.x = x; r.y = y; r.seenMs = now; r.tl = tms;
  const o = r.slot * 6;
  pts[o] = x - ox; pts[o + 1] = y - oy; pts[o + 2] = r.cls;
  pts[o + 3] = ((Number(deg) || 0) * Math.PI) / 180; pts[o + 4] = r.pidx; pts[o + 5] = 1;
  chg.add(r);
}

function setLabel(r, label) {
  if (label === r.label) return;
  r.label = label;
  labSlots.push(r.slot);
  labText.push(label);
}

/* A track the table cannot take (a member of an unexpected type) is
 * dropped and counted, never allowed to end the stream. */
let dropped = 0;
function safeApply(t, doc, a, b, now) {
  try { apply(t, doc, a, b, now); } catch { dropped++; }
}

/** A {"now_ms", "tracks":[...]} text (the `tracks` event, GET /api/tracks),
 * with "moves":[[id, lat, lon, alt_ft, gs_kt, track_deg, vrate_fpm,
 * t_last_ms], ...] in the lean form (/api/events?form=moves). */
const cost = { parse: 0, spans: 0, apply: 0, post: 0 }; /* ms spent, for bench/ui */
function applyDoc(text, reset) {
  let doc;
  let t = performance.now();
  try { doc = JSON.parse(text); } catch { return; }
  cost.parse += performance.now() - t;
  if (!doc || !Array.isArray(doc.tracks)) return;
  if (reset) clearAll();
  const now = Date.now();
  const evNow = doc.now_ms;
  if (Number.isFinite(evNow)) pictureMs = evNow;
  const a = doc.tracks;
  const mv = Array.isArray(doc.moves) ? doc.moves : null;
  if (mv) lean = true;
  /* each track's own text, when the spans agree with the parse (else made again) */
  t = performance.now();
  const sp = a.length && recs.size + a.length <= TEXTS_ALL ? tracksSpans(text) : null;
  const ok = sp && sp.length === a.length * 2;
  cost.spans += performance.now() - t;
  t = performance.now();
  const d = ok ? { s: text } : null;
  for (let i = 0; i < a.length; i++) safeApply(a[i], d, ok ? sp[2 * i] : 0, ok ? sp[2 * i + 1] : 0, now);
  if (mv) for (let i = 0; i < mv.length; i++) { try { applyMove(mv[i], now, evNow); } catch { dropped++; } }
  cost.apply += performance.now() - t;
  if (picture) {
    for (let i = 0, step = Math.max(1, Math.ceil(a.length / 20)); i < a.length; i += step) sampleOf(a[i] && a[i].t_last_ms);
    if (mv) for (let i = 0, step = Math.max(1, Math.ceil(mv.length / 20)); i < mv.length; i += step) sampleOf(mv[i] && mv[i][7]);
  }
  post();
}

function clearAll() {
  for (const r of [...recs.values()]) remove(r, false); /* the ring is cleared whole */
  fine.clear();
  coarse.clear();
  heads.fill(0);
  headsDirty = true;
  rev++;
}

function sweep() {
  const old = Date.now() - STALE_MS;
  let n = 0;
  for (const r of [...recs.values()]) if (r.seenMs < old) { remove(r); n++; }
  if (n) post();
}
setInterval(sweep, 10000);

/* The benchmark's: a full trail behind every track (straight back along its
 * heading), as after TRAIL_S of flight, as many segments per track as the
 * ring holds for all of them. */
function prefill() {
  const per = Math.max(1, Math.min(TRAIL_MAX, Math.floor(SEG_CAP / Math.max(1, recs.size))));
  const cper = Math.max(1, Math.min(CTRAIL_MAX, Math.floor(CSEG_CAP / Math.max(1, recs.size))));
  const back = (r, a, step, k) => [r.x - Math.sin(a) * step * k, r.y - Math.cos(a) * step * k];
  for (const r of recs.values()) {
    const t = current(r);
    const a = ((t.track_deg || 0) * Math.PI) / 180;
    /* metres (Mercator) flown in TRAIL_STEP_MS */
    const step = ((t.gs_kt || 300) * 1852 * TRAIL_STEP_MS) / 3600000 / Math.cos((t.lat * Math.PI) / 180);
    for (const [tr, k0] of [[r.fine, per], [r.coarse, cper]]) {
      const d = (step * tr.step) / TRAIL_STEP_MS;
      [tr.x, tr.y] = back(r, a, d, k0);
      tr.t = r.tl - k0 * tr.step;
      for (let k = k0 - 1; k >= 0; k--) { const [x, y] = back(r, a, d, k); extend(r, tr, x, y, r.tl - k * tr.step); }
    }
    setHead(r, r.x, r.y);
  }
  rev++;
  post();
}

/* ------------------------------------------------------------ the picture (stream/picture.js) */

/* report times for the page's latency figure: the picture that first
 * includes a report says so (bench/ui) */
function sampleOf(tms) {
  if (!Number.isFinite(tms)) return;
  /* a reservoir: the first SAMPLE_MAX kept alone would be the oldest
   * reports of a costly picture's interval (an overstated latency) */
  const k = sampleSeen++;
  if (k < SAMPLE_MAX) sample.push(tms);
  else { const j = Math.floor(Math.random() * (k + 1)); if (j < SAMPLE_MAX) sample[j] = tms; }
}

const pictureSrc = {
  fine,
  coarse,
  table: () => ({
    pts, nSlots, heads, headsDirty, rev, ox, oy, seq, trailS: TRAIL_S,
    nowS: nowMs == null ? 0 : (nowMs - t0) / 1000,
    takeSample: () => { const s = sample; sample = []; sampleSeen = 0; return s; },
  }),
  headsTaken: () => { headsDirty = false; },
};

function startPicture() {
  if (picture) { postMessage({ type: 'picture-state', ok: true, renderer: picture.renderer, software: picture.software }); return; }
  try {
    picture = new Picture(pictureSrc, (msg, transfer) => postMessage(msg, transfer));
  } catch (e) {
    picture = null;
    postMessage({ type: 'picture-state', ok: false, error: String(e && e.message) });
    return;
  }
  /* the page's layer no longer draws: it is sent no trail segments */
  fine.follow('page', false);
  /* its context lost for good: the page draws again (sent everything) */
  picture.onGone = () => {
    picture = null;
    fine.follow('page', true);
    resync = true;
    postMessage({ type: 'picture-state', ok: false, gone: true, error: 'the worker lost its WebGL context' });
    credit = true;
    post();
  };
  postMessage({ type: 'picture-state', ok: true, renderer: picture.renderer, software: picture.software });
}

/* ------------------------------------------------------------ to the main thread */

function dirty() {
  return chg.size || del.length || fine.dirty('page') || labSlots.length || peersDirty || resync;
}

/**
 * One batch: {type:'batch',
 *   n            tracks in the table; events: track objects received so far
 *   nSlots, pts  Float32Array(nSlots * 6): every slot (transferred)
 *   origin       [ox, oy]: pts and segments are relative to it
 *   ids          Float64Array(nSlots): the track in each slot (-1 none), when it changed
 *   seg          [[first segment, Float32Array], ...]: new segments; segN: segments in the ring
 *   segKill      Int32Array: segments to drop; segClear: drop all (before seg)
 *   labSlots, labText  changed labels
 *   chg          Int32Array(k * 4): slot, text index (-1: none, forget yours; -2: keep yours), offset, length of each changed track's JSON
 *   texts        [string]: the texts those spans are in; tl: Float64Array(k): report times
 *   kin          Float64Array(k * KIN): the changed tracks' kinematic members (lat, lon, alt_ft,
 *                gs_kt, track_deg, vrate_fpm, t_last_ms, age_s; NaN: absent), over their texts
 *   lean         the stream is the lean form (move rows seen)
 *   del          Float64Array: ids removed
 *   peers        the peer names (index = the peer number in pts), when it changed
 *   nowMs        the newest report time; pictureMs: the daemon's now_ms
 *   t0           the trails' time origin (ms) }
 */
const num = (v) => (typeof v === 'number' ? v : NaN);

/* with the picture here the page needs the table only for labels, clicks
 * and panes: a batch at most every PAGE_MS */
const PAGE_MS = 200;
let lastPost = 0;
let postTimer = 0;
function post() {
  if (picture) picture.schedule();
  if (!credit || !dirty()) return;
  const tPost = performance.now();
  if (picture && tPost - lastPost < PAGE_MS) {
    if (!postTimer) postTimer = setTimeout(() => { postTimer = 0; post(); }, PAGE_MS - (tPost - lastPost));
    return;
  }
  lastPost = tPost;
  credit = false;
  const transfer = [];
  const msg = {
    type: 'batch', seq: ++seq, n: recs.size, events, dropped, lean, nSlots, origin: [ox, oy], t0, nowMs, pictureMs, segN: fine.n,
  };
  msg.pts = pts.slice(0, nSlots * 6);
  cost.pts = (cost.pts || 0) + performance.now() - tPost;
  transfer.push(msg.pts.buffer);
  if (idsDirty || resync) { msg.ids = slotId.slice(0, nSlots); transfer.push(msg.ids.buffer); idsDirty = false; }
  if (resync && !picture) fine.markAll('page');
  if (fine.dirty('page')) {
    const d = fine.take('page', true);
    if (d.clear) msg.segClear = true;
    if (d.kill.length) { msg.segKill = Int32Array.from(d.kill); transfer.push(msg.segKill.buffer); }
    if (d.runs.length) { msg.seg = d.runs; for (const [, a] of d.runs) transfer.push(a.buffer); }
  }
  if (labSlots.length) { msg.labSlots = Int32Array.from(labSlots); msg.labText = labText; labSlots = []; labText = []; }
  if (peersDirty || resync) { msg.peers = peers.slice(); peersDirty = false; }
  const tChg = performance.now();
  if (chg.size) {
    /* the texts of the changed tracks' new full objects that the page
     * wants, joined into one string (spans of the events that brought
     * them, or made from the table's copy): the page keeps the text it has
     * while only moves come (-2) and overlays their members (kin) */
    const parts = [];
    let len = 0;
    const c = new Int32Array(chg.size * 4);
    const tl = new Float64Array(chg.size);
    const kin = new Float64Array(chg.size * KIN);
    const all = recs.size <= TEXTS_ALL;
    let k = 0;
    for (const r of chg) {
      let i = -1; /* no text: the page forgets the one it had */
      let a = 0;
      let n = 0;
      if (all || watched.has(r.id)) {
        if (r.sent) i = -2;
        else {
          const s = r.doc ? r.doc.s.slice(r.a, r.b) : JSON.stringify(current(r));
          i = 0; a = len; n = s.length;
          parts.push(s);
          len += n;
          r.sent = true;
        }
      } else r.sent = false;
      r.doc = null; /* the event's text is not held beyond this batch */
      c[4 * k] = r.slot; c[4 * k + 1] = i; c[4 * k + 2] = a; c[4 * k + 3] = n;
      tl[k] = r.tl;
      const o = k * KIN;
      kin[o] = r.lat; kin[o + 1] = r.lon; kin[o + 2] = r.alt; kin[o + 3] = r.gs;
      kin[o + 4] = r.trk; kin[o + 5] = r.vr; kin[o + 6] = r.tl; kin[o + 7] = r.age;
      k++;
    }
    msg.chg = c; msg.texts = parts.length ? [parts.join('')] : []; msg.tl = tl; msg.kin = kin;
    transfer.push(c.buffer, tl.buffer, kin.buffer);
    chg.clear();
  }
  cost.chg = (cost.chg || 0) + performance.now() - tChg;
  cost.n = (cost.n || 0) + 1;
  if (del.length) { msg.del = Float64Array.from(del); del = []; }
  resync = false;
  cost.post += performance.now() - tPost;
  msg.cost = cost;
  postMessage(msg, transfer);
}

/* ------------------------------------------------------------ the stream */

let token = '';
let gen = 0;
let ctrl = null;

function headers(accept) {
  const h = { Accept: accept };
  if (token) h.Authorization = `Bearer ${token}`;
  return h;
}

/* The events that came while GET /api/tracks was under way, applied after
 * its reply (which resets the table): a track first sent in full then
 * would otherwise be lost until its next full object (the lean form's
 * rows for an unknown id are ignored). null: none under way. */
let held = null;
const HELD_MAX = 2000;
let replaying = false; /* applying them: what is older than the table's copy is skipped */

async function loadTracks(g) {
  held = [];
  try {
    const r = await fetch('/api/tracks', { headers: headers('application/json'), credentials: 'same-origin', cache: 'no-store' });
    if (g !== gen) return;
    if (r.status === 401) { postMessage({ type: 'unauthorised' }); return; }
    if (!r.ok) return;
    const text = await r.text();
    if (g !== gen) return;
    applyDoc(text, true);
  } catch { /* the stream's own failure says it */ } finally {
    if (g === gen) {
      const h = held;
      held = null;
      replaying = true;
      try { if (h) for (const [name, data] of h) onEvent(name, data); } finally { replaying = false; }
    }
  }
}

function onEvent(name, data) {
  if (name === 'tracks' || name === 'track') {
    if (held) {
      if (held.length < HELD_MAX) held.push([name, data]);
      return;
    }
    if (name === 'tracks') { applyDoc(data, false); return; }
    let t;
    try { t = JSON.parse(data); } catch { return; }
    safeApply(t, { s: data }, 0, data.length, Date.now());
    if (picture) sampleOf(t && t.t_last_ms);
    post();
  } else {
    let obj;
    try { obj = JSON.parse(data); } catch { return; }
    postMessage({ type: 'event', name, data: obj });
  }
}

/* The lean form (move rows, the contract's /api/events?form=moves); a
 * daemon that does not know it ignores the parameter (the default form:
 * every track full) or, refusing it (400), is asked without. */
let leanRefused = false;

async function run(g) {
  const c = new AbortController();
  ctrl = c;
  lean = false;
  let r = await fetch(leanRefused ? '/api/events' : '/api/events?form=moves', { headers: headers('text/event-stream'), credentials: 'same-origin', cache: 'no-store', signal: c.signal });
  if (g !== gen) return;
  if (r.status === 400 && !leanRefused) {
    leanRefused = true;
    r = await fetch('/api/events', { headers: headers('text/event-stream'), credentials: 'same-origin', cache: 'no-store', signal: c.signal });
    if (g !== gen) return;
  }
  if (r.status === 401) { postMessage({ type: 'unauthorised' }); return; }
  if (!r.ok || !r.body) throw new Error(`events: HTTP ${r.status}`);
  postMessage({ type: 'state', connected: true, gen: g });
  postMessage({ type: 'open', gen: g });
  loadTracks(g);
  const reader = r.body.getReader();
  const dec = new TextDecoder();
  const parser = new SseParser(onEvent, (ms) => postMessage({ type: 'retry', ms }));
  let stall = setTimeout(() => c.abort(), STALL_MS);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done || g !== gen) break;
      clearTimeout(stall);
      stall = setTimeout(() => c.abort(), STALL_MS);
      parser.push(dec.decode(value, { stream: true }));
    }
  } finally {
    clearTimeout(stall);
  }
}

function stop() {
  gen = 0; /* the main thread's generations start at 1 */
  held = null;
  if (ctrl) ctrl.abort();
  ctrl = null;
}

self.onmessage = (e) => {
  const m = e.data;
  if (m.type === 'ack') { credit = true; post(); }
  else if (m.type === 'start') {
    stop();
    token = m.token || '';
    const g = (gen = m.gen);
    run(g).catch(() => {}).finally(() => { if (g === gen) postMessage({ type: 'ended', gen: g }); });
  } else if (m.type === 'stop') stop();
  else if (m.type === 'resync') { resync = true; credit = true; post(); }
  else if (m.type === 'prefill') prefill();
  else if (m.type === 'picture') startPicture();
  else if (m.type === 'view') { if (picture) picture.setView(m.view); }
  else if (m.type === 'shown') { if (picture) picture.shown(); }
  else if (m.type === 'lose-context') postMessage({ type: 'lose-context', ok: !!(picture && picture.loseContext(m.restoreMs)) });
  else if (m.type === 'watch') {
    /* ids the page wants the texts of: sent with the next batch, and at each change */
    if (m.only) watched.clear();
    for (const id of m.ids || []) {
      const r = recs.get(Number(id));
      watched.add(Number(id));
      if (r) chg.add(r);
    }
    post();
  }
};
