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
