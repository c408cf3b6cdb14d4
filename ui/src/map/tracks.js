// The live tracks on the map.
//
// One initial GET /api/tracks, then SSE "track" events (one track each);
// nothing polls the whole picture. Events are coalesced: they land in
// `pending` and are applied at most every FLUSH_MS; applying one writes its
// slot in the GPU layer (gl.js) — no ol Feature per track, no rebuild of the
// others. Each track has a slot; a deleted one frees it.
//
// Trails: a point every TRAIL_STEP_MS of the track's own time becomes a
// segment in gl.js's ring; the shader shows TRAIL_S seconds of them, fading.
// The ring holds SEG_CAP segments (the newest win): 10 minutes for up to
// ~8,700 tracks, proportionally less beyond.
// Labels (callsign or code, altitude) and the selection ring are a 2D
// canvas drawn from LABEL_ZOOM on, for the tracks in view, decluttered on a
// coarse grid.
import Layer from 'ol/layer/Layer.js';
import { fromLonLat } from 'ol/proj.js';
import { apply as applyTransform } from 'ol/transform.js';
import { classOf, peerOf, peerIndex, labelOf, CLASS_COLOURS, PEER_COLOURS, CLASSES } from './classify.js';
import { GlTracks } from './gl.js';

export const FLUSH_MS = 100;
export const TRAIL_STEP_MS = 5000;
export const TRAIL_S = 600;
export const TRAIL_MAX = TRAIL_S * 1000 / TRAIL_STEP_MS;
export const SEG_CAP = 1 << 20;
export const LABEL_ZOOM = 7;
const STALE_MS = 5 * 60 * 1000;
const CLS_INDEX = Object.fromEntries(CLASSES.map((c, i) => [c, i]));

export class Tracks {
  constructor() {
    this.recs = new Map(); /* id -> {t, slot, x, y, cls, pidx, lx, ly, lt, segs, segN, seenMs} */
    this.pending = new Map();
    this.timer = 0;
    this.listeners = new Set();
    this.drawnFns = new Set();
    this.trailsOn = true;
    this.labelsOn = true;
    this.stats = { events: 0, flushes: 0, lastFlushMs: 0, applied: 0 };
    this.free = [];
    this.nextSlot = 0;
    this.bySlot = [];
    this.t0 = null; /* ms: the trails' time origin */
    this.nowMs = null; /* the newest track time seen */
    this.segOwner = new Int32Array(SEG_CAP).fill(-1);
    this.segPatch = [];
    this.selId = null;
    this.gl = new GlTracks(CLASSES.map((c) => CLASS_COLOURS[c]), PEER_COLOURS, { segCap: SEG_CAP });
    this.glLayer = new Layer({
      render: (fs) => {
        this.patchSegments();
        /* symbols grow with the zoom: small where thousands share the screen */
        const z = Math.log2(156543.03392804097 / fs.viewState.resolution);
        const c = this.gl.render(fs, {
          trails: this.trailsOn, trailS: TRAIL_S, size: z < 5.5 ? 10 : z < 7 ? 12 : 16,
          nowS: this.nowMs == null ? 0 : (this.nowMs - this.t0) / 1000,
        });
        for (const fn of this.drawnFns) fn(this.gl.drawnRev);
        return c;
      },
      zIndex: 10,
    });
    this.glLayer.set('name', 'tracks');
    this.labelCanvas = document.createElement('canvas');
    this.labelCanvas.style.cssText = 'position:absolute;left:0;top:0;pointer-events:none;';
    this.labelLayer = new Layer({ render: (fs) => this.renderLabels(fs), zIndex: 13 });
    this.labelLayer.set('name', 'labels');
  }

  get layers() { return [this.glLayer, this.labelLayer]; }

  /** Called after each flush with the set of ids changed. */
  onChange(fn) { this.listeners.add(fn); return () => this.listeners.delete(fn); }
  /** Called after each frame drawn, with the batch revision it showed (bench). */
  onDrawn(fn) { this.drawnFns.add(fn); return () => this.drawnFns.delete(fn); }
  get rev() { return this.gl.rev; }

  get(id) { const r = this.recs.get(Number(id)); return r ? r.t : null; }
  count() { return this.recs.size; }
  all() { return [...this.recs.values()].map((r) => r.t); }

