// The screenshots the issue asks to be looked at, in both languages: the
// archive list at 1366 and 390 px, a message, the new-mailbox wizard and the
// users page. The language comes from the `tresor_lang` cookie (as after the
// switch), so the admin's own choice stays untouched for the other specs.
// Saved under end2end/screenshots/i18n/; reviewed copies are committed.
import { test, expect } from "./fixtures";
import { admin, waitForHydration } from "./helpers";

const shots = "screenshots/i18n";

for (const lang of ["en", "de"] as const) {
  test(`the main pages in ${lang}`, async ({ browser, baseURL }) => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    await context.addCookies([{ name: "tresor_lang", value: lang, url: baseURL! }]);
    const signedIn = await context.request.post("/api/auth/sign_in", {
      form: { email: admin.email, password: admin.password },
    });
    expect(signedIn.status()).toBe(200);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(message.text());
    });

    await page.goto(`/archive?q=${encodeURIComponent('mailbox:"E2E archive"')}`);
    await waitForHydration(page);
    await expect(page.locator("html")).toHaveAttribute("lang", lang);
    const firstResult = page.getByTestId("results").locator("a.hit-subject").first();
    await expect(firstResult).toBeVisible();
    await page.screenshot({ path: `${shots}/archive-1366-${lang}.png`, fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: `${shots}/archive-390-${lang}.png`, fullPage: true });
    await page.setViewportSize({ width: 1366, height: 900 });

    await firstResult.click();
    await expect(page).toHaveURL(/\/m\/\d+/);
    await expect(page.getByTestId("integrity")).toBeVisible();
    await page.screenshot({ path: `${shots}/message-${lang}.png`, fullPage: true });

    await page.goto("/mailboxes/new");
    await waitForHydration(page);
    await page.screenshot({ path: `${shots}/wizard-${lang}.png`, fullPage: true });

    await page.goto("/admin/users");
    await waitForHydration(page);
    await expect(page.locator("table")).toBeVisible();
    await page.screenshot({ path: `${shots}/users-${lang}.png`, fullPage: true });

    expect(problems, "no console errors on these pages").toEqual([]);
    await context.close();
  });
}
