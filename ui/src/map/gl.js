// The tracks' and trails' WebGL layer: one canvas, two draw calls, typed
// arrays the stream worker fills (stream/worker.js, through tracks.js).
//
// Why not ol's WebGL vector layers: they rebuild every feature's vertices
// (on the main thread, then in a worker) whenever any feature changes, and
// not at all while the view moves — with every track updating each second
// that is the whole picture rebuilt several times a second. Here an update
// writes 6 floats into its slot; a frame uploads what changed
// (bufferSubData) and draws.
//
// Symbols: one slot per track (x, y relative to an origin — float32 keeps
// metres at these magnitudes —, class, heading, peer index, shown), drawn
// as gl.POINTS whose fragment shader cuts the symbol: a heading triangle
// (civil), a diamond (military), a large square (no transponder), a circle
// (vessel); a peer's tracks carry a thick outline in that peer's colour.
// The heading's sine and cosine are per point (vertex shader), the symbol's
// size grows with the zoom. (An instanced 12-vertex mesh per symbol was
// tried: slower with the software rasteriser of a machine without a GPU.)
// Trails: a ring of segments in time order (x0, y0, t, colour) x 2 — a new
// trail point appends a segment; the oldest are overwritten first, and the
// shader fades a segment with its age and drops it past trailS. A long
// trail costs GPU vertices, not JavaScript per frame.
const VS_POINTS = `#version 300 es
in vec2 a_pos;
in vec4 a_attr; // class, heading (rad), peer index, shown
uniform mat3 u_m;
uniform float u_size;
uniform float u_rot;
uniform vec3 u_cls[4];
uniform vec3 u_peer[6];
// the symbol as at most four half-planes n.p + c >= 0 (unit normals) and a
// disc, in the point's coordinates p in [-1, 1]^2; the outline is the band
// of width v_w inside its edge
flat out vec3 v_e0;
flat out vec3 v_e1;
flat out vec3 v_e2;
flat out vec3 v_e3;
flat out vec2 v_rw; // disc radius, outline width
flat out vec3 v_fill;
flat out vec3 v_line;
vec3 edge(vec2 a, vec2 b, vec2 cs) {
  vec2 n = normalize(vec2(a.y - b.y, b.x - a.x));
  float c = -dot(n, a);
  // the heading's rotation q = R p: n.q = (R^T n).p
  return vec3(cs.x * n.x + cs.y * n.y, -cs.y * n.x + cs.x * n.y, c);
}
void main() {
  v_e0 = v_e1 = v_e2 = v_e3 = vec3(0.0, 0.0, 9.0);
  v_rw = vec2(9.0, 0.0);
  v_fill = v_line = vec3(0.0);
  if (a_attr.w < 0.5) { gl_Position = vec4(2.0, 2.0, 0.0, 1.0); gl_PointSize = 0.0; return; }
  vec3 c = u_m * vec3(a_pos, 1.0);
  gl_Position = vec4(c.xy, 0.0, 1.0);
  float cls = a_attr.x;
  gl_PointSize = u_size * (cls == 2.0 ? 1.35 : 1.0);
  bool peer = a_attr.z >= 0.0;
  float k = peer ? 0.55 : (cls == 2.0 ? 0.72 : 0.78); // the fill's size in the symbol's
  float inr; // the symbol's inner radius
  if (cls < 0.5) { // heading triangle
    float h = a_attr.y + u_rot;
    vec2 cs = vec2(cos(h), sin(h));
    vec2 a = vec2(0.0, 0.95), b = vec2(-0.7, -0.75), d = vec2(0.7, -0.75);
    v_e0 = edge(a, b, cs); v_e1 = edge(b, d, cs); v_e2 = edge(d, a, cs);
    inr = 0.47;
  } else if (cls < 1.5) { // diamond |x| + |y| <= 0.9
    float r = 0.9 * 0.70710678;
    v_e0 = vec3(0.70710678, 0.70710678, r); v_e1 = vec3(-0.70710678, 0.70710678, r);
    v_e2 = vec3(0.70710678, -0.70710678, r); v_e3 = vec3(-0.70710678, -0.70710678, r);
    inr = r;
  } else if (cls < 2.5) { // square max(|x|, |y|) <= 0.78
    v_e0 = vec3(1.0, 0.0, 0.78); v_e1 = vec3(-1.0, 0.0, 0.78); v_e2 = vec3(0.0, 1.0, 0.78); v_e3 = vec3(0.0, -1.0, 0.78);
    inr = 0.78;
  } else { // disc of radius 0.62
    v_rw.x = 0.62;
    inr = 0.62;
  }
  v_rw.y = (1.0 - k) * inr;
  v_fill = u_cls[int(cls)];
  v_line = peer ? u_peer[int(a_attr.z)] : (cls == 2.0 ? vec3(1.0) : vec3(0.04, 0.06, 0.08));
}`;

