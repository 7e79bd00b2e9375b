import { expect, type Page, type APIRequestContext } from "@playwright/test";
import * as fs from "node:fs";
import * as path from "node:path";

export const admin = {
  email: process.env.E2E_ADMIN_EMAIL ?? "admin@e2e.test",
  password: process.env.E2E_ADMIN_PASSWORD ?? "e2e-admin-password",
};

/** A unique address, so tests never depend on each other's users. */
export function uniqueEmail(prefix: string): string {
  return `${prefix}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@e2e.test`;
}

/** Waits until the WASM has hydrated the page (the app marks <body data-hydrated>). */
export async function waitForHydration(page: Page): Promise<void> {
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
}

export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto("/sign-in");
  await waitForHydration(page);
  await page.getByLabel("E-mail address").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Creates a user through the admin server function, as a script would. */
export async function createUser(
  request: APIRequestContext,
  user: { email: string; name: string; role: "admin" | "user" | "auditor"; password: string },
): Promise<void> {
  const signInResponse = await request.post("/api/auth/sign_in", {
    form: { email: admin.email, password: admin.password },
  });
  expect(signInResponse.status()).toBe(200);
  const created = await request.post("/api/users/create", {
    form: { email: user.email, display_name: user.name, role: user.role, password: user.password },
  });
  expect(created.status(), await created.text()).toBe(200);
  await request.post("/api/auth/sign_out");
}

/** Subjects of the mails the test bed's SMTP sink holds for `to`. */
export function mailsTo(dir: string, to: string): string[] {
  const subjects: string[] = [];
  for (const name of fs.readdirSync(dir)) {
    if (!name.endsWith(".json")) continue;
    let envelope: { rcpt: string[] };
    try {
      envelope = JSON.parse(fs.readFileSync(path.join(dir, name), "utf8"));
    } catch {
      continue; // being written
    }
    if (!envelope.rcpt.includes(to)) continue;
    const raw = fs.readFileSync(path.join(dir, name.replace(/\.json$/, ".eml")), "utf8");
    subjects.push(/^Subject: (.*)$/m.exec(raw)?.[1] ?? "");
  }
  return subjects;
}
