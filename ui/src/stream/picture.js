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
// When: again when the view, the data or the trails' fading (5 s) changed,
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
import { GlCore, clipMatrix, rendererOf, isSoftware } from '../map/gl.js';

export const MARGIN = 0.15; /* the picture is this much larger than the view on each side */
const CHEAP_MS = 120;
const GAP_MAX = 500;
export const COARSE_ZOOM = 7;
const LOST_MS = 3000;

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
    const stale = viewStale || this.src.table().rev !== this.drawnRev || (v.trails && now - this.at > 5000);
    if (!stale) return;
    const gap = this.cost < CHEAP_MS ? 0 : Math.min(GAP_MAX, 1.5 * this.cost);
    const wait = viewStale && !v.moving ? 0 : gap - (now - this.at);
    clearTimeout(this.timer);
    if (wait > 0) { this.timer = setTimeout(() => this.schedule(), wait); return; }
    this.draw(v);
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
    const w = Math.round(cssW * v.pr);
    const h = Math.round(cssH * v.pr);
    if (this.canvas.width !== w || this.canvas.height !== h) { this.canvas.width = w; this.canvas.height = h; }
    this.upload(t);
    const mx = v.w * MARGIN;
    const my = v.h * MARGIN;
    const m = clipMatrix(v.T, t.ox, t.oy, mx, my, cssW, cssH);
    const zoom = Math.log2(156543.03392804097 * Math.hypot(v.T[0], v.T[1]));
    const coarse = zoom < COARSE_ZOOM;
    const rings = !v.trails ? [] : coarse ? [[this.coarseR, this.src.coarse.n], [this.headR, t.nSlots]] : [[this.fineR, this.src.fine.n]];
    gl.viewport(0, 0, w, h);
    this.core.draw(m, { rings, nSlots: t.nSlots, nowS: t.nowS, trailS: t.trailS, size: v.size * v.pr, rot: v.rot, cls: v.cls, peer: v.peer });
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
