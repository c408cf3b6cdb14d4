// The stream worker's pure parts (ui/src/stream/sse.js), in node: the SSE
// parser on split and odd input, the spans of a `tracks` event's objects,
// the Mercator projection against ol's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SseParser, arraySpans, tracksSpans, mercator } from '../src/stream/sse.js';
import { fromLonLat } from 'ol/proj.js';

function parseAll(chunks) {
  const out = [];
  const retries = [];
  const p = new SseParser((n, d) => out.push([n, d]), (ms) => retries.push(ms));
  for (const c of chunks) p.push(c);
  return { out, retries };
}

test('SSE: events, comments, retry, several data lines, any line ends, any split', () => {
  const text = ': hello\r\nretry: 2000\r\n\r\nevent: tracks\ndata: {"a":1}\n\nevent:alert\r\ndata: x\r\ndata:y\r\n\r\ndata\n\n: ping\n\n';
  const want = [['tracks', '{"a":1}'], ['alert', 'x\ny'], ['message', '']];
  for (let cut = 0; cut <= text.length; cut++) {
    const { out, retries } = parseAll([text.slice(0, cut), text.slice(cut)]);
    assert.deepEqual(out, want, `cut at ${cut}`);
    assert.deepEqual(retries, [2000]);
  }
  /* byte by byte */
  assert.deepEqual(parseAll([...text]).out, want);
  /* an event not ended yet is not dispatched */
  assert.deepEqual(parseAll(['event: track\ndata: {}\n']).out, []);
});

test('spans: the tracks array of a `tracks` event, strings with brackets and escapes', () => {
  const tracks = [
    { id: 1, callsign: 'A}]{[', lat: 1.5 },
    { id: 2, sources: { 'peer:X': 1 }, hist: [[1, 2], [3, 4]], q: 'say \\"hi\\" ]' },
    { id: 3, text: 'кириллица' },
  ];
  const s = JSON.stringify({ now_ms: 5, tracks });
  const sp = tracksSpans(s);
  assert.equal(sp.length, 6);
  for (let i = 0; i < 3; i++) assert.deepEqual(JSON.parse(s.slice(sp[2 * i], sp[2 * i + 1])), tracks[i]);
  assert.deepEqual(tracksSpans('{"now_ms":1,"tracks":[]}'), []);
  assert.deepEqual(tracksSpans('{"now_ms":1, "tracks" : [ {"id":1} , {"id":2} ] }'), null, 'a space before the colon: not this writer');
  const sp2 = '{"now_ms":1,"tracks": [ {"id":1} , {"id":2} ] }';
  const a = sp2.indexOf('{"id":1}');
  const b = sp2.indexOf('{"id":2}');
  assert.deepEqual(tracksSpans(sp2), [a, a + 8, b, b + 8]);
  assert.equal(tracksSpans('{"now_ms":1,"tracks":[{"id":1}'), null, 'cut short');
  assert.equal(tracksSpans('{"now_ms":1}'), null);
  assert.deepEqual(arraySpans('[1, "x", {"a":[1]}, [2]]', 0), [9, 18, 20, 23]);
});

test('mercator: as ol fromLonLat', () => {
  for (const [lon, lat] of [[0, 0], [15, 56], [-179.9, -60], [30.5, 85.05], [10, 89.9], [-20, -89]]) {
    const a = mercator(lon, lat, [0, 0]);
    const b = fromLonLat([lon, lat]);
    assert.ok(Math.abs(a[0] - b[0]) < 1e-6 && Math.abs(a[1] - b[1]) < 1e-6 * Math.max(1, Math.abs(b[1])), `${lon},${lat}: ${a} vs ${b}`);
  }
});

