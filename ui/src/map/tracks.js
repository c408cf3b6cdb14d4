// The tracks on the map: the main thread's side of the track table that
// the stream worker (stream/worker.js) keeps. A batch from the worker
// (api.js "tracks.batch", at most one per frame) brings the packed slots
// (x, y, class, heading, peer, shown), the new trail segments, the changed
// labels and where each changed track's JSON text is (a span of the event
// that brought it); here they are only stored and handed to the GPU
// (gl.js). A track's object is parsed from its text when something asks
// for it (get, all: the detail pane, the tests), not for every update.
//
// Labels (callsign or code, altitude) and the selection ring are a 2D
// canvas drawn from LABEL_ZOOM on, for the tracks in view, decluttered on a
// coarse grid.
import Layer from 'ol/layer/Layer.js';
import { apply as applyTransform } from 'ol/transform.js';
import { toLonLat } from 'ol/proj.js';
import { peerIndex, CLASS_COLOURS, PEER_COLOURS, CLASSES } from './classify.js';
import { GlTracks, RemotePicture, rgb } from './gl.js';
import { events, streamPost } from '../api.js';

export const TRAIL_S = 600;
export const SEG_CAP = 1 << 20;
export const LABEL_ZOOM = 7;
const NOXPDR = CLASSES.indexOf('noxpdr');
/* the kinematic members the worker sends for each changed track (stream/worker.js KIN) */
const KIN_KEYS = ['lat', 'lon', 'alt_ft', 'gs_kt', 'track_deg', 'vrate_fpm', 't_last_ms', 'age_s'];
const KIN = KIN_KEYS.length;

/** What changed in one batch, for onChange listeners: has(id), size, newestMs. */
class Changed {
  constructor(tracks, stamp, del, size, newestMs) {
    this.tracks = tracks;
    this.stamp = stamp;
    this.del = del;
    this.size = size;
    this.newestMs = newestMs;
  }

  has(id) {
    const n = Number(id);
    const s = this.tracks.idSlot.get(n);
    if (s !== undefined && this.tracks.chgStamp[s] === this.stamp) return true;
    return !!this.del && this.del.includes(n);
  }
}

/* The page draws the tracks itself while that is cheap: a drawing reaches
 * the screen at the page's next frame (the shortest report-to-symbol
 * latency), and the page waits for the software rasteriser that long.
 * Cheap: under PAGE_MAX_WORK symbols (a trail segment costs SwiftShader
 * about a sixth of a symbol: 1 M segments 0.45 s, 50,000 symbols 0.13 s),
 * and drawings that took the page under PAGE_MAX_MS (fewer than
 * PAGE_SLOW_RUNS in a row over it). 5,000: at 10,000 tracks on a quiet
 * machine the worker gave 56 frames/s and a p99 of 0.5 s, the page 47-50
 * and 0.35 s; both within the second, the worker nearer the frame rate
 * (docs/console.md). */
const PAGE_MAX_WORK = 5000;
const PAGE_MAX_MS = 500;
const PAGE_SLOW_RUNS = 3;

