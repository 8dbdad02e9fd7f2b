#!/usr/bin/env node
// Uses the documentation conveniences of a built site in the Debian Chromium as a reader does, and
// prints what happened as one JSON report on stdout (the Rust test decides what is right):
//
// - copy: on CODE_PAGE, the copy buttons (how many, against the code blocks), what the first one
//   puts on the clipboard when pressed with the keyboard, the button's text and the live region's
//   announcement after it; the same without the Clipboard API; and, with JavaScript off, how many
//   buttons there are (none, it should be);
// - print: on PRINT_PAGE, every `#fragment` link and whether its target exists, the links leading
//   elsewhere, and where following the first link of its table of contents leads;
// - tags: on TAG_INDEX, each tag's link, and on each tag's page the pages it lists, each with
//   whether that page, once opened, shows the tag;
// - errors: console errors, page errors, failed requests and requests outside ROOT_URL.
//
//   node docs.mjs CODE_PAGE PRINT_PAGE TAG_INDEX ROOT_URL     (http://127.0.0.1:PORT/… or file:///…)
//
// Exits 0 whatever it finds, 2 on bad usage, 1 when the browser cannot be run.

import { run, withBrowser } from './browser.mjs';

const [codePage, printPage, tagIndex, root] = process.argv.slice(2);
if (!root || !/^(http:\/\/127\.0\.0\.1(:\d+)?|file:)\//.test(root)) {
  process.stderr.write('usage: node docs.mjs CODE_PAGE PRINT_PAGE TAG_INDEX ROOT_URL (127.0.0.1 or file: URLs)\n');
  process.exit(2);
}
const internal = (url) => /^(data|blob|about|chrome|devtools):/.test(url);

