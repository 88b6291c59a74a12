// The end-to-end harness: the real `dialbook-server` binary serving the built PWA, an
// admin API client over fetch, and phone-like headless Chromium contexts driven by
// playwright-core. Tests (`*.test.mjs`), `screenshots.mjs` and `bench.mjs` build on it.
//
// It owns processes, ports, temp folders and browsers, and cleans them up; it asserts
// nothing about the app beyond "the page got where the test asked it to go" (that is the
// tests' job). Nothing here sleeps for a fixed time: every wait is a condition with a
// deadline, so a busy 2-core machine is slower, not flaky.
//
// Environment:
//   DIALBOOK_SERVER_BIN  a prebuilt server, used as is (default target/debug/dialbook-server,
//                        built with `cargo build -p dialbook-server` when missing or older
//                        than core/, sync-server/, migrations/)
//   DIALBOOK_DIST        a built PWA, used as is (default dist/, built with scripts/build-pwa
//                        when missing or older than pwa/, core/, service-worker/, manifest/)
//   CHROMIUM             the browser (default /usr/bin/chromium)
//   E2E_DEADLINE_SCALE   multiply every deadline (default 1; try 3 on a very slow box)
//   E2E_HEADED=1         show the browser (needs a display)

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const ADMIN_PASSWORD = 'e2e-admin-password';
export const SCREENSHOT_DIR = path.join(ROOT, 'docs', 'screenshots');
const FAILURE_DIR = path.join(ROOT, 'target', 'e2e-failures');
const SCALE = Number(process.env.E2E_DEADLINE_SCALE || 1);

/** A deadline in ms, scaled by E2E_DEADLINE_SCALE. */
export const ms = (n) => Math.round(n * SCALE);

// ---------------------------------------------------------------------------------------
// Waiting on conditions

/**
 * Calls `check` until it returns something truthy, and returns that. Throws after
 * `timeout` ms with `what` and the last value or error seen (or, given `seen`, what that
 * async function describes), so a failure says what it was waiting for and how far it got.
 */
export async function waitFor(check, { timeout = 30_000, what = 'a condition', interval = 50, seen: describe } = {}) {
  const deadline = Date.now() + ms(timeout);
  let last;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
      last = value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      let seen = last instanceof Error ? `last error: ${last.message}` : `last value: ${JSON.stringify(last)}`;
      if (describe) seen = await describe().catch((e) => `${seen}; and describing it failed: ${e.message}`);
      throw new Error(`timed out after ${(ms(timeout) / 1000).toFixed(0)} s waiting for ${what} (${seen})`);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

// ---------------------------------------------------------------------------------------
// Building what is missing

/** The newest modification time (ms) of any file under `paths` (relative to ROOT). */
function newestMtime(paths) {
  let newest = 0;
  const visit = (p) => {
    let st;
    try {
      st = fs.statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      for (const name of fs.readdirSync(p)) if (name !== 'node_modules' && name !== 'target') visit(path.join(p, name));
    } else newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of paths) visit(path.join(ROOT, p));
  return newest;
}

const mtime = (file) => (fs.existsSync(file) ? fs.statSync(file).mtimeMs : 0);
const sleepSync = (msecs) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, msecs);

/**
 * Runs `command` when `output` is missing or older than any of `sources` (the last build
 * is remembered in a stamp under target/, since a no-change rebuild leaves the output's
 * time alone). A lock keeps test files run in parallel from building at once.
 */
