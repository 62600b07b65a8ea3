// Who is signed in, and which controls their roles allow.
// - The sign-in / sign-out control lives in #account.
// - Any element with data-requires-role="editor" (or another role name) is shown only while the signed-in principal
//   has that role (an admin has them all), whenever it was added to the page.
// - streetcadAccess.fetch(url, options) is fetch with the session: it sends the CSRF token the server asks of a
//   signed-in browser's changes; streetcadAccess.problemOf(response) reads a refusal's problem+json. streetcadAccess.onChange(f) calls f(me) on every sign-in, sign-out and start.
'use strict';
window.streetcadAccess = (() => {
  const words = {
    signIn: ['Accedi', 'Sign in'], signOut: ['Esci', 'Sign out'], username: ['Utente', 'Username'],
    password: ['Password', 'Password'], failed: ['Accesso non riuscito', 'Sign-in failed'],
    // The server's refusals, said in the page's language (its English detail is the message's tooltip).
    401: ['nome utente o password errati', 'wrong username or password'],
    429: ['troppi tentativi sbagliati: riprova tra qualche minuto', 'too many wrong attempts: try again in a few minutes'],
  };
  const say = key => words[key][document.documentElement.lang === 'en' ? 1 : 0];
  const anonymous = { authenticated: false, roles: [] };
  let me = anonymous;
  const listeners = [];

  function showAllowed(root) {
    const scope = root.querySelectorAll ? root : document;
    const elements = [...scope.querySelectorAll('[data-requires-role]')];
    if (root.matches && root.matches('[data-requires-role]')) elements.push(root);
    for (const el of elements) el.hidden = !me.roles.includes(el.dataset.requiresRole);
  }

  function render() {
    const box = document.getElementById('account');
    if (!box) return;
    box.replaceChildren();
    if (me.authenticated) {
      const who = document.createElement('span');
      who.id = 'account-name';
      who.textContent = me.name || me.id;
      box.append(who);
      if (me.csrfToken) box.append(button('account-signout', say('signOut'), signOut));
    } else {
      const form = document.createElement('form');
      form.id = 'login-form';
      form.hidden = true;
      form.append(field('login-username', say('username'), 'text', 'username'),
        field('login-password', say('password'), 'password', 'current-password'));
      const submit = document.createElement('button');
      submit.type = 'submit';
      submit.textContent = say('signIn');
      const message = document.createElement('span');
      message.id = 'login-message';
      message.setAttribute('role', 'alert');
      form.append(submit, message);
      form.addEventListener('submit', async event => {
        event.preventDefault();
        try {
          await signIn(form.elements['login-username'].value, form.elements['login-password'].value);
        } catch (e) {
          message.textContent = `${say('failed')}: ${words[e.status] ? say(e.status) : e.message}`;
          message.title = e.message;
        }
      });
      const open = button('account-signin', say('signIn'), () => {
        form.hidden = !form.hidden;
        if (!form.hidden) form.elements['login-username'].focus();
      });
      // Escape closes the sign-in form (and only it: the record panel under it stays open).
      form.addEventListener('keydown', event => {
        if (event.key !== 'Escape') return;
        event.stopPropagation();
        form.hidden = true;
        open.focus();
      });
      box.append(open, form);
    }
  }

  function button(id, text, onClick) {
    const b = document.createElement('button');
    b.type = 'button';
    b.id = id;
    b.textContent = text;
    b.addEventListener('click', onClick);
    return b;
  }

  function field(id, label, type, autocomplete) {
    const l = document.createElement('label');
    l.htmlFor = id;
    l.textContent = label;
    const input = document.createElement('input');
    Object.assign(input, { id, name: id, type, autocomplete, required: true });
    const wrapper = document.createElement('span');
    wrapper.append(l, input);
    return wrapper;
  }

  function changed(next) {
    me = next && next.roles ? next : anonymous;
    render();
    showAllowed(document);
    for (const f of listeners) f(me);
  }

  async function refresh() {
    try {
      const r = await fetch('/auth/me', { credentials: 'same-origin', cache: 'no-store' });
      changed(r.ok ? await r.json() : anonymous);
    } catch (e) {
      changed(anonymous);
    }
  }

  async function signIn(username, password) {
    const r = await fetch('/auth/login', {
      method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    const body = await r.json().catch(() => ({}));
    if (!r.ok) throw Object.assign(new Error(body.detail || r.statusText), { status: r.status });
    changed(body);
    // The form that had the focus is gone: the keyboard continues from the control that replaced it.
    document.getElementById('account-signout')?.focus();
  }

  async function signOut() {
    await accessFetch('/auth/logout', { method: 'POST' }).catch(() => null);
    await refresh();
    document.getElementById('account-signin')?.focus();
  }

  /** A refused request's problem+json, with its English detail (or its status when it has none) and its status. */
  async function problemOf(response) {
    const problem = await response.json().catch(() => ({}));
    return { ...problem, detail: problem.detail || problem.title || `HTTP ${response.status}`, status: response.status };
  }

  function accessFetch(url, options = {}) {
    const method = (options.method || 'GET').toUpperCase();
    const headers = new Headers(options.headers || {});
    if (!['GET', 'HEAD', 'OPTIONS'].includes(method) && me.csrfToken) headers.set('X-CSRF-Token', me.csrfToken);
    return fetch(url, { ...options, method, headers, credentials: 'same-origin' });
  }

  new MutationObserver(records => {
    for (const r of records) {
      if (r.type === 'attributes') render();
      else r.addedNodes.forEach(n => { if (n.nodeType === 1) showAllowed(n); });
    }
  }).observe(document.documentElement, { subtree: true, childList: true, attributes: true, attributeFilter: ['lang'] });

  const ready = document.readyState === 'loading'
    ? new Promise(resolve => document.addEventListener('DOMContentLoaded', resolve)).then(refresh) : refresh();

  return {
    get me() { return me; }, ready, refresh, signIn, signOut, fetch: accessFetch, problemOf,
    onChange(f) { listeners.push(f); if (me !== anonymous) f(me); },
  };
})();
