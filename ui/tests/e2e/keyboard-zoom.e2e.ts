// Usable by keyboard alone, and readable at 200% zoom, in the real window.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, startApp, waitReady, type App, type Browser } from "./harness";

async function focused(b: Browser): Promise<string> {
  return b.execute(() => {
    const el = document.activeElement as HTMLElement | null;
    return el?.dataset.testid ?? el?.tagName ?? "";
  });
}

/** Presses Tab until the element with `testid` has focus (at most `max` times). */
async function tabTo(b: Browser, testid: string, max = 40): Promise<void> {
  for (let i = 0; i < max; i++) {
    if ((await focused(b)) === testid) return;
    await b.keys(["Tab"]);
  }
  throw new Error(`Tab never reached ${testid} (focus is on ${await focused(b)})`);
}

async function overflowsSideways(b: Browser): Promise<boolean> {
  return b.execute(() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1);
}

describe("keyboard and zoom", () => {
  let app: App;

  beforeAll(async () => {
    app = await startApp();
    await waitReady(app.browser);
    cli(app.db, ["case", "open", "--pack", "barnahus-online-csa", "--fact", "online_element=true", "--role", "police"]);
  });

  afterAll(async () => {
    await app?.stop();
  });

  it("picks a role, opens a case and starts a step with the keyboard alone", async () => {
    const b = app.browser;
    await b.$('[data-testid="role-police"]').waitForExist();
    await tabTo(b, "role-police");
    await b.keys([" "]);
    await tabTo(b, "choose-role");
    await b.keys(["Enter"]);
    await b.$('[data-testid="case-list"]').waitForExist();

    await tabTo(b, "new-case");
    await b.keys(["Enter"]);
    await b.$('[data-testid="facts-form"]').waitForExist();
    await tabTo(b, "open-case");
    await b.keys(["Enter"]);
    await b.$('[data-testid="checklist"]').waitForExist();

    await tabTo(b, "action-start", 80);
    await b.keys(["Enter"]);
    await b.waitUntil(async () => (await b.$('[data-step="register-report"]').getAttribute("data-state")) === "in_progress");
    // Focus stays on the step just changed, and the next control shows a visible focus ring.
    expect(await b.execute(() => document.activeElement?.closest("[data-step]")?.getAttribute("data-step"))).toBe("register-report");
    await b.keys(["Tab"]);
    const outline = await b.execute(() => getComputedStyle(document.activeElement as Element).outlineStyle);
    expect(outline).not.toBe("none");
  });

  it("reflows at 200% zoom without sideways scrolling of the page", async () => {
    const b = app.browser;
    await b.execute(() => {
      document.documentElement.style.zoom = "2";
    });
    expect(await overflowsSideways(b), "checklist at 200%").toBe(false);
    await b.execute(() => (document.querySelector('[data-testid="nav-cases"]') as HTMLElement).click());
    await b.$('[data-testid="case-list"]').waitForExist();
    expect(await overflowsSideways(b), "case list at 200%").toBe(false);
    await b.execute(() => {
      document.documentElement.style.zoom = "";
    });
  });
});
