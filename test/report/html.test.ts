import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'puppeteer-core';
import { attributionReport, MODELS } from '../../src/conversion';
import { generateEvents } from '../../src/generate';
import { creditOptionsOf } from '../../src/pipeline';
import { creditedConversions, reportHtml } from '../../src/report';
import { chromiumAvailable, launchChromium, paintedCanvas, watchedPage } from '../support/browser';
import { testPipeline } from '../support/pipeline';

const ROOT = join(__dirname, '../..');
const withChromium = chromiumAvailable('the report browser test');

describe('touchpoint report --format html in headless Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'touchpoint-report-html-'));
  let browser: Browser | undefined;
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  (withChromium ? it : it.skip)(
    'draws the model comparison and the top paths from one self-contained file, with no request at all',
    async () => {
      // Prepare: generated traffic through the engine, then the report as the CLI writes it
      const pipeline = testPipeline();
      await pipeline.deliver(
        generateEvents({ users: 200, seed: 4, start: new Date('2026-03-01T00:00:00Z') }),
      );
      const report = attributionReport(await creditedConversions(pipeline.store), {
        models: MODELS,
        by: 'channel',
        credit: creditOptionsOf(pipeline.settings),
      });
      const file = join(dir, 'report.html');
      writeFileSync(
        file,
        reportHtml(report, {
          title: 'touchpoint: conversion credit by channel',
          generatedAt: '2026-04-01T00:00:00.000Z',
        }),
      );
      const url = pathToFileURL(file).href;
      browser = await launchChromium(dir);
      const { page, requests, failures } = await watchedPage(browser);

      // Act
      await page.goto(url, { waitUntil: 'load' });
      await page.waitForSelector('body[data-charts="2"]');
      const models = (await paintedCanvas(page, '#models')).painted;
      const paths = (await paintedCanvas(page, '#paths')).painted;
      const revenueRows = await page.$$eval('#revenue tbody tr', (rows) => rows.length);
      const totals = await page.$$eval('#revenue tfoot td', (cells) => cells.map((cell) => cell.textContent));
      const pathRows = await page.$$eval('#path-table tbody tr', (rows) => rows.length);
      const screenshot = join(dir, 'report.png');
      await page.screenshot({ path: screenshot, fullPage: true });
      if (process.env.TOUCHPOINT_UPDATE_SCREENSHOT === '1') {
        mkdirSync(join(ROOT, 'docs'), { recursive: true });
        await page.screenshot({ path: join(ROOT, 'docs/report.png'), fullPage: true });
      }

      // Assess
      expect(models).toBeGreaterThan(5000);
      expect(paths).toBeGreaterThan(1000);
      // one row per key any model credited (a channel may get only last-touch credit, say)
      const keys = new Set(MODELS.flatMap((model) => (report.models[model] ?? []).map((row) => row.key)));
      expect(revenueRows).toBe(keys.size);
      const total = report.revenue.toLocaleString('en-US', {
        minimumFractionDigits: 2,
        maximumFractionDigits: 2,
      });
      expect(totals).toEqual(['total', ...MODELS.map(() => total)]);
      expect(pathRows).toBe(report.paths.length);
      expect(existsSync(screenshot)).toBe(true);
      console.log(`report screenshot: ${screenshot}`);
      // Self-contained: the page loaded nothing but itself (no CDN, no script or font from anywhere).
      expect(requests).toEqual([url]);
      expect(failures).toEqual([]);
    },
    // a browser start on a loaded machine (CI runs every suite at once): well past the default 30 s
    90_000,
  );
});
