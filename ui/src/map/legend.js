// The map's legend (what each symbol means, each peer's colour) with the
// trails and labels switches. Bottom left of the map, always there.
import { CLASS_COLOURS, PEER_COLOURS, knownPeers } from './classify.js';

const SVG = {
  civil: (c) => `<polygon points="8,1 2.5,14 13.5,14" fill="${c}" stroke="#0b0f14"/>`,
  military: (c) => `<polygon points="8,1 15,8 8,15 1,8" fill="${c}" stroke="#0b0f14"/>`,
  noxpdr: (c) => `<rect x="1.5" y="1.5" width="13" height="13" fill="${c}" stroke="#fff" stroke-width="1.5"/>`,
  vessel: (c) => `<circle cx="8" cy="8" r="5.5" fill="${c}" stroke="#0b0f14"/>`,
};
const icon = (inner) => `<svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">${inner}</svg>`;

export function createLegend(mapEl, map, i18n) {
  const el = document.createElement('div');
  el.className = 'map-legend';
  el.dataset.testid = 'map-legend';
  mapEl.append(el);
  const render = () => {
    const { t } = i18n;
    const rows = ['civil', 'military', 'noxpdr', 'vessel'].map((c) =>
      `<div data-testid="legend-${c}">${icon(SVG[c](CLASS_COLOURS[c]))}<span>${t(`cls.${c}`)}</span></div>`);
    knownPeers().forEach((p, i) => {
      const col = PEER_COLOURS[i % PEER_COLOURS.length];
      const safe = p.replace(/[^A-Za-z0-9._:-]/g, '');
      rows.push(`<div data-testid="legend-peer-${safe}">${icon(`<polygon points="8,1 2.5,14 13.5,14" fill="${CLASS_COLOURS.civil}" stroke="${col}" stroke-width="3"/>`)}<span></span></div>`);
    });
    el.innerHTML = `${rows.join('')}<div class="switches">
      <label><input type="checkbox" data-testid="legend-trails" ${map.tracks.trailsOn ? 'checked' : ''}><span>${t('map.trails')}</span></label>
      <label><input type="checkbox" data-testid="legend-labels" ${map.tracks.labelsOn ? 'checked' : ''}><span>${t('map.labels')}</span></label></div>`;
    /* peer names are text from outside: set as text, never as markup */
    knownPeers().forEach((p) => {
      const safe = p.replace(/[^A-Za-z0-9._:-]/g, '');
      const s = el.querySelector(`[data-testid="legend-peer-${safe}"] span`);
      if (s) s.textContent = t('cls.peer', { p });
    });
    el.querySelector('[data-testid="legend-trails"]').addEventListener('change', (e) => map.tracks.setTrails(e.target.checked));
    el.querySelector('[data-testid="legend-labels"]').addEventListener('change', (e) => map.tracks.setLabels(e.target.checked));
  };
  let nPeers = 0;
  map.tracks.onChange(() => { if (knownPeers().length !== nPeers) { nPeers = knownPeers().length; render(); } });
  i18n.onChange(render);
  render();
  return el;
}
