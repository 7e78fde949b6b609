// The main flows of a team member, in the real window on a real database: choose a role,
// open a case whose facts decide which steps apply, work through steps and their
// dependencies, record a reason, see an engine refusal, edit facts, follow the timeline,
// close and reopen, see a deadline overdue, restart and find everything as it was, and
// switch language. Every screen is checked with axe-core.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { chooseRole, cli, expectAccessible, screenshot, startApp, waitReady, type App, type Browser } from "./harness";

const step = (id: string) => `[data-step="${id}"]`;

async function stateOf(browser: Browser, id: string): Promise<string | null> {
  return browser.$(step(id)).getAttribute("data-state");
}

async function waitState(browser: Browser, id: string, state: string): Promise<void> {
  await browser.waitUntil(async () => (await stateOf(browser, id)) === state, {
    timeout: 10_000,
    timeoutMsg: `step ${id} never reached ${state} (is ${await stateOf(browser, id)})`,
  });
}

async function act(browser: Browser, id: string, action: string): Promise<void> {
  await browser.$(`${step(id)} [data-testid="action-${action}"]`).click();
}

/** Opens every phase of the checklist, so steps in later phases are drawn. */
async function openAllPhases(browser: Browser): Promise<void> {
  await browser.$('[data-testid="open-all-phases"]').click();
  await browser.waitUntil(() =>
    browser.execute(() =>
      Array.from(document.querySelectorAll('[data-testid="phase-toggle"]')).every((b) => b.getAttribute("aria-expanded") === "true"),
    ),
  );
}

async function openCaseFromList(browser: Browser, reference: string, allPhases = true): Promise<void> {
  await browser.$(`[data-testid="case-row"][data-reference="${reference}"] button`).click();
  await browser.$('[data-testid="checklist"]').waitForExist();
  if (allPhases) await openAllPhases(browser);
}

/** The phase header's button: its expanded state and text (progress, overdue count). */
function phaseToggle(browser: Browser, phase: string) {
  return browser.$(`[data-phase="${phase}"] [data-testid="phase-toggle"]`);
}

async function backToList(browser: Browser): Promise<void> {
  await browser.$("button=← Back to cases").click();
  await browser.$('[data-testid="case-list"]').waitForExist();
}