/* branch-free (a software rasteriser runs every branch of every pixel) */
const FS_POINTS = `#version 300 es
precision mediump float;
flat in vec3 v_e0;
flat in vec3 v_e1;
flat in vec3 v_e2;
flat in vec3 v_e3;
flat in vec2 v_rw;
flat in vec3 v_fill;
flat in vec3 v_line;
out vec4 o;
void main() {
  vec3 p = vec3(gl_PointCoord * 2.0 - 1.0, 1.0);
  p.y = -p.y;
  float d = min(min(dot(v_e0, p), dot(v_e1, p)), min(dot(v_e2, p), dot(v_e3, p)));
  d = min(d, v_rw.x - length(p.xy));
  if (d < 0.0) discard;
  o = vec4(d >= v_rw.y ? v_fill : v_line, 1.0);
}`;

const VS_TRAILS = `#version 300 es
in vec2 a_pos;
in vec2 a_tc; // time (s since t0), colour index
uniform mat3 u_m;
uniform float u_now;
uniform float u_trail;
out float v_age;
out float v_col;
void main() {
  vec3 c = u_m * vec3(a_pos, 1.0);
  gl_Position = vec4(c.xy, 0.0, 1.0);
  v_age = (u_now - a_tc.x) / u_trail;
  v_col = a_tc.y;
}`;

const FS_TRAILS = `#version 300 es
precision mediump float;
in float v_age;
in float v_col;
uniform vec3 u_cls[4];
uniform vec3 u_peer[6];
out vec4 o;
void main() {
  if (v_age > 1.0 || v_age < -0.01 || v_col < 0.0) discard;
  vec3 c = v_col >= 4.0 ? u_peer[int(v_col) - 4] : u_cls[int(v_col)];
  float a = 0.75 * (1.0 - v_age * 0.8);
  o = vec4(c * a, a); // premultiplied
}`;

/* The still picture (render()): drawn MARGIN larger than the view on each
 * side, from CACHE_MIN_PTS symbols or CACHE_MIN_SEGS trail segments, with a
 * software rasteriser only (auto; measured with 1,000 symbols: 31 -> 39
 * frames/s, so from the first symbol). */
const MARGIN = 0.15;
const CACHE_MIN_PTS = 1;
const CACHE_MIN_SEGS = 1;
/* while the view moves, drawn again after 3 x its last cost, within [GAP_MIN, GAP_MAX]:
 * the upper bound keeps a report's symbol late by well under a second */
const GAP_MIN = 100;
const GAP_MAX = 500;
/* ... unless one drawing takes longer than this: a report cannot reach the
 * screen within a second anyway, and the view is kept moving (3 x the cost) */
const HOPELESS_MS = 1000;

function compile(gl, vs, fs) {
  const prog = gl.createProgram();
  for (const [type, src] of [[gl.VERTEX_SHADER, vs], [gl.FRAGMENT_SHADER, fs]]) {
    const s = gl.createShader(type);
    gl.shaderSource(s, src);
    gl.compileShader(s);
    if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(s));
    gl.attachShader(prog, s);
  }
  gl.linkProgram(prog);
  if (!gl.getProgramParameter(prog, gl.LINK_STATUS)) throw new Error(gl.getProgramInfoLog(prog));
  return prog;
}

export const rgb = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16) / 255);

/** Whether a WebGL renderer's name is a software rasteriser's. */
export const isSoftware = (renderer) => /SwiftShader|llvmpipe|softpipe|Software/i.test(renderer);

/** The renderer's name of a WebGL context ('' when it does not say). */
export function rendererOf(gl) {
  const dbg = gl.getExtension('WEBGL_debug_renderer_info');
  return dbg ? String(gl.getParameter(dbg.UNMASKED_RENDERER_WEBGL)) : '';
}

