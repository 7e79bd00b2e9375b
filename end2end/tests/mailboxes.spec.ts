import { test, expect, expectConsoleErrors } from "./fixtures";
import { createUser, signIn, uniqueEmail, waitForHydration } from "./helpers";

// Refusals this file provokes on purpose: the browser logs the refused request.
test.beforeEach(({ page }) => expectConsoleErrors(page, /Failed to load resource: the server responded with a status of (401|404|409|422)/));

async function newUser(page: import("@playwright/test").Page, request: import("@playwright/test").APIRequestContext) {
  const email = uniqueEmail("mailboxes");
  await createUser(request, { email, name: "Mailbox User", role: "user", password: "mailbox-user-password" });
  await signIn(page, email, "mailbox-user-password");
  await expect(page.getByTestId("signed-in-user")).toHaveText("Mailbox User");
  return email;
}

test("a new user's mailbox list is an empty state that leads to the editor", async ({ page, request }) => {
  await newUser(page, request);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Mailboxes" }).click();
  await waitForHydration(page);
  await expect(page.getByRole("heading", { name: "No mailboxes connected" })).toBeVisible();
  await expect(page.getByTestId("mailbox-table")).toHaveCount(0);
  await page.getByRole("link", { name: "Add your first mailbox" }).click();
  await expect(page).toHaveURL(/\/mailboxes\/new$/);
  await expect(page.getByRole("heading", { name: "Add a mailbox" })).toBeVisible();
});

test("a user adds a mailbox from a preset, fixes a field error, and edits it without retyping the password", async ({ page, request }) => {
  await newUser(page, request);
  await page.goto("/mailboxes/new");
  await waitForHydration(page);
  const editor = page.getByTestId("mailbox-editor");
  // The guided path: provider, sign-in, test (skipped here: GMX is not reachable), folders, schedule.
  await page.getByRole("button", { name: /^IMAP server/ }).click();

  await editor.getByLabel("Name", { exact: true }).fill(`GMX ${Date.now()}`);
  await page.getByTestId("preset").selectOption("GMX");
  await expect(editor.getByLabel("Host", { exact: true })).toHaveValue("imap.gmx.net");
  await expect(editor.getByLabel("Port", { exact: true })).toHaveValue("993");
  await editor.getByLabel("User name", { exact: true }).fill("someone@gmx.net");
  await editor.getByLabel("Password", { exact: true }).fill("app-password");
  await page.getByTestId("skip-test").click();
  await editor.getByLabel("Run", { exact: true }).fill("every tuesday");
  await editor.getByRole("button", { name: "Save mailbox" }).click();

  // The schedule is refused next to its field; nothing is saved yet.
  await expect(editor.locator(".field", { hasText: "Run" }).locator(".field-error")).toBeVisible();
  await expect(page).toHaveURL(/\/mailboxes\/new$/);

  await editor.getByLabel("Run", { exact: true }).fill("6h");
  await editor.getByLabel("Password", { exact: true }).fill("app-password");
  await editor.getByRole("button", { name: "Save mailbox" }).click();
  await expect(page).toHaveURL(/\/mailboxes$/);
  const row = page.getByTestId("mailbox-row").filter({ hasText: "someone@gmx.net@imap.gmx.net:993" });
  await expect(row).toBeVisible();
  await expect(row).toContainText("6h");
  await expect(row).toContainText("Not run yet");

  // Editing shows the stored values; the password field stays empty ("unchanged").
  await row.getByRole("link").first().click();
  await waitForHydration(page);
  await page.getByRole("link", { name: "Edit", exact: true }).click();
  await waitForHydration(page);
  await expect(page.getByRole("heading", { name: "Edit mailbox" })).toBeVisible();
  await expect(editor.getByLabel("Host", { exact: true })).toHaveValue("imap.gmx.net");
  await expect(editor.getByLabel("Password", { exact: true })).toHaveValue("");
  await expect(editor.getByLabel("Password", { exact: true })).toHaveAttribute("placeholder", "unchanged");
  await editor.getByLabel("Run", { exact: true }).fill("12h");
  await editor.getByRole("button", { name: "Save mailbox" }).click();
  await expect(page).toHaveURL(/\/mailboxes$/);
  await expect(page.getByTestId("mailbox-row").filter({ hasText: "imap.gmx.net" })).toContainText("12h");
});

