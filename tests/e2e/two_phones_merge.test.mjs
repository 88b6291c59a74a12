// The same telecaller on two phones, both without network, each logs a different call on
// the same lead. When the network is back and both have synced, each phone shows both
// calls on that lead: neither phone's offline work overwrote the other's.

import assert from 'node:assert/strict';
import { OUTCOME_LABELS, cutNetwork, restoreNetwork, sampleLeads, scenario, seedTelecaller, waitFor } from './harness.mjs';

scenario('calls logged offline on two phones on one lead both show on both phones', async ({ server, phone }) => {
  // Arrange: two phones signed in as one telecaller, both synced.
  const { admin, telecaller } = await seedTelecaller(server, sampleLeads(3));
  const a = await phone('phone-a');
  const b = await phone('phone-b');
  await a.loginAndSync(telecaller);
  await b.loginAndSync(telecaller);
  await a.waitWaiting(0);
  await b.waitWaiting(0);

  // Act: both lose the network; each calls the lead at the top of its queue (the same
  // lead: the phones hold the same leads and order them the same way).
  await cutNetwork(server, [a, b]);
  const onA = await a.logCall('no_answer');
  const onB = await b.logCall('busy');
  assert.equal(onA.id, onB.id, `both phones had the same lead on top (${onA.name} / ${onB.name})`);
  const lead = onA;
  await a.waitWaiting(1);
  await b.waitWaiting(1);

  // …and both get it back.
  await restoreNetwork(server, [a, b]);

  // Assert: both pushed, and the server merged the two calls.
  await a.waitWaiting(0, 60_000);
  await b.waitWaiting(0, 60_000);
  const onServer = await waitFor(async () => {
    const calls = await admin.calls(lead.id);
    return calls.length >= 2 && calls;
  }, { what: `the server to hold both calls on ${lead.name}` });
  assert.deepEqual(onServer.map((c) => c.outcome).sort(), ['busy', 'no_answer']);

  // Each phone shows both calls once it has pulled the other's push. The phone that
  // pushed first learns of the second push from the server's poke; a user would see it
  // on the lead's screen, reopening it if need be (which is what this does every 5 s).
  const want = [OUTCOME_LABELS.no_answer, OUTCOME_LABELS.busy];
  for (const p of [a, b]) {
    let entries = [];
    let opened = 0;
    await waitFor(
      async () => {
        if (Date.now() - opened > 5_000) {
          await p.openLead(lead);
          opened = Date.now();
        }
        entries = await p.timelineCalls();
        return entries.length === 2 && want.every((label) => entries.some((e) => e.includes(label)));
      },
      { timeout: 60_000, what: `${p.name} to show both calls on ${lead.name}`, interval: 200 },
    ).catch((e) => assert.fail(`${e.message}; its timeline's calls: ${JSON.stringify(entries)}`));
  }
});
