// A telecaller with no network logs three calls, the app is reloaded while still offline,
// and nothing is lost: the shell comes from the service worker, the calls are still in
// the leads' timelines and counted as waiting, and once the network is back the server
// has every call with the outcome that was tapped.

import assert from 'node:assert/strict';
import { OUTCOME_LABELS, cutNetwork, restoreNetwork, sampleLeads, scenario, seedTelecaller, waitFor } from './harness.mjs';

scenario('calls logged offline survive a reload and reach the server when the network is back', async ({ server, phone }) => {
  // Arrange: a telecaller with six leads, signed in and synced on a phone.
  const { admin, telecaller } = await seedTelecaller(server, sampleLeads(6));
  const p = await phone('phone');
  await p.loginAndSync(telecaller);
  await p.waitServiceWorker();
  await p.waitWaiting(0);

  // Act: no network at all (the phone is offline and the server is down), three calls.
  await cutNetwork(server, [p]);
  await waitFor(async () => (await p.syncStatus()).online === false, { what: 'the sync status to show offline' });
  const outcomes = ['no_answer', 'busy', 'interested'];
  const called = [];
  for (const outcome of outcomes) called.push({ ...(await p.logCall(outcome)), outcome });
  assert.equal(new Set(called.map((c) => c.id)).size, 3, `three different leads were called: ${JSON.stringify(called)}`);
  await p.waitWaiting(3);
  // What the queue shows now, from the lead summaries: the reload must show the same.
  const queueBefore = { top: await p.currentLead(), count: await p.page.locator('.queue-count').textContent() };
  // The start after the reload reads the summary snapshot made at this start plus the
  // three leads changed since (each marked when its call was stored), not every summary.
  const stored = await p.storedMetaKeys();
  assert.ok(stored.includes('summary-snapshot'), `a summary snapshot is stored: ${JSON.stringify(stored)}`);
  for (const call of called) assert.ok(stored.includes(`changed:${call.id}`), `${call.name} is marked changed since the snapshot`);

  // She also chose the dark theme (kept on the phone, like the calls).
  await p.page.locator('button[aria-label=Menu]').tap();
  await p.page.getByRole('button', { name: 'Dark', exact: true }).tap();
  assert.equal(await p.page.locator('html').getAttribute('data-theme'), 'dark', 'Dark is on at once');
  await waitFor(async () => (await p.storedMetaKeys()).includes('theme'), { what: 'the theme choice to be stored' });

  // …and the app is reloaded, still with no network.
  const reload = await p.page.reload({ waitUntil: 'domcontentloaded' });

  // Assert: the app came back from the service worker, with the calls still there.
  assert.ok(reload?.fromServiceWorker(), 'the reloaded page came from the service worker');
  await p.waitScreen('queue');
  assert.equal(await p.page.locator('html').getAttribute('data-theme'), 'dark', 'the app starts in the theme she chose');
  assert.deepEqual(
    { top: await p.currentLead(), count: await p.page.locator('.queue-count').textContent() },
    queueBefore,
    'the queue after the reload is the one before: the called leads are not back as new',
  );
  // The status bar fills in once the sync loop has read the outbox: wait for it.
  await p.waitWaiting(3);
  assert.deepEqual(await p.syncStatus(), { online: false, waiting: 3 }, 'after the reload: offline, 3 leads waiting to sync');
  for (const call of called) {
    await p.openLead(call);
    const entries = await p.timelineCalls();
    assert.equal(entries.length, 1, `${call.name}'s timeline has the one call: ${JSON.stringify(entries)}`);
    assert.ok(entries[0].includes(OUTCOME_LABELS[call.outcome]), `${call.name}'s call shows "${OUTCOME_LABELS[call.outcome]}": ${entries[0]}`);
  }

  // Act: the network comes back (same server, same port, same database).
  await restoreNetwork(server, [p]);

  // Assert: everything is sent, and the server has each call once, as tapped, by her.
  await p.waitWaiting(0, 60_000);
  assert.equal((await p.syncStatus()).online, true, 'the sync status shows online');
  for (const call of called) {
    const calls = await admin.calls(call.id);
    assert.equal(calls.length, 1, `the server has one call on ${call.name}: ${JSON.stringify(calls)}`);
    assert.equal(calls[0].outcome, call.outcome, `${call.name}'s call outcome on the server`);
    assert.equal(calls[0].by, telecaller.id, `${call.name}'s call is by the telecaller`);
  }
});
