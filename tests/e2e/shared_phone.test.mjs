// One phone, two telecallers in turn (a shared office phone). After Priya signs out, Ravi
// signing in sees only his own leads — none of hers — and if Priya left calls that never
// reached the server, Ravi is not let in until she has sent them, so they are not lost.

import assert from 'node:assert/strict';
import { cutNetwork, restoreNetwork, sampleLeads, scenario, seedTelecaller, waitFor } from './harness.mjs';

async function signOut(p) {
  // The menu warns about unsent changes with a confirm(); the user says yes.
  p.page.once('dialog', (d) => d.accept());
  await p.page.getByRole('button', { name: 'Menu' }).tap();
  await p.page.getByRole('button', { name: 'Sign out' }).tap();
  await p.page.locator('input[name=username]').waitFor();
}

async function leadNames(p) {
  await p.page.locator('[data-testid=tab-leads]').tap();
  await p.page.locator('input[type=search]').waitFor();
  return p.page.locator('[data-testid=lead-row] .row-title').allTextContents();
}

scenario('the next person to sign in on a phone sees none of the last one\'s leads', async ({ server, phone }) => {
  // Arrange: Priya and Ravi, each with leads of their own; Priya uses the phone first.
  const { admin, telecaller: priya } = await seedTelecaller(server, sampleLeads(3));
  const ravi = { username: 'ravi', password: 'ravi-password-1' };
  const user = await admin.createUser(ravi.username, ravi.password, 'telecaller', 'Ravi M.');
  const raviLeads = sampleLeads(2, { offset: 100 });
  await admin.importLeads(raviLeads, { assignTo: user.id });
  const p = await phone('shared');
  await p.loginAndSync(priya);

  // Act
  await signOut(p);
  await p.login(ravi.username, ravi.password);
  await p.waitFirstSync();

  // Assert: Ravi's two leads, and nothing of Priya's.
  let names = [];
  await waitFor(async () => (names = await leadNames(p)).length === 2, { what: 'Ravi\'s leads to be listed', seen: () => names });
  assert.deepEqual(names.map((n) => n.replace(/(New|Attempted).*$/, '').trim()).sort(), raviLeads.map((l) => l.name).sort());
});

scenario('a phone with someone\'s unsent calls does not let the next person in', async ({ server, phone }) => {
  const { admin, telecaller: priya } = await seedTelecaller(server, sampleLeads(3));
  await admin.createUser('ravi', 'ravi-password-1', 'telecaller', 'Ravi M.');
  const p = await phone('shared');
  await p.loginAndSync(priya);

  // Priya logs a call with no network and signs out before it was sent.
  await cutNetwork(server, [p]);
  const called = await p.logCall('interested');
  await p.waitWaiting(1);
  await signOut(p);
  await restoreNetwork(server, [p]);

  // Ravi is refused, with the reason.
  await p.page.locator('input[name=username]').fill('ravi');
  await p.page.locator('input[name=password]').fill('ravi-password-1');
  await p.page.locator('button[type=submit]').tap();
  const alert = p.page.locator('[role=alert]');
  await alert.waitFor();
  assert.match(await alert.textContent(), /not on the server yet/);

  // Priya signs in again: her call goes up, nothing lost.
  await p.login(priya.username, priya.password);
  await p.waitWaiting(0, 60_000);
  const calls = await waitFor(async () => {
    const c = await admin.calls(called.id);
    return c.length === 1 && c;
  }, { what: `the server to have Priya's offline call on ${called.name}` });
  assert.equal(calls[0].outcome, 'interested');
});
