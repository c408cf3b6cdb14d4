// The centre's HTTP API (docs/web.md): login, authenticated JSON calls and
// the live event stream /api/events.
//
// Authentication: the login reply sets the HttpOnly cookie cairn_session
// (which EventSource and every same-origin fetch carry) and also gives a
// token; the token is kept in sessionStorage and sent as Authorization:
// Bearer so that a reload of the tab keeps the session without a cookie.
//
// Events: `events.on(name, fn)` for the daemon's SSE event names ("track",
// "alert", and any others the daemon adds, e.g. "message", "case", "link"),
// plus the console's own:
//   "open"   the stream is (re)connected: reload your lists now (the daemon
//            does not replay missed events; docs/web.md)
//   "state"  {connected: bool, since_ms} for the status bar
//   "login" / "logout"  the session began / ended (401 anywhere ends it)

const TOKEN_KEY = 'cairn.token';

class Emitter {
  constructor() { this.h = new Map(); }
  on(name, fn) {
    if (!this.h.has(name)) this.h.set(name, new Set());
    this.h.get(name).add(fn);
    return () => this.h.get(name).delete(fn);
  }
  emit(name, arg) {
    const s = this.h.get(name);
    if (!s) return;
    for (const fn of [...s]) {
      try { fn(arg); } catch (e) { console.error('handler for', name, e); }
    }
  }
}

export const events = new Emitter();

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error) || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

let token = sessionStorage.getItem(TOKEN_KEY) || '';
let user = '';

export function currentUser() { return user; }

async function call(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const r = await fetch(path, init);
  let data = null;
  const text = await r.text();
  if (text) {
    try { data = JSON.parse(text); } catch { data = { text }; }
  }
  if (r.status === 401 && path !== '/api/login') {
    endSession();
    throw new ApiError(401, data);
  }
  if (!r.ok) throw new ApiError(r.status, data);
  return data;
}

/** GET a JSON path of the API, e.g. get('/api/alerts'). */
export const get = (path) => call('GET', path);
/** POST a JSON object (always an object: the daemon refuses others). */
export const post = (path, body = {}) => call('POST', path, body);

/** Log in; resolves to {user,...}; rejects with ApiError (401 wrong, 429 rate-limited). */
export async function login(name, password) {
  const r = await call('POST', '/api/login', { user: name, password });
  token = r.token || '';
  sessionStorage.setItem(TOKEN_KEY, token);
  user = r.user || name;
  events.emit('login', { user });
  stream.start();
  return r;
}

/** Resume a session (cookie or stored token); resolves true when logged in. */
export async function resume() {
  try {
    const me = await call('GET', '/api/me');
    user = me.user;
    events.emit('login', { user });
    stream.start();
    return true;
  } catch {
    return false;
  }
}

export async function logout() {
  try { await call('POST', '/api/logout', {}); } catch { /* ended anyway */ }
  endSession();
}

function endSession() {
  const was = !!user || !!token;
  token = '';
  user = '';
  sessionStorage.removeItem(TOKEN_KEY);
  stream.stop();
  if (was) events.emit('logout');
}

// ------------------------------------------------------------ the stream

/* EventSource reconnects by itself after a dropped connection (retry: 2000
 * from the daemon); after a refused one (401, 503) it gives up, so the
 * console reopens it itself with a growing delay, and checks the session. */
const stream = {
  es: null,
  timer: 0,
  delay: 1000,
  connected: false,
  names: new Set(['track', 'alert']),
  start() {
    this.stop();
    const es = new EventSource('/api/events', { withCredentials: true });
    this.es = es;
    for (const n of this.names) this.listen(n);
    es.onopen = () => {
      this.delay = 1000;
      this.setConnected(true);
      events.emit('open');
    };
    es.onerror = () => {
      this.setConnected(false);
      if (es.readyState === EventSource.CLOSED) this.retry();
    };
  },
  listen(name) {
    if (!this.es) return;
    this.es.addEventListener(name, (ev) => {
      let data;
      try { data = JSON.parse(ev.data); } catch { return; }
      events.emit(name, data);
    });
  },
  retry() {
    clearTimeout(this.timer);
    this.timer = setTimeout(async () => {
      if (!(await resume())) return; /* resume() restarts the stream */
    }, this.delay);
    this.delay = Math.min(this.delay * 2, 15000);
  },
  stop() {
    clearTimeout(this.timer);
    if (this.es) this.es.close();
    this.es = null;
    this.setConnected(false);
  },
  setConnected(v) {
    if (this.connected === v) return;
    this.connected = v;
    events.emit('state', { connected: v, since_ms: Date.now() });
  },
};

/** Ask for an SSE event name beyond "track" and "alert" (e.g. "message"). */
export function subscribe(name, fn) {
  if (!stream.names.has(name)) {
    stream.names.add(name);
    stream.listen(name);
  }
  return events.on(name, fn);
}

export function streamConnected() { return stream.connected; }
