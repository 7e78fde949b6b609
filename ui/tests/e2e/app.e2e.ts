// The first screen of the real app: it opens, renders, and the engine answers over IPC.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cargoVersion, screenshot, seriousA11yViolations, startApp, waitReady, type App } from "./harness";

describe("the app starts", () => {
  let app: App;

  beforeAll(async () => {
    app = await startApp();
    await waitReady(app.browser);
  });

  afterAll(async () => {
    await app?.stop();
  });

  it("renders the case list as its first screen", async () => {
    const heading = await app.browser.$("main h1");
    expect(await heading.getText()).toBe("Cases");
    expect(await app.browser.$('[data-testid="case-list"]').isDisplayed()).toBe(true);
    await screenshot(app.browser, "case-list");
  });

  it("shows what the engine answered over IPC: its version and the database in use", async () => {
    const version = await app.browser.$('[data-testid="engine-version"]').getText();
    expect(version).toContain(cargoVersion());
    // The path comes from the engine, which read CASEWAY_DB set for this test only.
    const database = await app.browser.$('[data-testid="database"]').getText();
    expect(database).toContain(app.db);
  });

  it("switches the interface language at runtime", async () => {
    await app.browser.$('[data-testid="language"]').selectByAttribute("value", "sv");
    expect(await app.browser.$("main h1").getText()).toBe("Ärenden");
    expect(await app.browser.execute(() => document.documentElement.lang)).toBe("sv");
    await app.browser.$('[data-testid="language"]').selectByAttribute("value", "en");
    expect(await app.browser.$("main h1").getText()).toBe("Cases");
  });

  it("has no serious or critical accessibility violations", async () => {
    expect(await seriousA11yViolations(app.browser)).toEqual([]);
  });
});
