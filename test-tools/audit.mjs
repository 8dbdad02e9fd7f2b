#!/usr/bin/env node
// Audits pages of a site served on 127.0.0.1 in the Debian Chromium, driven by playwright-core:
// accessibility (axe-core, default rules), horizontal scrolling on a phone, requests leaving
// 127.0.0.1, failed requests, console errors and page errors. Prints one JSON report on stdout and
// exits 0 whatever it finds (the Rust tests decide); it exits 2 on bad usage and 1 when the browser
// cannot be run at all.
//
//   node audit.mjs BASE_URL PATH...          paths relative to BASE_URL ("", "overview/", "404.html")
//   node audit.mjs BASE_URL --pages FILE     FILE holds a JSON array of such paths
//
// Environment:
//   JUXTA_SCREENSHOTS=DIR   also saves a full-page PNG of every run into DIR, for people to look at
//   JUXTA_CHROMIUM=PATH     the browser to drive (default /usr/bin/chromium)
//
// Every page is loaded four times in one browser: 1280x800 and 375x740, each in the light and the dark
// colour scheme.

import { createRequire } from 'node:module';
import { readFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { run, withBrowser } from './browser.mjs';

const require = createRequire(import.meta.url);

const VIEWPORTS = [
  { width: 1280, height: 800 },
  { width: 375, height: 740 },
];
const SCHEMES = ['light', 'dark'];
const PHONE_WIDTH = 375;
const NAVIGATION_TIMEOUT_MS = 30_000;
const HTML_SNIPPET_CHARS = 200;

function usage(message) {
  process.stderr.write(`audit.mjs: ${message}\nusage: node audit.mjs BASE_URL (PATH... | --pages FILE)\n`);
  process.exit(2);
}

async function parseArgs(argv) {
  const [base, ...rest] = argv;
  if (!base || !/^http:\/\/127\.0\.0\.1(:\d+)?\//.test(base)) {
    usage('BASE_URL must be an http://127.0.0.1:PORT/ URL');
  }
  let pages = [];
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--pages') {
      const file = rest[++i];
      if (!file) usage('--pages needs a file');
      const list = JSON.parse(await readFile(file, 'utf8'));
      if (!Array.isArray(list) || !list.every((p) => typeof p === 'string')) {
        usage(`${file} must hold a JSON array of strings`);
      }
      pages.push(...list);
    } else {
      pages.push(rest[i]);
    }
  }
  if (pages.length === 0) usage('no pages to audit');
  pages = pages.map((p) => p.replace(/^\/+/, ''));
  return { base: base.endsWith('/') ? base : `${base}/`, pages };
}

function isLocal(url) {
  try {
    const { protocol, hostname } = new URL(url);
    if (protocol === 'data:' || protocol === 'blob:' || protocol === 'about:') return true;
    return (protocol === 'http:' || protocol === 'https:') && hostname === '127.0.0.1';
  } catch {
    return false;
  }
}

function slug(page) {
  return (page.replace(/\/$/, '/index').replace(/\.html$/, '') || 'index').replace(/[^A-Za-z0-9_-]+/g, '-');
}

// Runs in the page: whether it scrolls sideways, and the element that sticks out furthest.
function measureOverflow(snippetChars) {
  const root = document.documentElement;
  const clientWidth = root.clientWidth;
  const scrollWidth = root.scrollWidth;
  if (scrollWidth <= clientWidth) return null;
  const describe = (el) => {
    const parts = [];
    for (let node = el; node && node.nodeType === 1 && parts.length < 4; node = node.parentElement) {
      let part = node.localName;
      if (node.id) {
        parts.unshift(`${part}#${CSS.escape(node.id)}`);
        break;
      }
      const classes = [...node.classList].slice(0, 2).map((c) => `.${CSS.escape(c)}`).join('');
      part += classes;
      const parent = node.parentElement;
      if (parent) {
        const same = [...parent.children].filter((c) => c.localName === node.localName);
        if (same.length > 1) part += `:nth-of-type(${same.indexOf(node) + 1})`;
      }
      parts.unshift(part);
    }
    return parts.join(' > ');
  };
  let widest = null;
  for (const el of document.body ? document.body.querySelectorAll('*') : []) {
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 && rect.height === 0) continue;
    const right = rect.right + window.scrollX;
    // Later (deeper) elements win ties, so the culprit rather than its wrapper is named.
    if (right > clientWidth + 0.5 && (!widest || right >= widest.right)) {
      widest = { el, right, width: rect.width };
    }
  }
  return {
    scrollWidth,
    clientWidth,
    widest: widest
      ? {
          selector: describe(widest.el),
          right: Math.round(widest.right),
          width: Math.round(widest.width),
          html: widest.el.outerHTML.slice(0, snippetChars),
        }
      : null,
  };
}

