// A telecaller adds a walk-in customer on the phone with no network, after the app was
// reloaded offline: the number is checked as it is typed (by the phone-number module,
// which the app loads after start and the service worker keeps for offline use), a number
// already on the phone is flagged as a duplicate, and the new lead reaches the server once
// the network is back, stored in E.164.

import assert from 'node:assert/strict';
import { cutNetwork, ms, restoreNetwork, sampleLeads, scenario, seedTelecaller, waitFor } from './harness.mjs';

scenario('a lead added offline has its number checked as typed, and reaches the server', async ({ server, phone }) => {
  // Arrange: a telecaller with three leads, synced; then no network and a reload.
  const leads = sampleLeads(3);
  const { admin, telecaller } = await seedTelecaller(server, leads);
  const p = await phone('phone');
  await p.loginAndSync(telecaller);
  await p.waitServiceWorker();
  const { page } = p;

  // Numbers that arrived by sync are shown formatted, the way people read them.
  const shown = await page.locator('[data-testid=lead-card] .mobile').textContent({ timeout: ms(10_000) });
  assert.match(shown.trim(), /^\+91 \d{5} \d{5}$/, `the card shows the number formatted: "${shown}"`);

  // Only the service worker's cache may answer from here on, not the browser's HTTP cache
  // (which a phone short of space empties first).
  const cdp = await p.cdp();
  await cdp.send('Network.clearBrowserCache');
  await cdp.detach();
  await cutNetwork(server, [p]);
  const reload = await page.reload({ waitUntil: 'domcontentloaded' });
  assert.ok(reload?.fromServiceWorker(), 'the reloaded page came from the service worker');
  await p.waitScreen('queue');

  // Act: the add form, typing as people do.
  await page.locator('[data-testid=tab-add]').tap();
  await p.waitScreen('add', 10_000);
  const mobile = page.locator('input[name=mobile]');
  const hint = page.locator('label:has(input[name=mobile]) .hint');
  await page.locator('input[name=name]').fill('Ravi Kumar');

  // Assert: a short number is refused in words, before saving.
  await mobile.fill('98450 1234');
  await waitFor(async () => (await hint.getAttribute('class')).includes('bad'), { what: 'the hint to flag a short number', seen: () => hint.textContent() });
  assert.match(await hint.textContent(), /too short/, 'the hint says the number is too short');

  // …a number already on the phone, typed another way, is a duplicate of that lead…
  await mobile.fill(`+91 ${leads[0].mobile.slice(0, 5)} ${leads[0].mobile.slice(5)}`);
  const duplicate = page.locator('[data-testid=duplicate]');
  await duplicate.waitFor({ timeout: ms(10_000) });
  assert.ok((await duplicate.textContent()).includes(leads[0].name), `the duplicate box names ${leads[0].name}: ${await duplicate.textContent()}`);

  // …and a new one shows how it will be saved.
  await mobile.fill('098450-12345');
  await waitFor(async () => (await hint.textContent()) === 'Saved as +91 98450 12345', { what: 'the hint to show the saved form', seen: () => hint.textContent() });
  assert.equal(await duplicate.count(), 0, 'no duplicate box for a new number');

  await page.locator('form.lead-form button[type=submit]').tap();
  const detail = page.locator('[data-testid=lead-detail]');
  await detail.waitFor({ timeout: ms(10_000) });
  assert.equal((await detail.locator('.mobile').textContent()).trim(), '+91 98450 12345', 'the new lead shows its number formatted');
  await p.waitWaiting(1);

  // Editing it starts from the number as shown, not its E.164 form.
  await detail.locator('button:has-text("Edit")').tap();
  await p.waitScreen('edit', 10_000);
  await waitFor(async () => (await mobile.inputValue()) === '+91 98450 12345', { what: 'the edit form to show the number formatted', seen: () => mobile.inputValue() });

  // Act: the network comes back.
  await restoreNetwork(server, [p]);
  await p.waitWaiting(0, 60_000);

  // Assert: the server has the lead, number in E.164, assigned to her.
  const found = await admin.searchLeads('Ravi Kumar');
  const row = found.leads.find((l) => l.name === 'Ravi Kumar');
  assert.ok(row, `the server has Ravi Kumar: ${JSON.stringify(found)}`);
  assert.equal(row.mobile, '+919845012345', 'stored in E.164');
  assert.equal(row.assignee, telecaller.id, 'assigned to the telecaller who added it');

  // All of it (both wasm modules, the service worker, sync) ran under the server's
  // Content-Security-Policy without tripping it.
  const violations = p.console.filter((m) => /Content Security Policy/i.test(m));
  assert.deepEqual(violations, [], 'no Content-Security-Policy violations');
});
