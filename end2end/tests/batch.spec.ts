import { test, expect, expectConsoleErrors } from "./fixtures";
import type { Page } from "@playwright/test";
import { admin, createUser, signIn, waitForHydration } from "./helpers";

// Screenshots of the main pages, for a person to look at (not committed).
const shots = "screenshots";

async function signInAsAdmin(page: Page) {
  await signIn(page, admin.email, admin.password);
  await expect(page.getByTestId("signed-in-user")).toBeVisible();
}

/** A template pointing at the test bed's Dovecot, created through the UI. */
async function createTemplate(page: Page, name: string, schedule: string) {
  await page.goto("/admin/templates");
  await waitForHydration(page);
  await page.getByRole("link", { name: "New template" }).click();
  await waitForHydration(page);
  const editor = page.getByTestId("mailbox-editor");
  await editor.getByLabel("Name", { exact: true }).fill(name);
  await editor.getByLabel("Host", { exact: true }).fill("localhost");
  await editor.getByLabel("Port", { exact: true }).fill(process.env.E2E_IMAPS_PORT!);
  await editor.locator("summary", { hasText: "Certificates" }).click();
  await editor.getByLabel("CA file on the Tresor server", { exact: true }).fill(process.env.E2E_DOVECOT_CA!);
  await editor.getByLabel("Folders to archive", { exact: true }).fill("INBOX");
  await editor.getByLabel("Run", { exact: true }).fill(schedule);
  await editor.getByRole("button", { name: "Save template" }).click();
  await expect(page).toHaveURL(/\/admin\/templates$/);
  await expect(page.getByTestId("template-row").filter({ hasText: name })).toBeVisible();
}

/** Opens a mailbox page and waits for its first run to succeed; returns the job. */
async function expectSucceededRun(page: Page, mailboxName: string) {
  await page.goto("/mailboxes");
  await waitForHydration(page);
  await page.getByTestId("mailbox-row").filter({ hasText: mailboxName }).getByRole("link", { name: mailboxName }).click();
  await waitForHydration(page);
  const job = page.getByTestId("job").first();
  await expect(job).toContainText("Succeeded", { timeout: 60_000 });
  return job;
}

test.beforeAll(() => {
  expect(process.env.E2E_IMAPS_PORT, "cargo xtask test passes the test bed's Dovecot").toBeTruthy();
  expect(process.env.E2E_DOVECOT_CA).toBeTruthy();
});

test("an admin creates a template; a mailbox inherits it, overrides a field and resets it", async ({ page }) => {
  test.setTimeout(60_000);
  const stamp = Date.now();
  const template = `Company IMAP ${stamp}`;
  await signInAsAdmin(page);
  await createTemplate(page, template, "1d");
  await page.screenshot({ path: `${shots}/templates.png`, fullPage: true });

  await page.goto("/mailboxes/new");
  await waitForHydration(page);
  const editor = page.getByTestId("mailbox-editor");
  await page.getByRole("button", { name: /^IMAP server/ }).click();
  await page.getByTestId("template").selectOption({ label: template });
  const host = editor.locator(".field", { has: page.getByLabel("Host", { exact: true }) });
  const run = editor.locator(".field", { has: page.getByLabel("Run", { exact: true }) });
  await expect(editor.getByLabel("Host", { exact: true })).toHaveValue("localhost");
  await expect(host.getByTestId("inherited")).toBeVisible();
  await page.getByTestId("skip-test").click();
  await expect(editor.getByLabel("Run", { exact: true })).toHaveValue("1d");

  // Typing overrides; reset goes back to the template's value.
  await editor.getByLabel("Run", { exact: true }).fill("12h");
  await expect(run.getByTestId("overridden")).toBeVisible();
  await run.getByRole("button", { name: "Reset schedule to the template" }).click();
  await expect(editor.getByLabel("Run", { exact: true })).toHaveValue("1d");
  await expect(run.getByTestId("inherited")).toBeVisible();
  await editor.getByLabel("Run", { exact: true }).fill("12h");

  const name = `Inheriting ${stamp}`;
  await editor.getByLabel("Name", { exact: true }).fill(name);
  await editor.getByLabel("User name", { exact: true }).fill("alice");
  await editor.getByLabel("Password", { exact: true }).fill("alicepw");
  await page.screenshot({ path: `${shots}/mailbox-editor-template.png`, fullPage: true });
  await editor.getByRole("button", { name: "Save mailbox" }).click();
  await expect(page).toHaveURL(/\/mailboxes$/);
  const row = page.getByTestId("mailbox-row").filter({ hasText: name });
  await expect(row).toContainText(`Template: ${template}`);
  await expect(row).toContainText("12h");

  // Loaded again, the editor still knows which field is whose.
  await row.getByRole("link", { name }).click();
  await waitForHydration(page);
  await page.getByRole("link", { name: "Edit", exact: true }).click();
  await waitForHydration(page);
  await expect(host.getByTestId("inherited")).toBeVisible();
  await expect(run.getByTestId("overridden")).toBeVisible();
  await expect(editor.getByLabel("Run", { exact: true })).toHaveValue("12h");
});

