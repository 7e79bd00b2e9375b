import { test, expect } from "./fixtures";
import { admin, signIn, waitForHydration } from "./helpers";

const shots = "screenshots";

// `tresor serve` verifies the archive when it starts (no check on record yet)
// and writes the day's ledger head; the admin's dashboard shows both.
test("the admin dashboard shows the last clean check and the ledger head", async ({ page }) => {
  await signIn(page, admin.email, admin.password);
  await expect(page.getByTestId("signed-in-user")).toBeVisible();
  const panel = page.getByTestId("integrity");
  await expect(async () => {
    await page.goto("/");
    await expect(panel.getByTestId("last-check")).toContainText("Verified clean", { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await waitForHydration(page);
  await expect(panel.getByRole("heading", { name: "Archive integrity" })).toBeVisible();
  await expect(panel.getByTestId("last-clean")).toHaveText(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
  await expect(panel.getByTestId("ledger-head")).toHaveText(/^[0-9a-f]{64}$/);
  await expect(panel).toContainText("heads.log");
  await page.screenshot({ path: `${shots}/dashboard-integrity.png`, fullPage: true });
});
