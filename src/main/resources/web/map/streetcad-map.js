// The StreetCad web map: find a street, click an element, read its cadastre record and its topology findings.
'use strict';
(() => {
  const $ = id => document.getElementById(id);
  const S = StreetCadStyle;
  const CLASSES = ['A', 'B', 'C', 'D', 'E', 'E-bis', 'F', 'F-bis', 'none'];
  const STATUSES = ['in_use', 'under_construction', 'disused'];
  const SEVERITIES = ['error', 'warning', 'info'];
  const RECORD_FIELDS = ['name', 'functional_class', 'element_type', 'level', 'direction', 'lanes', 'width_m',
    'surface', 'speed_limit', 'length_m', 'status', 'from_junction', 'to_junction', 'valid_from', 'valid_to',
    'version', 'road_id', 'id'];

  // What an editor may change in the record panel, with the cadastre's constraints (sql/V1__cadastre.sql) checked
  // in the form before the server checks them again.
  const EDITABLE = {
    functional_class: { choices: ['A', 'B', 'C', 'D', 'E', 'E-bis', 'F', 'F-bis'], optional: true },
    element_type: { choices: ['carriageway', 'slip_road', 'roundabout', 'parking', 'square', 'pedestrian',
      'level_crossing', 'service', 'cycleway', 'track', 'toll', 'traffic_area'] },
    level: { choices: ['at_grade', 'bridge', 'tunnel', 'ramp'] },
    direction: { choices: ['both', 'forward', 'backward', 'closed'] },
    status: { choices: ['in_use', 'under_construction', 'disused'] },
    lanes: { min: 1, max: 12, step: 1 },
    width_m: { min: 0.01, max: 999.99, step: 0.01 },
    surface: { surfaces: true, optional: true },
    speed_limit: { min: 5, max: 150, step: 1 }
  };
  const hash = new URLSearchParams(location.hash.slice(1));
  const state = {
    lang: hash.get('lang') === 'en' ? 'en' : 'it',
    selected: numberOrNull(hash.get('el')),
    road: null,
    classes: new Set(CLASSES),
    statuses: new Set(STATUSES),
    severities: new Set(SEVERITIES),
    rule: '',
    rules: new Set(),
    panel: null,
    // Other layers' records a click opens before an element's (viability.js's works sites): each takes the click
    // (true) when one of its features is under the pointer.
    clickFirst: []
  };
  const t = () => STREETCAD_TEXT[state.lang];
  // Editors' changes of geometry (geometry-editing.js), made once the map exists.
  let geometry = null;

  function numberOrNull(text) {
    return text !== null && /^\d+$/.test(text) ? Number(text) : null;
  }

  function escapeHtml(value) {
    return String(value).replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  }

  async function getJson(path) {
    const response = await fetch(path, { headers: { Accept: 'application/geo+json, application/json' } });
    if (!response.ok) {
      // The problem stays with the error: a retired element's 404 says when, and the panel says so.
      throw Object.assign(new Error(`${path}: HTTP ${response.status}`),
        { problem: await window.streetcadAccess.problemOf(response) });
    }
    return response.json();
  }

  // A passing message: the status line clears itself so that an old failure does not stay on the wall screen.
  let sayTimer = null;
  function say(message) {
    $('status').textContent = message || '';
    clearTimeout(sayTimer);
    if (message) sayTimer = setTimeout(() => { $('status').textContent = ''; }, 8000);
  }

  // ---- the map -------------------------------------------------------------------------------------------------

  function initialView(config) {
    const view = (hash.get('map') || '').split('/').map(Number);
    if (view.length === 3 && view.every(Number.isFinite)) return { zoom: view[0], center: [view[2], view[1]] };
    if (config.extent) return { bounds: config.extent, fitBoundsOptions: { padding: 20 } };
    return { zoom: 1, center: [0, 0] };
  }

  function start(config) {
    const map = new maplibregl.Map({
      container: 'map',
      style: S.build(location.origin, config.basemapUrl, S.scaleFor(window.innerWidth)),
      ...initialView(config),
      maxZoom: 20,
      attributionControl: false
    });
    // The whole cadastre (Florence with its hills) fits at about zoom 11, where an old town of local streets would
    // be an empty hole: the city view opens on the same centre no wider than the zoom that draws every street.
    if (!hash.get('map') && map.getZoom() < S.STREETS_ZOOM) map.jumpTo({ zoom: S.STREETS_ZOOM });
    map.addControl(new maplibregl.NavigationControl({ visualizePitch: false }), 'top-right');
    map.addControl(new maplibregl.ScaleControl({ unit: 'metric', maxWidth: 160 }), 'bottom-left');
    map.addControl(new maplibregl.AttributionControl({ compact: false }), 'bottom-right');
    geometry = StreetCadGeometryEditing.create(map, {
      text: t, say, current, bbox: () => viewBbox(map), open: id => showElement(map, id, false),
      changed: () => redrawTiles(map),
      problem: (body, status) => body.detail || body.title || `HTTP ${status}`
    });
    window.streetcad = { map, state, geometry, say, escapeHtml, bbox: () => viewBbox(map), redraw: () => redrawTiles(map) };
    performance.mark('streetcad:map-created');

    map.on('error', event => {
      // Shown to the user instead of the console: the page keeps working with whatever answers.
      const source = event.sourceId || (event.source && event.source.id);
      say(source === S.ELEMENTS ? t().tilesUnavailable : (event.error && event.error.message) || String(event));
    });
    if (config.basemapUrl) $('basemap-switch').hidden = false;
    markFirstDrawnElements(map);
    wireHover(map);
    wireClicks(map);
    wireKeyboard(map);
    wireLayers(map);
    wireSearch(map);
    map.on('mousemove', e => showCoordinates(e.lngLat));
    map.on('moveend', () => {
      writeHash(map);
      if ($('layer-findings').checked) loadFindings(map);
    });
    map.on('load', () => {
      applyFilters(map);
      showCoordinates(map.getCenter());
      if (state.selected !== null) showElement(map, state.selected, false);
      document.body.dataset.mapReady = 'true';
    });
    buildFilters(map);
    applyLanguage(map);
  }

  /**
   * After an edit, the map's tiles are asked for again (revalidated by their ETags), once the server has dropped the
   * cached tiles over the change: each instance reads the change log every STREETCAD_TILES_POLL_MS (500 ms).
   */
  function redrawTiles(map) {
    setTimeout(() => [S.ELEMENTS, S.STREETS].forEach(source => map.refreshTiles(source)), 1500);
  }

  // The moment the first road elements are on screen, as a performance mark the benchmark reads.
  function markFirstDrawnElements(map) {
    const check = () => {
      if (!map.getLayer('elements') || !map.queryRenderedFeatures({ layers: S.ELEMENT_LAYERS }).length) return;
      performance.mark('streetcad:first-elements');
      document.body.dataset.elementsDrawn = 'true';
      map.off('render', check);
    };
    map.on('render', check);
  }

  function showCoordinates(lngLat) {
    $('coordinates').textContent = `${lngLat.lat.toFixed(5)}° N, ${lngLat.lng.toFixed(5)}° E`;
  }

  function writeHash(map) {
    const c = map.getCenter();
    const params = new URLSearchParams();
    params.set('map', `${map.getZoom().toFixed(2)}/${c.lat.toFixed(5)}/${c.lng.toFixed(5)}`);
    if (state.selected !== null) params.set('el', state.selected);
    if (state.lang !== 'it') params.set('lang', state.lang);
    history.replaceState(null, '', `#${params.toString().replaceAll('%2F', '/')}`);
  }

  // ---- hover, click, keyboard ----------------------------------------------------------------------------------

  // Nearest first: in the old town footways and carriageways run a few pixels apart, and the one under the
  // pointer is the one meant, not whichever was drawn last.
  function elementsNear(map, point, pixels) {
    const box = [[point.x - pixels, point.y - pixels], [point.x + pixels, point.y + pixels]];
    const found = map.queryRenderedFeatures(box, { layers: S.ELEMENT_LAYERS.filter(id => map.getLayer(id)) });
    const distance = feature => pixelDistance(map, point, feature.geometry);
    return found.map(f => [distance(f), f]).sort((a, b) => a[0] - b[0]).map(([, f]) => f);
  }

  function pixelDistance(map, point, geometry) {
    const lines = geometry.type === 'LineString' ? [geometry.coordinates]
      : geometry.type === 'MultiLineString' ? geometry.coordinates : [];
    let best = Infinity;
    lines.forEach(line => line.map(c => map.project(c)).forEach((b, i, pts) => {
      if (i === 0) return;
      const a = pts[i - 1], dx = b.x - a.x, dy = b.y - a.y, len = dx * dx + dy * dy;
      const k = len ? Math.max(0, Math.min(1, ((point.x - a.x) * dx + (point.y - a.y) * dy) / len)) : 0;
      best = Math.min(best, Math.hypot(point.x - a.x - k * dx, point.y - a.y - k * dy));
    }));
    return best;
  }

  function wireHover(map) {
    let hovered = null;
    const tooltip = new maplibregl.Popup({ closeButton: false, closeOnClick: false, offset: 12, className: 'hover-tip' });
    const setHover = feature => {
      const id = feature ? feature.id : null;
      if (id === hovered) return;
      if (hovered !== null) map.setFeatureState({ source: S.ELEMENTS, sourceLayer: S.ELEMENTS, id: hovered }, { hover: false });
      hovered = id;
      if (id !== null && id !== undefined) {
        map.setFeatureState({ source: S.ELEMENTS, sourceLayer: S.ELEMENTS, id }, { hover: true });
      }
    };
    map.on('mousemove', e => {
      // A finding under the pointer wins over the element under it, as a click would open the finding.
      const finding = findingsAt(map, e.point)[0];
      const feature = finding ? null : elementsNear(map, e.point, 4)[0];
      setHover(feature);
      map.getCanvas().style.cursor = feature || finding ? 'pointer' : '';
      if (feature) {
        const p = feature.properties;
        tooltip.setLngLat(e.lngLat)
          .setHTML(`<strong>${escapeHtml(p.name || t().unnamed)}</strong><br>${escapeHtml(className(p.functional_class))}`)
          .addTo(map);
      } else if (finding) {
        const p = finding.properties;
        tooltip.setLngLat(e.lngLat)
          .setHTML(`<strong>${escapeHtml(ruleName(p.rule))}</strong><br>${escapeHtml(t().values[p.severity] || p.severity)}`)
          .addTo(map);
      } else {
        tooltip.remove();
      }
    });
    map.getCanvas().addEventListener('mouseleave', () => { setHover(null); tooltip.remove(); });
  }

  function findingsAt(map, point) {
    const box = [[point.x - 6, point.y - 6], [point.x + 6, point.y + 6]];
    return map.queryRenderedFeatures(box, { layers: S.FINDING_LAYERS });
  }

  function wireClicks(map) {
    map.on('click', e => {
      // A click during a change of geometry is the change's (a split's point, a new vertex); another tool
      // (viability.js) picking points takes the click as a point.
      if (geometry.active || e.defaultPrevented || state.picking) return;
      const finding = findingsAt(map, e.point)[0];
      if (finding) return showFinding(map, finding.properties, finding.geometry);
      if (state.clickFirst.some(take => take(e.point))) return;
      const feature = elementsNear(map, e.point, 5)[0];
      if (feature) showElement(map, Number(feature.id ?? feature.properties.id), false);
    });
    $('panel-close').addEventListener('click', () => closePanel(map));
  }

  function wireKeyboard(map) {
    $('map').addEventListener('keydown', e => {
      if (e.key !== 'Enter' || geometry.active) return;
      const feature = elementsNear(map, map.project(map.getCenter()), 12)[0];
      if (feature) showElement(map, Number(feature.id ?? feature.properties.id), false);
      else say(t().noElementHere);
    });
    document.addEventListener('keydown', e => {
      const typing = e.target.closest('input, select, textarea');
      if (e.key === '/' && !typing) {
        e.preventDefault();
        $('search-input').focus();
      } else if (e.key === 'Escape' && geometry.active) {
        $('geometry-cancel')?.click();
      } else if (e.key === 'Escape' && !$('panel').hidden && e.target.id !== 'search-input') {
        closePanel(map);
      }
    });
  }

  // ---- the side panel ------------------------------------------------------------------------------------------

  function openPanel(title, html) {
    $('panel-title').textContent = title;
    $('panel-body').innerHTML = html;
    $('panel').hidden = false;
  }

  function closePanel(map) {
    geometry.cancel();
    $('panel').hidden = true;
    selectFinding(map, -1);
    state.panel = null;
    state.selected = null;
    setSelected(map);
    writeHash(map);
    $('map').focus();
  }

  function setSelected(map) {
    if (map.getLayer('elements-selected')) {
      map.setFilter('elements-selected', ['==', ['get', 'id'], state.selected ?? -1]);
    }
  }

  function ruleName(rule) {
    return t().rules[rule] || rule;
  }

  function className(code) {
    return t().classes[code || 'none'] || code;
  }

  function formatValue(field, value) {
    const text = t();
    if (value === null || value === undefined || value === '') return '—';
    switch (field) {
      case 'functional_class': return className(value);
      case 'length_m': return `${Number(value).toLocaleString(state.lang, { maximumFractionDigits: 1 })} m`;
      case 'width_m': return `${Number(value).toLocaleString(state.lang)} m`;
      case 'speed_limit': return `${value} km/h`;
      case 'valid_from':
      case 'valid_to': return new Date(value).toLocaleString(state.lang);
      case 'surface': return text.surfaces[value] || value;
      case 'from_junction':
      case 'to_junction': return junctionName(value);
      default: return text.values[value] || value;
    }
  }

  /**
   * A junction by the streets that meet there (the element's own street left out): "Piazza della Signoria ·
   * Via de' Calzaiuoli". Its number follows, and stands alone until the junction has been read.
   */
  function junctionName(id) {
    const text = t();
    const junction = state.panel?.junctions?.[id];
    if (!junction) return text.junctionNumber(id);
    const own = state.panel.record?.value?.properties?.name;
    const streets = [...new Set(junction.properties.elements.map(e => e.name).filter(n => n && n !== own))];
    const where = streets.length ? streets.join(' · ')
      : junction.properties.kind === 'end' ? text.junctionEnd : text.values[junction.properties.kind] || junction.properties.kind;
    return `${where} (${text.junctionNumber(id)})`;
  }

  async function loadJunctions(ids) {
    const found = await Promise.allSettled(ids.map(j => getJson(`/network/junctions/${j}`)));
    return Object.fromEntries(found.flatMap((r, i) => (r.status === 'fulfilled' ? [[ids[i], r.value]] : [])));
  }

  async function showElement(map, id, zoomTo) {
    state.selected = id;
    // Each opening is its own: a reload of the same element makes an earlier, slower one give way.
    const opening = state.panel = { kind: 'element', id };
    delete $('panel').dataset.record;
    setSelected(map);
    writeHash(map);
    openPanel(`${t().element} ${id}`, `<p>${t().loading}</p>`);
    const itemPath = `/collections/${S.ELEMENTS}/items/${id}`;
    const [record, findings, history] = await Promise.allSettled([
      getJson(itemPath), getJson(`/topology/issues?element=${id}`), getJson(`${itemPath}/history`)]);
    if (state.panel !== opening) return;
    Object.assign(opening, { record, findings, history });
    renderElement(itemPath, record, findings);
    if (zoomTo && record.status === 'fulfilled') fitGeometry(map, record.value.geometry);
    if (record.status === 'fulfilled') {
      const p = record.value.properties;
      const junctions = await loadJunctions([p.from_junction, p.to_junction].filter(j => j !== null && j !== undefined));
      if (state.panel !== opening) return;
      opening.junctions = junctions;
      renderElement(itemPath, record, findings);
    }
    // The panel is drawn for the last time: what a test (or a screen reader's user) reads now stays.
    $('panel').dataset.record = String(id);
  }

  function renderElement(itemPath, record, findings) {
    // An open form is never drawn over: its values are the editor's until saved or cancelled.
    if (state.panel.editing) return;
    const text = t();
    const id = state.panel.id;
    let html;
    if (record.status === 'fulfilled') {
      const p = record.value.properties || {};
      // The source's own value stays readable as the tooltip of its translation.
      html = '<dl class="record">' + RECORD_FIELDS.map(f =>
        `<dt>${escapeHtml(text.fields[f])}</dt><dd data-field="${f}"${p[f] !== null && p[f] !== undefined
          ? ` title="${escapeHtml(p[f])}"` : ''}>${escapeHtml(formatValue(f, p[f]))}</dd>`).join('') + '</dl>';
      $('panel-title').textContent = p.name || `${text.element} ${id}`;
    } else if (retiredOn(record)) {
      // Retired: the current view no longer has it (404), its history does, and a revert brings it back.
      html = `<p class="retired" id="record-retired">${escapeHtml(text.retiredOn(
        new Date(retiredOn(record)).toLocaleString(state.lang)))}</p>`;
      $('panel-title').textContent = `${text.element} ${id}`;
    } else {
      html = `<p class="problem">${text.recordUnavailable}</p>`;
      $('panel-title').textContent = `${text.element} ${id}`;
    }
    if (record.status === 'fulfilled') {
      html += `<p data-requires-role="editor" hidden class="edit-actions"><button type="button" id="edit-start">${text.editAttributes}</button>`;
      // A retired element keeps its record and history, but its line is no longer the cadastre's to change.
      if (!record.value.properties?.valid_to) {
        html += ` <button type="button" id="geometry-move">${text.moveVertices}</button>
          <button type="button" id="geometry-split">${text.splitAtClick}</button>
          <button type="button" id="geometry-retire">${text.retire}</button>
          <button type="button" id="geometry-retire-confirm" hidden>${text.retireConfirm}</button>`;
      }
      html += '</p>';
    }
    html += `<p><a id="record-json" href="${itemPath}?f=json" target="_blank" rel="noopener">${text.json}</a></p>`;
    html += `<h3>${text.findings}</h3>`;
    if (findings.status !== 'fulfilled') {
      html += `<p class="problem">${text.findingsUnavailable}</p>`;
    } else if (!findings.value.features.length) {
      html += `<p>${text.noFindings}</p>`;
    } else {
      html += '<ul class="findings">' + findings.value.features.map(f => findingItem(f.properties)).join('') + '</ul>';
    }
    html += `<h3>${text.history}</h3>`;
    const history = state.panel.history;
    html += history?.status === 'fulfilled' ? historyList(history.value.versions)
      : `<p class="problem">${text.historyUnavailable}</p>`;
    $('panel-body').innerHTML = html;
    $('edit-start')?.addEventListener('click', () => startEditing(itemPath));
    $('geometry-move')?.addEventListener('click', () => startGeometry('move', itemPath, id));
    $('geometry-split')?.addEventListener('click', () => startGeometry('split', itemPath, id));
    $('geometry-retire')?.addEventListener('click', () => { $('geometry-retire-confirm').hidden = false; });
    $('geometry-retire-confirm')?.addEventListener('click', () => geometry.retire(itemPath, id));
    $('panel-body').querySelectorAll('[data-revert]').forEach(b =>
      b.addEventListener('click', () => revert(itemPath, Number(b.dataset.revert))));
  }

  /** When the element was retired, if its read was the 404 of a retired item; else null. */
  function retiredOn(record) {
    const problem = record.status === 'rejected' ? record.reason?.problem : null;
    return problem?.code === 'retired' ? problem.valid_to : null;
  }

  // ---- editing (editors only: the server asks for the role again on every change) -------------------------------

  /** The item now, with the ETag a change must name in If-Match. */
  async function current(itemPath) {
    const r = await fetch(itemPath, { headers: { Accept: 'application/geo+json' }, cache: 'no-store' });
    if (!r.ok) throw new Error(`${itemPath}: HTTP ${r.status}`);
    return { etag: r.headers.get('ETag'), feature: await r.json() };
  }

  function inputFor(field, value) {
    const spec = EDITABLE[field];
    const text = t();
    if (spec.choices || spec.surfaces) {
      const choices = spec.choices || Object.keys(text.surfaces);
      // A source value the list does not know stays selectable, as it is.
      const all = value && !choices.includes(value) ? [value, ...choices] : choices;
      const label = c => field === 'functional_class' ? className(c) : field === 'surface' ? (text.surfaces[c] || c) : (text.values[c] || c);
      return `<select name="${field}">${spec.optional ? `<option value="">—</option>` : ''}${all.map(c =>
        `<option value="${escapeHtml(c)}"${c === value ? ' selected' : ''}>${escapeHtml(label(c))}</option>`).join('')}</select>`;
    }
    return `<input name="${field}" type="number" min="${spec.min}" max="${spec.max}" step="${spec.step}"
      value="${value === null || value === undefined ? '' : escapeHtml(value)}">`;
  }

  async function startEditing(itemPath) {
    const text = t();
    const opening = state.panel;
    let item;
    let road = null;
    try {
      item = await current(itemPath);
      const roadId = item.feature.properties.road_id;
      // The element's name is its road's: correcting it renames the road, with the road's own version.
      if (roadId !== null && roadId !== undefined) road = await current(`/collections/roads/items/${Number(roadId)}`);
    } catch (error) {
      say(text.recordUnavailable);
      return;
    }
    if (state.panel !== opening) return;
    const p = item.feature.properties;
    const form = document.createElement('form');
    form.id = 'edit-form';
    const nameRow = road ? `<dt><label for="edit-name">${escapeHtml(text.roadName)}</label></dt><dd>
        <input name="name" id="edit-name" required pattern=".*\\S.*" aria-describedby="edit-name-hint"
          value="${escapeHtml(road.feature.properties.name ?? '')}">
        <small id="edit-name-hint">${escapeHtml(text.roadNameHint)}</small>
        <span class="field-problem" data-problem="name"></span></dd>` : '';
    form.innerHTML = '<dl class="record">' + nameRow + Object.keys(EDITABLE).map(f =>
      `<dt><label for="edit-${f}">${escapeHtml(text.fields[f])}</label></dt><dd>${inputFor(f, p[f])}
        <span class="field-problem" data-problem="${f}"></span></dd>`).join('') + '</dl>'
      + `<label>${text.changeReason} <input name="reason" maxlength="1000"></label>
         <p><button type="submit">${text.save}</button> <button type="button" id="edit-cancel">${text.cancel}</button></p>
         <div id="edit-conflict" hidden></div>`;
    form.querySelectorAll('[name]').forEach(el => { if (EDITABLE[el.name]) el.id = `edit-${el.name}`; });
    state.panel.editing = true;
    $('panel-body').replaceChildren(form);
    // The button pressed is gone with the record it stood in: the keyboard goes on in the form.
    form.querySelector('input, select').focus();
    form.querySelector('#edit-cancel').addEventListener('click', () => reloadElement());
    form.addEventListener('submit', event => {
      event.preventDefault();
      if (!form.reportValidity()) return;
      const name = road && form.elements.name.value.trim();
      const rename = road && name !== road.feature.properties.name
        ? { path: `/collections/roads/items/${Number(p.road_id)}`, etag: road.etag, name } : null;
      save(itemPath, item, changesIn(form, p), form.elements.reason.value.trim(), rename);
    });
  }

  /** The properties the form changes, as a JSON merge patch: an emptied field becomes null. */
  function changesIn(form, before) {
    const changes = {};
    Object.entries(EDITABLE).forEach(([field, spec]) => {
      const raw = form.elements[field].value;
      const value = raw === '' ? null : spec.choices || spec.surfaces ? raw : Number(raw);
      if (value !== (before[field] ?? null)) changes[field] = value;
    });
    return changes;
  }

  /** A merge patch of properties naming the version it was made on. */
  function patchProperties(path, etag, properties, reason) {
    const headers = { 'Content-Type': 'application/merge-patch+json', 'If-Match': etag };
    if (reason) headers['X-Change-Reason'] = reason;
    return streetcadAccess.fetch(path, { method: 'PATCH', headers, body: JSON.stringify({ properties }) });
  }

  /**
   * The road's new name first, then the element's attributes: a refused name leaves both as they were, and a
   * conflict on the element (shown beside the form) no longer carries the name, which is saved.
   */
  async function save(itemPath, item, changes, reason, rename) {
    const text = t();
    document.querySelectorAll('#edit-form .field-problem').forEach(el => { el.textContent = ''; });
    if (rename) {
      const r = await patchProperties(rename.path, rename.etag, { name: rename.name }, reason);
      if (!r.ok) {
        const body = await r.json().catch(() => ({}));
        const where = document.querySelector('#edit-form [data-problem="name"]');
        where.textContent = r.status === 412 ? text.roadRenamed(body.properties?.name ?? '')
          : body.detail || body.title || `HTTP ${r.status}`;
        $('edit-name').focus();
        return;
      }
    }
    if (!Object.keys(changes).length) {
      if (rename) {
        say(text.saved);
        redrawTiles(window.streetcad.map);
      }
      return reloadElement();
    }
    const r = await patchProperties(itemPath, item.etag, changes, reason);
    if (r.ok) {
      say(text.saved);
      redrawTiles(window.streetcad.map);
      return reloadElement();
    }
    const body = await r.json().catch(() => ({}));
    if (r.status === 412) return showConflict(itemPath, item, changes, reason, { etag: r.headers.get('ETag'), feature: body });
    const where = body.parameter && document.querySelector(`#edit-form [data-problem="${CSS.escape(body.parameter)}"]`);
    if (where) where.textContent = body.detail || body.title;
    else say(body.detail || body.title || `HTTP ${r.status}`);
  }

  /**
   * Someone else changed the element since the form opened: show what they changed (from the version the form was
   * opened on to theirs) beside what the editor meant to change, and let the editor reapply or drop theirs.
   */
  function showConflict(itemPath, before, changes, reason, theirs) {
    const text = t();
    const now = theirs.feature.properties || {};
    const line = (f, from, to) => `<li>${escapeHtml(text.fields[f] || f)}: ${escapeHtml(formatValue(f, from))} → ${escapeHtml(formatValue(f, to))}</li>`;
    const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
    const theirChanges = Object.keys({ ...before.feature.properties, ...now })
      .filter(f => f !== 'version' && !same(before.feature.properties[f], now[f])
        && typeof (now[f] ?? before.feature.properties[f]) !== 'object')
      .map(f => line(f, before.feature.properties[f], now[f]));
    if (!same(before.feature.geometry, theirs.feature.geometry)) theirChanges.push(`<li>${escapeHtml(text.geometry)}</li>`);
    const box = $('edit-conflict');
    box.innerHTML = `<p class="problem">${escapeHtml(text.conflict(now.version))}</p>
      <h4>${text.theirChanges}</h4><ul class="their-changes">${theirChanges.join('')}</ul>
      <h4>${text.yourChanges}</h4><ul class="your-changes">${Object.keys(changes).map(f => line(f, now[f], changes[f])).join('')}</ul>
      <button type="button" id="conflict-reapply">${text.reapply}</button>
      <button type="button" id="conflict-drop">${text.drop}</button>`;
    box.hidden = false;
    $('conflict-reapply').addEventListener('click', () => save(itemPath, theirs, changes, reason));
    $('conflict-drop').addEventListener('click', () => reloadElement());
  }

  async function revert(itemPath, version) {
    const text = t();
    // A retired element has no current read to take an ETag from: its history's last version is the one to name.
    const versions = state.panel.history?.value?.versions;
    const etag = retiredOn(state.panel.record) && versions?.length
      ? `"${Number(versions[versions.length - 1].version)}"` : (await current(itemPath)).etag;
    const r = await streetcadAccess.fetch(`${itemPath}/revert?version=${version}`,
      { method: 'POST', headers: { 'If-Match': etag } });
    if (!r.ok) {
      const body = await r.json().catch(() => ({}));
      say(body.detail || body.title || `HTTP ${r.status}`);
      return;
    }
    say(text.reverted(version));
    redrawTiles(window.streetcad.map);
    reloadElement();
  }

  /** Starts a change of geometry (move, split, draw) and turns the panel into its controls. */
  async function startGeometry(kind, itemPath, id) {
    const text = t();
    try {
      if (kind === 'move') await geometry.move(itemPath, id);
      else if (kind === 'split') await geometry.split(itemPath, id);
      else await geometry.drawNew();
    } catch (error) {
      geometry.cancel();
      say(text.recordUnavailable);
      return;
    }
    state.panel = { kind: 'geometry', id };
    const hint = { move: text.moveHint, split: text.splitHint, draw: text.drawHint }[kind];
    openPanel(kind === 'draw' ? text.drawNew : `${text.element} ${id}`, `<p id="geometry-hint">${escapeHtml(hint)}</p>
      <label>${text.changeReason} <input id="geometry-reason" maxlength="1000"></label>
      <p>${kind === 'move' ? `<button type="button" id="geometry-save">${text.saveGeometry}</button> ` : ''}
      <button type="button" id="geometry-cancel">${text.cancel}</button></p>`);
    $('geometry-save')?.addEventListener('click', () => geometry.saveMove());
    $('geometry-cancel').addEventListener('click', () => {
      geometry.cancel();
      say(text.editCancelled);
      if (id === undefined) closePanel(window.streetcad.map);
      else showElement(window.streetcad.map, id, false);
    });
  }

  function reloadElement() {
    if (state.panel?.kind === 'element') showElement(window.streetcad.map, state.panel.id, false);
  }

  /** The element's versions, newest first: when the cadastre recorded each, who, through what and why, and what changed. */
  function historyList(versions) {
    const text = t();
    const items = [...versions].reverse().map(v => {
      const who = [v.author?.id, v.author?.organisation].filter(Boolean).join(', ') || text.unknownAuthor;
      const changes = v.version === versions[0].version ? [text.created]
        : Object.entries(v.changes || {}).map(([field, c]) =>
          `${text.fields[field] || field}: ${formatValue(field, c.from)} → ${formatValue(field, c.to)}`);
      if (v.geometry_changed && v.version !== versions[0].version) changes.push(text.geometryChanged);
      return `<li data-version="${Number(v.version)}"><strong>${escapeHtml(text.versionNumber(v.version))}</strong>
        <time datetime="${escapeHtml(v.recorded_from)}">${escapeHtml(new Date(v.recorded_from).toLocaleString(state.lang))}</time>
        <span class="author">${escapeHtml(who)}</span>${v.reason ? ` <q>${escapeHtml(v.reason)}</q>` : ''}
        <br><small>${changes.map(escapeHtml).join('; ')}</small>${v.version !== versions[versions.length - 1].version
          ? ` <button type="button" class="link" data-requires-role="editor" hidden data-revert="${Number(v.version)}">${text.revert}</button>` : ''}</li>`;
    });
    return `<ol class="history">${items.join('')}</ol>`;
  }

  function findingItem(p) {
    const text = t();
    return `<li class="severity-${escapeHtml(p.severity)}"><span class="badge">${escapeHtml(text.values[p.severity] || p.severity)}</span>
      <strong>${escapeHtml(ruleName(p.rule))}</strong> <small>${escapeHtml(p.rule)}</small>${p.accepted ? ` (${text.accepted})` : ''}<br><span class="explanation" title="${escapeHtml(p.explanation || '')}">${
        escapeHtml(text.ruleExplanations[p.rule] || p.explanation || '')}</span></li>`;
  }

  function showFinding(map, properties, geometry) {
    state.panel = { kind: 'finding', properties, geometry };
    selectFinding(map, Number(properties.id));
    renderFinding(map);
  }

  function renderFinding(map) {
    const text = t();
    const p = state.panel.properties;
    const ids = value => (typeof value === 'string' ? JSON.parse(value) : value) || [];
    const elements = ids(p.element_ids).map(id =>
      `<button type="button" class="link" data-element="${Number(id)}">${Number(id)}</button>`).join(' ');
    // A technician may keep a finding as an accepted exception (with a note saying why): it stays accepted while the
    // geometry it is about is unchanged.
    const accept = p.accepted ? '' : `<form id="finding-accept" data-requires-role="technician" hidden>
      <label for="finding-note">${escapeHtml(text.acceptNote)}</label>
      <input id="finding-note" maxlength="500" autocomplete="off">
      <button type="submit">${escapeHtml(text.acceptFinding)}</button><div aria-live="polite"></div></form>`;
    openPanel(text.finding, `<ul class="findings">${findingItem(p)}</ul>
      <dl class="record"><dt>${text.elements}</dt><dd>${elements || '—'}</dd>
      <dt>${text.junctions}</dt><dd>${ids(p.junction_ids).map(Number).join(', ') || '—'}</dd></dl>${accept}`);
    $('panel-body').querySelectorAll('[data-element]').forEach(b =>
      b.addEventListener('click', () => showElement(map, Number(b.dataset.element), true)));
    $('finding-accept')?.addEventListener('submit', event => {
      event.preventDefault();
      acceptFinding(map, event.target);
    });
  }

  async function acceptFinding(map, form) {
    const opening = state.panel;
    const note = $('finding-note').value.trim();
    const response = await window.streetcadAccess.fetch(`/topology/issues/${Number(opening.properties.id)}/accept`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(note ? { note } : {})
    });
    if (!response.ok) {
      const { detail } = await window.streetcadAccess.problemOf(response);
      form.querySelector('[aria-live]').innerHTML = `<p class="problem" title="${escapeHtml(detail)}">`
        + `${escapeHtml(t().acceptRefused)}: ${escapeHtml(response.status === 403 ? t().technicianOnly : detail)}</p>`;
      return;
    }
    if (state.panel !== opening) return;
    opening.properties = { ...opening.properties, accepted: true };
    renderFinding(map);
    loadFindings(map);
  }

  function selectFinding(map, id) {
    const point = ['==', ['geometry-type'], 'Point'];
    map.setFilter('findings-selected', ['all', ['!', point], ['==', ['get', 'id'], id]]);
    map.setFilter('findings-selected-point', ['all', point, ['==', ['get', 'id'], id]]);
  }

  function fitGeometry(map, geometry) {
    const bounds = new maplibregl.LngLatBounds();
    const walk = c => (typeof c[0] === 'number' ? bounds.extend(c) : c.forEach(walk));
    walk(geometry.coordinates);
    map.fitBounds(bounds, { padding: 80, maxZoom: 18 });
  }

  // ---- layers and filters --------------------------------------------------------------------------------------

  function checkbox(container, value, swatch, set, onChange) {
    const wrapper = document.createElement('label');
    wrapper.innerHTML = `<input type="checkbox" value="${escapeHtml(value)}" checked>
      ${swatch ? '<span class="swatch"></span>' : ''}<span class="label"></span>`;
    // Through the CSSOM, which a Content-Security-Policy without 'unsafe-inline' styles still allows.
    if (swatch) wrapper.querySelector('.swatch').style.background = swatch;
    wrapper.querySelector('.label').dataset.value = value;
    wrapper.querySelector('input').addEventListener('change', e => {
      if (e.target.checked) set.add(value); else set.delete(value);
      onChange();
    });
    container.appendChild(wrapper);
  }

  function buildFilters(map) {
    CLASSES.forEach(c => checkbox($('class-filter'), c, S.CLASS_COLOURS[c], state.classes, () => applyFilters(map)));
    STATUSES.forEach(s => checkbox($('status-filter'), s, null, state.statuses, () => applyFilters(map)));
    SEVERITIES.forEach(s => checkbox($('severity-filter'), s, S.SEVERITY_COLOURS[s], state.severities, () => applyFindingFilters(map)));
    $('rule-filter').addEventListener('change', e => { state.rule = e.target.value; applyFindingFilters(map); });
  }

  function applyFilters(map) {
    // Low-zoom tiles may omit status; an element without one counts as in use.
    const common = ['all',
      ['in', ['coalesce', ['get', 'functional_class'], 'none'], ['literal', [...state.classes]]],
      ['in', ['coalesce', ['get', 'status'], 'in_use'], ['literal', [...state.statuses]]]];
    Object.entries(S.LEVEL_FILTERS).forEach(([layer, own]) => map.setFilter(layer, [...common, own]));
  }

  function applyFindingFilters(map) {
    const filter = ['all', ['in', ['get', 'severity'], ['literal', [...state.severities]]]];
    if (state.rule) filter.push(['==', ['get', 'rule'], state.rule]);
    map.setFilter('findings-points', [...filter, ['==', ['geometry-type'], 'Point']]);
    map.setFilter('findings-lines', [...filter, ['!=', ['geometry-type'], 'Point']]);
  }

  function setVisible(map, layers, visible) {
    layers.forEach(id => map.getLayer(id) && map.setLayoutProperty(id, 'visibility', visible ? 'visible' : 'none'));
  }

  function wireLayers(map) {
    const elementLayers = ['elements', 'elements-tunnel', 'elements-bridge-casing', 'elements-road-highlight',
      'elements-hover', 'elements-selected'];
    $('layer-elements').addEventListener('change', e => setVisible(map, elementLayers, e.target.checked));
    $('layer-findings').addEventListener('change', e => {
      setVisible(map, [...S.FINDING_LAYERS, 'findings-selected', 'findings-selected-point'], e.target.checked);
      $('findings-filter').disabled = !e.target.checked;
      document.body.dataset.findings = e.target.checked ? 'on' : 'off';
      if (e.target.checked) loadFindings(map);
    });
    $('layer-names').addEventListener('change', e => setVisible(map, S.NAME_LAYERS, e.target.checked));
    $('layer-basemap').addEventListener('change', e => setVisible(map, ['basemap'], e.target.checked));
    $('layers-toggle').addEventListener('click', () => {
      const open = $('layers').hidden;
      $('layers').hidden = !open;
      $('layers-toggle').setAttribute('aria-expanded', String(open));
    });
  }

  /**
   * The view's bounds as a bbox parameter, held within ±180°/±90°: zoomed out past the whole world they run beyond
   * (-321,…,344), which no bbox may, and every read of the layers in view was refused. One definition for every
   * layer read by bbox (findings here, works sites in viability.js, junctions in geometry-editing.js).
   */
  function viewBbox(map) {
    const b = map.getBounds();
    return [Math.max(b.getWest(), -180), Math.max(b.getSouth(), -90), Math.min(b.getEast(), 180),
      Math.min(b.getNorth(), 90)].map(v => v.toFixed(6)).join(',');
  }

  let findingsRequest = 0;
  async function loadFindings(map) {
    const request = ++findingsRequest;
    const bbox = viewBbox(map);
    try {
      const collection = await getJson(`/topology/issues?bbox=${bbox}`);
      if (request !== findingsRequest) return;
      map.getSource(S.FINDINGS).setData(collection);
      collection.features.forEach(f => state.rules.add(f.properties.rule));
      fillRules();
      applyFindingFilters(map);
      document.body.dataset.findingsLoaded = String(collection.features.length);
    } catch (error) {
      say(t().findingsUnavailable);
    }
  }

  function fillRules() {
    const select = $('rule-filter');
    const present = new Set([...select.options].map(o => o.value));
    [...state.rules].sort().filter(r => !present.has(r)).forEach(r => select.add(new Option(ruleName(r), r)));
    [...select.options].filter(o => o.value).forEach(o => { o.textContent = ruleName(o.value); });
  }

  // ---- street search -------------------------------------------------------------------------------------------

  function wireSearch(map) {
    const input = $('search-input');
    const list = $('search-suggestions');
    let roads = [];
    let active = -1;
    let request = 0;
    let timer = null;

    const close = () => {
      list.hidden = true;
      input.setAttribute('aria-expanded', 'false');
      input.removeAttribute('aria-activedescendant');
      active = -1;
    };
    const render = message => {
      list.innerHTML = message ? `<li class="empty" role="option" aria-disabled="true">${escapeHtml(message)}</li>`
        : roads.map((r, i) => `<li id="suggestion-${i}" role="option" data-index="${i}" aria-selected="${i === active}">
            ${escapeHtml(r.name)} <small>${escapeHtml(t().elementsCount(r.elementCount ?? '?'))}</small></li>`).join('');
      list.hidden = false;
      input.setAttribute('aria-expanded', 'true');
      if (active >= 0) input.setAttribute('aria-activedescendant', `suggestion-${active}`);
    };
    const choose = road => {
      close();
      input.value = road.name;
      state.road = road;
      map.setFilter('elements-road-highlight', ['any', ['==', ['get', 'road_id'], road.id], ['==', ['get', 'name'], road.name]]);
      if (road.bbox) map.fitBounds(road.bbox, { padding: 60, maxZoom: 17 });
      document.body.dataset.searchedRoad = road.name;
    };
    const suggest = async () => {
      const q = input.value.trim();
      const mine = ++request;
      if (!q) {
        // An emptied search box (its × or Escape, then delete) also lets go of the highlighted street.
        roads = [];
        close();
        state.road = null;
        map.setFilter('elements-road-highlight', ['==', ['get', 'id'], -1]);
        return;
      }
      try {
        const body = await getJson(`/roads?q=${encodeURIComponent(q)}&limit=8`);
        if (mine !== request) return;
        roads = body.roads || [];
        active = -1;
        render(roads.length ? null : t().noMatch);
      } catch (error) {
        if (mine === request) { roads = []; render(t().searchUnavailable); }
      }
    };

    input.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(suggest, 120); });
    input.addEventListener('keydown', e => {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        if (!roads.length) return;
        e.preventDefault();
        active = (active + (e.key === 'ArrowDown' ? 1 : roads.length - 1)) % roads.length;
        render();
      } else if (e.key === 'Enter') {
        e.preventDefault();
        if (roads.length) choose(roads[Math.max(active, 0)]);
      } else if (e.key === 'Escape') {
        close();
      }
    });
    list.addEventListener('mousedown', e => {
      const item = e.target.closest('[data-index]');
      if (item) { e.preventDefault(); choose(roads[Number(item.dataset.index)]); }
    });
    input.addEventListener('blur', () => setTimeout(close, 150));
  }

  // ---- language ------------------------------------------------------------------------------------------------

  function applyLanguage(map) {
    const text = t();
    document.documentElement.lang = state.lang;
    document.querySelectorAll('[data-i18n]').forEach(el => { el.textContent = text[el.dataset.i18n]; });
    document.querySelectorAll('[data-i18n-placeholder]').forEach(el => { el.placeholder = text[el.dataset.i18nPlaceholder]; });
    document.querySelectorAll('[data-i18n-aria-label]').forEach(el => el.setAttribute('aria-label', text[el.dataset.i18nAriaLabel]));
    document.querySelectorAll('#class-filter .label').forEach(el => { el.textContent = className(el.dataset.value); });
    document.querySelectorAll('#status-filter .label, #severity-filter .label')
      .forEach(el => { el.textContent = text.values[el.dataset.value]; });
    const other = state.lang === 'it' ? 'en' : 'it';
    const button = $('language-toggle');
    button.textContent = other.toUpperCase();
    button.lang = other;
    button.setAttribute('aria-label', other === 'en' ? 'English' : 'Italiano');
    document.title = `StreetCad — ${text.title}`;
    [['zoom-in', text.zoomIn], ['zoom-out', text.zoomOut], ['compass', text.resetNorth]].forEach(([name, label]) =>
      document.querySelectorAll(`.maplibregl-ctrl-${name}`).forEach(b => { b.title = label; b.setAttribute('aria-label', label); }));
    fillRules();
    if (state.panel?.kind === 'element' && state.panel.record) {
      renderElement(`/collections/${S.ELEMENTS}/items/${state.panel.id}`, state.panel.record, state.panel.findings);
    } else if (state.panel?.kind === 'finding') {
      renderFinding(map);
    }
  }

  function wireDrawing() {
    $('draw-new').addEventListener('click', () => startGeometry('draw'));
  }

  function wireLanguage(map) {
    $('language-toggle').addEventListener('click', () => {
      state.lang = state.lang === 'it' ? 'en' : 'it';
      applyLanguage(map);
      writeHash(map);
    });
  }

  (window.streetcadConfig || Promise.resolve(null))
    .then(config => config || { extent: null, basemapUrl: null })
    .then(config => {
      start(config);
      wireLanguage(window.streetcad.map);
      wireDrawing();
    });
})();