/** The programs, the symbols' buffer and any number of segment buffers
 * (rings) of one WebGL2 context, and the drawing: shared by the page's
 * layer (GlTracks, with a GPU) and the stream worker's picture (with a
 * software rasteriser, stream/picture.js). No DOM. */
export class GlCore {
  constructor(gl) {
    this.gl = gl;
    this.pProg = compile(gl, VS_POINTS, FS_POINTS);
    this.tProg = compile(gl, VS_TRAILS, FS_TRAILS);
    this.pBuf = gl.createBuffer();
    this.pVao = gl.createVertexArray();
    this.ptsCap = 0; /* bytes of the symbols' buffer */
    /* a symbol: x, y, then class, heading, peer, shown (6 floats) */
    this.layout(this.pVao, this.pBuf, this.pProg, [['a_pos', 2], ['a_attr', 4]]);
    this.u = {};
    for (const [prog, names] of [[this.pProg, ['u_m', 'u_size', 'u_rot', 'u_cls', 'u_peer']], [this.tProg, ['u_m', 'u_now', 'u_trail', 'u_cls', 'u_peer']]])
      for (const n of names) this.u[`${prog === this.pProg ? 'p' : 't'}${n}`] = gl.getUniformLocation(prog, n);
  }

  /** A ring of cap segments (SEG_FLOATS each), zeros: {buf, vao, cap}. */
  ring(cap) {
    const gl = this.gl;
    const r = { buf: gl.createBuffer(), vao: gl.createVertexArray(), cap };
    gl.bindBuffer(gl.ARRAY_BUFFER, r.buf);
    gl.bufferData(gl.ARRAY_BUFFER, cap * SEG_FLOATS * 4, gl.DYNAMIC_DRAW);
    /* a vertex: x, y, then time, colour (4 floats; a segment is two) */
    this.layout(r.vao, r.buf, this.tProg, [['a_pos', 2], ['a_tc', 2]]);
    return r;
  }

  /** Vertex array vao reads buf as prog's attributes [[name, floats], ...], interleaved in that order. */
  layout(vao, buf, prog, attrs) {
    const gl = this.gl;
    const stride = attrs.reduce((a, [, k]) => a + 4 * k, 0);
    gl.bindVertexArray(vao);
    gl.bindBuffer(gl.ARRAY_BUFFER, buf);
    let off = 0;
    for (const [name, k] of attrs) {
      const loc = gl.getAttribLocation(prog, name);
      gl.enableVertexAttribArray(loc);
      gl.vertexAttribPointer(loc, k, gl.FLOAT, false, stride, off);
      off += 4 * k;
    }
    gl.bindVertexArray(null);
  }

  /** Segments [first, first + data.length / SEG_FLOATS) of ring r. */
  ringWrite(r, first, data, off = 0, len = data.length) {
    const gl = this.gl;
    gl.bindBuffer(gl.ARRAY_BUFFER, r.buf);
    gl.bufferSubData(gl.ARRAY_BUFFER, first * SEG_FLOATS * 4, data, off, len);
  }

  /** Drop segments (their two vertices' colour -1: the shader drops them). */
  ringKill(r, list) {
    const gl = this.gl;
    gl.bindBuffer(gl.ARRAY_BUFFER, r.buf);
    for (const s of list) {
      gl.bufferSubData(gl.ARRAY_BUFFER, (s * SEG_FLOATS + 3) * 4, MINUS);
      gl.bufferSubData(gl.ARRAY_BUFFER, (s * SEG_FLOATS + 7) * 4, MINUS);
    }
  }

  /** The first n slots (6 floats each) of pts. */
  points(pts, n) {
    const gl = this.gl;
    gl.bindBuffer(gl.ARRAY_BUFFER, this.pBuf);
    const bytes = n * 24;
    if (bytes > this.ptsCap) {
      this.ptsCap = Math.max(bytes, this.ptsCap * 2, 24 * 1024);
      gl.bufferData(gl.ARRAY_BUFFER, this.ptsCap, gl.DYNAMIC_DRAW);
    }
    if (n) gl.bufferSubData(gl.ARRAY_BUFFER, 0, pts, 0, n * 6);
  }

