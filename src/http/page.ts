/**
 * The web view: one HTML page and its script, served by the HTTP doors at `/` and `/assets/app.js`
 * (Chart.js at `/assets/chart.js`). Everything is same-origin, so the Content-Security-Policy below
 * allows no other source. The page shows first vs last touch by channel over the newest profiles, those
 * profiles, and a lookup that draws one profile's touch timeline. It reads the JSON API, sending the API
 * token the person types in (kept in sessionStorage) when the server asks for one.
 */

/** Headers of every web view response: nothing from elsewhere, no framing, no referrer to leak ids. */
export const WEB_VIEW_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** The page at `/`. */
export const WEB_VIEW_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>touchpoint</title>
<link rel="icon" href="data:,">
<style>
  :root { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2733; background: #f5f7fa; }
  body { margin: 0; }
  header { background: #1d2733; color: #fff; padding: 12px 24px; display: flex; align-items: baseline; gap: 16px; }
  header h1 { font-size: 20px; margin: 0; }
  header span { color: #aab6c4; font-size: 14px; }
  main { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 16px; padding: 16px 24px; }
  section { background: #fff; border-radius: 8px; box-shadow: 0 1px 3px rgba(0,0,0,.08); padding: 16px; min-width: 0; }
  section.wide { grid-column: 1 / -1; }
  h2 { font-size: 16px; margin: 0 0 12px; }
  table { border-collapse: collapse; width: 100%; font-size: 13px; table-layout: fixed; }
  th:first-child { width: 31%; }
  th:last-child { width: 15%; }
  th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid #e6eaef; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
  tbody tr { cursor: pointer; }
  tbody tr:hover { background: #eef3f8; }
  form { display: flex; gap: 8px; margin-bottom: 12px; flex-wrap: wrap; }
  input, select, button { font: inherit; padding: 6px 8px; border: 1px solid #c5cfdb; border-radius: 4px; }
  input[type=text] { flex: 1; min-width: 160px; }
  button { background: #2f6fde; color: #fff; border-color: #2f6fde; cursor: pointer; }
  .muted { color: #6b7a8c; font-size: 13px; }
  .error { color: #b3261e; }
  ol.timeline { list-style: none; padding: 0; margin: 0; border-left: 3px solid #c5cfdb; }
  ol.timeline li { position: relative; margin: 0 0 10px 0; padding-left: 14px; font-size: 13px; }
  ol.timeline li::before { content: ""; position: absolute; left: -8px; top: 4px; width: 11px; height: 11px; border-radius: 50%; background: #2f6fde; }
  ol.timeline li.direct::before { background: #9aa6b2; }
  .pill { display: inline-block; padding: 1px 8px; border-radius: 10px; background: #e3ecfb; color: #1f4fa8; font-size: 12px; margin-right: 4px; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; font-size: 13px; margin: 0 0 12px; }
  dt { color: #6b7a8c; }
  dd { margin: 0; overflow-wrap: anywhere; }
  #token-form { display: none; }
</style>
</head>
<body>
<header><h1>touchpoint</h1><span id="scope">first and last touch, per profile</span></header>
<main>
  <section class="wide" id="token-section">
    <form id="token-form">
      <label for="token">API token</label>
      <input type="password" id="token" autocomplete="off" placeholder="TOUCHPOINT_API_TOKEN">
      <button type="submit">Use token</button>
    </form>
    <div id="status" class="muted">loading...</div>
  </section>
  <section>
    <h2>First vs last touch by channel</h2>
    <canvas id="channels" height="260" aria-label="first vs last touch by channel" role="img"></canvas>
  </section>
  <section>
    <h2>Newest profiles</h2>
    <table id="newest"><thead><tr><th>profile</th><th>first touch</th><th>last touch</th><th>touches</th></tr></thead><tbody></tbody></table>
  </section>
  <section class="wide">
    <h2>Look up a profile</h2>
    <form id="lookup">
      <select id="kind" aria-label="id kind"><option value="users">userId</option><option value="anonymous">anonymousId</option></select>
      <input type="text" id="id" placeholder="user-42 or an anonymousId" aria-label="id">
      <button type="submit">Look up</button>
    </form>
    <div id="profile" class="muted">Pick a profile above or type an id.</div>
  </section>
</main>
<script src="/assets/chart.js"></script>
<script src="/assets/app.js"></script>
</body>
</html>
`;

/** The page's script (plain browser JavaScript: no build step, no framework). */
export const WEB_VIEW_SCRIPT = `'use strict';
(function () {
  var TOKEN_KEY = 'touchpoint.apiToken';
  var chart = null;
  var $ = function (id) { return document.getElementById(id); };

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === 'text') node.textContent = attrs[key];
      else if (key === 'className') node.className = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  function api(path) {
    var token = sessionStorage.getItem(TOKEN_KEY);
    var headers = token ? { Authorization: 'Bearer ' + token } : {};
    return fetch(path, { headers: headers }).then(function (response) {
      if (response.status === 401 || response.status === 403) {
        $('token-form').style.display = 'flex';
        return response.json().then(function (body) {
          throw new Error(body.error || 'the API needs a token');
        });
      }
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    });
  }

  function drawChart(summary) {
    var labels = summary.channels.map(function (c) { return c.channel; });
    var data = {
      labels: labels,
      datasets: [
        { label: 'first touch', data: summary.channels.map(function (c) { return c.first; }), backgroundColor: '#2f6fde' },
        { label: 'last touch', data: summary.channels.map(function (c) { return c.last; }), backgroundColor: '#f2a33a' }
      ]
    };
    if (chart) chart.destroy();
    chart = new Chart($('channels'), {
      type: 'bar',
      data: data,
      options: {
        animation: false,
        responsive: true,
        indexAxis: 'y',
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { position: 'bottom' } }
      }
    });
    $('channels').setAttribute('data-channels', String(labels.length));
    document.body.setAttribute('data-chart', 'ready');
  }

  function listNewest(summary) {
    var body = $('newest').querySelector('tbody');
    body.textContent = '';
    summary.newest.slice(0, 20).forEach(function (row) {
      var tr = el('tr', { 'data-target': row.target, title: row.target }, [
        el('td', { text: row.target }),
        el('td', { text: row.first_touch_channel || '-' }),
        el('td', { text: row.last_touch_channel || '-' }),
        el('td', { text: String(row.touch_count) })
      ]);
      tr.addEventListener('click', function () { lookUp(row.target); });
      body.appendChild(tr);
    });
    $('status').textContent = summary.profiles + ' most recently written profiles';
    $('scope').textContent = 'first and last touch over the ' + summary.profiles + ' most recently written profiles';
  }

  function loadSummary() {
    return api('/api/summary').then(function (result) {
      $('token-form').style.display = 'none';
      drawChart(result.body);
      listNewest(result.body);
    }).catch(function (error) {
      $('status').textContent = error.message;
      $('status').className = 'error';
    });
  }

  function describeTouch(touch) {
    var parts = [touch.source, touch.medium].filter(Boolean).join(' / ');
    return parts + (touch.campaign ? ' (' + touch.campaign + ')' : '');
  }

  function showProfile(view) {
    var box = $('profile');
    box.textContent = '';
    box.className = '';
    box.setAttribute('data-target', view.target);
    var facts = el('dl', {}, [
      el('dt', { text: 'profile' }), el('dd', { text: view.target }),
      el('dt', { text: 'linked ids' }), el('dd', { text: view.linked_ids.join(', ') }),
      el('dt', { text: 'first touch' }), el('dd', { text: view.first_touch ? view.first_touch.channel + ' - ' + describeTouch(view.first_touch) : '-' }),
      el('dt', { text: 'last touch' }), el('dd', { text: view.last_touch ? view.last_touch.channel + ' - ' + describeTouch(view.last_touch) : '-' }),
      el('dt', { text: 'traits written' }), el('dd', { text: view.written_at ? view.written_at : 'not yet' }),
      el('dt', { text: 'recommendations' }), el('dd', { text: view.recommendations ? view.recommendations.items.join(', ') : '-' })
    ]);
    box.appendChild(facts);
    var list = el('ol', { className: 'timeline', id: 'timeline' });
    view.touches.forEach(function (touch) {
      list.appendChild(el('li', { className: touch.direct ? 'direct' : '' }, [
        el('span', { className: 'pill', text: touch.channel }),
        el('span', { text: touch.timestamp.replace('T', ' ').replace(/\\.\\d+Z$/, 'Z') + '  ' + describeTouch(touch) }),
        el('div', { className: 'muted', text: touch.landing_page || '' })
      ]));
    });
    box.appendChild(el('h2', { text: 'Touch timeline (' + view.touches.length + ')' }));
    box.appendChild(list);
  }

  function lookUp(target) {
    var kind = target.indexOf('user:') === 0 ? 'users' : target.indexOf('anon:') === 0 ? 'anonymous' : $('kind').value;
    var id = target.replace(/^(user|anon):/, '');
    $('kind').value = kind;
    $('id').value = id;
    return api('/api/' + kind + '/' + encodeURIComponent(id)).then(function (result) {
      if (result.status === 404) {
        $('profile').textContent = 'No profile for ' + id + '.';
        $('profile').className = 'error';
        return;
      }
      showProfile(result.body);
    }).catch(function (error) {
      $('profile').textContent = error.message;
      $('profile').className = 'error';
    });
  }

  $('lookup').addEventListener('submit', function (event) {
    event.preventDefault();
    var id = $('id').value.trim();
    if (id) lookUp(id);
  });
  $('token-form').addEventListener('submit', function (event) {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $('token').value);
    $('status').className = 'muted';
    loadSummary();
  });
  loadSummary();
})();
`;
