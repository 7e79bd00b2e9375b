import { test, expect } from "./fixtures";
import { admin, signIn, waitForHydration } from "./helpers";

const shots = "screenshots";

// Preview only: "Delete now" would take mail other specs read.
test("an admin adds a policy and a hold, previews what may go, releases the hold and removes the policy", async ({ page }) => {
  page.on("dialog", (dialog) => dialog.accept());
  await signIn(page, admin.email, admin.password);
  await expect(page.getByTestId("signed-in-user")).toBeVisible();
  await page.goto("/admin/retention");
  await waitForHydration(page);
  const policies = page.getByTestId("policies");
  await expect(policies).toContainText("No retention policy");

  await policies.getByLabel("Name", { exact: true }).fill("E2E sixty years");
  // Sixty years, not one: other specs archive old mail too (the import spec's
  // PST holds messages from the 2000s), and this spec must not care which ran first.
  await policies.getByLabel("Keep for (years)").fill("60");
  await policies.getByRole("button", { name: "Add policy" }).click();
  await expect(policies.locator("tbody tr")).toHaveCount(1);
  await expect(policies).toContainText("All mail");
  await expect(policies).toContainText("60 years from the message date");

  const holds = page.getByTestId("holds");
  await holds.locator('select[name="input[kind]"]').selectOption("mailbox");
  await holds.locator('select[name="input[mailbox_id]"]').selectOption({ label: "E2E archive" });
  await holds.getByLabel("Reason", { exact: true }).fill("E2E case 42");
  await holds.getByRole("button", { name: "Place hold" }).click();
  await expect(holds.locator("tbody tr").first()).toContainText("Mailbox E2E archive");
  await expect(holds.locator("tbody tr").first()).toContainText("Active");

  // Everything archived by the specs is younger than sixty years.
  await page.getByRole("button", { name: "Preview what may be deleted" }).click();
  const summary = page.getByTestId("retention-summary");
  await expect(summary).toContainText("0 copies may be deleted now");
  await expect(summary).toContainText(/Kept: \d+ under legal hold, [1-9]\d* still within retention, 0 not covered/);
  await page.screenshot({ path: `${shots}/retention.png`, fullPage: true });

  await holds.getByLabel("Reason to release").first().fill("E2E case closed");
  await holds.getByRole("button", { name: "Release" }).first().click();
  await expect(holds.locator("tbody tr").first()).toContainText("Released");
  await expect(holds.locator("tbody tr").first()).toContainText("E2E case closed");

  await policies.getByRole("button", { name: "Remove" }).click();
  await expect(policies).toContainText("No retention policy");
});
