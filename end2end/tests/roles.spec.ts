import { test, expect, expectConsoleErrors } from "./fixtures";
import { admin, createUser, signIn, uniqueEmail, waitForHydration } from "./helpers";

// Refusals this file provokes on purpose: the browser logs the refused request.
// 403: the 'not allowed' page a non-admin gets at an admin address is answered 403.
test.beforeEach(({ page }) => expectConsoleErrors(page, /Failed to load resource: the server responded with a status of (401|403|404|409|422)/));

test("an admin sees the Admin navigation", async ({ page }) => {
  await signIn(page, admin.email, admin.password);
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link")).toHaveText(["Dashboard", "Mailboxes", "Archive", "Admin"]);
});

test("an admin creates a user who then sees only non-admin navigation", async ({ page }) => {
  await signIn(page, admin.email, admin.password);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }).click();
  await waitForHydration(page);
  const email = uniqueEmail("plain");
  await page.getByLabel("E-mail address").fill(email);
  await page.getByLabel("Name").fill("Plain User");
  await page.getByLabel("Initial password").fill("plain-user-password");
  await page.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByTestId("user-table").getByRole("row", { name: new RegExp(email) })).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);

  await signIn(page, email, "plain-user-password");
  await expect(page.getByTestId("signed-in-user")).toHaveText("Plain User");
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link")).toHaveText(["Dashboard", "Mailboxes", "Archive"]);

  // Typing the admin address by hand shows the "not allowed" page, not the user list.
  await page.goto("/admin/users");
  await expect(page.getByTestId("not-allowed")).toContainText("This page is for administrators.");
  await expect(page.getByTestId("user-table")).toHaveCount(0);
});

test("a disabled user can no longer sign in", async ({ page, request }) => {
  const email = uniqueEmail("disabled");
  await createUser(request, { email, name: "Soon Disabled", role: "user", password: "disabled-password" });
  await signIn(page, admin.email, admin.password);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }).click();
  await waitForHydration(page);
  const row = page.getByTestId("user-table").getByRole("row", { name: new RegExp(email) });
  await row.getByRole("button", { name: `Manage ${email}` }).click();
  await page.getByTestId("user-panel").getByRole("button", { name: "Disable…" }).click();
  await page.getByTestId("confirm-disable").getByRole("button", { name: `Disable ${email}` }).click();
  await expect(row).toContainText("Disabled");
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);

  await signIn(page, email, "disabled-password");
  await expect(page.getByRole("alert")).toHaveText("This account is disabled. Ask an administrator to enable it again.");
});
