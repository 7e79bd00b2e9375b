// Accessibility (issue 17, item 15): axe-core on every page of the app, as a
// visitor, an ordinary user and an administrator, with no serious or critical
// finding allowed; and the three paths a person must manage by keyboard
// alone — search, a message, adding a mailbox — tabbed through with the
// focus visible at every stop.
import { test, expect, expectConsoleErrors } from "./fixtures";
import type { Locator, Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { admin, createUser, signIn, uniqueEmail, waitForHydration } from "./helpers";
import { PAGES, filled, findIds, load, type Ids } from "./app-pages";

let ids: Ids;

test.beforeAll(async ({ browser }) => {
  ids = await findIds(browser);
});

/** Pages a signed-out visitor sees. */
const SIGNED_OUT = ["/sign-in", "/forgot-password", "/reset-password?token=not-a-token", "/no-such-page"];

/** Runs axe (WCAG 2.1 A and AA) on the page as it is; fails on serious or critical findings. */
async function expectNoSeriousFindings(page: Page, path: string): Promise<void> {
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"])
    .analyze();
  for (const violation of results.violations) {
    // Every finding is printed, so the minor ones are seen too.
    console.log(`axe ${path}: ${violation.impact} ${violation.id} (${violation.nodes.length}×): ${violation.help}`);
  }
  const serious = results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => ({
      rule: violation.id,
      impact: violation.impact,
      help: violation.help,
      where: violation.nodes.slice(0, 3).map((node) => node.target.join(" ")),
    }));
  expect(serious, `axe findings on ${path}`).toEqual([]);
}

test("signed out: sign-in, password pages and not-found pass axe", async ({ page }) => {
  expectConsoleErrors(page, /Failed to load resource: the server responded with a status of 404/);
  for (const path of SIGNED_OUT) {
    await load(page, path);
    await expectNoSeriousFindings(page, path);
  }
});

test("an administrator's every page passes axe", async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page, admin.email, admin.password);
  await expect(page.getByTestId("signed-in-user")).toBeVisible();
  for (const path of PAGES.map((path) => filled(path, ids))) {
    await load(page, path);
    await expectNoSeriousFindings(page, path);
  }
});

test("an ordinary user's every page passes axe, refused ones included", async ({ page, request }) => {
  test.setTimeout(180_000);
  const email = uniqueEmail("a11y-user");
  await createUser(request, { email, name: "A11y user", role: "user", password: "a11y-password" });
  expectConsoleErrors(page, /Failed to load resource: the server responded with a status of (403|404)/);
  await signIn(page, email, "a11y-password");
  await expect(page.getByTestId("signed-in-user")).toBeVisible();
  for (const path of PAGES.map((path) => filled(path, ids))) {
    await load(page, path);
    await expectNoSeriousFindings(page, path);
  }
});

/** Presses Tab until `target` has the focus (as a keyboard user would), then checks the focus is visible. */
async function tabTo(page: Page, target: Locator, what: string): Promise<void> {
  for (let presses = 0; presses < 80; presses++) {
    await page.keyboard.press("Tab");
    if (await target.evaluate((element) => element === document.activeElement).catch(() => false)) {
      await expectFocusVisible(page, what);
      return;
    }
  }
  throw new Error(`${what} cannot be reached with the Tab key`);
}

/** The focused element shows a focus ring (an outline or a box shadow). */
async function expectFocusVisible(page: Page, what: string): Promise<void> {
  const ring = await page.evaluate(() => {
    const element = document.activeElement as HTMLElement;
    const style = getComputedStyle(element);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 1;
    return { outline, boxShadow: style.boxShadow !== "none" };
  });
  expect(ring.outline || ring.boxShadow, `the focus on ${what} is visible`).toBe(true);
}

test("by keyboard alone: search the archive, open a message, download it", async ({ page }) => {
  await signIn(page, admin.email, admin.password);
  await expect(page.getByTestId("signed-in-user")).toBeVisible();
  await page.goto("/archive");
  await waitForHydration(page);

  await tabTo(page, page.getByTestId("search-input"), "the search field");
  await page.keyboard.type("Rechnung");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/q=Rechnung/);
  const result = page.getByTestId("results").getByRole("link", { name: /Rechnung/ }).first();
  await expect(result).toBeVisible();
  await tabTo(page, result, "the first result");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/m\/\d+$/);
  await waitForHydration(page);
  await expect(page.getByTestId("message-subject")).toContainText("Rechnung");

  await tabTo(page, page.getByTestId("download-eml"), "Download .eml");
  const download = page.waitForEvent("download");
  await page.keyboard.press("Enter");
  expect((await download).suggestedFilename()).toMatch(/\.eml$/);

});

test("by keyboard alone: add an IMAP mailbox with the wizard", async ({ page }) => {
  expectConsoleErrors(page, /Failed to load resource: the server responded with a status of (404|409|422)/);
  await signIn(page, admin.email, admin.password);
  await expect(page.getByTestId("signed-in-user")).toBeVisible();
  await page.goto("/mailboxes");
  await waitForHydration(page);
  await tabTo(page, page.getByRole("link", { name: "Add mailbox" }), "Add mailbox");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/mailboxes\/new$/);
  await waitForHydration(page);

  const editor = page.getByTestId("mailbox-editor");
  await tabTo(page, page.getByRole("button", { name: /^IMAP server/ }), "the IMAP provider");
  await page.keyboard.press("Enter");
  const name = `Keyboard ${Date.now()}`;
  for (const [label, value] of [
    ["Name", name],
    ["Host", "localhost"],
    ["Port", process.env.E2E_IMAPS_PORT ?? "993"],
    ["User name", "alice"],
    ["Password", "alicepw"],
  ]) {
    const field = editor.getByLabel(label, { exact: true });
    await tabTo(page, field, `the ${label} field`);
    await page.keyboard.press("ControlOrMeta+a");
    await page.keyboard.type(value);
    await expect(field).toHaveValue(value);
  }
  await tabTo(page, page.getByTestId("skip-test"), "Skip the test");
  await page.keyboard.press("Enter");
  const run = editor.getByLabel("Run", { exact: true });
  await expect(run).toBeVisible();
  await tabTo(page, run, "the schedule");
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.type("1d");
  await tabTo(page, editor.getByRole("button", { name: "Save mailbox" }), "Save mailbox");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/mailboxes$/);
  await expect(page.getByTestId("mailbox-row").filter({ hasText: name })).toBeVisible();
});
