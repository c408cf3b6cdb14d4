// The live tracks on the map.
//
// One initial GET /api/tracks, then SSE "track" events (one track each);
// nothing polls the whole picture. Events are coalesced: they land in
// `pending` and are applied at most every FLUSH_MS, so a burst of 50,000
// updates changes the sources once, not 50,000 times per frame.
//
// Symbols and trails are WebGL layers (ol/layer/WebGLVector): the GPU draws
// them, and the main thread's work per update is a coordinate change. A
// trail keeps at most TRAIL_MAX points, one per TRAIL_STEP_MS of the track's
// own time (so a trail is at most TRAIL_MAX x TRAIL_STEP_MS long) — a long
// trail costs vertices on the GPU, not JavaScript per frame.
// Labels (callsign or code, altitude) are a small canvas layer shown from
// LABEL_ZOOM on, where only the tracks in view are drawn.
import Feature from 'ol/Feature.js';
import Point from 'ol/geom/Point.js';
import LineString from 'ol/geom/LineString.js';
import VectorSource from 'ol/source/Vector.js';
import VectorLayer from 'ol/layer/Vector.js';
import WebGLVectorLayer from 'ol/layer/WebGLVector.js';
import { Style, Text, Fill, Stroke, Circle as CircleStyle } from 'ol/style.js';
import { fromLonLat } from 'ol/proj.js';
import { classOf, peerOf, peerIndex, labelOf, CLASS_COLOURS, PEER_COLOURS } from './classify.js';

export const FLUSH_MS = 100;
export const TRAIL_MAX = 120;
export const TRAIL_STEP_MS = 5000;
export const LABEL_ZOOM = 7;
const STALE_MS = 5 * 60 * 1000;

const hex2rgba = (h, a) => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16), a];

function peerMatch(fallback, alpha) {
  const m = ['match', ['get', 'pidx']];
  PEER_COLOURS.forEach((c, i) => m.push(i, alpha == null ? c : hex2rgba(c, alpha)));
  m.push(fallback);
  return m;
}

function pointStyle() {
  const stroke = peerMatch('#0b0f14');
  const strokeW = ['case', ['>=', ['get', 'pidx'], 0], 3, 1.2];
  const rot = ['*', ['get', 'hdg'], Math.PI / 180];
  return [
    {
      filter: ['==', ['get', 'cls'], 'vessel'],
      style: { 'circle-radius': 5, 'circle-fill-color': CLASS_COLOURS.vessel,
        'circle-stroke-color': stroke, 'circle-stroke-width': strokeW },
    },
    {
      filter: ['==', ['get', 'cls'], 'military'],
      style: { 'shape-points': 4, 'shape-radius': 8, 'shape-angle': 0,
        'shape-fill-color': CLASS_COLOURS.military, 'shape-stroke-color': stroke,
        'shape-stroke-width': strokeW },
    },
    {
      filter: ['==', ['get', 'cls'], 'noxpdr'],
      style: { 'shape-points': 4, 'shape-radius': 10, 'shape-angle': Math.PI / 4,
        'shape-fill-color': CLASS_COLOURS.noxpdr,
        'shape-stroke-color': peerMatch('#ffffff'), 'shape-stroke-width': ['case', ['>=', ['get', 'pidx'], 0], 3, 2] },
    },
    {
      else: true,
      style: { 'shape-points': 3, 'shape-radius': 8, 'shape-angle': 0,
        'shape-rotation': rot, 'shape-rotate-with-view': true,
        'shape-fill-color': CLASS_COLOURS.civil, 'shape-stroke-color': stroke,
        'shape-stroke-width': strokeW },
    },
  ];
}

function trailStyle() {
  const own = ['match', ['get', 'cls'],
    'noxpdr', hex2rgba(CLASS_COLOURS.noxpdr, 0.8),
    'military', hex2rgba(CLASS_COLOURS.military, 0.6),
    'vessel', hex2rgba(CLASS_COLOURS.vessel, 0.5),
    hex2rgba(CLASS_COLOURS.civil, 0.5)];
  return { 'stroke-color': peerMatch(own, 0.6), 'stroke-width': 1.5 };
}