  /** Clear, then the segments ([[ring, count], ...]) and nSlots symbols
   * with matrix m (world relative to the origin -> clip space) into the
   * bound framebuffer (its viewport set). cls: 12 floats, peer: 18. */
  draw(m, { rings, nSlots, nowS, trailS, size, rot, cls, peer }) {
    const gl = this.gl;
    gl.clearColor(0, 0, 0, 0);
    gl.clear(gl.COLOR_BUFFER_BIT);
    this.segments(m, rings.map(([r, n]) => [r, 0, n]), { nowS, trailS, cls, peer });
    this.symbols(m, { nSlots, size, rot, cls, peer });
  }

  /** The segments [[ring, first, count], ...] with matrix m, blended over the bound framebuffer. */
  segments(m, parts, { nowS, trailS, cls, peer }) {
    const gl = this.gl;
    if (!parts.some(([, , n]) => n > 0)) return;
    gl.enable(gl.BLEND);
    gl.blendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA); /* premultiplied colours */
    gl.useProgram(this.tProg);
    gl.uniformMatrix3fv(this.u.tu_m, false, m);
    gl.uniform1f(this.u.tu_now, nowS);
    gl.uniform1f(this.u.tu_trail, trailS);
    gl.uniform3fv(this.u.tu_cls, cls);
    gl.uniform3fv(this.u.tu_peer, peer);
    for (const [r, first, n] of parts) {
      if (n <= 0) continue;
      gl.bindVertexArray(r.vao);
      gl.drawArrays(gl.LINES, first * 2, n * 2);
    }
    gl.bindVertexArray(null);
  }

  /** The first nSlots symbols with matrix m, blended over the bound framebuffer. */
  symbols(m, { nSlots, size, rot, cls, peer }) {
    const gl = this.gl;
    if (!nSlots) return;
    gl.enable(gl.BLEND);
    gl.blendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA);
    gl.useProgram(this.pProg);
    gl.uniformMatrix3fv(this.u.pu_m, false, m);
    gl.uniform1f(this.u.pu_size, size);
    gl.uniform1f(this.u.pu_rot, rot);
    gl.uniform3fv(this.u.pu_cls, cls);
    gl.uniform3fv(this.u.pu_peer, peer);
    gl.bindVertexArray(this.pVao);
    gl.drawArrays(gl.POINTS, 0, nSlots);
    gl.bindVertexArray(null);
  }
}
const MINUS = new Float32Array([-1]);

/** The matrix from world (relative to ox, oy) to clip space of a canvas of
 * cssW x cssH CSS pixels whose (mx, my) is the view's (0, 0), for the
 * view's coordinate-to-pixel transform T ([a, b, c, d, e, f]). flipY:
 * row 0 at the top (a read-back). */
export function clipMatrix(T, ox, oy, mx, my, cssW, cssH, flipY = false) {
  const sx = 2 / cssW;
  const sy = (flipY ? 2 : -2) / cssH;
  const e = T[0] * ox + T[2] * oy + T[4] + mx;
  const f = T[1] * ox + T[3] * oy + T[5] + my;
  return new Float32Array([T[0] * sx, T[1] * sy, 0, T[2] * sx, T[3] * sy, 0, e * sx - 1, f * sy + (flipY ? -1 : 1), 1]);
}

/** The CSS matrix that moves a picture drawn with the view's transform T0
 * (its (0, 0) at the view's (-mx, -my)) to where transform T puts it. */
export function pictureTransform(T0, mx, my, T) {
  const a0 = T0;
  const det = a0[0] * a0[3] - a0[1] * a0[2];
  const i0 = [a0[3] / det, -a0[1] / det, -a0[2] / det, a0[0] / det, 0, 0];
  i0[4] = -(i0[0] * (a0[4] + mx) + i0[2] * (a0[5] + my));
  i0[5] = -(i0[1] * (a0[4] + mx) + i0[3] * (a0[5] + my));
  const A = [
    T[0] * i0[0] + T[2] * i0[1], T[1] * i0[0] + T[3] * i0[1],
    T[0] * i0[2] + T[2] * i0[3], T[1] * i0[2] + T[3] * i0[3],
    T[0] * i0[4] + T[2] * i0[5] + T[4], T[1] * i0[4] + T[3] * i0[5] + T[5],
  ];
  return `matrix(${A.map((v) => +v.toFixed(6)).join(',')})`;
}

export const SEG_FLOATS = 8; /* two vertices of (x, y, t, colour) */

