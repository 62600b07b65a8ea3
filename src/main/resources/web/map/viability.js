// Viability on the web map: the measures in force at a chosen date and time, what is on the street of the open
// record, closures entered by operators (a street and two cross streets, or two points clicked along a street) with
// the conflicts they meet and the detour drawn, works sites drawn by operators and utilities, the lifecycle of
// measures, ordinances and works sites (put in force, revoke, approve…) as the signed-in role may move them, and
// routes between two clicks at the chosen time.
// Kept apart from streetcad-map.js: it reads window.streetcad (map, state, say) and adds its own controls and layers.
'use strict';
(() => {
  const $ = id => document.getElementById(id);
  const TILES = 'viability';
  const DETOUR = 'viability-detour';
  const ROUTE = 'viability-route';
  const PICKS = 'viability-picks';
  const WORKS = 'viability-works';
  const FOOTPRINT = 'viability-footprint';
  const WORKS_LAYERS = ['viability-works-fill', 'viability-works-outline'];
  const MEASURE_LAYERS = ['viability-in-force', 'viability-draft'];
  const KIND_COLOURS = {
    closure: '#d50000', lane_closure: '#ff6d00', narrowing: '#ffab00', one_way: '#6200ea', no_parking: '#00838f'
  };
  const EMPTY = { type: 'FeatureCollection', features: [] };
  const v = {
    at: null,          // the chosen instant (ISO); null while it follows now
    picking: null,     // 'route', 'closure' or 'works' while map clicks are taken as points
    picks: [],
    revision: 0,       // bumped after a save, so that the map asks for its measures again
    street: null,      // { element, result } of "what is on this street"
    works: null        // the works site the panel shows, as last read (drawn again in another language)
  };
  const text = () => STREETCAD_TEXT[document.documentElement.lang === 'en' ? 'en' : 'it'].viability;
  const lang = () => document.documentElement.lang || 'it';

  const escapeHtml = value => window.streetcad.escapeHtml(value);

  const problemOf = response => window.streetcadAccess.problemOf(response);

  /** The server's refusal: an Error with the problem's own words (else the status), and the problem itself. */
  async function failure(response) {
    const problem = await problemOf(response);
    return Object.assign(new Error(problem.detail), { problem });
  }

  async function getJson(path, options = {}) {
    const response = await fetch(path, { ...options, headers: { Accept: 'application/geo+json, application/json' } });
    if (!response.ok) throw await failure(response);
    return response.json();
  }

  /**
   * Why there is no route or detour, in the page's language by the answer's code (the server's words are English),
   * said with the answer's own members (its parameter, the figures the English states); the server's own words when
   * the code is one the page does not know.
   */
  function routeRefusal(answer, english) {
    const said = text().routeRefusals[answer.code];
    if (said === undefined) return english;
    return typeof said === 'function' ? said(answer) : said;
  }

  /** Why two records conflict, in the page's language by the conflict's code; the server's words for a code unknown. */
  function conflictReason(conflict) {
    const said = text().conflictReasons[conflict.code];
    if (said === undefined) return conflict.reason;
    return typeof said === 'function' ? said(conflict.distance_m) : said;
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
      <label><input type="checkbox" id="layer-works" checked> <span data-v="worksLayer"></span></label>
      <label for="viability-datetime" data-v="when"></label>
      <div class="viability-when"><input type="datetime-local" id="viability-datetime" step="60">
        <button type="button" id="viability-now" data-v="now"></button></div>
      <label for="viability-profile" data-v="profile"></label>
      <select id="viability-profile">${['car', 'pedestrian', 'bus', 'emergency'].map(p =>
        `<option value="${p}" data-v-profile="${p}"></option>`).join('')}</select>
      <div class="viability-tools"><button type="button" id="viability-route-tool" data-v="routeTool"></button>
        <button type="button" id="viability-new-closure" data-v="newClosure" data-requires-role="operator" hidden></button>
        <button type="button" id="viability-new-works" data-v="newWorks" hidden></button></div>`;
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
    $('layer-works').addEventListener('change', e => WORKS_LAYERS.forEach(id =>
      window.streetcad.map.setLayoutProperty(id, 'visibility', e.target.checked ? 'visible' : 'none')));
    $('viability-route-tool').addEventListener('click', () => startPicking('route'));
    $('viability-profile').addEventListener('change', () => v.lastRoute && route(v.lastRoute[0], v.lastRoute[1]));
    $('viability-new-closure').addEventListener('click', showClosureForm);
    $('viability-new-works').addEventListener('click', showWorksForm);
    translate();
  }

  /** Says every control of ours in the page's language: the layers box's, and an open closure or works form's. */
  function translate() {
    const words = text();
    // A key may name a nested word ("statuses.draft").
    document.querySelectorAll('[data-v]').forEach(el => { el.textContent = el.dataset.v.split('.').reduce((w, k) => w[k], words); });
    document.querySelectorAll('[data-v-profile]').forEach(el => { el.textContent = words.profiles[el.dataset.vProfile]; });
    if ($('closure-form')) {
      $('panel-title').textContent = words.closureTitle;
      $('closure-points').textContent = words.pointsPicked(v.picks.length);
    }
    if ($('works-form')) {
      $('panel-title').textContent = words.worksTitle;
      $('works-vertices').textContent = words.verticesPicked(v.picks.length);
    }
    // A works site opened from the map, as the element's record is (its title once stayed in the other language).
    if ($('works-record') && v.works) renderWorks(v.works);
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
    loadWorks();
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
    map.addSource(WORKS, { type: 'geojson', data: EMPTY, promoteId: 'id' });
    map.addSource(FOOTPRINT, { type: 'geojson', data: EMPTY });
    const below = map.getLayer('findings-selected') ? 'findings-selected' : undefined;
    // Works sites at work or planned from the chosen time, as the server answers them (a site is at work in its phases
    // until it ended; one withdrawn before its first phase never was): approved red, proposed orange, one that has
    // ended since (seen at a time when it was still at work) grey; under the streets' lines.
    const worksColour = ['match', ['get', 'status'], 'approved', '#d50000', 'proposed', '#ff6d00', '#757575'];
    map.addLayer({ id: 'viability-works-fill', type: 'fill', source: WORKS,
      paint: { 'fill-color': worksColour, 'fill-opacity': 0.25 } }, below);
    map.addLayer({ id: 'viability-works-outline', type: 'line', source: WORKS,
      paint: { 'line-color': worksColour, 'line-width': 2 } }, below);
    map.addLayer({ id: 'viability-footprint-fill', type: 'fill', source: FOOTPRINT,
      filter: ['==', ['geometry-type'], 'Polygon'], paint: { 'fill-color': '#2962ff', 'fill-opacity': 0.2 } });
    map.addLayer({ id: 'viability-footprint-line', type: 'line', source: FOOTPRINT,
      paint: { 'line-color': '#2962ff', 'line-width': 2, 'line-dasharray': [2, 1] } });
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
    drawFootprint();
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
    } else if (v.picking === 'works') {
      $('works-vertices').textContent = text().verticesPicked(v.picks.length);
      drawFootprint();
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
        escapeHtml(routeRefusal(problem, error.message))}</p>`);
      document.body.dataset.routeLength = 'none';
    }
  }

  // ---- closures ------------------------------------------------------------------------------------------------

  function showClosureForm() {
    const words = text();
    stopPicking();
    v.picks = [];
    drawFootprint();
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
    if (!response.ok) {
      const road = $('closure-road').value.trim();
      const refused = words.refused;
      return sayRefusal(form, words.failed, await problemOf(response), {
        'location.road': ['closure-road', () => refused.road(road)],
        road: ['closure-road', () => refused.road(road)],
        'location.from_road': ['closure-from-road', () => refused.crossRoad($('closure-from-road').value.trim(), road)],
        'location.to_road': ['closure-to-road', () => refused.crossRoad($('closure-to-road').value.trim(), road)],
        'location.points': ['closure-pick', () => refused.points],
        'location.points[1]': ['closure-pick', () => refused.points],
        valid_to: ['closure-valid-to', () => refused.dates],
      });
    }
    const measure = await response.json();
    clearInvalid(form);
    mapChanged();
    result.innerHTML = `<p id="closure-saved" data-measure="${Number(measure.id)}">${escapeHtml(words.saved(measure.id))}</p>
      ${conflictsHtml('closure', measure.properties.conflicts, 'measure_id', measure.id)}
      <h3>${escapeHtml(words.detour)}</h3><div id="closure-detours">…</div>`;
    document.body.dataset.closureSaved = String(measure.id);
    showImpact(measure.id);
  }

  /**
   * The conflicts a saved closure or works site meets, as a heading and a list (ids "<form>-conflicts"), each item
   * naming the other side: `key` and `id` say which side is the one saved.
   */
  function conflictsHtml(form, conflicts = [], key, id) {
    const words = text();
    const items = conflicts.map(c => {
      const other = c.b?.[key] === id ? c.a : c.b;
      return `<li data-conflict="${Number(other?.measure_id ?? other?.works_id)}">${escapeHtml(other?.measure_id
        ? words.conflictWith(other.measure_id, words.kinds[other.kind] || other.kind) : words.conflictWorks(other?.works_id))}
        ${other?.organisation ? ` — ${escapeHtml(other.organisation)}` : ''}${c.reason ? `: <span class="conflict-reason" title="${
        escapeHtml(c.reason)}">${escapeHtml(conflictReason(c))}</span>` : ''}</li>`;
    }).join('');
    return `<h3>${escapeHtml(words.conflicts)}</h3>${conflicts.length ? `<ul id="${form}-conflicts">${items}</ul>`
      : `<p id="${form}-conflicts-none">${escapeHtml(words.noConflicts)}</p>`}`;
  }

  /** After a write: the measures' tiles, the works sites and what is on the street are asked for again. */
  function mapChanged() {
    v.revision++;
    v.street = null;
    window.streetcad.map.getSource(TILES).setTiles([tilesUrl()]);
    loadWorks();
  }

  function clearInvalid(form) {
    form.querySelectorAll('[aria-invalid]').forEach(el => el.removeAttribute('aria-invalid'));
  }

  /**
   * Says a form's refusal (a closure's, a works site's) under it, in the page's language and at the field it names,
   * which takes the focus; the server's English detail stays as the message's tooltip. `known` maps a problem's
   * parameter to [the field's id, its words]; a refusal the form does not know is said with the server's own words.
   */
  function sayRefusal(form, failed, problem, known) {
    const [fieldId, words] = known[problem.parameter] || [];
    const id = form.id.replace(/-form$/, '-problem');
    form.querySelector('[aria-live]').innerHTML = `<p class="problem" id="${id}" title="${escapeHtml(problem.detail)}">`
      + `${escapeHtml(failed)}: ${escapeHtml(words ? words() : problem.detail)}</p>`;
    clearInvalid(form);
    const field = fieldId && $(fieldId);
    if (!field) return;
    field.setAttribute('aria-invalid', 'true');
    field.setAttribute('aria-describedby', id);
    field.focus();
  }

  async function showImpact(id) {
    const words = text();
    const map = window.streetcad.map;
    try {
      const impact = await getJson(`/viability/measures/${id}/impact?profile=${$('viability-profile').value}`);
      const detours = impact.detours.filter(d => d.detour);
      map.getSource(DETOUR).setData({ type: 'FeatureCollection', features: detours.map(d => d.detour) });
      const items = impact.detours.map(d => `<li>${d.detour ? escapeHtml(words.extra(Math.round(d.extra_m), Math.round(d.extra_s ?? 0)))
        : escapeHtml(routeRefusal(d, d.reason))}</li>`).join('');
      const cut = impact.unreachable_streets || [];
      $('closure-detours').innerHTML = `<ul id="closure-detour-list">${items}</ul>`
        + (cut.length ? `<p>${escapeHtml(words.unreachable)}: ${escapeHtml(cut.join(', '))}</p>` : '');
      document.body.dataset.detourDrawn = String(detours.length);
    } catch (error) {
      $('closure-detours').innerHTML = `<p class="problem">${escapeHtml(error.message)}</p>`;
    }
  }

  // ---- works sites ---------------------------------------------------------------------------------------------

  /** Who may propose a works site (README, "Who may do what"): operators, and utilities (editors of an organisation). */
  function mayProposeWorks(me) {
    return me.roles.includes('operator') || (me.roles.includes('editor') && Boolean(me.organisation));
  }

  let worksRequest = 0;
  /** Draws the works sites in view that are at work or planned from the chosen time (now when it follows now). */
  async function loadWorks() {
    const mine = ++worksRequest;
    const map = window.streetcad.map;
    const bbox = window.streetcad.bbox();
    try {
      // Revalidated every time: a works site just proposed or approved must not be read from the browser's cache.
      const works = await getJson(`/collections/works/items?bbox=${bbox}&datetime=${encodeURIComponent(`${instant()}/..`)}`
        + '&limit=1000', { cache: 'no-cache' });
      if (mine !== worksRequest) return;
      map.getSource(WORKS).setData(works);
      document.body.dataset.worksDrawn = works.features.map(f => f.id).join(',');
    } catch (error) {
      // The layer keeps what it drew; the map says why it could not draw more.
      if (mine === worksRequest) window.streetcad.say(`${text().worksUnavailable}: ${error.message}`);
    }
  }

  /** The footprint being drawn: its vertices, the line between two, the polygon from three. */
  function drawFootprint() {
    const map = window.streetcad.map;
    const p = v.picks;
    map.getSource(PICKS).setData(points(p));
    const geometry = p.length >= 3 ? { type: 'Polygon', coordinates: [[...p, p[0]]] }
      : p.length === 2 ? { type: 'LineString', coordinates: p } : null;
    map.getSource(FOOTPRINT).setData(geometry ? { type: 'Feature', geometry, properties: {} } : EMPTY);
  }

  function showWorksForm() {
    const words = text();
    const me = window.streetcadAccess.me;
    // A utility proposes works for its own organisation only: the server takes it from the sign-in.
    const utility = !me.roles.includes('operator');
    stopPicking();
    v.picks = [];
    drawFootprint();
    const start = v.at ? new Date(v.at) : new Date();
    const end = new Date(start.getTime() + 7 * 24 * 3600 * 1000);
    openPanel(words.worksTitle, `<form id="works-form" class="viability-form">
      <label><span data-v="organisation"></span> <input id="works-organisation" autocomplete="organization" required
        ${utility ? `readonly value="${escapeHtml(me.organisation)}"` : ''}></label>
      <label><span data-v="permit"></span> <input id="works-permit" autocomplete="off" required></label>
      <label><span data-v="description"></span> <textarea id="works-description" rows="2"></textarea></label>
      <div class="works-footprint"><button type="button" id="works-draw" data-v="drawFootprint"></button>
        <span id="works-vertices"></span></div>
      <label><span data-v="validFrom"></span> <input type="datetime-local" id="works-valid-from" step="60" value="${localValue(start)}" required></label>
      <label><span data-v="validTo"></span> <input type="datetime-local" id="works-valid-to" step="60" value="${localValue(end)}" required></label>
      <button type="submit" id="works-save" data-v="save"></button>
      <div id="works-result" aria-live="polite"></div></form>`);
    translate();
    const form = $('works-form');
    $('works-draw').addEventListener('click', () => {
      startPicking('works');
      $('works-vertices').textContent = words.verticesPicked(0);
    });
    // Opened from the layers panel: the keyboard goes on in the form, at its first field to fill.
    (utility ? $('works-permit') : $('works-organisation')).focus();
    form.addEventListener('submit', e => {
      e.preventDefault();
      if (!form.reportValidity()) return;
      // No footprint yet: said at the drawing button before anything is sent.
      if (v.picks.length < 3) {
        sayRefusal(form, text().worksFailed, { parameter: 'geometry', detail: text().refused.footprint },
          { geometry: ['works-draw', () => text().refused.footprint] });
        return;
      }
      saveWorks(form, utility);
    });
  }

  async function saveWorks(form, utility) {
    const words = text();
    const properties = {
      permit: $('works-permit').value.trim(),
      phases: [{ valid_from: new Date($('works-valid-from').value).toISOString(),
        valid_to: new Date($('works-valid-to').value).toISOString() }] };
    if (!utility) properties.organisation = $('works-organisation').value.trim();
    const description = $('works-description').value.trim();
    if (description) properties.description = description;
    const feature = { type: 'Feature', geometry: { type: 'Polygon', coordinates: [[...v.picks, v.picks[0]]] }, properties };
    $('works-result').textContent = '';
    const response = await window.streetcadAccess.fetch('/collections/works/items', {
      method: 'POST', headers: { 'Content-Type': 'application/geo+json' }, body: JSON.stringify(feature) });
    if (!response.ok) {
      const refused = words.refused;
      return sayRefusal(form, words.worksFailed, await problemOf(response), {
        organisation: ['works-organisation', () => refused.organisation],
        permit: ['works-permit', () => refused.permit],
        description: ['works-description', () => refused.text],
        geometry: ['works-draw', () => refused.footprint],
        'phases[0].valid_from': ['works-valid-from', () => refused.instant],
        'phases[0].valid_to': ['works-valid-to', () => refused.dates],
      });
    }
    const works = await response.json();
    clearInvalid(form);
    stopPicking();
    v.picks = [];
    drawFootprint();
    $('works-vertices').textContent = '';
    mapChanged();
    $('works-result').innerHTML = `<p id="works-saved" data-works="${Number(works.id)}">${escapeHtml(words.worksSaved(works.id))}</p>
      <div id="works-lifecycle">${lifecycleHtml('works', works.properties)}</div>
      <div id="works-conflicts-box">${conflictsHtml('works', works.properties.conflicts, 'works_id', works.id)}</div>`;
    document.body.dataset.worksSaved = String(works.id);
  }

  /**
   * A click on a works site drawn on the map opens it (its permit, organisation, status and the lifecycle buttons
   * the role may press), before the street under it: the site is what was drawn there, the street has its record
   * a click beside the site away. True when there was one.
   */
  function openWorksAt(point) {
    const site = window.streetcad.map.queryRenderedFeatures(point, { layers: ['viability-works-fill'] })[0];
    if (!site) return false;
    showWorks(Number(site.id));
    return true;
  }

  async function showWorks(id) {
    v.works = null;
    openPanel(text().records.works(id), '');
    try {
      // Read past the cache: the layer may have drawn it before its last change, and the buttons name its version.
      renderWorks(await getJson(`/viability/works/${id}`, { cache: 'no-cache' }));
    } catch (error) {
      openPanel(text().records.works(id), `<p class="problem">${escapeHtml(error.message)}</p>`);
    }
  }

  /** An open works site's panel, in the page's language: drawn again from the record kept when the language changes. */
  function renderWorks(works) {
    const words = text();
    const p = works.properties;
    v.works = works;
    openPanel(words.records.works(works.id), `<dl class="record" id="works-record" data-works="${Number(works.id)}">
      <dt>${escapeHtml(words.permit)}</dt><dd>${escapeHtml(p.permit)}</dd>
      <dt>${escapeHtml(words.organisation)}</dt><dd>${escapeHtml(p.organisation)}</dd></dl>
      <div id="works-lifecycle">${lifecycleHtml('works', p)}</div>`);
  }

  // ---- lifecycles: measures, ordinances, works sites -----------------------------------------------------------

  /** The steps of each lifecycle (Viability.java's), and the collection a change of it is written to. */
  const LIFECYCLES = {
    measure: { path: '/collections/viability-measures/items', steps: { draft: ['in_force', 'revoked'], in_force: ['expired', 'revoked'] } },
    ordinance: { path: '/collections/ordinances/items', steps: { draft: ['in_force', 'revoked'], in_force: ['expired', 'revoked'] } },
    works: { path: '/collections/works/items', steps: { proposed: ['approved', 'rejected', 'cancelled'], approved: ['completed', 'cancelled'] } }
  };

  /**
   * The steps the signed-in role may take from a record's status, so that only buttons the server will accept are
   * shown (the server judges all the same): an operator any; a utility only withdraws its own organisation's measure
   * (revoked) or works site (cancelled); ordinances are the operators'.
   */
  function allowedSteps(kind, record) {
    const me = window.streetcadAccess.me;
    const steps = LIFECYCLES[kind].steps[record.status] || [];
    if (me.roles.includes('operator')) return steps;
    if (kind === 'ordinance' || !mayProposeWorks(me) || me.organisation !== record.organisation) return [];
    return steps.filter(s => s === (kind === 'works' ? 'cancelled' : 'revoked'));
  }

  function statusWord(kind, status) {
    const words = text();
    return ({ measure: words.statuses, ordinance: words.ordinanceStatuses, works: words.worksStatuses })[kind][status] || status;
  }

  /** A record's status and the lifecycle buttons the role may press, each naming what it changes and its version. */
  function lifecycleHtml(kind, record) {
    const words = text();
    const status = statusWord(kind, record.status);
    const buttons = allowedSteps(kind, record).map(step => `<button type="button" class="lifecycle"
      data-lifecycle="${kind}" data-id="${Number(record.id)}" data-version="${Number(record.version)}" data-step="${escapeHtml(step)}"
      >${escapeHtml(words.steps[kind][step])}</button>`).join(' ');
    return `<span class="lifecycle-status" data-status="${escapeHtml(record.status)}">${escapeHtml(status)}</span>${buttons
      ? ` <span class="lifecycle-buttons">${buttons}</span>` : ''}`;
  }

  /**
   * Moves a record along its lifecycle with the version the page showed in If-Match: a change made meanwhile by
   * someone else is refused (412) and said, and the record is read again.
   */
  async function changeStatus(button) {
    const words = text();
    const { lifecycle: kind, id, version, step } = button.dataset;
    const box = button.closest('[data-lifecycle-box]') || button.parentElement;
    // One change at a time: the buttons beside it wait for the answer (they are drawn again after it).
    box.querySelectorAll('button.lifecycle').forEach(b => { b.disabled = true; });
    let record = null, problem = null;
    try {
      const response = await window.streetcadAccess.fetch(`${LIFECYCLES[kind].path}/${id}`, {
        method: 'PATCH', headers: { 'Content-Type': 'application/json', 'If-Match': `"${version}"` },
        body: JSON.stringify({ status: step }) });
      if (response.ok) record = await response.json();
      else problem = await problemOf(response);
    } catch (error) {
      problem = { detail: error.message };
    }
    mapChanged();
    if (kind === 'works' && $('works-lifecycle')) {
      // Refused or not, the works site is shown as it is now, with the steps it can take from there.
      const works = record || await getJson(`/viability/works/${id}`, { cache: 'no-cache' }).catch(() => null);
      if (works) $('works-lifecycle').innerHTML = lifecycleHtml('works', works.properties);
      // and its conflicts as they are now: a site cancelled, rejected or completed meets no other any more (the
      // saved site's list stayed as it was saved).
      if (works && $('works-conflicts-box')) {
        $('works-conflicts-box').innerHTML = conflictsHtml('works', works.properties.conflicts, 'works_id', works.id);
      }
      if (works && $('works-record')) v.works = works;
    }
    await redrawStreet();
    // Said under what was changed (the works site just saved, or the street's list drawn again).
    const where = $('works-lifecycle') || $('street-measures');
    if (where) {
      $('lifecycle-message')?.remove();
      const said = document.createElement('p');
      said.id = 'lifecycle-message';
      said.setAttribute('role', 'status');
      said.textContent = problem ? words.changeRefused[problem.status] || problem.detail : words.changed(words.records[kind](id), statusWord(kind, step));
      if (problem) Object.assign(said, { className: 'problem', title: problem.detail });
      where.append(said);
    }
    document.body.dataset.lifecycleChanged = `${kind}:${id}:${problem ? problem.status : step}`;
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

  /** Draws what is on the street of the open record again, read anew (after a change, or a sign-in or out). */
  async function redrawStreet() {
    const section = $('street-measures');
    const panel = window.streetcad.state.panel;
    if (section && panel?.kind === 'element') await renderStreet(section, panel.id);
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
      // The measure's ordinance or works site, with its own status and the steps the role may take it.
      const source = p.ordinance ? `<div data-lifecycle-box="ordinance" data-ordinance="${Number(p.ordinance.id)}"><small>${escapeHtml(
        words.ordinance(p.ordinance.number, p.ordinance.year))}</small> ${lifecycleHtml('ordinance', p.ordinance)}</div>`
        : p.works ? `<div data-lifecycle-box="works" data-works="${Number(p.works.id)}"><small>${escapeHtml(
          `${p.works.organisation} (${p.works.permit})`)}</small> ${lifecycleHtml('works', p.works)}</div>` : '';
      return `<li data-measure="${Number(f.id)}" class="${p.current ? 'current' : 'planned'}"><span class="badge">${escapeHtml(p.current ? words.current : words.planned)}</span>
        <strong>${escapeHtml(words.kinds[p.kind] || p.kind)}</strong><br>${escapeHtml(when)}
        <div data-lifecycle-box="measure">${lifecycleHtml('measure', p)}</div>${source}</li>`;
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
    window.streetcad.state.clickFirst.push(openWorksAt);
    map.on('moveend', loadWorks);
    loadWorks();
    watchRecordPanel();
    $('panel-body').addEventListener('click', e => {
      const button = e.target.closest('button.lifecycle');
      if (button) changeStatus(button);
    });
    // The tools and buttons follow who is signed in.
    window.streetcadAccess.onChange(me => {
      $('viability-new-works').hidden = !mayProposeWorks(me);
      redrawStreet();
    });
    // Closing the panel (its × or Escape) gives up picking points, and a footprint being drawn: the map's clicks
    // open records again.
    new MutationObserver(() => {
      if (!$('panel').hidden || !v.picking) return;
      stopPicking();
      v.picks = [];
      drawFootprint();
    }).observe($('panel'), { attributes: true, attributeFilter: ['hidden'] });
    // The page's language button re-renders its words; ours follow the document's language.
    new MutationObserver(translate).observe(document.documentElement, { attributes: true, attributeFilter: ['lang'] });
    document.body.dataset.viabilityReady = 'true';
  }

  const ready = () => document.body.dataset.mapReady === 'true' && window.streetcad?.map;
  const wait = () => (ready() ? start() : setTimeout(wait, 50));
  wait();
})();