const labelFill = new Fill({ color: '#e8eef4' });
const labelStroke = new Stroke({ color: '#0b0f14', width: 3 });
function labelStyleFn(feature) {
  const rec = feature.get('rec');
  if (!rec) return null;
  return new Style({
    text: new Text({
      text: labelOf(rec.t), font: '11px system-ui, sans-serif', textAlign: 'left',
      offsetX: 12, offsetY: 0, fill: labelFill, stroke: labelStroke, overflow: true,
    }),
  });
}

const selStyle = new Style({
  image: new CircleStyle({ radius: 15, stroke: new Stroke({ color: '#ffffff', width: 2 }) }),
});

export class Tracks {
  constructor() {
    this.recs = new Map(); /* id -> {t, f, tf, ring, n, head, lastTrailMs, seenMs} */
    this.pending = new Map();
    this.timer = 0;
    this.listeners = new Set();
    this.trailsOn = true;
    this.stats = { events: 0, flushes: 0, lastFlushMs: 0, applied: 0 };
    this.points = new VectorSource();
    this.trails = new VectorSource({ useSpatialIndex: false });
    this.sel = new VectorSource({ useSpatialIndex: false });
    this.selId = null;
    this.trailLayer = new WebGLVectorLayer({
      source: this.trails, style: trailStyle(), disableHitDetection: true, zIndex: 10,
    });
    this.pointLayer = new WebGLVectorLayer({
      source: this.points, style: pointStyle(), disableHitDetection: true, zIndex: 12,
    });
    this.labelLayer = new VectorLayer({
      source: this.points, style: labelStyleFn, declutter: true, minZoom: LABEL_ZOOM, zIndex: 13,
      updateWhileInteracting: false, updateWhileAnimating: false,
    });
    this.selLayer = new VectorLayer({ source: this.sel, style: selStyle, zIndex: 14 });
    this.trailLayer.set('name', 'trails');
    this.pointLayer.set('name', 'tracks');
    this.labelLayer.set('name', 'labels');
  }

  get layers() { return [this.trailLayer, this.pointLayer, this.labelLayer, this.selLayer]; }

  /** Called after each flush with the set of ids changed. */
  onChange(fn) { this.listeners.add(fn); return () => this.listeners.delete(fn); }

  get(id) { const r = this.recs.get(Number(id)); return r ? r.t : null; }
  count() { return this.recs.size; }
  all() { return [...this.recs.values()].map((r) => r.t); }

