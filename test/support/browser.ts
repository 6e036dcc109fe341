import { existsSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

/** Debian's Chromium, which the browser tests drive (.ci/run installs it). */
export const CHROMIUM = '/usr/bin/chromium';

/** True when Chromium is installed; the browser tests are skipped (with a warning) otherwise. */
export function chromiumAvailable(test: string): boolean {
  const available = existsSync(CHROMIUM);
  if (!available) console.warn(`${CHROMIUM} is missing (apt-get install chromium): ${test} is skipped`);
  return available;
}

/** Headless Chromium with a profile under `dir`, nothing running in the background. */
export function launchChromium(dir: string): Promise<Browser> {
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir: join(dir, 'profile'),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** A 1280x900 page that records every request it makes and every script error or console error. */
export async function watchedPage(
  browser: Browser,
): Promise<{ page: Page; requests: string[]; failures: string[] }> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  const requests: string[] = [];
  const failures: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('pageerror', (error) => failures.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') failures.push(message.text());
  });
  return { page, requests, failures };
}

/** How many pixels of the canvas `selector` are painted (alpha > 0), its width, and its `data-channels`. */
export function paintedCanvas(page: Page, selector: string) {
  return page.$eval(selector, (element) => {
    // The test's TypeScript has no DOM library: the canvas as far as this check uses it.
    const canvas = element as unknown as {
      width: number;
      height: number;
      getAttribute(name: string): string | null;
      getContext(
        kind: '2d',
      ): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null;
    };
    const pixels = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data ?? [];
    let painted = 0;
    for (let i = 3; i < pixels.length; i += 4) if ((pixels[i] ?? 0) > 0) painted++;
    return { painted, width: canvas.width, channels: Number(canvas.getAttribute('data-channels')) };
  });
}