export class GlTracks {
  /** clsColours: 4 hex colours (civil, military, noxpdr, vessel); peerColours: 6.
   * The data comes from the stream worker (stream/worker.js): setPoints()
   * with its packed slots, addSegments()/killSegments()/clearSegments() with
   * its ring's changes; onRestore is called after a lost context comes back
   * (everything must be given again). */
  constructor(clsColours, peerColours, { segCap = 1 << 20, onRestore = () => {} } = {}) {
    this.canvas = document.createElement('canvas');
    this.canvas.style.cssText = 'position:absolute;left:0;top:0;pointer-events:none;';
    this.cls = clsColours.flatMap(rgb);
    this.peer = new Float32Array(6 * 3); /* the worker's peer number -> colour (setPeerColours) */
    this.peerDefault = peerColours.flatMap(rgb);
    this.peer.set(this.peerDefault);
    this.pts = new Float32Array(0);
    this.nSlots = 0;
    this.ptsCap = 0; /* bytes of the GPU's buffer */
    this.ptsDirty = false;
    this.segCap = segCap;
    this.segN = 0;
    this.segQueue = []; /* in the worker's order: [first segment, Float32Array] to write, or [-1, Int32Array] segments to drop */
    this.segClear = true;
    this.onRestore = onRestore;
    this.slowMs = Infinity; /* see slowRuns */
    this.slowRuns = 0;
    this.gl = null;
    this.lost = false;
    this.rev = 0; /* bumped at each batch; drawnRev: what the last frame showed */
    this.drawnRev = 0;
    this.ox = 0;
    this.oy = 0;
    /* the cache (render()): 'auto' (with a software rasteriser), 'always', 'never' */
    this.cacheMode = 'auto';
    this.software = false;
    this.cache = null; /* the still picture: {rev, trails, size, at, T: the view's pixel transform it was drawn with, w, h} */
    this.lastRefreshAt = 0;
    this.refreshMs = 0; /* the wall time of the last frame that drew the still picture */
    this.refreshes = 0;
    this.requestRender = () => {};
    this.timer = 0;
  }

  /** The slots (6 floats each, relative to origin ox, oy). */
  setPoints(pts, nSlots, ox, oy) {
    this.pts = pts;
    this.nSlots = nSlots;
    this.ox = ox;
    this.oy = oy;
    this.ptsDirty = true;
  }

  /** colours: 6 [r, g, b] (0..1), one per peer number of the worker's. */
  setPeerColours(colours) {
    for (let i = 0; i < 6; i++) this.peer.set(colours[i] || this.peerDefault.slice(3 * i, 3 * i + 3), 3 * i);
  }

  addSegments(first, data) { this.segQueue.push([first, data]); }
  killSegments(list) { this.segQueue.push([-1, list]); }
  clearSegments() { this.segClear = true; this.segQueue = []; }
  setSegmentCount(n) { this.segN = n; }

  init() {
    /* no MSAA: with a software rasteriser (no GPU) it multiplies the fill cost; the symbols' edges are cut by the shader */
    const gl = this.canvas.getContext('webgl2', { antialias: false, depth: false, stencil: false, preserveDrawingBuffer: false });
    if (!gl) throw new Error('WebGL2 unavailable');
    this.gl = gl;
    if (!this.listening) {
      this.listening = true; /* once: init() runs again at each restoring */
      this.canvas.addEventListener('webglcontextlost', (e) => { e.preventDefault(); this.lost = true; });
      this.canvas.addEventListener('webglcontextrestored', () => { this.lost = false; this.gl = null; this.init(); this.onRestore(); });
    }
    this.renderer = rendererOf(gl);
    this.software = isSoftware(this.renderer);
    this.cache = null;
    this.core = new GlCore(gl);
    this.ring = this.core.ring(this.segCap);
    this.ptsDirty = true;
    this.segClear = false; /* a new ring is zeros */
  }

  /** Gives the context up (the stream worker draws instead: stream/picture.js). */
  release() {
    const ext = this.gl && this.gl.getExtension('WEBGL_lose_context');
    this.gl = null;
    this.core = null;
    this.segQueue = [];
    this.released = ext;
    if (ext) ext.loseContext();
  }

  /** Takes the context back after release() (the worker's picture is gone): restored, then onRestore(). */
  reclaim() {
    const ext = this.released;
    this.released = null;
    if (ext) ext.restoreContext();
  }

