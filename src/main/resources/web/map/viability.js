// Viability on the web map: the measures in force at a chosen date and time, what is on the street of the open
// record, closures entered by operators (a street and two cross streets, or two points clicked along a street) with
// the conflicts they meet and the detour drawn, and routes between two clicks at the chosen time.
// Kept apart from streetcad-map.js: it reads window.streetcad (map, state) and adds its own controls and layers.
'use strict';
(() => {
  const $ = id => document.getElementById(id);
  const TILES = 'viability';
  const DETOUR = 'viability-detour';
  const ROUTE = 'viability-route';
  const PICKS = 'viability-picks';
  const MEASURE_LAYERS = ['viability-in-force', 'viability-draft'];
  const KIND_COLOURS = {
    closure: '#d50000', lane_closure: '#ff6d00', narrowing: '#ffab00', one_way: '#6200ea', no_parking: '#00838f'
  };
  const EMPTY = { type: 'FeatureCollection', features: [] };
  const v = {
    at: null,          // the chosen instant (ISO); null while it follows now
    picking: null,     // 'route' or 'closure' while map clicks are taken as points
    picks: [],
    revision: 0,       // bumped after a save, so that the map asks for its measures again
    street: null       // { element, result } of "what is on this street"
  };
  const text = () => STREETCAD_TEXT[document.documentElement.lang === 'en' ? 'en' : 'it'].viability;
  const lang = () => document.documentElement.lang || 'it';

  function escapeHtml(value) {
    return String(value).replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  }

  /** The server's refusal: an Error with the problem's own words (else the status), and the problem itself. */
  async function failure(response) {
    const problem = await response.json().catch(() => ({}));
    const error = new Error(problem.detail || problem.title || `HTTP ${response.status}`);
    error.problem = problem;
    return error;
  }

  async function getJson(path) {
    const response = await fetch(path, { headers: { Accept: 'application/geo+json, application/json' } });
    if (!response.ok) throw await failure(response);
    return response.json();
  }

  /**
   * Why there is no route or detour, in the page's language by the answer's code (the server's words are English);
   * the server's own words when the code is one the page does not know.
   */
  function routeRefusal(code, parameter, english) {
    const said = text().routeRefusals[code];
    if (said === undefined) return english;
    return typeof said === 'function' ? said(parameter) : said;
  }

  function instant() {
    return v.at || new Date().toISOString();
  }

  function formatInstant(iso) {
    return new Date(iso).toLocaleString(lang(), { dateStyle: 'medium', timeStyle: 'short' });
  }

  /** A datetime-local control's value (the browser's local time) for an instant, to the minute. */
  function localValue(date) {
    const pad = n => String(n).padStart(2, '0');
    return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
  }

  // ---- controls ------------------------------------------------------------------------------------------------

  function addControls() {
    const box = document.createElement('fieldset');
    box.id = 'viability-controls';
    box.innerHTML = `<legend data-v="legend"></legend>
      <label><input type="checkbox" id="layer-viability" checked> <span data-v="layer"></span></label>
      <label for="viability-datetime" data-v="when"></label>
      <div class="viability-when"><input type="datetime-local" id="viability-datetime" step="60">
        <button type="button" id="viability-now" data-v="now"></button></div>
      <label for="viability-profile" data-v="profile"></label>
      <select id="viability-profile">${['car', 'pedestrian', 'bus', 'emergency'].map(p =>
        `<option value="${p}" data-v-profile="${p}"></option>`).join('')}</select>
      <div class="viability-tools"><button type="button" id="viability-route-tool" data-v="routeTool"></button>
        <button type="button" id="viability-new-closure" data-v="newClosure" data-requires-role="operator" hidden></button></div>`;
    $('layers').appendChild(box);
    $('viability-datetime').value = localValue(new Date());
    $('viability-datetime').addEventListener('change', e => {
      const chosen = new Date(e.target.value);
      setInstant(Number.isNaN(chosen.getTime()) ? null : chosen.toISOString());
    });
    $('viability-now').addEventListener('click', () => {
      $('viability-datetime').value = localValue(new Date());
      setInstant(null);
    });
    $('layer-viability').addEventListener('change', e => MEASURE_LAYERS.forEach(id =>
      window.streetcad.map.setLayoutProperty(id, 'visibility', e.target.checked ? 'visible' : 'none')));
    $('viability-route-tool').addEventListener('click', () => startPicking('route'));
    $('viability-profile').addEventListener('change', () => v.lastRoute && route(v.lastRoute[0], v.lastRoute[1]));
    $('viability-new-closure').addEventListener('click', showClosureForm);
    translate();
  }

  /** Says every control of ours in the page's language: the layers box's, and an open closure form's. */
  function translate() {
    const words = text();
    // A key may name a nested word ("statuses.draft").
    document.querySelectorAll('[data-v]').forEach(el => { el.textContent = el.dataset.v.split('.').reduce((w, k) => w[k], words); });
    document.querySelectorAll('[data-v-profile]').forEach(el => { el.textContent = words.profiles[el.dataset.vProfile]; });
    if ($('closure-form')) {
      $('panel-title').textContent = words.closureTitle;
      $('closure-points').textContent = words.pointsPicked(v.picks.length);
    }
  }

  function tilesUrl() {
    const params = new URLSearchParams();
    if (v.at) params.set('datetime', v.at);
    if (v.revision) params.set('revision', v.revision);
    const query = params.toString();
    return `${location.origin}/tiles/${TILES}/{z}/{x}/{y}.mvt${query ? `?${query}` : ''}`;
  }

  /** Shows the measures in force at an instant (null: now), and the route again at that time if one is drawn. */
  function setInstant(iso) {
    v.at = iso;
    window.streetcad.map.getSource(TILES).setTiles([tilesUrl()]);
    document.body.dataset.viabilityAt = iso || 'now';
    if (v.lastRoute) route(v.lastRoute[0], v.lastRoute[1]);
  }

  // ---- layers --------------------------------------------------------------------------------------------------

  function addLayers(map) {
    const colour = ['match', ['get', 'kind'], ...Object.entries(KIND_COLOURS).flat(), '#455a64'];
    const width = ['interpolate', ['linear'], ['zoom'], 12, 3, 18, 10];
    map.addSource(TILES, { type: 'vector', tiles: [tilesUrl()], maxzoom: 16, promoteId: { [TILES]: 'id' } });
    map.addSource(DETOUR, { type: 'geojson', data: EMPTY });
    map.addSource(ROUTE, { type: 'geojson', data: EMPTY });
    map.addSource(PICKS, { type: 'geojson', data: EMPTY });
    const below = map.getLayer('findings-selected') ? 'findings-selected' : undefined;
    map.addLayer({ id: 'viability-route', type: 'line', source: ROUTE, layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: { 'line-color': '#2962ff', 'line-width': 6, 'line-opacity': 0.8 } }, below);
    map.addLayer({ id: 'viability-detour', type: 'line', source: DETOUR, layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: { 'line-color': '#00c853', 'line-width': 6, 'line-opacity': 0.9, 'line-dasharray': [2, 1] } }, below);
    map.addLayer({ id: 'viability-in-force', type: 'line', source: TILES, 'source-layer': TILES,
      filter: ['!=', ['get', 'status'], 'draft'], layout: { 'line-cap': 'butt' },
      paint: { 'line-color': colour, 'line-width': width, 'line-opacity': 0.85 } }, below);
    // Drafts are planned, not binding: dashed.
    map.addLayer({ id: 'viability-draft', type: 'line', source: TILES, 'source-layer': TILES,
      filter: ['==', ['get', 'status'], 'draft'], layout: { 'line-cap': 'butt' },
      paint: { 'line-color': colour, 'line-width': width, 'line-opacity': 0.7, 'line-dasharray': [1, 1] } }, below);
    map.addLayer({ id: 'viability-picks', type: 'circle', source: PICKS,
      paint: { 'circle-radius': 7, 'circle-color': '#2962ff', 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 2 } });
  }

  function points(picks) {
    return { type: 'FeatureCollection', features: picks.map(p => ({ type: 'Feature', geometry: { type: 'Point', coordinates: p }, properties: {} })) };
  }

  // ---- the side panel ------------------------------------------------------------------------------------------

  function openPanel(title, html) {
    window.streetcad.state.panel = { kind: 'viability' };
    $('panel-title').textContent = title;
    $('panel-body').innerHTML = html;
    $('panel').hidden = false;
  }

  // ---- picking points on the map -------------------------------------------------------------------------------

  function startPicking(what) {
    v.picking = what;
    v.picks = [];
    window.streetcad.state.picking = true;
    window.streetcad.map.getSource(PICKS).setData(EMPTY);
    window.streetcad.map.getCanvas().style.cursor = 'crosshair';
    if (what === 'route') openPanel(text().route, `<p id="viability-prompt">${escapeHtml(text().pickFrom)}</p>`);
    document.body.dataset.viabilityPicking = what;
  }

  function stopPicking() {
    v.picking = null;
    window.streetcad.state.picking = false;
    window.streetcad.map.getCanvas().style.cursor = '';
    delete document.body.dataset.viabilityPicking;
  }

  function onClick(e) {
    if (!v.picking) return;
    v.picks.push([Number(e.lngLat.lng.toFixed(7)), Number(e.lngLat.lat.toFixed(7))]);
    window.streetcad.map.getSource(PICKS).setData(points(v.picks));
    if (v.picking === 'route') {
      if (v.picks.length === 1) {
        $('viability-prompt').textContent = text().pickTo;
      } else {
        const [from, to] = v.picks;
        stopPicking();
        route(from, to);
      }
    } else if (v.picking === 'closure') {
      $('closure-points').textContent = text().pointsPicked(v.picks.length);
      if (v.picks.length === 2) stopPicking();
    }
  }

  // ---- routes --------------------------------------------------------------------------------------------------

  let routeRequest = 0;
  async function route(from, to) {
    const mine = ++routeRequest;
    v.lastRoute = [from, to];
    const at = instant();
    const words = text();
    const map = window.streetcad.map;
    try {
      const r = await getJson(`/network/route?from=${from.join(',')}&to=${to.join(',')}&datetime=${encodeURIComponent(at)}&profile=${$('viability-profile').value}`);
      if (mine !== routeRequest) return;
      map.getSource(ROUTE).setData(r);
      const p = r.properties;
      openPanel(words.routeAt(formatInstant(at)), `<dl class="record" id="route-summary">
        <dt>${escapeHtml(words.length)}</dt><dd id="route-length">${Number(p.length_m).toLocaleString(lang(), { maximumFractionDigits: 0 })} m</dd>
        <dt>${escapeHtml(words.duration)}</dt><dd>${escapeHtml(words.minutes(Math.max(1, Math.round(p.duration_s / 60))))}</dd>
        <dt>${escapeHtml(words.streets)}</dt><dd id="route-streets">${escapeHtml(p.description || p.streets.join(', '))}</dd></dl>`);
      document.body.dataset.routeLength = String(p.length_m);
    } catch (error) {
      if (mine !== routeRequest) return;
      map.getSource(ROUTE).setData(EMPTY);
      const problem = error.problem || {};
      openPanel(words.noRoute, `<p class="problem" id="route-problem" title="${escapeHtml(error.message)}">${
        escapeHtml(routeRefusal(problem.code, problem.parameter, error.message))}</p>`);
      document.body.dataset.routeLength = 'none';
    }
  }

  // ---- closures ------------------------------------------------------------------------------------------------

  function showClosureForm() {
    const words = text();
    stopPicking();
    v.picks = [];
    window.streetcad.map.getSource(PICKS).setData(EMPTY);
    const start = v.at ? new Date(v.at) : new Date();
    const end = new Date(start.getTime() + 24 * 3600 * 1000);
    // Its words are data-v keys, said by translate() now and again when the language changes with the form open.
    openPanel(words.closureTitle, `<form id="closure-form" class="viability-form">
      <fieldset><label><input type="radio" name="closure-mode" value="streets" checked> <span data-v="byStreets"></span></label>
        <label><input type="radio" name="closure-mode" value="points"> <span data-v="byPoints"></span></label></fieldset>
      <div id="closure-by-streets">
        <label><span data-v="road"></span> <input id="closure-road" autocomplete="off" required></label>
        <label><span data-v="fromRoad"></span> <input id="closure-from-road" autocomplete="off" required></label>
        <label><span data-v="toRoad"></span> <input id="closure-to-road" autocomplete="off" required></label>
      </div>
      <div id="closure-by-points" hidden>
        <button type="button" id="closure-pick" data-v="pickPoints"></button>
        <span id="closure-points"></span>
      </div>
      <label><span data-v="validFrom"></span> <input type="datetime-local" id="closure-valid-from" step="60" value="${localValue(start)}" required></label>
      <label><span data-v="validTo"></span> <input type="datetime-local" id="closure-valid-to" step="60" value="${localValue(end)}" required></label>
      <label><span data-v="status"></span> <select id="closure-status">
        <option value="in_force" data-v="statuses.in_force"></option>
        <option value="draft" data-v="statuses.draft"></option></select></label>
      <button type="submit" id="closure-save" data-v="save"></button>
      <div id="closure-result" aria-live="polite"></div></form>`);
    translate();
    const form = $('closure-form');
    form.querySelectorAll('[name=closure-mode]').forEach(r => r.addEventListener('change', () => {
      const byPoints = form.elements['closure-mode'].value === 'points';
      $('closure-by-streets').hidden = byPoints;
      $('closure-by-points').hidden = !byPoints;
      // A hidden street box would hold the form back: only the mode in use asks for its fields.
      $('closure-by-streets').querySelectorAll('input').forEach(input => { input.required = !byPoints; });
    }));
    $('closure-pick').addEventListener('click', () => {
      startPicking('closure');
      $('closure-points').textContent = words.pointsPicked(0);
    });
    // Opened from the layers panel: the keyboard goes on in the form rather than behind the map.
    $('closure-road').focus();
    form.addEventListener('submit', e => {
      e.preventDefault();
      // An emptied date is said at its field, as the browser says a missing street, before anything is sent.
      if (!form.reportValidity()) return;
      saveClosure(form);
    });
  }

  async function saveClosure(form) {
    const words = text();
    const result = $('closure-result');
    const byPoints = form.elements['closure-mode'].value === 'points';
    const location = byPoints ? { points: v.picks }
      : { road: $('closure-road').value.trim(), from_road: $('closure-from-road').value.trim(), to_road: $('closure-to-road').value.trim() };
    const feature = { type: 'Feature', geometry: null, properties: {
      kind: 'closure', status: $('closure-status').value,
      valid_from: new Date($('closure-valid-from').value).toISOString(),
      valid_to: new Date($('closure-valid-to').value).toISOString(), location } };
    result.textContent = '';
    const response = await window.streetcadAccess.fetch('/collections/viability-measures/items', {
      method: 'POST', headers: { 'Content-Type': 'application/geo+json' }, body: JSON.stringify(feature) });
    form.querySelectorAll('[aria-invalid]').forEach(el => el.removeAttribute('aria-invalid'));
    if (!response.ok) {
      const { field, message, detail } = refusal(await response.json().catch(() => ({})), response.status);
      result.innerHTML = `<p class="problem" id="closure-problem" title="${escapeHtml(detail)}">${escapeHtml(words.failed)}: ${escapeHtml(message)}</p>`;
      if (field) {
        field.setAttribute('aria-invalid', 'true');
        field.setAttribute('aria-describedby', 'closure-problem');
        field.focus();
      }
      return;
    }
    const measure = await response.json();
    v.revision++;
    v.street = null;
    window.streetcad.map.getSource(TILES).setTiles([tilesUrl()]);
    const conflicts = measure.properties.conflicts || [];
    const conflictItems = conflicts.map(c => {
      const other = c.b?.measure_id === measure.id ? c.a : c.b;
      return `<li data-conflict="${Number(other?.measure_id ?? other?.works_id)}">${escapeHtml(other?.measure_id
        ? words.conflictWith(other.measure_id, words.kinds[other.kind] || other.kind) : words.conflictWorks(other?.works_id))}
        ${other?.organisation ? ` — ${escapeHtml(other.organisation)}` : ''}</li>`;
    }).join('');
    result.innerHTML = `<p id="closure-saved" data-measure="${Number(measure.id)}">${escapeHtml(words.saved(measure.id))}</p>
      <h3>${escapeHtml(words.conflicts)}</h3>${conflicts.length ? `<ul id="closure-conflicts">${conflictItems}</ul>`
        : `<p id="closure-conflicts-none">${escapeHtml(words.noConflicts)}</p>`}
      <h3>${escapeHtml(words.detour)}</h3><div id="closure-detours">…</div>`;
    document.body.dataset.closureSaved = String(measure.id);
    showImpact(measure.id);
  }

  /**
   * The server's refusal of a closure, in the page's language and at the field it names (its English detail stays as
   * the message's tooltip); a refusal the form does not know is said with the server's own words.
   */
  function refusal(problem, status) {
    const words = text().refused;
    const detail = problem.detail || problem.title || `HTTP ${status}`;
    const road = $('closure-road').value.trim();
    const known = {
      'location.road': ['closure-road', () => words.road(road)],
      road: ['closure-road', () => words.road(road)],
      'location.from_road': ['closure-from-road', () => words.crossRoad($('closure-from-road').value.trim(), road)],
      'location.to_road': ['closure-to-road', () => words.crossRoad($('closure-to-road').value.trim(), road)],
      'location.points': ['closure-pick', () => words.points],
      'location.points[1]': ['closure-pick', () => words.points],
      valid_to: ['closure-valid-to', () => words.dates],
    }[problem.parameter];
    if (!known) return { field: null, message: detail, detail };
    return { field: $(known[0]), message: known[1](), detail };
  }

  async function showImpact(id) {
    const words = text();
    const map = window.streetcad.map;
    try {
      const impact = await getJson(`/viability/measures/${id}/impact?profile=${$('viability-profile').value}`);
      const detours = impact.detours.filter(d => d.detour);
      map.getSource(DETOUR).setData({ type: 'FeatureCollection', features: detours.map(d => d.detour) });
      const items = impact.detours.map(d => `<li>${d.detour ? escapeHtml(words.extra(Math.round(d.extra_m), Math.round(d.extra_s ?? 0)))
        : escapeHtml(routeRefusal(d.code, null, d.reason))}</li>`).join('');
      const cut = impact.unreachable_streets || [];
      $('closure-detours').innerHTML = `<ul id="closure-detour-list">${items}</ul>`
        + (cut.length ? `<p>${escapeHtml(words.unreachable)}: ${escapeHtml(cut.join(', '))}</p>` : '');
      document.body.dataset.detourDrawn = String(detours.length);
    } catch (error) {
      $('closure-detours').innerHTML = `<p class="problem">${escapeHtml(error.message)}</p>`;
    }
  }

  // ---- what is on this street (in the record panel) ------------------------------------------------------------

  /** Adds the street's measures under the element's record each time the record panel is drawn. */
  function watchRecordPanel() {
    new MutationObserver(() => {
      const panel = window.streetcad?.state?.panel;
      if (panel?.kind !== 'element' || !panel.record || $('street-measures')) return;
      const section = document.createElement('section');
      section.id = 'street-measures';
      $('panel-body').appendChild(section);
      renderStreet(section, panel.id);
    }).observe($('panel-body'), { childList: true });
  }

  async function renderStreet(section, element) {
    const words = text();
    section.innerHTML = `<h3>${escapeHtml(words.onStreet)}</h3><p>…</p>`;
    let result = v.street?.element === element ? v.street.result : null;
    if (!result) {
      try {
        result = await getJson(`/viability/measures?element=${element}`);
        v.street = { element, result };
      } catch (error) {
        section.innerHTML = `<h3>${escapeHtml(words.onStreet)}</h3><p class="problem">${escapeHtml(words.streetUnavailable)}</p>`;
        return;
      }
    }
    if (!section.isConnected) return;
    const items = result.features.map(f => {
      const p = f.properties;
      const when = `${formatInstant(p.valid_from)} – ${p.valid_to ? formatInstant(p.valid_to) : words.until}`;
      const source = p.ordinance ? `ord. ${p.ordinance.number}/${p.ordinance.year}` : p.works ? `${p.works.organisation} (${p.works.permit})` : '';
      return `<li data-measure="${Number(f.id)}" class="${p.current ? 'current' : 'planned'}"><span class="badge">${escapeHtml(p.current ? words.current : words.planned)}</span>
        <strong>${escapeHtml(words.kinds[p.kind] || p.kind)}</strong> <small>${escapeHtml(words.statuses[p.status] || p.status)}</small><br>
        ${escapeHtml(when)}${source ? `<br><small>${escapeHtml(source)}</small>` : ''}</li>`;
    }).join('');
    section.innerHTML = `<h3>${escapeHtml(words.onStreet)}</h3>`
      + (items ? `<ul class="street-measures">${items}</ul>` : `<p>${escapeHtml(words.nothingOnStreet)}</p>`);
  }

  // ---- start ---------------------------------------------------------------------------------------------------

  function start() {
    const map = window.streetcad.map;
    addLayers(map);
    addControls();
    map.on('click', onClick);
    watchRecordPanel();
    // Closing the panel (its × or Escape) gives up picking points: the map's clicks open records again.
    new MutationObserver(() => {
      if (!$('panel').hidden || !v.picking) return;
      stopPicking();
      v.picks = [];
      map.getSource(PICKS).setData(EMPTY);
    }).observe($('panel'), { attributes: true, attributeFilter: ['hidden'] });
    // The page's language button re-renders its words; ours follow the document's language.
    new MutationObserver(translate).observe(document.documentElement, { attributes: true, attributeFilter: ['lang'] });
    document.body.dataset.viabilityReady = 'true';
  }

  const ready = () => document.body.dataset.mapReady === 'true' && window.streetcad?.map;
  const wait = () => (ready() ? start() : setTimeout(wait, 50));
  wait();
})();