  /** The whole list (login, reconnect): replaces everything. */
  reset(list) {
    this.pending.clear();
    for (const r of [...this.recs.values()]) this.remove(r, false);
    for (const t of list) this.pending.set(t.id, t);
    this.flush();
  }

  /** One SSE track event. */
  update(t) {
    if (!t || t.id == null) return;
    this.stats.events++;
    this.pending.set(t.id, t);
    if (!this.timer) this.timer = setTimeout(() => this.flush(), FLUSH_MS);
  }

  setTrails(on) { this.trailsOn = on; this.glLayer.changed(); }
  setLabels(on) { this.labelsOn = on; this.labelLayer.changed(); }

  select(id) {
    this.selId = id == null ? null : Number(id);
    this.labelLayer.changed();
  }

  flush() {
    clearTimeout(this.timer);
    this.timer = 0;
    if (!this.pending.size) return;
    const now = Date.now();
    const changed = new Set();
    const gl = this.gl;
    for (const [id, t] of this.pending) {
      changed.add(id);
      let r = this.recs.get(id);
      if (t.status === 'deleted' || t.lat == null || t.lon == null) {
        if (r) this.remove(r, true);
        continue;
      }
      const [x, y] = fromLonLat([t.lon, t.lat]);
      gl.origin(x, y);
      const cls = classOf(t);
      const pidx = peerIndex(peerOf(t));
      const tms = t.t_last_ms ?? now;
      if (this.t0 == null) this.t0 = tms - TRAIL_S * 1000;
      if (this.nowMs == null || tms > this.nowMs) this.nowMs = tms;
      if (!r) {
        const slot = this.free.length ? this.free.pop() : this.nextSlot++;
        r = { t, slot, x, y, cls, pidx, lx: x, ly: y, lt: tms, segs: null, segN: 0, seenMs: now };
        this.recs.set(id, r);
        this.bySlot[slot] = r;
      } else if (tms - r.lt >= TRAIL_STEP_MS) {
        this.trailTo(r, x, y, tms, cls, pidx);
      }
      r.t = t; r.x = x; r.y = y; r.cls = cls; r.pidx = pidx; r.seenMs = now;
      gl.setSlot(r.slot, x, y, CLS_INDEX[cls], ((t.track_deg || 0) * Math.PI) / 180, pidx, true);
    }
    this.pending.clear();
    gl.rev++;
    this.glLayer.changed();
    this.labelLayer.changed();
    this.stats.flushes++;
    this.stats.applied += changed.size;
    this.stats.lastFlushMs = now;
    for (const fn of this.listeners) {
      try { fn(changed); } catch (e) { console.error(e); }
    }
  }

  trailTo(r, x, y, tms, cls, pidx) {
    const col = pidx >= 0 ? 4 + pidx : CLS_INDEX[cls];
    const seg = this.gl.segHead;
    this.gl.addSegment(r.lx, r.ly, x, y, (tms - this.t0) / 1000, col);
    this.segOwner[seg] = r.t.id;
    if (!r.segs) r.segs = new Int32Array(TRAIL_MAX);
    r.segs[r.segN % TRAIL_MAX] = seg;
    r.segN++;
    r.lx = x; r.ly = y; r.lt = tms;
  }

  remove(r, fadeTrail) {
    this.recs.delete(r.t.id);
    this.gl.hideSlot(r.slot);
    this.bySlot[r.slot] = undefined;
    this.free.push(r.slot);
    /* its trail goes with it */
    if (r.segs) {
      const n = Math.min(r.segN, TRAIL_MAX);
      for (let i = 0; i < n; i++) {
        const s = r.segs[i];
        if (this.segOwner[s] === r.t.id) { this.segOwner[s] = -1; this.segPatch.push(s); }
      }
    }
    if (r.t.id === this.selId) this.select(null);
    void fadeTrail;
  }

  /** Removed tracks' segments: colour -1 (the shader drops them), uploaded one by one. */
  patchSegments() {
    if (!this.segPatch.length) return;
    const g = this.gl;
    const big = this.segPatch.length > 4096;
    for (const s of this.segPatch) {
      g.seg[s * 8 + 3] = -1;
      g.seg[s * 8 + 7] = -1;
    }
    if (big) { g.segDirtyStart = 0; g.segDirtyN = g.segCap; }
    else if (g.gl) {
      const gl = g.gl;
      gl.bindBuffer(gl.ARRAY_BUFFER, g.tBuf);
      for (const s of this.segPatch) gl.bufferSubData(gl.ARRAY_BUFFER, s * 32, g.seg, s * 8, 8);
    }
    this.segPatch = [];
  }