test('the trail ring: each reader takes what changed since its last take, across the wrap', async () => {
  const { Ring, SEG_FLOATS } = await import('../src/stream/ring.js');
  const r = new Ring(4, ['page', 'gpu']);
  r.follow('gpu', false);
  let d = r.take('page', true);
  assert.equal(d.clear, true);
  assert.equal(d.runs.length, 0);
  for (let i = 0; i < 3; i++) r.add(i, 0, i + 1, 0, i, 0, 7);
  assert.equal(r.dirty('gpu'), false, 'a reader that does not follow is kept nothing');
  d = r.take('page', true);
  assert.deepEqual(d.runs.map(([f, a]) => [f, a.length / SEG_FLOATS]), [[0, 3]]);
  r.follow('gpu', true);
  r.add(3, 0, 4, 0, 3, 0, 8); /* slot 3 */
  r.add(4, 0, 5, 0, 4, 0, 8); /* wraps: slot 0 */
  assert.equal(r.n, 4);
  d = r.take('page', true);
  assert.equal(d.clear, false);
  assert.deepEqual(d.runs.map(([f, a]) => [f, a.length / SEG_FLOATS]), [[3, 1], [0, 1]]);
  assert.equal(d.runs[1][1][0], 4, 'the newest segment, written over the oldest');
  const g = r.take('gpu', false);
  assert.equal(g.clear, true, 'a reader that starts following takes everything');
  assert.deepEqual(g.runs.map(([f, a]) => [f, a.length / SEG_FLOATS]), [[0, 4]]);
  r.drop(1, 7);
  r.drop(0, 7); /* slot 0 is track 8's now: kept */
  assert.deepEqual(r.take('page', true).kill, [1]);
  assert.deepEqual(r.take('gpu', false).kill, [1]);
  assert.equal(r.seg[1 * SEG_FLOATS + 3], -1);
  assert.equal(r.seg[0 * SEG_FLOATS + 3], 0);
  assert.equal(r.dirty('page'), false);
});

/* ------------------------------------------------------------ the worker's picture, rasterised in JavaScript (stream/raster.js) */
import { sprite, Sprites, drawSymbols, warp, invert, compose, worldToPicture, fromReadBack, HEADINGS } from '../src/stream/raster.js';

const RED = 0xff0000ff;
const WHITE = 0xffffffff;
/* a sprite as rows of characters: '#' fill, '+' line, '.' none */
const rows = (s) => {
  const g = Array.from({ length: s.n }, () => Array(s.n).fill('.'));
  for (let i = 0; i < s.dx.length; i++) g[s.dy[i]][s.dx[i]] = s.col[i] === RED ? '#' : '+';
  return g.map((r) => r.join(''));
};

