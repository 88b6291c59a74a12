// Figures a telecaller feels, measured in headless Chromium against the real server:
//
//   node tests/e2e/bench.mjs [--leads 5000] [--starts 9] [--calls 30] [--call-ms 2000]
//
//   (a) cold start with no network to an interactive queue card, 5,000 leads in
//       IndexedDB, CPU throttled 4× (a cheap Android phone): navigation start →
//       performance mark `dialbook:queue-interactive`. Twice: reloading the page (the
//       browser process stays warm) and relaunching Chromium on the same profile (the
//       app opened again after being swiped away). Also the first sync of those leads.
//   (b) tap an outcome → the call is durable in IndexedDB (`dialbook:outcome-durable`
//       measures), 4× throttled, online (sync runs alongside, as it does on a phone).
//       Each call lasts --call-ms (2 s; real ones last minutes): the tap comes after the
//       call, as it does on a phone, not while the app is still storing the dial itself.
//   (c) what a first visit downloads: encoded (brotli) bytes of the wasm, JS and CSS the
//       page fetches, per file and in total.
//
// A benchmark, not a test: it prints figures beside their goals and fails only if it
// cannot measure. Build the PWA in release first (scripts/build-pwa); the server's build
// profile barely matters here (it serves files and one first sync).

import { parseArgs } from 'node:util';
import path from 'node:path';
import { Phone, Server, cutNetwork, ms, percentiles, restoreNetwork, sampleLeads, seedTelecaller, waitFor } from './harness.mjs';

const { values: args } = parseArgs({
  options: {
    leads: { type: 'string', default: '5000' },
    starts: { type: 'string', default: '9' },
    calls: { type: 'string', default: '30' },
    'call-ms': { type: 'string', default: '2000' },
  },
});
const LEADS = Number(args.leads);
const STARTS = Number(args.starts);
const CALLS = Number(args.calls);
const CALL_MS = Number(args['call-ms']);
const THROTTLE = 4;

const fmt = (n) => `${Math.round(n).toLocaleString('en-US')}`;
const line = (label, value, goal) => console.log(`  ${label.padEnd(58)} ${value.padStart(16)}   ${goal ?? ''}`);

async function throttle(p) {
  const cdp = await p.cdp();
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLE });
  return cdp;
}

/** ms from navigation start to the app's `dialbook:queue-interactive` mark. */
async function queueInteractive(p) {
  const handle = await p.page.waitForFunction(
    () => performance.getEntriesByName('dialbook:queue-interactive', 'mark')[0]?.startTime,
    null,
    { timeout: ms(60_000), polling: 50 },
  );
  return handle.jsonValue();
}

