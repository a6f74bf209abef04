// maclip report: sorts, filters and pages the rows of the JSON block "data"; draws a quality map
// on demand. Every text from the results goes in through textContent, never as HTML. The page's
// state (sort, filters, page) lives in its address after '#', so a link keeps the view.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('data').textContent);
  var rows = data.rows;
  var PAGE = 100;
  // The plugin's quality-map colours (ColourScale: viridis, dark purple low, yellow high).
  var SCALE = data.scale;

  function numeric(key, label, get) {
    return {key: key, label: label, get: get, number: true};
  }
  var columns = [
    numeric('q', 'Q', function (r) { return r.q; }),
    numeric('q_sim', 'Q_sim', function (r) { return r.qs; }),
    numeric('q_mag', 'Q_mag', function (r) { return r.qm; }),
    numeric('w_sim', 'w_sim', function (r) { return r.ws; }),
    numeric('w_mag', 'w_mag', function (r) { return r.wm; })
  ];
  data.pairs.forEach(function (name, i) {
    columns.push(numeric('p' + i, 'p(' + name + ')', function (r) { return r.p[i]; }));
  });
  columns.push(numeric('views', 'views', function (r) { return r.e ? null : r.v; }));
  columns.push(numeric('size', 'size', function (r) { return r.w === undefined ? null : r.w * r.h; }));
  columns.push({key: 'path', label: 'path', get: function (r) { return r.n; }, number: false});
  columns.push({key: 'error', label: 'error', get: function (r) { return r.e || null; }, number: false});
  var byKey = {};
  columns.forEach(function (c) { byKey[c.key] = c; });

  var state = readHash();

  function readHash() {
    var s = {sort: 'q', desc: false, page: 0, qmin: '', qmax: '', col: 'q_sim', cmin: '', cmax: '',
      status: 'all', text: '', map: ''};
    location.hash.replace(/^#/, '').split('&').forEach(function (part) {
      if (!part) { return; }
      var eq = part.indexOf('=');
      var k = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
      var v = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
      if (k === 'desc') {
        s.desc = true;
      } else if (k === 'page') {
        s.page = Math.max(0, parseInt(v, 10) - 1 || 0);
      } else if (k in s) {
        s[k] = v;
      }
    });
    if (!byKey[s.sort]) { s.sort = 'q'; }
    if (!byKey[s.col] || !byKey[s.col].number) { s.col = 'q_sim'; }
    if (['all', 'scored', 'failed'].indexOf(s.status) < 0) { s.status = 'all'; }
    return s;
  }

  function writeHash() {
    var parts = [];
    var defaults = {sort: 'q', qmin: '', qmax: '', col: 'q_sim', cmin: '', cmax: '', status: 'all',
      text: '', map: ''};
    Object.keys(defaults).forEach(function (k) {
      if (state[k] !== defaults[k]) { parts.push(k + '=' + encodeURIComponent(state[k])); }
    });
    if (state.desc) { parts.push('desc'); }
    if (state.page > 0) { parts.push('page=' + (state.page + 1)); }
    history.replaceState(null, '', parts.length ? '#' + parts.join('&') : location.pathname + location.search);
  }

  function bound(text) {
    var v = parseFloat(text);
    return isFinite(v) ? v : null;
  }

  function visible(r) {
    if (state.status === 'scored' && r.e) { return false; }
    if (state.status === 'failed' && !r.e) { return false; }
    var qmin = bound(state.qmin);
    var qmax = bound(state.qmax);
    if ((qmin !== null || qmax !== null) && (r.q === undefined || r.q === null)) { return false; }
    if (qmin !== null && r.q < qmin) { return false; }
    if (qmax !== null && r.q > qmax) { return false; }
    var cmin = bound(state.cmin);
    var cmax = bound(state.cmax);
    if (cmin !== null || cmax !== null) {
      var v = byKey[state.col].get(r);
      if (v === undefined || v === null) { return false; }
      if (cmin !== null && v < cmin) { return false; }
      if (cmax !== null && v > cmax) { return false; }
    }
    if (state.text && r.n.toLowerCase().indexOf(state.text.toLowerCase()) < 0) { return false; }
    return true;
  }

  // Ascending puts missing values (failed images) first: worst first means them too.
  function order() {
    var col = byKey[state.sort];
    var sign = state.desc ? -1 : 1;
    var index = [];
    for (var i = 0; i < rows.length; i++) {
      if (visible(rows[i])) { index.push(i); }
    }
    index.sort(function (a, b) {
      var x = col.get(rows[a]);
      var y = col.get(rows[b]);
      var xm = x === undefined || x === null;
      var ym = y === undefined || y === null;
      var c;
      if (xm || ym) {
        c = xm && ym ? 0 : xm ? -1 : 1;
      } else if (col.number) {
        c = x - y;
      } else {
        c = x < y ? -1 : x > y ? 1 : 0;
      }
      if (c === 0) { c = rows[a].n < rows[b].n ? -1 : rows[a].n > rows[b].n ? 1 : a - b; }
      return sign * c;
    });
    return index;
  }

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = text; }
    if (cls) { e.className = cls; }
    return e;
  }

  function fmt(v) {
    return v === undefined || v === null ? '\u2014' : v.toFixed(4);
  }

  function buildFilters() {
    var form = document.getElementById('filters');
    function field(label, input) {
      var l = el('label', label + ' ');
      l.appendChild(input);
      form.appendChild(l);
      return input;
    }
    function numberInput(key, placeholder) {
      var i = el('input');
      i.type = 'number';
      i.step = 'any';
      i.name = key;
      i.placeholder = placeholder;
      i.value = state[key];
      i.addEventListener('input', function () { state[key] = i.value; state.page = 0; update(); });
      return i;
    }
    field('Q from', numberInput('qmin', 'lowest'));
    field('to', numberInput('qmax', 'highest'));
    var col = el('select');
    col.name = 'col';
    columns.forEach(function (c) {
      if (c.number && c.key !== 'q') {
        var o = el('option', c.label);
        o.value = c.key;
        col.appendChild(o);
      }
    });
    col.value = state.col;
    col.addEventListener('change', function () { state.col = col.value; state.page = 0; update(); });
    field('and', col);
    field('from', numberInput('cmin', 'lowest'));
    field('to', numberInput('cmax', 'highest'));
    var status = el('select');
    status.name = 'status';
    [['all', 'all images'], ['scored', 'scored only'], ['failed', 'failed only']].forEach(function (s) {
      var o = el('option', s[1]);
      o.value = s[0];
      status.appendChild(o);
    });
    status.value = state.status;
    status.addEventListener('change', function () { state.status = status.value; state.page = 0; update(); });
    field('show', status);
    var text = el('input');
    text.type = 'search';
    text.name = 'text';
    text.placeholder = 'part of the path';
    text.value = state.text;
    text.addEventListener('input', function () { state.text = text.value; state.page = 0; update(); });
    field('path', text);
    form.addEventListener('submit', function (e) { e.preventDefault(); });
  }

  function buildHead() {
    var tr = el('tr');
    tr.appendChild(el('th', 'image'));
    columns.forEach(function (c) {
      var th = el('th');
      th.dataset.key = c.key;
      var b = el('button', c.label);
      b.type = 'button';
      b.title = 'sort by ' + c.label;
      b.addEventListener('click', function () {
        if (state.sort === c.key) { state.desc = !state.desc; } else { state.sort = c.key; state.desc = false; }
        state.page = 0;
        update();
      });
      th.appendChild(b);
      tr.appendChild(th);
    });
    document.querySelector('#rows thead').appendChild(tr);
  }

  function thumbCell(r) {
    var td = el('td', null, 'thumb');
    if (r.t) {
      var img = el('img');
      img.alt = '';
      img.src = 'data:image/jpeg;base64,' + r.t;
      td.appendChild(img);
    } else {
      td.appendChild(el('span', r.tn, 'note'));
    }
    if (r.m && r.t) {
      var b = el('button', 'map', 'map');
      b.type = 'button';
      b.title = "each view's Q over the image";
      b.addEventListener('click', function () {
        state.map = toggleMap(td.parentNode, r) ? r.n : '';
        writeHash();
      });
      td.appendChild(b);
    }
    return td;
  }

  function renderRow(i) {
    var r = rows[i];
    var tr = el('tr', null, r.e ? 'failed' : '');
    tr.dataset.index = i;
    tr.appendChild(thumbCell(r));
    columns.forEach(function (c) {
      var td;
      if (c.key === 'size') {
        td = el('td', r.w === undefined ? '\u2014' : r.w + '\u00d7' + r.h, 'n');
      } else if (c.key === 'views') {
        td = el('td', String(r.v), 'n');
      } else if (c.number) {
        td = el('td', fmt(c.get(r)), 'n');
      } else {
        td = el('td', c.get(r), c.key);
      }
      td.dataset.key = c.key;
      tr.appendChild(td);
    });
    return tr;
  }

  // As ColourScale.rgb: linear between the anchors.
  function colour(p) {
    p = Math.max(0, Math.min(1, isFinite(p) ? p : 0)) * (SCALE.length - 1);
    var i = Math.min(Math.floor(p), SCALE.length - 2);
    var f = p - i;
    var c = [0, 1, 2].map(function (k) { return Math.round(SCALE[i][k] * (1 - f) + SCALE[i + 1][k] * f); });
    return 'rgb(' + c.join(',') + ')';
  }

  // The plugin's map: patch scores averaged over the cells between patch edges, uncovered
  // margins taking the value on their left, then above.
  function cells(m) {
    var xs = {0: 1}; xs[m.w] = 1;
    var ys = {0: 1}; ys[m.h] = 1;
    function clamp(v, limit) { return Math.max(0, Math.min(limit, v)); }
    m.b.forEach(function (b) {
      xs[clamp(b[0], m.w)] = 1; xs[clamp(b[0] + b[2], m.w)] = 1;
      ys[clamp(b[1], m.h)] = 1; ys[clamp(b[1] + b[3], m.h)] = 1;
    });
    function sorted(o) { return Object.keys(o).map(Number).sort(function (a, b) { return a - b; }); }
    var xe = sorted(xs);
    var ye = sorted(ys);
    var nc = xe.length - 1;
    var nr = ye.length - 1;
    var total = new Float64Array(nr * nc);
    var count = new Int32Array(nr * nc);
    m.b.forEach(function (b) {
      if (b[4] === null) { return; }
      var c0 = xe.indexOf(clamp(b[0], m.w)), c1 = xe.indexOf(clamp(b[0] + b[2], m.w));
      var r0 = ye.indexOf(clamp(b[1], m.h)), r1 = ye.indexOf(clamp(b[1] + b[3], m.h));
      for (var r = r0; r < r1; r++) {
        for (var c = c0; c < c1; c++) { total[r * nc + c] += b[4]; count[r * nc + c]++; }
      }
    });
    var v = [];
    for (var k = 0; k < nr * nc; k++) { v.push(count[k] ? total[k] / count[k] : NaN); }
    for (var r = 0; r < nr; r++) {
      for (var c = 1; c < nc; c++) { if (isNaN(v[r * nc + c])) { v[r * nc + c] = v[r * nc + c - 1]; } }
    }
    for (r = 1; r < nr; r++) {
      for (c = 0; c < nc; c++) { if (isNaN(v[r * nc + c])) { v[r * nc + c] = v[(r - 1) * nc + c]; } }
    }
    return {xe: xe, ye: ye, v: v};
  }

  // Opens the map below row tr, or closes it when open; true when it is open now.
  function toggleMap(tr, r) {
    var next = tr.nextSibling;
    if (next && next.classList.contains('maprow')) {
      next.parentNode.removeChild(next);
      return false;
    }
    var row = el('tr', null, 'maprow');
    var td = el('td');
    td.colSpan = columns.length + 1;
    var side = 320;
    var scale = side / Math.max(r.m.w, r.m.h);
    var canvas = el('canvas');
    canvas.width = Math.max(1, Math.round(r.m.w * scale));
    canvas.height = Math.max(1, Math.round(r.m.h * scale));
    var g = canvas.getContext('2d');
    var map = cells(r.m);
    var finite = map.v.filter(function (x) { return isFinite(x); });
    var lo = Math.min.apply(null, finite);
    var hi = Math.max.apply(null, finite);
    var span = hi > lo ? hi - lo : 1;
    var img = new Image();
    img.onload = function () {
      g.drawImage(img, 0, 0, canvas.width, canvas.height);
      g.globalAlpha = 0.55;
      var nc = map.xe.length - 1;
      for (var i = 0; i < map.v.length; i++) {
        var c = i % nc;
        var rr = (i - c) / nc;
        g.fillStyle = colour((map.v[i] - lo) / span);
        g.fillRect(map.xe[c] * scale, map.ye[rr] * scale,
          (map.xe[c + 1] - map.xe[c]) * scale, (map.ye[rr + 1] - map.ye[rr]) * scale);
      }
      g.globalAlpha = 1;
    };
    img.src = 'data:image/jpeg;base64,' + r.t;
    td.appendChild(canvas);
    var legend = el('div', null, 'legend');
    legend.appendChild(el('span', 'Q ' + fmt(lo)));
    var bar = el('span', null, 'bar');
    bar.style.background = 'linear-gradient(to right, ' + SCALE.map(function (c) {
      return 'rgb(' + c.join(',') + ')';
    }).join(', ') + ')';
    legend.appendChild(bar);
    legend.appendChild(el('span', fmt(hi)));
    legend.appendChild(el('span', ' (' + r.m.b.length + ' patch views; the global view left out)', 'note'));
    td.appendChild(legend);
    row.appendChild(td);
    tr.parentNode.insertBefore(row, tr.nextSibling);
    return true;
  }

  function update() {
    var index = order();
    var pages = Math.max(1, Math.ceil(index.length / PAGE));
    state.page = Math.min(state.page, pages - 1);
    var start = state.page * PAGE;
    var end = Math.min(index.length, start + PAGE);
    var body = document.querySelector('#rows tbody');
    var fresh = el('tbody');
    for (var k = start; k < end; k++) { fresh.appendChild(renderRow(index[k])); }
    body.parentNode.replaceChild(fresh, body);
    if (state.map) {
      fresh.querySelectorAll('tr').forEach(function (tr) {
        var r = rows[tr.dataset.index];
        if (r.n === state.map && r.m && r.t) { toggleMap(tr, r); }
      });
    }
    document.querySelectorAll('#rows th').forEach(function (th) {
      var key = th.dataset.key;
      if (key === state.sort) {
        th.setAttribute('aria-sort', state.desc ? 'descending' : 'ascending');
      } else {
        th.removeAttribute('aria-sort');
      }
    });
    var hidden = rows.length - index.length;
    document.getElementById('status').textContent = (index.length === 0
      ? 'No image matches.'
      : 'Images ' + (start + 1) + '\u2013' + end + ' of ' + index.length)
      + (hidden ? ' (' + hidden + ' hidden by the filters)' : '')
      + ', sorted by ' + byKey[state.sort].label + (state.desc ? ', highest first.' : ', lowest first.');
    var pager = document.getElementById('pager');
    pager.textContent = '';
    if (pages > 1) {
      var prev = el('button', '\u2039 previous');
      prev.type = 'button';
      prev.disabled = state.page === 0;
      prev.addEventListener('click', function () { state.page--; update(); });
      var next = el('button', 'next \u203a');
      next.type = 'button';
      next.disabled = state.page >= pages - 1;
      next.addEventListener('click', function () { state.page++; update(); });
      pager.appendChild(prev);
      pager.appendChild(el('span', ' page ' + (state.page + 1) + ' of ' + pages + ' '));
      pager.appendChild(next);
    }
    writeHash();
  }

  buildFilters();
  buildHead();
  update();
  window.addEventListener('hashchange', function () {
    state = readHash();
    document.getElementById('filters').textContent = '';
    buildFilters();
    update();
  });
  // Milliseconds from the start of loading until the first rows are listed (benchmarks read it).
  document.body.dataset.readyMs = String(Math.round(performance.now()));
  document.body.dataset.ready = 'true';
}());
