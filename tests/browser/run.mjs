// The dashboard in a real headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core). Registered with CTest as "browser".
//
// It fills a database with `dmarcd ingest` (the demo generator's Maildir
// with a fixed end date, the project's fixtures, a report carrying script
// and quote-breaking payloads, one whose sender signs with them as DKIM d=,
// and ../shared's corpus when present), starts
// `dmarcd serve` on an ephemeral port, and checks every page against figures
// computed with `dmarcd export` over the same database.
//
// The names of the sources (the sender and service tables, which the
// enricher fills) are seeded with the sqlite3 shell after the ingest.
//
// usage: node run.mjs --dmarcd BUILD/dmarcd [--artifacts DIR] [--docs PNG [--docs-db DB]]
//   --artifacts: where the screenshots go (default: ./browser-artifacts)
//   --docs: also save the overview screenshot there (docs/dashboard.png), and
//           the named sources next to it (docs/sources.png)
//   --docs-db: take docs/sources.png from this database instead (the demo's,
//           named by `dmarcd enrich`)
import { chromium } from 'playwright-core';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SHARED = resolve(ROOT, '..', 'shared');
const END = '2025-03-31';           // the demo data's last day: fixed, so that figures do not drift
const FROM = '2025-03-02';          // 30 days ending at END (the demo has 60: trends show)
const XSS_DAY = '2025-04-01';       // the hostile report: outside the main window
const XSS = `<script>window.__xss=1</script>"'><img src=x onerror="window.__xss=2">`;
const XSS_DOMAIN = `x"><svg onload=window.__xss=3>.example`;
const ADVISED = 'example.com';       // a demo domain the advisor page is checked on
const HOSTILE_SENDER = 'hostile-sender.example'; // a sender of its mail signs with the payload as d=

function args() {
  const a = { dmarcd: null, artifacts: resolve('browser-artifacts'), docs: null, docsDb: null };
  const v = process.argv.slice(2);
  for (let i = 0; i < v.length; i++) {
    if (v[i] === '--dmarcd') a.dmarcd = resolve(v[++i]);
    else if (v[i] === '--artifacts') a.artifacts = resolve(v[++i]);
    else if (v[i] === '--docs') a.docs = resolve(v[++i]);
    else if (v[i] === '--docs-db') a.docsDb = resolve(v[++i]);
    else throw new Error('unknown argument ' + v[i]);
  }
  if (!a.dmarcd) throw new Error('usage: run.mjs --dmarcd PATH [--artifacts DIR] [--docs PNG]');
  return a;
}

const opt = args();
const work = mkdtempSync(join(tmpdir(), 'dmarcd-browser-'));
const db = join(work, 't.db');
let failures = 0, checks = 0;

function check(ok, what, detail) {
  checks++;
  if (ok) return;
  failures++;
  console.error('FAIL: ' + what + (detail !== undefined ? ' — ' + JSON.stringify(detail) : ''));
}

function equal(got, want, what) { check(got === want, what, { got, want }); }

function dmarcd(argv, input) {
  return execFileSync(opt.dmarcd, argv, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 1 << 28 });
}

/* RFC 4180 rows as objects keyed by the header. */
function parseCsv(text) {
  const rows = [];
  let row = [], field = '', q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') q = false; else field += c;
    } else if (c === '"') q = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\r') continue;
    else if (c === '\n') { row.push(field); rows.push(row); row = []; field = ''; }
    else field += c;
  }
  const [head, ...body] = rows;
  return body.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])));
}

function exportRows(kind, extra) {
  return parseCsv(dmarcd(['export', kind, '--db', db, ...(extra || [])]));
}

const sum = (rows, k) => rows.reduce((s, r) => s + Number(r[k] || 0), 0);

/* ---- the data ---- */

function xssReport(dir) {
  const xml = `<?xml version="1.0"?>
<feedback><version>1.0</version><report_metadata><org_name>${esc(XSS)}</org_name>
<email>x@evil.example</email><report_id>${esc(XSS)}</report_id>
<date_range><begin>${Date.parse(XSS_DAY + 'T00:00:00Z') / 1000}</begin><end>${Date.parse(XSS_DAY + 'T23:59:59Z') / 1000}</end></date_range>
</report_metadata><policy_published><domain>${esc(XSS_DOMAIN)}</domain><p>none</p></policy_published>
<record><row><source_ip>198.51.100.66</source_ip><count>7</count><policy_evaluated><disposition>none</disposition>
<dkim>fail</dkim><spf>fail</spf></policy_evaluated></row><identifiers><header_from>${esc(XSS_DOMAIN)}</header_from>
<envelope_from>${esc(XSS)}</envelope_from></identifiers><auth_results><spf><domain>${esc(XSS_DOMAIN)}</domain>
<result>fail</result></spf></auth_results></record></feedback>
`;
  writeFileSync(join(dir, 'xss.xml'), xml);
}

/* A report for a valid domain whose second source signs with DKIM d=XSS: the advisor's sender label. */
function hostileSenderReport(dir) {
  const begin = Date.parse(XSS_DAY + 'T00:00:00Z') / 1000;
  const record = (ip, count, dkim, d) => `<record><row><source_ip>${ip}</source_ip><count>${count}</count>
<policy_evaluated><disposition>none</disposition><dkim>${dkim}</dkim><spf>fail</spf></policy_evaluated></row>
<identifiers><header_from>${HOSTILE_SENDER}</header_from></identifiers><auth_results><dkim><domain>${esc(d)}</domain>
<selector>s1</selector><result>pass</result></dkim><spf><domain>${esc(d)}</domain><result>fail</result></spf></auth_results></record>`;
  writeFileSync(join(dir, 'hostile-sender.xml'), `<?xml version="1.0"?>
<feedback><version>1.0</version><report_metadata><org_name>Reporter H</org_name><email>h@reporter.example</email>
<report_id>hostile-sender-1</report_id><date_range><begin>${begin}</begin><end>${begin + 86399}</end></date_range>
</report_metadata><policy_published><domain>${HOSTILE_SENDER}</domain><p>none</p></policy_published>
${record('192.0.2.10', 40, 'pass', HOSTILE_SENDER)}
${record('198.51.100.77', 25, 'fail', XSS)}</feedback>
`);
}