export class Tracks {
  constructor() {
    this.listeners = new Set();
    this.drawnFns = new Set();
    this.trailsOn = true;
    this.labelsOn = true;
    this.stats = { events: 0, batches: 0, applied: 0 };
    this.n = 0;
    this.nSlots = 0;
    this.pts = new Float32Array(0);
    this.ox = 0;
    this.oy = 0;
    this.ids = new Float64Array(0); /* slot -> id (-1: free) */
    this.idSlot = new Map(); /* id -> slot */
    this.labels = []; /* slot -> label text */
    this.rawText = []; /* slot -> the event text holding its JSON */
    this.rawOff = new Int32Array(0);
    this.rawLen = new Int32Array(0);
    this.chgStamp = new Int32Array(0); /* slot -> the batch that last changed it */
    this.kin = new Float64Array(0); /* slot -> KIN kinematic members over its text (the lean form's moves; NaN: absent) */
    this.objs = []; /* slot -> parsed object (until it changes) */
    this.peerNames = [];
    this.t0 = null;
    this.nowMs = null;
    this.pictureMs = null;
    this.selId = null;
    this.asked = new Set(); /* ids whose texts the worker sends (beyond its TEXTS_ALL) */
    this.symbolScale = 1;
    this.gl = new GlTracks(CLASSES.map((c) => CLASS_COLOURS[c]), PEER_COLOURS, {
      segCap: SEG_CAP, onRestore: () => streamPost({ type: 'resync' }),
    });
    /* with a software rasteriser, once the page's own drawings cost it more
     * than PAGE_MAX_MS each (PAGE_SLOW_RUNS in a row), the stream worker
     * draws the tracks (stream/picture.js) */
    this.remote = null;
    this.remoteAsked = false;
    /* 'page': drawn here even so, 'worker': by the worker from the start (comparisons: bench/ui) */
    this.pictureMode = ['page', 'worker'].includes(globalThis.CAIRN_PICTURE) ? globalThis.CAIRN_PICTURE : 'auto';
    this.shownFns = new Set();
    this.pendTl = []; /* [batch, report times] not yet drawn (onShown, drawn here) */
    this.glLayer = new Layer({
      render: (fs) => {
        /* symbols grow with the zoom: small where thousands share the screen */
        const z = Math.log2(156543.03392804097 / fs.viewState.resolution);
        const size = (z < 5.5 ? 10 : z < 7 ? 12 : 16) * this.symbolScale;
        if (this.remote) return this.remote.render(fs, { trails: this.trailsOn, size, cls: this.gl.cls, peer: this.gl.peer });
        const c = this.gl.render(fs, {
          trails: this.trailsOn, trailS: TRAIL_S, size,
          nowS: this.nowMs == null ? 0 : (this.nowMs - this.t0) / 1000,
        });
        if (!this.remoteAsked && this.gl.software && this.gl.cacheMode === 'auto' && this.pictureMode !== 'page' &&
          typeof OffscreenCanvas === 'function' && (this.pictureMode === 'worker' || this.gl.slowRuns >= PAGE_SLOW_RUNS ||
            this.gl.nSlots + (this.trailsOn ? this.gl.segN / 6 : 0) > PAGE_MAX_WORK)) {
          this.remoteAsked = true;
          streamPost({ type: 'picture' });
        }
        for (const fn of this.drawnFns) fn(this.gl.drawnRev);
        if (this.pendTl.length) this.shownUpTo(this.gl.drawnRev);
        return c;
      },
      zIndex: 10,
    });
    this.glLayer.set('name', 'tracks');
    this.gl.requestRender = () => this.glLayer.changed();
    this.gl.slowMs = PAGE_MAX_MS;
    this.labelCanvas = document.createElement('canvas');
    this.labelCanvas.style.cssText = 'position:absolute;left:0;top:0;pointer-events:none;visibility:hidden;';
    this.labelLayer = new Layer({ render: (fs) => this.renderLabels(fs), zIndex: 13 });
    this.labelLayer.set('name', 'labels');
    events.on('tracks.batch', (m) => this.batch(m));
    events.on('tracks.picture-state', (m) => {
      if (!m.ok) {
        console.warn(`tracks drawn on the page: ${m.error}`);
        if (this.remote) { this.remote = null; this.gl.reclaim(); this.glLayer.changed(); } /* the worker sends everything again */
        return;
      }
      this.remote = new RemotePicture(streamPost);
      this.pendTl = [];
      this.gl.release();
      this.glLayer.changed();
    });
    events.on('tracks.picture', (m) => {
      if (!this.remote) { m.bitmap.close(); return; }
      this.remote.picture(m);
      for (const fn of this.drawnFns) fn(m.seq);
      for (const fn of this.shownFns) fn(m.sample);
    });
  }

  shownUpTo(rev) {
    const keep = [];
    for (const p of this.pendTl) {
      if (p[0] <= rev) for (const fn of this.shownFns) fn(p[1]);
      else keep.push(p);
    }
    this.pendTl = keep;
  }

