// Admin → Import files: an administrator picks an Outlook file of the
// corpus, chooses the owner, uploads it (with progress), follows the link to
// the new mailbox and sees the import's job succeed with the file's folders.
// An ordinary user gets the "not allowed" page, never the form.
import * as fs from "node:fs";
import * as path from "node:path";
import { test, expect, expectConsoleErrors } from "./fixtures";
import { admin, createUser, signIn, uniqueEmail, waitForHydration } from "./helpers";

const outlook = path.resolve(__dirname, "../../../shared/corpus/outlook");

test("an admin uploads a PST for a user and follows its import on the mailbox page", async ({ page, request }) => {
  test.skip(!fs.existsSync(outlook), `*** SKIPPING: ${outlook} is absent (../shared is not beside the repository) ***`);
  test.setTimeout(90_000);
  const email = uniqueEmail("pst-owner");
  await createUser(request, { email, name: "PST Owner", role: "user", password: "pst-owner-password" });

  await signIn(page, admin.email, admin.password);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }).click();
  await waitForHydration(page);
  await page.getByRole("navigation", { name: "Administration" }).getByRole("link", { name: "Import files" }).click();
  await waitForHydration(page);
  await expect(page.getByRole("heading", { name: "Import mail files" })).toBeVisible();

  const upload = page.getByTestId("import-upload");
  await expect(upload).toBeDisabled();
  await page.getByTestId("import-file").setInputFiles(path.join(outlook, "pstsdk-sample1.pst"));
  // The mailbox is named after the file until a name is typed.
  await expect(page.getByTestId("import-mailbox")).toHaveValue("pstsdk-sample1");
  const mailbox = `Outlook ${Date.now()}`;
  await page.getByTestId("import-mailbox").fill(mailbox);
  await page.getByTestId("import-owner").selectOption(email);
  await upload.click();

  const started = page.getByTestId("import-started");
  await expect(started).toContainText(mailbox, { timeout: 30_000 });
  await started.getByTestId("import-open-mailbox").click();
  await waitForHydration(page);
  await expect(page.getByRole("heading", { name: mailbox })).toBeVisible();
  const job = page.getByTestId("job").first();
  await expect(async () => {
    await page.reload();
    await waitForHydration(page);
    await expect(page.getByTestId("job").first()).toContainText("Succeeded", { timeout: 2_000 });
  }).toPass({ timeout: 60_000 });
  await expect(job).toContainText("pstsdk-sample1");
});

test("an upload the server refuses says why, and the page stays usable", async ({ page }) => {
  // The refused upload is logged by the browser.
  expectConsoleErrors(page, /Failed to load resource: the server responded with a status of 400/);
  await signIn(page, admin.email, admin.password);
  await expect(page.getByTestId("signed-in-user")).toBeVisible();
  await page.goto("/admin/import");
  await waitForHydration(page);
  await page.getByTestId("import-file").setInputFiles({
    name: "notes.txt",
    mimeType: "text/plain",
    buffer: Buffer.from("not mail"),
  });
  await page.getByTestId("import-mailbox").fill("Not mail");
  await page.getByTestId("import-owner").selectOption(admin.email);
  await page.getByTestId("import-upload").click();
  await expect(page.getByTestId("import-failed")).toContainText("Only .pst, .ost, .msg, .eml and .mbox files can be uploaded.");
  await expect(page.getByTestId("import-upload")).toBeEnabled();
});

test("an ordinary user sees 'not allowed' at the import page", async ({ page, request }) => {
  expectConsoleErrors(page, /Failed to load resource: the server responded with a status of 403/);
  const email = uniqueEmail("no-import");
  await createUser(request, { email, name: "No Import", role: "user", password: "no-import-password" });
  await signIn(page, email, "no-import-password");
  await expect(page.getByTestId("signed-in-user")).toHaveText("No Import");
  await page.goto("/admin/import");
  await expect(page.getByTestId("not-allowed")).toContainText("This page is for administrators.");
  await expect(page.getByTestId("import-file")).toHaveCount(0);
});
