import { test, expect, expectConsoleErrors } from "./fixtures";
import type { Request } from "@playwright/test";
import { admin, signIn, waitForHydration } from "./helpers";

// The hostile fixture mail's script is blocked by the iframe's sandbox, and its remote image
// (on a port browsers refuse) fails once the reader asks for images, as they must.
test.beforeEach(({ page }) => expectConsoleErrors(page, /Blocked script execution in '[^']*\/m\/\d+\/html/, /ERR_UNSAFE_PORT/));

// The harness imports end2end/fixtures/*.eml (`tresor import`) before the
// server starts, into a shared mailbox "E2E archive" the admin can read.

test("an HTML mail with script, onerror and a remote image renders without running or fetching anything", async ({ page }) => {
  const suspicious: string[] = [];
  page.on("request", (request: Request) => {
    if (request.url().includes("127.0.0.1:9/")) suspicious.push(request.url());
  });
  const dialogs: string[] = [];
  page.on("dialog", async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });

  await signIn(page, admin.email, admin.password);
  await expect(page.getByTestId("signed-in-user")).toBeVisible();
  await page.goto("/archive?q=" + encodeURIComponent("subject:hostile"));
  await waitForHydration(page);
  await expect(page.getByTestId("result-count")).toContainText("of 1 messages");
  await page.getByRole("link", { name: "Hostile HTML newsletter" }).click();
  await expect(page.getByTestId("message-subject")).toHaveText("Hostile HTML newsletter");

  const frame = page.frameLocator('[data-testid="html-body"]');
  await expect(frame.locator("h1")).toHaveText("Newsletter");
  await expect(frame.locator("p")).toContainText("Grüße aus Köln");
  // Give a script or an error handler every chance to run.
  await page.waitForTimeout(1000);
  await expect(page).not.toHaveTitle(/pwned/);
  expect(await frame.locator("script").count()).toBe(0);
  expect(await frame.locator("[onerror]").count()).toBe(0);
  expect(suspicious, "nothing was fetched from elsewhere").toEqual([]);
  expect(dialogs).toEqual([]);
  const sandbox = await page.getByTestId("html-body").getAttribute("sandbox");
  expect(sandbox).not.toContain("allow-scripts");
  expect(sandbox).not.toContain("allow-same-origin");
  await page.screenshot({ path: "screenshots/message-html.png", fullPage: true });

  // Remote images only on request: then, and only then, the tracker is asked.
  await page.getByTestId("load-images").click();
  await expect.poll(() => suspicious.some((url) => url.endsWith("/tracker.gif"))).toBe(true);
  expect(suspicious.filter((url) => !url.endsWith("/tracker.gif"))).toEqual([]);
  await expect(page).not.toHaveTitle(/pwned/);

  // The text body and the integrity panel.
  await page.getByTestId("show-text").click();
  await expect(page.getByTestId("text-body")).toContainText("Newsletter in plain text");
  await expect(page.getByTestId("sha256")).toHaveText(/^[0-9a-f]{64}$/);
});

test("search finds German words without umlauts, and a permalink survives signing in", async ({ page }) => {
  await signIn(page, admin.email, admin.password);
  await expect(page.getByTestId("signed-in-user")).toBeVisible();
  await page.goto("/archive");
  await waitForHydration(page);
  await page.getByTestId("search-input").fill("grusse koln");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/q=grusse/);
  await expect(page.getByTestId("hit")).toHaveCount(1);
  await expect(page.getByTestId("hit").locator("mark").first()).toBeVisible();
  await page.screenshot({ path: "screenshots/archive-search.png", fullPage: true });
  await page.getByTestId("hit").getByRole("link").first().click();
  await expect(page.getByTestId("message-subject")).toHaveText("Hostile HTML newsletter");
  const permalink = new URL(page.url()).pathname;
  expect(permalink).toMatch(/^\/m\/\d+$/);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await page.goto(permalink);
  await expect(page).toHaveURL(/\/sign-in\?next=/);
  await waitForHydration(page);
  await page.getByLabel("E-mail address").fill(admin.email);
  await page.getByLabel("Password").fill(admin.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(new RegExp(permalink + "$"));
  await expect(page.getByTestId("message-subject")).toHaveText("Hostile HTML newsletter");
});
