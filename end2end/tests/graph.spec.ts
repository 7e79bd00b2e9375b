import { test, expect } from "./fixtures";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { admin, signIn, waitForHydration } from "./helpers";

const shots = "screenshots";

// A Microsoft 365 mailbox read through Microsoft Graph, set up from the
// presets as an administrator would: the app-only sign-in app, the mailbox
// from the editor's Graph preset, app-only access, a run that archives it.
test("an admin sets up a Graph mailbox from the presets and archives it with app-only access", async ({ page }) => {
  test.setTimeout(90_000);
  const oauthUrl = process.env.E2E_OAUTH_URL;
  expect(oauthUrl, "cargo xtask test passes the test bed's OAuth2 and Graph server").toBeTruthy();

  // The stand-in's mailbox: three messages in the inbox, one in the trash.
  const dir = mkdtempSync(join(tmpdir(), "tresor-e2e-graph-"));
  const files = [1, 2, 3, 4].map((n) => {
    const path = join(dir, `${n}.eml`);
    writeFileSync(
      path,
      `From: Kunde ${n} <kunde${n}@example.com>\r\nTo: einkauf@contoso.example\r\n` +
        `Subject: Graph-Bestellung ${n}\r\nMessage-ID: <graph-e2e-${n}-${Date.now()}@example.com>\r\n` +
        `Date: Mon, 23 Nov 2026 09:0${n}:00 +0100\r\n\r\nBestellung Nummer ${n}.\r\n`,
    );
    return path;
  });
  const user = `e2e-${Date.now()}@contoso.example`;
  const loaded = await page.request.post(`${oauthUrl}/graph-test/load`, {
    data: { user, folders: { Inbox: files.slice(0, 3), "Deleted Items": files.slice(3) } },
  });
  expect(loaded.ok()).toBeTruthy();

  await signIn(page, admin.email, admin.password);
  await expect(page.getByTestId("signed-in-user")).toBeVisible();

  // The sign-in app from the Graph preset: what to grant is said.
  const appName = `E2E Graph ${Date.now()}`;
  await page.goto("/admin/sign-in-apps");
  await waitForHydration(page);
  const editor = page.getByTestId("sign-in-app-editor");
  await editor.locator('select[name="preset"]').selectOption("m365-graph");
  await expect(editor.getByTestId("preset-help")).toContainText("Mail.ReadWrite");
  await editor.getByLabel("Name", { exact: true }).fill(appName);
  await editor.getByRole("textbox", { name: /^Tenant/ }).fill("contoso.example");
  await editor.getByLabel("Client id").fill("tresor-confidential");
  await editor.getByRole("textbox", { name: /^Client secret/ }).fill("tresor-client-secret");
  await editor.locator("summary", { hasText: "Addresses" }).click();
  await editor.getByLabel("Sign-in service").fill(oauthUrl!);
  await editor.getByRole("button", { name: "Add sign-in app" }).click();
  await expect(editor.getByRole("status")).toContainText("Sign-in app saved");

  // The mailbox from the editor's Graph preset: no port, no password.
  await page.goto("/mailboxes/new");
  await waitForHydration(page);
  const mailbox = page.getByTestId("mailbox-editor");
  await page.getByRole("button", { name: /^Microsoft 365/ }).click();
  await expect(mailbox.getByTestId("provider-help")).toContainText("Mail.ReadWrite");
  await page.getByTestId("skip-test").click();
  await mailbox.locator("summary", { hasText: "Advanced" }).click();
  const root = mailbox.getByLabel("Graph service root", { exact: true });
  await expect(root).toHaveValue("https://graph.microsoft.com/v1.0");
  await expect(mailbox.getByLabel("Port", { exact: true })).toHaveCount(0);
  await expect(mailbox.getByLabel("Password", { exact: true })).toHaveCount(0);
  await expect(mailbox.getByLabel("Messages per page", { exact: true })).toHaveValue("25");
  await root.fill(`${oauthUrl}/v1.0`);
  const name = `Graph ${Date.now()}`;
  await mailbox.getByLabel("Name", { exact: true }).fill(name);
  await mailbox.getByLabel("User name", { exact: true }).fill(user);
  await mailbox.locator('select[name="oauth_app"]').selectOption({ label: appName });
  await page.screenshot({ path: `${shots}/mailbox-editor-graph.png`, fullPage: true });
  await mailbox.getByRole("button", { name: "Save mailbox" }).click();
  await expect(page).toHaveURL(/\/mailboxes$/);
  const row = page.getByTestId("mailbox-row").filter({ hasText: name });
  await expect(row).toContainText(`${user} via Microsoft Graph`);
  await row.getByRole("link", { name }).click();
  await waitForHydration(page);

  // App-only access, then a run: the inbox is archived, the trash is not.
  const panel = page.getByTestId("mailbox-sign-in");
  await expect(panel.getByTestId("sign-in-state")).toContainText("Not signed in yet");
  await panel.getByRole("button", { name: "Use app-only access" }).click();
  await expect(panel.getByTestId("sign-in-state")).toContainText("app-only", { ignoreCase: true });
  await page.getByTestId("run-now").click();
  const job = page.getByTestId("job").first();
  await expect(job).toContainText("Succeeded", { timeout: 30_000 });
  const state = await (await page.request.get(`${oauthUrl}/graph-test/state?user=${encodeURIComponent(user)}`)).json();
  expect(state.counters.value_fetches).toBe(3);
  await page.screenshot({ path: `${shots}/mailbox-graph-run.png`, fullPage: true });
});
