#!/usr/bin/env node
// Crawls a built site in the Debian Chromium (driven by playwright-core) the way a reader clicks
// through it, to prove that it works where it is published: every page reachable from the start page
// loads, is styled, loads nothing that fails and nothing outside its root, logs no error, and every
// internal link and every #fragment leads somewhere that exists. Works for a site served over HTTP
// (http://127.0.0.1:PORT/prefix/) and for an offline build opened from disk (file:///…/index.html).
// Prints one JSON report on stdout and exits 0 whatever it finds (the Rust tests decide); it exits 2
// on bad usage and 1 when the browser cannot be run at all.
//
//   node crawl.mjs START_URL ROOT_URL [--missing URL] [--toggle]
//
//   START_URL      the first page
//   ROOT_URL       every request and every followed link must stay under this URL prefix
//   --missing URL  also loads URL (a page that does not exist) and reports its status, whether it is
//                  styled, and where each of its links leads (with that target's status)
//   --toggle       also clicks .theme-toggle on the start page and reports the theme before, after,
//                  and after a reload
//
// Environment: JUXTA_CHROMIUM=PATH, the browser to drive (default /usr/bin/chromium).
//
// Pages are followed through a[href]: same origin, under ROOT_URL, fragment removed. Over HTTP a link
// is a page when its path ends in `/`, `.html` or has no extension; from disk when it ends in `.html`.
// Other internal links (feeds, data files, images) are checked to exist without being opened. A link
// to a folder from disk is a problem: the browser shows a directory listing, not the page.

import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { run, withBrowser } from './browser.mjs';

const NAVIGATION_TIMEOUT_MS = 30_000;
const MAX_PAGES = 2_000;

function usage(message) {
  process.stderr.write(
    `crawl.mjs: ${message}\nusage: node crawl.mjs START_URL ROOT_URL [--missing URL] [--toggle]\n`,
  );
  process.exit(2);
}

function parseArgs(argv) {
  const positional = [];
  let missing = null;
  let toggle = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--missing') {
      missing = argv[++i];
      if (!missing) usage('--missing needs a URL');
    } else if (argv[i] === '--toggle') {
      toggle = true;
    } else {
      positional.push(argv[i]);
    }
  }
  if (positional.length !== 2) usage('START_URL and ROOT_URL are required');
  let start;
  let root;
  try {
    start = new URL(positional[0]);
    root = new URL(positional[1]);
  } catch {
    usage('START_URL and ROOT_URL must be absolute URLs');
  }
  if (!['http:', 'file:'].includes(root.protocol)) usage('ROOT_URL must be http:// or file://');
  start.hash = '';
  return { start: start.href, root: root.href, missing, toggle };
}

// The URL without its fragment.
function bare(url) {
  const u = new URL(url);
  u.hash = '';
  return u.href;
}

function isBrowserInternal(url) {
  return /^(data|blob|about|chrome|chrome-error|devtools):/.test(url);
}

