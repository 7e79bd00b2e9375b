// One fixture for every spec: a page error (an uncaught exception, a WASM
// panic while hydrating) or a console error the spec did not declare fails
// the test, as a person would see something broken. A spec that provokes an
// error on purpose (a refused request logs "Failed to load resource") says
// so with `expectConsoleErrors(page, /pattern/)`.
import { test as base, expect, type Page } from "@playwright/test";

const expected = new WeakMap<Page, RegExp[]>();

/** Declares console errors this page is expected to log (matched by pattern). */
export function expectConsoleErrors(page: Page, ...patterns: RegExp[]): void {
  expected.set(page, [...(expected.get(page) ?? []), ...patterns]);
}

export const test = base.extend<{ consoleGuard: void }>({
  consoleGuard: [
    async ({ page }, use) => {
      const problems: string[] = [];
      page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
      page.on("console", (message) => {
        if (message.type() !== "error") return;
        const text = message.text();
        if ((expected.get(page) ?? []).some((pattern) => pattern.test(text))) return;
        problems.push(`console error: ${text}`);
      });
      await use();
      expect(problems, "the page logged errors a person would hit").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
