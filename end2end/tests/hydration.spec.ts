import { test, expect, expectConsoleErrors } from "./fixtures";
import { admin, signIn, uniqueEmail, waitForHydration } from "./helpers";

// Refusals this file provokes on purpose: the browser logs the refused request.
test.beforeEach(({ page }) => expectConsoleErrors(page, /Failed to load resource: the server responded with a status of (401|404|409|422)/));

test("creating a user updates the table without reloading the page", async ({ page }) => {
  // The pages' Content-Security-Policy lets the app run and refuses nothing it needs.
  const refused: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) refused.push(message.text());
  });
  const response = await page.goto("/sign-in");
  expect(response?.headers()["content-security-policy"]).toContain("'nonce-");
  await signIn(page, admin.email, admin.password);
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }).click();
  await expect(page.getByRole("heading", { name: "Users" })).toBeVisible();
  await waitForHydration(page);

  // A marker on window disappears if the browser loads a new document.
  await page.evaluate(() => ((window as any).__noReload = true));

  const email = uniqueEmail("hydrated");
  await page.getByLabel("E-mail address").fill(email);
  await page.getByLabel("Name").fill("Hydra Tion");
  await page.getByLabel("Role").selectOption("auditor");
  await page.getByLabel("Initial password").fill("a-long-password");
  await page.getByRole("button", { name: "Add user" }).click();

  const row = page.getByTestId("user-table").getByRole("row", { name: new RegExp(email) });
  await expect(row).toBeVisible();
  await expect(row).toContainText("Auditor");
  await expect(page.getByRole("status")).toContainText(`can now sign in as ${email}`);
  expect(await page.evaluate(() => (window as any).__noReload)).toBe(true);
  // The form was reset for the next user.
  await expect(page.getByLabel("E-mail address")).toHaveValue("");
  expect(refused).toEqual([]);
});

test("a too-short password is reported next to its field", async ({ page }) => {
  await signIn(page, admin.email, admin.password);
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  await page.goto("/admin/users");
  await waitForHydration(page);
  await page.getByLabel("E-mail address").fill(uniqueEmail("short"));
  await page.getByLabel("Name").fill("Short Password");
  await page.getByLabel("Initial password").fill("short");
  await page.getByRole("button", { name: "Add user" }).click();
  await expect(page.locator(".field-error")).toHaveText("Use at least 10 characters.");
});
