// A coordinator in the real window: the pack manager lists the installed versions; a broken
// pack shows its diagnostics and cannot be imported; a signed newer version is refused until
// its key is trusted, then shows its diff and imports; cases move to a newer version one at a
// time or in bulk, keeping and adding steps; a version is retired.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chooseRole, cli, expectAccessible, screenshot, startApp, waitReady, type App } from "./harness";

const repo = resolve(import.meta.dirname, "../../..");
const v110 = readFileSync(join(repo, "protocols/barnahus-online-csa-1.1.0.toml"), "utf8");

function minisign(dir: string, args: string[]): void {
  const r = spawnSync("minisign", args, { cwd: dir, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`minisign ${args.join(" ")}: ${r.stderr || r.error}`);
}

describe("a coordinator manages protocol packs", () => {
  const dir = mkdtempSync(join(tmpdir(), "caseway-e2e-packs-"));
  const picked = join(dir, "pack.toml");
  let app: App;
  let onOld = "";
  let onOld2 = "";

  beforeAll(async () => {
    minisign(dir, ["-G", "-W", "-p", "key.pub", "-s", "key.sec"]);
    app = await startApp({ env: { CASEWAY_E2E_PICK_FILE: picked } });
    await waitReady(app.browser);
    await chooseRole(app.browser, "coordinator");
    const open = () =>
      cli(app.db, ["case", "open", "--pack", "barnahus-online-csa@1.0.0", "--fact", "online_element=true", "--role", "coordinator"])
        .trim()
        .split("\n")
        .pop()!
        .trim();
    onOld = open();
    onOld2 = open();
  });

  afterAll(async () => {
    await app?.stop();
  });

  it("lists every installed version with its status and open cases", async () => {
    const b = app.browser;
    await b.$('[data-testid="nav-packs"]').click();
    await b.$('[data-testid="pack-table"]').waitForExist();
    const old = b.$('[data-testid="pack-row"][data-key="barnahus-online-csa@1.0.0"]');
    expect(await old.$('[data-testid="pack-status"]').getText()).toBe("Active");
    expect(await old.$('[data-testid="pack-open-cases"]').getText()).toBe("2");
    expect(await b.$('[data-testid="pack-row"][data-key="barnahus-online-csa@1.1.0"]').isExisting()).toBe(true);
    await expectAccessible(b, "the pack manager");
  });

  it("shows a broken pack's diagnostics with code and line, and offers no import", async () => {
    const b = app.browser;
    const broken = v110.replace('version = "1.1.0"', 'version = "1.3.0"').replace('phase = "intake"', 'phase = "intak"');
    writeFileSync(picked, broken);
    await b.$('[data-testid="import-pack"]').click();
    const diag = b.$('[data-testid="diagnostic"]');
    await diag.waitForExist();
    const line = broken.slice(0, broken.indexOf('"intak"')).split("\n").length;
    expect(await diag.getAttribute("data-line")).toBe(String(line));
    expect(await diag.getAttribute("data-code")).toMatch(/^P\d{3}$/);
    expect(await diag.getText()).toContain("intak");
    expect(await b.$('[data-testid="confirm-import"]').isExisting()).toBe(false);
    await expectAccessible(b, "a broken pack's report");
    await screenshot(b, "pack-diagnostics");
  });

  it("refuses a signed pack from an unknown key, then imports it once the key is trusted, showing the diff", async () => {
    const b = app.browser;
    const v120 = v110
      .replace('version = "1.1.0"', 'version = "1.2.0"')
      .replace('id = "book-interpreter"', 'id = "book-interpreter-early"');
    writeFileSync(picked, v120);
    minisign(dir, ["-S", "-s", "key.sec", "-m", "pack.toml"]);

    await b.$('[data-testid="import-pack"]').click();
    await b.$('[data-testid="signature"]').waitForExist();
    expect(await b.$('[data-testid="signature"]').getText()).toContain("Not usable for real cases");
    expect(await b.$('[data-testid="confirm-import"]').isEnabled()).toBe(false);

    // The key's base64 line, as a coordinator pastes it from the publisher's key file.
    const keyLine = readFileSync(join(dir, "key.pub"), "utf8").split("\n").find((l) => l.startsWith("RW"))!;
    await b.$('[data-testid="key-text"]').setValue(keyLine);
    await b.$('[data-testid="add-key"]').click();
    await b.waitUntil(async () => (await b.$('[data-testid="key-row"]').isExisting()) || (await b.$('[data-testid="refusal"]').isExisting()));
    if (await b.$('[data-testid="refusal"]').isExisting()) throw new Error(await b.$('[data-testid="refusal"]').getText());

    await b.$('[data-testid="import-pack"]').click();
    await b.waitUntil(async () => (await b.$('[data-testid="signature"]').getText()).includes("Signed by trusted key"));
    const diff = await b.$('[data-testid="diff"]').getText();
    expect(diff).toContain("book-interpreter-early");
    expect(diff).toContain("book-interpreter");
    await expectAccessible(b, "a valid pack's report with its diff");
    await b.$('[data-testid="confirm-import"]').click();
    await b.$('[data-testid="pack-row"][data-key="barnahus-online-csa@1.2.0"]').waitForExist();
  });

  it("moves one case to a newer version after showing kept, added and archived steps", async () => {
    const b = app.browser;
    await b.$('[data-testid="nav-cases"]').click();
    await b.$(`[data-testid="case-row"][data-reference="${onOld}"] button`).click();
    await b.$('[data-testid="migrate-case"]').click();
    await b.$('[data-testid="migrate-to"]').selectByAttribute("value", "barnahus-online-csa@1.1.0");
    await b.$('[data-testid="migrate-preview"]').click();
    const plan = b.$('[data-testid="migration-plan"]');
    await plan.waitForExist();
    expect(await plan.$('[data-testid="plan-added"]').getText()).toContain("help-child-remove-images");
    expect(await plan.$('[data-testid="plan-archived"]').getText()).toContain("book-interview-young-child");
    await b.$('[data-testid="plan-kept"]').$("..").$("summary").click();
    expect(await plan.$('[data-testid="plan-kept"]').getText()).toContain("Register the report");
    await expectAccessible(b, "a migration preview");
    await b.$('[data-testid="confirm-migrate"]').click();
    await b.waitUntil(async () => (await b.$('[data-testid="case-pack-version"]').getText()) === "1.1.0");
    await b.$('[data-testid="open-all-phases"]').click();
    await b.$('[data-phase="digital"] [data-testid="phase-toggle"][aria-expanded="true"]').waitForExist();
    expect(await b.$('[data-testid="archived-steps"]').getText()).toContain("book-interview-young-child");
    // The step 1.1.0 added depends on a fact 1.0.0 never asked: answering it brings the step in.
    expect(await b.$('[data-step="help-child-remove-images"]').isExisting()).toBe(false);
    await b.$('[data-testid="edit-facts"]').click();
    await b.$('[data-testid="edit-facts-form"] [data-testid="fact-images_shared_online"]').selectByAttribute("value", "true");
    await b.$('[data-testid="save-facts"]').click();
    await b.$('[data-step="help-child-remove-images"]').waitForExist();
    await b.$('[data-testid="tab-timeline"]').click();
    expect(await b.$('[data-testid="timeline"]').getText()).toContain("Moved to another protocol version");
  });

  it("moves every open case of a version in bulk and retires it", async () => {
    const b = app.browser;
    await b.$('[data-testid="nav-packs"]').click();
    const old = b.$('[data-testid="pack-row"][data-key="barnahus-online-csa@1.0.0"]');
    await old.waitForExist();
    expect(await old.$('[data-testid="pack-open-cases"]').getText()).toBe("1");
    await old.$('[data-testid="migrate-all"]').click();
    const bulk = b.$('[data-testid="bulk-migration"]');
    await bulk.waitForExist();
    expect(await bulk.$(`[data-testid="migration-plan"][data-reference="${onOld2}"]`).isExisting()).toBe(true);
    await b.$('[data-testid="confirm-migrate-all"]').click();
    await b.$('[data-testid="notice"]').waitForExist();
    await b.waitUntil(async () => (await old.$('[data-testid="pack-open-cases"]').getText()) === "0");

    await old.$('[data-testid="retire"]').click();
    await b.waitUntil(async () => (await old.$('[data-testid="pack-status"]').getText()) === "Retired");
    const shown = JSON.parse(cli(app.db, ["case", "show", onOld2, "--format", "json"]));
    expect(shown.pack.version).toBe("1.2.0");
  });
});