async function auditOne(context, axeSource, base, page, viewport, scheme, screenshots) {
  const url = new URL(page, base).href;
  const run = {
    page,
    url,
    width: viewport.width,
    height: viewport.height,
    scheme,
    status: null,
    error: null,
    violations: [],
    overflow: null,
    external: [],
    failed: [],
    console: [],
    pageErrors: [],
  };
  const tab = await context.newPage();
  const aborted = new Set();
  // The resource type as the page asked for it (a routed request's response may report another), and
  // one entry per failing URL: an HTTP error and the failure that follows it are one problem.
  const types = new Map();
  const failures = new Map();
  const fail = (request, { status = null, error = null, resourceType = null }) => {
    const url = request.url();
    const entry = failures.get(url) ?? {
      url,
      status: null,
      error: null,
      resourceType: types.get(url) ?? request.resourceType(),
    };
    failures.set(url, {
      url,
      status: entry.status ?? status,
      error: entry.error ?? error,
      resourceType: resourceType ?? entry.resourceType,
    });
  };
  tab.on('request', (request) => {
    if (!types.has(request.url())) types.set(request.url(), request.resourceType());
    if (!isLocal(request.url())) aborted.add(request.url());
  });
  tab.on('requestfailed', (request) => {
    if (!aborted.has(request.url())) fail(request, { error: request.failure()?.errorText ?? 'failed' });
  });
  tab.on('response', (response) => {
    const request = response.request();
    if (response.status() >= 400 && !aborted.has(request.url())) {
      const isDocument = request.isNavigationRequest() && request.frame() === tab.mainFrame();
      fail(request, { status: response.status(), ...(isDocument ? { resourceType: 'document' } : {}) });
    }
  });
  tab.on('console', (message) => {
    if (message.type() === 'error') {
      const { url: at, lineNumber } = message.location();
      run.console.push({
        type: message.type(),
        text: message.text(),
        location: at ? `${at}:${lineNumber + 1}` : null,
      });
    }
  });
  tab.on('pageerror', (error) => run.pageErrors.push(String(error?.stack || error)));
  try {
    await tab.setViewportSize(viewport);
    await tab.emulateMedia({ colorScheme: scheme });
    const response = await tab.goto(url, { waitUntil: 'load', timeout: NAVIGATION_TIMEOUT_MS });
    run.status = response ? response.status() : null;
    await tab.evaluate(() => document.fonts && document.fonts.ready.then(() => undefined));
    try {
      await tab.addScriptTag({ content: axeSource });
    } catch {
      // A Content-Security-Policy may refuse inline scripts; evaluating is not subject to it.
      await tab.evaluate(axeSource);
    }
    const violations = await tab.evaluate(async () => {
      const results = await window.axe.run(document, { resultTypes: ['violations'] });
      return results.violations.map((v) => ({
        id: v.id,
        impact: v.impact ?? null,
        help: v.help,
        nodes: v.nodes.map((n) => ({
          target: n.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : String(t))),
          html: n.html,
        })),
      }));
    });
    const short = (html) =>
      html.length > HTML_SNIPPET_CHARS ? `${html.slice(0, HTML_SNIPPET_CHARS)}…` : html;
    run.violations = violations.map((v) => ({
      ...v,
      nodes: v.nodes.map((n) => ({ ...n, html: short(n.html) })),
    }));
    run.overflow = await tab.evaluate(measureOverflow, HTML_SNIPPET_CHARS);
    if (screenshots) {
      await tab.screenshot({
        path: join(screenshots, `${slug(page)}-${viewport.width}-${scheme}.png`),
        fullPage: true,
      });
    }
  } catch (error) {
    run.error = String(error?.message || error).split('\n')[0];
  } finally {
    run.external = [...aborted];
    run.failed = [...failures.values()];
    // Every run starts from the same state: nothing a page stored may carry over to the next one.
    await tab.evaluate(() => localStorage.clear()).catch(() => {});
    await context.clearCookies().catch(() => {});
    await tab.close();
  }
  return run;
}

async function main() {
  const { base, pages } = await parseArgs(process.argv.slice(2));
  const axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  const axeVersion = JSON.parse(await readFile(require.resolve('axe-core/package.json'), 'utf8')).version;
  const screenshots = process.env.JUXTA_SCREENSHOTS || null;
  if (screenshots) await mkdir(screenshots, { recursive: true });

  const started = Date.now();
  await withBrowser('audit', { viewport: VIEWPORTS[0] }, async (context) => {
    // Tests reach only 127.0.0.1: anything else is recorded by the page listeners and refused here.
    await context.route(
      (url) => !isLocal(url.href),
      (route) => route.abort('blockedbyclient'),
    );
    const runs = [];
    for (const page of pages) {
      for (const viewport of VIEWPORTS) {
        for (const scheme of SCHEMES) {
          runs.push(await auditOne(context, axeSource, base, page, viewport, scheme, screenshots));
        }
      }
    }
    let browser = null;
    try {
      const blank = context.pages()[0] ?? (await context.newPage());
      const cdp = await context.newCDPSession(blank);
      browser = (await cdp.send('Browser.getVersion')).product;
      await cdp.detach();
    } catch {
      // The version is for the report's reader only.
    }
    const report = {
      base,
      browser,
      axe: axeVersion,
      phoneWidth: PHONE_WIDTH,
      seconds: Math.round((Date.now() - started) / 100) / 10,
      runs,
    };
    process.stdout.write(`${JSON.stringify(report, null, 1)}\n`);
  });
}

run('audit.mjs', main);
