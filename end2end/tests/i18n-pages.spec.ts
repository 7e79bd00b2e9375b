import { test, expect } from "./fixtures";
import { createUser, signIn, uniqueEmail, waitForHydration } from "./helpers";

// The everyday pages speak German once a person picks it, rendered on the
// server and hydrated alike (the fixture fails on any console error, so a
// page whose German differs between server and browser fails here), and
// English again after switching back. A fresh user: their choice of
// language is stored with them and must not leak into other tests.
test("a person switches to German and reads the everyday pages in German, then back in English", async ({ page, request }) => {
  const email = uniqueEmail("deutsch");
  await createUser(request, { email, name: "Deutsch Leser", role: "user", password: "deutsch-password" });
  await signIn(page, email, "deutsch-password");
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  await waitForHydration(page);

  await page.getByTestId("language-switch").click();
  await expect(page.getByRole("heading", { name: "Übersicht" })).toBeVisible();
  await waitForHydration(page);
  await expect(page.getByText("Noch nichts archiviert")).toBeVisible();
  await expect(page.locator(".card-label").first()).toHaveText("Postfächer");

  const nav = page.getByRole("navigation", { name: "Hauptmenü" });
  await nav.getByRole("link", { name: "Archiv" }).click();
  await waitForHydration(page);
  await expect(page.getByRole("heading", { name: "Archiv", exact: true })).toBeVisible();
  await expect(page.getByRole("button", { name: "Suchen" })).toBeVisible();
  await expect(page.getByRole("combobox", { name: "Reihenfolge" })).toContainText("Neueste zuerst");
  await expect(page.getByText("Das Archiv ist leer")).toBeVisible();

  await nav.getByRole("link", { name: "Postfächer" }).click();
  await waitForHydration(page);
  await expect(page.getByText("Keine Postfächer verbunden")).toBeVisible();
  await expect(page.getByRole("link", { name: "Erstes Postfach hinzufügen" })).toBeVisible();

  await page.getByRole("link", { name: /Deutsch Leser/ }).click();
  await waitForHydration(page);
  await expect(page.getByRole("heading", { name: "Ihr Konto" })).toBeVisible();
  await expect(page.getByText("Aktuelles Passwort")).toBeVisible();
  await expect(page.getByText("Neues Passwort wiederholen")).toBeVisible();
  await page.screenshot({ path: "screenshots/account-de.png", fullPage: true });

  await page.getByTestId("language-switch").click();
  await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible();
  await waitForHydration(page);
  await expect(page.getByText("Current password")).toBeVisible();
});