  /** The benchmark's: a full-length trail behind every track (straight
   * back along its heading), as after TRAIL_S of flight. */
  prefillTrails() {
    for (const r of this.recs.values()) {
      const a = ((r.t.track_deg || 0) * Math.PI) / 180;
      const step = ((r.t.gs_kt || 300) * 1852 * TRAIL_STEP_MS) / 3600000 / Math.cos((r.t.lat * Math.PI) / 180);
      const tEnd = r.t.t_last_ms ?? Date.now();
      const x1 = r.x, y1 = r.y;
      r.lx = x1 - Math.sin(a) * step * TRAIL_MAX;
      r.ly = y1 - Math.cos(a) * step * TRAIL_MAX;
      r.lt = tEnd - TRAIL_S * 1000;
      for (let k = TRAIL_MAX - 1; k >= 0; k--)
        this.trailTo(r, x1 - Math.sin(a) * step * k, y1 - Math.cos(a) * step * k, tEnd - k * TRAIL_STEP_MS, r.cls, r.pidx);
    }
    this.glLayer.changed();
  }

  /** Tracks not heard of for STALE_MS (a missed deletion): dropped. */
  sweep() {
    const old = Date.now() - STALE_MS;
    let n = 0;
    for (const r of [...this.recs.values()]) if (r.seenMs < old) { this.remove(r, true); n++; }
    if (n) this.glLayer.changed();
  }

  /** The track nearest a map coordinate within tolPx pixels at resolution res. */
  nearest(coord, res, tolPx = 12) {
    let best = null;
    let bd = tolPx * res;
    bd *= bd;
    for (const r of this.recs.values()) {
      const dx = r.x - coord[0];
      const dy = r.y - coord[1];
      const d = dx * dx + dy * dy;
      if (d <= bd) { bd = d; best = r; }
    }
    return best ? best.t : null;
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
    const want = (this.labelsOn && zoom >= LABEL_ZOOM) || (this.selId != null && this.recs.has(this.selId));
    /* an unchanged empty canvas is not sent to the compositor again */
    if (!want && this.labelsBlank) return c;
    g.setTransform(pr, 0, 0, pr, 0, 0);
    g.clearRect(0, 0, fs.size[0], fs.size[1]);
    this.labelsBlank = !want;
    if (this.labelsOn && zoom >= LABEL_ZOOM) {
      g.font = '11px system-ui, "DejaVu Sans", sans-serif';
      g.textBaseline = 'middle';
      g.lineWidth = 3;
      g.strokeStyle = '#0b0f14';
      const taken = new Set();
      const W = fs.size[0], H = fs.size[1];
      let drawn = 0;
      const p = [0, 0];
      for (const r of this.recs.values()) {
        p[0] = r.x; p[1] = r.y;
        applyTransform(T, p);
        if (p[0] < -50 || p[1] < -20 || p[0] > W + 10 || p[1] > H + 20) continue;
        const cell = `${Math.floor(p[0] / 80)}:${Math.floor(p[1] / 28)}`;
        if (taken.has(cell) && r.t.id !== this.selId) continue;
        taken.add(cell);
        const [l1, l2] = labelOf(r.t).split('\n');
        g.fillStyle = r.cls === 'noxpdr' ? '#ff8080' : '#e8eef4';
        g.strokeText(l1, p[0] + 12, p[1] - 6);
        g.fillText(l1, p[0] + 12, p[1] - 6);
        if (l2) { g.strokeText(l2, p[0] + 12, p[1] + 7); g.fillText(l2, p[0] + 12, p[1] + 7); }
        if (++drawn >= 600) break;
      }
    }
    const sel = this.selId == null ? null : this.recs.get(this.selId);
    if (sel) {
      p0[0] = sel.x; p0[1] = sel.y;
      applyTransform(T, p0);
      g.strokeStyle = '#ffffff';
      g.lineWidth = 2;
      g.beginPath();
      g.arc(p0[0], p0[1], 15, 0, Math.PI * 2);
      g.stroke();
    }
    return c;
  }
}
const p0 = [0, 0];
