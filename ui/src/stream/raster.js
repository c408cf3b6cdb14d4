// The symbols of the stream worker's picture rasterised in JavaScript, on
// the worker's own thread, into a pixel buffer (RGBA, not premultiplied,
// row 0 at the top) — for a machine without a GPU, where WebGL is a
// software rasteriser in the GPU process (SwiftShader) anyway.
//
// Why: there 50,000 gl.POINTS cost SwiftShader 0.15-0.25 s a picture (its
// per-primitive work: symbols drawn 0.75 times as large gained nothing),
// plus clearing, compositing and reading back the picture, and a report
// waited for all of it in the GPU process's queue behind the trails. Here
// a symbol is a sprite made once per size, colour and heading (5 degree
// steps) with the fragment shader's own arithmetic (map/gl.js FS_POINTS:
// up to four half-planes and a disc, evaluated at each pixel's centre),
// copied at the pixel nearest to its centre (opaque pixels only): about 60
// pixel writes a symbol. The trails stay WebGL's (a picture of their own,
// read back and warped here under the symbols: warp()).

export const HEADINGS = 72; /* sprite headings: 5 degree steps */
const TWO_PI = 2 * Math.PI;

/* a colour (r, g, b in 0..1) as an opaque little-endian RGBA word */
const word = (r, g, b) => ((255 << 24) | (Math.round(b * 255) << 16) | (Math.round(g * 255) << 8) | Math.round(r * 255)) >>> 0;

/* the half-plane n.p + c >= 0 of the edge a -> b, for a symbol turned by
 * the heading (cosine, sine): as edge() in map/gl.js's VS_POINTS */
function edge(a, b, c, s) {
  let nx = a[1] - b[1];
  let ny = b[0] - a[0];
  const l = Math.hypot(nx, ny);
  nx /= l;
  ny /= l;
  const k = -(nx * a[0] + ny * a[1]);
  return [c * nx + s * ny, -s * nx + c * ny, k];
}

/** One symbol's pixels: class cls (0 civil triangle, 1 military diamond, 2
 * no transponder square, 3 vessel disc), heading h (rad, the view's
 * rotation included; the triangle only), fill and line colours (words),
 * peer (its outline thick), point size S (device pixels). Returns {n
 * (the box's side), dx, dy (Int16Array: pixel from the box's top left),
 * col (Uint32Array)}; the box's centre is (n / 2, n / 2). */
export function sprite(cls, h, fill, line, peer, S) {
  const size = S * (cls === 2 ? 1.35 : 1);
  const k = peer ? 0.55 : cls === 2 ? 0.72 : 0.78;
  const E = [];
  let disc = 9;
  let inr;
  if (cls === 0) {
    const c = Math.cos(h);
    const s = Math.sin(h);
    const a = [0, 0.95];
    const b = [-0.7, -0.75];
    const d = [0.7, -0.75];
    E.push(edge(a, b, c, s), edge(b, d, c, s), edge(d, a, c, s));
    inr = 0.47;
  } else if (cls === 1) {
    const r = 0.9 * 0.70710678;
    const q = 0.70710678;
    E.push([q, q, r], [-q, q, r], [q, -q, r], [-q, -q, r]);
    inr = r;
  } else if (cls === 2) {
    E.push([1, 0, 0.78], [-1, 0, 0.78], [0, 1, 0.78], [0, -1, 0.78]);
    inr = 0.78;
  } else {
    disc = 0.62;
    inr = 0.62;
  }
  const band = (1 - k) * inr;
  const n = Math.ceil(size) + 2;
  const c0 = n / 2;
  const half = size / 2;
  const dx = [];
  const dy = [];
  const col = [];
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      const px = (i + 0.5 - c0) / half;
      const py = -(j + 0.5 - c0) / half;
      if (px < -1 || px > 1 || py < -1 || py > 1) continue; /* outside the point's square */
      let d = disc - Math.hypot(px, py);
      for (const e of E) d = Math.min(d, e[0] * px + e[1] * py + e[2]);
      if (d < 0) continue;
      dx.push(i);
      dy.push(j);
      col.push(d >= band ? fill : line);
    }
  }
  return { n, dx: Int16Array.from(dx), dy: Int16Array.from(dy), col: Uint32Array.from(col) };
}