  upload() {
    const core = this.core;
    if (this.ptsDirty) {
      core.points(this.pts, this.nSlots);
      this.ptsDirty = false;
    }
    if (this.segClear) {
      this.ring = core.ring(this.segCap);
      this.segClear = false;
    }
    for (const [first, data] of this.segQueue) {
      if (first >= 0) core.ringWrite(this.ring, first, data);
      else core.ringKill(this.ring, data);
    }
    this.segQueue = [];
  }

  /** ol's custom layer render: frameState -> the canvas.
   *
   * With a software rasteriser (SwiftShader where there is no GPU) every
   * frame drawn with WebGL is also read back from the rasteriser for the
   * compositor, and drawing every symbol and trail segment at each frame of
   * a pan or zoom costs tens of milliseconds per thousand symbols. From
   * CACHE_MIN_PTS symbols or CACHE_MIN_SEGS segments the canvas is then
   * drawn MARGIN larger than the view (the still picture) and, until it is
   * drawn again, only moved and scaled to the view by a CSS transform (the
   * compositor's work, no WebGL call: as ol's image layers do). It is drawn
   * again when the data or the view changed: while the view moves, after
   * 3 x the time its last drawing took, within [GAP_MIN, GAP_MAX] (so that
   * drawing takes about a quarter of the time, and a report's symbol is
   * not held back long: between GAP_MAX / 3 and HOPELESS_MS of drawing the
   * frame rate gives way to the latency; beyond, where the latency is lost
   * anyway, 3 x the cost again); at once when the view has come to rest. Symbols grow or shrink with a zoom until the next
   * drawing. drawnRev is the batch the canvas shows. */
  render(fs, opts) {
    const c = this.canvas;
    const pr = fs.pixelRatio;
    const now = performance.now();
    if (this.lost) return c; /* until it is restored (init() then) */
    if (!this.gl) {
      c.width = 1; c.height = 1;
      this.init();
    }
    const gl = this.gl;
    const heavy = this.nSlots >= CACHE_MIN_PTS || (opts.trails && this.segN >= CACHE_MIN_SEGS);
    const still = this.cacheMode === 'always' || (this.cacheMode === 'auto' && this.software && heavy);
    const M = still ? MARGIN : 0;
    const cssW = Math.round(fs.size[0] * (1 + 2 * M));
    const cssH = Math.round(fs.size[1] * (1 + 2 * M));
    const T = fs.coordinateToPixelTransform; /* [a, b, c, d, e, f]: px = a x + c y + e, py = b x + d y + f */
    let k = this.cache;
    let draw = true;
    if (still && k && k.w === cssW && k.h === cssH) {
      const moving = !!(fs.viewHints && (fs.viewHints[0] || fs.viewHints[1]));
      const viewStale = k.T.some((v, i) => v !== T[i]);
      const stale = k.rev !== this.rev || k.trails !== opts.trails || k.size !== opts.size || viewStale ||
        (opts.trails && now - k.at > 5000); /* the trails' fading */
      const gap = this.refreshMs > HOPELESS_MS ? 3 * this.refreshMs : Math.min(GAP_MAX, Math.max(GAP_MIN, 3 * this.refreshMs));
      draw = stale && (now - k.at >= gap || (viewStale && !moving));
      if (stale && !draw) {
        /* drawn again later even when nothing else asks for a frame */
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.requestRender(), Math.max(16, gap - (now - k.at)));
      }
    }
    if (draw) {
      const w = Math.round(cssW * pr);
      const h = Math.round(cssH * pr);
      if (c.width !== w || c.height !== h) {
        c.width = w; c.height = h;
        c.style.width = `${cssW}px`; c.style.height = `${cssH}px`;
      }
      this.upload();
      /* world (relative to the origin) -> CSS pixels of the canvas -> clip space */
      const mx = fs.size[0] * M;
      const my = fs.size[1] * M;
      const m = clipMatrix(T, this.ox, this.oy, mx, my, cssW, cssH);
      gl.viewport(0, 0, w, h);
      this.draw(m, fs, opts);
      this.drawnRev = this.rev;
      k = this.cache = still ? { rev: this.rev, trails: opts.trails, size: opts.size, at: now, T: T.slice(), w: cssW, h: cssH, mx, my } : null;
      if (still) {
        /* its cost: until the next frame begins (the read-back of this one is in between) */
        this.lastRefreshAt = now;
        this.refreshes++;
        requestAnimationFrame(() => {
          this.refreshMs = performance.now() - now;
          this.slowRuns = this.refreshMs > this.slowMs ? this.slowRuns + 1 : 0; /* drawings in a row over slowMs */
        });
      }
    }
    if (!k) {
      if (c.style.transform) c.style.transform = '';
      return c;
    }
    /* the drawn picture's pixels -> the view's: T now after T then inverted, after the margin */
    c.style.transformOrigin = '0 0';
    c.style.transform = pictureTransform(k.T, k.mx, k.my, T);
    return c;
  }

  /** The trails and symbols with matrix m into the bound framebuffer (its viewport set). */
  draw(m, fs, { trails, nowS, trailS, size }) {
    this.core.draw(m, {
      rings: trails ? [[this.ring, this.segN]] : [], nSlots: this.nSlots, nowS, trailS,
      size: size * fs.pixelRatio, rot: fs.viewState.rotation, cls: this.cls, peer: this.peer,
    });
  }
}

