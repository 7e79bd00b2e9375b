// The app's pages and how a spec loads one: shared by pages.spec.ts (every
// page as every role) and a11y.spec.ts (axe on every page).
import { expect } from "./fixtures";
import type { Browser, Page } from "@playwright/test";
import { admin, signIn, waitForHydration } from "./helpers";

/** The app's pages; `:mailbox`, `:message` and `:template` are filled in below. */
export const PAGES = [
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
  "/admin/import",
  "/admin/audit",
  "/admin/notifications",
  "/admin/sign-in-apps",
  "/admin/retention",
];

/** Ids of things only an administrator sees: the imported archive's mailbox, one of its messages, a template. */
export type Ids = { mailbox: string; message: string; template: string };

/** Signs in as the admin on a fresh page and finds (or makes) a mailbox, a message and a template to fill the paths with. */
export async function findIds(browser: Browser): Promise<Ids> {
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

  await page.close();
  return { mailbox, message, template };
}

export function filled(path: string, ids: Ids): string {
  return path.replace(":mailbox", ids.mailbox).replace(":message", ids.message).replace(":template", ids.template);
}

/** Loads `path` from the server and waits until the app has hydrated it and its requests are done. */
export async function load(page: Page, path: string): Promise<void> {
  const response = await page.goto(path);
  expect(response?.status(), `${path} answers`).toBeLessThan(500);
  await waitForHydration(page);
  await page.waitForLoadState("networkidle");
}