/** The sprites of every class, colour and heading for one view: size S
 * (device pixels), the view's rotation rot, cls (12 floats: 4 classes'
 * rgb), peer (18 floats: 6 peers' rgb); made again when the size or a
 * colour changes (a zoom's size step, the pixel ratio). get(cls, heading,
 * peer) is the one to draw. */
export class Sprites {
  constructor(S, rot, cls, peer) {
    this.key = Sprites.key(S, cls, peer);
    this.w = -1; /* the picture's width the offsets are for */
    const dark = word(0.04, 0.06, 0.08);
    const white = word(1, 1, 1);
    const fillOf = (c) => word(cls[3 * c], cls[3 * c + 1], cls[3 * c + 2]);
    const peers = peer.length / 3;
    this.peers = peers;
    /* [colour set: own (0) or peer p (1 + p)][class] -> a sprite, or an array by heading (class 0) */
    this.set = [];
    for (let p = -1; p < peers; p++) {
      const line = p >= 0 ? word(peer[3 * p], peer[3 * p + 1], peer[3 * p + 2]) : null;
      const row = [];
      for (let c = 0; c < 4; c++) {
        const ln = line ?? (c === 2 ? white : dark);
        if (c === 0) {
          const a = [];
          for (let k = 0; k < HEADINGS; k++) a.push(sprite(0, (k * TWO_PI) / HEADINGS, fillOf(0), ln, p >= 0, S));
          row.push(a);
        } else row.push(sprite(c, 0, fillOf(c), ln, p >= 0, S));
      }
      this.set.push(row);
    }
    this.rot = rot;
  }

  /* the sprites do not depend on the view's rotation (this.rot, applied
   * to the heading in get(): set it for each picture) */
  static key(S, cls, peer) {
    return `${S}|${Array.from(cls).join(',')}|${Array.from(peer).join(',')}`;
  }

  /** Each sprite's pixel offsets in a picture w pixels wide (off: dy * w + dx). */
  widthIs(w) {
    if (w === this.w) return;
    this.w = w;
    const each = (s) => {
      s.off = new Int32Array(s.dx.length);
      for (let i = 0; i < s.dx.length; i++) s.off[i] = s.dy[i] * w + s.dx[i];
    };
    for (const row of this.set) for (const s of row) (Array.isArray(s) ? s.forEach(each) : each(s));
  }

  /** The sprite of class c (0..3), heading h (rad, the track's), peer number p (< 0: own). */
  get(c, h, p) {
    const row = this.set[p >= 0 && p < this.peers ? 1 + p : 0];
    const ci = c >= 0 && c <= 3 ? c | 0 : 0;
    if (ci !== 0) return row[ci];
    let k = Math.round(((h + this.rot) * HEADINGS) / TWO_PI) % HEADINGS;
    if (k < 0) k += HEADINGS;
    else if (!(k >= 0)) k = 0; /* NaN: an infinite heading (a row's 1e999 parses as Infinity) */
    return row[0][k];
  }
}

/** The first nSlots symbols of pts (6 floats a slot: x, y relative to the
 * origin, class, heading, peer, shown) into buf (Uint32Array w x h), in slot
 * order (the later on top, as gl.POINTS draws them); A = [a, b, c, d, e, f]
 * maps a slot's (x, y) to the picture's device pixels (a x + c y + e, b x + d y + f). */
export function drawSymbols(buf, w, h, pts, nSlots, A, sprites) {
  sprites.widthIs(w);
  const [a, b, c, d, e, f] = A;
  for (let i = 0, o = 0; i < nSlots; i++, o += 6) {
    if (pts[o + 5] < 0.5) continue;
    const x = pts[o];
    const y = pts[o + 1];
    const s = sprites.get(pts[o + 2], pts[o + 3], pts[o + 4]);
    const n = s.n;
    /* the box's top left, the sprite's centre at the pixel nearest the symbol's */
    const X = Math.round(a * x + c * y + e - n / 2);
    const Y = Math.round(b * x + d * y + f - n / 2);
    if (X >= w || Y >= h || X + n <= 0 || Y + n <= 0 || !(X === X && Y === Y)) continue;
    const col = s.col;
    if (X >= 0 && Y >= 0 && X + n <= w && Y + n <= h) {
      const base = Y * w + X;
      const off = s.off;
      for (let k = 0; k < off.length; k++) buf[base + off[k]] = col[k];
    } else {
      const dx = s.dx;
      const dy = s.dy;
      for (let k = 0; k < dx.length; k++) {
        const px = X + dx[k];
        const py = Y + dy[k];
        if (px >= 0 && py >= 0 && px < w && py < h) buf[py * w + px] = col[k];
      }
    }
  }
}

