// What kind of symbol a track gets. One place, so that the map, the legend,
// the detail pane and the tests agree.
//
//   cls: 'noxpdr'   no transponder: the compliance triple says transponder
//                   "no", or only primary radar sees it (no ICAO address,
//                   no Mode A code) — the thing a watch must not miss
//        'military' marked military by the centre ([centre] military = ...)
//        'vessel'   AIS / kind vessel
//        'civil'    cooperative civil traffic (everything else)
//   peer: the peer centre's name when the track comes only from a peer's
//         shared picture (the centre's "origin": "peer:NAME"; or a source
//         key "peer:NAME"), else ''

export const CLASSES = ['civil', 'military', 'noxpdr', 'vessel'];

/** The peer a track comes from ('' for own tracks). */
export function peerOf(t) {
  if (typeof t.peer === 'string' && t.peer) return t.peer;
  if (typeof t.origin === 'string') return t.origin.startsWith('peer:') ? t.origin.slice(5) : '';
  const src = t.sources;
  if (!src || typeof src !== 'object') return '';
  let peer = '';
  let own = false;
  for (const k of Object.keys(src)) {
    if (k.startsWith('peer:')) peer = peer || k.slice(5);
    else own = true;
  }
  return own ? '' : peer;
}

export function classOf(t) {
  if (t.kind === 'vessel' || (t.mmsi != null && t.icao == null)) return 'vessel';
  if (t.military === true || t.class === 'military' || t.military === 'yes') return 'military';
  if (t.transponder === 'no') return 'noxpdr';
  if (t.icao == null && t.squawk == null && t.callsign == null && t.mmsi == null) {
    const s = t.sources || {};
    const keys = Object.keys(s).filter((k) => !k.startsWith('peer:'));
    if (keys.length && keys.every((k) => k === 'psr')) return 'noxpdr';
  }
  return 'civil';
}

/** The label: callsign, else Mode A code, else ICAO address / MMSI; and the altitude in FL or ft. */
export function labelOf(t) {
  const id = (t.callsign && t.callsign.trim()) || (t.squawk ? `A${t.squawk}` : '') ||
    (t.icao ? t.icao.toUpperCase() : '') || (t.mmsi != null ? String(t.mmsi) : '') || `#${t.id}`;
  if (t.on_ground) return `${id}\nGND`;
  if (t.alt_ft == null) return id;
  const fl = Math.round(t.alt_ft / 100);
  return `${id}\n${t.alt_ft >= 10000 ? `FL${String(fl).padStart(3, '0')}` : `${Math.round(t.alt_ft / 10) * 10} ft`}`;
}

/* Peer colours: far from the own classes' blue/green/red/teal. */
export const PEER_COLOURS = ['#ff9f1c', '#e056fd', '#ffe135', '#ff6f91', '#c8a2ff', '#b5e48c'];
const peerIdx = new Map();
export function peerIndex(name) {
  if (!name) return -1;
  if (!peerIdx.has(name)) peerIdx.set(name, peerIdx.size % PEER_COLOURS.length);
  return peerIdx.get(name);
}
export function peerColour(name) {
  const i = peerIndex(name);
  return i < 0 ? null : PEER_COLOURS[i];
}
export function knownPeers() { return [...peerIdx.keys()]; }

export const CLASS_COLOURS = {
  civil: '#4db8ff',
  military: '#7ddc54',
  noxpdr: '#ff2d2d',
  vessel: '#29d3c3',
};
