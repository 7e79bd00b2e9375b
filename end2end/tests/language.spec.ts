// German and English: a person switches with the button in the top bar,
// every page then speaks German (rendered by the server and after
// hydration, also when navigating by clicks), the choice follows them to a
// new browser, and switching back works. A user of its own, so no other
// spec's admin suddenly sees German.
import { test, expect } from "./fixtures";
import { createUser, signIn, uniqueEmail, waitForHydration } from "./helpers";

test("a person switches to German, keeps it on a new browser, and switches back", async ({ page, browser, request }) => {
  const person = { email: uniqueEmail("sprache"), name: "Sprache Test", role: "user" as const, password: "sprache-password-1" };
  await createUser(request, person);

  await signIn(page, person.email, person.password);
  await expect(page.getByTestId("signed-in-user")).toHaveText(person.name);
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await waitForHydration(page);

  await page.getByTestId("language-switch").click();
  await expect(page.locator("html")).toHaveAttribute("lang", "de");
  await waitForHydration(page);
  const nav = page.getByRole("navigation", { name: "Hauptmenü" });
  await expect(nav.getByRole("link", { name: "Übersicht" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Abmelden" })).toBeVisible();
  // Client-side navigation renders German too (the browser's own words).
  await nav.getByRole("link", { name: "Postfächer" }).click();
  await expect(page).toHaveURL(/\/mailboxes$/);
  await expect(page.getByTestId("language-switch")).toHaveText("English");
  await nav.getByRole("link", { name: "Archiv" }).click();
  await expect(page).toHaveURL(/\/archive/);

  // Another browser that asks for English: German once signed in.
  const context = await browser.newContext({ locale: "en-US" });
  const other = await context.newPage();
  await signIn(other, person.email, person.password);
  await expect(other.getByTestId("signed-in-user")).toHaveText(person.name);
  await other.reload();
  await expect(other.locator("html")).toHaveAttribute("lang", "de");
  await context.close();

  // And back.
  await page.getByTestId("language-switch").click();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await waitForHydration(page);
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Archive" })).toBeVisible();
});

test("the sign-in page switches language before anyone signs in", async ({ page }) => {
  await page.goto("/sign-in");
  await waitForHydration(page);
  await page.getByTestId("language-switch").click();
  await expect(page.locator("html")).toHaveAttribute("lang", "de");
  await expect(page).toHaveURL(/\/sign-in/);
  await waitForHydration(page);
  await expect(page.getByTestId("language-switch")).toHaveText("English");
  await page.getByTestId("language-switch").click();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
});
