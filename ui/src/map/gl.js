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
flat out float v_cls;
flat out vec2 v_cs; // cos, sin of the heading on screen (per point, not per pixel)
flat out float v_peer;
void main() {
  if (a_attr.w < 0.5) { gl_Position = vec4(2.0, 2.0, 0.0, 1.0); gl_PointSize = 0.0; return; }
  vec3 c = u_m * vec3(a_pos, 1.0);
  gl_Position = vec4(c.xy, 0.0, 1.0);
  gl_PointSize = u_size * (a_attr.x == 2.0 ? 1.35 : 1.0);
  v_cls = a_attr.x;
  float h = a_attr.y + u_rot;
  v_cs = vec2(cos(h), sin(h));
  v_peer = a_attr.z;
}`;

const FS_POINTS = `#version 300 es
precision mediump float;
flat in float v_cls;
flat in vec2 v_cs;
flat in float v_peer;
uniform vec3 u_cls[4];
uniform vec3 u_peer[6];
out vec4 o;
float edge(vec2 p, vec2 a, vec2 b) { return (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x); }
bool tri(vec2 q, float s) {
  vec2 a = vec2(0.0, 0.95) * s, b = vec2(-0.7, -0.75) * s, c = vec2(0.7, -0.75) * s;
  return edge(q, a, b) >= 0.0 && edge(q, b, c) >= 0.0 && edge(q, c, a) >= 0.0; // a, b, c counter-clockwise
}
bool inside(vec2 p, float s) {
  if (v_cls < 0.5) return tri(vec2(p.x * v_cs.x - p.y * v_cs.y, p.x * v_cs.y + p.y * v_cs.x), s);
  if (v_cls < 1.5) return abs(p.x) + abs(p.y) <= 0.9 * s;
  if (v_cls < 2.5) return max(abs(p.x), abs(p.y)) <= 0.78 * s;
  return length(p) <= 0.62 * s;
}
void main() {
  vec2 p = gl_PointCoord * 2.0 - 1.0;
  p.y = -p.y;
  bool peer = v_peer >= 0.0;
  if (!inside(p, 1.0)) discard;
  float inner = peer ? 0.55 : (v_cls > 1.5 && v_cls < 2.5 ? 0.72 : 0.78);
  if (inside(p, inner)) { o = vec4(u_cls[int(v_cls)], 1.0); return; }
  vec3 line = peer ? u_peer[int(v_peer)] : (v_cls > 1.5 && v_cls < 2.5 ? vec3(1.0) : vec3(0.04, 0.06, 0.08));
  o = vec4(line, 1.0);
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

const rgb = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16) / 255);

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
    this.canvas.addEventListener('webglcontextlost', (e) => { e.preventDefault(); this.lost = true; });
    this.canvas.addEventListener('webglcontextrestored', () => { this.lost = false; this.gl = null; this.init(); this.onRestore(); });
    const dbg = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = dbg ? String(gl.getParameter(dbg.UNMASKED_RENDERER_WEBGL)) : '';
    this.renderer = renderer;
    this.software = /SwiftShader|llvmpipe|softpipe|Software/i.test(renderer);
    this.cache = null;
    this.pProg = compile(gl, VS_POINTS, FS_POINTS);
    this.tProg = compile(gl, VS_TRAILS, FS_TRAILS);
    this.pBuf = gl.createBuffer();
    this.tBuf = gl.createBuffer();
    this.pVao = gl.createVertexArray();
    gl.bindVertexArray(this.pVao);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.pBuf);
    let loc = gl.getAttribLocation(this.pProg, 'a_pos');
    gl.enableVertexAttribArray(loc);
    gl.vertexAttribPointer(loc, 2, gl.FLOAT, false, 24, 0);
    loc = gl.getAttribLocation(this.pProg, 'a_attr');
    gl.enableVertexAttribArray(loc);
    gl.vertexAttribPointer(loc, 4, gl.FLOAT, false, 24, 8);
    this.tVao = gl.createVertexArray();
    gl.bindVertexArray(this.tVao);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.tBuf);
    gl.bufferData(gl.ARRAY_BUFFER, this.segCap * SEG_FLOATS * 4, gl.DYNAMIC_DRAW);
    loc = gl.getAttribLocation(this.tProg, 'a_pos');
    gl.enableVertexAttribArray(loc);
    gl.vertexAttribPointer(loc, 2, gl.FLOAT, false, 16, 0);
    loc = gl.getAttribLocation(this.tProg, 'a_tc');
    gl.enableVertexAttribArray(loc);
    gl.vertexAttribPointer(loc, 2, gl.FLOAT, false, 16, 8);
    gl.bindVertexArray(null);
    this.u = {};
    for (const [prog, names] of [[this.pProg, ['u_m', 'u_size', 'u_rot', 'u_cls', 'u_peer']], [this.tProg, ['u_m', 'u_now', 'u_trail', 'u_cls', 'u_peer']]])
      for (const n of names) this.u[`${prog === this.pProg ? 'p' : 't'}${n}`] = gl.getUniformLocation(prog, n);

    this.ptsCap = 0;
    this.ptsDirty = true;
    this.segClear = false; /* bufferData made it zeros */
  }

  upload() {
    const gl = this.gl;
    if (this.ptsDirty) {
      gl.bindBuffer(gl.ARRAY_BUFFER, this.pBuf);
      const bytes = this.nSlots * 24;
      if (bytes > this.ptsCap) {
        this.ptsCap = Math.max(bytes, this.ptsCap * 2, 24 * 1024);
        gl.bufferData(gl.ARRAY_BUFFER, this.ptsCap, gl.DYNAMIC_DRAW);
      }
      if (bytes) gl.bufferSubData(gl.ARRAY_BUFFER, 0, this.pts, 0, this.nSlots * 6);
      this.ptsDirty = false;
    }
    if (this.segClear || this.segQueue.length) {
      gl.bindBuffer(gl.ARRAY_BUFFER, this.tBuf);
      if (this.segClear) {
        gl.bufferData(gl.ARRAY_BUFFER, this.segCap * SEG_FLOATS * 4, gl.DYNAMIC_DRAW);
        this.segClear = false;
      }
      /* a dropped segment: its two vertices' colour -1 (the shader drops them) */
      const minus = new Float32Array([-1]);
      for (const [first, data] of this.segQueue) {
        if (first >= 0) { gl.bufferSubData(gl.ARRAY_BUFFER, first * SEG_FLOATS * 4, data); continue; }
        for (const s of data) {
          gl.bufferSubData(gl.ARRAY_BUFFER, (s * SEG_FLOATS + 3) * 4, minus);
          gl.bufferSubData(gl.ARRAY_BUFFER, (s * SEG_FLOATS + 7) * 4, minus);
        }
      }
      this.segQueue = [];
    }
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
    if (!this.gl) {
      c.width = 1; c.height = 1;
      this.init();
    }
    if (this.lost) return c;
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
      const sx = 2 / cssW;
      const sy = -2 / cssH;
      const e = T[0] * this.ox + T[2] * this.oy + T[4] + mx;
      const f = T[1] * this.ox + T[3] * this.oy + T[5] + my;
      const m = new Float32Array([T[0] * sx, T[1] * sy, 0, T[2] * sx, T[3] * sy, 0, e * sx - 1, f * sy + 1, 1]);
      gl.viewport(0, 0, w, h);
      this.draw(m, fs, opts);
      this.drawnRev = this.rev;
      k = this.cache = still ? { rev: this.rev, trails: opts.trails, size: opts.size, at: now, T: T.slice(), w: cssW, h: cssH, mx, my } : null;
      if (still) {
        /* its cost: until the next frame begins (the read-back of this one is in between) */
        this.lastRefreshAt = now;
        this.refreshes++;
        requestAnimationFrame(() => { this.refreshMs = performance.now() - now; });
      }
    }
    if (!k) {
      if (c.style.transform) c.style.transform = '';
      return c;
    }
    /* the drawn picture's pixels -> the view's: T now after T then inverted, after the margin */
    const a0 = k.T;
    const det = a0[0] * a0[3] - a0[1] * a0[2];
    const i0 = [a0[3] / det, -a0[1] / det, -a0[2] / det, a0[0] / det, 0, 0];
    i0[4] = -(i0[0] * (a0[4] + k.mx) + i0[2] * (a0[5] + k.my));
    i0[5] = -(i0[1] * (a0[4] + k.mx) + i0[3] * (a0[5] + k.my));
    const A = [
      T[0] * i0[0] + T[2] * i0[1], T[1] * i0[0] + T[3] * i0[1],
      T[0] * i0[2] + T[2] * i0[3], T[1] * i0[2] + T[3] * i0[3],
      T[0] * i0[4] + T[2] * i0[5] + T[4], T[1] * i0[4] + T[3] * i0[5] + T[5],
    ];
    c.style.transformOrigin = '0 0';
    c.style.transform = `matrix(${A.map((v) => +v.toFixed(6)).join(',')})`;
    return c;
  }

  /** The trails and symbols with matrix m into the bound framebuffer (its viewport set). */
  draw(m, fs, { trails, nowS, trailS, size }) {
    const gl = this.gl;
    const pr = fs.pixelRatio;
    gl.clearColor(0, 0, 0, 0);
    gl.clear(gl.COLOR_BUFFER_BIT);
    gl.enable(gl.BLEND);
    gl.blendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA); /* premultiplied colours */
    if (trails && this.segN) {
      gl.useProgram(this.tProg);
      gl.uniformMatrix3fv(this.u.tu_m, false, m);
      gl.uniform1f(this.u.tu_now, nowS);
      gl.uniform1f(this.u.tu_trail, trailS);
      gl.uniform3fv(this.u.tu_cls, this.cls);
      gl.uniform3fv(this.u.tu_peer, this.peer);
      gl.bindVertexArray(this.tVao);
      gl.drawArrays(gl.LINES, 0, this.segN * 2);
    }
    if (this.nSlots) {
      gl.useProgram(this.pProg);
      gl.uniformMatrix3fv(this.u.pu_m, false, m);
      gl.uniform1f(this.u.pu_size, size * pr);
      gl.uniform1f(this.u.pu_rot, fs.viewState.rotation);
      gl.uniform3fv(this.u.pu_cls, this.cls);
      gl.uniform3fv(this.u.pu_peer, this.peer);
      gl.bindVertexArray(this.pVao);
      gl.drawArrays(gl.POINTS, 0, this.nSlots);
    }
    gl.bindVertexArray(null);
  }
}
