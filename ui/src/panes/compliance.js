// The reciprocity pane (console-ops): ops/compliance.js builds it; this
// module fits it to the pane contract of panes/index.js.
import { mountCompliance } from '../ops/compliance.js';
import { bridge } from '../ops/bridge.js';
import '../ops/ops.css';

let pane = null;
export default {
  id: 'compliance',
  title: 'tab.compliance',
  mount(el, ctx) {
    bridge(ctx);
    pane = mountCompliance(el);
  },
  show() { if (pane) pane.show(); },
};
