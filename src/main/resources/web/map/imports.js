// Imports on the web map, for GIS technicians: a zipped shapefile sent with its options, the latest jobs with their
// state and progress, an import's report (what was read, the CRS and encoding found, the problems and topology
// findings, what a commit would change) and its commit or discard, whole. The same jobs as POST /imports and the CLI:
// nothing here decides what an import is, it shows the server's report and asks the server to act.
// Kept apart from streetcad-map.js: it reads window.streetcad (map, state, escapeHtml, redraw) and adds its own
// toolbar button and panel.
'use strict';
(() => {
  const $ = id => document.getElementById(id);
  const text = () => STREETCAD_TEXT[document.documentElement.lang === 'en' ? 'en' : 'it'];
  const words = () => text().imports;
  const escapeHtml = value => window.streetcad.escapeHtml(value);
  // The job states in which the server is still working: the panel asks again until the job leaves them.
  const WORKING = new Set(['queued', 'staging', 'committing']);
  const POLL_MS = 1000;
  const LISTED = 10;
  // A checked import's staged lines and findings over the cadastre, for the view, before its commit.
  const STAGED = 'import-staged';
  const FINDINGS = 'import-findings';
  const EMPTY = { type: 'FeatureCollection', features: [] };
  const SEVERITY_COLOURS = ['match', ['get', 'severity'], 'error', '#d50000', 'warning', '#ff6d00', '#1565c0'];
  let poll = null;
  // The checked import drawn on the map: the last one opened, until the panel closes or it is committed or discarded.
  let previewed = null;

  const panelIsOurs = () => window.streetcad.state.panel?.kind === 'imports';

  function openPanel(shown) {
    window.streetcad.state.panel = { kind: 'imports', shown };
    $('panel-title').textContent = shown ? words().jobTitle(shown) : words().title;
    $('panel').hidden = false;
  }

  // ---- the list and the upload form ----------------------------------------------------------------------------

  async function showList() {
    clearTimeout(poll);
    openPanel(null);
    previewed = null;
    drawStaged();
    const w = words();
    $('panel-body').innerHTML = `<form id="import-form" class="import-form" novalidate>
        <label for="import-file">${escapeHtml(w.file)}</label>
        <input type="file" id="import-file" name="file" accept=".zip,application/zip">
        <label for="import-mapping">${escapeHtml(w.mapping)}</label>
        <select id="import-mapping" name="mapping">${Object.entries(w.mappings).map(([value, label]) =>
          `<option value="${value}">${escapeHtml(label)}</option>`).join('')}</select>
        <label for="import-mode">${escapeHtml(w.mode)}</label>
        <select id="import-mode" name="mode">${Object.entries(w.modes).map(([value, label]) =>
          `<option value="${value}">${escapeHtml(label)}</option>`).join('')}</select>
        <label class="check" id="import-area-choice" hidden><input type="checkbox" id="import-area"> ${escapeHtml(w.areaInView)}</label>
        <label for="import-srid">${escapeHtml(w.srid)}</label>
        <input id="import-srid" name="srid" inputmode="numeric" autocomplete="off" placeholder="${escapeHtml(w.sridHint)}">
        <label class="check"><input type="checkbox" id="import-build" name="buildNetwork"> ${escapeHtml(w.buildNetwork)}</label>
        <button type="submit" id="import-send">${escapeHtml(w.send)}</button>
        <div aria-live="polite"></div>
      </form>
      <h3>${escapeHtml(w.latest)}</h3>
      <ul id="import-jobs" class="import-jobs"><li>${escapeHtml(w.loading)}</li></ul>`;
    const form = $('import-form');
    $('import-mode').addEventListener('change', () => { $('import-area-choice').hidden = $('import-mode').value !== 'replace'; });
    form.addEventListener('submit', event => { event.preventDefault(); send(form); });
    await listJobs();
  }

  async function listJobs() {
    const list = $('import-jobs');
    if (!list) return;
    const w = words();
    try {
      const answer = await fetchJson('/imports');
      const jobs = answer.imports.slice(0, LISTED);
      if (!$('import-jobs')) return;
      list.innerHTML = jobs.length ? jobs.map(job => `<li><button type="button" class="link" data-import="${Number(job.id)}">`
          + `${escapeHtml(w.jobTitle(job.id))}</button> ${escapeHtml(job.source || '')} `
          + `<span class="import-state" data-state="${escapeHtml(job.state)}">${escapeHtml(stateWord(job.state))}</span>`
          + (WORKING.has(job.state) ? ` ${Number(job.progress)}%` : '') + '</li>').join('')
        : `<li>${escapeHtml(w.none)}</li>`;
      if (jobs.some(job => WORKING.has(job.state))) poll = setTimeout(() => panelIsOurs() && !panelShown() && listJobs(), POLL_MS);
    } catch (e) {
      list.innerHTML = `<li class="problem" title="${escapeHtml(e.message)}">${escapeHtml(w.unavailable)}</li>`;
    }
  }

  const panelShown = () => window.streetcad.state.panel?.shown;

  /** The form's refusal said at the field the server names, in the page's language; its English as the tooltip. */
  function sayRefusal(form, problem) {
    const w = words();
    const field = { file: 'import-file', layer: 'import-file', mapping: 'import-mapping', mode: 'import-mode',
      area: 'import-area', srid: 'import-srid', buildNetwork: 'import-build' }[problem.parameter];
    const said = w.refusals[problem.parameter] || refusalByStatus(problem.status) || problem.detail;
    form.querySelectorAll('[aria-invalid]').forEach(el => el.removeAttribute('aria-invalid'));
    form.querySelector('[aria-live]').innerHTML = `<p class="problem" id="import-problem" title="${escapeHtml(problem.detail)}">`
      + `${escapeHtml(w.refused)}: ${escapeHtml(said)}</p>`;
    if (!field) return;
    $(field).setAttribute('aria-invalid', 'true');
    $(field).setAttribute('aria-describedby', 'import-problem');
    $(field).focus();
  }

  async function send(form) {
    const w = words();
    const file = $('import-file').files[0];
    if (!file) {
      sayRefusal(form, { parameter: 'file', detail: w.chooseFile });
      return;
    }
    const body = new FormData();
    body.append('file', file, file.name);
    if ($('import-mapping').value) body.append('mapping', $('import-mapping').value);
    body.append('mode', $('import-mode').value);
    if ($('import-srid').value.trim()) body.append('srid', $('import-srid').value.trim());
    if ($('import-build').checked) body.append('buildNetwork', 'true');
    if ($('import-mode').value === 'replace' && $('import-area').checked) body.append('area', window.streetcad.bbox());
    $('import-send').disabled = true;
    form.querySelector('[aria-live]').textContent = w.sending;
    try {
      const response = await window.streetcadAccess.fetch('/imports', { method: 'POST', body, headers: { Accept: 'application/json' } });
      if (!response.ok) {
        sayRefusal(form, await problemOf(response));
        return;
      }
      showJob((await response.json()).id);
    } finally {
      if ($('import-send')) $('import-send').disabled = false;
    }
  }

  // ---- one import ----------------------------------------------------------------------------------------------

  async function showJob(id) {
    clearTimeout(poll);
    if (!panelIsOurs() || panelShown() !== id) {
      openPanel(id);
      $('panel-body').innerHTML = `<p>${escapeHtml(words().loading)}</p>`;
    }
    let job;
    try {
      job = await fetchJson(`/imports/${id}`);
    } catch (e) {
      $('panel-body').innerHTML = `<p class="problem" title="${escapeHtml(e.message)}">${escapeHtml(words().unavailable)}</p>`;
      return;
    }
    if (!panelIsOurs() || panelShown() !== id) return;
    window.streetcad.state.panel.job = job;
    renderJob(job);
    previewed = job.state === 'validated' ? job : null;
    drawStaged();
    if (WORKING.has(job.state)) poll = setTimeout(() => showJob(id), POLL_MS);
    if (job.state === 'committed') window.streetcad.redraw();
  }

  function renderJob(job) {
    const w = words();
    const r = job.report || {};
    // Rows of [name, value, the server's English on how it was found (a tooltip)]; a value the report lacks is left out.
    const rows = pairs => `<dl class="import-facts">${pairs.filter(([, value]) => value !== undefined && value !== null && value !== '')
      .map(([name, value, how]) => `<dt>${escapeHtml(name)}</dt><dd${how ? ` title="${escapeHtml(how)}"` : ''}>`
        + `${escapeHtml(value)}</dd>`).join('')}</dl>`;
    const parts = [`<p><span class="import-state" id="import-state" data-state="${escapeHtml(job.state)}">${escapeHtml(stateWord(job.state))}</span>`
      + (WORKING.has(job.state) ? ` <progress id="import-progress" max="100" value="${Number(job.progress)}">${Number(job.progress)}%</progress>` : '')
      + '</p>'];
    if (job.error) parts.push(`<p class="problem" id="import-error">${escapeHtml(job.error)}</p>`);
    parts.push(rows([[w.source, [job.source, job.layer].filter(Boolean).join(' · ')], [w.mapping, r.mapping],
      [w.mode, w.modes[job.mode] || job.mode],
      [w.crs, r.crs && `EPSG:${r.crs.srid} → EPSG:${r.crs.storageSrid}`, r.crs?.source],
      [w.encoding, r.encoding?.charset, r.encoding?.source]]));
    if (r.counts) parts.push(`<h3>${escapeHtml(w.read)}</h3>` + rows(Object.entries(w.counts).map(([key, label]) => [label, r.counts[key]])));
    if (r.extent) {
      parts.push(`<p>${escapeHtml(w.extent(r.extent))} <button type="button" id="import-zoom">${escapeHtml(w.showOnMap)}</button></p>`);
    }
    if (r.notices?.length) {
      // A report stored before notes had codes has each as its English sentence alone.
      parts.push(`<h3>${escapeHtml(w.notices)}</h3><ul class="import-notices">${r.notices.map(n => (typeof n === 'string'
        ? said(null, n) : said(n.code, n.message))).join('')}</ul>`);
    }
    if (r.problemsByField && Object.keys(r.problemsByField).length) {
      parts.push(`<h3>${escapeHtml(w.problems)}</h3>` + rows(Object.entries(r.problemsByField)));
      parts.push(`<ul class="import-problems">${(r.problems || []).slice(0, 20).map(p => `<li>${escapeHtml(w.feature(p.featureNumber))} · `
        + `${escapeHtml(p.field)} · ${escapeHtml(text().values[p.severity] || p.severity)}: ${said(p.code, p.reason, 'span')}</li>`).join('')}</ul>`);
    }
    if (r.findingsByRule && Object.keys(r.findingsByRule).length) {
      parts.push(`<h3>${escapeHtml(w.findings)}</h3>` + rows(Object.entries(r.findingsByRule).map(([key, count]) => {
        // Counted as "rule (severity)".
        const [, rule, severity] = key.match(/^(.*) \((\w+)\)$/) || [null, key, null];
        return [`${text().rules[rule] || rule}${severity ? ` (${text().values[severity] || severity})` : ''}`, count];
      })));
    }
    const changes = (title, c) => `<h3>${escapeHtml(title)}</h3>` + rows(Object.entries(w.changes).map(([key, label]) => [label, c[key]]));
    if (r.committed) parts.push(changes(w.committed, r.committed));
    else if (r.planned) parts.push(changes(w.planned, r.planned));
    // An append's check plans nothing more than its rows: every staged feature without errors is added.
    else if (job.mode === 'append' && r.counts) parts.push(`<h3>${escapeHtml(w.planned)}</h3><p>${escapeHtml(w.appendPlanned(r.counts.staged - r.counts.invalid))}</p>`);
    parts.push(actions(job));
    parts.push(`<div aria-live="polite" id="import-answer"></div><p><button type="button" class="link" id="import-back">${escapeHtml(w.back)}</button></p>`);
    $('panel-body').innerHTML = parts.join('');
    $('import-back').addEventListener('click', showList);
    if (r.extent) $('import-zoom').addEventListener('click', () => window.streetcad.map.fitBounds(
      [[r.extent.minLon, r.extent.minLat], [r.extent.maxLon, r.extent.maxLat]], { padding: 40, maxZoom: 17 }));
    $('import-commit')?.addEventListener('click', () => act(job, 'commit'));
    $('import-discard')?.addEventListener('click', () => act(job, 'discard'));
  }

  /**
   * A note or problem of the report in the page's language by its code, the server's English (with the figures: files,
   * counts, the value at fault) as its tooltip; the English itself for a code the page has no words for.
   */
  function said(code, english, tag = 'li') {
    const phrase = code && Object.hasOwn(words().codes, code) ? words().codes[code] : null;
    return phrase ? `<${tag} data-code="${escapeHtml(code)}" title="${escapeHtml(english)}">${escapeHtml(phrase)}</${tag}>`
      : `<${tag} lang="en"${code ? ` data-code="${escapeHtml(code)}"` : ''}>${escapeHtml(english)}</${tag}>`;
  }

  /** The buttons the job's state allows: a checked import is committed or discarded; a queued or staging one discarded. */
  function actions(job) {
    const w = words();
    const invalid = job.report?.counts?.invalid || 0;
    const buttons = [];
    if (job.state === 'validated') {
      if (invalid > 0) buttons.push(`<label class="check"><input type="checkbox" id="import-skip-invalid"> ${escapeHtml(w.skipInvalid(invalid))}</label>`);
      buttons.push(`<button type="button" id="import-commit">${escapeHtml(w.commit)}</button>`);
    }
    if (job.state === 'validated' || job.state === 'queued' || job.state === 'staging') {
      buttons.push(`<button type="button" id="import-discard">${escapeHtml(w.discard)}</button>`);
    }
    return buttons.length ? `<div class="import-actions">${buttons.join(' ')}</div>` : '';
  }

  async function act(job, what) {
    const w = words();
    const request = what === 'commit'
      ? [`/imports/${job.id}/commit${$('import-skip-invalid')?.checked ? '?skipInvalid=true' : ''}`, { method: 'POST' }]
      : [`/imports/${job.id}`, { method: 'DELETE' }];
    document.querySelectorAll('.import-actions button').forEach(b => { b.disabled = true; });
    const response = await window.streetcadAccess.fetch(request[0], { ...request[1], headers: { Accept: 'application/json' } });
    if (!response.ok) {
      const problem = await problemOf(response);
      $('import-answer').innerHTML = `<p class="problem" id="import-problem" title="${escapeHtml(problem.detail)}">`
        + `${escapeHtml(w.refused)}: ${escapeHtml(refusalByStatus(problem.status) || problem.detail)}</p>`;
      document.querySelectorAll('.import-actions button').forEach(b => { b.disabled = false; });
      return;
    }
    showJob(job.id);
  }

  // ---- the staged lines and findings on the map -----------------------------------------------------------------

  function addLayers(map) {
    map.addSource(STAGED, { type: 'geojson', data: EMPTY });
    map.addSource(FINDINGS, { type: 'geojson', data: EMPTY });
    map.addLayer({ id: STAGED, type: 'line', source: STAGED, paint: {
      'line-color': ['case', ['get', 'rejected'], '#d50000', '#7b1fa2'], 'line-width': 3, 'line-dasharray': [2, 1] } });
    map.addLayer({ id: `${FINDINGS}-lines`, type: 'line', source: FINDINGS, filter: ['!=', ['geometry-type'], 'Point'],
      paint: { 'line-color': SEVERITY_COLOURS, 'line-width': 5, 'line-opacity': 0.6 } });
    map.addLayer({ id: FINDINGS, type: 'circle', source: FINDINGS, filter: ['==', ['geometry-type'], 'Point'],
      paint: { 'circle-color': SEVERITY_COLOURS, 'circle-radius': 5, 'circle-stroke-color': '#fff', 'circle-stroke-width': 1 } });
  }

  /** The previewed import's staged lines and findings in the view; nothing when none is. */
  async function drawStaged() {
    const map = window.streetcad.map;
    const job = previewed;
    if (!job) {
      map.getSource(STAGED).setData(EMPTY);
      map.getSource(FINDINGS).setData(EMPTY);
      return;
    }
    const box = window.streetcad.bbox();
    try {
      const [staged, findings] = await Promise.all([fetchJson(`/imports/${job.id}/features?bbox=${box}&limit=5000`),
        fetchJson(`/imports/${job.id}/findings?bbox=${box}&limit=5000`)]);
      if (previewed !== job) return;
      map.getSource(STAGED).setData(staged);
      map.getSource(FINDINGS).setData(findings);
    } catch (e) {
      window.streetcad.say(`${words().unavailable}: ${e.message}`);
    }
  }

  // ---- helpers -------------------------------------------------------------------------------------------------

  /** A refusal said by its status where the status says it all (a missing role, a state moved on, a file too large). */
  function refusalByStatus(status) {
    return status === 403 ? text().technicianOnly : words().refusalsByStatus[status];
  }

  function stateWord(state) {
    return words().states[state] || state;
  }

  async function fetchJson(path) {
    const response = await window.streetcadAccess.fetch(path, { headers: { Accept: 'application/json' } });
    if (!response.ok) throw new Error((await problemOf(response)).detail);
    return response.json();
  }

  const problemOf = response => window.streetcadAccess.problemOf(response);

  /** The panel in the page's language: a language switch redraws what it shows, the form's choices kept. */
  function translate() {
    if (!panelIsOurs()) return;
    const state = window.streetcad.state.panel;
    if (state.shown && state.job) {
      $('panel-title').textContent = words().jobTitle(state.shown);
      renderJob(state.job);
    } else if (!state.shown) {
      showList();
    }
  }

  function start() {
    const map = window.streetcad.map;
    addLayers(map);
    map.on('moveend', drawStaged);
    const button = document.createElement('button');
    button.type = 'button';
    button.id = 'imports-open';
    button.dataset.requiresRole = 'technician';
    button.hidden = true;
    button.textContent = words().open;
    $('language-toggle').before(button);
    button.addEventListener('click', showList);
    $('panel-body').addEventListener('click', e => {
      const open = e.target.closest('button[data-import]');
      if (open && panelIsOurs()) showJob(Number(open.dataset.import));
    });
    // Closing the panel stops asking the server.
    new MutationObserver(() => {
      if (!$('panel').hidden) return;
      clearTimeout(poll);
      previewed = null;
      drawStaged();
    })
      .observe($('panel'), { attributes: true, attributeFilter: ['hidden'] });
    new MutationObserver(() => {
      button.textContent = words().open;
      translate();
    }).observe(document.documentElement, { attributes: true, attributeFilter: ['lang'] });
    // Signed out (or in as someone who may not import): an open imports panel closes.
    window.streetcadAccess.onChange(me => {
      if (panelIsOurs() && !me.roles.includes('technician')) $('panel-close').click();
    });
    document.body.dataset.importsReady = 'true';
  }

  const ready = () => document.body.dataset.mapReady === 'true' && window.streetcad?.map;
  const wait = () => (ready() ? start() : setTimeout(wait, 50));
  wait();
})();
