import { test, expect } from "./fixtures";
import { admin, signIn, uniqueEmail, waitForHydration } from "./helpers";

const shots = "screenshots";

test("the audit log lists a failed sign-in, filters by action and downloads as CSV", async ({ page, request }) => {
  // A failed attempt for an address nobody has: it is recorded all the same.
  const stranger = uniqueEmail("stranger");
  const refused = await request.post("/api/auth/sign_in", {
    form: { email: stranger, password: "not-the-password" },
  });
  expect(refused.status()).toBe(401);

  await signIn(page, admin.email, admin.password);
  await expect(page.getByTestId("signed-in-user")).toBeVisible();
  await page.goto("/admin/audit");
  await waitForHydration(page);
  await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
  const table = page.getByTestId("audit-table");
  await expect(table).toContainText("Signed in");

  const filters = page.getByTestId("audit-filters");
  await filters.getByLabel("Action").selectOption("sign_in_failed");
  await filters.getByLabel("Who").fill(stranger);
  await filters.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/action=sign_in_failed/);
  await expect(page.getByTestId("audit-count")).toHaveText("Entries 1–1 of 1, newest first.");
  await expect(table.locator("tbody tr")).toHaveCount(1);
  await expect(table).toContainText(stranger);
  await expect(table).toContainText("denied");
  await expect(table).not.toContainText("not-the-password");
  await page.screenshot({ path: `${shots}/audit-log.png`, fullPage: true });

  const href = await page.getByTestId("audit-csv").getAttribute("href");
  const csv = await page.request.get(href!);
  expect(csv.status()).toBe(200);
  expect(csv.headers()["content-type"]).toContain("text/csv");
  const lines = (await csv.text()).trim().split("\r\n");
  expect(lines[0]).toBe("id,time (UTC),actor,client,action,target,outcome,details");
  expect(lines).toHaveLength(2);
  expect(lines[1]).toContain(stranger);
  expect(lines[1]).toContain("sign_in_failed");
});
