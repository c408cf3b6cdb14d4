// The offline base map: Natural Earth land and borders from the world-atlas
// package (TopoJSON), shipped in ui/dist as a file of the console itself.
// Nothing is fetched from outside. Drawn on a canvas as an image layer: it
// is drawn once per settled view and only moved while the operator pans and
// zooms (as a WebGL layer it would be triangulated again after every view
// change, in the worker the track layers share, delaying their updates).
import VectorImageLayer from 'ol/layer/VectorImage.js';
import { Style, Fill, Stroke } from 'ol/style.js';
import VectorSource from 'ol/source/Vector.js';
import GeoJSON from 'ol/format/GeoJSON.js';
import { feature, mesh } from 'topojson-client';
import atlasUrl from 'world-atlas/countries-50m.json?url';

export function baseLayers() {
  const land = new VectorSource();
  const borders = new VectorSource();
  const landLayer = new VectorImageLayer({
    source: land, zIndex: 0, imageRatio: 2,
    style: new Style({ fill: new Fill({ color: '#26303b' }), stroke: new Stroke({ color: '#55677a', width: 1 }) }),
  });
  const borderLayer = new VectorImageLayer({
    source: borders, zIndex: 1, imageRatio: 2,
    style: new Style({ stroke: new Stroke({ color: '#6f8397', width: 0.8 }) }),
  });
  landLayer.set('name', 'base-land');
  borderLayer.set('name', 'base-borders');
  const ready = fetch(atlasUrl)
    .then((r) => r.json())
    .then((topo) => {
      const fmt = new GeoJSON({ featureProjection: 'EPSG:3857' });
      land.addFeatures(fmt.readFeatures(feature(topo, topo.objects.land)));
      borders.addFeatures(fmt.readFeatures({
        type: 'Feature', properties: {},
        geometry: mesh(topo, topo.objects.countries, (a, b) => a !== b),
      }));
    })
    .catch((e) => console.error('base map', e));
  return { layers: [landLayer, borderLayer], ready };
}
