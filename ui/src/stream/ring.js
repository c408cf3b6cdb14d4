// A ring of trail segments in time order (stream/worker.js): each segment
// is two vertices of (x, y, t, colour) — 8 floats, as the GPU draws them
// (map/gl.js) —, the oldest overwritten first. It remembers, for each of
// its readers (the page's GPU layer, the worker's own picture), what
// changed since that reader last took it: a run of new segments, the
// segments dropped (a removed track's), or everything (cleared).
export const SEG_FLOATS = 8;

export class Ring {
  constructor(cap, readers = ['page']) {
    this.cap = cap;
    this.seg = new Float32Array(cap * SEG_FLOATS);
    this.owner = new Float64Array(cap).fill(-1);
    this.head = 0;
    this.n = 0; /* segments in use (the ring is drawn [0, n)) */
    this.rd = {};
    for (const name of readers) this.rd[name] = { start: 0, n: 0, kill: [], clear: true, on: true };
    this.rdList = Object.values(this.rd); /* (add runs for every trail point: no for-in there) */
  }

  /** A segment of track id from (x0, y0) to (x1, y1) at time tS (s), colour col: its index. */
  add(x0, y0, x1, y1, tS, col, id) {
    const i = this.head;
    const o = i * SEG_FLOATS;
    const s = this.seg;
    s[o] = x0; s[o + 1] = y0; s[o + 2] = tS; s[o + 3] = col;
    s[o + 4] = x1; s[o + 5] = y1; s[o + 6] = tS; s[o + 7] = col;
    this.owner[i] = id;
    for (const r of this.rdList) {
      if (!r.on || r.clear) continue;
      if (r.n === 0) r.start = i;
      if (r.n < this.cap) r.n++;
    }
    this.head = (i + 1) % this.cap;
    if (this.n < this.cap) this.n++;
    return i;
  }

  /** Drops segment i if track id still owns it. */
  drop(i, id) {
    if (this.owner[i] !== id) return;
    this.owner[i] = -1;
    this.seg[i * SEG_FLOATS + 3] = -1;
    this.seg[i * SEG_FLOATS + 7] = -1;
    for (const r of this.rdList) if (r.on && !r.clear) r.kill.push(i);
  }

  clear() {
    this.seg.fill(0);
    this.owner.fill(-1);
    this.head = 0;
    this.n = 0;
    for (const k in this.rd) this.markAll(k);
  }

  /** Reader k takes everything again at its next take(). */
  markAll(k) { const r = this.rd[k]; r.clear = true; r.n = 0; r.kill = []; }

  /** Reader k stops (false: nothing is kept for it) or starts (true: all at its next take) following. */
  follow(k, on) { this.rd[k].on = on; this.markAll(k); }

  dirty(k) { const r = this.rd[k]; return r.on && (r.clear || r.n > 0 || r.kill.length > 0); }

  /** What changed for reader k since its last take: {clear, runs: [[first, Float32Array view or copy]], kill}. copy: slices (to transfer). */
  take(k, copy) {
    const r = this.rd[k];
    const out = { clear: r.clear, runs: [], kill: r.kill };
    let start = r.start;
    let n = r.n;
    if (r.clear) { start = 0; n = this.n; out.kill = []; }
    if (n) {
      const first = Math.min(n, this.cap - start);
      const part = (a, b) => (copy ? this.seg.slice(a * SEG_FLOATS, b * SEG_FLOATS) : this.seg.subarray(a * SEG_FLOATS, b * SEG_FLOATS));
      out.runs.push([start, part(start, start + first)]);
      if (n > first) out.runs.push([0, part(0, n - first)]);
    }
    r.clear = false;
    r.n = 0;
    r.kill = [];
    return out;
  }
}
