import { test, expect, expectConsoleErrors } from "./fixtures";
import { admin, createUser, mailsTo, signIn, uniqueEmail, waitForHydration } from "./helpers";

// Refusals this file provokes on purpose: the server's "no" to demoting the
// last admin (409), and the "not allowed" page a non-admin gets (403).
test.beforeEach(({ page }) => expectConsoleErrors(page, /Failed to load resource: the server responded with a status of (403|409)/));

const shots = "screenshots";

async function openUsers(page: import("@playwright/test").Page): Promise<void> {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }).click();
  await waitForHydration(page);
  await expect(page.getByRole("heading", { name: "Users", level: 1 })).toBeVisible();
}

test("an admin adds, edits, resets, disables and deletes a user, and reads it all in the audit log", async ({ page }) => {
  await signIn(page, admin.email, admin.password);
  await expect(page.getByTestId("signed-in-user")).toBeVisible();
  await openUsers(page);

  // Add: with an invitation when Tresor can send mail, else with a password.
  const email = uniqueEmail("managed");
  const add = page.getByTestId("add-user");
  await add.getByLabel("E-mail address").fill(email);
  await add.getByLabel("Name").fill("Managed Person");
  const invitationsOff = await page.getByTestId("invite-unavailable").isVisible();
  if (invitationsOff) {
    // The e2e instance keeps no mail settings of its own (the sign-in spec's
    // "whom to ask" relies on that), so no invitation can go out here; the
    // server's invitation mail is tested in server/tests/it/web/user_admin.rs.
    test.info().annotations.push({ type: "skipped part", description: "invitation by mail: the instance has no mail settings" });
    await add.getByLabel("Initial password").fill("managed-password-1");
    await add.getByRole("button", { name: "Add user" }).click();
    await expect(page.getByTestId("user-created")).toContainText(`can now sign in as ${email}`);
  } else {
    await add.getByLabel(/Send an invitation/).check();
    await expect(add.getByLabel("Initial password")).toBeHidden();
    await add.getByRole("button", { name: "Add and invite" }).click();
    await expect(page.getByTestId("user-created")).toContainText(`a mail with a link to choose a password went to ${email}`);
    const sinkDir = process.env.E2E_SMTP_DIR;
    if (sinkDir) {
      await expect.poll(() => mailsTo(sinkDir, email)).toContain("Tresor: your account is ready");
    }
  }
  const table = page.getByTestId("user-table");
  const row = table.getByRole("row", { name: new RegExp(email) });
  await expect(row).toContainText("Managed Person");

  // Edit name and role.
  await row.getByRole("button", { name: `Manage ${email}` }).click();
  const panel = page.getByTestId("user-panel");
  const details = panel.getByTestId("user-edit");
  await details.getByLabel("Name").fill("Renamed Person");
  await details.getByLabel("Role").selectOption("auditor");
  await details.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByTestId("user-saved")).toBeVisible();
  await expect(row).toContainText("Renamed Person");
  await expect(row).toContainText("Auditor");
  await page.screenshot({ path: `${shots}/users-manage.png`, fullPage: true });

  // Set a password; the mailed link is offered only with mail settings.
  const password = panel.getByTestId("user-set-password");
  await password.getByLabel("New password").fill("set-by-the-admin");
  await password.getByRole("button", { name: "Set password" }).click();
  await expect(page.getByTestId("password-set")).toBeVisible();
  if (invitationsOff) {
    await expect(panel.getByTestId("link-unavailable")).toContainText("set up the mail server under Notifications");
  }

  // Disable: asked first, saying what happens to the mail.
  await panel.getByRole("button", { name: "Disable…" }).click();
  const confirmDisable = page.getByTestId("confirm-disable");
  await expect(confirmDisable).toContainText("Their mailboxes and archived mail stay as they are.");
  await confirmDisable.getByRole("button", { name: `Disable ${email}` }).click();
  await expect(row).toContainText("Disabled");

  // The audit log says it in words, with before → after.
  await page.getByRole("navigation", { name: "Administration" }).getByRole("link", { name: "Audit log" }).click();
  await waitForHydration(page);
  const filters = page.getByTestId("audit-filters");
  await filters.getByLabel("Action").selectOption("user_changed");
  await filters.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/action=user_changed/);
  const audit = page.getByTestId("audit-table");
  await expect(audit).toContainText(`changed the role of ${email} from user to auditor`);
  await expect(audit).toContainText(`disabled ${email}`);
  await expect(audit.getByTestId("audit-change").filter({ hasText: "role: user → auditor" })).toHaveCount(1);
  await expect(audit.getByTestId("audit-change").filter({ hasText: "display name: Managed Person → Renamed Person" })).toHaveCount(1);
  await expect(audit).not.toContainText('{"before"');
  await page.screenshot({ path: `${shots}/audit-readable.png`, fullPage: true });

  // Delete: asked first, saying what happens to mailboxes and mail.
  await page.getByRole("navigation", { name: "Administration" }).getByRole("link", { name: "Users" }).click();
  await waitForHydration(page);
  await page.getByTestId("user-table").getByRole("button", { name: `Manage ${email}` }).click();
  await page.getByTestId("user-panel").getByRole("button", { name: "Delete…" }).click();
  const confirmDelete = page.getByTestId("confirm-delete");
  await expect(confirmDelete).toContainText("A user who still owns mailboxes is not deleted");
  await confirmDelete.getByRole("button", { name: `Delete ${email}` }).click();
  await expect(page.getByTestId("user-deleted")).toBeVisible();
  await expect(page.getByTestId("user-table").getByRole("row", { name: new RegExp(email) })).toHaveCount(0);
});

