// Zones, notified exercise areas (with their times) and each peer's exchange
// area, from GET /api/zones when the centre serves it: a GeoJSON
// FeatureCollection whose features carry `name`, `kind` ("zone",
// "exercise", "exchange"), and optionally `peer`, `from_ms`, `to_ms`,
// `floor_ft`, `ceiling_ft`. SSE "zone" events (one such Feature) add or
// replace one by `id`. A centre without the route answers 404: no zones.
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

export class Zones {
  constructor() {
    this.source = new VectorSource();
    this.layer = new VectorLayer({ source: this.source, style, zIndex: 5 });
    this.layer.set('name', 'zones');
  }

  load(geojson) {
    this.source.clear(true);
    if (geojson && geojson.type === 'FeatureCollection') this.source.addFeatures(fmt.readFeatures(geojson));
  }

  upsert(feature) {
    const f = fmt.readFeature(feature);
    const id = f.getId();
    const old = id != null ? this.source.getFeatureById(id) : null;
    if (old) this.source.removeFeature(old);
    this.source.addFeature(f);
  }
}
