// The alerts pane (console-ops): ops/alerts.js builds it; this module fits it
// to the pane contract of panes/index.js.
import { mountAlerts } from '../ops/alerts.js';
import { bridge } from '../ops/bridge.js';
import '../ops/ops.css';

export default {
  id: 'alerts',
  title: 'tab.alerts',
  mount(el, ctx) {
    bridge(ctx);
    mountAlerts(el);
  },
};