test("an admin imports a CSV of three mailboxes, the malformed row is refused in the preview, and all three run", async ({ page }) => {
  test.setTimeout(240_000);
  const stamp = Date.now();
  const template = `Test bed ${stamp}`;
  await signInAsAdmin(page);
  await createTemplate(page, template, "");

  await page.goto("/admin/batch");
  await waitForHydration(page);
  const csv = page.getByTestId("csv-import");
  const addresses = ["alice", "bob", "carol"].map((user) => `${user}-${stamp}@csv.e2e.test`);
  const list = [
    "E-Mail;Benutzername;Passwort",
    `${addresses[0]};alice;alicepw`,
    `"${addresses[1]}";bob;"bobpw"`,
    `not-an-address;carol;carolpw`,
    `${addresses[2]};carol;'carolpw'`,
  ].join("\r\n");
  await csv.getByLabel("File", { exact: true }).setInputFiles({ name: "mailboxes.csv", mimeType: "text/csv", buffer: Buffer.from(list) });
  // A textarea reports its line breaks as \n.
  await expect(csv.getByLabel("List", { exact: true })).toHaveValue(list.replace(/\r\n/g, "\n"));
  await csv.getByLabel("Other settings from template", { exact: true }).selectOption({ label: template });
  await csv.getByRole("button", { name: "Preview" }).click();

  const preview = csv.getByTestId("csv-preview");
  await expect(preview).toContainText("Separated by semicolon");
  await expect(preview.getByTestId("csv-row-ok")).toHaveCount(3);
  await expect(preview.getByTestId("csv-row-error")).toHaveCount(1);
  await expect(preview.getByTestId("csv-row-error")).toContainText("not an e-mail address");
  await page.screenshot({ path: `${shots}/batch-csv-preview.png`, fullPage: true });

  // Inviting the new people by mail needs mail settings, which the e2e
  // instance has none of: the import is refused, says where to set them up,
  // and creates nothing. (The invitation mail itself: server/tests/it/web/batch.rs.)
  expectConsoleErrors(page, /status of 409/);
  await csv.getByLabel("Invite the 3 new users by mail to choose their own password").check();
  await csv.getByRole("button", { name: "Import 3 mailboxes" }).click();
  await expect(csv.getByRole("alert")).toContainText("under Notifications");
  await expect(csv.getByTestId("batch-report")).toHaveCount(0);
  await csv.getByLabel("Invite the 3 new users by mail to choose their own password").uncheck();

  await csv.getByRole("button", { name: "Import 3 mailboxes" }).click();
  const report = csv.getByTestId("batch-report");
  await expect(report).toContainText("3 mailboxes created, 0 skipped, 1 failed; 3 first runs queued.");
  await expect(report.getByText("user created")).toHaveCount(3);

  for (const address of addresses) {
    const job = await expectSucceededRun(page, address);
    await job.getByText(/^Folders/).click();
    await expect(job.getByTestId("reconciliation").getByRole("row", { name: /INBOX/ })).toContainText("complete");
  }
});

test("a master-user batch over three Dovecot users archives all three", async ({ page, request }) => {
  test.setTimeout(240_000);
  const users = (process.env.E2E_BATCH_USERS ?? "").split(",").filter(Boolean);
  expect(users, "cargo xtask test seeds mail for three Dovecot users").toHaveLength(3);
  const stamp = Date.now();
  const addresses = users.map((user) => `${user}@m${stamp}.e2e.test`);
  for (const email of addresses) {
    await createUser(request, { email, name: email.split("@")[0], role: "user", password: "batch-user-password" });
  }
  await signInAsAdmin(page);
  await page.goto("/admin/batch");
  await waitForHydration(page);
  const batch = page.getByTestId("master-batch");
  await batch.getByLabel("Host", { exact: true }).fill("localhost");
  await batch.getByLabel("Port", { exact: true }).fill(process.env.E2E_IMAPS_PORT!);
  await batch.getByLabel("CA file on the Tresor server", { exact: true }).fill(process.env.E2E_DOVECOT_CA!);
  await batch.getByLabel("Master user", { exact: true }).fill("archiver");
  await batch.getByLabel("Master password", { exact: true }).fill("masterpw");
  await batch.getByLabel("Log in for each user as", { exact: true }).selectOption("localpart");
  await batch.getByLabel("Only …").check();
  await batch.getByLabel("E-mail addresses", { exact: true }).fill(addresses.join("\n"));
  await page.screenshot({ path: `${shots}/batch-master.png`, fullPage: true });
  await batch.getByRole("button", { name: "Create mailboxes" }).click();
  await expect(batch.getByTestId("batch-report")).toContainText("3 mailboxes created, 0 skipped, 0 failed; 3 first runs queued.");

  for (const address of addresses) {
    const job = await expectSucceededRun(page, address);
    // The seeded message (at least) was archived for each user.
    await expect(job.locator("td.number").first()).toHaveText(/^[1-9]\d*$/);
  }
  await page.screenshot({ path: `${shots}/mailbox-runs.png`, fullPage: true });
  await page.goto("/mailboxes");
  await waitForHydration(page);
  await page.screenshot({ path: `${shots}/mailboxes.png`, fullPage: true });
  await page.goto("/");
  await waitForHydration(page);
  await page.screenshot({ path: `${shots}/dashboard.png`, fullPage: true });
});
