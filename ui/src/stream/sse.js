// The pure parts of the stream worker (no DOM, no worker globals; tested in
// node by ui/test/stream.test.mjs):
//
//   SseParser      text/event-stream (the WHATWG "server-sent events"
//                  syntax): "event:", "data:" (several joined by "\n"),
//                  "retry:", comments, blank line = end of event; CR, LF
//                  and CRLF line ends; resumes on partial input
//   arraySpans     the [start, end) spans of the elements of a JSON array
//                  in a text, without parsing them: the worker keeps each
//                  track's own JSON text (the main thread parses it only
//                  when asked for that track)
//   tracksSpans    the spans of the objects of a document's "tracks" array:
//                  the daemon's `tracks` event ({"now_ms":..,"tracks":[..]},
//                  docs/centre.md) and GET /api/tracks' reply
//   mercator       lon/lat (degrees) to EPSG:3857 metres, as ol's fromLonLat

/** Feed it chunks of text; it calls onEvent(name, data) per complete event. */
export class SseParser {
  constructor(onEvent, onRetry = () => {}) {
    this.buf = '';
    this.onEvent = onEvent;
    this.onRetry = onRetry;
  }

  push(text) {
    let buf = this.buf + text;
    if (buf.indexOf('\r') >= 0) {
      /* a CR at the very end may be the first half of a CRLF: keep it for the next chunk */
      const tail = buf.endsWith('\r') ? '\r' : '';
      if (tail) buf = buf.slice(0, -1);
      buf = buf.replace(/\r\n?/g, '\n') + tail;
    }
    let at = 0;
    for (let i; (i = buf.indexOf('\n\n', at)) >= 0; at = i + 2) this.block(buf, at, i);
    this.buf = at ? buf.slice(at) : buf;
  }

  /* one event: the lines of buf[a, b) */
  block(buf, a, b) {
    let name = 'message';
    let data = null;
    while (a < b) {
      let e = buf.indexOf('\n', a);
      if (e < 0 || e > b) e = b;
      const c = buf.charCodeAt(a);
      if (c === 100 /* d */ && buf.startsWith('data', a) && (a + 4 === e || buf.charCodeAt(a + 4) === 58)) {
        const v = a + 4 === e ? '' : buf.slice(a + (buf.charCodeAt(a + 5) === 32 ? 6 : 5), e);
        data = data == null ? v : `${data}\n${v}`;
      } else if (c === 101 /* e */ && buf.startsWith('event:', a)) {
        name = buf.slice(a + (buf.charCodeAt(a + 6) === 32 ? 7 : 6), e);
      } else if (c === 114 /* r */ && buf.startsWith('retry:', a)) {
        const ms = parseInt(buf.slice(a + 6, e), 10);
        if (ms > 0) this.onRetry(ms);
      }
      a = e + 1;
    }
    if (data != null) this.onEvent(name || 'message', data);
  }
}

/**
 * The elements of the JSON array whose '[' is at s[i]: a flat list of
 * [start, end) pairs (objects and arrays only; scalars are skipped), or
 * null when the text ends before the array does. Strings (with their
 * escapes) are skipped, so brackets inside them do not count. It does not
 * validate: the caller parses the same text and compares the counts.
 */
export function arraySpans(s, i) {
  const out = [];
  const n = s.length;
  let depth = 0;
  let start = -1;
  for (i++; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 34) {
      for (i++; i < n; i++) {
        const d = s.charCodeAt(i);
        if (d === 92) i++;
        else if (d === 34) break;
      }
    } else if (c === 123 || c === 91) {
      if (depth++ === 0) start = i;
    } else if (c === 125 || c === 93) {
      if (depth === 0) return c === 93 ? out : null;
      if (--depth === 0) out.push(start, i + 1);
    }
  }
  return null;
}

/** The spans of the "tracks" array's objects in a {"tracks":[...]} text, or null. */
export function tracksSpans(s) {
  const k = s.indexOf('"tracks":');
  if (k < 0) return null;
  let i = k + 9;
  while (i < s.length && s.charCodeAt(i) <= 32) i++;
  if (s.charCodeAt(i) !== 91) return null;
  return arraySpans(s, i);
}

const R = 6378137;
/** EPSG:3857 x, y (metres) of lon, lat (degrees), into out[0..1] (as ol's, unclamped). */
export function mercator(lon, lat, out) {
  out[0] = (R * Math.PI * lon) / 180;
  out[1] = R * Math.log(Math.tan((Math.PI * (+lat + 90)) / 360));
  return out;
}
