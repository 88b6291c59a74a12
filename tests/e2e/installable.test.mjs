// Chromium offers to install Dialbook on the home screen: no installability errors once
// the service worker is active, a manifest with the fields a launcher needs and icons
// that are really there at the sizes it claims, and the start URL opening with no network.

import assert from 'node:assert/strict';
import { cutNetwork, scenario, waitFor } from './harness.mjs';

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes) {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  assert.deepEqual([...bytes.subarray(0, 8)], sig, 'not a PNG');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return `${view.getUint32(16)}x${view.getUint32(20)}`;
}

scenario('Chromium can install the app from its origin', async ({ server, phone }) => {
  // Arrange: a first visit, and the service worker installed and active.
  const p = await phone('phone');
  await p.goto('/');
  await p.waitServiceWorker();
  const cdp = await p.cdp();

  // Act: ask Chromium what it thinks of the page as an app. The manifest is fetched
  // after the page loads, so "no manifest yet" may come first: wait for a settled answer.
  let errors;
  await waitFor(
    async () => {
      ({ installabilityErrors: errors } = await cdp.send('Page.getInstallabilityErrors'));
      return errors.length === 0;
    },
    { timeout: 15_000, what: 'Page.getInstallabilityErrors to report none' },
  ).catch((e) => assert.fail(`${e.message}\ninstallability errors: ${JSON.stringify(errors, null, 2)}`));
  const { url: manifestUrl, errors: manifestErrors, data } = await cdp.send('Page.getAppManifest');

  // Assert: Chromium parsed the manifest without complaint…
  assert.ok(manifestUrl, 'the page links a manifest');
  assert.deepEqual(manifestErrors, [], 'manifest parse errors');
  const parsed = JSON.parse(data);

  // …the server sends it as a manifest, and not stale after a release…
  const reply = await fetch(manifestUrl);
  assert.equal(reply.status, 200);
  assert.match(reply.headers.get('content-type'), /^application\/manifest\+json/);
  assert.equal(reply.headers.get('cache-control'), 'no-cache');
  const manifest = await reply.json();
  assert.deepEqual(manifest, parsed, 'the manifest over HTTP is the one Chromium read');

  // …with what a home-screen launcher shows and opens…
  assert.equal(manifest.name, 'Dialbook');
  assert.ok(manifest.short_name && manifest.short_name.length <= 12, `short_name ${manifest.short_name} fits under an icon`);
  assert.equal(manifest.display, 'standalone');
  const origin = new URL(server.origin);
  const start = new URL(manifest.start_url, manifestUrl);
  const scope = new URL(manifest.scope ?? './', manifestUrl);
  assert.equal(start.origin, origin.origin, 'start_url is on the app origin');
  assert.ok(start.href.startsWith(scope.href), `start_url ${start} is inside scope ${scope}`);
  assert.match(manifest.theme_color ?? '', /^#[0-9a-f]{3,8}$/i, 'theme_color');
  assert.match(manifest.background_color ?? '', /^#[0-9a-f]{3,8}$/i, 'background_color');

  // …and icons that exist, at the sizes they claim: 192 and 512 for launchers and the
  // splash screen, and maskable ones so Android does not shrink them into a white circle.
  const pngs = manifest.icons.filter((i) => i.type === 'image/png');
  for (const purpose of ['any', 'maskable']) {
    for (const size of ['192x192', '512x512']) {
      assert.ok(
        pngs.some((i) => i.sizes === size && (i.purpose ?? 'any').split(' ').includes(purpose)),
        `a ${size} PNG icon with purpose ${purpose}`,
      );
    }
  }
  for (const icon of manifest.icons) {
    const url = new URL(icon.src, manifestUrl);
    const r = await fetch(url);
    assert.equal(r.status, 200, `${url.pathname} is served`);
    assert.equal(r.headers.get('content-type')?.split(';')[0], icon.type, `${url.pathname} content type`);
    if (icon.type === 'image/png') assert.equal(pngSize(new Uint8Array(await r.arrayBuffer())), icon.sizes, `${url.pathname} is the size it claims`);
  }

  // Launched from the home screen with no network, the start URL opens from the
  // service worker's cache.
  await cutNetwork(server, [p]);
  const offline = await p.page.goto(start.href, { waitUntil: 'domcontentloaded' });
  assert.ok(offline, 'a response for the start URL');
  assert.equal(offline.status(), 200, 'the start URL opens offline');
  assert.ok(offline.fromServiceWorker(), 'the start URL came from the service worker');
});