function buildIfStale({ what, output, sources, command, args = [] }) {
  const stamp = path.join(ROOT, 'target', `e2e-${what}.stamp`);
  const lock = `${stamp}.lock`;
  const stale = () => !fs.existsSync(output) || newestMtime(sources) > Math.max(mtime(stamp), mtime(output));
  if (!stale()) return;
  fs.mkdirSync(path.dirname(stamp), { recursive: true });
  for (;;) {
    try {
      fs.closeSync(fs.openSync(lock, 'wx'));
      break;
    } catch {
      // Another test file is building; a lock older than 30 min is left from a killed run.
      if (Date.now() - mtime(lock) > 30 * 60_000) fs.rmSync(lock, { force: true });
      sleepSync(500);
    }
  }
  try {
    if (!stale()) return;
    const started = Date.now();
    console.error(`e2e: ${what} is missing or older than its sources: ${command} ${args.join(' ')}`);
    const r = spawnSync(command, args, { cwd: ROOT, stdio: ['ignore', 2, 2] });
    if (r.status !== 0) throw new Error(`\`${command} ${args.join(' ')}\` failed (${r.error?.message ?? `exit ${r.status}`})`);
    fs.writeFileSync(stamp, `${new Date(started).toISOString()}\n`);
    fs.utimesSync(stamp, started / 1000, started / 1000); // sources edited during the build stay newer
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

/** The server binary: DIALBOOK_SERVER_BIN as is, or target/debug's, rebuilt if stale. */
export function serverBinary() {
  if (process.env.DIALBOOK_SERVER_BIN) return path.resolve(process.env.DIALBOOK_SERVER_BIN);
  const bin = path.join(ROOT, 'target', 'debug', 'dialbook-server');
  buildIfStale({
    what: 'server',
    output: bin,
    sources: ['Cargo.toml', 'Cargo.lock', 'core', 'sync-server', 'migrations'],
    command: 'cargo',
    args: ['build', '--locked', '-p', 'dialbook-server'],
  });
  return bin;
}

/** The built PWA: DIALBOOK_DIST as is, or dist/, rebuilt by scripts/build-pwa if stale. */
export function distDir() {
  if (process.env.DIALBOOK_DIST) return path.resolve(process.env.DIALBOOK_DIST);
  const dist = path.join(ROOT, 'dist');
  buildIfStale({
    what: 'pwa',
    output: path.join(dist, 'index.html'),
    sources: ['Cargo.toml', 'Cargo.lock', 'core', 'pwa', 'service-worker', 'manifest', 'scripts/build-pwa'],
    command: path.join(ROOT, 'scripts', 'build-pwa'),
  });
  return dist;
}

// ---------------------------------------------------------------------------------------
// The server

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// Servers still running, killed if this process exits without stopping them (a test
// runner's timeout, an uncaught error): no orphan keeps a port or a database open.
const LIVE = new Set();
process.on('exit', () => {
  for (const child of LIVE) child.kill('SIGKILL');
});

/**
 * The real server on a fresh SQLite database and a port of its own. `stop()` and
 * `start()` keep the port and the database, so the browser sees the same origin (same
 * service worker, same IndexedDB) come back: that is how the tests cut the network.
 */
export class Server {
  constructor({ bin, dist, dir, port }) {
    Object.assign(this, { bin, dist, dir, port });
    this.origin = `http://127.0.0.1:${port}`;
    this.log = []; // stdout and stderr of every run, for failure reports
    this.child = null;
  }

  static async start({ dist = distDir(), env = {} } = {}) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dialbook-e2e-'));
    const server = new Server({ bin: serverBinary(), dist, dir, port: await freePort() });
    server.env = env;
    try {
      await server.start();
    } catch (e) {
      await server.dispose();
      throw e;
    }
    return server;
  }

  get running() {
    return this.child !== null;
  }

  async start() {
    if (this.child) throw new Error('the server is already running');
    const args = [
      'serve',
      '--listen', `127.0.0.1:${this.port}`,
      '--database-url', `sqlite://${path.join(this.dir, 'dialbook.db')}`,
      '--static-dir', this.dist,
    ];
    this.log.push(`--- start: ${path.relative(ROOT, this.bin)} ${args.join(' ')}`);
    const child = spawn(this.bin, args, {
      env: { ...process.env, DIALBOOK_ADMIN_PASSWORD: ADMIN_PASSWORD, RUST_LOG: process.env.RUST_LOG || 'info', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    child.exited = exited;
    for (const stream of [child.stdout, child.stderr]) {
      stream.setEncoding('utf8');
      let partial = '';
      stream.on('data', (chunk) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop();
        this.log.push(...lines);
      });
    }
    exited.then(({ code, signal }) => {
      this.log.push(`--- exited: code ${code}, signal ${signal}`);
      if (this.child === child) this.child = null;
    });
    LIVE.add(child);
    exited.then(() => LIVE.delete(child));
    const up = await waitFor(
      async () => {
        if (this.child !== child) return 'exited';
        const r = await fetch(`${this.origin}/health`);
        return r.ok && 'up';
      },
      { timeout: 30_000, what: `${this.origin}/health`, interval: 25 },
    ).catch((e) => {
      throw new Error(`${e.message}\n${this.tail()}`);
    });
    if (up === 'exited') throw new Error(`the server exited while starting:\n${this.tail()}`);
  }

  /** SIGTERM (graceful: open requests finish), then SIGKILL if it is still up. */
  async stop() {
    const child = this.child;
    if (!child) return;
    child.kill('SIGTERM');
    let timer;
    const killed = await Promise.race([child.exited, new Promise((r) => (timer = setTimeout(() => r(null), ms(15_000))))]);
    clearTimeout(timer);
    if (!killed) {
      this.log.push('--- did not stop within 15 s of SIGTERM: SIGKILL');
      child.kill('SIGKILL');
      await child.exited;
    }
    // The port is free again once the process is gone; wait until nothing answers there,
    // so a test that "cut the network" really has.
    await waitFor(async () => !(await fetch(`${this.origin}/health`).then(() => true, () => false)), {
      timeout: 5_000,
      what: 'the server port to stop answering',
    });
  }

  async dispose() {
    await this.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  tail(lines = 200) {
    return this.log.slice(-lines).join('\n');
  }
}

// ---------------------------------------------------------------------------------------
// The admin API

/** A JSON API client for one origin, signed in as whoever `login` was given. */
export class Api {
  constructor(origin, token = null) {
    this.origin = origin;
    this.token = token;
  }

  async request(method, url, body) {
    const headers = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const r = await fetch(this.origin + url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${url} → ${r.status}: ${text}`);
    return (r.headers.get('content-type') || '').includes('json') ? JSON.parse(text) : text;
  }

  /** Signs in (one session per device name); returns a client carrying the token. */
  static async login(origin, username, password, deviceName = 'e2e harness') {
    const api = new Api(origin);
    const reply = await api.request('POST', '/api/login', { username, password, device_name: deviceName });
    api.token = reply.token;
    api.user = reply.user;
    return api;
  }

  static admin(server) {
    return Api.login(server.origin, 'admin', ADMIN_PASSWORD, 'e2e admin');
  }

  /** Creates a user; returns its row ({id, username, …}). */
  createUser(username, password, role = 'telecaller', displayName) {
    return this.request('POST', '/api/admin/users', { username, password, role, display_name: displayName });
  }

  /**
   * Imports leads as CSV, all assigned to `assignTo` (a user id; omit for the pool).
   * `leads` are objects; their keys are the CSV columns (`name`, `mobile`, anything else
   * becomes a custom field). Returns the per-row report, and fails if a row did not import.
   */
  async importLeads(leads, { assignTo, source = 'e2e' } = {}) {
    const columns = [...new Set(leads.flatMap((l) => Object.keys(l)))];
    const cell = (v) => {
      const s = v === undefined || v === null ? '' : String(v);
      return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
    };
    const csv = [columns.join(','), ...leads.map((l) => columns.map((c) => cell(l[c])).join(','))].join('\n') + '\n';
    const report = await this.request('POST', '/api/admin/leads/import', {
      format: 'csv',
      data: csv,
      assign: assignTo === undefined ? 'unassigned' : { user: assignTo },
      source,
    });
    if (report.imported !== leads.length) {
      const bad = report.rows.filter((r) => r.status !== 'imported').map((r) => r.message);
      throw new Error(`imported ${report.imported} of ${leads.length} leads: ${bad.slice(0, 5).join('; ')}`);
    }
    return report;
  }

  /** Admin lead search (name, number, reg. no.): `{total, leads: [row]}`. */
  searchLeads(q = '', extra = {}) {
    const params = new URLSearchParams({ q, ...extra });
    return this.request('GET', `/api/admin/leads?${params}`);
  }

  /** One lead as the server holds it, with its whole timeline (`activities`). */
  lead(id) {
    return this.request('GET', `/api/admin/leads/${encodeURIComponent(id)}`);
  }

  /** The calls on a lead as the server sees them: `[{outcome, at, by, device, note, …}]`. */
  async calls(id) {
    const lead = await this.lead(id);
    return lead.activities
      .filter((a) => a.kind && typeof a.kind === 'object' && 'Call' in a.kind)
      .map((a) => ({ at: a.at, by: a.by, device: a.device, ...a.kind.Call }))
      .sort((a, b) => a.at - b.at);
  }
}

/**
 * A server with a telecaller who owns `leads` (objects for `Api.importLeads`): the usual
 * arrangement of a test. Returns `{admin, telecaller: {id, username, password}, report}`.
 */
export async function seedTelecaller(server, leads, { username = 'priya', password = 'priya-password-1', displayName = 'Priya S.' } = {}) {
  const admin = await Api.admin(server);
  const user = await admin.createUser(username, password, 'telecaller', displayName);
  const report = leads.length ? await admin.importLeads(leads, { assignTo: user.id }) : null;
  return { admin, telecaller: { id: user.id, username, password, displayName }, report };
}

// Lists that look like a car-service company's leads, the same every run.
const FIRST = ['Ravi', 'Priya', 'Suresh', 'Anita', 'Vikram', 'Meena', 'Arjun', 'Kavya', 'Rahul', 'Divya', 'Sanjay', 'Pooja', 'Manoj', 'Lakshmi', 'Imran', 'Fatima', 'Harpreet', 'Gopal', 'Neha', 'Karthik'];
const LAST = ['Kumar', 'Sharma', 'Reddy', 'Iyer', 'Patel', 'Nair', 'Singh', 'Das', 'Khan', 'Menon', 'Rao', 'Joshi', 'Gupta', 'Pillai', 'Verma'];
const CARS = ['Swift', 'i20', 'Nexon', 'Creta', 'Baleno', 'City', 'Innova', 'XUV700', 'Alto', 'Venue'];
const CITIES = ['Bengaluru', 'Pune', 'Chennai', 'Hyderabad', 'Mumbai', 'Kochi'];
const SOURCES = ['Facebook ad', 'Walk-in', 'Website', 'Referral', 'JustDial'];
const STATES = ['KA', 'MH', 'TN', 'TS', 'KL'];

/** `n` distinct leads with valid Indian mobiles (98xxx xxxxx), names, car and reg. no. */
export function sampleLeads(n, { offset = 0 } = {}) {
  return Array.from({ length: n }, (_, k) => {
    const i = k + offset;
    const name = `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]}`;
    return {
      name: i < FIRST.length * LAST.length ? name : `${name} ${Math.floor(i / (FIRST.length * LAST.length)) + 1}`,
      mobile: `98${String(45_000_000 + i * 7).padStart(8, '0')}`,
      source: SOURCES[i % SOURCES.length],
      car_model: CARS[i % CARS.length],
      city: CITIES[i % CITIES.length],
      reg_no: `${STATES[i % STATES.length]}${String(1 + (i % 50)).padStart(2, '0')}AB${String(1000 + ((i * 37) % 9000))}`,
    };
  });
}

/** How the app labels each outcome (core's `CallOutcome::label`). */
export const OUTCOME_LABELS = {
  interested: 'Interested',
  callback: 'Call back',
  no_answer: 'No answer',
  busy: 'Busy / switched off',
  not_interested: 'Not interested',
  wrong_number: 'Wrong number',
  converted: 'Converted',
};

// ---------------------------------------------------------------------------------------
// The browser

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--no-sandbox', // the machines run as root
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-quic',
  // Two phones run side by side: neither may be throttled as a background window.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
  // Desktop Chromium 156's omnibox popup is a web page of its own (chrome://omnibox-popup,
  // 414 JS modules), built in a renderer of its own at every browser start, headless too:
  // traced, ~2.5 s of CPU in the first two seconds, on the same two cores as the page under
  // test, all through the cold start after a relaunch. A phone's browser has no such page,
  // so it is switched off. Chromium honours only the last --disable-features it is given
  // and Playwright passes its own list first, so this one repeats playwright-core 1.64's
  // (chromiumSwitches.ts, in package-lock.json) before adding the two features.
  `--disable-features=${[
    'AimEnabled', 'AutoDeElevate', 'AvoidCorsURLLoaderRestartOnRedirect', 'AvoidUnnecessaryBeforeUnloadCheckSync',
    'BlockOriginHeaderModificationOnRedirect', 'DestroyProfileOnBrowserClose', 'DialMediaRouteProvider',
    'GlobalMediaControls', 'HttpsUpgrades', 'LensOverlay', 'MediaRouter', 'NetworkTimeServiceQuerying',
    'OptimizationHints', 'PaintHolding', 'ThirdPartyStoragePartitioning', 'Translate',
    'WebUIOmniboxPopup', 'WebUIOmniboxAimPopup',
  ].join(',')}`,
];

/** A mid-range Android phone in India: 412×915 CSS px at 2.625×, touch, en-IN, IST. */
export const PHONE = {
  viewport: { width: 412, height: 915 },
  screen: { width: 412, height: 915 },
  deviceScaleFactor: 2.625,
  isMobile: true,
  hasTouch: true,
  locale: 'en-IN',
  timezoneId: 'Asia/Kolkata',
  userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36',
  serviceWorkers: 'allow',
};

/**
 * One phone: a Chromium with a profile folder of its own (IndexedDB, caches and the
 * service worker on disk, as on a phone) and one page on `server`'s origin.
 *
 * A persistent profile rather than `browser.newContext()`: Playwright's plain contexts
 * are incognito, where Chromium refuses to install apps ("in-incognito") and keeps
 * IndexedDB in memory, which would make cold-start figures meaningless. `relaunch()`
 * quits this Chromium and starts a new one on the same profile: the app's cold start.
 *
 * Collects the page's console and errors for failure reports, and the numbers the app
 * dialled (`dialled`; see `launch` for how `tel:` links are handled).
 */
export class Phone {
  static async open(server, { name = 'phone', colorScheme = 'light', ...options } = {}) {
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), `dialbook-e2e-${name.replace(/\W+/g, '_')}-`));
    const phone = new Phone(name, server, profile, { ...PHONE, colorScheme, baseURL: server.origin, ...options });
    await phone.launch();
    return phone;
  }

  constructor(name, server, profile, options) {
    Object.assign(this, { name, server, profile, options });
    this.console = [];
    this.dialled = [];
    this.offline = false;
  }

  async launch() {
    this.context = await chromium.launchPersistentContext(this.profile, {
      executablePath: CHROMIUM,
      headless: process.env.E2E_HEADED !== '1',
      args: CHROMIUM_ARGS,
      ...this.options,
      offline: this.offline,
    });
    // The dialler. A `tel:` link tapped in headless Chromium starts a navigation that is
    // aborted (net::ERR_ABORTED, after a `beforeunload`); the page stays, but Playwright
    // then waits on that navigation forever: the next tap never completes and its events
    // never reach the page. So the phone cancels `tel:` link clicks (capture phase, before
    // the app's own handlers, which still run) and hands the number to the test. That is
    // what a user sees anyway: the dialler opens, the call ends, they are back in the app.
    await this.context.exposeBinding('__dialbookDial', (_source, number) => {
      this.dialled.push(number);
    });
    await this.context.addInitScript(() => {
      window.__dialbookTaps = 0;
      document.addEventListener(
        'click',
        (e) => {
          // Every tap the page receives, counted in the page itself (see calling_loop).
          window.__dialbookTaps += 1;
          const link = e.target instanceof Element ? e.target.closest('a[href^="tel:"]') : null;
          if (link) {
            e.preventDefault();
            window.__dialbookDial(link.getAttribute('href').slice('tel:'.length));
          }
        },
        { capture: true },
      );
    });
    this.page = this.context.pages()[0] ?? (await this.context.newPage());
    const { name, page } = this;
    page.on('console', (m) => this.console.push(`[${name}] ${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => this.console.push(`[${name}] pageerror: ${e.message}`));
  }

  /** Quits this phone's Chromium and starts it again on the same profile (offline stays). */
  async relaunch() {
    await this.context.close();
    await this.launch();
  }

  // --- navigation and sign-in ----------------------------------------------------------

  async goto(url = '/') {
    await this.page.goto(url, { waitUntil: 'domcontentloaded' });
  }

  /** The app's root element (`[data-screen]`), once the wasm has rendered it. */
  root() {
    return this.page.locator('[data-screen]');
  }

  async screen() {
    return this.root().getAttribute('data-screen', { timeout: ms(30_000) });
  }

  async waitScreen(screen, timeout = 30_000) {
    await this.page.locator(`[data-screen="${screen}"]`).waitFor({ timeout: ms(timeout) });
  }

  /** Signs in through the login form; throws with the form's alert text if it refuses. */
  async login(username, password) {
    const { page } = this;
    await page.locator('input[name=username]').waitFor({ timeout: ms(30_000) });
    await page.locator('input[name=username]').fill(username);
    await page.locator('input[name=password]').fill(password);
    await page.locator('button[type=submit]').tap();
    const outcome = await waitFor(
      async () => {
        if (await page.locator('[role=alert]').count()) {
          const text = (await page.locator('[role=alert]').first().textContent())?.trim();
          if (text) return { error: text };
        }
        if (await page.locator('[data-testid=first-sync], [data-screen]').count()) return { ok: true };
        return null;
      },
      { timeout: 30_000, what: `${this.name}: login to finish (first sync or the queue showing)` },
    );
    if (outcome.error) throw new Error(`${this.name}: login refused: ${outcome.error}`);
  }

  /**
   * Waits until the first sync is over and the queue shows what was synced: a lead card
   * when `expectLeads` (the default), the empty state otherwise.
   */
  async waitFirstSync({ expectLeads = true, timeout = 60_000 } = {}) {
    const { page } = this;
    const want = expectLeads ? '[data-testid=lead-card]' : '[data-testid=queue-empty]';
    await waitFor(
      async () => (await page.locator('[data-testid=first-sync]').count()) === 0 && (await page.locator(want).count()) > 0,
      { timeout, what: `${this.name}: the first sync to finish and ${want} to show` },
    );
  }

  async loginAndSync(user, opts) {
    await this.goto('/');
    await this.login(user.username, user.password);
    await this.waitFirstSync(opts);
  }

  /** Waits until the app's service worker is active (its install precached the shell). */
  async waitServiceWorker() {
    await waitFor(
      () => this.page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.active?.state === 'activated'),
      { timeout: 30_000, what: `${this.name}: the app's service worker to be registered and active`, interval: 100 },
    );
  }

  // --- network -------------------------------------------------------------------------

  async setOffline(offline) {
    await this.context.setOffline(offline);
    this.offline = offline;
  }

  // --- the sync status -----------------------------------------------------------------

  status() {
    return this.page.locator('[data-testid=sync-status]');
  }

  /** `{online, waiting}` from the always-visible sync status. */
  /** The keys of the app's IndexedDB `meta` store, read in the page (a connection of its own). */
  async storedMetaKeys() {
    return this.page.evaluate(
      () =>
        new Promise((resolve, reject) => {
          const open = indexedDB.open('dialbook');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const keys = open.result.transaction('meta').objectStore('meta').getAllKeys();
            keys.onsuccess = () => {
              open.result.close();
              resolve(keys.result);
            };
          };
        }),
    );
  }

  async syncStatus() {
    const s = this.status();
    const [online, waiting] = await Promise.all([s.getAttribute('data-online', { timeout: ms(10_000) }), s.getAttribute('data-waiting', { timeout: ms(10_000) })]);
    return { online: online === 'true', waiting: Number(waiting) };
  }

  async waitWaiting(n, timeout = 30_000) {
    let last;
    await waitFor(
      async () => {
        last = await this.syncStatus();
        return last.waiting === n;
      },
      { timeout, what: `${this.name}: sync status to show ${n} waiting`, interval: 100 },
    ).catch((e) => {
      throw new Error(`${e.message}; last status ${JSON.stringify(last)}`);
    });
  }

  // --- the queue and the outcome sheet -------------------------------------------------

  card() {
    return this.page.locator('[data-testid=lead-card]').first();
  }

  /** The lead id and name on the queue's current card. */
  async currentLead() {
    const card = this.card();
    await card.waitFor({ timeout: ms(30_000) });
    const [id, name] = await Promise.all([card.getAttribute('data-lead-id'), card.locator('[data-testid=lead-name]').textContent()]);
    return { id, name: name.trim() };
  }

  sheet() {
    return this.page.locator('[data-testid=outcome-sheet]');
  }

  /** Taps the current card's call button and waits for the outcome sheet. */
  async dial() {
    const lead = await this.currentLead();
    await this.card().locator('a[data-testid=call]').tap();
    await this.sheet().waitFor({ timeout: ms(10_000) });
    return lead;
  }

  /**
   * One call from the queue: dial the current card, tap `outcome`, and wait until the
   * sheet has closed and the card has moved on (or the queue is empty). Returns the lead.
   */
  async logCall(outcome) {
    const lead = await this.dial();
    await this.sheet().locator(`button[data-outcome=${outcome}]`).tap();
    await this.sheet().waitFor({ state: 'hidden', timeout: ms(10_000) });
    await this.page.locator('[data-testid=toast]').first().waitFor({ timeout: ms(10_000) });
    await waitFor(
      async () => {
        if (await this.page.locator('[data-testid=queue-empty]').count()) return true;
        const next = await this.card().getAttribute('data-lead-id', { timeout: 1000 }).catch(() => null);
        return next !== null && next !== lead.id;
      },
      { timeout: 10_000, what: `${this.name}: the queue to move past ${lead.name} after "${outcome}"`, seen: () => this.queueTop() },
    );
    return lead;
  }

  /** What the queue shows on top, in words, for failure messages. */
  async queueTop() {
    if (await this.page.locator('[data-testid=queue-empty]').count()) return 'the queue is empty';
    if (!(await this.card().count())) return `no lead card; the screen is ${await this.root().getAttribute('data-screen').catch(() => '?')}`;
    const top = await this.currentLead();
    return `the queue still shows ${top.name} (${top.id}) on top`;
  }

  // --- leads and the timeline ----------------------------------------------------------

  /** Leads tab → search → tap the row of `lead` → its detail screen. */
  async openLead(lead) {
    const { page } = this;
    await page.locator('[data-testid=tab-leads]').tap();
    const search = page.locator('input[type=search]');
    await search.waitFor({ timeout: ms(10_000) });
    await search.fill(lead.name);
    const row = page.locator(`[data-testid=lead-row][data-lead-id="${lead.id}"]`);
    await row.tap({ timeout: ms(10_000) });
    await page.locator(`[data-testid=lead-detail][data-lead-id="${lead.id}"] [data-testid=timeline][data-loaded=true]`).waitFor({ timeout: ms(10_000) });
  }

  /** The text of each call entry in the open lead's timeline. */
  async timelineCalls() {
    return this.page.locator('[data-testid=timeline] [data-kind=call]').allTextContents();
  }

  // --- measuring and looking -----------------------------------------------------------

  /** A DevTools protocol session on this phone's page. */
  cdp() {
    return this.context.newCDPSession(this.page);
  }

  /** Saves a PNG of the viewport as docs/screenshots/<name>.png; returns its path. */
  async screenshot(name) {
    return screenshot(this.page, name);
  }

  async close() {
    await this.context?.close().catch(() => {});
    fs.rmSync(this.profile, { recursive: true, force: true });
  }
}

export async function screenshot(page, name, dir = SCREENSHOT_DIR) {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
  return file;
}

/** Both halves of "no network": the phone's network off, and the server down. */
export async function cutNetwork(server, phones) {
  for (const p of phones) await p.setOffline(true);
  await server.stop();
}

/** The server back on the same port and database, and the phones' network on. */
export async function restoreNetwork(server, phones) {
  await server.start();
  for (const p of phones) await p.setOffline(false);
}

// ---------------------------------------------------------------------------------------
// Tests

/**
 * A `node:test` test with a fresh server, and phones made on demand, all torn down
 * afterwards. On failure it prints the server's log and the phones' consoles, and saves a
 * screenshot of every phone to target/e2e-failures/. `body` gets
 * `{server, phone(name, options), t}`.
 */
export function scenario(name, body, { timeout = 180_000 } = {}) {
  test(name, { timeout: ms(timeout) }, async (t) => {
    const server = await Server.start();
    const phones = [];
    const phone = async (phoneName = 'phone', opts) => {
      const p = await Phone.open(server, { name: phoneName, ...opts });
      phones.push(p);
      return p;
    };
    try {
      await body({ server, phone, t });
    } catch (e) {
      fs.mkdirSync(FAILURE_DIR, { recursive: true });
      const slug = name.replace(/[^a-z0-9]+/gi, '_').toLowerCase();
      for (const p of phones) {
        await p.page.screenshot({ path: path.join(FAILURE_DIR, `${slug}-${p.name}.png`) }).catch(() => {});
      }
      console.error(`\n===== ${name}: FAILED =====`);
      console.error(`--- server log (last 200 lines) ---\n${server.tail()}`);
      for (const p of phones) console.error(`--- ${p.name} console (last 100) ---\n${p.console.slice(-100).join('\n')}`);
      console.error(`--- screenshots in ${path.relative(ROOT, FAILURE_DIR)}/${slug}-*.png`);
      throw e;
    } finally {
      for (const p of phones) await p.close();
      await server.dispose();
    }
  });
}

/** Median and 95th percentile of a list of numbers (nearest rank). */
export function percentiles(values) {
  const s = [...values].sort((a, b) => a - b);
  const rank = (p) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
  return { p50: rank(0.5), p95: rank(0.95), min: s[0], max: s[s.length - 1], n: s.length };
}
