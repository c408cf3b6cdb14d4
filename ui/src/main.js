// The console's start: the login screen, then the layout (map in the
// centre, the side panel's tabs, the status bar), the panes of
// panes/index.js, the live stream.
import 'ol/ol.css';
import './style.css';
import * as api from './api.js';
import * as i18n from './i18n.js';
import { createMap } from './map/index.js';
import { createLegend } from './map/legend.js';
import { createStatus } from './status.js';
import { panes } from './panes/index.js';
import { classOf, peerOf } from './map/classify.js';

const $ = (id) => document.querySelector(`[data-testid="${id}"]`);

let map = null;
let status = null;
let mounted = false;
const tabs = new Map(); /* id -> {pane, tab, el, badge} */
let current = null;

function showTab(id) {
  const want = tabs.get(id);
  if (!want) return;
  for (const [k, v] of tabs) {
    const on = k === id;
    v.tab.setAttribute('aria-selected', on ? 'true' : 'false');
    v.tab.classList.toggle('active', on);
    v.el.hidden = !on;
    if (on && current !== k && v.pane.show) v.pane.show();
    if (!on && current === k && v.pane.hide) v.pane.hide();
  }
  current = id;
}

function setBadge(id, text, level = '') {
  const v = tabs.get(id);
  if (!v) return;
  v.badge.textContent = text || '';
  v.badge.hidden = !text;
  v.badge.className = `badge ${level}`;
}

async function loadZones() {
  try {
    map.zones.load(await api.get('/api/zones'));
  } catch { /* no zones on this centre */ }
}

function mountOnce() {
  if (mounted) return;
  mounted = true;
  map = createMap($('map'));
  createLegend($('map'), map, i18n);
  const ctx = {
    api: {
      get: api.get, post: api.post, subscribe: api.subscribe,
      on: (n, fn) => api.events.on(n, fn), user: api.currentUser, connected: api.streamConnected,
    },
    i18n, map, ui: { showTab, setBadge }, status: null,
  };
  status = createStatus($('statusbar'), ctx);
  ctx.status = status;
  ctx.ui.status = status;
  const nav = $('tabs');
  const holder = $('panes');
  for (const pane of panes) {
    const tab = document.createElement('button');
    tab.type = 'button';
    tab.setAttribute('role', 'tab');
    tab.dataset.testid = `tab-${pane.id}`;
    const label = document.createElement('span');
    label.dataset.i18n = pane.title;
    const badge = document.createElement('span');
    badge.className = 'badge';
    badge.hidden = true;
    badge.dataset.testid = `tab-${pane.id}-badge`;
    tab.append(label, badge);
    tab.addEventListener('click', () => showTab(pane.id));
    nav.append(tab);
    const el = document.createElement('section');
    el.className = 'pane';
    el.dataset.testid = `pane-${pane.id}`;
    el.setAttribute('role', 'tabpanel');
    el.hidden = true;
    holder.append(el);
    tabs.set(pane.id, { pane, tab, el, badge });
  }
  i18n.apply(document);
  for (const pane of panes) {
    try { pane.mount(tabs.get(pane.id).el, ctx); } catch (e) { console.error('pane', pane.id, e); }
  }
  showTab(panes[0].id);
  /* the tracks ("tracks" events, GET /api/tracks at each connection) are the stream worker's: map/tracks.js */
  api.subscribe('zone', (z) => map.zones.upsert(z));
  api.events.on('open', () => loadZones());
  /* zones change rarely (a notice received, a period starting): a small document re-read each 30 s */
  setInterval(() => { if (api.currentUser()) loadZones(); }, 30000);
  window.__cairn = { map, api, i18n, status, showTab, classOf, peerOf };
}

function showApp(user) {
  $('login').hidden = true;
  $('app').hidden = false;
  $('user-name').textContent = user;
  mountOnce();
  map.ol.updateSize();
  status.start();
}

function showLogin() {
  $('app').hidden = true;
  $('login').hidden = false;
  if (status) status.stop();
  $('login-password').value = '';
  $('login-user').focus();
}

function loginError(text) {
  const e = $('login-error');
  e.textContent = text;
  e.hidden = !text;
}

$('login').querySelector('form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  loginError('');
  const btn = $('login-submit');
  btn.disabled = true;
  try {
    await api.login($('login-user').value.trim(), $('login-password').value);
  } catch (e) {
    if (e.status === 401) loginError(i18n.t('login.wrong'));
    else if (e.status === 429) loginError(i18n.t('login.limited', { s: 60 }));
    else if (e.status === 503) loginError(i18n.t('login.busy'));
    else loginError(i18n.t('login.failed', { e: e.message }));
    $('login-password').value = '';
  } finally {
    btn.disabled = false;
  }
});

for (const b of document.querySelectorAll('.lang-switch')) b.addEventListener('click', () => i18n.toggleLang());
$('logout').addEventListener('click', () => api.logout());
api.events.on('login', ({ user }) => showApp(user));
api.events.on('logout', showLogin);

function tick() {
  const now = Date.now();
  $('utc-clock').textContent = i18n.fmtUtc(now);
  setTimeout(tick, 1000 - (now % 1000));
}
tick();
i18n.apply(document);
api.resume().then((ok) => { if (!ok) showLogin(); });
