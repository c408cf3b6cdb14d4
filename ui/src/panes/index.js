// The side panel's panes, in tab order. A pane is a module whose default
// export is
//
//   {
//     id: 'alerts',           // [a-z0-9-]+; tab is data-testid="tab-alerts",
//                             // its container data-testid="pane-alerts"
//     title: 'tab.alerts',    // i18n key of the tab's label
//     mount(el, ctx) {},      // once, after the first login; build into el
//     show() {}, hide() {},   // optional: the tab became visible / hidden
//   }
//
// ctx (the same object for every pane; see main.js):
//   ctx.api     { get(path), post(path, body), subscribe(eventName, fn),
//                 on(name, fn) (console events: 'open' = stream (re)connected,
//                 reload your lists; 'state'; 'login'; 'logout'), user() }
//   ctx.i18n    { t, add, apply, onChange, getLang, setLang, fmtUtc, fmtTime, fmtAge }
//   ctx.map     the MapApi of src/map/index.js (select(id), onSelect(fn),
//               centreOn(lon,lat,zoom), tracks.get(id), tracks.all(), tracks.onChange(fn))
//   ctx.ui      { showTab(id), setBadge(id, text, level) (level: '', 'warn', 'alarm';
//                 text '' hides it), status: the status bar (status.setExtra(key, text, level)) }
import track from './track.js';
import alerts from './alerts.js';
import hotline from './hotline.js';
import compliance from './compliance.js';
import sensors from './sensors.js';

export const panes = [track, alerts, hotline, compliance, sensors];
