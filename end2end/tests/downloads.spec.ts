import { test, expect } from "./fixtures";
import type { Download, Locator, Page } from "@playwright/test";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { inflateRawSync } from "node:zlib";
import { admin, signIn, waitForHydration } from "./helpers";

// Every download button of the message page and the archive, clicked as a
// person clicks it: each must save a file (not end on the router's "Page not
// found"), and the file must hold the archived bytes. The harness imports
// end2end/fixtures/*.eml into the mailbox "E2E archive"; its invoice carries
// one attachment, rechnung-0042.txt.

const ARCHIVE_QUERY = 'mailbox:"E2E archive"';
const INVOICE_SUBJECT = "Rechnung 2026-0042 mit Anhang";
const ATTACHMENT_TEXT = "Rechnung 2026-0042\nBetrag: 119,00 EUR\nFällig: 30.11.2026\n";

/** Clicks `button` and returns the file the browser saved. */
async function download(page: Page, button: Locator): Promise<{ file: Download; bytes: Buffer }> {
  const [file] = await Promise.all([page.waitForEvent("download"), button.click()]);
  expect(await file.failure(), "the download completed").toBeNull();
  const path = await file.path();
  return { file, bytes: await readFile(path) };
}

function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The entries of a zip, read from its central directory (no zip library in the suite). */
function zipEntries(zip: Buffer): { name: string; bytes: Buffer }[] {
  // The end-of-central-directory record: the last "PK\x05\x06".
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  expect(end, "a zip file").toBeGreaterThanOrEqual(0);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries: { name: string; bytes: Buffer }[] = [];
  for (let index = 0; index < count; index++) {
    expect(zip.readUInt32LE(at), "a central directory entry").toBe(0x02014b50);
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localHeader = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString("utf8");
    const dataStart =
      localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
    const data = zip.subarray(dataStart, dataStart + compressedSize);
    entries.push({ name, bytes: method === 8 ? inflateRawSync(data) : Buffer.from(data) });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Lines of an mbox that start a message (mboxrd quotes "From " inside messages). */
function mboxMessages(mbox: Buffer): number {
  return mbox
    .toString("utf8")
    .split("\n")
    .filter((line) => line.startsWith("From ")).length;
}

async function openArchive(page: Page): Promise<number> {
  await signIn(page, admin.email, admin.password);
  await expect(page.getByTestId("signed-in-user")).toBeVisible();
  await page.goto("/archive");
  await waitForHydration(page);
  await page.getByTestId("search-input").fill(ARCHIVE_QUERY);
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByTestId("result-count")).toContainText("of ");
  const counted = (await page.getByTestId("result-count").textContent()) ?? "";
  const total = Number(/of ([\d,]+) messages/.exec(counted)?.[1].replace(/,/g, ""));
  expect(total, counted).toBeGreaterThanOrEqual(2);
  await expect(page.getByTestId("hit")).toHaveCount(total);
  return total;
}

test("the message page downloads the .eml, the attachment and the folder, byte for byte", async ({ page }) => {
  await openArchive(page);
  await page.getByRole("link", { name: INVOICE_SUBJECT }).click();
  await expect(page.getByTestId("message-subject")).toHaveText(INVOICE_SUBJECT);
  const messageUrl = page.url();
  const archivedHash = ((await page.getByTestId("sha256").textContent()) ?? "").trim();
  expect(archivedHash).toMatch(/^[0-9a-f]{64}$/);

  // The .eml is the archived bytes: its SHA-256 is the one the Integrity card shows.
  const eml = await download(page, page.getByTestId("download-eml"));
  expect(eml.file.suggestedFilename()).toMatch(/^2026-11-03_Rechnung 2026-0042 mit Anhang_[0-9a-f]{8}\.eml$/);
  expect(sha256(eml.bytes)).toBe(archivedHash);
  // The page stayed where it was (the router did not take the link).
  expect(page.url()).toBe(messageUrl);
  await expect(page.getByText("Page not found")).toHaveCount(0);

  const attachment = await download(page, page.getByTestId("attachment").first());
  expect(attachment.file.suggestedFilename()).toBe("rechnung-0042.txt");
  expect(attachment.bytes.toString("utf8")).toBe(ATTACHMENT_TEXT);

  // The folder the message was found in, as a zip that holds this message unchanged.
  const folder = await download(page, page.getByTestId("export-folder").first());
  expect(folder.file.suggestedFilename()).toMatch(/^tresor-export-.*\.zip$/);
  const entries = zipEntries(folder.bytes);
  expect(entries.length).toBeGreaterThanOrEqual(1);
  expect(entries.map((entry) => sha256(entry.bytes))).toContain(archivedHash);
  expect(page.url()).toBe(messageUrl);
});

test("the archive exports all hits and the selected ones as .zip and .mbox", async ({ page }) => {
  const total = await openArchive(page);
  const archiveUrl = page.url();

  const exportAll = page.getByTestId("export-all");
  // (The link also holds its hidden "Preparing…" status, so its text is matched in part.)
  await expect(exportAll).toContainText(`Export all ${total} as .zip`);
  const [allZip] = await Promise.all([
    download(page, exportAll),
    // While the server prepares the file, the button says so.
    expect(exportAll.getByRole("status")).toHaveText(`Preparing ${total} messages…`),
  ]);
  expect(allZip.file.suggestedFilename()).toMatch(new RegExp(`^tresor-export-\\d{4}-\\d{2}-\\d{2}-${total}\\.zip$`));
  const all = zipEntries(allZip.bytes);
  expect(all).toHaveLength(total);
  expect(all.every((entry) => entry.name.endsWith(".eml"))).toBe(true);

  const allMbox = await download(page, page.getByTestId("export-all-mbox"));
  expect(allMbox.file.suggestedFilename()).toMatch(/\.mbox$/);
  expect(mboxMessages(allMbox.bytes)).toBe(total);
  // The invoice's own "From here on …" line is quoted, not a message of its own.
  expect(allMbox.bytes.toString("utf8")).toContain('\n>From here on a line starts with "From " on purpose');
  expect(page.url()).toBe(archiveUrl);

  // Two selected messages, both ways.
  const rows = page.getByTestId("hit");
  await rows.nth(0).getByRole("checkbox").check();
  await rows.nth(1).getByRole("checkbox").check();
  await expect(page.getByText("2 selected:")).toBeVisible();
  const selectedZip = await download(page, page.getByTestId("export-selected"));
  expect(zipEntries(selectedZip.bytes)).toHaveLength(2);
  const selectedMbox = await download(page, page.getByTestId("export-selected-mbox"));
  expect(mboxMessages(selectedMbox.bytes)).toBe(2);
  expect(page.url()).toBe(archiveUrl);
  await expect(page.getByText("Page not found")).toHaveCount(0);
});