const server = await Server.start();
const phones = [];
try {
  console.log(`Dialbook PWA benchmark (${path.relative(process.cwd(), server.dist) || '.'}), CPU throttled ${THROTTLE}× where noted\n`);

  // ---- (a) first sync, then cold starts offline ------------------------------------------
  const seedStart = Date.now();
  const { telecaller } = await seedTelecaller(server, sampleLeads(LEADS));
  console.log(`(a) ${fmt(LEADS)} leads imported for the telecaller in ${fmt(Date.now() - seedStart)} ms (plain leads, no call history)`);

  const p = await Phone.open(server, { name: 'bench' });
  phones.push(p);
  await p.goto('/');
  const syncStart = Date.now();
  await p.login(telecaller.username, telecaller.password);
  await p.waitFirstSync({ timeout: 300_000 });
  const firstSync = Date.now() - syncStart;
  await p.waitWaiting(0, 60_000);
  await p.waitServiceWorker();
  line(`first sync of ${fmt(LEADS)} leads (login → queue), unthrottled`, `${fmt(firstSync)} ms`);

  await cutNetwork(server, [p]);
  const reloads = [];
  for (let i = 0; i < STARTS; i++) {
    const cdp = await throttle(p);
    await p.page.reload({ waitUntil: 'commit' });
    reloads.push(await queueInteractive(p));
    await cdp.detach();
  }
  const relaunches = [];
  for (let i = 0; i < STARTS; i++) {
    await p.relaunch();
    const cdp = await throttle(p);
    await p.page.goto(server.origin + '/', { waitUntil: 'commit' });
    relaunches.push(await queueInteractive(p));
    await cdp.detach();
  }
  for (const [label, values] of [['reload', reloads], ['relaunch Chromium', relaunches]]) {
    const s = percentiles(values);
    line(`cold start offline → queue card, ${label}, ${THROTTLE}× CPU`, `p50 ${fmt(s.p50)} ms`, 'goal ≤ 1,000 ms');
    line('', `p95 ${fmt(s.p95)} ms`, `(n=${s.n}, min ${fmt(s.min)}, max ${fmt(s.max)})`);
  }

  // ---- (b) outcome tap → durable -------------------------------------------------------
  await restoreNetwork(server, [p]);
  await p.page.reload({ waitUntil: 'domcontentloaded' });
  await p.card().waitFor({ timeout: ms(30_000) });
  const cdp = await throttle(p);
  const outcomes = ['no_answer', 'busy', 'no_answer', 'not_interested', 'interested'];
  // Per tap (keyed by its start): how long to durable, and when each step was reached.
  const taps = new Map();
  for (let i = 0; i < CALLS; i++) {
    // Not `logCall`: this measures the write, whichever lead the queue shows next.
    await p.dial();
    // The call itself (the dialler is not really opened: see Phone.dial).
    await new Promise((resolve) => setTimeout(resolve, CALL_MS));
    await p.sheet().locator(`button[data-outcome=${outcomes[i % outcomes.length]}]`).tap();
    await p.sheet().waitFor({ state: 'hidden', timeout: ms(10_000) });
    const entries = await p.page.evaluate(() => {
      // Where the time goes: the first mark of each step after the tap.
      const after = (name, t) => performance.getEntriesByName(name, 'mark').find((m) => m.startTime >= t)?.startTime;
      return performance.getEntriesByName('dialbook:outcome-durable', 'measure').map((m) => [
        m.startTime,
        m.duration,
        ['dialbook:edit-ahead', 'dialbook:edit-read', 'dialbook:edit-issued'].map((name) => after(name, m.startTime) - m.startTime),
      ]);
    });
    for (const [start, duration, steps] of entries) taps.set(start, { duration, steps });
  }
  await cdp.detach();
  if (taps.size < CALLS) throw new Error(`${CALLS} calls logged but only ${taps.size} dialbook:outcome-durable measures`);
  const d = percentiles([...taps.values()].map((t) => t.duration));
  console.log(`\n(b) ${CALLS} calls logged from the queue, online, ${THROTTLE}× CPU, each call ${CALL_MS / 1000} s`);
  line('outcome tap → durable in IndexedDB', `p50 ${d.p50.toFixed(1)} ms`);
  line('', `p95 ${d.p95.toFixed(1)} ms`, `goal ≤ 30 ms   (max ${d.max.toFixed(1)})`);
  // The same taps, step by step (ms after the tap, p50 / p95).
  const steps = ['edit made on the loaded copy', 'stored doc read', 'edit confirmed, writes issued (then commit)'];
  steps.forEach((label, i) => {
    const s = percentiles([...taps.values()].map((t) => t.steps[i]).filter(Number.isFinite));
    if (s.n) line(`  tap → ${label}`, `${s.p50.toFixed(1)} / ${s.p95.toFixed(1)} ms`, `(n=${s.n})`);
  });
  await p.waitWaiting(0, 60_000);

  // ---- (c) first-load transfer ---------------------------------------------------------
  const fresh = await Phone.open(server, { name: 'first-visit' });
  phones.push(fresh);
  const net = await fresh.cdp();
  await net.send('Network.enable');
  await net.send('Network.setCacheDisabled', { cacheDisabled: true });
  // Chromium 156 already offers br to http://127.0.0.1; said explicitly so the figure is the
  // brotli one whatever a later Chromium offers to a plain-HTTP origin (phones use HTTPS).
  await net.send('Network.setExtraHTTPHeaders', { headers: { 'Accept-Encoding': 'br, gzip' } });
  const responses = new Map();
  net.on('Network.responseReceived', ({ requestId, response }) =>
    responses.set(requestId, { url: response.url, encoding: response.headers['content-encoding'] ?? response.headers['Content-Encoding'] ?? 'identity', headerBytes: response.encodedDataLength ?? 0 }),
  );
  const finished = new Map();
  net.on('Network.loadingFinished', ({ requestId, encodedDataLength }) => finished.set(requestId, encodedDataLength));
  await fresh.goto('/');
  await fresh.page.locator('input[name=username]').waitFor({ timeout: ms(30_000) });
  await waitFor(() => [...responses.keys()].every((id) => finished.has(id)), { what: 'every first-load response to finish' });
  const files = [...responses.entries()]
    .map(([id, r]) => ({ ...r, path: new URL(r.url).pathname, bytes: finished.get(id) - r.headerBytes }))
    .filter((f) => /\.(wasm|js|css)$/.test(f.path));
  console.log(`\n(c) first visit: the page's wasm, JS and CSS as sent (body bytes, Accept-Encoding: br, gzip)`);
  for (const f of files.sort((x, y) => y.bytes - x.bytes)) line(`${f.path} (${f.encoding})`, `${fmt(f.bytes)} B`);
  const total = files.reduce((n, f) => n + f.bytes, 0);
  line('total', `${(total / 1024).toFixed(1)} KB`, 'goal ≤ 500 KB');
  const uncompressed = files.filter((f) => f.encoding !== 'br');
  if (uncompressed.length) console.log(`  not brotli: ${uncompressed.map((f) => f.path).join(', ')}`);
  console.log('  (the service worker then precaches the shell in the background; not counted here)');
} catch (e) {
  console.error(`bench failed: ${e.stack}\n--- server log ---\n${server.tail(60)}`);
  for (const p of phones) console.error(`--- ${p.name} console ---\n${p.console.slice(-40).join('\n')}`);
  process.exitCode = 1;
} finally {
  for (const p of phones) await p.close();
  await server.dispose();
}