test("a user runs a mailbox now and reads the job log with its reconciliation", async ({ page, request }) => {
  const port = process.env.E2E_IMAPS_PORT;
  const ca = process.env.E2E_DOVECOT_CA;
  expect(port, "cargo xtask test passes the test bed's Dovecot").toBeTruthy();
  expect(ca).toBeTruthy();
  await newUser(page, request);
  await page.goto("/mailboxes/new");
  await waitForHydration(page);
  const editor = page.getByTestId("mailbox-editor");
  await page.getByRole("button", { name: /^IMAP server/ }).click();
  const name = `Dovecot ${Date.now()}`;
  await editor.getByLabel("Name", { exact: true }).fill(name);
  await editor.getByLabel("Host", { exact: true }).fill("localhost");
  await editor.getByLabel("Port", { exact: true }).fill(port!);
  await editor.locator("summary", { hasText: "Certificates" }).click();
  // Only administrators name CA files on the server; a user accepts the test bed's certificate.
  await editor.getByLabel("Accept invalid certificates (insecure, marked as a warning)").check();
  await editor.getByLabel("User name", { exact: true }).fill("alice");
  await editor.getByLabel("Password", { exact: true }).fill("alicepw");
  await page.getByTestId("skip-test").click();
  await editor.getByLabel("Folders to archive", { exact: true }).fill("INBOX");
  await editor.getByRole("button", { name: "Save mailbox" }).click();
  await expect(page).toHaveURL(/\/mailboxes$/);

  await page.getByTestId("mailbox-row").filter({ hasText: name }).getByRole("link", { name }).click();
  await waitForHydration(page);
  await expect(page.getByRole("heading", { name })).toBeVisible();
  await expect(page.getByTestId("no-runs")).toBeVisible();
  await expect(page.getByTestId("schedule-state")).toContainText("only by hand");
  await page.getByTestId("run-now").click();
  // "Queued" shows only while the run has not ended, and a run of a small
  // INBOX may end before the answer arrives: the history below is what stays.

  // The page follows the run without a reload until it is in the history.
  const job = page.getByTestId("job").first();
  await expect(job).toContainText("Succeeded", { timeout: 30_000 });
  await job.getByText(/^Folders/).click();
  const reconciliation = job.getByTestId("reconciliation");
  await expect(reconciliation.getByRole("row", { name: /INBOX/ })).toContainText("complete");
});

test("test connection shows the server's folders, or what is wrong and what to do", async ({ page, request }) => {
  // The test bed's Dovecot user has hundreds of folders from the integration tests: each test lists them.
  test.setTimeout(120_000);
  const port = process.env.E2E_IMAPS_PORT!;
  await newUser(page, request);
  await page.goto("/mailboxes/new");
  await waitForHydration(page);
  const editor = page.getByTestId("mailbox-editor");
  await page.getByRole("button", { name: /^IMAP server/ }).click();
  await editor.getByLabel("Name", { exact: true }).fill(`Test ${Date.now()}`);
  await editor.getByLabel("Host", { exact: true }).fill("localhost");
  await editor.getByLabel("Port", { exact: true }).fill(port);
  await editor.locator("summary", { hasText: "Certificates" }).click();
  // Only administrators name CA files on the server; a user accepts the test bed's certificate.
  await editor.getByLabel("Accept invalid certificates (insecure, marked as a warning)").check();
  await editor.getByLabel("User name", { exact: true }).fill("alice");

  await editor.getByLabel("Password", { exact: true }).fill("wrong-password");
  await editor.getByRole("button", { name: "Test connection" }).click();
  // The advice stands at the field to fix.
  await expect(page.getByTestId("test-failed")).toContainText("See the note at the password", { timeout: 20_000 });
  await expect(editor.locator(".field", { has: page.getByLabel("Password", { exact: true }) }).getByTestId("probe-hint")).toContainText(
    "The server refused this user name and password",
  );

  await editor.getByLabel("Password", { exact: true }).fill("alicepw");
  await editor.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByTestId("test-ok")).toContainText("Connected", { timeout: 20_000 });
  await expect(page.getByTestId("test-folders").getByRole("row", { name: /INBOX/ })).toBeVisible();

  // The folder picker writes the rules at once: ticked folders, one per line.
  const rules = editor.getByLabel("Folders to archive", { exact: true });
  const inbox = page.getByRole("checkbox", { name: "Archive INBOX", exact: true });
  // (The test bed's user has many folders from other tests: keep to INBOX.)
  await rules.fill("INBOX");
  await expect(inbox).toBeChecked();
  // A tick applies to the form at once: unticking INBOX writes the ticked folders without it.
  await inbox.click();
  await expect(rules).not.toHaveValue(/^INBOX$/m);
  await rules.fill("INBOX");

  // Subscribing is a separate action that changes the server; a new test shows it.
  const subscription = page.getByRole("button", { name: /^(Subscribe|Unsubscribe) INBOX on the server$/ });
  for (let round = 0; round < 2; round++) {
    const before = await subscription.getAttribute("aria-label");
    const answered = page.waitForResponse((response) => response.url().includes("/api/mailboxes/subscribe"));
    await subscription.click();
    expect((await answered).status()).toBe(200);
    // Wait for the new test's answer: the folders then come from the server.
    const tested = page.waitForResponse((response) => response.url().includes("/api/mailboxes/test"));
    await editor.getByRole("button", { name: "Test connection" }).click();
    expect((await tested).status()).toBe(200);
    await expect(page.getByTestId("test-ok")).toBeVisible({ timeout: 20_000 });
    await expect(subscription).not.toHaveAttribute("aria-label", before!);
  }

  // Nothing was saved by testing.
  await page.goto("/mailboxes");
  await expect(page.getByTestId("mailbox-table")).toHaveCount(0);
});
