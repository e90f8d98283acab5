/** The browser the UI tests and `scripts/ui-check.ts` drive with playwright-core (which downloads none). */

/** Debian's chromium, or CHROMIUM_PATH (`npm run ensure-chromium` installs the former). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless and quiet; no sandbox because chromium refuses to start as root without it (CI containers). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
