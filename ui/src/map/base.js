// The offline base map: Natural Earth land and borders from the world-atlas
// package (TopoJSON), shipped in ui/dist as a file of the console itself and
// drawn by WebGL. Nothing is fetched from outside.
import WebGLVectorLayer from 'ol/layer/WebGLVector.js';
import VectorSource from 'ol/source/Vector.js';
import GeoJSON from 'ol/format/GeoJSON.js';
import { feature, mesh } from 'topojson-client';
import atlasUrl from 'world-atlas/countries-50m.json?url';

export function baseLayers() {
  const land = new VectorSource({ useSpatialIndex: false });
  const borders = new VectorSource({ useSpatialIndex: false });
  const landLayer = new WebGLVectorLayer({
    source: land,
    disableHitDetection: true,
    zIndex: 0,
    style: { 'fill-color': '#26303b', 'stroke-color': '#55677a', 'stroke-width': 1 },
  });
  const borderLayer = new WebGLVectorLayer({
    source: borders,
    disableHitDetection: true,
    zIndex: 1,
    style: { 'stroke-color': '#6f8397', 'stroke-width': 0.8 },
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
