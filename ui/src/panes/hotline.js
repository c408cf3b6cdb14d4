// The hotline pane — console-ops builds it (see /work/notes/ui-skeleton-ready.md
// and src/panes/index.js for the contract). Placeholder until then.
export default {
  id: 'hotline',
  title: 'tab.hotline',
  mount(el, ctx) {
    el.innerHTML = '';
    const p = document.createElement('p');
    p.className = 'placeholder';
    p.dataset.i18n = 'pane.placeholder';
    el.append(p);
    ctx.i18n.apply(el);
  },
};