  /** Called with report times (ms, their t_last_ms) when a drawing first shows them (bench: report to symbol). */
  onShown(fn) { this.shownFns.add(fn); return () => this.shownFns.delete(fn); }
  /** Where the tracks are drawn: 'worker' (stream/picture.js) or 'page'. */
  get drawnIn() { return this.remote ? 'worker' : 'page'; }

  get layers() { return [this.glLayer, this.labelLayer]; }

  /** Called after each batch with a Changed (has(id), size, newestMs). */
  onChange(fn) { this.listeners.add(fn); return () => this.listeners.delete(fn); }
  /** Called after each frame drawn, with the batch revision it showed (bench). */
  onDrawn(fn) { this.drawnFns.add(fn); return () => this.drawnFns.delete(fn); }
  get rev() { return this.gl.rev; }

  /** A track's object (the daemon's JSON), or null. Beyond the worker's
   * TEXTS_ALL tracks the page holds the texts of watched tracks only (the
   * selected one, those asked for): for another, a partial object from its
   * slot ({id, lon, lat, track_deg, partial: true}) and the worker is asked
   * for its text, here by the next batch. */
  get(id) {
    const s = this.idSlot.get(Number(id));
    return s === undefined ? null : this.obj(s);
  }

  obj(s) {
    let o = this.objs[s];
    if (o === undefined) {
      const b = this.rawText[s];
      if (!b) return this.partial(s);
      try {
        o = JSON.parse(b.slice(this.rawOff[s], this.rawOff[s] + this.rawLen[s]));
      } catch { o = null; }
      if (o && typeof o === 'object') this.overlay(o, s);
      this.objs[s] = o;
    }
    return o;
  }

  /* The worker's latest kinematic members over a track's last full text
   * (the lean form's move rows change only those). */
  overlay(o, s) {
    const k = this.kin;
    const i = s * KIN;
    if (i + KIN > k.length || Number.isNaN(k[i])) return;
    o.lat = k[i]; o.lon = k[i + 1];
    if (Number.isNaN(k[i + 2])) delete o.alt_ft; else o.alt_ft = k[i + 2];
    for (let j = 3; j < KIN; j++) if (!Number.isNaN(k[i + j])) o[KIN_KEYS[j]] = k[i + j];
  }

  partial(s) {
    const id = this.ids[s];
    if (!this.asked.has(id)) {
      this.asked.add(id);
      if (this.asked.size > 64) this.asked = new Set([id, this.selId]);
      streamPost({ type: 'watch', ids: [...this.asked].filter((x) => x != null), only: true });
    }
    const [lon, lat] = toLonLat([this.pts[s * 6] + this.ox, this.pts[s * 6 + 1] + this.oy]);
    const o = { id, lon, lat, track_deg: (this.pts[s * 6 + 3] * 180) / Math.PI, partial: true };
    this.overlay(o, s);
    return o;
  }

  count() { return this.n; }
  all() {
    const out = [];
    for (const s of this.idSlot.values()) { const o = this.obj(s); if (o) out.push(o); }
    return out;
  }

  /** [x, y] (EPSG:3857) of the tracks' slots, for framing the view. */
  positions() {
    const out = [];
    const p = this.pts;
    for (const s of this.idSlot.values()) out.push([p[s * 6] + this.ox, p[s * 6 + 1] + this.oy]);
    return out;
  }

  /** [lon, lat] of a track from the drawn slots (no parse), or null. */
  lonLat(id) {
    const s = this.idSlot.get(Number(id));
    if (s === undefined) return null;
    return toLonLat([this.pts[s * 6] + this.ox, this.pts[s * 6 + 1] + this.oy]);
  }

  setTrails(on) { this.trailsOn = on; this.glLayer.changed(); }
  setLabels(on) { this.labelsOn = on; this.labelLayer.changed(); }

  select(id) {
    this.selId = id == null ? null : Number(id);
    if (this.selId != null && !this.asked.has(this.selId)) {
      this.asked.add(this.selId);
      streamPost({ type: 'watch', ids: [...this.asked], only: true });
    }
    this.labelLayer.changed();
  }

