// A database that cannot be opened is explained in the window, never a blank screen, and
// the file is left untouched.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectAccessible, startApp, waitReady, type App } from "./harness";

describe("a database that cannot be opened", () => {
  let app: App;
  const db = join(mkdtempSync(join(tmpdir(), "caseway-e2e-bad-")), "notes.sqlite3");
  const content = "meeting notes, not a database\n".repeat(200);

  beforeAll(async () => {
    writeFileSync(db, content);
    app = await startApp({ db });
    await waitReady(app.browser);
  });

  afterAll(async () => {
    await app?.stop();
  });

  it("shows what happened and what to do", async () => {
    const error = app.browser.$('[data-testid="error"]');
    await error.waitForDisplayed();
    const text = await error.getText();
    expect(text).toContain("The database could not be opened");
    expect(text).toContain("notes.sqlite3");
    expect(text).toContain("CASEWAY_DB");
    expect(await app.browser.$('[data-testid="retry"]').isDisplayed()).toBe(true);
    await expectAccessible(app.browser, "the database error screen");
  });

  it("leaves the file as it was", () => {
    expect(readFileSync(db, "utf8")).toBe(content);
  });
});
