// The still picture, drawn in the stream worker (where the track table is)
// on an OffscreenCanvas, for a machine without a GPU (WebGL on a software
// rasteriser such as SwiftShader).
//
// Why here: there every WebGL drawing is rasterised on the CPU and read
// back for the compositor; drawn on the page, the page's main thread waited
// for that at its next frame (LayerTreeHost::DoUpdateLayers ->
// GLES2::ReadPixels, ~0.6 s for 50,000 symbols and a million trail
// segments), so the map stopped while the tracks were drawn. Here the
// worker draws, waits for the rasteriser without blocking (a fence polled
// from its event loop, so it keeps reading the stream meanwhile), and
// posts the picture as an ImageBitmap with the view it was drawn for; the
// page shows it and, until the next one, only moves and scales it with a
// CSS transform to follow the view (map/gl.js, RemotePicture). The page
// sends its view at each of its frames (setView).
//
// When: again when the view or the data changed, or a step of the
// trails' picture is due (below),
// one picture at a time (the next when the page has shown the last): at
// once when the view comes to rest or when the last drawing was cheap
// (under CHEAP_MS from its beginning to the page's showing it: a report's
// symbol then waits no fixed floor), else GAP after the previous one began
// (1.5 times the last drawing's cost, at most GAP_MAX: a costly drawing's
// rasteriser takes the machine's cores from the page's frames, and GAP_MAX
// keeps a report's symbol within a second).
//
// Cheaper: below COARSE_ZOOM the trails are the coarse ring (a point a
// minute) and each track's head segment, not the 5 s ring, whose segments
// are under a pixel there (and not drawn at all by the rasteriser, while
// still costing it their vertices).
//
// Fewer pixels: below COARSE_ZOOM a picture of more than LOW_RES_N
// (20,000) symbols is drawn at LOW_RES (0.7) of the page's pixel ratio —
// half the pixels, the trails' texture too — and the page scales it to
// its CSS size. The picture's cost is mostly per pixel (clearing,
// compositing the trails, the trails' step, reading back): at 50,000,
// measured by builds each leaving a part out (load 5-11, one run each), a
// picture 0.63-0.66 s instead of 1.03-1.39 s, while symbols 0.75 times as
// large gained nothing; alternated with the build before (two sets of 3
// runs each, load 7-11) 0.59-1.14 s against 0.63-1.12 s, the GPU process's
// CPU a picture about a fifth less, p50 lower, but p99 2.0-3.5 s against
// 1.9-3.4 s: not improved (docs/console.md). The symbols are
// slightly blurred there, where 50,000 overlap anyway; classes stay apart
// by colour and shape.
//
// The trails' own picture: a report's latency is the symbols', so a
// picture draws only the symbols (nSlots points) over the trails' picture,
// a texture drawn less often and composited under them as one quad moved
// from the view it was drawn for to the picture's (a zoom scales it until
// the next). The trails' picture is drawn again TRAIL_MS (2 s) after the
// last began, TRAIL_MOVING_MS (1 s) after it while the view moves away
// from it, at once (begun, or begun again) when the view came to rest
// elsewhere; into the other of two textures (the shown one stays until
// it is done), in up to TRAIL_STEPS (3) steps of at least TRAIL_CHUNK (100,000) segments, one
// step per symbols' picture — so no picture carries all the segments, and
// the trails are at most about three pictures plus 2 s old (their
// fading, their heads). The first (trails switched on, a new context) is
// drawn whole. Measured at 50,000 with trails (bench_console, load 6-11,
// alternated with the build before, 6 runs each): a picture 0.76-1.51 s
// instead of 1.45-2.33 s, p99 2.2-4.9 s instead of 4.1-6.1 s
// (docs/console.md); the symbols' picture is now nearly all of it.
import { GlCore, clipMatrix, rendererOf, isSoftware } from '../map/gl.js';

export const MARGIN = 0.15; /* the picture is this much larger than the view on each side */
/* a picture of more than LOW_RES_N symbols is drawn at LOW_RES of the
 * page's pixel ratio (see the header) */
