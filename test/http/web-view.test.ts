import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { deliver, type App } from '../../src/app';
import { generateEvents } from '../../src/generate';
import type { HttpServer } from '../../src/http';
import { serveOnLoopback, testApp } from './support';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = join(__dirname, '../..');
const chromiumAvailable = existsSync(CHROMIUM);
if (!chromiumAvailable) {
  console.warn(`${CHROMIUM} is missing (apt-get install chromium): the web view browser test is skipped`);
}

describe('the web view (GET /) in headless Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'touchpoint-web-view-'));
  let app: App;
  let server: HttpServer;
  let browser: Browser | undefined;

  beforeAll(async () => {
    app = await testApp();
    // Generated traffic, one Segment delivery per message, as the webhook would receive it.
    for (const message of generateEvents({ users: 60, seed: 12, start: new Date('2026-03-01T00:00:00Z') })) {
      await deliver(app, message);
    }
    server = await serveOnLoopback(app);
  });

  afterAll(async () => {
    await browser?.close();
    await server.close();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  (chromiumAvailable ? it : it.skip)(
    'draws first vs last touch by channel, lists the newest profiles and shows a looked-up profile with its timeline',
    async () => {
      // Prepare
      browser = await puppeteer.launch({
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
      const page = await browser.newPage();
      await page.setViewport({ width: 1280, height: 900 });
      const requests: string[] = [];
      const failures: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      page.on('pageerror', (error) => failures.push(String(error)));
      page.on('console', (message) => {
        if (message.type() === 'error') failures.push(message.text());
      });

      // Act
      await page.goto(server.url, { waitUntil: 'load' });
      await page.waitForSelector('body[data-chart="ready"]');
      const channels = await page.$eval('#channels', (element) => {
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
        return { count: Number(canvas.getAttribute('data-channels')), width: canvas.width, painted };
      });
      const rows = await page.$$eval('#newest tbody tr', (trs) =>
        trs.map((tr) => tr.getAttribute('data-target')),
      );
      const target = rows.find((row) => row?.startsWith('user:')) ?? rows[0];
      await page.click(`#newest tbody tr[data-target="${target}"]`);
      await page.waitForSelector(`#profile[data-target="${target}"] #timeline li`);
      const profile = await page.$eval('#profile', (box) => ({
        timeline: box.querySelectorAll('#timeline li').length,
        text: box.textContent ?? '',
      }));
      const screenshot = join(dir, 'web-view.png');
      await page.screenshot({ path: screenshot, fullPage: true });
      if (process.env.TOUCHPOINT_UPDATE_SCREENSHOT === '1') {
        mkdirSync(join(ROOT, 'docs'), { recursive: true });
        await page.screenshot({ path: join(ROOT, 'docs/web-view.png'), fullPage: true });
      }

      // Assess
      expect(channels.count).toBeGreaterThan(2);
      expect(channels.width).toBeGreaterThan(0);
      expect(channels.painted).toBeGreaterThan(1000);
      expect(rows.length).toBeGreaterThan(5);
      expect(profile.timeline).toBeGreaterThan(0);
      expect(profile.text).toContain('first touch');
      expect(existsSync(screenshot)).toBe(true);
      console.log(`web view screenshot: ${screenshot}`);
      // Self-contained: every request went to the server under test (no CDN, no fonts from elsewhere).
      expect(requests.filter((url) => !url.startsWith(server.url))).toEqual([]);
      expect(failures).toEqual([]);
    },
  );
});
