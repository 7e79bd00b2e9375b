import { test, expect } from "@playwright/test";
import { createUser, signIn, uniqueEmail, waitForHydration } from "./helpers";

test("a new user's mailbox list is an empty state that says what to do", async ({ page, request }) => {
  const email = uniqueEmail("mailboxes");
  await createUser(request, { email, name: "New User", role: "user", password: "new-user-password" });
  await signIn(page, email, "new-user-password");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Mailboxes" }).click();
  await waitForHydration(page);
  await expect(page.getByRole("heading", { name: "No mailboxes connected" })).toBeVisible();
  await expect(page.getByText("tresor mailbox add", { exact: false }).first()).toBeVisible();
  await expect(page.getByTestId("mailbox-table")).toHaveCount(0);
});
