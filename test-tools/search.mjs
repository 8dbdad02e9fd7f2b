// Uses a built site's search box in headless Chromium as a reader would, and prints what happened
// as JSON: for each query, the results (their resolved links, titles and excerpts), the announced
// count, and the time from the keystroke to the first results; where Enter on the first result
// leads; axe-core's violations with the results open (light and dark); every request the page made
// outside ROOT_URL, every failed request, console error and page error; and, with JavaScript off,
// whether the box gives way to a link to every page.
//
// Usage: node search.mjs PAGE_URL ROOT_URL QUERY...
//   PAGE_URL  the page to search from
//   ROOT_URL  every request must stay under this URL prefix

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { withBrowser, run } from './browser.mjs';

const require = createRequire(import.meta.url);
const TIMEOUT_MS = 15_000;

run('search.mjs', async () => {
  const [page, root, ...queries] = process.argv.slice(2);
  if (!page || !root || !queries.length) throw new Error('usage: node search.mjs PAGE_URL ROOT_URL QUERY...');
  const axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  const report = { queries: [], enter: null, axe: [], outside: [], failed: [], console: [], pageErrors: [], noScript: null };
  const internal = (url) => url.startsWith('data:') || url.startsWith('about:') || url.startsWith('chrome');

  await withBrowser('search', { viewport: { width: 1280, height: 800 } }, async (context) => {
    await context.route((url) => !internal(url.href) && !url.href.startsWith(root), (route) => {
      report.outside.push(route.request().url());
      return route.abort('blockedbyclient');
    });
    const tab = await context.newPage();
    let phase = 'starting';
    tab.on('requestfailed', (r) => {
      if (!report.outside.includes(r.url())) report.failed.push(`${r.url()} (${r.failure()?.errorText}) while ${phase}`);
    });
    tab.on('response', (r) => {
      if (r.status() >= 400) report.failed.push(`${r.url()} (HTTP ${r.status()}) while ${phase}`);
    });
    tab.on('console', (m) => m.type() === 'error' && report.console.push(m.text()));
    tab.on('pageerror', (e) => report.pageErrors.push(String(e)));

    for (const query of queries) {
      phase = `searching for ${query}`;
      await tab.goto(page, { waitUntil: 'load', timeout: TIMEOUT_MS });
      const indexLoadedBefore = await tab.evaluate(() =>
        [...document.scripts].some((s) => s.src.includes('search/index.js')));
      // `/` focuses the box from anywhere on the page; the index loads from then on.
      await tab.locator('body').press('/');
      const focused = await tab.evaluate(() => document.activeElement?.id ?? null);
      const started = Date.now();
      await tab.keyboard.insertText(query);
      await tab.waitForFunction(
        (q) => {
          const status = document.querySelector('[data-search] [role=status]');
          return status && status.textContent.includes(`“${q}”`);
        },
        query,
        { timeout: TIMEOUT_MS },
      );
      const ms = Date.now() - started;
      const state = await tab.evaluate(() => {
        const box = document.querySelector('[data-search]');
        const input = box.querySelector('input');
        return {
          status: box.querySelector('[role=status]').textContent,
          expanded: input.getAttribute('aria-expanded'),
          results: [...box.querySelectorAll('[role=option]')].map((o) => ({
            href: o.href,
            title: o.querySelector('.search-result-title')?.textContent ?? '',
            text: o.querySelector('.search-result-text')?.textContent ?? '',
            marks: [...o.querySelectorAll('mark')].map((m) => m.textContent),
          })),
          scripts: [...document.scripts].map((s) => s.getAttribute('src')).filter(Boolean),
        };
      });
      report.queries.push({ query, ms, focused, indexLoadedBefore, ...state });
    }

    // With the last query's results open: axe in both colour schemes, then the keyboard.
    for (const scheme of ['light', 'dark']) {
      phase = `auditing in ${scheme}`;
      await tab.emulateMedia({ colorScheme: scheme });
      await tab.evaluate(axeSource);
      const violations = await tab.evaluate(async () => {
        // axe reads stylesheets again with XHR to check orientation locks, which file:// refuses.
        const preload = location.protocol !== 'file:';
        const results = await window.axe.run(document, { resultTypes: ['violations'], preload });
        return results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.html).join(' | ')})`);
      });
      report.axe.push({ scheme, violations });
    }
    phase = 'opening a result';
    const input = tab.locator('[data-search] input');
    await input.press('ArrowDown');
    const active = await tab.evaluate(() => {
      const input = document.querySelector('[data-search] input');
      const id = input.getAttribute('aria-activedescendant');
      const option = id && document.getElementById(id);
      return option ? { id, selected: option.getAttribute('aria-selected'), href: option.href } : null;
    });
    await Promise.all([tab.waitForEvent('load', { timeout: TIMEOUT_MS }), input.press('Enter')]);
    report.enter = { active, landed: tab.url() };
    await tab.close();
  });

  await withBrowser('search-noscript', { viewport: { width: 1280, height: 800 }, javaScriptEnabled: false }, async (context) => {
    const tab = await context.newPage();
    await tab.goto(page, { waitUntil: 'load', timeout: TIMEOUT_MS });
    report.noScript = await tab.evaluate(() => {
      const box = document.querySelector('[data-search]');
      const link = document.querySelector('[data-search-fallback]');
      return {
        boxShown: !!box && box.getClientRects().length > 0,
        link: link && link.getClientRects().length > 0 ? { text: link.textContent, href: link.href } : null,
      };
    });
  });

  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
});
