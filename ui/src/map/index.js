// The map: offline base, zones, trails, tracks, labels, selection.
//
//   createMap(el) -> MapApi {
//     ol           the ol/Map
//     tracks       the Tracks store (tracks.get(id), tracks.all(), tracks.onChange(fn))
//     zones        the Zones layer
//     select(id)   select a track (null: none); onSelect(fn) is told
//     centreOn(lon, lat, zoom?)
//   }
import Map from 'ol/Map.js';
import View from 'ol/View.js';
import { defaults as defaultControls, ScaleLine } from 'ol/control.js';
import { fromLonLat, toLonLat } from 'ol/proj.js';
import { boundingExtent } from 'ol/extent.js';
import { baseLayers } from './base.js';
import { Tracks } from './tracks.js';
import { Zones } from './zones.js';

export function createMap(el) {
  const base = baseLayers();
  const tracks = new Tracks();
  const zones = new Zones();
  const view = new View({ center: fromLonLat([15, 56]), zoom: 5, maxZoom: 16, minZoom: 2 });
  const ol = new Map({
    target: el,
    layers: [...base.layers, zones.layer, ...tracks.layers],
    /* the track layer draws in one go; ol must not skip its frames while the view moves */
    view,
    controls: defaultControls({ attribution: false, rotate: false }).extend([new ScaleLine()]),
  });
  const selectFns = new Set();
  const api = {
    ol, tracks, zones, baseReady: base.ready,
    select(id) {
      tracks.select(id);
      for (const fn of selectFns) fn(id == null ? null : Number(id));
    },
    onSelect(fn) { selectFns.add(fn); return () => selectFns.delete(fn); },
    selected() { return tracks.selId; },
    centreOn(lon, lat, zoom) {
      view.animate({ center: fromLonLat([lon, lat]), zoom: zoom ?? view.getZoom(), duration: 300 });
    },
    /** Fit the view to the tracks (first load). */
    fitTracks() {
      const pts = tracks.positions();
      if (!pts.length) return;
      view.fit(boundingExtent(pts), { padding: [60, 60, 60, 60], maxZoom: 9 });
    },
    /** The pixel of a track on screen (tests click it), or null. */
    pixelOf(id) {
      const ll = tracks.lonLat(id);
      return ll ? ol.getPixelFromCoordinate(fromLonLat(ll)) : null;
    },
    setTrails(on) { tracks.setTrails(on); },
    setLabels(on) { tracks.setLabels(on); },
    toLonLat,
  };
  ol.on('singleclick', (e) => {
    const t = tracks.nearest(e.coordinate, view.getResolution());
    api.select(t ? t.id : null);
  });
  /* the pointer over a track: a hand. Blink sends a mouse move at every
   * frame in which the map moves under a still pointer (a wheel zoom, an
   * animation): looked at once per frame at most, not while the view
   * moves, from the slots only (no track parsed), the style set only when
   * it changes (docs/console.md, the page's frame) */
  let hoverAt = null;
  let hoverOn = false;
  ol.on('pointermove', (e) => {
    if (e.dragging || view.getInteracting() || view.getAnimating()) return;
    if (hoverAt === null) requestAnimationFrame(() => {
      const on = tracks.nearestSlot(hoverAt, view.getResolution()) >= 0;
      hoverAt = null;
      if (on !== hoverOn) { hoverOn = on; el.style.cursor = on ? 'pointer' : ''; }
    });
    hoverAt = e.coordinate;
  });
  /* the first tracks to arrive frame the view once; the operator's view is theirs after */
  let fitted = false;
  tracks.onChange(() => {
    if (fitted || !tracks.count()) return;
    fitted = true;
    api.fitTracks();
  });
  return api;
}
