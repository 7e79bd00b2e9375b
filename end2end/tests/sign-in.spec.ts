import { test, expect, expectConsoleErrors } from "./fixtures";
import { admin, signIn, waitForHydration } from "./helpers";

// Refusals this file provokes on purpose: the browser logs the refused request.
test.beforeEach(({ page }) => expectConsoleErrors(page, /Failed to load resource: the server responded with a status of (401|404|409|422)/));

test("a signed-out visitor is sent to the sign-in page", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
});

test("the right password signs in and shows the dashboard", async ({ page }) => {
  await signIn(page, admin.email, admin.password);
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  await expect(page.getByTestId("signed-in-user")).toHaveText("E2E Admin");
  // The session survives a reload: it lives in an HttpOnly cookie.
  await page.reload();
  await expect(page.getByTestId("signed-in-user")).toHaveText("E2E Admin");
  const cookies = await page.context().cookies();
  const session = cookies.find((cookie) => cookie.name === "tresor_session");
  expect(session?.httpOnly).toBe(true);
  expect(session?.sameSite).toBe("Lax");
});

test("a wrong password is refused with a clear message", async ({ page }) => {
  await signIn(page, admin.email, "not-the-password");
  await expect(page.getByRole("alert")).toHaveText("Wrong e-mail address or password.");
  await expect(page).toHaveURL(/\/sign-in$/);
  const cookies = await page.context().cookies();
  expect(cookies.find((cookie) => cookie.name === "tresor_session")).toBeUndefined();
});

test("signing out ends the session", async ({ page }) => {
  await signIn(page, admin.email, admin.password);
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  await waitForHydration(page);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.goto("/admin/users");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fadmin%2Fusers$/);
});

test("a forgotten password leads to the reset page, which says whom to ask when mail is not set up", async ({ page }) => {
  await page.goto("/sign-in");
  await waitForHydration(page);
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await expect(page).toHaveURL(/\/forgot-password$/);
  await waitForHydration(page);
  await page.getByLabel("E-mail address").fill(admin.email);
  await page.getByRole("button", { name: "Send the link" }).click();
  // The e2e server has no SMTP server configured.
  await expect(page.getByRole("alert")).toContainText("Ask your administrator");

  // A reset link that is not (or no longer) valid says so next to nothing secret.
  await page.goto("/reset-password?token=not-a-real-token");
  await waitForHydration(page);
  await page.getByLabel("New password").fill("a-good-new-password");
  await page.getByLabel("Repeat it").fill("a-good-new-password");
  await page.getByRole("button", { name: "Set the new password" }).click();
  await expect(page.getByText("This link has expired or was used already; ask for a new one.")).toBeVisible();
});