test("the last active admin cannot step down, and the page says why before they try", async ({ page }) => {
  await signIn(page, admin.email, admin.password);
  await expect(page.getByTestId("signed-in-user")).toBeVisible();
  await openUsers(page);
  await page.getByTestId("user-table").getByRole("button", { name: `Manage ${admin.email}` }).click();
  const panel = page.getByTestId("user-panel");
  await expect(panel).toContainText("This is your own account");
  await expect(panel.getByRole("button", { name: "Disable…" })).toHaveCount(0);
  // Other specs may have made further admins; then the rule does not apply
  // and stepping down would succeed, which this spec must not do.
  const isLast = await panel.getByTestId("last-admin").isVisible();
  test.skip(!isLast, "another active admin exists in this e2e database; the server rule is tested in user_admin.rs");
  await expect(panel.getByTestId("last-admin")).toContainText("This is the only active administrator.");
  const details = panel.getByTestId("user-edit");
  await details.getByLabel("Role").selectOption("user");
  await details.getByRole("button", { name: "Save changes" }).click();
  await expect(panel.getByRole("alert")).toContainText("is the last active administrator: make another user an administrator first.");
  await expect(page.getByTestId("user-table").getByRole("row", { name: new RegExp(admin.email) })).toContainText("Admin");
});

test("a non-admin who opens an admin address gets a clean 'not allowed' page", async ({ page, request }) => {
  const email = uniqueEmail("curious");
  await createUser(request, { email, name: "Curious User", role: "user", password: "curious-password" });
  await signIn(page, email, "curious-password");
  await expect(page.getByTestId("signed-in-user")).toHaveText("Curious User");
  for (const address of ["/admin/users", "/admin/audit", "/admin/retention", "/admin/notifications"]) {
    const response = await page.goto(address);
    expect(response?.status(), address).toBe(403);
    await waitForHydration(page);
    await expect(page.getByTestId("not-allowed")).toContainText("This page is for administrators.");
    await expect(page.getByRole("navigation", { name: "Administration" })).toHaveCount(0);
    await expect(page.getByTestId("user-table")).toHaveCount(0);
    await expect(page.getByTestId("audit-filters")).toHaveCount(0);
  }
  await page.getByTestId("not-allowed").getByRole("link", { name: "Go to the dashboard" }).click();
  await expect(page).toHaveURL(/\/$/);
});