test('raster: symbols as the shader cuts them (triangle along its heading, square, diamond, disc, outline)', () => {
  /* a civil triangle heading north has its apex up (fewer pixels in its top row than in its bottom
   * row), east to the right, south down */
  const count = (s, f) => s.dx.filter((_, i) => f(s.dx[i], s.dy[i])).length;
  const ext = (a) => [Math.min(...a), Math.max(...a)];
  const n = sprite(0, 0, RED, WHITE, false, 16);
  const [t0, t1] = ext(n.dy);
  assert.ok(count(n, (x, y) => y === t0) < count(n, (x, y) => y === t1));
  const e = sprite(0, Math.PI / 2, RED, WHITE, false, 16);
  const [l0, l1] = ext(e.dx);
  assert.ok(count(e, (x) => x === l1) < count(e, (x) => x === l0));
  const so = sprite(0, Math.PI, RED, WHITE, false, 16);
  const [s0, s1] = ext(so.dy);
  assert.ok(count(so, (x, y) => y === s1) < count(so, (x, y) => y === s0));
  /* the no-transponder square: 1.35 times as large, filled with a line band all round, symmetric */
  const sq = sprite(2, 0, RED, WHITE, false, 10);
  const g = rows(sq);
  assert.equal(sq.n, Math.ceil(13.5) + 2);
  assert.deepEqual(g, g.map((r) => [...r].reverse().join('')));
  assert.deepEqual(g, [...g].reverse());
  const mid = g[sq.n >> 1];
  assert.match(mid, /^\.*\++#+\++\.*$/);
  /* a disc and a diamond have no pixel in the box's corners */
  for (const c of [1, 3]) {
    const s = sprite(c, 0, RED, WHITE, false, 12);
    const r = rows(s);
    assert.equal(r[1][1], '.');
    assert.ok(r.join('').includes('#'));
  }
  /* a peer's outline is thicker than an own track's */
  const own = sprite(1, 0, RED, WHITE, false, 16).col.filter((c) => c === WHITE).length;
  const peer = sprite(1, 0, RED, WHITE, true, 16).col.filter((c) => c === WHITE).length;
  assert.ok(peer > own, `${peer} > ${own}`);
});

test('raster: symbols drawn at their pixels, clipped at the edges, hidden slots and odd numbers skipped', () => {
  const cls = new Float32Array(12).fill(0.5);
  const peer = new Float32Array(18).fill(1);
  const sp = new Sprites(8, 0, cls, peer);
  const w = 40;
  const h = 30;
  const buf = new Uint32Array(w * h);
  /* slots: inside, across the left edge, across the bottom right corner, hidden, NaN, far away */
  const pts = new Float32Array([
    20, 15, 2, 0, -1, 1,
    0, 10, 1, 0, 0, 1,
    40, 30, 3, 0, -1, 1,
    10, 10, 0, 0, -1, 0,
    NaN, 5, 0, 0, -1, 1,
    1e6, 1e6, 0, 0, -1, 1,
  ]);
  const A = [1, 0, 0, 1, 0, 0];
  drawSymbols(buf, w, h, pts, 6, A, sp);
  const at = (x, y) => buf[y * w + x];
  assert.notEqual(at(20, 15), 0);
  assert.notEqual(at(0, 10), 0);
  assert.notEqual(at(39, 29), 0);
  assert.equal(at(10, 10), 0); /* hidden */
  /* nothing wrapped from the left edge onto the row above's right end */
  for (let y = 0; y < 20; y++) assert.equal(at(w - 1, y), 0, `row ${y}`);
  /* the same sprite for headings a turn apart, and for an unknown peer the own one */
  assert.equal(sp.get(0, 0.1, -1), sp.get(0, 0.1 + 2 * Math.PI, -1));
  assert.equal(sp.get(0, -0.1, -1), sp.get(0, 2 * Math.PI - 0.1, -1));
  assert.equal(sp.get(2, 0, 9), sp.get(2, 0, -1));
  /* the view's rotation turns the heading: a quarter turn of the view, a quarter turn of the triangle */
  sp.rot = Math.PI / 2;
  const turned = sp.get(0, 0, -1);
  sp.rot = 0;
  assert.equal(turned, sp.get(0, Math.PI / 2, -1));
  /* a heading that is not a number (JSON's 1e999 is Infinity) still gives a sprite */
  for (const bad of [Infinity, -Infinity, NaN, 1e300]) assert.ok(sp.get(0, bad, -1).off, String(bad));
  drawSymbols(buf, w, h, new Float32Array([5, 5, 0, Infinity, -1, 1]), 1, A, sp);
  assert.equal(sp.set[0][0].length, HEADINGS);
});

test('raster: the trails warped (rows copied at the same scale, nearest pixel otherwise), the read-back unpremultiplied', () => {
  const ws = 8;
  const hs = 6;
  const src = new Uint32Array(ws * hs).map((_, i) => i + 1);
  /* shifted by (2, 1): dst (x, y) = src (x + 2, y + 1) */
  const dst = new Uint32Array(10 * 10);
  warp(dst, 10, 10, src, ws, hs, [1, 0, 0, 1, 2, 1]);
  assert.equal(dst[0], src[1 * ws + 2]);
  assert.equal(dst[4 * 10 + 5], src[5 * ws + 7]);
  assert.equal(dst[5 * 10 + 0], 0); /* below src */
  assert.equal(dst[0 * 10 + 6], 0); /* right of src */
  /* a fractional shift at the same scale: whole pixels, as a slightly scaled warp's nearest pixel */
  const frac = new Uint32Array(10 * 10);
  warp(frac, 10, 10, src, ws, hs, [1, 0, 0, 1, 1.7, 0.8]);
  const near = new Uint32Array(10 * 10);
  warp(near, 10, 10, src, ws, hs, [1 + 1e-7, 0, 0, 1 + 1e-7, 1.7, 0.8]);
  assert.deepEqual(frac, near);
  assert.equal(frac[0], src[1 * ws + 2]);
  /* twice as large: dst (x, y) = src (x / 2, y / 2) */
  const big = new Uint32Array(16 * 12);
  warp(big, 16, 12, src, ws, hs, [0.5, 0, 0, 0.5, 0, 0]);
  for (const [x, y] of [[0, 0], [3, 5], [15, 11], [8, 2]]) assert.equal(big[y * 16 + x], src[(y >> 1) * ws + (x >> 1)]);
  /* world -> picture, its inverse and composition */
  const P = worldToPicture([0.01, 0, 0, -0.01, 800, 450], 1000, 2000, 100, 50, 0.7);
  const Q = compose(P, invert(P));
  [1, 0, 0, 1, 0, 0].forEach((v, i) => assert.ok(Math.abs(Q[i] - v) < 1e-9));
  /* premultiplied bytes -> words, not premultiplied */
  const px = new Uint8Array([0, 0, 0, 0, 10, 20, 30, 255, 50, 25, 0, 128]);
  const out = new Uint32Array(3);
  fromReadBack(px, 3, 1, out);
  assert.equal(out[0], 0);
  assert.equal(out[1], (255 << 24 | 30 << 16 | 20 << 8 | 10) >>> 0);
  assert.equal(out[2] >>> 24, 128);
  assert.equal(out[2] & 0xff, 100);
  assert.equal((out[2] >> 8) & 0xff, 50);
});
