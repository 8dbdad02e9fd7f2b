// Watches one page of `juxta serve` in headless Chromium while the test edits the site, and prints
// what it sees as JSON lines on stdout:
//   {"ready":true}                      the page is loaded and its event stream is open
//   {"overlay":"<text>"}                the build-error overlay appeared, with its text
//   {"reloaded":true,"overlay":false,"main":"<text>","errors":[…]}
//                                       the page reloaded by itself; whether an overlay is left,
//                                       the text of <main>, and any console error
//
//   node live.mjs URL

import { run, withBrowser } from './browser.mjs';

const WAIT = 30_000;

function say(value) {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

run('live.mjs', async () => {
  const url = process.argv[2];
  await withBrowser('live', {}, async (context) => {
    const page = await context.newPage();
    const errors = [];
    // The browser asks for /favicon.ico on its own; the test site has none.
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico')) {
        errors.push(`${m.text()} (${m.location().url})`);
      }
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    const streaming = page.waitForResponse((r) => r.url().endsWith('/__juxta/events'), { timeout: WAIT });
    await page.goto(url, { waitUntil: 'load', timeout: WAIT });
    await streaming;
    say({ ready: true });

    const overlay = await page.waitForSelector('[data-juxta-overlay]', { timeout: WAIT });
    const reloaded = page.waitForEvent('load', { timeout: WAIT });
    say({ overlay: await overlay.innerText() });

    await reloaded;
    // Time for the new page's event stream to say hello (and for an overlay, were there an error).
    await page.waitForTimeout(500);
    const left = (await page.$('[data-juxta-overlay]')) !== null;
    say({ reloaded: true, overlay: left, main: await page.innerText('main'), errors });
  });
});