/** The page's side of the picture the stream worker draws (stream/picture.js,
 * with a software rasteriser): a canvas showing the worker's last
 * ImageBitmap, moved and scaled by a CSS transform from the view it was
 * drawn for to the view now, at each of the page's frames — the page makes
 * no WebGL call and never waits for the rasteriser. render() sends the
 * worker the view when it changed; picture() shows a picture. */
export class RemotePicture {
  constructor(send) {
    this.send = send;
    this.canvas = document.createElement('canvas');
    this.canvas.style.cssText = 'position:absolute;left:0;top:0;pointer-events:none;transform-origin:0 0;';
    this.ctx = this.canvas.getContext('bitmaprenderer');
    this.k = null; /* the shown picture: {T, mx, my, cssW, cssH, seq} */
    this.T = null; /* the view's transform at the last frame */
    this.sent = null;
    this.pictures = 0;
    this.drawMs = 0;
    this.issueMs = 0;
    this.rasterMs = 0;
    this.log = [];
    /* a hidden page needs no pictures: the worker stops until the next frame sends the view */
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden) return;
      this.sent = null;
      this.send({ type: 'view', view: null });
    });
  }

  /** ol's frame: the view to the worker, the picture moved to the view. */
  render(fs, { trails, size, cls, peer }) {
    const T = fs.coordinateToPixelTransform;
    const moving = !!(fs.viewHints && (fs.viewHints[0] || fs.viewHints[1]));
    const v = {
      T: T.slice(), w: fs.size[0], h: fs.size[1], pr: fs.pixelRatio, rot: fs.viewState.rotation,
      moving, trails, size, cls: Array.from(cls), peer: Array.from(peer),
    };
    const s = this.sent;
    if (!s || s.moving !== v.moving || s.w !== v.w || s.h !== v.h || s.pr !== v.pr || s.rot !== v.rot || s.trails !== v.trails ||
      s.size !== v.size || v.T.some((x, i) => x !== s.T[i]) || v.cls.some((x, i) => x !== s.cls[i]) || v.peer.some((x, i) => x !== s.peer[i])) {
      this.sent = v;
      this.send({ type: 'view', view: v });
    }
    this.T = v.T;
    this.place();
    return this.canvas;
  }

  place() {
    const k = this.k;
    if (!k || !this.T) return;
    this.canvas.style.transform = pictureTransform(k.T, k.mx, k.my, this.T);
  }

  /** A picture from the worker. */
  picture(m) {
    this.ctx.transferFromImageBitmap(m.bitmap);
    const c = this.canvas;
    const w = `${m.cssW}px`;
    const h = `${m.cssH}px`;
    if (c.style.width !== w) c.style.width = w;
    if (c.style.height !== h) c.style.height = h;
    this.k = m;
    this.pictures++;
    this.drawMs += m.drawMs || 0; /* (bench) from a drawing's beginning to its bitmap */
    this.issueMs += m.issueMs || 0; /* (bench) ... to its last WebGL call */
    this.rasterMs += m.rasterMs || 0; /* (bench) ... to the rasteriser's end */
    /* (bench) the last pictures: when each began (epoch ms), when it came, its cost, the trail segments it drew */
    if (this.log.length >= 2000) this.log.shift();
    this.log.push([m.atEpoch, Date.now(), m.drawMs, m.rasterMs, m.tlSegs || 0, m.parts]);
    this.place();
    this.send({ type: 'shown' });
  }
}
