// Working the queue is fast: from the end of one call (back from the dialler, the outcome
// sheet showing) to dialling the next lead takes at most two taps, for every lead.
//
// The "user" here does what a telecaller does: taps the outcome, and then the next
// lead's call button as soon as it is there. If the sheet asks for more after the outcome
// (a follow-up time), this user taps the first follow-up chip too, and it counts. The taps are
// counted twice: by the script, and by the page itself (every click it receives), and
// the two must agree.

import assert from 'node:assert/strict';
import { sampleLeads, scenario, seedTelecaller, waitFor, ms } from './harness.mjs';

const N = 5;
// A realistic run: most calls are not answered.
const OUTCOMES = ['no_answer', 'busy', 'not_interested', 'no_answer', 'interested'];

scenario('from call end to the next dial takes at most two taps', async ({ server, phone }) => {
  // Arrange: a telecaller with more leads than the run calls, signed in and synced.
  const leads = sampleLeads(N + 3);
  const { admin, telecaller } = await seedTelecaller(server, leads);
  const mobiles = new Map((await admin.searchLeads('', { limit: 100 })).leads.map((l) => [l.lead_id, l.mobile]));
  const p = await phone('phone');
  await p.loginAndSync(telecaller);
  const { page } = p;
  const pageTaps = () => page.evaluate(() => window.__dialbookTaps);

  // The first dial starts the loop.
  let lead = await p.dial();
  const counts = [];
  const seen = [lead.id];

  for (let i = 0; i < N; i++) {
    // Act: the call has ended; the outcome sheet is showing. Count from here.
    await p.sheet().waitFor({ timeout: ms(10_000) });
    const before = await pageTaps();
    let taps = 0;
    const sheetCloses = () => p.sheet().waitFor({ state: 'hidden', timeout: ms(5_000) }).then(() => true, () => false);
    await p.sheet().locator(`button[data-outcome=${OUTCOMES[i]}]`).tap();
    taps += 1;
    if (!(await sheetCloses())) {
      // The sheet stayed open after the outcome: it wants more (say, a follow-up time).
      await p.sheet().locator('button[data-chip]').first().tap();
      taps += 1;
      assert.ok(await sheetCloses(), `lead ${i + 1} (${lead.name}): the outcome sheet stays open after an outcome and a follow-up`);
    }
    await waitFor(
      async () => {
        const id = await p.card().getAttribute('data-lead-id', { timeout: 1000 });
        return id !== lead.id && (await p.card().locator('a[data-testid=call]').isVisible());
      },
      { timeout: 10_000, what: `lead ${i + 1}: the next lead's call button after ${lead.name}`, interval: 25, seen: () => p.queueTop() },
    );
    const next = await p.currentLead();
    await p.card().locator('a[data-testid=call]').tap();
    taps += 1;
    const observed = (await pageTaps()) - before;

    // Assert: the dial reached the new lead's number, and the taps.
    await p.sheet().waitFor({ timeout: ms(10_000) });
    await waitFor(() => p.dialled.length === i + 2, { what: `the tel: link for ${next.name}` });
    assert.equal(p.dialled.at(-1), mobiles.get(next.id), `dialled ${next.name}'s number`);
    assert.equal(observed, taps, `lead ${i + 1}: the page received ${observed} taps, the script made ${taps}`);
    assert.ok(!seen.includes(next.id), `lead ${i + 1}: the next dial is a lead not yet called (${next.name})`);
    counts.push(taps);
    seen.push(next.id);
    lead = next;
  }

  console.log(`taps from call end to next dial: ${counts.join(', ')}`);
  assert.ok(counts.every((n) => n <= 2), `at most 2 taps from call end to the next dial, every time: ${counts.join(', ')}`);
});
