// Opens storyhash's HTML report in headless Chromium, offline, and uses it as an editor would:
// reads the summary, finds the cluster of two given documents, opens one of its pairs side by
// side, follows a highlighted passage to its partner, and searches.
//
//   node tests/browser/report.test.mjs REPORT.html SCREENSHOT.png \
//     [--pair ID_A ID_B] [--contains TEXT] [--query TEXT]
//
// Any request that is not file: or data:, any console error and any page error fail the run.
// Screenshots: SCREENSHOT (the whole page) and SCREENSHOT with a -pair suffix (the pair view).

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const USAGE =
  'usage: node report.test.mjs REPORT.html SCREENSHOT.png [--pair ID_A ID_B] [--contains TEXT] [--query TEXT]';

function parseArgs(argv) {
  const o = {
    pair: ['vna_ambassador_thang_interview', 'wvr_ambassador_thang_interview'],
    contains: '5.4 billion',
    query: null,
    files: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const need = (n) => {
      if (i + n >= argv.length) usage(`${a} needs ${n} value(s)`);
      const v = argv.slice(i + 1, i + 1 + n);
      i += n;
      return v;
    };
    if (a === '--pair') o.pair = need(2);
    else if (a === '--contains') [o.contains] = need(1);
    else if (a === '--query') [o.query] = need(1);
    else if (a.startsWith('--')) usage(`unknown option ${a}`);
    else o.files.push(a);
  }
  if (o.files.length !== 2) usage('expected REPORT.html and SCREENSHOT.png');
  o.query ??= o.pair[0];
  return o;
}

function usage(msg) {
  console.error(`report.test.mjs: ${msg}\n${USAGE}`);
  process.exit(2);
}

const opts = parseArgs(process.argv.slice(2));
const [report, shot] = opts.files.map((f) => path.resolve(f));
const pairShot = shot.replace(/(\.png)?$/i, (ext) => '-pair' + (ext || '.png'));
const [idA, idB] = opts.pair;
if (!existsSync(report)) usage(`no such file: ${report}`);

let passed = 0;
let failed = 0;
async function check(name, fn) {
  try {
    const note = await fn();
    passed++;
    console.log(`ok - ${name}${note ? ` (${note})` : ''}`);
  } catch (e) {
    failed++;
    console.log(`not ok - ${name}: ${String(e && e.message ? e.message : e).split('\n')[0]}`);
  }
}

// A hung browser must not hang CI.
const watchdog = setTimeout(() => {
  console.log(`not ok - finished within 120 s\n${passed} passed, ${failed + 1} failed`);
  process.exit(1);
}, 120_000);

