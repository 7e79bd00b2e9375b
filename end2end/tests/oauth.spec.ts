import { test, expect, expectConsoleErrors } from "./fixtures";
import { admin, signIn, waitForHydration } from "./helpers";

// Refusals this file provokes on purpose: the browser logs the refused request.
test.beforeEach(({ page }) => expectConsoleErrors(page, /Failed to load resource: the server responded with a status of (401|404|409|422)/));

const shots = "screenshots";

// The whole authorization-code + PKCE flow in Chromium against the test bed's
// authorization server, then an XOAUTH2 archive run against Dovecot.
test("an admin registers a sign-in app, signs a mailbox in through the provider's page, and the run archives over XOAUTH2", async ({ page }) => {
  test.setTimeout(90_000);
  const oauthUrl = process.env.E2E_OAUTH_URL;
  const port = process.env.E2E_IMAPS_PORT;
  const ca = process.env.E2E_DOVECOT_CA;
  expect(oauthUrl && port && ca, "cargo xtask test passes the test bed's OAuth2 server and Dovecot").toBeTruthy();
  page.on("dialog", (dialog) => dialog.accept());
  await signIn(page, admin.email, admin.password);
  await expect(page.getByTestId("signed-in-user")).toBeVisible();

  // The app, from the Microsoft 365 preset, pointed at the test server.
  const appName = `E2E Entra ${Date.now()}`;
  await page.goto("/admin/sign-in-apps");
  await waitForHydration(page);
  const editor = page.getByTestId("sign-in-app-editor");
  await expect(editor.getByTestId("preset-help")).toContainText("IMAP.AccessAsUser.All");
  await editor.getByLabel("Name", { exact: true }).fill(appName);
  await editor.getByLabel("Client id").fill("tresor-public");
  await editor.locator("summary", { hasText: "Addresses" }).click();
  await editor.getByLabel("Sign-in service").fill(oauthUrl!);
  await editor.getByRole("button", { name: "Add sign-in app" }).click();
  await expect(editor.getByRole("status")).toContainText("Sign-in app saved");
  const apps = page.getByTestId("sign-in-apps");
  await expect(apps.getByRole("row", { name: new RegExp(appName) })).toContainText("tresor-public");
  await page.screenshot({ path: `${shots}/sign-in-apps.png`, fullPage: true });

  // A mailbox of Dovecot user user2 (its INBOX only: nothing the other specs count) that signs in with it.
  await page.goto("/mailboxes/new");
  await waitForHydration(page);
  const mailbox = page.getByTestId("mailbox-editor");
  await page.getByRole("button", { name: /^IMAP server/ }).click();
  const name = `OAuth ${Date.now()}`;
  await mailbox.getByLabel("Name", { exact: true }).fill(name);
  await mailbox.getByLabel("Host", { exact: true }).fill("localhost");
  await mailbox.getByLabel("Port", { exact: true }).fill(port!);
  await mailbox.locator("summary", { hasText: "Certificates" }).click();
  await mailbox.getByLabel("CA file on the Tresor server", { exact: true }).fill(ca!);
  await mailbox.getByLabel("User name", { exact: true }).fill("user2");
  // The sign-in happens after saving: no test yet.
  await page.getByTestId("skip-test").click();
  await mailbox.getByLabel("Folders to archive", { exact: true }).fill("INBOX");
  await mailbox.locator("summary", { hasText: "Advanced" }).click();
  await mailbox.locator('select[name="auth_method"]').selectOption("xoauth2");
  await mailbox.locator('select[name="oauth_app"]').selectOption({ label: appName });
  await mailbox.getByRole("button", { name: "Save mailbox" }).click();
  await expect(page).toHaveURL(/\/mailboxes$/);
  await page.getByTestId("mailbox-row").filter({ hasText: name }).getByRole("link", { name }).click();
  await waitForHydration(page);
  const panel = page.getByTestId("mailbox-sign-in");
  await expect(panel.getByTestId("sign-in-state")).toContainText("Not signed in yet");

  // To the provider's page and back, with PKCE.
  await panel.getByRole("button", { name: "Sign in with Microsoft" }).click();
  await expect(page).toHaveURL(new RegExp(`^${oauthUrl}/organizations/oauth2/v2.0/authorize\\?`));
  expect(new URL(page.url()).searchParams.get("code_challenge_method")).toBe("S256");
  await page.getByLabel("User name").fill("user2");
  await page.getByRole("button", { name: "Accept" }).click();
  await expect(page).toHaveURL(/\/mailboxes\/\d+\?signed_in=1$/);
  await expect(page.getByTestId("signed-in")).toBeVisible();
  await expect(panel.getByTestId("sign-in-state")).toContainText("Signed in through the browser");
  await page.screenshot({ path: `${shots}/mailbox-signed-in.png`, fullPage: true });

  // The run logs in over XOAUTH2 with the token.
  await waitForHydration(page);
  await page.getByTestId("run-now").click();
  await expect(page.getByTestId("job").first()).toContainText("Succeeded", { timeout: 30_000 });

  // Signed out, then in again with a code (device code): shown here, entered at the provider.
  await panel.getByRole("button", { name: "Sign out" }).click();
  await expect(panel.getByTestId("sign-in-state")).toContainText("Not signed in yet");
  await panel.getByRole("button", { name: "Sign in with a code" }).click();
  const code = await panel.getByTestId("user-code").textContent();
  expect(code).toMatch(/^[A-Z]{8}$/);
  await expect(panel.getByTestId("device-code")).toContainText(`${oauthUrl}/device`);
  const entered = await page.request.get(`${oauthUrl}/device?user_code=${code}&user=user2`);
  expect(entered.ok()).toBeTruthy();
  await expect(panel.getByTestId("sign-in-state")).toContainText("Signed in with a code", { timeout: 20_000 });

  // Cancelling at the provider comes back as a clear message.
  await panel.getByRole("button", { name: "Sign in with Microsoft" }).click();
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByTestId("sign-in-error")).toContainText("The sign-in was cancelled or declined");
});
