// The still picture, drawn in the stream worker (where the track table is)
// for a machine without a GPU (WebGL on a software rasteriser such as
// SwiftShader).
//
// Why here: there every WebGL drawing is rasterised on the CPU and read
// back for the compositor; drawn on the page, the page's main thread waited
// for that at its next frame (LayerTreeHost::DoUpdateLayers ->
// GLES2::ReadPixels, ~0.6 s for 50,000 symbols and a million trail
// segments), so the map stopped while the tracks were drawn. Here the
// worker draws and posts the picture as an ImageBitmap with the view it
// was drawn for; the page shows it and, until the next one, only moves and
// scales it with a CSS transform to follow the view (map/gl.js,
// RemotePicture). The page sends its view at each of its frames (setView).
//
// The symbols in JavaScript (since 5 December, stream/raster.js): a
// picture is a pixel buffer in the worker — the trails' picture (below)
// warped to its view, each symbol's sprite copied over it — put into a 2D
// OffscreenCanvas and posted. SwiftShader took 0.35-0.46 s a picture on a
// quiet machine (the symbols' gl.POINTS, clearing, compositing the trails,
// reading back), in the GPU process's queue behind the trails' drawing; a
// report waited for the next picture to begin and then for all of that
// (p99 0.87-1.29 s at 50,000). Now a picture costs the worker tens of ms
// (docs/console.md), nothing of the GPU process, and waits for nothing.
//
// When: again when the view or the data changed, or a new trails' picture
// came, one picture at a time (the next when the page has shown the last):
// at once when the view comes to rest, else GAP after the previous one
// began (twice the last one's cost from its beginning to the page's
// showing it, within [GAP_MIN, GAP_MAX]: the worker also reads the stream,
// and the page's main thread shows each picture).
//
// Fewer pixels: below COARSE_ZOOM a picture of more than LOW_RES_N
// (20,000) symbols is drawn at LOW_RES (0.7) of the page's pixel ratio —
// half the pixels, the trails' too — and the page scales it to its CSS
// size (a picture's cost is mostly per pixel: clearing, the trails, the
// put). The symbols are slightly blurred there, where 50,000 overlap
// anyway; classes stay apart by colour and shape.
//
// The trails' own picture stays WebGL's (segments are many, a software
// rasteriser draws lines well enough): drawn into a texture for the view
// of its time, read back (a pixel-pack buffer, taken when a fence polled
// from the event loop says the rasteriser is done, so the worker reads the
// stream meanwhile), and warped under each symbols' picture until the
// next (a zoom scales it). It is drawn again TRAIL_MS (2 s) after the last
// began, TRAIL_MOVING_MS (1 s) after it while the view moves away from it,
// at once when the view came to rest elsewhere; one at a time, whole
// (it no longer delays a symbol). Below COARSE_ZOOM the trails are the
// coarse ring (a point a minute) and each track's head segment, not the 5 s
// ring, whose segments are under a pixel there.
import { GlCore, clipMatrix, rendererOf, isSoftware } from '../map/gl.js';
import { Sprites, drawSymbols, warp, invert, compose, worldToPicture, fromReadBack } from './raster.js';

export const MARGIN = 0.15; /* the picture is this much larger than the view on each side */
/* a picture of more than LOW_RES_N symbols is drawn at LOW_RES of the
 * page's pixel ratio (see the header) */
export const LOW_RES_N = 20000;
export const LOW_RES = 0.7;
/* the next picture GAP after the last began: GAP_K times its cost, within [GAP_MIN, GAP_MAX]
 * (1.25 and 400 ms tried: under load the worker then fell behind the stream) */
const GAP_MIN = 100;
const GAP_K = 2;
const GAP_MAX = 500;
export const COARSE_ZOOM = 7;
const LOST_MS = 3000;
/* the trails' own picture (see above): drawn again TRAIL_MS after the last
 * one began, or TRAIL_MOVING_MS after it while the view moves away from it
 * (at once when the view comes to rest elsewhere) */
const TRAIL_MS = 2000;
const TRAIL_MOVING_MS = 1000;

