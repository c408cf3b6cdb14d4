// The sensors pane (console-ops): ops/sensors.js builds it; this module
// fits it to the pane contract of panes/index.js.
import { mountSensors } from '../ops/sensors.js';
import { bridge } from '../ops/bridge.js';
import '../ops/ops.css';

let pane = null;
export default {
  id: 'sensors',
  title: 'tab.sensors',
  mount(el, ctx) {
    bridge(ctx);
    pane = mountSensors(el);
  },
  show() { if (pane) pane.show(); },
  hide() { if (pane) pane.hide(); },
};
