/*
 * dmarcd dashboard: a single-page app over the JSON API (api/v1/).
 * Every string from a report is written by a stranger: it reaches the page
 * only through textContent, createTextNode or setAttribute on inert
 * attributes, never as HTML. The filters live in the URL hash, so a view
 * can be bookmarked and shared. Every URL is relative: the dashboard works
 * under any sub-path behind a reverse proxy.
 */
'use strict';

(function () {
  const FILTER_KEYS = ['domain', 'from', 'to', 'days', 'reporter', 'result', 'source', 'service', 'asn', 'country'];
  /* The names filters, shown as chips in the filter bar (a click on a group row sets one). */
  const NAME_FILTERS = { service: 'Service', asn: 'AS', country: 'Country' };
  /* The groups of the sources page: the query's group value, its button, its first column. */
  const GROUPS = [
    { key: 'ip', label: 'By IP', column: 'Source IP' },
    { key: 'prefix', label: 'By /24 · /48', column: 'Network' },
    { key: 'service', label: 'By service', column: 'Service' },
    { key: 'asn', label: 'By network owner', column: 'Network owner' },
    { key: 'country', label: 'By country', column: 'Country' },
  ];
  const DEFAULT_DAYS = '30';
  const PAGE_SIZE = 50;
  const SVG = 'http://www.w3.org/2000/svg';

  const nf = new Intl.NumberFormat('en-US');
  const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

  let renderToken = 0;
  const knownDomains = new Set();
  let reportersLoaded = false;

  /* ---- DOM helpers: text only ---- */

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = String(v);
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, String(v));
    }
    append(e, children);
    return e;
  }

  function append(parent, children) {
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      parent.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return parent;
  }

  function svg(tag, attrs, ...children) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'text') e.textContent = String(v);
      else e.setAttribute(k, String(v));
    }
    for (const c of children) if (c) e.append(c);
    return e;
  }

  /* ---- formatting ---- */

  const num = (v) => (v === null || v === undefined ? '—' : nf.format(v));
  const pct = (r) => (r === null || r === undefined || !isFinite(r) ? '—' : (r * 100).toFixed(1) + '%');
  const rate = (part, whole) => (whole > 0 ? part / whole : null);
  /* A list cell: the first item, the others counted (all of them in the tooltip). */
  function shortList(s) {
    const items = s ? String(s).split(',') : [];
    const td = el('td', { class: 'list', title: items.length > 1 ? items.join(', ') : null });
    if (!items.length) return append(td, ['—']);
    return append(td, [items[0], items.length > 1 ? el('span', { class: 'more', text: ' +' + (items.length - 1) }) : null]);
  }
  /* First and last seen as "03-02 – 03-31" (years in the tooltip, or shown when they differ). */
  function seen(first, last) {
    if (!first) return el('td', { text: '—' });
    const sameYear = last && first.slice(0, 4) === last.slice(0, 4);
    const text = !last || first === last ? first.slice(5)
      : sameYear ? first.slice(5) + ' – ' + last.slice(5) : first + ' – ' + last;
    return el('td', { class: 'nowrap small', title: first + ' – ' + (last || first) }, text);
  }
  const when = (t) => (t ? String(t).replace('T', ' ').replace(/:00Z$|Z$/, '') : '—');

  function rateClass(r) {
    if (r === null || r === undefined || !isFinite(r)) return 'rate-na';
    return 'rate-' + Math.max(0, Math.min(10, Math.floor(r * 10)));
  }

  /* A number cell; data-value keeps the exact figure for tests and copy. */
  function numCell(v, cls) {
    return el('td', { class: 'num' + (cls ? ' ' + cls : ''), 'data-value': v ?? '' }, num(v));
  }

  function rateCell(r, title) {
    const bar = el('span', { class: 'bar' }, el('span', { class: 'fill ' + rateClass(r) }));
    if (r !== null && r !== undefined && isFinite(r)) bar.firstChild.style.width = (r * 100).toFixed(1) + '%';
    return el('td', { class: 'num rate ' + rateClass(r), 'data-value': r ?? '', title: title || null },
      el('span', { class: 'ratetext' }, pct(r)), bar);
  }

  /* ---- the URL: #/page[/id]?filters ---- */

  function parseHash() {
    const h = location.hash.replace(/^#/, '') || '/overview';
    const q = h.indexOf('?');
    const path = q >= 0 ? h.slice(0, q) : h;
    const params = new URLSearchParams(q >= 0 ? h.slice(q + 1) : '');
    const parts = path.split('/').filter(Boolean);
    return { page: parts[0] || 'overview', id: parts[1] ? decodeURIComponent(parts[1]) : null, params };
  }

  function hashFor(page, id, params) {
    const qs = params.toString();
    return '#/' + page + (id ? '/' + encodeURIComponent(id) : '') + (qs ? '?' + qs : '');
  }

  /* The filters of the current URL only (no paging, sorting, status). */
  function filterParams(params) {
    const p = new URLSearchParams();
    for (const k of FILTER_KEYS) if (params.get(k)) p.set(k, params.get(k));
    return p;
  }

  function withParams(params, changes) {
    const p = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v === null || v === undefined || v === '') p.delete(k);
      else p.set(k, v);
    }
    return p;
  }

  /* The API's query for the URL's filters: days defaults to 30, days=all means no window. */
  function apiQuery(params, extra) {
    const p = new URLSearchParams();
    for (const k of ['domain', 'reporter', 'result', 'source', 'service', 'asn', 'country']) if (params.get(k)) p.set(k, params.get(k));
    const days = params.get('days');
    if (params.get('from')) p.set('from', params.get('from'));
    else if (days !== 'all') p.set('days', days || DEFAULT_DAYS);
    if (params.get('to') && days !== 'all') p.set('to', params.get('to'));
    for (const [k, v] of Object.entries(extra || {})) if (v !== null && v !== undefined && v !== '') p.set(k, v);
    return p;
  }

  /* The same window as a dmarcd export (domain and dates only). */
  function exportQuery(params) {
    const p = apiQuery(params);
    for (const k of ['reporter', 'result', 'source', 'service', 'asn', 'country']) p.delete(k);
    return p;
  }

  async function api(path, query) {
    const url = 'api/v1/' + path + (query && query.toString() ? '?' + query.toString() : '');
    let res;
    try {
      res = await fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    } catch (err) {
      throw new Error('cannot reach the dmarcd server (' + err.message + ')');
    }
    let body = null;
    try { body = await res.json(); } catch (err) { body = null; }
    if (!res.ok) {
      const e = new Error(body && body.error ? body.error : 'HTTP ' + res.status);
      e.status = res.status;
      throw e;
    }
    return body;
  }

  /* ---- page furniture ---- */

  function pageHead(title, subtitle, ...actions) {
    return el('div', { class: 'pagehead' },
      el('div', {}, el('h1', { text: title }), subtitle ? el('p', { class: 'sub', text: subtitle }) : null),
      el('div', { class: 'actions' }, actions));
  }

  function csvLink(href, label, title) {
    return el('a', { class: 'button', href, download: '', title: title || null }, label || 'CSV');
  }

  function periodText(data) {
    if (!data || (!data.from && !data.to)) return 'All time';
    if (data.from && data.to) return data.from + ' – ' + data.to + ' (UTC)';
    return data.from ? 'from ' + data.from : 'until ' + data.to;
  }

  function empty(title, ...lines) {
    return el('div', { class: 'empty', 'data-empty': '' }, el('h2', { text: title }), lines.map((l) => el('p', {}, l)));
  }

  function code(t) { return el('code', { text: t }); }

  function errorBox(err) {
    return el('div', { class: 'error', role: 'alert' }, el('strong', { text: 'Could not load this view. ' }),
      String(err.message || err));
  }

  /* A table with optional server-side sorting on its headers. */
  function table(columns, rows, opts) {
    opts = opts || {};
    const thead = el('tr', {}, columns.map((c) => {
      const th = el('th', { class: c.num ? 'num' : null, scope: 'col', title: c.title || null });
      if (c.sort && opts.onSort) {
        const active = opts.sort === c.sort;
        const arrow = active ? (opts.dir === 'asc' ? ' ▲' : ' ▼') : '';
        th.append(el('button', { type: 'button', class: 'sort' + (active ? ' active' : ''),
          onclick: () => opts.onSort(c.sort) }, c.label + arrow));
        if (active) th.setAttribute('aria-sort', opts.dir === 'asc' ? 'ascending' : 'descending');
      } else th.textContent = c.label;
      return th;
    }));
    const tbody = el('tbody', {}, rows.map((r) => {
      const tr = el('tr', {}, columns.map((c) => {
        const v = c.cell(r);
        return v instanceof Node && v.tagName === 'TD' ? v : el('td', { class: c.num ? 'num' : null }, v);
      }));
      if (opts.rowAttrs) for (const [k, v] of Object.entries(opts.rowAttrs(r))) tr.setAttribute(k, v);
      return tr;
    }));
    return el('div', { class: 'tablewrap' }, el('table', { class: opts.cls || null }, el('thead', {}, thead), tbody));
  }

  function pager(total, offset, limit, go) {
    if (total <= limit && offset === 0) return el('p', { class: 'pager', text: num(total) + (total === 1 ? ' row' : ' rows') });
    const last = Math.min(offset + limit, total);
    return el('div', { class: 'pager' },
      el('button', { type: 'button', disabled: offset === 0 ? '' : null, onclick: () => go(Math.max(0, offset - limit)) }, '← Previous'),
      el('span', { text: num(total ? offset + 1 : 0) + '–' + num(last) + ' of ' + num(total) }),
      el('button', { type: 'button', disabled: last >= total ? '' : null, onclick: () => go(offset + limit) }, 'Next →'));
  }

  function link(text, page, id, params, cls) {
    return el('a', { href: hashFor(page, id, params || new URLSearchParams()), class: cls || null }, text);
  }

  function badge(text, kind) {
    return el('span', { class: 'badge ' + (kind || '') }, text);
  }

  function policyBadges(r) {
    const out = [];
    if (r.p) out.push(badge('p=' + r.p, 'p-' + r.p));
    if (r.sp && r.sp !== r.p) out.push(badge('sp=' + r.sp, 'p-' + r.sp));
    if (r.pct !== null && r.pct !== undefined && r.pct !== 100) out.push(badge('pct=' + r.pct, 'warn'));
    if (r.testing === 'y') out.push(badge('testing', 'warn'));
    return out.length ? el('span', { class: 'badges' }, out) : '—';
  }

  function resultBadge(v) {
    if (v === 'pass' || v === 1) return badge('pass', 'ok');
    if (v === 'fail' || v === 0) return badge('fail', 'bad');
    return v === null || v === undefined || v === '' ? '—' : badge(String(v), '');
  }

  function dispositionBadge(v) {
    if (!v) return '—';
    return badge(v, v === 'reject' ? 'bad' : v === 'quarantine' ? 'warn' : '');
  }

  function statusBadge(v) {
    const kinds = { stored: 'ok', duplicate: '', partial: 'warn', refused: 'bad', pending: '' };
    return badge(v, kinds[v] ?? '');
  }

  /* ---- the overview ---- */

  function trend(cur, prev, pp) {
    if (prev === null || prev === undefined) return el('span', { class: 'trend none', text: '—' });
    if (pp) {
      const d = (cur - prev) * 100;
      const cls = Math.abs(d) < 0.05 ? 'flat' : d > 0 ? 'up good' : 'down bad';
      return el('span', { class: 'trend ' + cls, title: 'previous period: ' + pct(prev) },
        (d > 0 ? '▲ +' : d < 0 ? '▼ ' : '') + d.toFixed(1) + ' pp');
    }
    if (prev === 0) return el('span', { class: 'trend flat', text: cur > 0 ? 'new' : '—' });
    const d = (cur - prev) / prev * 100;
    const cls = Math.abs(d) < 0.05 ? 'flat' : d > 0 ? 'up' : 'down';
    return el('span', { class: 'trend ' + cls, title: 'previous period: ' + num(prev) },
      (d > 0 ? '▲ +' : d < 0 ? '▼ ' : '') + d.toFixed(1) + '%');
  }

  function kpi(name, label, value, text, sub) {
    return el('div', { class: 'kpi', 'data-kpi': name },
      el('div', { class: 'label', text: label }),
      el('div', { class: 'value', 'data-value': value ?? '', text }),
      el('div', { class: 'kpisub' }, sub));
  }

  function totals(domains) {
    const t = { messages: 0, pass: 0, dkim: 0, spf: 0, prevMessages: null, prevPass: 0 };
    for (const d of domains) {
      t.messages += d.messages || 0;
      t.pass += d.dmarc_pass || 0;
      t.dkim += d.dkim_aligned || 0;
      t.spf += d.spf_aligned || 0;
      if (d.prev_messages !== null && d.prev_messages !== undefined) {
        t.prevMessages = (t.prevMessages || 0) + d.prev_messages;
        t.prevPass += (d.prev_pass_rate || 0) * d.prev_messages;
      }
    }
    return t;
  }

  function dayNumber(s) { return Math.round(Date.parse(s + 'T00:00:00Z') / 86400000); }
  function dayText(n) { return new Date(n * 86400000).toISOString().slice(0, 10); }

  /* The axis top: four gridline steps of 1, 2, 2.5 or 5 times a power of ten. */
  function niceMax(v) {
    if (v <= 0) return 4;
    const raw = v / 4, p = Math.pow(10, Math.floor(Math.log10(raw)));
    for (const m of [1, 2, 2.5, 5, 10]) if (raw <= m * p) return 4 * m * p;
    return 40 * p;
  }

  /* Daily volume stacked pass/fail, with the pass-rate line on the right axis. */
  function chart(data) {
    const rows = data.daily || [];
    if (!rows.length) return null;
    const byDay = new Map(rows.map((r) => [r.day, r]));
    let first = data.from ? dayNumber(data.from) : dayNumber(rows[0].day);
    let last = data.to ? dayNumber(data.to) : dayNumber(rows[rows.length - 1].day);
    if (last - first > 3700) first = last - 3700;
    const n = last - first + 1;
    const narrow = window.innerWidth < 720;
    const W = narrow ? 480 : 860, H = narrow ? 240 : 260, L = 46, R = 40, T = 14, B = 30;
    const pw = W - L - R, ph = H - T - B;
    const max = niceMax(Math.max(...rows.map((r) => r.messages)));
    const band = pw / n;
    const bw = Math.max(1, band * (n > 120 ? 0.9 : 0.72));
    const y = (v) => T + ph - (v / max) * ph;
    const g = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img',
      'aria-label': 'Daily messages, DMARC pass and fail, and the pass rate' });
    for (let i = 0; i <= 4; i++) {
      const v = (max / 4) * i, yy = y(v);
      g.append(svg('line', { x1: L, x2: W - R, y1: yy, y2: yy, class: 'grid' }));
      g.append(svg('text', { x: L - 6, y: yy + 4, class: 'axis', 'text-anchor': 'end', text: compact.format(v) }));
      g.append(svg('text', { x: W - R + 6, y: T + ph - (ph / 4) * i + 4, class: 'axis', text: (25 * i) + '%' }));
    }
    const step = Math.max(1, Math.ceil(n / (narrow ? 5 : 8)));
    const lines = [[]];
    for (let i = 0; i < n; i++) {
      const day = dayText(first + i), r = byDay.get(day);
      const x = L + i * band + (band - bw) / 2;
      if (i % step === 0)
        g.append(svg('text', { x: L + i * band + band / 2, y: H - 10, class: 'axis', 'text-anchor': 'middle', text: day.slice(5) }));
      if (!r) {
        if (lines[lines.length - 1].length) lines.push([]);
        continue;
      }
      const grp = svg('g', { class: 'day', 'data-day': day });
      grp.append(svg('title', { text: `${day}: ${num(r.messages)} messages, ${num(r.dmarc_pass)} pass, ${num(r.dmarc_fail)} fail (${pct(r.pass_rate)} pass)` }));
      grp.append(svg('rect', { x: L + i * band, y: T, width: band, height: ph, class: 'hover' }));
      const hp = (r.dmarc_pass / max) * ph, hf = (r.dmarc_fail / max) * ph;
      grp.append(svg('rect', { x, y: T + ph - hp, width: bw, height: Math.max(0, hp), class: 'pass' }));
      grp.append(svg('rect', { x, y: T + ph - hp - hf, width: bw, height: Math.max(0, hf), class: 'fail' }));
      g.append(grp);
      if (r.pass_rate !== null && r.pass_rate !== undefined)
        lines[lines.length - 1].push([L + i * band + band / 2, T + ph - r.pass_rate * ph]);
    }
    /* The pass-rate line breaks on days without reports. */
    for (const pts of lines)
      if (pts.length > 1)
        g.append(svg('polyline', { points: pts.map((p) => p[0].toFixed(1) + ',' + p[1].toFixed(1)).join(' '), class: 'rateline' }));
    if (n <= 62)
      for (const p of lines.flat()) g.append(svg('circle', { cx: p[0].toFixed(1), cy: p[1].toFixed(1), r: 2.5, class: 'ratedot' }));
    g.append(svg('line', { x1: L, x2: W - R, y1: T + ph, y2: T + ph, class: 'baseline' }));
    return el('figure', { class: 'card chartcard' },
      el('figcaption', {}, el('h2', { text: 'Daily volume' }),
        el('span', { class: 'legend' },
          el('span', { class: 'swatch pass' }), 'DMARC pass',
          el('span', { class: 'swatch fail' }), 'DMARC fail',
          el('span', { class: 'swatch line' }), 'pass rate (right axis)')),
      g);
  }

  async function nothingIngested() {
    try {
      const d = await api('inputs', new URLSearchParams({ limit: '1' }));
      return d.total === 0;
    } catch (err) { return false; }
  }

  async function emptyOverview(params) {
    if (await nothingIngested())
      return empty('No reports yet',
        ['Publish a DMARC record whose ', code('rua=mailto:'), ' address is a mailbox you can read, e.g. ',
          code('_dmarc.example.com TXT "v=DMARC1; p=none; rua=mailto:dmarc@example.com"'), '.'],
        ['Then feed the reports to dmarcd: ', code('dmarcd ingest ~/Maildir/.dmarc'), ' (files, directories, Maildirs) or ',
          code('dmarcd poll'), ' (IMAP). Reports arrive about once a day per receiver.'],
        ['To look around first, run ', code('scripts/demo.sh'), ': it fills a database with a month of generated reports.']);
    const all = withParams(params, { days: 'all', from: null, to: null });
    return empty('No reports in this period',
      'Reports are stored, but none matches these filters.',
      [link('Show all time', 'overview', null, all, 'button'), ' or clear the filters above.']);
  }

  async function renderOverview(route, token) {
    const data = await api('overview', apiQuery(route.params));
    if (token !== renderToken) return null;
    for (const d of data.domains) knownDomains.add(d.policy_domain);
    refreshDomainList();
    const head = pageHead('Overview', periodText(data),
      csvLink('api/v1/export/domains.csv?' + exportQuery(route.params), 'Export CSV', 'the domains export, as dmarcd export domains'));
    if (!data.domains.length) return [head, await emptyOverview(route.params)];
    const t = totals(data.domains);
    const prevRate = t.prevMessages ? t.prevPass / t.prevMessages : null;
    const passRate = rate(t.pass, t.messages);
    const cards = el('section', { class: 'kpis' },
      kpi('messages', 'Messages', t.messages, num(t.messages), trend(t.messages, t.prevMessages, false)),
      kpi('pass_rate', 'DMARC pass', passRate, pct(passRate), trend(passRate, prevRate, true)),
      kpi('dkim_rate', 'DKIM aligned', rate(t.dkim, t.messages), pct(rate(t.dkim, t.messages)), num(t.dkim) + ' messages'),
      kpi('spf_rate', 'SPF aligned', rate(t.spf, t.messages), pct(rate(t.spf, t.messages)), num(t.spf) + ' messages'),
      kpi('fail', 'DMARC fail', t.messages - t.pass, num(t.messages - t.pass), 'messages failing DMARC'));
    const fp = filterParams(route.params);
    const cols = [
      { label: 'Policy domain', cell: (r) => el('td', { class: 'domain' },
        link(r.policy_domain, 'overview', null, withParams(fp, { domain: r.policy_domain }), 'strong')) },
      { label: 'Messages', num: true, cell: (r) => numCell(r.messages) },
      { label: 'DMARC pass', num: true, cell: (r) => rateCell(r.pass_rate, num(r.dmarc_pass) + ' messages pass') },
      { label: 'DKIM aligned', num: true, cell: (r) => rateCell(r.dkim_rate, num(r.dkim_aligned) + ' messages') },
      { label: 'SPF aligned', num: true, cell: (r) => rateCell(r.spf_rate, num(r.spf_aligned) + ' messages') },
      { label: 'Published policy', cell: (r) => el('td', {}, policyBadges(r)) },
      { label: 'Readiness', title: 'is the domain ready for a stricter policy?', cell: (r) => el('td', {},
        link('Advisor', 'advisor', null, new URLSearchParams({ domain: r.policy_domain }), 'advisor-link')) },
      { label: 'Quarantined', num: true, cell: (r) => numCell(r.disposition_quarantine) },
      { label: 'Rejected', num: true, cell: (r) => numCell(r.disposition_reject) },
      { label: 'Sources', num: true, cell: (r) => el('td', { class: 'num', 'data-value': r.sources },
        link(num(r.sources), 'sources', null, withParams(fp, { domain: r.policy_domain }))) },
      { label: 'vs previous period', cell: (r) => el('td', { class: 'trends' },
        r.prev_messages === null || r.prev_messages === undefined ? el('span', { class: 'trend none', text: '—' })
          : [trend(r.messages, r.prev_messages, false), ' ', trend(r.pass_rate, r.prev_pass_rate, true)]) },
    ];
    return [head, cards, chart(data),
      el('section', { class: 'card' }, el('h2', { text: 'Policy domains' }),
        table(cols, data.domains, { cls: 'domains', rowAttrs: (r) => ({ 'data-domain': r.policy_domain }) }))];
  }

  /* ---- sources and records ---- */

  function sortHandler(route, page, defaultSort) {
    return (col) => {
      const cur = route.params.get('sort') || defaultSort;
      const dir = cur === col && (route.params.get('dir') || 'desc') === 'desc' ? 'asc' : 'desc';
      location.hash = hashFor(page, route.id, withParams(route.params, { sort: col, dir, offset: null }));
    };
  }

  function pageHandler(route, page) {
    return (offset) => { location.hash = hashFor(page, route.id, withParams(route.params, { offset: offset || null })); };
  }

  function listExtra(route, extra) {
    return Object.assign({
      sort: route.params.get('sort'), dir: route.params.get('dir'),
      offset: route.params.get('offset'), limit: String(PAGE_SIZE),
    }, extra || {});
  }

  function viewCsv(name, route, extra) {
    const q = apiQuery(route.params, Object.assign({ sort: route.params.get('sort'), dir: route.params.get('dir'),
      limit: '500', offset: route.params.get('offset') }, extra || {}));
    return csvLink('api/v1/' + name + '.csv?' + q, 'CSV (this view)', 'up to 500 rows of this table with every filter');
  }

  /* The service a source matched: its name, its category as a small tag (text only: the names are a stranger's). */
  function serviceText(r) {
    if (!r.service_name) return null;
    return el('span', { class: 'service', title: r.evidence ? 'matched by ' + r.evidence : null },
      r.service_name, r.category ? el('span', { class: 'tag', text: r.category }) : null);
  }

  /* "AS15169 Google LLC" */
  function asText(asn, org) {
    if (asn === null || asn === undefined) return '';
    return 'AS' + asn + (org ? ' ' + org : '');
  }

  /* The names of an address or a network: service and host name; network owner and country. */
  function senderCell(r) {
    const host = r.host ? el('div', { class: 'mono small host', text: r.host })
      : r.ptr && r.dns_status ? el('div', { class: 'muted small', text: 'PTR ' + r.dns_status, title: r.ptr }) : null;
    const service = serviceText(r);
    if (!service && !host) return el('td', { class: 'muted', text: '—' });
    return el('td', { class: 'wrap sender' }, service, host);
  }

  function ownerCell(r) {
    const as = asText(r.asn, r.as_org);
    if (!as && !r.country) return el('td', { class: 'muted', text: '—' });
    return el('td', { class: 'wrap small owner' }, as, r.country ? el('span', { class: 'tag country', text: r.country }) : null);
  }

  /* The first cell of a row grouped by service, AS or country: a click filters the sources by it. */
  function groupCell(r, group, fp) {
    if (r.source === '') return el('td', { class: 'muted', text: 'not named' });
    const label = group === 'service' ? (r.service_name || r.source)
      : group === 'asn' ? asText(r.source, r.as_org) : r.source;
    const a = link(label, 'sources', null, withParams(fp, { [group]: r.source, domain: r.policy_domain }));
    a.classList.add('group-link');
    return el('td', { class: 'wrap' }, a, group === 'service' && r.category ? el('span', { class: 'tag', text: r.category }) : null);
  }

  async function renderSources(route, token) {
    const asked = route.params.get('group');
    const group = GROUPS.some((g) => g.key === asked) ? asked : 'ip';
    const named = group === 'service' || group === 'asn' || group === 'country';
    const data = await api('sources', apiQuery(route.params, listExtra(route, { group })));
    if (token !== renderToken) return null;
    const fp = filterParams(route.params);
    const toggle = el('div', { class: 'segmented', role: 'group', 'aria-label': 'Group by' },
      GROUPS.map((g) => el('a', {
        class: g.key === group ? 'active' : null, 'aria-current': g.key === group ? 'true' : null,
        'data-group': g.key,
        href: hashFor('sources', null, withParams(route.params, { group: g.key === 'ip' ? null : g.key, offset: null, sort: null, dir: null })),
      }, g.label)));
    const head = pageHead('Sources', periodText(data) + ' · who sends mail as your domains', toggle,
      viewCsv('sources', route, { group }),
      csvLink('api/v1/export/sources.csv?' + exportQuery(route.params), 'Export CSV', 'as dmarcd export sources'));
    // A sort other than by messages orders only the sort_scope sources with the most messages.
    const scope = data.sort_scope ?? null;
    const noun = group === 'ip' ? 'sources' : group === 'prefix' ? 'networks' : 'groups';
    const scopeNote = scope === null ? null : el('p', { class: 'hint scope' }, scope > 0
      ? 'Sorted within the ' + num(scope) + ' ' + noun + ' with the most messages only. Sort by Messages, largest first, to page through them all.'
      : 'This sort orders only ' + noun + ' with 10 messages or more, and none has that many here. Sort by Messages to page through them all.');
    if (!data.rows.length)
      return [head, scopeNote ? el('section', { class: 'card' }, scopeNote)
        : empty('No sources', 'No mail was reported for these filters. Widen the period or clear the filters.')];
    const first = GROUPS.find((g) => g.key === group).column;
    const cols = named ? [{ label: first, sort: 'source', cell: (r) => groupCell(r, group, fp) }] : [
      { label: first, sort: 'source', cell: (r) => el('td', { class: 'mono' },
        r.source ? link(r.source, 'records', null, withParams(fp, { source: r.source, domain: r.policy_domain }))
          : el('span', { class: 'muted', text: '(invalid address)' })) },
      { label: 'Sender', title: 'the service it matched, and its host name (reverse DNS, confirmed)', cell: senderCell },
      { label: 'Network owner', title: 'autonomous system and country', cell: ownerCell },
    ];
    cols.push(
      { label: 'Policy domain', sort: 'policy_domain', cell: (r) => r.policy_domain },
      { label: 'Messages', num: true, sort: 'messages', cell: (r) => numCell(r.messages) },
      { label: 'DMARC pass', num: true, sort: 'pass_rate', cell: (r) => rateCell(r.pass_rate, num(r.dmarc_pass) + ' pass') },
      { label: 'DKIM', num: true, sort: 'dkim_aligned', title: 'DKIM aligned', cell: (r) => rateCell(rate(r.dkim_aligned, r.messages), num(r.dkim_aligned) + ' aligned') },
      { label: 'SPF', num: true, sort: 'spf_aligned', title: 'SPF aligned', cell: (r) => rateCell(rate(r.spf_aligned, r.messages), num(r.spf_aligned) + ' aligned') },
      { label: 'None / Quar. / Reject', num: true, title: 'messages per applied disposition',
        cell: (r) => el('td', { class: 'num small' }, num(r.disposition_none) + ' / ' + num(r.disposition_quarantine) + ' / ' + num(r.disposition_reject)) },
      { label: 'Header From', cell: (r) => shortList(r.header_from) },
      { label: 'Reporters', cell: (r) => shortList(r.reporters) },
      { label: 'Seen', sort: 'last_seen', title: 'first and last day with reports', cell: (r) => seen(r.first_seen, r.last_seen) });
    return [head, el('section', { class: 'card' },
      el('p', { class: 'hint' }, named
        ? 'Colour shows the DMARC pass rate. Select a row to see its sources; "not named" holds every address without a name.'
        : 'Colour shows the DMARC pass rate. Select a source to see the records behind it.'),
      scopeNote,
      table(cols, data.rows, { cls: 'sources', sort: route.params.get('sort') || 'messages', dir: route.params.get('dir') || 'desc',
        onSort: sortHandler(route, 'sources', 'messages'), rowAttrs: (r) => ({ 'data-source': r.source }) }),
      pager(scope === null ? data.total : Math.min(data.total, scope), data.offset, data.limit, pageHandler(route, 'sources')))];
  }

  function recordColumns(withReport) {
    const cols = [];
    if (withReport)
      cols.push({ label: 'Report', cell: (r) => el('td', { class: 'wrap' }, link(r.org_name, 'report', String(r.report), null),
        el('div', { class: 'muted small', text: when(r.begin) })) });
    cols.push(
      { label: 'Source IP', cell: (r) => el('td', { class: 'mono' }, r.source_ip || '(invalid)') },
      { label: 'Sender', cell: (r) => el('td', { class: 'wrap small sender' }, r.service_name || (r.host ? null : '—'),
        r.host ? el('div', { class: 'mono host', text: r.host }) : null) },
      { label: 'Network owner', cell: (r) => el('td', { class: 'wrap small' }, asText(r.asn, r.as_org) || '—',
        r.country ? el('span', { class: 'tag country', text: r.country }) : null) },
      { label: 'Count', num: true, cell: (r) => numCell(r.count) },
      { label: 'Disposition', cell: (r) => el('td', {}, dispositionBadge(r.disposition)) },
      { label: 'DMARC', cell: (r) => el('td', {}, resultBadge(r.dmarc_pass)) },
      { label: 'DKIM', title: 'policy_evaluated DKIM (aligned)', cell: (r) => el('td', {}, resultBadge(r.dkim_aligned)) },
      { label: 'SPF', title: 'policy_evaluated SPF (aligned)', cell: (r) => el('td', {}, resultBadge(r.spf_aligned)) },
      { label: 'Header From', cell: (r) => el('td', { class: 'wrap' }, r.header_from || '—') },
      { label: 'Envelope From', cell: (r) => el('td', { class: 'wrap' }, r.envelope_from || '—') },
      { label: 'DKIM results', cell: (r) => el('td', { class: 'wrap mono small' }, r.dkim_results || '—') },
      { label: 'SPF results', cell: (r) => el('td', { class: 'wrap mono small' }, r.spf_results || '—') },
      { label: 'Overrides', cell: (r) => el('td', { class: 'wrap small' }, r.reasons || '—') });
    return cols;
  }

  async function renderRecords(route, token) {
    const data = await api('records', apiQuery(route.params, listExtra(route)));
    if (token !== renderToken) return null;
    const what = route.params.get('source') ? 'from ' + route.params.get('source') : 'every record';
    const head = pageHead('Records', periodText(data) + ' · ' + what,
      link('← Sources', 'sources', null, withParams(filterParams(route.params), { source: null }), 'button'),
      viewCsv('records', route));
    if (!data.rows.length) return [head, empty('No records', 'No record matches these filters.')];
    return [head, el('section', { class: 'card' },
      table(recordColumns(true), data.rows, { cls: 'records' }),
      pager(data.total, data.offset, data.limit, pageHandler(route, 'records')))];
  }

  /* ---- reports ---- */

  async function renderReports(route, token) {
    const data = await api('reports', apiQuery(route.params, listExtra(route)));
    if (token !== renderToken) return null;
    const head = pageHead('Reports', periodText(data) + ' · aggregate (rua) reports received',
      viewCsv('reports', route),
      csvLink('api/v1/export/reports.csv?' + exportQuery(route.params), 'Export CSV', 'as dmarcd export reports'));
    if (!data.rows.length)
      return [head, (await nothingIngested())
        ? empty('No reports yet', ['Run ', code('dmarcd ingest PATH'), ' on the mailbox that receives your rua= reports, or ', code('dmarcd poll'), ' for IMAP.'])
        : empty('No reports in this period', 'Widen the period or clear the filters.')];
    const cols = [
      { label: 'Begin', sort: 'begin', cell: (r) => el('td', { class: 'nowrap' }, when(r.begin)) },
      { label: 'Reporter', sort: 'org_name', cell: (r) => el('td', { class: 'wrap' }, link(r.org_name, 'report', String(r.id), null, 'strong')) },
      { label: 'Policy domain', sort: 'policy_domain', cell: (r) => el('td', { class: 'wrap' }, r.policy_domain) },
      { label: 'Report ID', cell: (r) => el('td', { class: 'mono small wrap' }, r.report_id) },
      { label: 'Records', num: true, sort: 'records', cell: (r) => numCell(r.records) },
      { label: 'Messages', num: true, sort: 'messages', cell: (r) => numCell(r.messages) },
      { label: 'DMARC pass', num: true, sort: 'pass_rate', cell: (r) => rateCell(r.pass_rate, num(r.dmarc_pass) + ' pass') },
      { label: 'p', cell: (r) => el('td', {}, r.p ? badge(r.p, 'p-' + r.p) : '—') },
      { label: 'Format', cell: (r) => el('td', { class: 'small' }, r.dialect) },
      { label: 'Warnings', cell: (r) => el('td', { class: 'small wrap' },
        r.suspect ? el('span', { class: 'badge bad', title: r.suspect, text: 'possibly forged' }) : null,
        r.suspect && r.flags ? ' ' : null, r.flags ? String(r.flags) : '') },
    ];
    return [head, el('section', { class: 'card' },
      table(cols, data.rows, { cls: 'reports', sort: route.params.get('sort') || 'begin', dir: route.params.get('dir') || 'desc',
        onSort: sortHandler(route, 'reports', 'begin'), rowAttrs: (r) => ({ 'data-report': r.id }) }),
      pager(data.total, data.offset, data.limit, pageHandler(route, 'reports')))];
  }

  function details(pairs) {
    const dl = el('dl', { class: 'details' });
    for (const [k, v] of pairs) {
      if (v === null || v === undefined || v === '') continue;
      dl.append(el('dt', { text: k }), el('dd', {}, v instanceof Node ? v : String(v)));
    }
    return dl;
  }

  async function renderReport(route, token) {
    const data = await api('report/' + encodeURIComponent(route.id));
    if (token !== renderToken) return null;
    const r = data.report;
    const head = pageHead('Report from ' + r.org_name, r.policy_domain + ' · ' + when(r.begin) + ' – ' + when(r.end),
      link('← Reports', 'reports', null, filterParams(route.params), 'button'),
      csvLink('api/v1/report/' + encodeURIComponent(route.id) + '.csv', 'Records CSV'));
    const policy = ['p', 'sp', 'np', 'pct', 'adkim', 'aspf', 'fo', 'testing', 'discovery_method']
      .filter((k) => r[k] !== null && r[k] !== undefined && r[k] !== '').map((k) => k + '=' + r[k]).join('; ');
    const meta = el('section', { class: 'grid2' },
      el('div', { class: 'card' }, el('h2', { text: 'Report' }), details([
        ['Reporter', r.org_name], ['Contact', r.org_email], ['Extra contact', r.extra_contact],
        ['Report ID', r.report_id], ['Policy domain', r.policy_domain],
        ['Period', when(r.begin) + ' – ' + when(r.end)], ['Format', r.dialect], ['Generator', r.generator],
        ['Errors', r.errors], ['Warnings', r.flags ? String(r.flags) : null], ['Input', r.input_location],
        ['Possibly forged', r.suspect ? r.suspect + ' — the advisor leaves it out; dmarcd suspects --accept ' + route.id + ' counts it' : null]])),
      el('div', { class: 'card' }, el('h2', { text: 'Published policy and totals' }), details([
        ['Policy', policy || '—'], ['Records', num(r.records)], ['Messages', num(r.messages)],
        ['DMARC pass', num(r.dmarc_pass) + ' (' + pct(rate(r.dmarc_pass, r.messages)) + ')']])));
    const more = data.records_total > data.records.length;
    return [head, meta, el('section', { class: 'card' }, el('h2', { text: 'Records' }),
      more ? el('p', { class: 'hint' }, 'The first ' + num(data.records.length) + ' of ' + num(data.records_total) +
        ' records; the records CSV has them all.') : null,
      data.records.length ? table(recordColumns(false), data.records, { cls: 'records' }) : el('p', { class: 'muted', text: 'This report has no records.' }))];
  }

  /* ---- failures ---- */

  async function renderFailures(route, token) {
    const data = await api('failures', apiQuery(route.params, listExtra(route)));
    if (token !== renderToken) return null;
    const head = pageHead('Failures', periodText(data) + ' · failure (ruf) reports, one per failing message',
      viewCsv('failures', route),
      csvLink('api/v1/export/failures.csv?' + exportQuery(route.params), 'Export CSV', 'as dmarcd export failures'));
    if (!data.rows.length)
      return [head, empty('No failure reports',
        ['Failure reports arrive when your DMARC record has ', code('ruf=mailto:'), ' (and ', code('fo=1'), ' for every failure); few receivers send them.'],
        'They hold personal data: dmarcd keeps their samples for 30 days by default (dmarcd prune).')];
    const cols = [
      { label: 'Arrived', sort: 'arrival_date', cell: (r) => el('td', { class: 'nowrap' }, link(when(r.arrival_date), 'failure', String(r.id), null)) },
      { label: 'Reporter', cell: (r) => el('td', { class: 'wrap' }, r.reporter || '—') },
      { label: 'Source IP', cell: (r) => el('td', { class: 'mono' }, r.source_ip || '—') },
      { label: 'Domain', cell: (r) => el('td', { class: 'wrap' }, r.reported_domain || '—') },
      { label: 'Header From', cell: (r) => el('td', { class: 'wrap' }, r.header_from || '—') },
      { label: 'Failed', cell: (r) => el('td', {}, r.auth_failure ? badge(r.auth_failure, 'bad') : '—') },
      { label: 'Delivery', cell: (r) => el('td', {}, r.delivery_result || '—') },
      { label: 'Subject', cell: (r) => el('td', { class: 'wrap' }, r.subject || '—') },
      { label: 'Same source in rua', num: true, title: 'messages from this source and domain in the aggregate reports', cell: (r) => numCell(r.aggregate_messages) },
    ];
    return [head, el('section', { class: 'card' },
      table(cols, data.rows, { cls: 'failures', rowAttrs: (r) => ({ 'data-failure': r.id }) }),
      pager(data.total, data.offset, data.limit, pageHandler(route, 'failures')))];
  }

  async function renderFailure(route, token) {
    const data = await api('failure/' + encodeURIComponent(route.id));
    if (token !== renderToken) return null;
    const f = data.failure;
    const head = pageHead('Failure report', (f.reported_domain || '') + ' · ' + when(f.arrival_date),
      link('← Failures', 'failures', null, filterParams(route.params), 'button'));
    const pairs = Object.entries(f).filter(([k]) => k !== 'id').map(([k, v]) => [k.replace(/_/g, ' '),
      typeof v === 'string' && v.includes('\n') ? el('pre', { text: v }) : v]);
    return [head, el('section', { class: 'card' }, details(pairs))];
  }

  /* ---- the ingest log ---- */

  async function renderInputs(route, token) {
    const status = route.params.get('status') || '';
    const data = await api('inputs', apiQuery(new URLSearchParams(), { status, offset: route.params.get('offset'), limit: String(PAGE_SIZE) }));
    if (token !== renderToken) return null;
    const chips = el('div', { class: 'segmented', role: 'group', 'aria-label': 'Status' },
      ['', 'stored', 'duplicate', 'partial', 'refused'].map((s) => el('a', {
        class: s === status ? 'active' : null,
        href: hashFor('inputs', null, withParams(route.params, { status: s, offset: null })),
      }, s || 'all')));
    const head = pageHead('Ingest log', 'every mail and file dmarcd has read, newest first', chips,
      csvLink('api/v1/inputs.csv?' + new URLSearchParams(status ? { status, limit: '500' } : { limit: '500' }), 'CSV (this view)'));
    if (!data.rows.length)
      return [head, status ? empty('Nothing ' + status, 'No input has this status.')
        : empty('Nothing ingested yet', ['Run ', code('dmarcd ingest PATH'), ' on report files, a directory or a Maildir, or ', code('dmarcd poll'), ' for IMAP.'])];
    const cols = [
      { label: 'Received', cell: (r) => el('td', { class: 'nowrap' }, when(r.received)) },
      { label: 'Status', cell: (r) => el('td', {}, statusBadge(r.status)) },
      { label: 'Kind', cell: (r) => el('td', { class: 'small' }, r.kind || '—') },
      { label: 'Location', cell: (r) => el('td', { class: 'wrap mono small' }, (r.source ? r.source + ': ' : '') + (r.location || '')) },
      { label: 'Subject', cell: (r) => el('td', { class: 'wrap' }, r.subject || '—') },
      { label: 'Reports', num: true, title: 'stored (duplicates)', cell: (r) => el('td', { class: 'num' }, num(r.reports_stored) + (r.reports_duplicate ? ' (' + num(r.reports_duplicate) + ')' : '')) },
      { label: 'Records', num: true, cell: (r) => numCell(r.records) },
      { label: 'Seen', num: true, title: 'times the same bytes arrived', cell: (r) => numCell(r.times_seen) },
      { label: 'Reason', cell: (r) => el('td', { class: 'wrap' }, r.refusal_code ? el('code', { text: r.refusal_code }) : null, r.refusal_code && r.reason ? ' ' : null, r.reason || (r.refusal_code ? '' : '—')) },
    ];
    return [head, el('section', { class: 'card' },
      table(cols, data.rows, { cls: 'inputs', rowAttrs: (r) => ({ 'data-status': r.status }) }),
      pager(data.total, data.offset, data.limit, pageHandler(route, 'inputs')))];
  }

  /* ---- the policy advisor ---- */

  const ADVISOR_WINDOWS = ['30', '60', '90'];
  const VERDICT_CLASS = {
    READY: 'ready', 'NOT READY': 'not-ready', PROVISIONAL: 'provisional',
    'AT REJECT': 'at-reject', REGRESSION: 'regression',
  };
  const VERDICT_TEXT = {
    READY: 'The conditions for the next step hold: publish the record below.',
    'NOT READY': 'Some conditions for the next step fail: start with "What to do first".',
    PROVISIONAL: 'Not enough data, or sources still to review, for a firm verdict.',
    'AT REJECT': 'The domain is at p=reject, the last step, and its mail still passes.',
    REGRESSION: 'The domain enforces its policy and its authorized mail is slipping: look at the failing conditions, or go back one step.',
  };
  const CLASS_TEXT = { aligned: 'aligned', misaligned: 'misaligned service', forwarder: 'forwarder', unauthorized: 'unauthorized' };

  /* The advice query of the URL: domain, window, simulate, pct, as_of (a past day, YYYY-MM-DD). */
  function adviceQuery(params) {
    const p = new URLSearchParams();
    for (const k of ['domain', 'window', 'simulate', 'pct', 'as_of']) if (params.get(k)) p.set(k, params.get(k));
    return p;
  }

  function shareText(s) {
    if (s === null || s === undefined) return '—';
    return s > 0 && s < 0.001 ? '<0.1%' : pct(s);
  }

  function conditionBadge(c) {
    if (c.ok) return badge('ok', 'ok');
    return c.data ? badge('data', 'warn') : badge('fail', 'bad');
  }

  /* The Sources page on a sender's first network, over the advice's window. */
  function senderLink(s, a) {
    const first = s.networks ? s.networks.split(',')[0].trim() : '';
    if (!/^[0-9a-f.:]+\/\d+$/i.test(first)) return el('span', { class: 'strong', text: s.label });
    const p = new URLSearchParams({ domain: a.domain, source: first });
    if (a.as_of) {
      p.set('from', dayText(dayNumber(a.as_of) - a.window_days + 1));
      p.set('to', a.as_of);
    }
    return link(s.label, 'sources', null, p, 'strong');
  }

  function senderClass(s) {
    return el('td', { class: 'nowrap' }, el('span', { class: 'badges' },
      badge(CLASS_TEXT[s.class] || s.class, 'class-' + s.class),
      el('span', { class: 'marker ' + (s.confirmed ? 'confirmed' : 'suggested'),
        title: s.confirmed ? 'you confirmed this source' : 'the advisor\'s suggestion: confirm it with dmarcd classify',
        text: s.confirmed ? 'confirmed' : 'suggested' }),
      s.needs_review ? badge('REVIEW', 'bad') : null,
      s.new ? badge('new', 'warn') : null));
  }

  function senderTable(a) {
    const cols = [
      { label: 'Source', cell: (s) => el('td', { class: 'wrap' }, senderLink(s, a),
        s.identity ? el('div', { class: 'muted small', text: (s.identity_via === 'dkim' ? 'DKIM-signed as ' : 'SPF-authenticated as ') + s.identity }) : null) },
      { label: 'Class', cell: senderClass },
      { label: 'Messages', num: true, cell: (s) => numCell(s.window.messages) },
      { label: 'DMARC pass', num: true, cell: (s) => rateCell(rate(s.window.dmarc_pass, s.window.messages), num(s.window.dmarc_pass) + ' pass') },
      { label: 'Share', num: true, title: 'of the window\'s messages', cell: (s) => el('td', { class: 'num', 'data-value': s.share }, shareText(s.share)) },
      { label: 'Affected', num: true, title: 'messages the simulated policy would have quarantined or rejected', cell: (s) => numCell(s.affected, s.affected > 0 ? 'hit' : null) },
      { label: 'Seen', title: 'first and last day with reports', cell: (s) => seen(s.first_seen, s.last_seen) },
    ];
    const rest = a.senders_total - a.senders.length;
    const restMessages = Object.values(a.others || {}).reduce((t, o) => t + o.messages, 0);
    return [table(cols, a.senders, { cls: 'senders', rowAttrs: (s) => ({ 'data-class': s.class, 'data-review': s.needs_review ? 'yes' : 'no' }) }),
      rest > 0 ? el('p', { class: 'pager', text: 'and ' + num(rest) + ' smaller sources with ' + num(restMessages) + ' messages' }) : null];
  }

  function impactTile(name, label, value, sub, kind) {
    return el('div', { class: 'kpi' + (kind ? ' ' + kind : ''), 'data-impact': name },
      el('div', { class: 'label', text: label }),
      el('div', { class: 'value', 'data-value': value, text: num(value) }),
      el('div', { class: 'kpisub', text: sub }));
  }

  /* The simulation: its figures and the policy and pct it is asked for. */
  function impactBlock(a, route) {
    const im = a.impact;
    const go = (changes) => { location.hash = hashFor('advisor', null, withParams(route.params, changes)); };
    const policy = el('select', { name: 'simulate', 'aria-label': 'Simulated policy',
      onchange: (ev) => go({ simulate: ev.target.value }) },
    ['quarantine', 'reject'].map((p) => el('option', { value: p, selected: p === im.p ? '' : null }, 'p=' + p)));
    const pctInput = el('input', { name: 'pct', type: 'number', min: 1, max: 100, step: 1, value: im.pct, 'aria-label': 'pct',
      onchange: (ev) => {
        const v = Number(ev.target.value);
        ev.target.classList.toggle('invalid', !(Number.isInteger(v) && v >= 1 && v <= 100));
        if (Number.isInteger(v) && v >= 1 && v <= 100) go({ pct: String(v) });
      } });
    const chooser = el('form', { class: 'simulate', onsubmit: (ev) => ev.preventDefault() },
      el('label', {}, 'Policy ', policy), el('label', {}, 'pct ', pctInput, '%'));
    const hit = im.failing ? pct(im.affected / im.failing) : '—';
    return el('section', { class: 'card', 'data-block': 'impact' },
      el('div', { class: 'cardhead' },
        el('h2', { text: 'What p=' + im.p + (im.pct !== 100 ? ' at pct=' + im.pct : '') + ' would have done, last ' + a.window_days + ' days' }),
        chooser),
      el('div', { class: 'kpis' },
        impactTile('affected', im.p === 'reject' ? 'Rejected' : 'Quarantined', im.affected, hit + ' of ' + num(im.failing) + ' failing messages'),
        impactTile('legit_at_risk', 'Legitimate mail hit', im.legit_at_risk, 'from authorized senders', im.legit_at_risk > 0 ? 'bad' : 'good'),
        impactTile('indirect_at_risk', 'Forwarded mail hit', im.indirect_at_risk, 'forwarders and mailing lists', im.indirect_at_risk > 0 ? 'warn' : null),
        impactTile('spoofing_stopped', 'Spoofing stopped', im.spoofing_stopped, 'from unauthorized senders', 'good'),
        impactTile('already_enforced', 'Already enforced', im.already_enforced, 'failing mail receivers quarantined or rejected anyway')),
      el('p', { class: 'hint' }, 'Of ' + num(im.messages) + ' messages, ' + num(im.failing) + ' failed DMARC. ' +
        'The Affected column of the sources shows where the hits fall.'));
  }

  function recordBlock(a) {
    const text = '_dmarc.' + a.domain + ' TXT "' + a.next_record + '"';
    const record = el('code', { text });
    const pre = el('pre', { class: 'record' }, record);
    const copy = el('button', { type: 'button', class: 'copy', onclick: () => {
      const done = () => { copy.textContent = 'Copied'; };
      const select = () => {
        const r = document.createRange();
        r.selectNodeContents(record);
        const sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(r);
        copy.textContent = 'Selected: press Ctrl+C';
      };
      if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, select);
      else select();
    } }, 'Copy');
    const lead = a.verdict === 'READY' ? 'Publish this record at your DNS provider:'
      : a.verdict === 'AT REJECT' ? 'The domain is at the last step: keep this record.'
        : 'The record of the next step, to publish once the verdict is READY:';
    return el('section', { class: 'card', 'data-block': 'record' },
      el('div', { class: 'cardhead' }, el('h2', { text: 'Next DMARC record' }), copy),
      el('p', { class: 'hint', text: lead }), pre,
      a.record_complete ? null : el('p', { class: 'note', 'data-note': 'rua' },
        'Replace YOUR-RUA-ADDRESS with the address your reports go to, or give dmarcd your current record: ',
        code('dmarcd advise ' + a.domain + ' --record \'v=DMARC1; ...\''), '.'));
  }

  function verdictCard(a) {
    const pol = a.policy;
    const kind = VERDICT_CLASS[a.verdict] || 'provisional';
    return el('section', { class: 'card verdict verdict-' + kind, 'data-block': 'verdict' },
      el('div', { class: 'verdictmain' },
        el('div', { class: 'verdicttext', 'data-verdict': a.verdict, text: a.verdict }),
        el('p', { class: 'verdictsay', text: VERDICT_TEXT[a.verdict] || '' })),
      details([
        ['Step judged', a.step],
        ['Published policy', el('span', {}, policyBadges({ p: pol.p, sp: pol.sp, pct: pol.pct, testing: pol.testing ? 'y' : null }),
          pol.since ? ' since ' + pol.since : null)],
        ['Last record change', pol.last_change || 'none seen'],
        ['Window', 'the ' + a.window_days + ' days up to ' + a.as_of + ' (the last day with reports)'],
        ['Messages', num(a.totals.messages) + ', ' + pct(rate(a.totals.dmarc_pass, a.totals.messages)) + ' pass DMARC'],
      ]),
      a.notes.length ? el('ul', { class: 'notes' }, a.notes.map((n) => el('li', { text: n }))) : null);
  }

  function conditionTable(a) {
    const cols = [
      { label: 'Gate', cell: (c) => el('td', { class: 'mono strong' }, c.id) },
      { label: 'Condition', cell: (c) => el('td', { class: 'wrap' }, c.title) },
      { label: 'Measured', cell: (c) => el('td', { class: 'wrap' }, c.measured || '—') },
      { label: 'Needs', cell: (c) => el('td', { class: 'wrap small' }, c.threshold || '—') },
      { label: 'Status', cell: (c) => el('td', {}, conditionBadge(c)) },
    ];
    return table(cols, a.conditions, { cls: 'conditions', rowAttrs: (c) => ({ 'data-condition': c.id, 'data-state': c.ok ? 'ok' : c.data ? 'data' : 'fail' }) });
  }

  /* No domain chosen: the domains with reports, each a link. */
  async function advisorChooser(route, token) {
    const data = await api('overview');
    if (token !== renderToken) return null;
    const head = pageHead('Policy advisor', 'is a domain ready for a stricter DMARC policy?');
    if (!data.domains.length)
      return [head, empty('No reports yet', ['The advisor needs aggregate reports: run ', code('dmarcd ingest PATH'), ' or ', code('dmarcd poll'), ' first.'])];
    return [head, el('section', { class: 'card' }, el('h2', { text: 'Choose a policy domain' }),
      el('ul', { class: 'domainlist' }, data.domains.map((d) =>
        el('li', {}, link(d.policy_domain, 'advisor', null, new URLSearchParams({ domain: d.policy_domain }), 'strong'),
          ' ', el('span', { class: 'muted small', text: num(d.messages) + (d.messages === 1 ? ' message' : ' messages') })))))];
  }

  async function renderAdvisor(route, token) {
    const domain = route.params.get('domain');
    if (!domain) return advisorChooser(route, token);
    const a = await api('advice', adviceQuery(route.params));
    if (token !== renderToken) return null;
    const windows = el('div', { class: 'segmented', role: 'group', 'aria-label': 'Window' },
      ADVISOR_WINDOWS.map((w) => el('a', {
        class: String(a.window_days) === w ? 'active' : null, 'aria-current': String(a.window_days) === w ? 'true' : null,
        href: hashFor('advisor', null, withParams(route.params, { window: w === '30' ? null : w })),
      }, w + ' days')));
    const json = el('a', { class: 'button', href: 'api/v1/advice?' + adviceQuery(route.params), title: 'this advice as JSON (as dmarcd advise --json)' }, 'JSON');
    const head = pageHead('Advisor: ' + a.domain, a.has_data ? 'policy readiness · data up to ' + a.as_of : 'policy readiness', windows, json);
    if (!a.has_data)
      return [head, empty('No reports for ' + a.domain, ...a.fixes,
        [link('Back to the overview', 'overview', null, null, 'button')])];
    const fixes = el('section', { class: 'card', 'data-block': 'fixes' }, el('h2', { text: 'What to do first' }),
      a.fixes.length ? el('ol', { class: 'fixes' }, a.fixes.map((f) => el('li', { text: f })))
        : el('p', { class: 'muted', text: 'Nothing: every condition holds.' }));
    return [head, verdictCard(a),
      el('section', { class: 'grid2' }, fixes, recordBlock(a)),
      el('section', { class: 'card', 'data-block': 'conditions' },
        el('h2', { text: 'Conditions of the step (' + a.conditions.length + ')' }), conditionTable(a)),
      impactBlock(a, route),
      el('section', { class: 'card', 'data-block': 'senders' },
        el('h2', { text: 'Sending sources, last ' + a.window_days + ' days' }),
        el('p', { class: 'hint' }, 'Most mail first. A class is the advisor\'s suggestion until you confirm it with ',
          code('dmarcd classify'), '; REVIEW marks a notable source to look at. A source opens its networks on the Sources page.'),
        senderTable(a))];
  }

  /* ---- the filter bar ---- */

  const form = () => document.getElementById('filters');

  function refreshDomainList() {
    const dl = document.getElementById('domain-list');
    if (dl.childElementCount === knownDomains.size) return;
    dl.replaceChildren(...[...knownDomains].sort().map((d) => el('option', { value: d })));
  }

  async function loadReporters() {
    if (reportersLoaded) return;
    reportersLoaded = true;
    try {
      const data = await api('reporters');
      const sel = form().elements.reporter;
      const cur = sel.value;
      for (const r of data.rows) sel.append(el('option', { value: r.org_key }, r.org_name + ' (' + num(r.reports) + ')'));
      sel.value = cur;
    } catch (err) { reportersLoaded = false; }
  }

  function syncFilters(route) {
    const f = form(), p = route.params;
    for (const k of ['domain', 'from', 'to', 'source']) if (document.activeElement !== f.elements[k]) f.elements[k].value = p.get(k) || '';
    for (const k of ['reporter', 'result']) {
      const sel = f.elements[k], v = p.get(k) || '';
      if (v && ![...sel.options].some((o) => o.value === v)) sel.append(el('option', { value: v }, v));
      sel.value = v;
    }
    const days = p.get('from') ? null : (p.get('days') || DEFAULT_DAYS);
    for (const b of f.querySelectorAll('[data-days]')) {
      const on = (b.dataset.days || 'all') === days;
      b.classList.toggle('active', on);
      b.setAttribute('aria-pressed', on ? 'true' : 'false');
    }
    const chips = document.getElementById('name-chips');
    chips.replaceChildren(...Object.keys(NAME_FILTERS).filter((k) => p.get(k)).map((k) =>
      el('span', { class: 'chip', 'data-filter': k }, NAME_FILTERS[k] + ' ' + (k === 'asn' ? 'AS' : '') + p.get(k),
        el('button', { type: 'button', class: 'chip-x', 'aria-label': 'remove the ' + NAME_FILTERS[k] + ' filter', 'data-clear': k, text: '×' }))));
    const active = ['domain', 'reporter', 'result', 'source', 'from', 'to', 'service', 'asn', 'country'].filter((k) => p.get(k)).length;
    document.getElementById('filter-toggle').textContent = active ? 'Filters (' + active + ')' : 'Filters';
    f.classList.toggle('dim', ['report', 'failure', 'advisor'].includes(route.page));
    f.hidden = route.page === 'inputs'; /* the ingest log has no such filters */
  }

  function setFilters(changes) {
    const route = parseHash();
    const page = route.id ? (route.page === 'report' ? 'reports' : route.page === 'failure' ? 'failures' : route.page) : route.page;
    const p = withParams(route.params, Object.assign({ offset: null }, changes));
    location.hash = hashFor(page === 'inputs' ? 'overview' : page, null, p);
  }

  function wireFilters() {
    const f = form();
    f.addEventListener('submit', (ev) => ev.preventDefault());
    f.addEventListener('change', (ev) => {
      const t = ev.target;
      if (!t.name) return;
      const v = t.value.trim();
      if (t.name === 'from') setFilters({ from: v, days: null });
      else if (t.name === 'to') setFilters({ to: v, days: parseHash().params.get('days') === 'all' ? null : parseHash().params.get('days') });
      else setFilters({ [t.name]: v });
    });
    document.getElementById('name-chips').addEventListener('click', (ev) => {
      const k = ev.target.dataset ? ev.target.dataset.clear : null;
      if (k) setFilters({ [k]: null });
    });
    for (const b of f.querySelectorAll('[data-days]'))
      b.addEventListener('click', () => {
        const d = b.dataset.days;
        setFilters(d ? { days: d, from: null } : { days: 'all', from: null, to: null });
      });
    f.addEventListener('reset', (ev) => {
      ev.preventDefault();
      const route = parseHash();
      location.hash = hashFor(route.page === 'report' ? 'reports' : route.page === 'failure' ? 'failures' : route.page, null, new URLSearchParams());
    });
  }

  /* ---- routing ---- */

  const pages = {
    overview: renderOverview, sources: renderSources, records: renderRecords,
    reports: renderReports, report: renderReport, failures: renderFailures,
    failure: renderFailure, inputs: renderInputs, advisor: renderAdvisor,
  };

  async function render() {
    const route = parseHash();
    let fn = pages[route.page];
    if ((route.page === 'report' || route.page === 'failure') && !route.id) fn = null;
    const token = ++renderToken;
    const main = document.getElementById('main');
    const navPage = route.page === 'report' ? 'reports' : route.page === 'failure' ? 'failures' : route.page === 'records' ? 'sources' : route.page;
    const navGroup = route.page === 'sources' && ['asn', 'country'].includes(route.params.get('group')) ? route.params.get('group') : '';
    for (const a of document.querySelectorAll('#nav a')) {
      const on = a.dataset.page === navPage && (a.dataset.group || '') === navGroup;
      a.classList.toggle('active', on);
      if (on) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    }
    for (const a of document.querySelectorAll('#nav a'))
      a.setAttribute('href', hashFor(a.dataset.page, null, a.dataset.page === 'inputs' ? new URLSearchParams()
        : withParams(filterParams(route.params), { group: a.dataset.group || null })));
    syncFilters(route);
    document.body.dataset.page = route.page;
    main.setAttribute('aria-busy', 'true');
    document.body.classList.add('busy');
    let content;
    try {
      content = fn ? await fn(route, token) : [empty('No such page', [link('Go to the overview', 'overview', null, null, 'button')])];
    } catch (err) {
      if (token !== renderToken) return;
      content = [err.status === 404 ? empty('Not found', 'This report or failure report is not in the database.') : errorBox(err)];
    }
    if (token !== renderToken || content === null) return;
    main.replaceChildren(...content.filter(Boolean));
    main.removeAttribute('aria-busy');
    document.body.classList.remove('busy');
    document.body.dataset.ready = String(token);
    document.title = (main.querySelector('h1')?.textContent || 'dmarcd') + ' · dmarcd';
  }

  document.addEventListener('DOMContentLoaded', () => {
    wireFilters();
    const toggle = document.getElementById('filter-toggle');
    toggle.addEventListener('click', () => {
      const open = form().classList.toggle('open');
      toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
    });
    loadReporters();
    window.addEventListener('hashchange', render);
    render();
  });
})();