/* the trails' picture of view a serves view b as it is (no need to draw it again) */
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
    this.canvas = new OffscreenCanvas(1, 1); /* WebGL: the trails */
    if (!new OffscreenCanvas(1, 1).getContext('2d')) throw new Error('no 2D canvas in the worker');
    this.buf = null; /* the picture's pixels (Uint32Array), this.img its ImageData */
    this.sprites = null;
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
      this.tlJob = null;
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
    this.drawnTl = -1;
    this.busy = false;
    this.at = 0; /* when the last drawing began */
    this.cost = 0; /* from its beginning to the page's showing it */
    this.timer = 0;
    this.lost = false;
    this.drawings = 0;
    this.errors = 0;
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
    /* the trails' picture: drawn into a texture, read back (a pixel-pack buffer) */
    this.tl = { tex: gl.createTexture(), fbo: gl.createFramebuffer(), pbo: gl.createBuffer(), w: 0, h: 0 };
    this.tlDone = null; /* the trails' picture shown: {v, at, P (world -> its pixels), w, h, px (Uint32Array)} */
    this.tlJob = null; /* the one being drawn */
    this.tlSeq = 0; /* trails' pictures done */
    this.tlDrawings = 0;
    this.tlRead = null;
    this.tlPx = null;
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
    if (!v || this.lost || this.gone) return;
    const now = performance.now();
    if (v.trails && !this.tlJob && this.trailsDue(v, now)) this.trailsBegin(v, this.src.table(), now);
    if (this.busy) return;
    const viewStale = !this.drawnView || !sameView(v, this.drawnView);
    const stale = viewStale || this.src.table().rev !== this.drawnRev || (v.trails && this.tlSeq !== this.drawnTl);
    clearTimeout(this.timer);
    if (!stale) {
      /* nothing else changing: the trails' picture again TRAIL_MS after the last (their fading, their heads) */
      if (v.trails && this.tlDone && !this.tlJob) this.timer = setTimeout(() => this.schedule(), Math.max(16, TRAIL_MS - (now - this.tlDone.at)));
      return;
    }
    const gap = Math.min(GAP_MAX, Math.max(GAP_MIN, GAP_K * this.cost));
    const wait = viewStale && !v.moving ? 0 : gap - (now - this.at);
    if (wait > 0) { this.timer = setTimeout(() => this.schedule(), wait); return; }
    /* a picture that fails (a value the table should not hold) is counted
     * and skipped; it never ends the stream (draw() runs in its reader) */
    try {
      this.draw(v);
    } catch {
      this.busy = false;
      this.errors++;
    }
  }

  /** Whether the trails' picture is to be drawn again. */
  trailsDue(v, now) {
    const d = this.tlDone;
    if (!d) return true;
    if (!sameTrailView(v, d.v) && (!v.moving || now - d.at >= TRAIL_MOVING_MS)) return true;
    return now - d.at >= TRAIL_MS;
  }

  /** The picture's size and scale for view v: CSS size (cssW x cssH, the
   * view's (0, 0) at (mx, my)), device pixels (w x h, pr a CSS pixel). */
  geometry(v, t) {
    const cssW = Math.round(v.w * (1 + 2 * MARGIN));
    const cssH = Math.round(v.h * (1 + 2 * MARGIN));
    const zoom = Math.log2(156543.03392804097 * Math.hypot(v.T[0], v.T[1]));
    const coarse = zoom < COARSE_ZOOM;
    /* many symbols at a low zoom: fewer pixels (the page scales the picture to cssW x cssH) */
    const pr = coarse && t.nSlots > LOW_RES_N ? LOW_RES * v.pr : v.pr;
    return { cssW, cssH, coarse, pr, w: Math.round(cssW * pr), h: Math.round(cssH * pr), mx: v.w * MARGIN, my: v.h * MARGIN };
  }

  /** The rings' and heads' changes to the GPU. */
  upload(t) {
    const core = this.core;
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

  /** The trails' picture for view v begun (WebGL: drawn into the texture,
   * read back into the pixel-pack buffer); when the rasteriser is done
   * (a fence polled from the event loop) its pixels are taken (tlDone)
   * and the symbols' picture drawn over them again. */
  trailsBegin(v, t, now) {
    const gl = this.gl;
    const g = this.geometry(v, t);
    const { w, h } = g;
    this.upload(t);
    const k = this.tl;
    if (k.w !== w || k.h !== h) {
      gl.bindTexture(gl.TEXTURE_2D, k.tex);
      gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, w, h, 0, gl.RGBA, gl.UNSIGNED_BYTE, null);
      gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
      gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
      gl.bindFramebuffer(gl.FRAMEBUFFER, k.fbo);
      gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, k.tex, 0);
      gl.bindBuffer(gl.PIXEL_PACK_BUFFER, k.pbo);
      gl.bufferData(gl.PIXEL_PACK_BUFFER, w * h * 4, gl.STREAM_READ);
      gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null);
      k.w = w;
      k.h = h;
    }
    gl.bindFramebuffer(gl.FRAMEBUFFER, k.fbo);
    gl.viewport(0, 0, w, h);
    gl.clearColor(0, 0, 0, 0);
    gl.clear(gl.COLOR_BUFFER_BIT);
    /* upside down (row 0 at the top), as the picture's pixels are */
    const m = clipMatrix(v.T, t.ox, t.oy, g.mx, g.my, g.cssW, g.cssH, true);
    const parts = g.coarse ? [[this.coarseR, 0, this.src.coarse.n], [this.headR, 0, t.nSlots]] : [[this.fineR, 0, this.src.fine.n]];
    this.core.segments(m, parts, { nowS: t.nowS, trailS: t.trailS, cls: v.cls, peer: v.peer });
    gl.bindBuffer(gl.PIXEL_PACK_BUFFER, k.pbo);
    gl.readPixels(0, 0, w, h, gl.RGBA, gl.UNSIGNED_BYTE, 0);
    gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null);
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    const fence = gl.fenceSync(gl.SYNC_GPU_COMMANDS_COMPLETE, 0);
    gl.flush();
    const job = (this.tlJob = { v, at: now, w, h, P: worldToPicture(v.T, 0, 0, g.mx, g.my, g.pr), segs: parts.reduce((a, p) => a + p[2], 0) });
    const gen = this.gen;
    const check = () => {
      if (this.lost || gen !== this.gen || this.tlJob !== job) return;
      if (gl.getSyncParameter(fence, gl.SYNC_STATUS) !== gl.SIGNALED) { setTimeout(check, 4); return; }
      gl.deleteSync(fence);
      if (!this.tlRead || this.tlRead.length !== w * h * 4) {
        this.tlRead = new Uint8Array(w * h * 4);
        this.tlPx = new Uint32Array(w * h);
      }
      gl.bindBuffer(gl.PIXEL_PACK_BUFFER, k.pbo);
      gl.getBufferSubData(gl.PIXEL_PACK_BUFFER, 0, this.tlRead);
      gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null);
      fromReadBack(this.tlRead, w, h, this.tlPx);
      job.px = this.tlPx;
      job.ms = performance.now() - job.at;
      this.tlDone = job;
      this.tlJob = null;
      this.tlSeq++;
      this.tlDrawings++;
      this.schedule();
    };
    setTimeout(check, 4);
  }

  draw(v) {
    const t = this.src.table();
    this.busy = true;
    this.at = performance.now();
    const atEpoch = Date.now();
    this.drawings++;
    const g = this.geometry(v, t);
    const { w, h, pr, mx, my } = g;
    if (!this.buf || this.img.width !== w || this.img.height !== h) {
      this.buf = new Uint32Array(w * h);
      this.img = new ImageData(new Uint8ClampedArray(this.buf.buffer), w, h);
    } else this.buf.fill(0);
    /* the trails' picture, moved to this one */
    const tFill = performance.now() - this.at;
    const d = this.tlDone;
    let tlSegs = 0;
    if (v.trails && d) {
      warp(this.buf, w, h, d.px, d.w, d.h, compose(d.P, invert(worldToPicture(v.T, 0, 0, mx, my, pr))));
      if (this.tlSeq !== this.drawnTl) tlSegs = d.segs;
    }
    const tWarp = performance.now() - this.at;
    const S = v.size * pr;
    if (!this.sprites || this.sprites.key !== Sprites.key(S, v.cls, v.peer)) this.sprites = new Sprites(S, v.rot, v.cls, v.peer);
    this.sprites.rot = v.rot;
    drawSymbols(this.buf, w, h, t.pts, t.nSlots, worldToPicture(v.T, t.ox, t.oy, mx, my, pr), this.sprites);
    const issueMs = performance.now() - this.at;
    /* a new canvas each time: its bitmap came sooner than from one whose
     * last bitmap was taken (a throwaway worker page, 1,560 x 1,089
     * pixels, load 9-11, medians of 5 runs: 38 against 53 ms) */
    const out = new OffscreenCanvas(w, h);
    out.getContext('2d').putImageData(this.img, 0, 0);
    const tPut = performance.now() - this.at;
    const bitmap = out.transferToImageBitmap();
    this.drawnView = v;
    this.drawnRev = t.rev;
    this.drawnTl = this.tlSeq;
    const sample = t.takeSample();
    const drawMs = performance.now() - this.at;
    this.send({
      type: 'picture', bitmap, T: v.T, mx, my, cssW: g.cssW, cssH: g.cssH, seq: t.seq, sample, coarse: g.coarse, atEpoch, tlSegs,
      tlMs: d ? d.ms : 0, parts: [tFill, tWarp, issueMs, tPut, drawMs], issueMs, rasterMs: issueMs, drawMs, cost: this.cost,
    }, [bitmap]);
  }
}
