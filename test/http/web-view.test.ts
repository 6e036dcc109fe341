import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'puppeteer-core';
import { deliver, type App } from '../../src/app';
import { generateEvents } from '../../src/generate';
import type { HttpServer } from '../../src/http';
import { chromiumAvailable, launchChromium, paintedCanvas, watchedPage } from '../support/browser';
import { serveOnLoopback, testApp } from './support';

const ROOT = join(__dirname, '../..');
const withChromium = chromiumAvailable('the web view browser test');

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

  (withChromium ? it : it.skip)(
    'draws first vs last touch by channel, lists the newest profiles and shows a looked-up profile with its timeline',
    async () => {
      // Prepare
      browser = await launchChromium(dir);
      const { page, requests, failures } = await watchedPage(browser);

      // Act
      await page.goto(server.url, { waitUntil: 'load' });
      await page.waitForSelector('body[data-chart="ready"]');
      const canvas = await paintedCanvas(page, '#channels');
      const channels = { count: canvas.channels, width: canvas.width, painted: canvas.painted };
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