const profile = mkdtempSync(path.join(tmpdir(), 'storyhash-chromium-'));
const offsite = new Set();
const errors = [];
let context;
try {
  // launchPersistentContext is how Playwright takes a --user-data-dir: a fresh empty one.
  context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 900 },
    deviceScaleFactor: 1,
    offline: true,
  });
  context.setDefaultTimeout(15_000);
  const local = (url) => url.startsWith('file:') || url.startsWith('data:');
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (local(url)) return route.continue();
    offsite.add(url);
    return route.abort('blockedbyclient');
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('request', (r) => {
    if (!local(r.url())) offsite.add(r.url());
  });
  page.on('websocket', (ws) => offsite.add(ws.url()));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));

  await check('the report opens from a file: URL', async () => {
    const res = await page.goto(pathToFileURL(report).href, { waitUntil: 'load' });
    assert.ok(res === null || res.ok(), 'the file did not load');
    await page.locator('#count').filter({ hasText: /\d/ }).waitFor();
  });

  await check('the summary is shown', async () => {
    await page.locator('#summary').waitFor({ state: 'visible' });
    const num = async (id) => Number((await page.locator(id).textContent()).replace(/[^\d.]/g, ''));
    const [docs, clusters] = [await num('#n-documents'), await num('#n-clusters')];
    assert.ok(docs > 0, `documents: ${docs}`);
    assert.ok(clusters > 0 && clusters <= docs, `clusters: ${clusters} of ${docs}`);
    assert.ok((await page.locator('#n-preset').textContent()).trim(), 'no preset');
    assert.ok(await page.locator('#histogram svg').isVisible(), 'no histogram');
    return `${docs} documents, ${clusters} clusters`;
  });

  await page.screenshot({ path: shot, fullPage: true });

  // The cluster holding both ids, on whichever page of the list it is.
  const hasBoth = (loc) =>
    loc.filter({ has: page.locator('td .id', { hasText: idA }) }).filter({ has: page.locator('td .id', { hasText: idB }) });
  const ourCluster = hasBoth(page.locator('#clusters article.cluster'));
  await check(`the cluster of ${idA} and ${idB} is listed`, async () => {
    for (let p = 1; ; p++) {
      if ((await ourCluster.count()) > 0) return `page ${p}`;
      const next = page.locator('#clusters-pager button', { hasText: 'Next' });
      assert.ok((await next.count()) > 0 && (await next.isEnabled()), 'not on any page of the list');
      await next.click();
    }
  });

  await check('clicking one of its pairs opens the side-by-side view', async () => {
    const buttons = ourCluster.first().locator('button.pair');
    assert.ok((await buttons.count()) > 0, 'the cluster lists no pair');
    const exact = buttons.filter({ hasText: idA }).filter({ hasText: idB });
    await ((await exact.count()) ? exact : buttons).first().click();
    await page.locator('#pair').waitFor({ state: 'visible' });
    const title = await page.locator('#pair-title').textContent();
    assert.ok(title.includes(idA) || title.includes(idB), `title: ${title}`);
    return title;
  });

  await check('each side highlights at least one shared passage', async () => {
    const [a, b] = [await page.locator('#side-a mark.shared').count(), await page.locator('#side-b mark.shared').count()];
    assert.ok(a > 0 && b > 0, `marks: ${a} and ${b}`);
    return `${a} and ${b} marks`;
  });

  const withText = page.locator('#pair mark.shared', { hasText: opts.contains });
  await check(`a highlighted passage contains "${opts.contains}"`, async () => {
    const n = await withText.count();
    assert.ok(n > 0, 'no mark contains it');
    const sides = await withText.evaluateAll((ms) => [...new Set(ms.map((m) => m.dataset.side))].join(' and '));
    return `on side ${sides}`;
  });

  await check('clicking a passage highlights its partner and scrolls it into view', async () => {
    const mark = (await withText.count()) ? withText.first() : page.locator('#side-a mark.shared').first();
    const [k, side] = await mark.evaluate((m) => [m.dataset.passage, m.dataset.side]);
    await mark.click();
    const other = side === 'a' ? 'b' : 'a';
    const partner = page.locator(`#side-${other} mark.shared[data-passage="${k}"]`);
    assert.ok((await partner.count()) > 0, `no partner of passage ${k}`);
    assert.ok(await partner.first().evaluate((m) => m.classList.contains('on')), 'partner not highlighted');
    const inView = await partner.first().evaluate((m) => {
      const pane = m.closest('.text').getBoundingClientRect();
      const r = m.getBoundingClientRect();
      return r.bottom > pane.top && r.top < pane.bottom;
    });
    assert.ok(inView, 'partner not scrolled into its pane');
    return `passage ${Number(k) + 1}`;
  });

  await page.locator('#pair').screenshot({ path: pairShot });

  await check('Escape closes the side-by-side view', async () => {
    await page.keyboard.press('Escape');
    await page.locator('#pair').waitFor({ state: 'hidden' });
  });

  await check(`searching "${opts.query}" filters the clusters`, async () => {
    const count = page.locator('#count');
    const listed = async () => {
      const [c, s] = await count.evaluate((e) => [e.dataset.clusters, e.dataset.singletons]);
      return Number(c) + Number(s);
    };
    const before = await listed();
    await page.locator('#q').fill(opts.query);
    await page.waitForFunction((n) => {
      const e = document.getElementById('count');
      return Number(e.dataset.clusters) + Number(e.dataset.singletons) !== n;
    }, before);
    const after = await listed();
    assert.ok(after > 0 && after < before, `listed ${before} then ${after}`);
    await hasBoth(page.locator('#clusters article.cluster')).first().waitFor();
    await page.locator('#q').fill('');
    await page.waitForFunction((n) => {
      const e = document.getElementById('count');
      return Number(e.dataset.clusters) + Number(e.dataset.singletons) === n;
    }, before);
    return `${before} listed, then ${after}`;
  });

} catch (e) {
  failed++;
  console.log(`not ok - the browser ran: ${e.message.split('\n')[0]}`);
}
// Checked even when a step above failed: a page error is often why it did.
await check('no request left the machine', async () => {
  assert.deepEqual([...offsite], [], [...offsite].join(' '));
});
await check('no console error or page error', async () => {
  assert.deepEqual(errors, [], errors.join('; '));
});
if (context) await context.close().catch(() => {});
rmSync(profile, { recursive: true, force: true });
clearTimeout(watchdog);

console.log(`screenshots: ${shot} ${pairShot}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
