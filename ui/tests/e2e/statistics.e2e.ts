// The statistics export screen: a preview of the anonymised tables, small counts shown as
// "<k", and a saved CSV that holds no reference or exact date.
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chooseRole, cli, expectAccessible, startApp, waitReady, type App } from "./harness";

describe("a coordinator exports anonymised statistics", () => {
  const out = join(mkdtempSync(join(tmpdir(), "caseway-e2e-stats-")), "export.csv");
  const references: string[] = [];
  let app: App;

  beforeAll(async () => {
    app = await startApp({ env: { CASEWAY_E2E_SAVE_FILE: out } });
    await waitReady(app.browser);
    for (const age of ["12-17", "12-17", "6-11"]) {
      const printed = cli(app.db, ["case", "open", "--pack", "barnahus-online-csa", "--fact", "online_element=true", "--fact", `age_band=${age}`, "--role", "coordinator"]);
      references.push(printed.trim().split("\n").pop()!.trim());
    }
    await chooseRole(app.browser, "coordinator");
  });

  afterAll(async () => {
    await app?.stop();
  });

  it("previews the tables with small counts suppressed", async () => {
    const b = app.browser;
    await b.$('[data-testid="nav-statistics"]').click();
    await b.$('[data-testid="stats-show"]').click();
    const preview = b.$('[data-testid="stats-preview"]');
    await preview.waitForExist();
    const text = await preview.getText();
    expect(text).toContain("<5");
    for (const r of references) expect(text).not.toContain(r);
    await expectAccessible(b, "the statistics screen");
  });

  it("saves a CSV with no reference and no exact date", async () => {
    const b = app.browser;
    await b.$('[data-testid="stats-save-csv"]').click();
    await b.$('[data-testid="notice"]').waitForExist();
    expect(existsSync(out)).toBe(true);
    const csv = readFileSync(out, "utf8");
    expect(csv.split("\n")[0]).toBe("table,pack,period,column,value");
    expect(csv).toContain("<5");
    expect(csv).not.toMatch(/BH-\d{4}-/);
    expect(csv).not.toMatch(/\d{4}-\d{2}-\d{2}/);
  });
});
