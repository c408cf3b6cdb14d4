// The hotline pane (console-ops): ops/hotline.js builds it; this module fits it
// to the pane contract of panes/index.js.
import { mountHotline } from '../ops/hotline.js';
import { bridge } from '../ops/bridge.js';
import '../ops/ops.css';

export default {
  id: 'hotline',
  title: 'tab.hotline',
  mount(el, ctx) {
    bridge(ctx);
    mountHotline(el);
  },
};