/** src (Uint32Array ws x hs, row 0 at the top) into dst (w x h) through A
 * (dst pixel -> src pixel, [a, b, c, d, e, f] as above, at the pixels'
 * centres), nearest pixel; what falls outside src is left as it is. */
export function warp(dst, w, h, src, ws, hs, A) {
  const [a, b, c, d] = A;
  let [, , , , e, f] = A;
  const same = Math.abs(a - 1) < 1e-9 && Math.abs(b) < 1e-9 && Math.abs(c) < 1e-9 && Math.abs(d - 1) < 1e-9;
  if (same) {
    /* the same scale (a view moved, not zoomed): rows copied, shifted by
     * whole pixels (what the nearest pixel does too, up to half a pixel) */
    e = Math.round(e);
    f = Math.round(f);
    const x0 = Math.max(0, -e);
    const x1 = Math.min(w, ws - e);
    if (x1 <= x0) return;
    for (let y = Math.max(0, -f), y1 = Math.min(h, hs - f); y < y1; y++) {
      const so = (y + f) * ws + e;
      dst.set(src.subarray(so + x0, so + x1), y * w + x0);
    }
    return;
  }
  for (let y = 0; y < h; y++) {
    const cy = y + 0.5;
    let sx = a * 0.5 + c * cy + e;
    let sy = b * 0.5 + d * cy + f;
    const row = y * w;
    for (let x = 0; x < w; x++, sx += a, sy += b) {
      if (sx < 0 || sy < 0 || sx >= ws || sy >= hs) continue;
      const v = src[(sy | 0) * ws + (sx | 0)];
      if (v) dst[row + x] = v;
    }
  }
}

/** The affine map [a, b, c, d, e, f] of A's inverse. */
export function invert(A) {
  const [a, b, c, d, e, f] = A;
  const det = a * d - b * c;
  return [d / det, -b / det, -c / det, a / det, (c * f - d * e) / det, (b * e - a * f) / det];
}

/** p after q: x -> p(q(x)). */
export function compose(p, q) {
  return [
    p[0] * q[0] + p[2] * q[1], p[1] * q[0] + p[3] * q[1],
    p[0] * q[2] + p[2] * q[3], p[1] * q[2] + p[3] * q[3],
    p[0] * q[4] + p[2] * q[5] + p[4], p[1] * q[4] + p[3] * q[5] + p[5],
  ];
}

/** The map from the world (EPSG:3857, relative to the origin ox, oy) to a
 * picture's device pixels: the view's transform T (CSS pixels), the
 * picture's (0, 0) at the view's (-mx, -my), pr device pixels a CSS pixel. */
export function worldToPicture(T, ox, oy, mx, my, pr) {
  return [
    pr * T[0], pr * T[1], pr * T[2], pr * T[3],
    pr * (T[0] * ox + T[2] * oy + T[4] + mx), pr * (T[1] * ox + T[3] * oy + T[5] + my),
  ];
}

/** A premultiplied RGBA read-back (px: bytes, w x h, in the order
 * wanted: the trails are drawn upside down for it) as words not
 * premultiplied, into out (Uint32Array w x h). */
export function fromReadBack(px, w, h, out) {
  const n = w * h;
  for (let o = 0, i = 0; o < n; o++, i += 4) {
    const al = px[i + 3];
    if (!al) { out[o] = 0; continue; }
    if (al === 255) { out[o] = ((255 << 24) | (px[i + 2] << 16) | (px[i + 1] << 8) | px[i]) >>> 0; continue; }
    const k = 255 / al;
    const r = Math.min(255, Math.round(px[i] * k));
    const g = Math.min(255, Math.round(px[i + 1] * k));
    const b = Math.min(255, Math.round(px[i + 2] * k));
    out[o] = ((al << 24) | (b << 16) | (g << 8) | r) >>> 0;
  }
}