// Opens `url` in a new tab of `context`, recording what went wrong in `errors`.
async function open(context, url, errors) {
  const tab = await context.newPage();
  tab.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()} (${url})`));
  tab.on('pageerror', (e) => errors.push(`page: ${e} (${url})`));
  tab.on('requestfailed', (r) => errors.push(`failed: ${r.url()} (${r.failure()?.errorText})`));
  tab.on('response', (r) => r.status() >= 400 && errors.push(`HTTP ${r.status()}: ${r.url()}`));
  await tab.goto(url, { waitUntil: 'load' });
  return tab;
}

async function copy(context, errors) {
  const tab = await open(context, codePage, errors);
  const result = await tab.evaluate(() => ({
    blocks: document.querySelectorAll('pre.code').length,
    buttons: document.querySelectorAll('button.code-copy').length,
    code: document.querySelector('pre.code code')?.textContent ?? null,
    language: document.querySelector('pre.code')?.dataset.lang ?? null,
    caption: document.querySelector('figure.code-block figcaption')?.textContent ?? null,
    marked: [...document.querySelectorAll('pre.code mark.line')].map((m) => m.textContent),
  }));
  if (result.buttons > 0) {
    await tab.evaluate(() => document.querySelector('button.code-copy').focus());
    await tab.keyboard.press('Enter');
    await tab.waitForFunction(() => document.querySelector('p.code-status')?.textContent !== '', null, {
      timeout: 5_000,
    }).catch(() => {});
    result.after = await tab.evaluate(() => ({
      button: document.querySelector('button.code-copy').textContent,
      status: document.querySelector('p.code-status')?.textContent ?? null,
    }));
    result.clipboard = await tab.evaluate(() => navigator.clipboard.readText()).catch((e) => `unreadable: ${e}`);
    // Where the Clipboard API is missing (a page served over plain http from another machine),
    // the code is copied through a hidden text area.
    await tab.evaluate(() => navigator.clipboard.writeText('emptied'));
    const bare = await context.newPage();
    await bare.addInitScript(() => Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined }));
    await bare.goto(codePage, { waitUntil: 'load' });
    await bare.evaluate(() => document.querySelector('button.code-copy').click());
    await bare.waitForFunction(() => document.querySelector('p.code-status')?.textContent, null, { timeout: 5_000 })
      .catch(() => {});
    result.withoutApi = {
      status: await bare.evaluate(() => document.querySelector('p.code-status')?.textContent ?? null),
      clipboard: await tab.evaluate(() => navigator.clipboard.readText()).catch((e) => `unreadable: ${e}`),
    };
    await bare.close();
  }
  await tab.close();
  return result;
}

async function print(context, errors) {
  const tab = await open(context, printPage, errors);
  const result = await tab.evaluate(() => {
    const links = [...document.querySelectorAll('main a[href]')];
    const inside = links.filter((a) => a.getAttribute('href').startsWith('#'));
    return {
      inside: inside.length,
      missing: inside.map((a) => a.getAttribute('href')).filter((h) => h.length > 1 && !document.getElementById(decodeURIComponent(h.slice(1)))),
      elsewhere: links.filter((a) => !a.getAttribute('href').startsWith('#')).map((a) => a.href),
      articles: document.querySelectorAll('article').length,
      addresses: [...document.querySelectorAll('.print-page-address')].map((p) => p.textContent),
      ids: document.querySelectorAll('[id]').length,
      distinctIds: new Set([...document.querySelectorAll('[id]')].map((e) => e.id)).size,
    };
  });
  // Following a link of the table of contents stays on the page, at the page it names.
  const first = tab.locator('nav a[href^="#"]').nth(1);
  const href = await first.getAttribute('href');
  await first.click();
  // The theme scrolls smoothly: the target is in view once the scroll ends.
  const inView = await tab
    .waitForFunction((id) => {
      const box = document.getElementById(id)?.getBoundingClientRect();
      return !!box && box.top >= -1 && box.top < window.innerHeight / 2;
    }, decodeURIComponent(href.slice(1)), { timeout: 5_000 })
    .then(() => true, () => false);
  result.followed = { href, url: tab.url(), inView };
  await tab.close();
  return result;
}

async function tags(context, errors) {
  const tab = await open(context, tagIndex, errors);
  const index = await tab.evaluate(() => [...document.querySelectorAll('main .card-list a')].map((a) => ({ name: a.textContent, href: a.href })));
  await tab.close();
  const result = [];
  for (const tag of index) {
    const tagTab = await open(context, tag.href, errors);
    const pages = await tagTab.evaluate(() => [...document.querySelectorAll('main .card-list a')].map((a) => a.href));
    await tagTab.close();
    const listed = [];
    for (const page of pages) {
      const pageTab = await open(context, page, errors);
      const shown = await pageTab.evaluate(() => [...document.querySelectorAll('ul.tags a')].map((a) => ({ name: a.textContent, href: a.href })));
      await pageTab.close();
      listed.push({ page, showsTag: shown.some((t) => t.name === tag.name && t.href === tag.href) });
    }
    result.push({ ...tag, pages: listed });
  }
  return result;
}

run('docs.mjs', async () => {
  const report = { errors: [], outside: [] };
  await withBrowser('docs', { viewport: { width: 1280, height: 800 } }, async (context) => {
    await context.route((url) => !internal(url.href) && !url.href.startsWith(root), (route) => {
      report.outside.push(route.request().url());
      return route.abort('blockedbyclient');
    });
    await context.grantPermissions(['clipboard-read', 'clipboard-write']).catch((e) => report.errors.push(`permissions: ${e}`));
    report.copy = await copy(context, report.errors);
    report.print = await print(context, report.errors);
    report.tags = await tags(context, report.errors);
  });
  report.noScript = await withBrowser('docs-off', { javaScriptEnabled: false }, async (context) => {
    const tab = await context.newPage();
    await tab.goto(codePage, { waitUntil: 'load' });
    return tab.evaluate(() => ({
      blocks: document.querySelectorAll('pre.code').length,
      buttons: document.querySelectorAll('button.code-copy').length,
    }));
  });
  process.stdout.write(`${JSON.stringify(report)}\n`);
});
