// bridge.js: what the operations panes ask of the rest of the console, said
// on api.js's event emitter (so the panes need no reference to each other)
// and carried out here with the panes' ctx (panes/index.js):
//   ui.badge        {pane, n, level}  -> ctx.ui.setBadge
//   ui.show-pane    id                -> ctx.ui.showTab
//   ui.select-track id                -> ctx.map.select, centred
//   ui.status       {key, text, level} -> ctx.status.setExtra
import { events } from '../api.js';

let done = false;
export function bridge(ctx) {
  if (done) return;
  done = true;
  events.on('ui.badge', ({ pane, n, level }) => ctx.ui.setBadge(pane, n ? String(n) : '', level || ''));
  events.on('ui.show-pane', (id) => ctx.ui.showTab(id));
  events.on('ui.select-track', (id) => {
    if (!ctx.map) return;
    ctx.map.select(id);
    const tr = ctx.map.tracks && ctx.map.tracks.get(id);
    if (tr && Number.isFinite(tr.lon) && Number.isFinite(tr.lat)) ctx.map.centreOn(tr.lon, tr.lat);
  });
  events.on('ui.status', ({ key, text, level }) => ctx.status && ctx.status.setExtra(key, text, level));
}
