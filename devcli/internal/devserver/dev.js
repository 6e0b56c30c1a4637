// govapp dev client: injected by `govapp dev` into the entry page of dev
// builds only. Plain ES2017 without dependencies, as the oldest supported
// WebViews (Android 7, iOS 11, X5) run it as is.
//
// Server -> page: server-sent events on /__govapp/events (reload, css swap,
// build errors for the overlay). Page -> server: batched POSTs of console
// calls, uncaught errors, unhandled rejections and fetch/XHR requests to
// /__govapp/log, sent with the original fetch/XHR so they are not logged.
(function () {
  'use strict';
  if (window.__govappDevClient) return;
  window.__govappDevClient = true;
  var cfg = window.__GOVAPP_DEV__ || {};
  // base is "" for `govapp dev` and "/d/<session>" when the platform serves a cloud session.
  var BASE = typeof cfg.base === 'string' ? cfg.base : '';
  var LOG = BASE + '/__govapp/log';

  var id = '';
  try { id = sessionStorage.getItem('govapp-dev-id') || ''; } catch (e) { /* storage blocked */ }
  if (!/^[0-9a-z]{4}$/.test(id)) {
    id = Math.random().toString(36).slice(2, 6);
    while (id.length < 4) id += '0';
    try { sessionStorage.setItem('govapp-dev-id', id); } catch (e) { /* storage blocked */ }
  }

  var origFetch = window.fetch ? window.fetch.bind(window) : null;
  var XHR = window.XMLHttpRequest;
  var origOpen = XHR && XHR.prototype.open;
  var origSend = XHR && XHR.prototype.send;

  // ---- relay ----
  var queue = [];
  var timer = null;
  function post(body) {
    if (origFetch) {
      origFetch(LOG, { method: 'POST', body: body, headers: { 'Content-Type': 'text/plain' }, keepalive: body.length < 60000 })
        .catch(function () {});
    } else if (XHR) {
      var x = new XHR();
      origOpen.call(x, 'POST', LOG, true);
      origSend.call(x, body);
    }
  }
  function flush() {
    timer = null;
    while (queue.length) {
      var batch = queue.splice(0, 20);
      post(JSON.stringify({ id: id, container: cfg.container || '', entries: batch }));
    }
  }
  function send(entry) {
    if (queue.length > 500) return; // a log loop: drop rather than grow without bound
    queue.push(entry);
    if (!timer) timer = setTimeout(flush, 30);
  }
  window.addEventListener('pagehide', function () {
    if (!queue.length || !navigator.sendBeacon) return;
    navigator.sendBeacon(LOG, JSON.stringify({ id: id, container: cfg.container || '', entries: queue.splice(0, 20) }));
  });

  function clip(s) {
    s = String(s);
    return s.length > 3000 ? s.slice(0, 3000) + '…' : s;
  }
  function show(v) {
    if (typeof v === 'string') return v;
    if (v instanceof Error) return v.stack && v.stack.indexOf(v.message) >= 0 ? v.stack : v.name + ': ' + v.message;
    if (v === undefined) return 'undefined';
    if (typeof v === 'function') return 'function ' + (v.name || '(anonymous)');
    try {
      var seen = [];
      return JSON.stringify(v, function (k, x) {
        if (x && typeof x === 'object') {
          if (seen.indexOf(x) >= 0) return '[Circular]';
          seen.push(x);
        }
        return x;
      });
    } catch (e) {
      return String(v);
    }
  }
  function where(url) {
    try {
      var u = new URL(url, location.href);
      return u.origin === location.origin ? u.pathname + u.search : u.href;
    } catch (e) {
      return String(url);
    }
  }

  // ---- console ----
  ['log', 'info', 'warn', 'error', 'debug'].forEach(function (level) {
    var orig = console[level];
    if (typeof orig !== 'function') return;
    console[level] = function () {
      var parts = [];
      for (var i = 0; i < arguments.length; i++) parts.push(show(arguments[i]));
      send({ kind: level, text: clip(parts.join(' ')) });
      return orig.apply(console, arguments);
    };
  });

  // ---- errors ----
  window.addEventListener('error', function (ev) {
    if (!(ev instanceof ErrorEvent)) return; // a failed <img>/<script> load, reported as a plain Event
    var msg = ev.message || (ev.error && String(ev.error)) || 'error';
    if (msg.indexOf('Uncaught') !== 0) msg = 'Uncaught ' + msg;
    if (ev.filename) msg += ' at ' + where(ev.filename) + ':' + ev.lineno + ':' + ev.colno;
    send({ kind: 'exception', text: clip(msg), stack: clip((ev.error && ev.error.stack) || '') });
  }, true);
  window.addEventListener('unhandledrejection', function (ev) {
    var r = ev.reason;
    send({ kind: 'rejection', text: clip('Unhandled rejection: ' + (r instanceof Error ? r.name + ': ' + r.message : show(r))), stack: clip((r && r.stack) || '') });
  });

  // ---- network ----
  if (origFetch) {
    window.fetch = function (input, init) {
      var method = (init && init.method) || (input && input.method) || 'GET';
      var url = where(typeof input === 'string' ? input : (input && input.url) || String(input));
      var t0 = Date.now();
      return origFetch(input, init).then(function (res) {
        send({ kind: 'net', method: method, url: url, status: res.status, ms: Date.now() - t0 });
        return res;
      }, function (err) {
        send({ kind: 'net', method: method, url: url, status: 0, ms: Date.now() - t0 });
        throw err;
      });
    };
  }
  if (XHR) {
    XHR.prototype.open = function (method, url) {
      this.__govappReq = { method: String(method || 'GET'), url: where(url) };
      return origOpen.apply(this, arguments);
    };
    XHR.prototype.send = function () {
      var req = this.__govappReq;
      if (req) {
        var t0 = Date.now();
        var x = this;
        x.addEventListener('loadend', function () {
          send({ kind: 'net', method: req.method, url: req.url, status: x.status, ms: Date.now() - t0 });
        });
      }
      return origSend.apply(this, arguments);
    };
  }

  // ---- overlay ----
  var overlay = null;
  function showErrors(errors) {
    hideErrors();
    overlay = document.createElement('div');
    overlay.id = '__govapp_overlay';
    overlay.setAttribute('style', 'position:fixed;z-index:2147483647;left:0;top:0;right:0;bottom:0;overflow:auto;' +
      'background:rgba(20,20,24,.94);color:#eee;font:13px/1.5 ui-monospace,Menlo,Consolas,monospace;padding:16px;white-space:pre-wrap');
    var title = document.createElement('div');
    title.setAttribute('style', 'color:#ff6b6b;font-weight:bold;margin-bottom:8px');
    title.textContent = '构建失败 Build failed (' + errors.length + ')';
    overlay.appendChild(title);
    errors.forEach(function (e) {
      var p = document.createElement('div');
      p.setAttribute('style', 'margin:8px 0');
      p.textContent = (e.where ? e.where + ': ' : '') + e.text + (e.line ? '\n    ' + e.line : '');
      overlay.appendChild(p);
    });
    (document.body || document.documentElement).appendChild(overlay);
  }
  function hideErrors() {
    if (overlay && overlay.parentNode) overlay.parentNode.removeChild(overlay);
    overlay = null;
  }

  function swapCSS() {
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    for (var i = 0; i < links.length; i++) {
      var l = links[i];
      var href = l.getAttribute('href') || '';
      if (/^(https?:)?\/\//.test(href) && href.indexOf(location.origin) !== 0) continue;
      l.setAttribute('href', href.replace(/[?&]govapp_t=\d+/, '') + (href.indexOf('?') >= 0 ? '&' : '?') + 'govapp_t=' + Date.now());
    }
  }

  // ---- events ----
  function connect() {
    if (!window.EventSource) return;
    var es = new EventSource(BASE + '/__govapp/events?id=' + id + '&container=' + encodeURIComponent(cfg.container || ''));
    es.onmessage = function (m) {
      var ev;
      try { ev = JSON.parse(m.data); } catch (e) { return; }
      if (ev.type === 'hello') {
        // A build we missed while (re)connecting: catch up.
        if (cfg.build && ev.build && ev.build !== cfg.build) location.reload();
      } else if (ev.type === 'reload') {
        flush();
        location.reload();
      } else if (ev.type === 'css') {
        cfg.build = ev.build;
        hideErrors();
        swapCSS();
      } else if (ev.type === 'errors') {
        showErrors(ev.errors || []);
      }
    };
  }
  connect();
})();
