// The map's look: the cadastre styled by functional class (colour and width grow with the class and the zoom),
// bridges drawn with a dark casing, tunnels dashed and faded, named streets drawn lightly before the detail zoom
// and their names written along them, topology findings by severity.
'use strict';
const StreetCadStyle = (() => {
  const CLASS_COLOURS = {
    A: '#c62828', B: '#ef6c00', C: '#c79100', D: '#7b1fa2', E: '#1565c0',
    'E-bis': '#00897b', F: '#546e7a', 'F-bis': '#43a047', none: '#9e9e9e'
  };
  const CLASS_WIDTHS = { A: 3, B: 2.6, C: 2.2, D: 2, E: 1.6, 'E-bis': 1.1, F: 1, 'F-bis': 0.8, none: 0.8 };
  const SEVERITY_COLOURS = { error: '#d50000', warning: '#ff9100', info: '#2979ff' };
  const ELEMENTS = 'road-elements';
  const FINDINGS = 'topology-issues';
  const STREETS = 'streets';
  // Label glyphs rendered from DejaVu Sans and served by StreetCad itself (vendor/glyphs-dejavu-2.37/VENDORED.md).
  const GLYPHS = '/map/vendor/glyphs-dejavu-2.37/{fontstack}/{range}.pbf';
  const FONT = ['DejaVuSans'];
  // Street names: the main roads' (classes A–E) from the streets zoom, every street's from the detail zoom.
  const MAIN_CLASSES = ['A', 'B', 'C', 'D', 'E'];
  const STREETS_ZOOM = 13;
  const DETAIL_ZOOM = 15;

  const level = ['coalesce', ['get', 'level'], 'at_grade'];
  // Each element layer's own filter; the page adds the class and status filters to these.
  const LEVEL_FILTERS = {
    'elements-tunnel': ['==', level, 'tunnel'],
    'elements-bridge-casing': ['==', level, 'bridge'],
    'elements': ['!=', level, 'tunnel']
  };
  const klass = ['coalesce', ['get', 'functional_class'], 'none'];
  const byClass = table => ['match', klass, ...Object.entries(table).filter(([k]) => k !== 'none').flat(), table.none];
  // Widths in pixels at zoom 11, 14 and 18, times the class factor: thin lines for the whole city, roads at street
  // level. `scale` thickens everything on a wall screen, read from across the control room.
  const width = (scale, extra = 0) => ['interpolate', ['exponential', 1.6], ['zoom'],
    11, ['*', scale, ['+', ['*', byClass(CLASS_WIDTHS), 0.4], extra * 0.5]],
    14, ['*', scale, ['+', ['*', byClass(CLASS_WIDTHS), 1.3], extra]],
    18, ['*', scale, ['+', ['*', byClass(CLASS_WIDTHS), 6], extra * 2]]];

  /** Line widths grow with the window beyond a laptop's 1600 CSS pixels, up to 2.5 times on a 4K wall. */
  function scaleFor(windowWidth) {
    return Math.min(2.5, Math.max(1, windowWidth / 1600));
  }

  function build(origin, basemapUrl, scale = 1) {
    const sources = {
      [ELEMENTS]: {
        type: 'vector',
        tiles: [`${origin}/tiles/${ELEMENTS}/{z}/{x}/{y}.mvt`],
        maxzoom: 16,
        promoteId: { [ELEMENTS]: 'id' },
        attribution: '© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
      },
      [STREETS]: {
        type: 'vector',
        tiles: [`${origin}/tiles/${STREETS}/{z}/{x}/{y}.mvt`],
        minzoom: STREETS_ZOOM,
        maxzoom: 16
      },
      [FINDINGS]: { type: 'geojson', data: { type: 'FeatureCollection', features: [] } }
    };
    const layers = [{ id: 'background', type: 'background', paint: { 'background-color': '#f3f1ec' } }];
    if (basemapUrl) {
      sources.basemap = { type: 'raster', tiles: [basemapUrl], tileSize: 256 };
      layers.push({ id: 'basemap', type: 'raster', source: 'basemap', layout: { visibility: 'none' },
        paint: { 'raster-opacity': 0.6 } });
    }
    const line = (id, paint, filter, layout = {}) => ({
      id, type: 'line', source: ELEMENTS, 'source-layer': ELEMENTS, filter,
      layout: { 'line-cap': 'round', 'line-join': 'round', ...layout }, paint
    });
    const streetClass = ['coalesce', ['get', 'functional_class'], 'none'];
    const names = (id, minzoom, filter) => ({
      id, type: 'symbol', source: STREETS, 'source-layer': STREETS, minzoom, filter,
      layout: {
        'symbol-placement': 'line', 'text-field': ['get', 'name'], 'text-font': FONT,
        'text-size': ['interpolate', ['linear'], ['zoom'], STREETS_ZOOM, 10 * scale, 18, 15 * scale],
        'text-max-angle': 35, 'symbol-spacing': 250 * scale, 'text-padding': 2
      },
      paint: { 'text-color': '#263238', 'text-halo-color': 'rgba(255,255,255,0.9)', 'text-halo-width': 1.5 * scale }
    });
    layers.push(
      // Every named street, drawn lightly under the elements until the detail zoom draws them all in colour.
      { id: 'streets', type: 'line', source: STREETS, 'source-layer': STREETS, minzoom: STREETS_ZOOM, maxzoom: DETAIL_ZOOM,
        layout: { 'line-cap': 'round', 'line-join': 'round' },
        paint: { 'line-color': '#9aa5ad', 'line-opacity': 0.7,
          'line-width': ['interpolate', ['linear'], ['zoom'], STREETS_ZOOM, 0.7 * scale, DETAIL_ZOOM, 1.6 * scale] } },
      line('elements-tunnel', { 'line-color': byClass(CLASS_COLOURS), 'line-width': width(scale), 'line-opacity': 0.45,
        'line-dasharray': [1.5, 1] }, LEVEL_FILTERS['elements-tunnel'], { 'line-cap': 'butt' }),
      line('elements-bridge-casing', { 'line-color': '#212121', 'line-width': width(scale, 3) }, LEVEL_FILTERS['elements-bridge-casing'],
        { 'line-cap': 'butt' }),
      line('elements', { 'line-color': byClass(CLASS_COLOURS), 'line-width': width(scale) }, LEVEL_FILTERS.elements),
      line('elements-road-highlight', { 'line-color': '#ffd600', 'line-width': width(scale, 6), 'line-opacity': 0.85 },
        ['==', ['get', 'id'], -1]),
      line('elements-hover', { 'line-color': '#00b8d4', 'line-width': width(scale, 4),
        'line-opacity': ['case', ['boolean', ['feature-state', 'hover'], false], 0.9, 0] }, ['all']),
      line('elements-selected', { 'line-color': '#d500f9', 'line-width': width(scale, 5) }, ['==', ['get', 'id'], -1]),
      { id: 'findings-lines', type: 'line', source: FINDINGS, filter: ['!=', ['geometry-type'], 'Point'],
        layout: { visibility: 'none' },
        paint: { 'line-color': ['match', ['get', 'severity'], 'error', SEVERITY_COLOURS.error, 'warning',
          SEVERITY_COLOURS.warning, SEVERITY_COLOURS.info], 'line-width': 5, 'line-opacity': 0.7,
          'line-dasharray': [1, 1] } },
      { id: 'findings-points', type: 'circle', source: FINDINGS, filter: ['==', ['geometry-type'], 'Point'],
        layout: { visibility: 'none' },
        paint: { 'circle-radius': ['interpolate', ['linear'], ['zoom'], 11, 3, 16, 8],
          'circle-color': ['match', ['get', 'severity'], 'error', SEVERITY_COLOURS.error, 'warning',
            SEVERITY_COLOURS.warning, SEVERITY_COLOURS.info],
          'circle-stroke-color': '#ffffff', 'circle-stroke-width': 1.5 } }
    );
    // Names above the lines, under the findings.
    layers.splice(layers.findIndex(l => l.id === 'findings-lines'), 0,
      names('street-names-main', STREETS_ZOOM, ['in', streetClass, ['literal', MAIN_CLASSES]]),
      names('street-names', DETAIL_ZOOM, ['!', ['in', streetClass, ['literal', MAIN_CLASSES]]]));
    // Drawn under the findings it rings, whatever their geometry; the page sets its filter to the open finding.
    layers.splice(layers.findIndex(l => l.id === 'findings-lines'), 0,
      { id: 'findings-selected', type: 'line', source: FINDINGS, filter: ['==', ['get', 'id'], -1],
        paint: { 'line-color': '#d500f9', 'line-width': 9, 'line-opacity': 0.6 } },
      { id: 'findings-selected-point', type: 'circle', source: FINDINGS, filter: ['==', ['get', 'id'], -1],
        paint: { 'circle-radius': 14, 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': '#d500f9',
          'circle-stroke-width': 4 } });
    return { version: 8, glyphs: `${origin}${GLYPHS}`, sources, layers };
  }

  return {
    build, scaleFor, CLASS_COLOURS, SEVERITY_COLOURS, ELEMENTS, FINDINGS, STREETS,
    ELEMENT_LAYERS: ['elements', 'elements-tunnel'],
    NAME_LAYERS: ['street-names-main', 'street-names'],
    STREETS_ZOOM,
    LEVEL_FILTERS,
    FINDING_LAYERS: ['findings-points', 'findings-lines']
  };
})();
