#!/usr/bin/env node
// Shapes a comparison table the way a reader does, by keyboard, in the Debian Chromium: on the
// first table of the page with controls it presses the first "Order" button (with JavaScript on),
// ticks "Show only the rows that differ", opens "Choose what to compare" and clears the second
// column's checkbox; on the ranking table of a second page it sorts by subject. It runs once with
// JavaScript off and once with it on, and prints one JSON report on stdout:
//
//   { "off": RUN, "on": RUN, "ranking": { ... } }
//
// RUN says how many rows and columns were shown before and after each step, the status text, and
// what the Order button did. Exits 0 whatever it finds (the Rust test decides), 2 on bad usage.
//
//   node shape.mjs TABLE_PAGE_URL RANKING_PAGE_URL     http://127.0.0.1:PORT/… or file:///…

import { run, withBrowser } from './browser.mjs';

const [tableUrl, rankingUrl] = process.argv.slice(2);
if (!tableUrl || !rankingUrl || !/^(http:\/\/127\.0\.0\.1(:\d+)?|file:)\//.test(tableUrl)) {
  process.stderr.write('usage: node shape.mjs TABLE_PAGE_URL RANKING_PAGE_URL (127.0.0.1 or file: URLs)\n');
  process.exit(2);
}

// What the first table with controls shows: rows and columns not hidden, the status text.
function shown(page) {
  return page.evaluate(() => {
    const block = [...document.querySelectorAll('.comparison')].find((b) => b.querySelector('.comparison-controls'));
    const visible = (el) => getComputedStyle(el).display !== 'none';
    const rows = [...block.querySelectorAll('tbody tr:not(.comparison-group)')];
    const headers = [...block.querySelectorAll('thead th')];
    return {
      rows: rows.filter(visible).length,
      allRows: rows.length,
      sameRows: rows.filter((r) => r.classList.contains('comparison-same')).length,
      columns: headers.filter(visible).length - 1,
      allColumns: headers.length - 1,
      headers: headers.filter(visible).map((h) => h.textContent.trim()),
      cellsOfHiddenColumn: rows.map((r) => r.children[2]).filter((c) => c && visible(c)).length,
      status: block.querySelector('.comparison-status')?.textContent ?? null,
      sortButtons: block.querySelectorAll('.comparison-sort').length,
    };
  });
}

// Moves the keyboard focus to the first `selector` shown (in the first table with controls) and
// presses `key`.
async function press(page, selector, key) {
  await page.evaluate((selector) => {
    const block = [...document.querySelectorAll('.comparison')].find((b) => b.querySelector('.comparison-controls'));
    const shown = (el) => el.getClientRects().length > 0 || el.tagName === 'SUMMARY';
    [...block.querySelectorAll(selector)].find(shown).focus();
  }, selector);
  await page.keyboard.press(key);
}

async function shapeTable(context, javaScript) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(tableUrl, { waitUntil: 'load' });
  const result = { javaScript, before: await shown(page) };
  if (javaScript && result.before.sortButtons > 0) {
    await press(page, '.comparison-sort', 'Enter');
    result.ordered = await shown(page);
    result.orderedSort = await page.evaluate(() => {
      const row = document.querySelector('.comparison-sort[aria-pressed="true"]')?.closest('tr');
      return row ? { sort: row.querySelector('th').getAttribute('aria-sort'), values: [...row.children].slice(1)
        .filter((c) => getComputedStyle(c).display !== 'none').map((c) => c.getAttribute('data-sort')) } : null;
    });
  }
  await press(page, '.comparison-only-differences', 'Space');
  result.differences = await shown(page);
  result.differencesChecked = await page.evaluate(() =>
    document.querySelector('.comparison-only-differences').checked);
  await press(page, '.comparison-choose summary', 'Enter');
  await press(page, 'input[data-column="3"]', 'Space');
  result.column = await shown(page);
  result.errors = errors;
  await page.close();
  return result;
}

async function sortRanking(context) {
  const page = await context.newPage();
  await page.goto(rankingUrl, { waitUntil: 'load' });
  const names = () => page.evaluate(() =>
    [...document.querySelectorAll('table[data-sortable] tbody th')].map((th) => th.textContent.trim()));
  const before = await names();
  const buttons = await page.evaluate(() => document.querySelectorAll('table[data-sortable] thead button').length);
  await page.evaluate(() => {
    const headers = [...document.querySelectorAll('table[data-sortable] thead th')];
    headers.find((th) => th.textContent.trim() === 'Subject').querySelector('button').focus();
  });
  await page.keyboard.press('Enter');
  const after = await names();
  const sort = await page.evaluate(() => [...document.querySelectorAll('table[data-sortable] thead th')]
    .map((th) => th.getAttribute('aria-sort')));
  await page.close();
  return { before, after, buttons, sort };
}

run('shape.mjs', async () => {
  const report = {};
  report.off = await withBrowser('shape-off', { javaScriptEnabled: false }, (context) => shapeTable(context, false));
  report.on = await withBrowser('shape-on', {}, async (context) => {
    const on = await shapeTable(context, true);
    report.ranking = await sortRanking(context);
    return on;
  });
  process.stdout.write(`${JSON.stringify(report)}\n`);
});
