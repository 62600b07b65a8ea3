// Asked for while MapLibre (800 KB) is still being read, so that the map starts as soon as it can. A file, not an
// inline script: the Content-Security-Policy allows scripts from this server only.
window.streetcadConfig = fetch('/map/config.json').then(r => r.ok ? r.json() : null, () => null);