  /** The benchmark's: trails at their full length behind every track (the worker makes them). */
  prefillTrails() { streamPost({ type: 'prefill' }); }
  /** (tests) the worker's picture loses its WebGL context, given back after restoreMs (< 0: never; the page then draws) */
  loseContext(restoreMs) { streamPost({ type: 'lose-context', restoreMs }); }

  grow(n) {
    if (n <= this.rawOff.length) return;
    let c = Math.max(1024, this.rawOff.length);
    while (c < n) c *= 2;
    for (const k of ['rawOff', 'rawLen', 'chgStamp']) {
      const a = new Int32Array(c);
      a.set(this[k]);
      this[k] = a;
    }
    const kin = new Float64Array(c * KIN).fill(NaN);
    kin.set(this.kin);
    this.kin = kin;
  }

  /** One batch from the worker (see post() in stream/worker.js). */
  batch(m) {
    const g = this.gl;
    this.stats.batches++;
    this.stats.events = m.events;
    this.stats.lean = !!m.lean;
    this.n = m.n;
    this.nSlots = m.nSlots;
    this.pts = m.pts;
    this.ox = m.origin[0];
    this.oy = m.origin[1];
    this.t0 = m.t0;
    this.nowMs = m.nowMs;
    if (m.pictureMs != null) this.pictureMs = m.pictureMs;
    this.grow(m.nSlots);
    if (m.peers) {
      this.peerNames = m.peers;
      /* the worker numbers the peers as it meets them; the colours are the console's (classify.js) */
      g.setPeerColours(m.peers.map((p) => { const i = peerIndex(p); return i < 0 ? null : rgb(PEER_COLOURS[i]); }));
    }
    if (m.ids) {
      this.ids = m.ids;
      this.idSlot.clear();
      for (let s = 0; s < m.ids.length; s++) {
        if (m.ids[s] >= 0) this.idSlot.set(m.ids[s], s);
        else { this.rawText[s] = undefined; this.objs[s] = undefined; this.labels[s] = undefined; this.kin[s * KIN] = NaN; }
      }
    }
    if (m.labSlots) for (let i = 0; i < m.labSlots.length; i++) this.labels[m.labSlots[i]] = m.labText[i];
    let size = 0;
    let newest = null;
    const stamp = this.stats.batches;
    if (m.chg) {
      const c = m.chg;
      size = c.length / 4;
      for (let k = 0; k < size; k++) {
        const s = c[4 * k];
        const ti = c[4 * k + 1];
        if (ti !== -2) { /* -2: the text it has, under new kinematics */
          this.rawText[s] = ti < 0 ? undefined : m.texts[ti];
          this.rawOff[s] = c[4 * k + 2];
          this.rawLen[s] = c[4 * k + 3];
        }
        if (m.kin) this.kin.set(m.kin.subarray(k * KIN, (k + 1) * KIN), s * KIN);
        this.chgStamp[s] = stamp;
        this.objs[s] = undefined;
        if (newest == null || m.tl[k] > newest) newest = m.tl[k];
      }
    }
    g.setPoints(m.pts, m.nSlots, this.ox, this.oy);
    if (m.segClear) g.clearSegments();
    if (m.segKill) g.killSegments(m.segKill);
    if (m.seg) for (const [first, data] of m.seg) g.addSegments(first, data);
    g.setSegmentCount(m.segN);
    g.rev = m.seq ?? g.rev + 1;
    if (!this.remote && this.shownFns.size && m.tl) {
      const rep = [];
      for (let i = 0, step = Math.max(1, Math.ceil(m.tl.length / 200)); i < m.tl.length; i += step) rep.push(m.tl[i]);
      this.pendTl.push([g.rev, rep]);
    }
    const del = m.del || null;
    if (del && this.selId != null && del.includes(this.selId)) this.select(null);
    this.stats.applied += size;
    this.lastBatch = m;
    this.glLayer.changed();
    this.labelLayer.changed();
    /* the credit back to the worker from the next frame: at most one batch a frame */
    requestAnimationFrame(() => streamPost({ type: 'ack' }));
    const changed = new Changed(this, stamp, del, size + (del ? del.length : 0), newest);
    for (const fn of this.listeners) {
      try { fn(changed); } catch (e) { console.error(e); }
    }
  }

