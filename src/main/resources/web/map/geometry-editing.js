// Geometry editing on the web map, for editors: move an element's vertices, split it where the editor clicks, draw
// a new element snapped to the junctions, retire an element. Terra Draw (vendored, with its MapLibre adapter) draws
// and drags; every change goes through the edit API (OGC API – Features Part 4) with the ETag the editor started
// from in If-Match, so a change made meanwhile by someone else is refused (412), never overwritten.
'use strict';
const StreetCadGeometryEditing = (() => {
  /** Junctions this close to the pointer (CSS pixels) catch a drawn or dragged vertex. */
  const SNAP_PIXELS = 12;

  /**
   * @param map     the MapLibre map
   * @param page    what the page lends: text() its words, say(message), open(id) an element's record,
   *                current(itemPath) the item now with its ETag, problem(response) a refusal in words, changed()
   *                to redraw the map's tiles after a change, bbox() the view's bounds as a bbox parameter
   */
  function create(map, page) {
    let draw = null;
    let session = null;
    let junctions = [];
    // Feature ids, for the features added here and the guidance points Terra Draw adds alike (one store holds both).
    let next = 0;
    const newId = () => ++next;

    function terra() {
      if (draw) return draw;
      const snapping = { toCustom: snapToJunction };
      draw = new terraDraw.TerraDraw({
        adapter: new terraDrawMaplibreGlAdapter.TerraDrawMapLibreGLAdapter({ map }),
        // Numbers, not the default UUIDs: crypto.randomUUID exists only on HTTPS pages.
        idStrategy: { isValidId: id => Number.isInteger(id), getId: newId },
        modes: [
          new terraDraw.TerraDrawSelectMode({
            flags: { linestring: { feature: { coordinates: { draggable: true, midpoints: { draggable: true }, deletable: true,
              snappable: snapping } } } },
            keyEvents: { deselect: null, delete: 'Delete', rotate: null, scale: null },
            allowManualDeselection: false
          }),
          new terraDraw.TerraDrawLineStringMode({ snapping, styles: { lineStringColor: '#d500f9', lineStringWidth: 4 } })
        ]
      });
      draw.on('finish', id => {
        if (session?.kind === 'draw') finished(id);
      });
      return draw;
    }

    /** The nearest live junction within SNAP_PIXELS of the pointer, if any. */
    function snapToJunction(event) {
      let best = null;
      let bestDistance = SNAP_PIXELS;
      for (const j of junctions) {
        const p = map.project(j);
        const d = Math.hypot(p.x - event.containerX, p.y - event.containerY);
        if (d <= bestDistance) { best = j; bestDistance = d; }
      }
      return best || undefined;
    }

    /** The live junctions in view, which a drawn or dragged vertex may snap to. */
    async function loadJunctions() {
      const r = await fetch(`/collections/junctions/items?bbox=${page.bbox()}&limit=10000&properties=id`,
        { headers: { Accept: 'application/geo+json' } });
      junctions = r.ok ? (await r.json()).features.map(f => f.geometry.coordinates) : [];
    }

    function begin(kind, extra) {
      end();
      delete document.body.dataset.edited;
      session = { kind, ...extra };
      document.body.dataset.editing = kind;
    }

    function end() {
      if (draw && draw.enabled) {
        draw.clear();
        draw.stop();
      }
      map.getCanvas().style.cursor = '';
      session = null;
      delete document.body.dataset.editing;
    }

    /** Sends a change; a refusal is said in words and the element shown as it is now. Answers the parsed body or null. */
    async function send(url, options, id) {
      const r = await streetcadAccess.fetch(url, options);
      const body = await r.json().catch(() => ({}));
      if (r.ok) return body;
      page.say(r.status === 412 ? page.text().conflict(body.properties?.version ?? '?') : page.problem(body, r.status));
      if (id !== undefined && r.status === 412) page.open(id);
      return null;
    }

    /** Says what was done, and leaves it on the page (body data-edited: the action and the ids) for whoever checks. */
    function done(message, action, ...ids) {
      page.say(message);
      document.body.dataset.edited = [action, ...ids].join(' ');
      page.changed();
      page.open(ids[0]);
    }

    function reasonHeaders(headers) {
      const reason = document.getElementById('geometry-reason')?.value.trim();
      return reason ? { ...headers, 'X-Change-Reason': reason } : headers;
    }

    // ---- the four actions

    /** The element's line becomes editable: drag a vertex, drag a midpoint to add one, Delete removes the one held. */
    async function move(itemPath, id) {
      const item = await page.current(itemPath);
      await loadJunctions();
      const feature = newId();
      begin('move', { itemPath, id, etag: item.etag, feature });
      const d = terra();
      d.start();
      d.addFeatures([{ id: feature, type: 'Feature', geometry: item.feature.geometry, properties: { mode: 'linestring' } }]);
      d.setMode('select');
      d.selectFeature(feature);
    }

    async function saveMove() {
      const { itemPath, id, etag, feature } = session;
      const geometry = draw.getSnapshotFeature(feature)?.geometry;
      end();
      const saved = await send(itemPath, { method: 'PATCH', body: JSON.stringify({ geometry }),
        headers: reasonHeaders({ 'Content-Type': 'application/merge-patch+json', 'If-Match': etag }) }, id);
      if (saved) done(page.text().geometrySaved, 'move', id);
    }

    /** The next click on the map cuts the element there. */
    async function split(itemPath, id) {
      const item = await page.current(itemPath);
      begin('split', { itemPath, id, etag: item.etag });
      map.getCanvas().style.cursor = 'crosshair';
    }

    async function splitAt(lngLat) {
      const { itemPath, id, etag } = session;
      end();
      const cut = await send(`${itemPath}/split`, { method: 'POST', body: JSON.stringify({ point: [lngLat.lng, lngLat.lat] }),
        headers: reasonHeaders({ 'Content-Type': 'application/json', 'If-Match': etag }) }, id);
      if (cut) done(page.text().splitDone(cut.features[0].id, cut.features[1].id), 'split', id, cut.features[1].id);
    }

    /** Click the vertices of a new element (its ends snap to junctions), click the last again or press Enter. */
    async function drawNew() {
      await loadJunctions();
      begin('draw', {});
      const d = terra();
      d.start();
      d.setMode('linestring');
    }

    async function finished(featureId) {
      const geometry = draw.getSnapshotFeature(featureId)?.geometry;
      end();
      const created = await send(`/collections/road-elements/items`, { method: 'POST',
        body: JSON.stringify({ type: 'Feature', geometry, properties: {} }),
        headers: reasonHeaders({ 'Content-Type': 'application/geo+json' }) });
      if (created) done(page.text().elementCreated(created.id), 'create', created.id);
    }

    /** Retires the element (its record and history stay). */
    async function retire(itemPath, id) {
      const item = await page.current(itemPath);
      const retired = await send(itemPath, { method: 'DELETE', headers: reasonHeaders({ 'If-Match': item.etag }) }, id);
      if (retired) done(page.text().retired(id), 'retire', id);
    }

    // A click on the map belongs to the split under way, not to the page's own click (which opens a record).
    map.on('click', e => {
      if (session?.kind !== 'split') return;
      e.preventDefault();
      splitAt(e.lngLat);
    });

    return {
      move, saveMove, split, drawNew, retire, cancel: end,
      get active() { return session?.kind ?? null; }
    };
  }

  return { create };
})();
