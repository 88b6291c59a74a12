// Screenshots of the main screens on a 412×915 phone, light and dark, into
// docs/screenshots/<screen>-<light|dark>.png, from the real server with realistic data:
//
//   node tests/e2e/screenshots.mjs
//
// Not a test: it checks only that each screen was reached. Look at the pictures.
//
// "Due now" lists the follow-ups due today. A lead's follow-up is set by logging a call,
// so this logs a few calls first (the team's rules set their follow-ups). After working
// hours the rules move every follow-up to the next morning and "Due now" would be empty,
// so the phone's clock is pinned to the next 11:00 in India (the leads were imported
// before it, as on a real morning).

import path from 'node:path';
import { OUTCOME_LABELS, Phone, ROOT, SCREENSHOT_DIR, Server, ms, sampleLeads, seedTelecaller, waitFor } from './harness.mjs';

const shots = [];

/** The next 11:00 IST (05:30 UTC) from now: mid-morning of a working day. */
function nextMorning() {
  const t = new Date();
  if (t.getUTCHours() * 60 + t.getUTCMinutes() >= 5 * 60 + 30) t.setUTCDate(t.getUTCDate() + 1);
  t.setUTCHours(5, 30, 0, 0);
  return t;
}

/** The current screen in light and in dark, as <name>-light.png and <name>-dark.png. */
async function both(p, name) {
  for (const scheme of ['light', 'dark']) {
    await p.page.emulateMedia({ colorScheme: scheme });
    // Two animation frames: the restyle for the new scheme is painted.
    await p.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    shots.push(await p.screenshot(`${name}-${scheme}`));
  }
  await p.page.emulateMedia({ colorScheme: 'light' });
}

/** Taps an outcome on the open sheet and waits for the sheet to close. */
async function logOutcome(p, outcome) {
  await p.sheet().locator(`button[data-outcome=${outcome}]`).tap();
  await p.sheet().waitFor({ state: 'hidden', timeout: ms(10_000) });
}

async function tab(p, which, screen) {
  await p.page.locator(`[data-testid=tab-${which}]`).tap();
  await p.waitScreen(screen, 10_000);
}

const server = await Server.start();
let p;
try {
  const { telecaller, report } = await seedTelecaller(server, sampleLeads(60), { username: 'priya', displayName: 'Priya S.' });
  p = await Phone.open(server, { name: 'screenshots' });
  await p.page.clock.setFixedTime(nextMorning());
  await p.loginAndSync(telecaller);
  await p.waitWaiting(0);

  // Queue: the next lead to call.
  await both(p, 'queue');

  // Outcome sheet, as it is when the telecaller comes back from the dialler.
  const first = await p.dial();
  await both(p, 'outcome-sheet');
  await logOutcome(p, 'callback');

  // Some history on other leads, called from their own screens (so it does not matter
  // which lead the queue puts next): call-backs and an interested lead are "Due now" later.
  const others = report.rows.map((r) => r.lead_id).filter((id) => id !== first.id);
  for (const [i, outcome] of ['callback', 'interested', 'callback', 'no_answer', 'busy', 'not_interested'].entries()) {
    await p.goto(`/leads/${others[i * 7]}`);
    await p.page.locator('[data-testid=lead-detail] a[data-testid=call]').tap();
    await p.sheet().waitFor({ timeout: ms(10_000) });
    await logOutcome(p, outcome);
  }
  await p.goto('/');
  await p.waitScreen('queue');
  await p.waitWaiting(0);

  // Leads: a search as a telecaller types it.
  await tab(p, 'leads', 'leads');
  await p.page.locator('input[type=search]').fill('ra');
  await p.page.locator('[data-testid=lead-row]').first().waitFor({ timeout: ms(10_000) });
  await p.page.locator('input[type=search]').blur();
  await both(p, 'leads-search');

  // Add lead: a walk-in customer being typed in, the number checked as typed.
  await tab(p, 'add', 'add');
  await p.page.locator('input[name=name]').fill('Ravi Kumar');
  await p.page.locator('input[name=mobile]').fill('098450-12345');
  await p.page.locator('input[name=car_model]').fill('Hyundai Creta');
  const hint = p.page.locator('label:has(input[name=mobile]) .hint.ok');
  await hint.waitFor({ timeout: ms(10_000) });
  await p.page.locator('input[name=car_model]').blur();
  await both(p, 'add-lead');

  // Due now: the follow-ups those calls set for later today.
  await tab(p, 'due', 'due');
  await p.page.locator('[data-testid=lead-card], [data-testid=lead-row]').first().waitFor({ timeout: ms(10_000) });
  await both(p, 'due-now');

  // Lead detail: the first lead called, with its call in the timeline.
  await p.openLead(first);
  await waitFor(async () => (await p.timelineCalls()).some((t) => t.includes(OUTCOME_LABELS.callback)), {
    what: `${first.name}'s call-back in the timeline`,
  });
  await both(p, 'lead-detail');

  console.log(`${shots.length} screenshots in ${path.relative(ROOT, SCREENSHOT_DIR)}/:`);
  for (const s of shots) console.log(`  ${path.basename(s)}`);
} catch (e) {
  console.error(`screenshots failed: ${e.stack}\n--- server log ---\n${server.tail(60)}\n--- console ---\n${p?.console.slice(-60).join('\n')}`);
  process.exitCode = 1;
} finally {
  await p?.close();
  await server.dispose();
}