  /** The whole list (login, reconnect): replaces everything. */
  reset(list) {
    this.pending.clear();
    this.points.clear(true);
    this.trails.clear(true);
    this.recs.clear();
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

  setTrails(on) {
    this.trailsOn = on;
    this.trailLayer.setVisible(on);
  }

  select(id) {
    this.selId = id == null ? null : Number(id);
    this.sel.clear(true);
    const r = this.selId == null ? null : this.recs.get(this.selId);
    if (r) this.sel.addFeature(new Feature(new Point(r.f.getGeometry().getCoordinates())));
    else this.sel.changed();
  }

  flush() {
    clearTimeout(this.timer);
    this.timer = 0;
    if (!this.pending.size) return;
    const now = Date.now();
    const addP = [];
    const addT = [];
    const changed = new Set();
    for (const [id, t] of this.pending) {
      changed.add(id);
      let r = this.recs.get(id);
      if (t.status === 'deleted' || t.lat == null || t.lon == null) {
        if (r) this.remove(r);
        continue;
      }
      const xy = fromLonLat([t.lon, t.lat]);
      const cls = classOf(t);
      const peer = peerOf(t);
      const pidx = peerIndex(peer);
      if (!r) {
        const f = new Feature({ geometry: new Point(xy), cls, peer, pidx, hdg: t.track_deg || 0 });
        f.setId(id);
        r = { t, f, tf: null, ring: new Float64Array(TRAIL_MAX * 2), n: 0, head: 0, lastTrailMs: -Infinity, seenMs: now };
        f.set('rec', r, true);
        this.recs.set(id, r);
        addP.push(f);
      } else {
        r.f.getGeometry().setCoordinates(xy, 'XY');
        if (r.f.get('cls') !== cls || r.f.get('pidx') !== pidx || r.f.get('hdg') !== (t.track_deg || 0))
          r.f.setProperties({ cls, peer, pidx, hdg: t.track_deg || 0 });
      }
      r.t = t;
      r.seenMs = now;
      const tms = t.t_last_ms ?? now;
      if (tms - r.lastTrailMs >= TRAIL_STEP_MS) {
        r.lastTrailMs = tms;
        r.ring[r.head * 2] = xy[0];
        r.ring[r.head * 2 + 1] = xy[1];
        r.head = (r.head + 1) % TRAIL_MAX;
        if (r.n < TRAIL_MAX) r.n++;
        if (r.n >= 2) {
          const g = new LineString(this.trailFlat(r), 'XY');
          if (!r.tf) {
            r.tf = new Feature({ geometry: g, cls, pidx });
            addT.push(r.tf);
          } else {
            r.tf.setGeometry(g);
            if (r.tf.get('cls') !== cls || r.tf.get('pidx') !== pidx) r.tf.setProperties({ cls, pidx });
          }
        }
      }
      if (id === this.selId) this.select(id);
    }
    this.pending.clear();
    if (addP.length) this.points.addFeatures(addP);
    if (addT.length) this.trails.addFeatures(addT);
    this.stats.flushes++;
    this.stats.applied += changed.size;
    this.stats.lastFlushMs = now;
    for (const fn of this.listeners) {
      try { fn(changed); } catch (e) { console.error(e); }
    }
  }

  /** The trail's points, oldest first. */
  trailFlat(r) {
    const out = new Array(r.n * 2);
    const start = (r.head - r.n + TRAIL_MAX) % TRAIL_MAX;
    for (let i = 0; i < r.n; i++) {
      const k = ((start + i) % TRAIL_MAX) * 2;
      out[i * 2] = r.ring[k];
      out[i * 2 + 1] = r.ring[k + 1];
    }
    return out;
  }

  remove(r) {
    this.recs.delete(r.t.id);
    this.points.removeFeature(r.f);
    if (r.tf) this.trails.removeFeature(r.tf);
    if (r.t.id === this.selId) this.select(null);
  }

  /** The benchmark's: a full-length trail behind every track (straight
   * back along its heading), as after TRAIL_MAX x TRAIL_STEP_MS of flight. */
  prefillTrails() {
    const add = [];
    for (const r of this.recs.values()) {
      const [x, y] = r.f.getGeometry().getCoordinates();
      const a = ((r.t.track_deg || 0) * Math.PI) / 180;
      const step = ((r.t.gs_kt || 300) * 1852 * TRAIL_STEP_MS) / 3600000 / Math.cos((r.t.lat * Math.PI) / 180);
      for (let i = 0; i < TRAIL_MAX; i++) {
        const k = TRAIL_MAX - 1 - i;
        r.ring[i * 2] = x - Math.sin(a) * step * k;
        r.ring[i * 2 + 1] = y - Math.cos(a) * step * k;
      }
      r.n = TRAIL_MAX;
      r.head = 0;
      r.lastTrailMs = r.t.t_last_ms ?? Date.now();
      const g = new LineString(this.trailFlat(r), 'XY');
      if (!r.tf) {
        r.tf = new Feature({ geometry: g, cls: r.f.get('cls'), pidx: r.f.get('pidx') });
        add.push(r.tf);
      } else r.tf.setGeometry(g);
    }
    if (add.length) this.trails.addFeatures(add);
  }

  /** Tracks not heard of for STALE_MS (a missed deletion): dropped. */
  sweep() {
    const old = Date.now() - STALE_MS;
    for (const r of [...this.recs.values()]) if (r.seenMs < old) this.remove(r);
  }

  /** The track nearest a map coordinate within tolPx pixels at resolution res. */
  nearest(coord, res, tolPx = 12) {
    const f = this.points.getClosestFeatureToCoordinate(coord);
    if (!f) return null;
    const c = f.getGeometry().getCoordinates();
    const d = Math.hypot(c[0] - coord[0], c[1] - coord[1]) / res;
    return d <= tolPx ? f.get('rec').t : null;
  }
}
