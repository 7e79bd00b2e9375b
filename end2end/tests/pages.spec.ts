// Every page of the app, loaded directly (a bookmark, a reload, a pasted
// permalink) as each kind of visitor, with the console guard of fixtures.ts
// on: a page that panics while hydrating, logs an error or asks the server for
// something it may not have fails here, whichever role meets it.
import { test, expect, expectConsoleErrors } from "./fixtures";
import { admin, createUser, signIn, uniqueEmail } from "./helpers";
import { PAGES, filled as fill, findIds, load, type Ids } from "./app-pages";

let ids: Ids;
const filled = (path: string) => fill(path, ids);

test.beforeAll(async ({ browser }) => {
  ids = await findIds(browser);
});

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
