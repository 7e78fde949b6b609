// A trainer in the real window: training mode is entered from the start screen, is
// unmistakable on every screen, walks a scenario forward and back, generates fictional cases,
// resets them, and never touches the real database.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chooseRole, cli, expectAccessible, screenshot, startApp, waitReady, type App, type Browser } from "./harness";

/** The real database's files, hashed: the main file and its write-ahead log. */
function fingerprint(db: string): string {
  const h = createHash("sha256");
  for (const f of [db, `${db}-wal`]) h.update(existsSync(f) ? readFileSync(f) : Buffer.from("absent"));
  return h.digest("hex");
}

async function stepStates(b: Browser): Promise<Record<string, string>> {
  return b.execute(() =>
    Object.fromEntries(
      Array.from(document.querySelectorAll<HTMLElement>('[data-testid="walk-checklist"] [data-step]')).map((el) => [
        el.dataset.step ?? "",
        el.dataset.state ?? "",
      ]),
    ),
  );
}

async function count(b: Browser, selector: string): Promise<number> {
  return b.execute((sel: string) => document.querySelectorAll(sel).length, selector);
}

async function position(b: Browser): Promise<number> {
  return Number(await b.$('[data-testid="beat-position"]').getAttribute("data-position"));
}

async function go(b: Browser, dir: "forward" | "back"): Promise<void> {
  const before = await position(b);
  await b.$(`[data-testid="beat-${dir}"]`).click();
  await b.waitUntil(async () => (await position(b)) === before + (dir === "forward" ? 1 : -1));
}

describe("a trainer demonstrates on fictional cases", () => {
  let app: App;
  let realBefore = "";

  beforeAll(async () => {
    app = await startApp();
    await waitReady(app.browser);
    // A real case exists before training starts.
    cli(app.db, ["case", "open", "--pack", "barnahus-online-csa", "--fact", "online_element=true", "--role", "coordinator"]);
  });

  afterAll(async () => {
    await app?.stop();
  });

  it("enters training mode from the start screen, with a banner and another colour", async () => {
    const b = app.browser;
    await b.$('[data-testid="enter-training"]').waitForExist();
    await b.$('[data-testid="enter-training"]').click();
    await b.$('[data-testid="training-banner"]').waitForDisplayed();
    // The real database is closed now: from here on it must not change at all.
    realBefore = fingerprint(app.db);
    expect(await b.execute(() => document.body.classList.contains("training"))).toBe(true);
    expect(await b.$('[data-testid="database"]').getText()).toContain("caseway-training.sqlite3");
    await chooseRole(b, "coordinator", "TR");
    expect(await b.$('[data-testid="training-banner"]').getText()).toContain("Training mode");
    await expectAccessible(b, "the training screen");
  });

  it("walks a scenario forward and back, each beat showing the same state every time", async () => {
    const b = app.browser;
    await b.$('[data-testid="nav-training"]').click();
    await b.$('[data-scenario="sextortion-image-removal"] [data-testid="start-scenario"]').click();
    await b.$('[data-testid="walkthrough"]').waitForExist();
    expect(await position(b)).toBe(0);

    const seen: Record<string, string>[] = [await stepStates(b)];
    const notes: string[] = [await b.$('[data-testid="beat-note"]').getText()];
    for (let i = 1; i <= 3; i++) {
      await go(b, "forward");
      seen.push(await stepStates(b));
      notes.push(await b.$('[data-testid="beat-note"]').getText());
    }
    expect(new Set(notes).size, "each beat has its own presenter note").toBe(4);
    expect(seen[3]).not.toEqual(seen[0]);
    expect(await b.$('[data-testid="training-banner"]').isDisplayed()).toBe(true);
    await expectAccessible(b, "a walkthrough");

    await b.$('[data-testid="presentation-toggle"]').click();
    expect(await b.$(".presentation").isExisting()).toBe(true);
    await screenshot(b, "training-presentation");
    await expectAccessible(b, "the presentation view");
    await b.$('[data-testid="presentation-toggle"]').click();

    await go(b, "back");
    expect(await stepStates(b)).toEqual(seen[2]);
    await go(b, "back");
    expect(await stepStates(b)).toEqual(seen[1]);
    await go(b, "forward");
    expect(await stepStates(b)).toEqual(seen[2]);
  });

  it("generates fictional cases, some overdue, and resets them in one action", async () => {
    const b = app.browser;
    await b.$('[data-testid="nav-training"]').click();
    await b.$('[data-testid="generate-count"]').setValue("4");
    await b.$('[data-testid="generate"]').click();
    await b.$('[data-testid="notice"]').waitForExist();
    await b.$('[data-testid="nav-cases"]').click();
    await b.waitUntil(async () => (await count(b, '[data-testid="case-row"]')) >= 4);
    expect(await count(b, '[data-testid="overdue-count"]'), "generated cases opened days ago have overdue steps").toBeGreaterThan(0);

    await b.$('[data-testid="nav-training"]').click();
    await b.$('[data-testid="reset-training"]').click();
    await b.$('[data-testid="notice"]').waitForExist();
    await b.$('[data-testid="nav-cases"]').click();
    await b.$('[data-testid="case-list"]').waitForExist();
    expect(await count(b, '[data-testid="case-row"]')).toBe(0);
  });

  it("never touched the real database, which still holds only its real case", async () => {
    const b = app.browser;
    expect(fingerprint(app.db)).toBe(realBefore);
    expect(existsSync(join(dirname(app.db), "caseway-training.sqlite3"))).toBe(true);

    await b.$('[data-testid="leave-training"]').click();
    await b.waitUntil(async () => !(await b.$('[data-testid="training-banner"]').isExisting()));
    expect(await b.execute(() => document.body.classList.contains("training"))).toBe(false);
    await b.$('[data-testid="case-list"]').waitForExist();
    await b.waitUntil(async () => (await count(b, '[data-testid="case-row"]')) === 1);
  });
});
