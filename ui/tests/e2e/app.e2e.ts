// The first screen of the real app: it opens, renders, and the engine answers over IPC.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cargoVersion, chooseRole, expectAccessible, screenshot, startApp, waitReady, type App } from "./harness";

describe("the app starts", () => {
  let app: App;

  beforeAll(async () => {
    app = await startApp();
    await waitReady(app.browser);
  });

  afterAll(async () => {
    await app?.stop();
  });

  it("asks for the role first, listing the shipped pack's roles", async () => {
    expect(await app.browser.$("main h1").getText()).toBe("Who are you acting as?");
    // Role names come from the active pack, read just after the first screen.
    await app.browser.$('[data-testid="role-police"]').waitForExist();
    for (const role of ["police", "social-services", "medical", "therapy", "prosecutor", "coordinator"]) {
      expect(await app.browser.$(`[data-testid="role-${role}"]`).isExisting(), role).toBe(true);
    }
    await expectAccessible(app.browser, "the role screen");
  });

  it("then renders the case list", async () => {
    await chooseRole(app.browser, "police", "AB");
    expect(await app.browser.$("main h1").getText()).toBe("Cases");
    expect(await app.browser.$('[data-testid="case-list"]').isDisplayed()).toBe(true);
    expect(await app.browser.$('[data-testid="acting-as"]').getText()).toContain("Police");
    // The shipped pack's newest active version is the protocol in force.
    expect(await app.browser.$('[data-testid="active-pack"]').getText()).toContain(
      "Online child sexual abuse: interagency Barnahus protocol (1.1.0)",
    );
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

  it("runs under the strict content security policy: remote loads and inline scripts are blocked", async () => {
    const violations = await app.browser.executeAsync((done: (v: string[]) => void) => {
      const seen: string[] = [];
      document.addEventListener("securitypolicyviolation", (e) => seen.push(e.effectiveDirective));
      const img = new Image();
      img.src = "https://example.org/pixel.png";
      const script = document.createElement("script");
      script.textContent = "window.__inlineRan = true;";
      document.body.appendChild(script);
      setTimeout(() => done(seen), 500);
    });
    expect(violations).toContain("img-src");
    expect(violations.some((d) => d.startsWith("script-src"))).toBe(true);
    expect(await app.browser.execute(() => "__inlineRan" in window)).toBe(false);
  });

  it("has no serious or critical accessibility violations on the case list", async () => {
    await expectAccessible(app.browser, "the case list");
    await screenshot(app.browser, "case-list-empty");
  });
});