describe("a team member works a case", () => {
  let app: App;
  let reference = "";

  beforeAll(async () => {
    app = await startApp();
    await waitReady(app.browser);
    await chooseRole(app.browser, "coordinator", "KC");
  });

  afterAll(async () => {
    await app?.stop();
  });

  it("opens a case with facts, so conditional steps appear and others do not", async () => {
    const b = app.browser;
    await b.$('[data-testid="new-case"]').click();
    await b.$('[data-testid="facts-form"]').waitForExist();
    await expectAccessible(b, "the new case screen");
    await b.$('[data-testid="fact-online_element"]').selectByAttribute("value", "true");
    await b.$('[data-testid="fact-age_band"]').selectByAttribute("value", "12-17");
    await b.$('[data-testid="fact-abuse_types-sextortion"]').click();
    await b.$('[data-testid="fact-interpreter_needed"]').selectByAttribute("value", "true");
    await screenshot(b, "new-case");
    // A label with a personal identity number is refused with an explanation, and nothing opens.
    await b.$('[data-testid="label"]').setValue("girl 811218-9876");
    await b.$('[data-testid="open-case"]').click();
    const refusal = b.$('[data-testid="new-case-form"] [data-testid="refusal"]');
    await refusal.waitForDisplayed();
    expect(await refusal.getText()).toMatch(/personnummer/i);
    expect(await refusal.getText()).not.toContain("811218-9876");
    expect(await b.$('[data-testid="checklist"]').isExisting()).toBe(false);
    await b.$('[data-testid="label"]').setValue("Referred by school nurse");
    await b.$('[data-testid="open-case"]').click();

    await b.$('[data-testid="checklist"]').waitForExist();
    const heading = await b.$('[data-testid="case-reference"]').getText();
    reference = /BH-\d{4}-[0-9A-Z]+/.exec(heading)?.[0] ?? "";
    expect(reference, heading).not.toBe("");

    // The checklist opens on the current phase; the later ones show their progress, closed.
    expect(await phaseToggle(b, "intake").getAttribute("aria-expanded")).toBe("true");
    expect(await phaseToggle(b, "intake").getText()).toMatch(/0 of 3 done · current phase/);
    expect(await phaseToggle(b, "planning").getAttribute("aria-expanded")).toBe("false");
    expect(await b.$(step("register-report")).isExisting()).toBe(true);
    expect(await b.$(step("book-interpreter")).isExisting(), "the planning phase is closed").toBe(false);
    await phaseToggle(b, "planning").click();
    await b.$(step("book-interpreter")).waitForExist();
    expect(await phaseToggle(b, "planning").getAttribute("aria-expanded")).toBe("true");
    await phaseToggle(b, "planning").click();
    await b.$(step("book-interpreter")).waitForExist({ reverse: true });
    await openAllPhases(b);

    expect(await b.$(step("book-interpreter")).isExisting(), "interpreter_needed = yes").toBe(true);
    expect(await b.$(step("online-safety-plan")).isExisting(), "online_element = yes").toBe(true);
    expect(await b.$(step("protect-from-suspect-in-family")).isExisting(), "suspect_in_family unanswered").toBe(false);
    await expectAccessible(b, "the checklist");
  });

  it("refuses to finish a step before the one it depends on, then allows it in order", async () => {
    const b = app.browser;
    const waits = await b.$(`${step("confirm-case-facts")} [data-testid="waits-for"]`).getText();
    expect(waits).toContain("Register the report");
    expect(await b.$(`${step("confirm-case-facts")} [data-testid="action-done"]`).isExisting()).toBe(false);

    await act(b, "register-report", "start");
    await waitState(b, "register-report", "in_progress");
    await act(b, "register-report", "done");
    await waitState(b, "register-report", "done");

    expect(await b.$(`${step("confirm-case-facts")} [data-testid="waits-for"]`).isExisting()).toBe(false);
    await act(b, "confirm-case-facts", "done");
    await waitState(b, "confirm-case-facts", "done");
    await b.execute(() => document.querySelector('[data-testid="tab-checklist"]')?.scrollIntoView());
    await screenshot(b, "checklist");
  });

  it("marks a step not applicable with a reason, and shows an engine refusal as a message", async () => {
    const b = app.browser;
    await act(b, "book-interpreter", "na");
    await b.$(`${step("book-interpreter")} [data-testid="reason"]`).setValue("call anna.berg@example.org");
    await b.$(`${step("book-interpreter")} [data-testid="confirm-reason"]`).click();
    const refusal = b.$(`${step("book-interpreter")} [data-testid="refusal"]`);
    await refusal.waitForDisplayed();
    expect(await refusal.getText()).toMatch(/Not saved: .*e-?mail/i);
    expect(await refusal.getText()).not.toContain("anna.berg@example.org");
    expect(await stateOf(b, "book-interpreter")).toBe("todo");

    await b.$(`${step("book-interpreter")} [data-testid="reason"]`).setValue("The family speaks Swedish at home");
    await b.$(`${step("book-interpreter")} [data-testid="confirm-reason"]`).click();
    await waitState(b, "book-interpreter", "not_applicable");
    expect(await b.$(step("book-interpreter")).getText()).toContain("The family speaks Swedish at home");
  });

  it("shows a step's guidance, references and history", async () => {
    const b = app.browser;
    await b.$(`${step("register-report")} [data-testid="toggle-detail"]`).click();
    const detail = b.$(`${step("register-report")} [data-testid="step-detail"]`);
    await detail.waitForDisplayed();
    const text = await detail.getText();
    expect(text).toContain("Guidance");
    expect(text).toContain("History");
    expect(text).toContain("In progress → Done");
    await expectAccessible(b, "a step's detail");
    await b.$(step("register-report")).scrollIntoView();
    await screenshot(b, "step-detail");
  });

  it("edits a fact and the checklist follows", async () => {
    const b = app.browser;
    await b.$('[data-testid="edit-facts"]').click();
    await b.$('[data-testid="edit-facts-form"] [data-testid="fact-suspect_in_family"]').selectByAttribute("value", "true");
    await b.$('[data-testid="save-facts"]').click();
    await b.$(step("protect-from-suspect-in-family")).waitForExist({ timeout: 10_000 });
    expect(await b.$('[data-testid="facts"]').getText()).toContain("Yes");
  });

  it("keeps the audit trail, newest first, and a printable summary", async () => {
    const b = app.browser;
    await b.$('[data-testid="tab-timeline"]').click();
    const rows = await b.$$('[data-testid="trail-row"]');
    expect(rows.length).toBeGreaterThanOrEqual(5);
    expect(await rows[0].getText()).toContain("Facts changed");
    expect(await b.$('[data-testid="timeline"]').getText()).toContain("KC");
    await expectAccessible(b, "the timeline");

    await b.$('[data-testid="tab-summary"]').click();
    const summary = await b.$('[data-testid="summary"]').getText();
    expect(summary).toContain(reference);
    expect(summary).toContain("barnahus-online-csa@1.1.0");
    expect(summary).toContain("The family speaks Swedish at home");
    await expectAccessible(b, "the summary");
    await b.$('[data-testid="tab-checklist"]').click();
  });

  it("closes and reopens the case with a reason", async () => {
    const b = app.browser;
    await b.$('[data-testid="close-case"]').click();
    await b.$('[data-testid="status-reason"]').setValue("Investigation finished");
    await b.$('[data-testid="confirm-status"]').click();
    await b.waitUntil(async () => (await b.$('[data-testid="case-status"]').getText()).includes("Closed"));
    expect(await b.$(`${step("online-safety-plan")} [data-testid="action-start"]`).isExisting()).toBe(false);

    await b.$('[data-testid="reopen-case"]').click();
    await b.$('[data-testid="status-reason"]').setValue("New information from the police");
    await b.$('[data-testid="confirm-status"]').click();
    await b.waitUntil(async () => (await b.$('[data-testid="case-status"]').getText()).includes("Open"));
  });

  it("shows a deadline overdue on a case opened three days ago", async () => {
    const b = app.browser;
    const past = new Date(Date.now() - 3 * 24 * 3600 * 1000).toISOString().replace(/\.\d+Z$/, "Z");
    const out = cli(app.db, ["case", "open", "--pack", "barnahus-online-csa", "--fact", "online_element=true", "--role", "coordinator"], {
      CASEWAY_NOW: past,
    });
    const old = out.trim().split("\n").pop()!.trim();

    await backToList(b);
    const row = b.$(`[data-testid="case-row"][data-reference="${old}"]`);
    await row.waitForExist();
    expect(await row.$('[data-testid="overdue-count"]').getText()).toMatch(/\d+ overdue/);
    // Most urgent first: the overdue case leads the list.
    expect(await (await b.$$('[data-testid="case-row"]'))[0].getAttribute("data-reference")).toBe(old);
    await screenshot(b, "case-list");

    // A closed phase still tells that it holds overdue steps.
    await openCaseFromList(b, old, false);
    const protection = phaseToggle(b, "protection");
    expect(await protection.getAttribute("aria-expanded")).toBe("false");
    expect(await protection.getText()).toMatch(/\d+ overdue/);
    await protection.click();
    expect(await b.$(`${step("protection-assessment")} [data-testid="overdue"]`).getText()).toContain("Overdue");
    await backToList(b);
  });

  it("after a restart, finds everything as it was, and the role is remembered", async () => {
    await app.stop();
    app = await startApp({ db: app.db, home: app.home });
    const b = app.browser;
    await waitReady(b);
    // The role's name comes from the pack, which loads just after the first screen.
    await b.waitUntil(async () => (await b.$('[data-testid="acting-as"]').getText()).includes("Barnahus coordinator (KC)"), {
      timeoutMsg: "the remembered role and initials are not shown",
    });
    await openCaseFromList(b, reference);
    expect(await stateOf(b, "register-report")).toBe("done");
    expect(await stateOf(b, "confirm-case-facts")).toBe("done");
    expect(await stateOf(b, "book-interpreter")).toBe("not_applicable");
    expect(await b.$(step("protect-from-suspect-in-family")).isExisting()).toBe(true);
  });

  it("switches to Swedish, with the pack's own Swedish texts", async () => {
    const b = app.browser;
    const english = await b.$(`${step("register-report")} h3`).getText();
    await b.$('[data-testid="language"]').selectByAttribute("value", "sv");
    await b.waitUntil(async () => (await b.$(`${step("register-report")} h3`).getText()) !== english);
    expect(await b.$('[data-testid="tab-checklist"]').getText()).toBe("Checklista");
    expect(await b.$(`${step("register-report")} [data-testid="step-state"]`).getText()).toBe("Klart");
    await expectAccessible(b, "the checklist in Swedish");
    await b.$('[data-testid="language"]').selectByAttribute("value", "en");
  });

  it("offers no actions on another role's step after switching role", async () => {
    const b = app.browser;
    await b.$('[data-testid="switch-role"]').click();
    await chooseRole(b, "police");
    await openCaseFromList(b, reference);
    await b.$('[data-testid="scope-all"]').click();
    const card = b.$(step("protection-assessment"));
    expect(await card.getText()).toContain("Owned by Social services");
    expect(await card.$('[data-testid="action-start"]').isExisting()).toBe(false);
    await b.$('[data-testid="scope-mine"]').click();
    expect(await b.$(step("protection-assessment")).isExisting()).toBe(false);
    expect(await b.$(step("register-report")).isExisting()).toBe(true);
  });

  it("keeps an app log of commands and outcomes only: no reference, fact, free text or initials", async () => {
    const file = join(app.home, "org.caseway.desktop", "logs", "caseway.log");
    expect(existsSync(file), `the app writes its log to ${file}`).toBe(true);
    const log = readFileSync(file, "utf8");
    expect(log).toContain("open_case: ok");
    expect(log).toContain("change_step: refused");
    expect(log).toContain("set_facts: ok");
    for (const secret of [reference, "811218-9876", "school nurse", "anna.berg", "The family speaks Swedish at home", "Investigation finished", "New information from the police", "sextortion", "12-17", "KC"]) {
      expect(log, `the log must not contain "${secret}"`).not.toContain(secret);
    }
    expect(log).not.toMatch(/BH-\d{4}-[0-9A-Z]{4}/);
  });
});
