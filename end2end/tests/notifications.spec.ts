import { test, expect, expectConsoleErrors } from "./fixtures";
import { admin, mailsTo, signIn, waitForHydration } from "./helpers";

// Refusals this file provokes on purpose: the browser logs the refused request.
test.beforeEach(({ page }) => expectConsoleErrors(page, /Failed to load resource: the server responded with a status of (401|404|409|422)/));

const shots = "screenshots";

// A mailbox's own settings only: the instance stays without mail, which the
// sign-in spec's "whom to ask" relies on.
test("an admin gives a mailbox its own SMTP server, sends a test mail that arrives, and goes back to the instance's", async ({ page }) => {
  const port = process.env.E2E_SMTP_PORT;
  const sinkDir = process.env.E2E_SMTP_DIR;
  const ca = process.env.E2E_DOVECOT_CA;
  expect(port && sinkDir && ca, "cargo xtask test passes the test bed's SMTP sink").toBeTruthy();
  page.on("dialog", (dialog) => dialog.accept());
  await signIn(page, admin.email, admin.password);
  await expect(page.getByTestId("signed-in-user")).toBeVisible();
  await page.goto("/admin/notifications");
  await waitForHydration(page);
  await expect(page.getByTestId("smtp-status")).toContainText("Not set up");

  await page.locator('select[name="mailbox"]').selectOption({ label: "E2E archive" });
  await expect(page).toHaveURL(/\/admin\/notifications\?mailbox=\d+$/);
  const settings = page.getByTestId("smtp-settings");
  await expect(page.getByTestId("smtp-status")).toContainText("Neither this mailbox nor the instance");

  // A mistake is named at its field.
  await settings.getByLabel("Server", { exact: true }).fill("localhost");
  await settings.getByLabel("Sender address").fill("archive@e2e.test");
  await settings.getByLabel("CA certificate (optional)").fill("/nonexistent/ca.pem");
  await settings.getByRole("button", { name: "Save settings" }).click();
  await expect(settings.locator(".field-error")).toContainText("There is no file /nonexistent/ca.pem on the server.");

  await settings.getByLabel("CA certificate (optional)").fill(ca!);
  await settings.locator('select[name="form[security]"]').selectOption("starttls");
  await settings.locator('input[name="form[port]"]').fill(port!);
  await settings.getByLabel("User name (AUTH)").fill("notify");
  await settings.locator('input[name="form[password]"]').fill("notifypw");
  await settings.getByLabel("Failure notices also to").fill("it-support@e2e.test");
  await settings.getByRole("button", { name: "Save settings" }).click();
  await expect(settings.getByRole("status")).toContainText("Settings saved");
  await expect(page.getByTestId("smtp-status")).toContainText(/^Saved \d{4}-\d\d-\d\d/);
  await expect(settings.locator('input[name="form[password]"]')).toHaveAttribute("placeholder", /stored/);
  await expect(settings.locator('input[name="form[password]"]')).toHaveValue("");

  const to = `e2e-${Date.now()}@example.com`;
  const testMail = page.getByTestId("smtp-test");
  await testMail.getByLabel("Send a test mail to").fill(to);
  await testMail.getByRole("button", { name: "Send test mail" }).click();
  await expect(page.getByTestId("test-mail-sent")).toContainText(`Test mail handed to localhost:${port} (STARTTLS) for ${to}`);
  await expect.poll(() => mailsTo(sinkDir!, to).length).toBe(1);
  await page.screenshot({ path: `${shots}/notifications.png`, fullPage: true });

  await settings.getByRole("button", { name: "Use the instance's settings instead" }).click();
  await expect(page.getByTestId("smtp-status")).toContainText("Neither this mailbox nor the instance");

  await page.goto("/admin/audit?action=smtp_changed");
  await expect(page.locator("tbody tr").first()).toContainText("smtp settings of mailbox E2E archive");
});
