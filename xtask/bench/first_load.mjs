// A page's first load in Chromium on a throttled connection: the bytes
// transferred (as encoded on the wire) and the milliseconds until the app is
// hydrated (<body data-hydrated="true">), with an empty cache.
// Prints one JSON line per run. Run by `cargo xtask bench first-load`.
// Usage: node first_load.mjs URL RUNS   (PLAYWRIGHT_FROM: a folder whose
// node_modules holds playwright; CHROMIUM: the browser binary;
// SIGN_IN_EMAIL and SIGN_IN_PASSWORD: sign in first, unthrottled and
// uncounted, to load a page for signed-in people)
import { createRequire } from "node:module";

const require = createRequire(`${process.env.PLAYWRIGHT_FROM ?? process.cwd()}/`);
const { chromium } = require("playwright");

const url = process.argv[2];
const runs = Number(process.argv[3] ?? 3);
// A slow mobile connection: 1.6 Mbit/s down, 750 kbit/s up, 150 ms round trip.
const CONDITIONS = {
  offline: false,
  latency: 150,
  downloadThroughput: (1.6 * 1000 * 1000) / 8,
  uploadThroughput: (750 * 1000) / 8,
};
const HYDRATION_LIMIT_MS = 120_000;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic"],
});
try {
  for (let run = 0; run < runs; run++) {
    const context = await browser.newContext();
    if (process.env.SIGN_IN_EMAIL) {
      const signedIn = await context.request.post(new URL("/api/auth/sign_in", url).href, {
        form: { email: process.env.SIGN_IN_EMAIL, password: process.env.SIGN_IN_PASSWORD ?? "" },
      });
      if (!signedIn.ok()) throw new Error(`signing in failed: ${signedIn.status()}`);
    }
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    await cdp.send("Network.emulateNetworkConditions", CONDITIONS);
    const files = new Map();
    cdp.on("Network.responseReceived", ({ requestId, response }) => {
      const encoding = Object.entries(response.headers).find(
        ([name]) => name.toLowerCase() === "content-encoding",
      );
      files.set(requestId, { path: new URL(response.url).pathname, encoding: encoding?.[1] ?? "", bytes: 0 });
    });
    cdp.on("Network.loadingFinished", ({ requestId, encodedDataLength }) => {
      const file = files.get(requestId);
      if (file) file.bytes = encodedDataLength;
    });
    const start = Date.now();
    await page.goto(url, { waitUntil: "commit" });
    await page.waitForSelector("body[data-hydrated=true]", { timeout: HYDRATION_LIMIT_MS });
    const hydratedMs = Date.now() - start;
    await page.waitForLoadState("networkidle");
    const list = [...files.values()];
    console.log(
      JSON.stringify({
        run,
        hydratedMs,
        transferredKB: Math.round(list.reduce((sum, file) => sum + file.bytes, 0) / 1024),
        files: list.map((file) => `${file.path} ${Math.round(file.bytes / 1024)} KB ${file.encoding}`.trim()),
      }),
    );
    await context.close();
  }
} finally {
  await browser.close();
}
