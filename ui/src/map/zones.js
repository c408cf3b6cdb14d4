// Zones, notified exercise areas (with their times) and each peer's exchange
// area, from GET /api/zones. Two forms are read:
//  - the centre's (procedures): {"zones":[{name, kind, from, until (ISO),
//    active, bbox:[lat_min, lon_min, lat_max, lon_max]}], "notices":[{peer,
//    sender, seq, kind, flags, zone (its zone's name), area:[[lat,lon]...]}]}:
//    a zone is drawn as its bounding box (the only shape given), a notified
//    area as its polygon with the times of its zone;
//  - a GeoJSON FeatureCollection whose features carry `name`, `kind`
//    ("zone", "exercise", "exchange"), and optionally `peer`, `from_ms`,
//    `to_ms`, `floor_ft`, `ceiling_ft`.
// SSE "zone" events (one such Feature) add or replace one by `id`. A centre
// without the route answers 404: no zones.
import VectorSource from 'ol/source/Vector.js';
import VectorLayer from 'ol/layer/Vector.js';
import GeoJSON from 'ol/format/GeoJSON.js';
import { Style, Fill, Stroke, Text } from 'ol/style.js';
import { t, fmtUtc } from '../i18n.js';

const fmt = new GeoJSON({ featureProjection: 'EPSG:3857' });

const COL = {
  zone: ['rgba(255,200,0,0.9)', 'rgba(255,200,0,0.06)', []],
  exercise: ['rgba(255,90,60,0.95)', 'rgba(255,90,60,0.10)', [8, 6]],
  exchange: ['rgba(160,160,255,0.8)', 'rgba(0,0,0,0)', [2, 6]],
};

export function zoneText(p) {
  const parts = [p.kind === 'exchange' ? t('map.exchange', { p: p.peer || '' }) : (p.name || '')];
  if (p.from_ms != null || p.to_ms != null)
    parts.push(t('map.zone.active', { from: fmtUtc(p.from_ms), to: fmtUtc(p.to_ms) }));
  if (p.floor_ft != null || p.ceiling_ft != null)
    parts.push(`${p.floor_ft ?? 'GND'} – ${p.ceiling_ft ?? 'UNL'} ft`);
  return parts.join('\n');
}

function style(f) {
  const p = f.getProperties();
  const [stroke, fill, dash] = COL[p.kind] || COL.zone;
  const now = Date.now();
  const active = (p.from_ms == null || p.from_ms <= now) && (p.to_ms == null || now < p.to_ms);
  return new Style({
    stroke: new Stroke({ color: stroke, width: active ? 2 : 1, lineDash: dash }),
    fill: new Fill({ color: active ? fill : 'rgba(0,0,0,0)' }),
    text: new Text({
      text: zoneText(p), font: '11px system-ui, sans-serif', overflow: true,
      fill: new Fill({ color: stroke }), stroke: new Stroke({ color: '#0b0f14', width: 3 }),
    }),
  });
}

const ms = (iso) => { const t = Date.parse(iso); return Number.isFinite(t) ? t : undefined; };
const ring = (pts) => { const r = pts.map(([lat, lon]) => [lon, lat]); r.push(r[0]); return r; };

/** The centre's /api/zones as GeoJSON (see the top of the file). */
export function fromCentre(doc) {
  const feats = [];
  const byName = new Map();
  for (const z of doc.zones) if (z && typeof z.name === 'string') byName.set(z.name, z);
  const drawn = new Set();
  for (const n of Array.isArray(doc.notices) ? doc.notices : []) {
    if (!n || !Array.isArray(n.area) || n.area.length < 3) continue;
    const z = n.zone ? byName.get(n.zone) : null;
    if (z) drawn.add(z.name);
    feats.push({
      type: 'Feature', id: `notice:${n.sender}:${n.seq}`,
      geometry: { type: 'Polygon', coordinates: [ring(n.area)] },
      properties: { name: n.zone || `${n.sender} #${n.seq}`, kind: 'exercise', peer: n.peer,
        from_ms: z ? ms(z.from) : undefined, to_ms: z ? ms(z.until) : undefined, flags: n.flags },
    });
  }
  for (const z of doc.zones) {
    if (!z || drawn.has(z.name) || !Array.isArray(z.bbox) || z.bbox.length !== 4) continue;
    const [la0, lo0, la1, lo1] = z.bbox;
    feats.push({
      type: 'Feature', id: `zone:${z.name}`,
      geometry: { type: 'Polygon', coordinates: [ring([[la0, lo0], [la0, lo1], [la1, lo1], [la1, lo0]])] },
      properties: { name: z.name, kind: z.kind === 'exercise' ? 'exercise' : 'zone', from_ms: ms(z.from), to_ms: ms(z.until) },
    });
  }
  return { type: 'FeatureCollection', features: feats };
}

export class Zones {
  constructor() {
    this.source = new VectorSource();
    this.layer = new VectorLayer({ source: this.source, style, zIndex: 5 });
    this.layer.set('name', 'zones');
    /* an empty layer is not drawn: ol would still compose its blank canvas
     * at every frame of a pan (the page's frame, docs/console.md) */
    this.layer.setVisible(false);
    this.source.on('change', () => this.layer.setVisible(this.source.getFeatures().length > 0));
  }

  load(doc) {
    this.source.clear(true);
    if (doc && doc.type === 'FeatureCollection') this.source.addFeatures(fmt.readFeatures(doc));
    else if (doc && Array.isArray(doc.zones)) this.source.addFeatures(fmt.readFeatures(fromCentre(doc)));
  }

  upsert(feature) {
    const f = fmt.readFeature(feature);
    const id = f.getId();
    const old = id != null ? this.source.getFeatureById(id) : null;
    if (old) this.source.removeFeature(old);
    this.source.addFeature(f);
  }
}