async function main() {
  const { start, root, missing, toggle } = parseArgs(process.argv.slice(2));
  const fromDisk = root.startsWith('file:');
  const under = (url) => url.startsWith(root);
  const sameOrigin = (url) => {
    try {
      const u = new URL(url);
      return fromDisk ? u.protocol === 'file:' : u.origin === new URL(root).origin;
    } catch {
      return false;
    }
  };
  const isPage = (url) => {
    const path = new URL(url).pathname;
    if (fromDisk) return path.endsWith('.html');
    const last = path.split('/').pop();
    return path.endsWith('/') || path.endsWith('.html') || !last.includes('.');
  };

  const problems = {
    pageStatus: [],
    pagesNotLoaded: [],
    failedRequests: [],
    outsideRequests: [],
    consoleErrors: [],
    pageErrors: [],
    unstyled: [],
    brokenLinks: [],
    linksOutsideRoot: [],
    folderLinks: [],
    missingAnchors: [],
    brokenImages: [],
    unsizedImages: [],
  };
  const rel = (url) => (url.startsWith(root) ? url.slice(root.length) || './' : url);

  const started = Date.now();
  await withBrowser('crawl', { viewport: { width: 1280, height: 800 }, colorScheme: 'light' }, async (context) => {
    // Nothing may leave the root: such requests are refused here and recorded by the page listeners.
    await context.route(
      (url) => !isBrowserInternal(url.href) && !under(url.href),
      (route) => route.abort('blockedbyclient'),
    );

    // Whether an internal link that is not a page exists; memoized.
    const resourceStatus = new Map();
    const checkResource = async (url) => {
      if (!resourceStatus.has(url)) {
        let status;
        if (fromDisk) {
          try {
            const info = await stat(fileURLToPath(url));
            status = info.isFile() ? 200 : info.isDirectory() ? 'folder' : 404;
          } catch {
            status = 404;
          }
        } else {
          try {
            status = (await context.request.get(url, { maxRedirects: 5 })).status();
          } catch (error) {
            status = String(error?.message || error).split('\n')[0];
          }
        }
        resourceStatus.set(url, status);
      }
      return resourceStatus.get(url);
    };

    // Loads one page in a fresh tab; returns what it found there.
    const visit = async (url, { isMissing = false } = {}) => {
      const tab = await context.newPage();
      const found = {
        url,
        finalUrl: url,
        status: null,
        error: null,
        failed: [],
        outside: [],
        console: [],
        pageErrors: [],
        styled: null,
        links: [],
        ids: [],
      };
      const refused = new Set();
      tab.on('request', (request) => {
        const u = request.url();
        if (!isBrowserInternal(u) && !under(u) && !refused.has(u)) {
          refused.add(u);
          found.outside.push(u);
        }
      });
      tab.on('requestfailed', (request) => {
        if (!refused.has(request.url())) {
          found.failed.push(`${request.resourceType()} ${rel(request.url())} (${request.failure()?.errorText ?? 'failed'})`);
        }
      });
      tab.on('response', (response) => {
        const request = response.request();
        const isDocument = request.isNavigationRequest() && request.frame() === tab.mainFrame();
        if (response.status() >= 400 && !isDocument) {
          found.failed.push(`${request.resourceType()} ${rel(request.url())} (HTTP ${response.status()})`);
        }
      });
      tab.on('console', (message) => {
        if (message.type() !== 'error') return;
        // A missing page's own 404 is reported by the browser as a failed load: that one is expected.
        if (isMissing && /status of 404/.test(message.text()) && message.location().url === url) return;
        const { url: at, lineNumber } = message.location();
        found.console.push(`${message.text()}${at ? ` at ${rel(at)}:${lineNumber + 1}` : ''}`);
      });
      tab.on('pageerror', (error) => found.pageErrors.push(String(error?.message || error).split('\n')[0]));
      try {
        const response = await tab.goto(url, { waitUntil: 'load', timeout: NAVIGATION_TIMEOUT_MS });
        found.status = response ? response.status() : null;
        found.finalUrl = bare(tab.url());
        Object.assign(
          found,
          await tab.evaluate(async () => {
            // Every image is loaded, those below the first screen too, and must show.
            const imgs = [...document.images];
            for (const img of imgs) img.loading = 'eager';
            await Promise.all(
              imgs.map((img) =>
                img.complete
                  ? null
                  : new Promise((done) => {
                      img.addEventListener('load', done, { once: true });
                      img.addEventListener('error', done, { once: true });
                      setTimeout(done, 5000);
                    }),
              ),
            );
            const sheets = [...document.styleSheets];
            const font = document.body ? getComputedStyle(document.body).fontFamily : '';
            return {
              styled: {
                sheets: sheets.length,
                hrefs: sheets.map((s) => s.href).filter(Boolean),
                bodyFont: font,
              },
              links: [...document.querySelectorAll('a[href]')].map((a) => a.href),
              ids: [...document.querySelectorAll('[id]')].map((e) => e.id),
              images: imgs.map((img) => ({
                src: img.currentSrc || img.src,
                shown: img.complete && img.naturalWidth > 0,
                sized: img.hasAttribute('width') && img.hasAttribute('height'),
              })),
            };
          }),
        );
        // A page is styled by the theme's stylesheet, or, self-contained (an embeddable table),
        // by stylesheets of its own only.
        const themed = found.styled.hrefs.some((h) => /\/style(\.[0-9a-f]{8})?\.css(\?|$)/.test(h));
        const selfContained = found.styled.hrefs.length === 0;
        found.styled.ok =
          found.styled.sheets > 0 &&
          (themed || selfContained) &&
          found.styled.bodyFont !== '' &&
          !/times/i.test(found.styled.bodyFont);
      } catch (error) {
        found.error = String(error?.message || error).split('\n')[0];
      } finally {
        await tab.close();
      }
      return found;
    };

    // The crawl, breadth first.
    const queue = [start];
    const seen = new Set([start]);
    const idsByPage = new Map();
    const fragments = []; // { from, target, fragment }
    let linksChecked = 0;
    let imagesShown = 0;
    const distinctTargets = new Set();
    let pagesVisited = 0;
    const pageList = [];
    while (queue.length > 0 && pagesVisited < MAX_PAGES) {
      const url = queue.shift();
      const page = await visit(url);
      pagesVisited++;
      pageList.push(rel(url));
      const at = rel(url);
      if (page.error) {
        problems.pagesNotLoaded.push(`${at}: ${page.error}`);
        continue;
      }
      if (!fromDisk && page.status !== 200) problems.pageStatus.push(`${at}: HTTP ${page.status}`);
      idsByPage.set(url, page.ids);
      idsByPage.set(page.finalUrl, page.ids);
      seen.add(page.finalUrl);
      for (const f of page.failed) problems.failedRequests.push(`${at}: ${f}`);
      for (const o of page.outside) problems.outsideRequests.push(`${at}: ${o}`);
      for (const c of page.console) problems.consoleErrors.push(`${at}: ${c}`);
      for (const e of page.pageErrors) problems.pageErrors.push(`${at}: ${e}`);
      if (!page.styled?.ok) problems.unstyled.push(`${at}: ${JSON.stringify(page.styled)}`);
      for (const image of page.images ?? []) {
        if (image.shown) imagesShown++;
        else problems.brokenImages.push(`${at}: ${rel(image.src)}`);
        if (!image.sized) problems.unsizedImages.push(`${at}: ${rel(image.src)} has no width and height`);
      }
      for (const href of page.links) {
        if (!sameOrigin(href)) continue; // Links to other sites are not the crawl's business.
        linksChecked++;
        const target = bare(href);
        distinctTargets.add(target);
        const fragment = new URL(href).hash.slice(1);
        if (!under(target)) {
          problems.linksOutsideRoot.push(`${at}: ${href}`);
          continue;
        }
        if (fragment) fragments.push({ from: at, target, fragment, href });
        if (fromDisk && new URL(target).pathname.endsWith('/')) {
          problems.folderLinks.push(`${at}: ${rel(href)}`);
          continue;
        }
        if (isPage(target)) {
          if (!seen.has(target)) {
            seen.add(target);
            queue.push(target);
          }
        } else {
          const status = await checkResource(target);
          if (status !== 200) problems.brokenLinks.push(`${at}: ${rel(href)} (${status})`);
        }
      }
    }

    // Every #fragment of an internal link names an element on its target page.
    let anchorsChecked = 0;
    for (const { from, target, fragment, href } of fragments) {
      anchorsChecked++;
      let id;
      try {
        id = decodeURIComponent(fragment);
      } catch {
        id = fragment;
      }
      const ids = idsByPage.get(target);
      if (!ids) {
        if (isPage(target)) problems.missingAnchors.push(`${from}: ${rel(href)} (target page not loaded)`);
        else problems.missingAnchors.push(`${from}: ${rel(href)} (target is not a page)`);
        continue;
      }
      // HTML scrolls to the top for `#top` without such an element.
      if (!ids.includes(id) && id.toLowerCase() !== 'top') {
        problems.missingAnchors.push(`${from}: ${rel(href)} (no id="${id}" on ${rel(target)})`);
      }
    }

    const report = {
      start,
      root,
      pagesVisited,
      linksChecked,
      imagesShown,
      distinctLinkTargets: distinctTargets.size,
      anchorsChecked,
      pages: pageList,
      problems,
      missing: null,
      toggle: null,
    };

    if (missing) {
      const page = await visit(missing, { isMissing: true });
      const links = [];
      for (const href of page.links) {
        if (!sameOrigin(href)) {
          links.push({ href, status: 'external' });
          continue;
        }
        const target = bare(href);
        let status;
        if (!under(target)) status = 'outside root';
        else if (fromDisk && new URL(target).pathname.endsWith('/')) status = 'folder';
        else status = await checkResource(target);
        links.push({ href, status });
      }
      report.missing = {
        url: missing,
        status: page.status,
        error: page.error,
        styled: page.styled,
        failed: page.failed,
        outside: page.outside,
        console: page.console,
        pageErrors: page.pageErrors,
        links,
      };
    }

    if (toggle) {
      const tab = await context.newPage();
      const errors = [];
      tab.on('pageerror', (error) => errors.push(String(error?.message || error).split('\n')[0]));
      const result = { before: null, after: null, afterReload: null, error: null, pageErrors: errors };
      try {
        await tab.goto(start, { waitUntil: 'load', timeout: NAVIGATION_TIMEOUT_MS });
        const theme = () => tab.evaluate(() => document.documentElement.dataset.theme ?? null);
        result.before = await theme();
        await tab.click('.theme-toggle', { timeout: 10_000 });
        result.after = await theme();
        await tab.reload({ waitUntil: 'load', timeout: NAVIGATION_TIMEOUT_MS });
        result.afterReload = await theme();
      } catch (error) {
        result.error = String(error?.message || error).split('\n')[0];
      } finally {
        await tab.evaluate(() => localStorage.clear()).catch(() => {});
        await tab.close();
      }
      report.toggle = result;
    }

    report.seconds = Math.round((Date.now() - started) / 100) / 10;
    process.stdout.write(`${JSON.stringify(report, null, 1)}\n`);
  });
}

run('crawl.mjs', main);