  /** The track nearest a map coordinate within tolPx pixels at resolution res. */
  nearest(coord, res, tolPx = 12) {
    const s = this.nearestSlot(coord, res, tolPx);
    return s < 0 ? null : this.obj(s);
  }

  /** Its slot (-1: none). */
  nearestSlot(coord, res, tolPx = 12) {
    let best = -1;
    let bd = tolPx * res;
    bd *= bd;
    const p = this.pts;
    const cx = coord[0] - this.ox;
    const cy = coord[1] - this.oy;
    for (let s = 0; s < this.nSlots; s++) {
      if (p[s * 6 + 5] < 0.5) continue;
      const dx = p[s * 6] - cx;
      const dy = p[s * 6 + 1] - cy;
      const d = dx * dx + dy * dy;
      if (d <= bd) { bd = d; best = s; }
    }
    return best;
  }

  renderLabels(fs) {
    const c = this.labelCanvas;
    const pr = fs.pixelRatio;
    const w = Math.round(fs.size[0] * pr);
    const h = Math.round(fs.size[1] * pr);
    if (c.width !== w || c.height !== h) {
      c.width = w; c.height = h;
      c.style.width = `${fs.size[0]}px`; c.style.height = `${fs.size[1]}px`;
      this.labelsBlank = true;
    }
    const g = c.getContext('2d');
    const T = fs.coordinateToPixelTransform;
    const zoom = Math.log2(156543.03392804097 / fs.viewState.resolution);
    const selSlot = this.selId == null ? undefined : this.idSlot.get(this.selId);
    const want = (this.labelsOn && zoom >= LABEL_ZOOM) || selSlot !== undefined;
    /* an unchanged empty canvas is not sent to the compositor again, nor
     * drawn by it (hidden: the software compositor draws every layer's quad) */
    if (!want && this.labelsBlank) return c;
    g.setTransform(pr, 0, 0, pr, 0, 0);
    g.clearRect(0, 0, fs.size[0], fs.size[1]);
    this.labelsBlank = !want;
    c.style.visibility = want ? '' : 'hidden';
    const P = this.pts;
    const p = p0;
    if (this.labelsOn && zoom >= LABEL_ZOOM) {
      g.font = '11px system-ui, "DejaVu Sans", sans-serif';
      g.textBaseline = 'middle';
      g.lineWidth = 3;
      g.strokeStyle = '#0b0f14';
      const taken = new Set();
      const W = fs.size[0], H = fs.size[1];
      let drawn = 0;
      for (let s = 0; s < this.nSlots; s++) {
        if (P[s * 6 + 5] < 0.5) continue;
        p[0] = P[s * 6] + this.ox; p[1] = P[s * 6 + 1] + this.oy;
        applyTransform(T, p);
        if (p[0] < -50 || p[1] < -20 || p[0] > W + 10 || p[1] > H + 20) continue;
        const cell = Math.floor(p[0] / 80) * 4096 + Math.floor(p[1] / 28);
        if (taken.has(cell) && s !== selSlot) continue;
        taken.add(cell);
        const [l1, l2] = (this.labels[s] || '').split('\n');
        g.fillStyle = P[s * 6 + 2] === NOXPDR ? '#ff8080' : '#e8eef4';
        g.strokeText(l1, p[0] + 12, p[1] - 6);
        g.fillText(l1, p[0] + 12, p[1] - 6);
        if (l2) { g.strokeText(l2, p[0] + 12, p[1] + 7); g.fillText(l2, p[0] + 12, p[1] + 7); }
        if (++drawn >= 600) break;
      }
    }
    if (selSlot !== undefined) {
      p[0] = P[selSlot * 6] + this.ox; p[1] = P[selSlot * 6 + 1] + this.oy;
      applyTransform(T, p);
      g.strokeStyle = '#ffffff';
      g.lineWidth = 2;
      g.beginPath();
      g.arc(p[0], p[1], 15, 0, Math.PI * 2);
      g.stroke();
    }
    return c;
  }
}
const p0 = [0, 0];
