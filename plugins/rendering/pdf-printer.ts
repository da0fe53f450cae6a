// HTML to PDF with Chromium (the binary the config names, TESSERA_CHROMIUM): one browser for the process, started on
// the first print and reused, a fresh context and page per print, closed after it. Pages run no JavaScript and load
// nothing from the network or the disk (only data: URLs), so a template cannot reach outside its own HTML. A missing
// Chromium is the installation's problem: a 503 saying so.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { PluginRejection } from '../../engine/src/plugins/plugin-api.js';

const PRINT_TIMEOUT_MS = 30_000;
const LAUNCH_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking'];

/** The A4 page every document prints on; the footer numbers the pages. */
const FOOTER = `<div style="width:100%;font-size:8px;color:#666;text-align:center;font-family:'WenQuanYi Micro Hei','Noto Sans CJK SC',sans-serif">
  <span class="pageNumber"></span> / <span class="totalPages"></span></div>`;

export class PdfPrinter {
  private browser: Promise<Browser> | undefined;

  constructor(private readonly executablePath: string) {}

  async print(html: string): Promise<Buffer> {
    const browser = await this.launch();
    const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
    try {
      const page = await context.newPage();
      await page.route('**/*', (route) => (route.request().url().startsWith('data:') ? route.continue() : route.abort()));
      // Nothing loads from outside, so a page that is not laid out in this time never will be.
      page.setDefaultTimeout(PRINT_TIMEOUT_MS);
      await page.setContent(html, { waitUntil: 'load' });
      return await page.pdf({
        format: 'A4',
        printBackground: true,
        displayHeaderFooter: true,
        headerTemplate: '<span></span>',
        footerTemplate: FOOTER,
        margin: { top: '18mm', bottom: '18mm', left: '16mm', right: '16mm' },
      });
    } finally {
      await context.close();
    }
  }

  async close(): Promise<void> {
    const browser = this.browser;
    this.browser = undefined;
    if (browser) await (await browser.catch(() => undefined))?.close();
  }

  private launch(): Promise<Browser> {
    if (!existsSync(this.executablePath))
      throw new PluginRejection(
        `PDF printing needs Chromium at ${this.executablePath} (TESSERA_CHROMIUM), which is not installed`,
        '',
        'rendering.no_chromium',
        503,
      );
    if (!this.browser) {
      const started = chromium.launch({ executablePath: this.executablePath, headless: true, args: LAUNCH_ARGS }).catch((err: unknown) => {
        throw new PluginRejection(
          `Chromium at ${this.executablePath} (TESSERA_CHROMIUM) did not start: ${String((err as Error).message ?? err).split('\n')[0]}`,
          '',
          'rendering.no_chromium',
          503,
        );
      });
      // A browser that fails to start, or dies, is started again on the next print.
      started.then(
        (b) => b.on('disconnected', () => this.browser === started && (this.browser = undefined)),
        () => this.browser === started && (this.browser = undefined),
      );
      this.browser = started;
    }
    return this.browser;
  }
}
