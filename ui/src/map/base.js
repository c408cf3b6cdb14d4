// The offline base map: Natural Earth land and borders from the world-atlas
// package (TopoJSON), shipped in ui/dist as a file of the console itself.
// Nothing is fetched from outside.
//
// Drawn on one 2D canvas MARGIN larger than the view on each side, when the
// view comes to rest (two Path2D in map coordinates, drawn through the
// view's transform), and between drawings only moved and scaled to the view
// by a CSS transform: the compositor's work, nothing drawn on the page at a
// frame of a pan. (ol's image layers drew their image again into their own
// canvas at every frame — with a software compositor a tenth of the page's
// frames at 1,000 tracks; as a WebGL layer it would be triangulated again
// after every view change.)
import Layer from 'ol/layer/Layer.js';
import { fromLonLat } from 'ol/proj.js';
import { feature, mesh } from 'topojson-client';
import atlasUrl from 'world-atlas/countries-50m.json?url';
import { pictureTransform } from './gl.js';

const MARGIN = 0.25;
const LAND = '#26303b';
const COAST = '#55677a';
const BORDER = '#6f8397';

/** A Path2D in EPSG:3857 of GeoJSON (Multi)Polygon or (Multi)LineString geometries. */
function pathOf(geoms) {
  const p = new Path2D();
  const line = (ring, close) => {
    for (let i = 0; i < ring.length; i++) {
      const [x, y] = fromLonLat(ring[i]);
      if (i === 0) p.moveTo(x, y); else p.lineTo(x, y);
    }
    if (close) p.closePath();
  };
  for (const g of geoms) {
    if (!g) continue;
    if (g.type === 'Polygon') g.coordinates.forEach((r) => line(r, true));
    else if (g.type === 'MultiPolygon') g.coordinates.forEach((poly) => poly.forEach((r) => line(r, true)));
    else if (g.type === 'LineString') line(g.coordinates, false);
    else if (g.type === 'MultiLineString') g.coordinates.forEach((l) => line(l, false));
  }
  return p;
}

export function baseLayers() {
  let land = null;
  let borders = null;
  const canvas = document.createElement('canvas');
  canvas.style.cssText = 'position:absolute;left:0;top:0;pointer-events:none;transform-origin:0 0;';
  let k = null; /* the drawn picture: {T, mx, my, w, h, pr} */

  function draw(fs) {
    const pr = fs.pixelRatio;
    const w = fs.size[0];
    const h = fs.size[1];
    const cssW = Math.round(w * (1 + 2 * MARGIN));
    const cssH = Math.round(h * (1 + 2 * MARGIN));
    if (canvas.width !== Math.round(cssW * pr) || canvas.height !== Math.round(cssH * pr)) {
      canvas.width = Math.round(cssW * pr);
      canvas.height = Math.round(cssH * pr);
      canvas.style.width = `${cssW}px`;
      canvas.style.height = `${cssH}px`;
    }
    const T = fs.coordinateToPixelTransform;
    const mx = w * MARGIN;
    const my = h * MARGIN;
    const g = canvas.getContext('2d');
    g.setTransform(1, 0, 0, 1, 0, 0);
    g.clearRect(0, 0, canvas.width, canvas.height);
    g.setTransform(pr * T[0], pr * T[1], pr * T[2], pr * T[3], pr * (T[4] + mx), pr * (T[5] + my));
    const px = 1 / (pr * Math.hypot(T[0], T[1])); /* one CSS pixel in map units */
    g.lineJoin = 'round';
    g.fillStyle = LAND;
    g.fill(land, 'evenodd');
    g.strokeStyle = COAST;
    g.lineWidth = px;
    g.stroke(land);
    g.strokeStyle = BORDER;
    g.lineWidth = 0.8 * px;
    g.stroke(borders);
    k = { T: T.slice(), mx, my, w, h, pr };
  }

  const layer = new Layer({
    zIndex: 0,
    render: (fs) => {
      if (land) {
        const T = fs.coordinateToPixelTransform;
        const moving = !!(fs.viewHints && (fs.viewHints[0] || fs.viewHints[1]));
        const stale = !k || k.w !== fs.size[0] || k.h !== fs.size[1] || k.pr !== fs.pixelRatio || k.T.some((v, i) => v !== T[i]);
        if (stale && (!k || !moving)) draw(fs);
        canvas.style.transform = pictureTransform(k.T, k.mx, k.my, T);
      }
      return canvas;
    },
  });
  layer.set('name', 'base');
  const ready = fetch(atlasUrl)
    .then((r) => r.json())
    .then((topo) => {
      const geoms = (f) => (f.features ? f.features.map((x) => x.geometry) : [f.geometry]);
      land = pathOf(geoms(feature(topo, topo.objects.land)));
      borders = pathOf([mesh(topo, topo.objects.countries, (a, b) => a !== b)]);
      layer.changed();
    })
    .catch((e) => console.error('base map', e));
  return { layers: [layer], ready };
}
