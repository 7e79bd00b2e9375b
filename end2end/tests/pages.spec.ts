// Every page of the app, loaded directly (a bookmark, a reload, a pasted
// permalink) as each kind of visitor, with the console guard of fixtures.ts
// on: a page that panics while hydrating, logs an error or asks the server for
// something it may not have fails here, whichever role meets it.
import { test, expect, expectConsoleErrors } from "./fixtures";
import type { Page } from "@playwright/test";
import { admin, createUser, signIn, uniqueEmail, waitForHydration } from "./helpers";

/** The app's pages; `:mailbox`, `:message` and `:template` are filled in below. */
const PAGES = [
  "/",
  "/mailboxes",
  "/mailboxes/new",
  "/mailboxes/:mailbox",
  "/mailboxes/:mailbox/edit",
  "/archive",
  "/archive?q=test",
  "/m/:message",
  "/account",
  "/admin/users",
  "/admin/templates",
  "/admin/templates/new",
  "/admin/templates/:template",
  "/admin/batch",
  "/admin/audit",
  "/admin/notifications",
  "/admin/sign-in-apps",
  "/admin/retention",
];

/** Ids of things only an administrator sees: the imported archive's mailbox, one of its messages, a template. */
type Ids = { mailbox: string; message: string; template: string };

let ids: Ids;

test.beforeAll(async ({ browser }) => {
  const page = await browser.newPage();
  await signIn(page, admin.email, admin.password);
  await expect(page.getByTestId("signed-in-user")).toBeVisible();

  await page.goto("/mailboxes");
  await waitForHydration(page);
  await page.getByTestId("mailbox-row").filter({ hasText: "E2E archive" }).getByRole("link", { name: "E2E archive" }).click();
  await expect(page).toHaveURL(/\/mailboxes\/\d+$/);
  const mailbox = page.url().match(/\/mailboxes\/(\d+)$/)![1];

  // A plain message (the archive's other one is hostile HTML the sandbox blocks, on purpose).
  await page.goto("/archive?q=Rechnung");
  await waitForHydration(page);
  await page.getByTestId("results").getByRole("link", { name: /Rechnung/ }).click();
  await expect(page).toHaveURL(/\/m\/\d+$/);
  const message = page.url().match(/\/m\/(\d+)$/)![1];

  // A template of its own, so the editor page has one to show.
  await page.goto("/admin/templates/new");
  await waitForHydration(page);
  const editor = page.getByTestId("mailbox-editor");
  const name = `Pages ${Date.now()}`;
  await editor.getByLabel("Name", { exact: true }).fill(name);
  await editor.getByLabel("Host", { exact: true }).fill("imap.example.com");
  await editor.getByRole("button", { name: "Save template" }).click();
  await expect(page).toHaveURL(/\/admin\/templates$/);
  await page.getByTestId("template-row").filter({ hasText: name }).getByRole("link", { name }).click();
  await expect(page).toHaveURL(/\/admin\/templates\/\d+$/);
  const template = page.url().match(/\/admin\/templates\/(\d+)$/)![1];

  ids = { mailbox, message, template };
  await page.close();
});

function filled(path: string): string {
  return path.replace(":mailbox", ids.mailbox).replace(":message", ids.message).replace(":template", ids.template);
}

/** Loads `path` from the server and waits until the app has hydrated it and its requests are done. */
async function load(page: Page, path: string): Promise<void> {
  const response = await page.goto(path);
  expect(response?.status(), `${path} answers`).toBeLessThan(500);
  await waitForHydration(page);
  await page.waitForLoadState("networkidle");
}

test("signed out, every page sends the visitor to sign in and back afterwards", async ({ page }) => {
  for (const path of PAGES.map(filled)) {
    await load(page, path);
    const back = path === "/" ? "/sign-in" : `/sign-in?next=${encodeURIComponent(path)}`;
    expect(new URL(page.url()).pathname + new URL(page.url()).search, path).toBe(back);
    await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  }
});

test("an administrator loads every page without an error", async ({ page }) => {
  await signIn(page, admin.email, admin.password);
  await expect(page.getByTestId("signed-in-user")).toBeVisible();
  for (const path of PAGES.map(filled)) {
    await load(page, path);
    await expect(page.getByRole("heading", { level: 1 }).first(), path).toBeVisible();
    await expect(page.getByText("Page not found"), path).toHaveCount(0);
  }
});

for (const role of ["user", "auditor"] as const) {
  test(`an ${role} loads every page; what is not theirs is refused cleanly`, async ({ page, request }) => {
    const email = uniqueEmail(`pages-${role}`);
    await createUser(request, { email, name: `Pages ${role}`, role, password: "pages-password" });
    // Someone else's mailbox, message and template, and the admin pages, are
    // refused by the server: the browser logs those refusals, nothing else.
    expectConsoleErrors(page, /Failed to load resource: the server responded with a status of (403|404)/);
    await signIn(page, email, "pages-password");
    await expect(page.getByTestId("signed-in-user")).toBeVisible();
    for (const path of PAGES.map(filled)) {
      await load(page, path);
      await expect(page.getByText("Page not found"), path).toHaveCount(0);
      // Nobody else's mail shows: not the admin's message, nor its mailbox.
      await expect(page.getByTestId("message-subject"), path).toHaveCount(0);
      await expect(page.getByTestId("mailbox-row").filter({ hasText: "E2E archive" }), path).toHaveCount(0);
    }
  });
}

for (const width of [1366, 390]) {
  test(`no page scrolls sideways at ${width} px; long subjects are cut, not widening the page`, async ({ page }) => {
    await page.setViewportSize({ width, height: 900 });
    await signIn(page, admin.email, admin.password);
    await expect(page.getByTestId("signed-in-user")).toBeAttached();
    for (const path of PAGES.map(filled)) {
      await load(page, path);
      const { scrollWidth, clientWidth } = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        clientWidth: document.documentElement.clientWidth,
      }));
      expect(scrollWidth, `${path} at ${width} px`).toBeLessThanOrEqual(clientWidth);
    }
    for (const [path, name] of [["/archive", "archive"], ["/m/:message", "message"]]) {
      await load(page, filled(path));
      await page.screenshot({ path: `screenshots/${name}-${width}.png`, fullPage: true });
    }
  });
}
