// What the browser tools share: Debian's Chromium driven headless with the flags CI requires, in a
// fresh profile folder that is removed afterwards, and a main() runner that exits 1 on any error.
//
// Environment: JUXTA_CHROMIUM=PATH, the browser to drive (default /usr/bin/chromium).

import { chromium } from 'playwright-core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

// Launches the browser with `options` (viewport, colour scheme…) in a new profile, runs
// `use(context)`, then closes the browser and deletes the profile whatever happened.
export async function withBrowser(name, options, use) {
  const profile = await mkdtemp(join(tmpdir(), `juxta-${name}-`));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.JUXTA_CHROMIUM || '/usr/bin/chromium',
      headless: true,
      args: FLAGS,
      serviceWorkers: 'block',
      timeout: 60_000,
      ...options,
    });
    return await use(context);
  } finally {
    if (context) await context.close().catch(() => {});
    await rm(profile, { recursive: true, force: true }).catch(() => {});
  }
}

// Runs an async main; an error is printed with the tool's name and exits 1.
export function run(name, main) {
  main().catch((error) => {
    process.stderr.write(`${name}: ${error?.stack || error}\n`);
    process.exit(1);
  });
}