export const LOW_RES_N = 20000;
export const LOW_RES = 0.7;
const CHEAP_MS = 120;
const GAP_MAX = 500;
export const COARSE_ZOOM = 7;
const LOST_MS = 3000;
/* the trails' own picture (see above): drawn again TRAIL_MS after the last
 * one began, or TRAIL_MOVING_MS after it while the view moves away from it
 * (at once when the view comes to rest elsewhere), in steps of at least
 * TRAIL_CHUNK segments and at most TRAIL_STEPS steps */
const TRAIL_MS = 2000;
const TRAIL_MOVING_MS = 1000;
const TRAIL_CHUNK = 100000;
const TRAIL_STEPS = 3;

const VS_QUAD = `#version 300 es
in vec2 a_pos;
in vec2 a_uv;
uniform mat3 u_m;
out vec2 v_uv;
void main() {
  vec3 c = u_m * vec3(a_pos, 1.0);
  gl_Position = vec4(c.xy, 0.0, 1.0);
  v_uv = a_uv;
}`;
const FS_QUAD = `#version 300 es
precision mediump float;
uniform sampler2D u_tex;
in vec2 v_uv;
out vec4 o;
void main() { o = texture(u_tex, v_uv); }`;

function program(gl, vs, fs) {
  const prog = gl.createProgram();
  for (const [type, src] of [[gl.VERTEX_SHADER, vs], [gl.FRAGMENT_SHADER, fs]]) {
    const sh = gl.createShader(type);
    gl.shaderSource(sh, src);
    gl.compileShader(sh);
    if (!gl.getShaderParameter(sh, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(sh));
    gl.attachShader(prog, sh);
  }
  gl.linkProgram(prog);
  if (!gl.getProgramParameter(prog, gl.LINK_STATUS)) throw new Error(gl.getProgramInfoLog(prog));
  return prog;
}

/* the world point (EPSG:3857) at pixel (px, py) of the view's transform T */
function unproject(T, px, py) {
  const det = T[0] * T[3] - T[1] * T[2];
  const u = px - T[4];
  const w = py - T[5];
  return [(T[3] * u - T[2] * w) / det, (-T[1] * u + T[0] * w) / det];
}

/* the trails' picture of view a serves view b as it is (no step to draw again) */
const sameTrailView = (a, b) => a.w === b.w && a.h === b.h && a.pr === b.pr && a.rot === b.rot &&
  a.T.every((v, i) => v === b.T[i]) && a.cls.every((v, i) => v === b.cls[i]) && a.peer.every((v, i) => v === b.peer[i]);

const sameView = (a, b) => a.w === b.w && a.h === b.h && a.pr === b.pr && a.rot === b.rot && a.trails === b.trails &&
  a.size === b.size && a.T.every((v, i) => v === b.T[i]) && a.cls.every((v, i) => v === b.cls[i]) &&
  a.peer.every((v, i) => v === b.peer[i]);

export class Picture {
  /** src: {fine, coarse: Ring; table(): {pts, nSlots, heads, headsDirty, rev, ox, oy, nowS, trailS}; headsTaken()};
   * send(msg, transfer): to the page. Throws when the worker has no WebGL2. */
  constructor(src, send) {
    this.src = src;
    this.send = send;
    this.canvas = new OffscreenCanvas(1, 1);
    /* A lost context (the GPU process restarted, the driver reset) is
     * waited for (preventDefault asks for it back), then everything is
     * uploaded again and drawn; one not back within LOST_MS ends the
     * worker's picture: onGone() (the page then draws the tracks). */
    this.gen = 0; /* bumped at each setup: a drawing of an older context is forgotten */
    this.gone = false;
    this.onGone = () => {};
    this.canvas.addEventListener('webglcontextlost', (e) => {
      e.preventDefault();
      this.lost = true;
      this.busy = false;
      clearTimeout(this.timer);
      clearTimeout(this.lostTimer);
      this.lostTimer = setTimeout(() => { if (this.lost && !this.gone) { this.gone = true; this.onGone(); } }, LOST_MS);
    });
    this.canvas.addEventListener('webglcontextrestored', () => {
      clearTimeout(this.lostTimer);
      if (this.gone) return;
      this.lost = false;
      this.setup();
      this.drawnView = null; /* drawn again at once */
      this.schedule();
    });
    this.lostTimer = 0;
    this.setup();
    this.view = null;
    this.drawnView = null;
    this.drawnRev = -1;
    this.busy = false;
    this.at = 0; /* when the last drawing began */
    this.cost = 0; /* from its beginning to the page's showing it */
    this.timer = 0;
    this.lost = false;
    this.drawings = 0;
  }

  setup() {
    const gl = this.canvas.getContext('webgl2', { antialias: false, depth: false, stencil: false, preserveDrawingBuffer: false });
    if (!gl) throw new Error('WebGL2 unavailable in the worker');
    this.gl = gl;
    this.renderer = rendererOf(gl);
    this.software = isSoftware(this.renderer);
    this.core = new GlCore(gl);
    const { fine, coarse } = this.src;
    this.fineR = this.core.ring(fine.cap);
    this.coarseR = this.core.ring(coarse.cap);
    this.headR = null;
    this.headsAll = true;
    fine.follow('gpu', true);
    coarse.follow('gpu', true);
    /* the trails' pictures: two textures (the one shown, the one being drawn) */
    this.qProg = program(gl, VS_QUAD, FS_QUAD);
    this.qM = gl.getUniformLocation(this.qProg, 'u_m');
    this.qBuf = gl.createBuffer();
    this.qVao = gl.createVertexArray();
    gl.bindVertexArray(this.qVao);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.qBuf);
    gl.bufferData(gl.ARRAY_BUFFER, 16 * 4, gl.DYNAMIC_DRAW);
    for (const [name, off] of [['a_pos', 0], ['a_uv', 8]]) {
      const loc = gl.getAttribLocation(this.qProg, name);
      gl.enableVertexAttribArray(loc);
      gl.vertexAttribPointer(loc, 2, gl.FLOAT, false, 16, off);
    }
    gl.bindVertexArray(null);
    this.tl = [0, 1].map(() => ({ tex: gl.createTexture(), fbo: gl.createFramebuffer(), w: 0, h: 0 }));
    this.tlDone = null; /* the trails' picture shown: {i (its texture), v, at, nowS, corners (world, with uv)} */
    this.tlJob = null; /* the one being drawn: the same, with m, parts (segments left), chunk */
    this.tlDrawings = 0;
    this.busy = false;
    this.gen++;
  }

  /** (tests) lose the context as a driver reset would; restoreMs >= 0: give it back after that long */
  loseContext(restoreMs) {
    const ext = this.gl.getExtension('WEBGL_lose_context');
    if (!ext) return false;
    ext.loseContext();
    if (restoreMs >= 0) setTimeout(() => ext.restoreContext(), restoreMs);
    return true;
  }

  /** The page's view: {T, w, h (CSS pixels), pr, rot, moving, trails, size, cls, peer}; null: none wanted (a hidden page). */
  setView(v) {
    this.view = v;
    if (!v) clearTimeout(this.timer);
    this.schedule();
  }

  /** The page has shown the last picture. */
  shown() {
    this.cost = performance.now() - this.at;
    this.busy = false;
    this.schedule();
  }

  schedule() {
    const v = this.view;
    if (!v || this.busy || this.lost || this.gone) return;
    const now = performance.now();
    const viewStale = !this.drawnView || !sameView(v, this.drawnView);
    const trailsDue = this.trailsDue(v, now);
    const stale = viewStale || this.src.table().rev !== this.drawnRev || trailsDue;
    clearTimeout(this.timer);
    if (!stale) {
      /* nothing else changing: the trails' picture again TRAIL_MS after the last (their fading, their heads) */
      if (v.trails && this.tlDone) this.timer = setTimeout(() => this.schedule(), Math.max(16, TRAIL_MS - (now - this.tlDone.at)));
      return;
    }
    const gap = this.cost < CHEAP_MS ? 0 : Math.min(GAP_MAX, 1.5 * this.cost);
    const wait = viewStale && !v.moving ? 0 : gap - (now - this.at);
    if (wait > 0) { this.timer = setTimeout(() => this.schedule(), wait); return; }
    this.draw(v);
  }

  /** Whether a drawing now would draw (a step of) the trails' picture. */
  trailsDue(v, now) {
    if (!v.trails) return false;
    if (this.tlJob) return true;
    const d = this.tlDone;
    if (!d) return true;
    if (!sameTrailView(v, d.v) && (!v.moving || now - d.at >= TRAIL_MOVING_MS)) return true;
    return now - d.at >= TRAIL_MS;
  }

  /** A step of the trails' picture into its texture (a new one begun when due; all of it when none is shown). */
  trailStep(v, t, now, geo) {
    const gl = this.gl;
    if (!v.trails) { this.tlJob = null; this.tlDone = null; return; }
    /* the view came to rest elsewhere than the one being drawn is for: begun again for it */
    if (this.tlJob && !v.moving && !sameTrailView(v, this.tlJob.v)) this.tlJob = null;
    if (!this.tlJob && this.trailsDue(v, now)) {
      const { w, h, cssW, cssH, mx, my, coarse } = geo;
      const parts = coarse ? [[this.coarseR, 0, this.src.coarse.n], [this.headR, 0, t.nSlots]] : [[this.fineR, 0, this.src.fine.n]];
      const total = parts.reduce((a, p) => a + p[2], 0);
      const i = this.tlDone ? 1 - this.tlDone.i : 0;
      /* the picture's corners in the world (absolute: the origin may move), with the texture's coordinates */
      const corners = [[-mx, -my, 0, 1], [cssW - mx, -my, 1, 1], [-mx, cssH - my, 0, 0], [cssW - mx, cssH - my, 1, 0]]
        .map(([px, py, u, q]) => [...unproject(v.T, px, py), u, q]);
      this.tlJob = {
        i, v, at: now, nowS: t.nowS, corners, w, h, m: geo.m, parts, first: true,
        chunk: this.tlDone ? Math.max(TRAIL_CHUNK, Math.ceil(total / TRAIL_STEPS)) : Infinity,
      };
      const k = this.tl[i];
      if (k.w !== w || k.h !== h) {
        gl.bindTexture(gl.TEXTURE_2D, k.tex);
        gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, w, h, 0, gl.RGBA, gl.UNSIGNED_BYTE, null);
        gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.LINEAR);
        gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.LINEAR);
        gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
        gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
        gl.bindFramebuffer(gl.FRAMEBUFFER, k.fbo);
        gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, k.tex, 0);
        k.w = w;
        k.h = h;
      }
    }
    const j = this.tlJob;
    if (!j) return;
    const k = this.tl[j.i];
    gl.bindFramebuffer(gl.FRAMEBUFFER, k.fbo);
    gl.viewport(0, 0, k.w, k.h);
    if (j.first) {
      gl.clearColor(0, 0, 0, 0);
      gl.clear(gl.COLOR_BUFFER_BIT);
      j.first = false;
    }
    /* the next chunk of segments, in the rings' order (a ring written meanwhile: the next picture heals it) */
    let left = j.chunk;
    const step = [];
    while (left > 0 && j.parts.length) {
      const p = j.parts[0];
      const n = Math.min(left, p[2]);
      step.push([p[0], p[1], n]);
      p[1] += n;
      p[2] -= n;
      left -= n;
      if (p[2] <= 0) j.parts.shift();
    }
    this.core.segments(j.m, step, { nowS: j.nowS, trailS: t.trailS, cls: j.v.cls, peer: j.v.peer });
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    if (!j.parts.length) {
      this.tlDone = j;
      this.tlJob = null;
      this.tlDrawings++;
    }
  }

  /** The trails' picture shown, moved to matrix m (world relative to the origin ox, oy -> clip space). */
  trailComposite(m, ox, oy) {
    const d = this.tlDone;
    if (!d) return;
    const gl = this.gl;
    const q = new Float32Array(16);
    d.corners.forEach(([x, y, u, w], i) => q.set([x - ox, y - oy, u, w], 4 * i));
    gl.bindBuffer(gl.ARRAY_BUFFER, this.qBuf);
    gl.bufferSubData(gl.ARRAY_BUFFER, 0, q);
    gl.useProgram(this.qProg);
    gl.uniformMatrix3fv(this.qM, false, m);
    gl.activeTexture(gl.TEXTURE0);
    gl.bindTexture(gl.TEXTURE_2D, this.tl[d.i].tex);
    gl.enable(gl.BLEND);
    gl.blendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA);
    gl.bindVertexArray(this.qVao);
    gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
    gl.bindVertexArray(null);
  }

  upload(t) {
    const core = this.core;
    core.points(t.pts, t.nSlots);
    for (const [ring, r] of [[this.src.fine, this.fineR], [this.src.coarse, this.coarseR]]) {
      if (!ring.dirty('gpu')) continue;
      const d = ring.take('gpu', false);
      for (const [first, a] of d.runs) core.ringWrite(r, first, a);
      if (d.kill.length) core.ringKill(r, d.kill);
    }
    if (!this.headR || this.headR.cap < t.nSlots) {
      this.headR = core.ring(Math.max(1024, t.nSlots * 2));
      this.headsAll = true;
    }
    if (t.headsDirty || this.headsAll) {
      core.ringWrite(this.headR, 0, t.heads, 0, t.nSlots * 8);
      this.src.headsTaken();
      this.headsAll = false;
    }
  }

  draw(v) {
    const gl = this.gl;
    const t = this.src.table();
    this.busy = true;
    this.at = performance.now();
    this.drawings++;
    const cssW = Math.round(v.w * (1 + 2 * MARGIN));
    const cssH = Math.round(v.h * (1 + 2 * MARGIN));
    const zoom = Math.log2(156543.03392804097 * Math.hypot(v.T[0], v.T[1]));
    const coarse = zoom < COARSE_ZOOM;
    /* many symbols at a low zoom: fewer pixels (the page scales the picture to cssW x cssH) */
    const pr = coarse && t.nSlots > LOW_RES_N ? LOW_RES * v.pr : v.pr;
    const w = Math.round(cssW * pr);
    const h = Math.round(cssH * pr);
    if (this.canvas.width !== w || this.canvas.height !== h) { this.canvas.width = w; this.canvas.height = h; }
    this.upload(t);
    const mx = v.w * MARGIN;
    const my = v.h * MARGIN;
    const m = clipMatrix(v.T, t.ox, t.oy, mx, my, cssW, cssH);
    this.trailStep(v, t, this.at, { w, h, cssW, cssH, mx, my, m, coarse });
    gl.viewport(0, 0, w, h);
    gl.clearColor(0, 0, 0, 0);
    gl.clear(gl.COLOR_BUFFER_BIT);
    if (v.trails) this.trailComposite(m, t.ox, t.oy);
    this.core.symbols(m, { nSlots: t.nSlots, size: v.size * pr, rot: v.rot, cls: v.cls, peer: v.peer });
    this.drawnView = v;
    this.drawnRev = t.rev;
    const sample = t.takeSample();
    const seq = t.seq;
    const issueMs = performance.now() - this.at;
    const fence = gl.fenceSync(gl.SYNC_GPU_COMMANDS_COMPLETE, 0);
    gl.flush();
    /* the rasteriser's work is done when the fence is: polled, so that the stream is read meanwhile */
    const gen = this.gen;
    const check = () => {
      if (this.lost || gen !== this.gen) return;
      if (gl.getSyncParameter(fence, gl.SYNC_STATUS) !== gl.SIGNALED) { setTimeout(check, 4); return; }
      gl.deleteSync(fence);
      const rasterMs = performance.now() - this.at;
      const bitmap = this.canvas.transferToImageBitmap();
      this.send({ type: 'picture', bitmap, T: v.T, mx, my, cssW, cssH, seq, sample, coarse, issueMs, rasterMs, drawMs: performance.now() - this.at, cost: this.cost }, [bitmap]);
    };
    setTimeout(check, 4);
  }
}
