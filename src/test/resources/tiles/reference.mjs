// Outside references for the tile tests: geojson-vt cuts the same source into tiles, @mapbox/vector-tile
// decodes StreetCad's MVT tiles. Reads {source, tiles: [{z, x, y, mvt: base64}]} on stdin and writes, per tile,
// the ids geojson-vt puts in it and what the decoder reads from the MVT.
import GeoJSONVT from 'geojson-vt';
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';

let input = '';
for await (const chunk of process.stdin) input += chunk;
const { source, tiles, buffer } = JSON.parse(input);
const index = new GeoJSONVT(source, { maxZoom: 22, indexMaxZoom: 0, extent: 4096, buffer, promoteId: 'id' });
const out = tiles.map(({ z, x, y, mvt }) => {
  const cut = index.getTile(z, x, y);
  const decoded = new VectorTile(new PbfReader(Buffer.from(mvt, 'base64')));
  const layer = decoded.layers['road-elements'];
  const features = [];
  for (let i = 0; layer && i < layer.length; i++) {
    const f = layer.feature(i);
    features.push({ id: f.id, type: f.type, properties: f.properties,
                    positions: f.loadGeometry().reduce((n, ring) => n + ring.length, 0) });
  }
  return { z, x, y, geojsonVt: cut ? cut.features.map(f => f.id) : [], layers: Object.keys(decoded.layers),
           extent: layer ? layer.extent : null, features };
});
process.stdout.write(JSON.stringify(out));
