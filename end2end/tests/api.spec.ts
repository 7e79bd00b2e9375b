import { test, expect } from "./fixtures";
import { admin, createUser, uniqueEmail } from "./helpers";

// Server functions check the caller's role on the server: hiding a link is not security.
test("admin server functions refuse plain users with 403 and strangers with 401", async ({ request, playwright, baseURL }) => {
  const email = uniqueEmail("api");
  await createUser(request, { email, name: "Api User", role: "user", password: "api-user-password" });

  const anonymous = await playwright.request.newContext({ baseURL });
  expect((await anonymous.post("/api/users/list")).status()).toBe(401);

  const plain = await playwright.request.newContext({ baseURL });
  const signedIn = await plain.post("/api/auth/sign_in", { form: { email, password: "api-user-password" } });
  expect(signedIn.status()).toBe(200);
  const list = await plain.post("/api/users/list");
  expect(list.status()).toBe(403);
  const create = await plain.post("/api/users/create", {
    form: { email: uniqueEmail("sneaky"), display_name: "Sneaky", role: "admin", password: "sneaky-password" },
  });
  expect(create.status()).toBe(403);
  // The user's own data is still theirs to read.
  expect((await plain.post("/api/dashboard/summary")).status()).toBe(200);

  const adminContext = await playwright.request.newContext({ baseURL });
  await adminContext.post("/api/auth/sign_in", { form: { email: admin.email, password: admin.password } });
  const adminList = await adminContext.post("/api/users/list");
  expect(adminList.status()).toBe(200);
  const users = await adminList.json();
  expect(users.some((user: { email: string }) => user.email === email)).toBe(true);
  expect(JSON.stringify(users)).not.toContain("argon2");
});

test("/healthz says only up or down to strangers", async ({ request }) => {
  const response = await request.get("/healthz");
  expect(response.status()).toBe(200);
  expect(await response.text()).toBe("ok");
});