/* A report mail that failed DMARC at the receiving server: stored, marked as possibly forged. */
const FORGED_DOMAIN = 'forged.example';
function forgedReport(dir) {
  const begin = Date.parse(XSS_DAY + 'T00:00:00Z') / 1000;
  writeFileSync(join(dir, 'forged.eml'), `From: dmarc@reporter-f.example
Authentication-Results: mx.${FORGED_DOMAIN}; dmarc=fail (p=reject) header.from=reporter-f.example
Subject: Report Domain: ${FORGED_DOMAIN}
Content-Type: text/xml

<?xml version="1.0"?>
<feedback><report_metadata><org_name>Reporter F</org_name><email>f@reporter-f.example</email>
<report_id>forged-1</report_id><date_range><begin>${begin}</begin><end>${begin + 86399}</end></date_range>
</report_metadata><policy_published><domain>${FORGED_DOMAIN}</domain><p>none</p></policy_published>
<record><row><source_ip>192.0.2.44</source_ip><count>9</count><policy_evaluated><disposition>none</disposition>
<dkim>pass</dkim><spf>pass</spf></policy_evaluated></row><identifiers><header_from>${FORGED_DOMAIN}</header_from>
</identifiers></record></feedback>
`);
}

function esc(s) {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fill() {
  const extra = join(work, 'extra');
  mkdirSync(extra);
  xssReport(extra);
  hostileSenderReport(extra);
  forgedReport(extra);
  execFileSync('python3', [join(ROOT, 'scripts', 'demo_maildir.py'), join(work, 'Maildir'), '--days', '60', '--end-date', END]);
  const inputs = [join(work, 'Maildir'), extra, join(ROOT, 'tests', 'fixtures')];
  if (existsSync(join(SHARED, 'corpus', 'MANIFEST.tsv'))) inputs.push(join(SHARED, 'corpus'));
  else console.log('browser: ../shared is absent: its corpus is not ingested');
  try {
    dmarcd(['ingest', '--db', db, ...inputs]);
  } catch (err) {
    if (err.status !== 3) throw err; // 3: some inputs refused, as the fixtures mean to
  }
}

/* ---- the names of the sources ---- */

const NAMED_SERVICE = { key: 'google-workspace', name: 'Google Workspace', category: 'mailbox' };
const NAMED_HOST = 'mail-out.example.net';
const HOSTILE_HOST = `<img src=x onerror="window.__xss=4">"';=cmd`;
const named = {};

/* An IPv4 address and its /24 as the 16-byte hex of sender.ip and sender.net. */
function v4hex(ip) {
  const b = ip.split('.').map((o) => Number(o).toString(16).padStart(2, '0').toUpperCase());
  return ['00000000000000000000FFFF' + b.join(''), '00000000000000000000FFFF' + b.slice(0, 3).join('') + '00'];
}

const sqlText = (v) => `'${String(v).replace(/'/g, "''")}'`;

/*
 * Names the window's two heaviest IPv4 sources of different networks as the
 * enricher would: the first a known service with a confirmed host name, the
 * second with a hostile confirmed host name and AS name.
 */
function seedNames() {
  const rows = exportRows('sources', ['--since', FROM, '--until', END])
    .filter((r) => /^\d+\.\d+\.\d+\.\d+$/.test(r.source_ip))
    .sort((a, b) => Number(b.messages) - Number(a.messages));
  const first = rows[0];
  const second = rows.find((r) => v4hex(r.source_ip)[1] !== v4hex(first.source_ip)[1]);
  named.service = first.source_ip;
  named.hostile = second.source_ip;
  const [ip1, net1] = v4hex(first.source_ip), [ip2, net2] = v4hex(second.source_ip);
  const sql = `INSERT INTO service VALUES (${sqlText(NAMED_SERVICE.key)}, ${sqlText(NAMED_SERVICE.name)}, ${sqlText(NAMED_SERVICE.category)}, 'f', 'd');
INSERT INTO sender (ip, net, ptr, dns_status, asn, as_org, country, service, evidence, evidence_value) VALUES
 (X'${ip1}', X'${net1}', ${sqlText(NAMED_HOST)}, 'confirmed', 15169, 'Google LLC', 'US', ${sqlText(NAMED_SERVICE.key)}, 'dkim', 'google.com'),
 (X'${ip2}', X'${net2}', ${sqlText(HOSTILE_HOST)}, 'confirmed', 64500, ${sqlText(XSS)}, 'DE', NULL, NULL, NULL);
-- their classes and the rollup by class, as the enricher keeps them (store/store_class.h)
INSERT INTO sender_class (service, asn, country, as_org)
 SELECT coalesce(service, ''), asn, country, as_org FROM sender WHERE asn IS NOT NULL;
UPDATE sender SET class = (SELECT c.id FROM sender_class c WHERE c.service = coalesce(sender.service, '')
 AND c.asn = sender.asn AND c.country = sender.country) WHERE asn IS NOT NULL;
UPDATE source SET classed = 1;
INSERT INTO rollup_class SELECT u.day, u.policy_domain, u.org_key, s.class, sum(u.messages), sum(u.dmarc_pass),
 sum(u.dkim_aligned), sum(u.spf_aligned), sum(u.disposition_none), sum(u.disposition_quarantine),
 sum(u.disposition_reject), sum(u.fail_none), sum(u.fail_quarantine), sum(u.fail_reject)
 FROM sender s JOIN source so ON so.ip = s.net JOIN rollup u ON u.policy_domain = so.policy_domain AND u.ip = s.ip
 WHERE s.class <> 0 GROUP BY 1, 2, 3, 4;
`;
  execFileSync('sqlite3', [db], { input: sql });
}

async function names(page, base) {
  const q = `from=${FROM}&to=${END}`;
  await view(page, `${base}#/sources?${q}`);
  const cell = (ip, col) => page.$eval(`table.sources tbody tr[data-source="${ip}"] td:nth-child(${col})`, (e) => e.textContent);
  const sender = await cell(named.service, 2);
  check(sender.includes(NAMED_SERVICE.name) && sender.includes(NAMED_SERVICE.category) && sender.includes(NAMED_HOST),
    'names: the service, its category and the host name of a source', sender);
  equal(await cell(named.service, 3), 'AS15169 Google LLCUS', 'names: the network owner and the country');
  equal(await page.$eval(`table.sources tbody tr[data-source="${named.hostile}"] td:nth-child(2) .host`, (e) => e.textContent),
    HOSTILE_HOST, 'names: a hostile host name renders as text');
  equal(await cell(named.hostile, 3), 'AS64500 ' + XSS + 'DE', 'names: a hostile AS name renders as text');
  equal(await page.evaluate(() => document.querySelectorAll('main img, main [onerror], main svg[onload]').length), 0,
    'names: no element from the hostile names');
  await noScriptRan(page, 'names');
  await shot(page, '20-sources-named');
  // the README's image: the first screen of the page, not its 50 rows
  if (opt.docs) await page.screenshot({ path: join(dirname(opt.docs), 'sources.png') });

  // Grouped by service: every message of the window in one row, the unnamed in "not named".
  let before = await readyToken(page);
  await page.click('a[data-group="service"]');
  await rerendered(page, before);
  check(page.url().includes('group=service'), 'names: the service grouping in the URL', page.url());
  const groups = await page.$$eval('table.sources tbody tr', (t) => t.map((r) => [r.cells[0].textContent, Number(r.cells[2].dataset.value)]));
  const domains = exportRows('domains', ['--since', FROM, '--until', END]);
  equal(groups.reduce((a, g) => a + g[1], 0), sum(domains, 'messages'), 'names: the service groups hold every message of the window');
  check(groups.some((g) => g[0].startsWith(NAMED_SERVICE.name)), 'names: a row for the service', groups.slice(0, 5));
  check(groups.some((g) => g[0] === 'not named'), 'names: a row for the unnamed', groups.slice(0, 5));
  await shot(page, '21-sources-by-service');

  // A click on the service filters the sources by it: a chip, kept in the URL.
  before = await readyToken(page);
  await page.click(`table.sources tbody tr td a:has-text("${NAMED_SERVICE.name}")`);
  await rerendered(page, before);
  check(page.url().includes('service=' + NAMED_SERVICE.key) && !page.url().includes('group='), 'names: the service filter in the URL', page.url());
  const chip = await page.textContent('#name-chips .chip').catch(() => null);
  check(chip !== null && chip.includes(NAMED_SERVICE.key), 'names: the filter shows as a chip', chip);
  const ips = await page.$$eval('table.sources tbody tr', (t) => t.map((r) => r.dataset.source));
  check(ips.length > 0 && ips.every((ip) => ip === named.service), 'names: only the service\'s sources', ips.slice(0, 5));
  before = await readyToken(page);
  await page.click('#name-chips .chip-x');
  await rerendered(page, before);
  check(!page.url().includes('service='), 'names: the chip removes its filter', page.url());

  // The network owners and the countries from the navigation.
  before = await readyToken(page);
  await page.click('#nav a[data-group="country"]');
  await rerendered(page, before);
  check(page.url().includes('group=country'), 'names: Countries in the navigation', page.url());
  const countries = await page.$$eval('table.sources tbody tr td:first-child', (t) => t.map((e) => e.textContent));
  check(countries.includes('US') && countries.includes('DE'), 'names: a row per country', countries.slice(0, 5));
  before = await readyToken(page);
  await page.click('#nav a[data-group="asn"]');
  await rerendered(page, before);
  const owners = await page.$$eval('table.sources tbody tr td:first-child', (t) => t.map((e) => e.textContent));
  check(owners.includes('AS15169 Google LLC') && owners.includes('AS64500 ' + XSS), 'names: a row per network owner', owners.slice(0, 5));
  await noScriptRan(page, 'names by owner');

  // The records of a named source show its names.
  await view(page, `${base}#/records?${q}&source=${named.service}`);
  const rec = await page.$eval('table.records tbody tr td:nth-child(3)', (e) => e.textContent);
  check(rec.includes(NAMED_SERVICE.name) && rec.includes(NAMED_HOST), 'names: the records show the sender', rec);
}

/* ---- the server ---- */

function serve(extra, path) {
  return new Promise((ok, fail) => {
    const p = spawn(opt.dmarcd, ['serve', '--db', path || db, '--listen', '127.0.0.1:0', ...(extra || [])], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    const timer = setTimeout(() => fail(new Error('dmarcd serve did not start: ' + log)), 20000);
    p.stderr.on('data', (d) => {
      log += d;
      const m = /\(port (\d+);/.exec(log);
      if (m) { clearTimeout(timer); ok({ proc: p, port: Number(m[1]), log: () => log }); }
    });
    p.on('exit', (code) => { clearTimeout(timer); fail(new Error('dmarcd serve exited ' + code + ': ' + log)); });
  });
}

function stop(s) {
  return new Promise((ok) => {
    s.proc.removeAllListeners('exit');
    s.proc.on('exit', (code, sig) => ok({ code, sig }));
    s.proc.kill('SIGTERM');
  });
}

/* ---- the browser ---- */

const LAUNCH = {
  executablePath: '/usr/bin/chromium', headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
};

async function newPage(browser, ctxOpts) {
  const ctx = await browser.newContext(Object.assign({ viewport: { width: 1366, height: 900 }, acceptDownloads: true }, ctxOpts || {}));
  const page = await ctx.newPage();
  page.dialogs = [];
  page.errors = [];
  page.on('dialog', (d) => { page.dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  page.on('pageerror', (e) => page.errors.push('pageerror: ' + e.message));
  page.on('console', (m) => { if (m.type() === 'error') page.errors.push('console: ' + m.text()); });
  return page;
}

/* Loads a view and waits until it has rendered. */
async function view(page, url) {
  const before = await page.evaluate(() => document.body && document.body.dataset.ready).catch(() => undefined);
  await page.goto(url);
  await page.waitForFunction((b) => document.body.dataset.ready && document.body.dataset.ready !== b && !document.body.classList.contains('busy'), before);
}

async function rerendered(page, before) {
  await page.waitForFunction((b) => document.body.dataset.ready !== b && !document.body.classList.contains('busy'), before);
}

const readyToken = (page) => page.evaluate(() => document.body.dataset.ready);
const kpi = (page, name) => page.$eval(`[data-kpi="${name}"] .value`, (e) => Number(e.dataset.value));

async function shot(page, name) {
  mkdirSync(opt.artifacts, { recursive: true });
  const path = join(opt.artifacts, name + '.png');
  await page.screenshot({ path, fullPage: true });
  return path;
}

async function noScriptRan(page, where) {
  const flag = await page.evaluate(() => window.__xss);
  check(flag === undefined, where + ': injected script ran', flag);
  check(page.dialogs.length === 0, where + ': a dialog opened', page.dialogs);
}

/* ---- the checks ---- */

async function overview(page, base) {
  const q = `from=${FROM}&to=${END}`;
  await view(page, `${base}#/overview?${q}`);
  const domains = exportRows('domains', ['--since', FROM, '--until', END]);
  check(domains.length >= 3, 'export domains has the demo domains', domains.length);
  equal(await kpi(page, 'messages'), sum(domains, 'messages'), 'overview: total messages = dmarcd export domains');
  const passRate = await kpi(page, 'pass_rate');
  check(Math.abs(passRate - sum(domains, 'dmarc_pass') / sum(domains, 'messages')) < 1e-9, 'overview: pass rate', passRate);
  const shown = new Map(await page.$$eval('table.domains tbody tr',
    (t) => t.map((r) => [r.dataset.domain, Number(r.querySelector('td:nth-child(2)').dataset.value)])));
  equal(shown.size, domains.length, 'overview: one row per domain');
  for (const d of domains) equal(shown.get(d.policy_domain), Number(d.messages), 'overview: messages of ' + d.policy_domain);
  const bars = await page.$$('svg.chart g.day');
  equal(bars.length, 30, 'overview: one chart bar per day of data');
  const shotPath = await shot(page, '1-overview');
  if (opt.docs) { mkdirSync(dirname(opt.docs), { recursive: true }); copyFileSync(shotPath, opt.docs); }

  // The domain filter, typed into the filter bar, changes the figures.
  const one = domains[0].policy_domain;
  let before = await readyToken(page);
  await page.fill('input[name=domain]', one);
  await page.press('input[name=domain]', 'Enter');
  await page.locator('input[name=domain]').dispatchEvent('change');
  await rerendered(page, before);
  const oneRows = exportRows('domains', ['--domain', one, '--since', FROM, '--until', END]);
  equal(await kpi(page, 'messages'), sum(oneRows, 'messages'), 'overview: the domain filter narrows the figures');
  check(page.url().includes('domain=' + encodeURIComponent(one)), 'the domain filter is kept in the URL', page.url());

  // The 7-day quick pick counts back from the chosen end day.
  before = await readyToken(page);
  await page.click('button[data-days="7"]');
  await rerendered(page, before);
  const week = exportRows('domains', ['--domain', one, '--since', '2025-03-25', '--until', END]);
  equal(await kpi(page, 'messages'), sum(week, 'messages'), 'overview: 7 days = export --since END-6');
  check((await page.$$('svg.chart g.day')).length === 7, 'overview: 7 bars for 7 days');

  // The result filter: DMARC failures only.
  before = await readyToken(page);
  await page.selectOption('select[name=result]', 'fail');
  await rerendered(page, before);
  const failMsgs = await kpi(page, 'messages');
  equal(failMsgs, sum(week, 'messages') - sum(week, 'dmarc_pass'), 'overview: result=fail shows the failing messages');

  // The export button downloads exactly what dmarcd export writes.
  await view(page, `${base}#/overview?${q}`);
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('a:has-text("Export CSV")')]);
  const got = readFileSync(await dl.path(), 'utf8');
  equal(got, dmarcd(['export', 'domains', '--db', db, '--since', FROM, '--until', END]), 'CSV download = dmarcd export domains');
}

async function sources(page, base) {
  const q = `from=${FROM}&to=${END}`;
  await view(page, `${base}#/sources?${q}`);
  const rows = exportRows('sources', ['--since', FROM, '--until', END]);
  const pagerText = await page.textContent('.pager');
  const total = Number((/of ([\d,]+)/.exec(pagerText) || [0, String(rows.length)])[1].replace(/,/g, ''));
  equal(total, rows.length, 'sources: one row per source IP and domain, as dmarcd export sources');
  const top = rows.reduce((a, b) => (Number(b.messages) > Number(a.messages) ? b : a));
  const first = await page.$eval('table.sources tbody tr td:nth-child(5)', (e) => Number(e.dataset.value));
  equal(first, Number(top.messages), 'sources: sorted by messages, the largest first');
  const rateCells = await page.$$eval('table.sources td.rate', (t) => t.map((e) => e.className));
  check(rateCells.every((c) => /rate-(\d+|na)/.test(c)), 'sources: pass-rate colour classes');
  await shot(page, '2-sources');

  // Sort by messages ascending through the header.
  let before = await readyToken(page);
  await page.click('table.sources th button:has-text("Messages")');
  await rerendered(page, before);
  const asc = await page.$eval('table.sources tbody tr td:nth-child(5)', (e) => Number(e.dataset.value));
  equal(asc, Math.min(...rows.map((r) => Number(r.messages))), 'sources: sorting by messages ascending');

  // The /24 and /48 grouping.
  before = await readyToken(page);
  await page.click('a:has-text("By /24")');
  await rerendered(page, before);
  const nets = await page.$$eval('table.sources tbody tr', (t) => t.map((r) => r.dataset.source));
  check(nets.length > 0 && nets.every((s) => s === '' || /\/(24|48)$/.test(s)), 'sources: grouped by /24 and /48', nets.slice(0, 5));
  await shot(page, '3-sources-prefix');

  // Click through a source to its records.
  await view(page, `${base}#/sources?${q}`);
  const src = await page.$eval('table.sources tbody tr', (r) => r.dataset.source);
  const dom = await page.$eval('table.sources tbody tr td:nth-child(4)', (e) => e.textContent);
  before = await readyToken(page);
  await page.click('table.sources tbody tr td a');
  await rerendered(page, before);
  check(page.url().includes('#/records?'), 'sources: the click-through opens the records', page.url());
  const recs = exportRows('records', ['--domain', dom, '--since', FROM, '--until', END]).filter((r) => r.source_ip === src);
  const counts = await page.$$eval('table.records tbody tr td:nth-child(5)', (t) => t.map((e) => Number(e.dataset.value)));
  const ips = await page.$$eval('table.records tbody tr td:nth-child(2)', (t) => t.map((e) => e.textContent));
  check(ips.length > 0 && ips.every((ip) => ip === src), 'records: only the chosen source', ips.slice(0, 3));
  if (recs.length <= 50) equal(counts.reduce((a, b) => a + b, 0), sum(recs, 'count'), 'records: the messages behind the source');
  await shot(page, '4-records');
}

async function reports(page, base) {
  const q = `from=${FROM}&to=${END}`;
  await view(page, `${base}#/reports?${q}`);
  const rows = exportRows('reports', ['--since', FROM, '--until', END]);
  const pagerText = await page.textContent('.pager');
  const total = Number((/of ([\d,]+)/.exec(pagerText) || [0, String(rows.length)])[1].replace(/,/g, ''));
  equal(total, rows.length, 'reports: as many as dmarcd export reports');
  await shot(page, '5-reports');
  const before = await readyToken(page);
  await page.click('table.reports tbody tr td:nth-child(2) a');
  await rerendered(page, before);
  check(/#\/report\/\d+/.test(page.url()), 'reports: the detail opens', page.url());
  const title = await page.textContent('h1');
  const org = title.replace(/^Report from /, '');
  const rid = await page.$eval('dl.details', (dl) => {
    const dts = [...dl.querySelectorAll('dt')];
    const i = dts.findIndex((d) => d.textContent === 'Report ID');
    return dl.querySelectorAll('dd')[i].textContent;
  });
  const want = rows.find((r) => r.org_name === org && r.report_id === rid);
  check(want !== undefined, 'report detail: an exported report', { org, rid });
  if (want) equal((await page.$$('table.records tbody tr')).length, Number(want.records), 'report detail: every record');
  await shot(page, '6-report');
}

async function failuresPage(page, base) {
  await view(page, `${base}#/failures?days=all`);
  const rows = exportRows('failures');
  if (rows.length) {
    const n = (await page.$$('table.failures tbody tr')).length;
    equal(n, Math.min(rows.length, 50), 'failures: as many as dmarcd export failures');
    await shot(page, '7-failures');
    const before = await readyToken(page);
    await page.click('table.failures tbody tr td a');
    await rerendered(page, before);
    check((await page.$$('dl.details dt')).length > 3, 'failure detail: the fields');
    await shot(page, '8-failure');
  } else {
    check(await page.$('[data-empty]') !== null, 'failures: the empty state');
    await shot(page, '7-failures');
  }
}

async function ingestLog(page, base) {
  await view(page, `${base}#/inputs`);
  check((await page.$$('table.inputs tbody tr')).length > 0, 'ingest log: rows');
  await shot(page, '9-ingest-log');
  const before = await readyToken(page);
  await page.click('.segmented a:has-text("refused")');
  await rerendered(page, before);
  const statuses = await page.$$eval('table.inputs tbody tr', (t) => t.map((r) => r.dataset.status));
  check(statuses.length > 0 && statuses.every((s) => s === 'refused'), 'ingest log: the refused filter', statuses);
  const reasons = await page.$$eval('table.inputs tbody tr td:last-child', (t) => t.map((e) => e.textContent));
  check(reasons.every((r) => /E_[A-Z_]+/.test(r)), 'ingest log: every refusal shows its code and reason', reasons.slice(0, 3));
  await shot(page, '10-ingest-log-refused');
}

/* A report that may be forged: the list and the detail say why, as dmarcd export reports does. */
async function forgedReportPage(page, base) {
  await view(page, `${base}#/reports?days=all&domain=${FORGED_DOMAIN}`);
  const want = exportRows('reports', ['--domain', FORGED_DOMAIN]);
  equal(want.length, 1, 'forged: one report');
  check(want[0].suspect.startsWith('its mail failed DMARC'), 'forged: the export says why', want[0].suspect);
  const badge = await page.$eval('table.reports tbody tr .badge.bad', (e) => [e.textContent, e.title]).catch(() => null);
  equal(badge && badge[0], 'possibly forged', 'forged: the list marks it');
  equal(badge && badge[1], want[0].suspect, 'forged: with the reason as its title');
  const before = await readyToken(page);
  await page.click('table.reports tbody tr td:nth-child(2) a');
  await rerendered(page, before);
  const said = await page.$eval('dl.details', (dl) => {
    const dts = [...dl.querySelectorAll('dt')];
    const i = dts.findIndex((d) => d.textContent === 'Possibly forged');
    return i < 0 ? null : dl.querySelectorAll('dd')[i].textContent;
  });
  check(said !== null && said.startsWith(want[0].suspect + ' — the advisor leaves it out'), 'forged: the detail says why', said);
}

async function hostileStrings(page, base) {
  await view(page, `${base}#/overview?days=all`);
  const shown = await page.$$eval('table.domains tbody tr', (t, d) => t.filter((r) => r.dataset.domain === d)
    .map((r) => r.querySelector('td.domain').textContent), XSS_DOMAIN);
  equal(shown.length, 1, 'xss: the hostile domain is listed');
  equal(shown[0], XSS_DOMAIN, 'xss: the domain renders as text');
  await noScriptRan(page, 'overview');
  await view(page, `${base}#/reports?days=all&domain=${encodeURIComponent(XSS_DOMAIN)}`);
  const org = await page.$eval('table.reports tbody tr td:nth-child(2)', (e) => e.textContent).catch(() => null);
  equal(org, XSS, 'xss: org_name renders as text');
  await noScriptRan(page, 'reports');
  const before = await readyToken(page);
  await page.click('table.reports tbody tr td:nth-child(2) a');
  await rerendered(page, before);
  equal(await page.textContent('h1'), 'Report from ' + XSS, 'xss: report title');
  equal(await page.evaluate(() => document.querySelectorAll('script').length), 1, 'xss: no script element added');
  equal(await page.evaluate(() => document.querySelectorAll('main img, main svg[onload], main [onerror]').length), 0, 'xss: no element from the payload');
  await noScriptRan(page, 'report detail');
  await shot(page, '11-hostile-report');
  await view(page, `${base}#/sources?days=all&domain=${encodeURIComponent(XSS_DOMAIN)}`);
  await noScriptRan(page, 'sources');
}

/* The advice as the API and `dmarcd advise --json` give it. */
async function advice(base, domain, query) {
  const res = await fetch(`${base}api/v1/advice?domain=${encodeURIComponent(domain)}${query ? '&' + query : ''}`);
  check(res.ok, 'advice API: ' + domain + ' ' + (query || ''), res.status);
  return res.json();
}

function adviceCli(domain, argv) {
  return JSON.parse(dmarcd(['advise', '--db', db, '--json', ...(argv || []), domain]))[0];
}

const impactValue = (page, name) => page.$eval(`[data-impact="${name}"] .value`, (e) => Number(e.dataset.value));

async function advisor(page, base) {
  // From the overview's row of the domain to its advice.
  await view(page, `${base}#/overview?from=${FROM}&to=${END}`);
  let before = await readyToken(page);
  await page.click(`table.domains tr[data-domain="${ADVISED}"] a.advisor-link`);
  await rerendered(page, before);
  check(page.url().includes('#/advisor?domain=' + encodeURIComponent(ADVISED)), 'overview: the Advisor link opens the advice', page.url());
  const api = await advice(base, ADVISED);
  const cli = adviceCli(ADVISED);
  const verdict = await page.textContent('[data-verdict]');
  equal(verdict, api.verdict, 'advisor: the verdict shown = the API\'s');
  equal(verdict, cli.verdict, 'advisor: the verdict shown = dmarcd advise --json');
  check(/^(READY|NOT READY|PROVISIONAL|AT REJECT|REGRESSION)$/.test(verdict), 'advisor: a verdict', verdict);
  check(await page.$eval('[data-block="verdict"]', (e, v) => e.classList.contains('verdict-' + v), verdict.toLowerCase().replace(' ', '-')), 'advisor: the verdict is coloured by its kind');
  const ids = await page.$$eval('table.conditions tbody tr', (t) => t.map((r) => r.dataset.condition));
  equal(ids.length, cli.conditions.length, 'advisor: one row per condition, as dmarcd advise');
  equal(ids.join(' '), api.conditions.map((c) => c.id).join(' '), 'advisor: the conditions of the API, in order');
  const states = await page.$$eval('table.conditions tbody tr', (t) => t.map((r) => r.dataset.state));
  equal(states.join(' '), api.conditions.map((c) => (c.ok ? 'ok' : c.data ? 'data' : 'fail')).join(' '), 'advisor: each condition\'s badge');
  equal((await page.$$('ol.fixes li')).length, api.fixes.length, 'advisor: every fix listed');
  const senders = await page.$$eval('table.senders tbody tr', (t) => t.map((r) => Number(r.querySelector('td:nth-child(3)').dataset.value)));
  equal(senders.join(' '), api.senders.map((x) => x.window.messages).join(' '), 'advisor: the senders and their messages');
  equal(await page.textContent('pre.record code'), `_dmarc.${ADVISED} TXT "${api.next_record}"`, 'advisor: the next record');
  equal(await page.$('[data-note="rua"]') !== null, !api.record_complete, 'advisor: the note on an incomplete record');
  equal(await impactValue(page, 'affected'), api.impact.affected, 'advisor: the simulated impact');
  await shot(page, 'advisor');

  // The simulation selector asks the API again.
  const impactBefore = await page.textContent('[data-block="impact"]');
  before = await readyToken(page);
  await page.selectOption('select[name=simulate]', 'reject');
  await rerendered(page, before);
  before = await readyToken(page);
  await page.fill('input[name=pct]', '50');
  await page.locator('input[name=pct]').dispatchEvent('change');
  await rerendered(page, before);
  check(page.url().includes('simulate=reject') && page.url().includes('pct=50'), 'advisor: the simulation is kept in the URL', page.url());
  const sim = adviceCli(ADVISED, ['--simulate', 'reject', '--pct', '50']);
  equal(sim.impact.p + '/' + sim.impact.pct, 'reject/50', 'dmarcd advise --simulate reject --pct 50');
  check((await page.textContent('[data-block="impact"] h2')).includes('p=reject at pct=50'), 'advisor: the impact block names the simulated policy');
  check(await page.textContent('[data-block="impact"]') !== impactBefore, 'advisor: the impact block changes with the simulation');
  for (const k of ['affected', 'legit_at_risk', 'indirect_at_risk', 'spoofing_stopped'])
    equal(await impactValue(page, k), sim.impact[k], 'advisor: simulated ' + k + ' = dmarcd advise --simulate reject --pct 50');
  const affected = await page.$$eval('table.senders tbody tr td:nth-child(6)', (t) => t.map((e) => Number(e.dataset.value)));
  equal(affected.join(' '), sim.senders.map((x) => x.affected).join(' '), 'advisor: each sender\'s simulated hits');

  // The window selector.
  before = await readyToken(page);
  await page.click('.pagehead .segmented a:has-text("60 days")');
  await rerendered(page, before);
  const w60 = adviceCli(ADVISED, ['--window', '60', '--simulate', 'reject', '--pct', '50']);
  check(page.url().includes('window=60'), 'advisor: the window is kept in the URL', page.url());
  equal((await page.$$('table.senders tbody tr')).length, w60.senders.length, 'advisor: the senders of 60 days');
  equal(await impactValue(page, 'affected'), w60.impact.affected, 'advisor: the impact over 60 days');

  // A sender opens its first network on the Sources page, over the advice's window.
  const first = w60.senders.find((x) => /^[0-9a-f.:]+\/\d+$/i.test((x.networks || '').split(',')[0].trim()));
  check(first !== undefined, 'advisor: a sender with a network', w60.senders.map((x) => x.networks));
  if (first) {
    const net = first.networks.split(',')[0].trim();
    before = await readyToken(page);
    await page.click(`table.senders tbody tr:nth-child(${w60.senders.indexOf(first) + 1}) td:first-child a`);
    await rerendered(page, before);
    const url = new URL(page.url().replace('#/', ''));
    equal(url.searchParams.get('source'), net, 'advisor: a sender opens the Sources page on its first network');
    equal(url.searchParams.get('to'), w60.as_of, 'advisor: ... up to the advice\'s last day');
    check((await page.$$('table.sources tbody tr')).length > 0, 'advisor: the sender\'s sources are listed');
  }

  // A past day: as_of in the page's URL reaches the API, as dmarcd advise --as-of.
  const asOf = '2025-03-15';
  await view(page, `${base}#/advisor?domain=${ADVISED}&as_of=${asOf}`);
  const past = adviceCli(ADVISED, ['--as-of', asOf]);
  equal(past.as_of, asOf, 'dmarcd advise --as-of');
  check((await page.textContent('.pagehead .sub')).includes('data up to ' + asOf), 'advisor: as_of: the page says the day judged', await page.textContent('.pagehead .sub'));
  equal(await page.textContent('[data-verdict]'), past.verdict, 'advisor: as_of: the verdict of dmarcd advise --as-of');
  equal(await impactValue(page, 'affected'), past.impact.affected, 'advisor: as_of: the impact of dmarcd advise --as-of');
  check((await page.getAttribute('.pagehead a.button:has-text("JSON")', 'href')).includes('as_of=' + asOf), 'advisor: as_of: the JSON link keeps it');

  // No data: the empty state.
  await view(page, `${base}#/advisor?domain=no-reports.example`);
  check(await page.$('[data-empty]') !== null, 'advisor: the empty state of a domain without reports');
}

async function hostileAdvice(page, base) {
  await view(page, `${base}#/advisor?domain=${HOSTILE_SENDER}`);
  const api = await advice(base, HOSTILE_SENDER);
  const label = api.senders.map((x) => x.label).find((l) => l.includes('<img src=x onerror='));
  check(label !== undefined, 'xss: the payload reaches a sender label', api.senders.map((x) => x.label));
  const shown = await page.$$eval('table.senders tbody tr td:first-child a', (t) => t.map((e) => e.textContent));
  check(shown.includes(label), 'xss: the sender label renders as text', shown);
  check((await page.$$eval('ol.fixes li', (t) => t.map((e) => e.textContent))).some((f) => f.includes('</script>')), 'xss: a fix naming the sender renders as text');
  equal(await page.evaluate(() => document.querySelectorAll('script').length), 1, 'xss: no script element added (advisor)');
  equal(await page.evaluate(() => document.querySelectorAll('main img, main svg[onload], main [onerror]').length), 0, 'xss: no element from the payload (advisor)');
  await noScriptRan(page, 'advisor');
  // A policy domain that is no domain name: a 400 the page shows (on a page of its own: the 400 is logged).
  const refused = await newPage(page.context().browser());
  await view(refused, `${base}#/advisor?domain=${encodeURIComponent(XSS_DOMAIN)}`);
  check((await refused.textContent('main [role=alert]') || '').includes('domain: not a domain name'), 'advisor: a domain that is no domain name is refused');
  await noScriptRan(refused, 'advisor on a hostile domain');
  check(refused.errors.length === 1 && refused.errors[0].includes('400'), 'advisor: only the 400 logged', refused.errors);
  await refused.context().close();
}

async function phone(browser, base) {
  const page = await newPage(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await view(page, `${base}#/overview?from=${FROM}&to=${END}`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 1, 'phone: no sideways scrolling of the page', overflow);
  await shot(page, '12-phone-overview');
  await view(page, `${base}#/advisor?domain=${ADVISED}`);
  const advOverflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(advOverflow <= 1, 'phone: no sideways scrolling of the advisor', advOverflow);
  await shot(page, '13-phone-advisor');
  check(page.errors.length === 0, 'phone: no console errors', page.errors);
  await page.context().close();
}

/* The dashboard under a sub-path: every request stays under it. */
async function subPath(browser) {
  const s = await serve(['--base-path', '/dmarc']);
  try {
    const page = await newPage(browser);
    const urls = [];
    page.on('request', (r) => urls.push(new URL(r.url()).pathname));
    await view(page, `http://127.0.0.1:${s.port}/dmarc/#/overview?from=${FROM}&to=${END}`);
    const domains = exportRows('domains', ['--since', FROM, '--until', END]);
    equal(await kpi(page, 'messages'), sum(domains, 'messages'), 'sub-path: the overview figures');
    check(urls.length > 3 && urls.every((u) => u.startsWith('/dmarc/')), 'sub-path: every request under /dmarc/', urls);
    await view(page, `http://127.0.0.1:${s.port}/dmarc/#/sources?from=${FROM}&to=${END}`);
    check((await page.$$('table.sources tbody tr')).length > 0, 'sub-path: sources');
    check(page.errors.length === 0, 'sub-path: no console errors', page.errors);
    await page.context().close();
  } finally { await stop(s); }
}

async function authentication(browser) {
  const hash = dmarcd(['hash-password'], 'correct horse\n').trim();
  check(hash.startsWith('$6$'), 'hash-password prints a SHA-512 crypt hash', hash);
  const hashFile = join(work, 'hash');
  writeFileSync(hashFile, hash + '\n', { mode: 0o600 });
  const s = await serve(['--auth-user', 'admin', '--auth-hash-file', hashFile]);
  try {
    const url = `http://127.0.0.1:${s.port}/api/v1/reporters`;
    const basic = (u, p) => ({ Authorization: 'Basic ' + Buffer.from(u + ':' + p).toString('base64') });
    equal((await fetch(`http://127.0.0.1:${s.port}/`)).status, 401, 'auth: no credentials, no dashboard');
    equal((await fetch(url, { headers: basic('admin', 'wrong') })).status, 401, 'auth: a wrong password is refused');
    equal((await fetch(url, { headers: basic('root', 'correct horse') })).status, 401, 'auth: a wrong user is refused');
    equal((await fetch(url, { headers: basic('admin', 'correct horse') })).status, 200, 'auth: the right password');
    const ok = await newPage(browser, { httpCredentials: { username: 'admin', password: 'correct horse' } });
    await view(ok, `http://127.0.0.1:${s.port}/#/overview?from=${FROM}&to=${END}`);
    check(await kpi(ok, 'messages') > 0, 'auth: the dashboard with the right password');
    await ok.context().close();
  } finally { await stop(s); }
}

function remoteRefused() {
  let status = 0, out = '';
  try {
    execFileSync(opt.dmarcd, ['serve', '--db', db, '--listen', '0.0.0.0:0'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20000 });
  } catch (err) { status = err.status; out = String(err.stderr); }
  equal(status, 1, 'serve on 0.0.0.0 without auth exits 1');
  check(out.includes('refusing to listen on 0.0.0.0:0 without authentication'), 'serve on 0.0.0.0 without auth says why', out);
}

/*
 * --docs-db: the README's picture of the Sources page from a real database
 * (the demo's, named by dmarcd enrich), in place of the seeded one.
 */
async function docsSources(browser) {
  const s = await serve([], opt.docsDb);
  try {
    const page = await newPage(browser);
    await page.goto(`http://127.0.0.1:${s.port}/#/sources`);
    await page.waitForSelector('table.sources tbody tr');
    await page.screenshot({ path: join(dirname(opt.docs), 'sources.png') });
    await page.context().close();
  } finally {
    await stop(s);
  }
}

async function main() {
  fill();
  seedNames();
  remoteRefused();
  const s = await serve();
  const base = `http://127.0.0.1:${s.port}/`;
  const browser = await chromium.launch(LAUNCH);
  try {
    const page = await newPage(browser);
    for (const [name, fn] of [['overview', overview], ['sources', sources], ['reports', reports],
      ['failures', failuresPage], ['ingest log', ingestLog], ['forged report', forgedReportPage],
      ['hostile strings', hostileStrings], ['names', names],
      ['advisor', advisor], ['hostile advice', hostileAdvice]]) {
      try { await fn(page, base); } catch (err) { check(false, name + ': ' + err.message); }
    }
    check(page.errors.length === 0, 'no console errors or CSP violations', page.errors);
    await page.context().close();
    for (const [name, fn] of [['phone', phone], ['sub-path', subPath], ['auth', authentication]]) {
      try { await fn(browser, base); } catch (err) { check(false, name + ': ' + err.message); }
    }
    if (opt.docs && opt.docsDb) await docsSources(browser);
  } finally {
    await browser.close();
    const st = await stop(s);
    check(st.code === 0, 'dmarcd serve stops cleanly on SIGTERM', { ...st, log: s.log().slice(-2000) });
  }
  console.log(`browser: ${checks - failures}/${checks} checks passed; screenshots in ${opt.artifacts}`);
  if (!failures) rmSync(work, { recursive: true, force: true });
  else console.log('browser: data kept in ' + work);
  process.exit(failures ? 1 : 0);
}

main().catch((err) => { console.error(err); process.exit(1); });
