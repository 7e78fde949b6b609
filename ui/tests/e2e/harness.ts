// Drives the real Caseway binary through tauri-driver and WebKitWebDriver.
// The display comes from the caller (scripts/test runs the suite under xvfb-run).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir, homedir } from "node:os";
import { join, resolve } from "node:path";
import { remote } from "webdriverio";

export type Browser = WebdriverIO.Browser;

const repo = resolve(import.meta.dirname, "../../..");

/** The app binary under test: CASEWAY_APP, else the debug build in the workspace target dir. */
export function appBinary(): string {
  const target = process.env.CARGO_TARGET_DIR ?? join(repo, "target");
  const path = process.env.CASEWAY_APP ?? join(target, "debug", "caseway-app");
  if (!existsSync(path)) {
    throw new Error(`app binary not found at ${path}: build it with 'cargo build -p caseway-app'`);
  }
  return path;
}

function tauriDriverPath(): string {
  const inCargoHome = join(process.env.CARGO_HOME ?? join(homedir(), ".cargo"), "bin", "tauri-driver");
  return existsSync(inCargoHome) ? inCargoHome : "tauri-driver";
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((done) => {
      const socket = createConnection({ host: "127.0.0.1", port }, () => {
        socket.end();
        done(true);
      });
      socket.on("error", () => done(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface App {
  browser: Browser;
  /** The database file this app instance uses (a fresh one per start unless given). */
  db: string;
  /** The web view's data folder (its local storage: role, initials, language). */
  home: string;
  stop(): Promise<void>;
}

let driverPort = 4444;

/** Starts tauri-driver and a session on the real app with its own database file. */
export async function startApp(
  options: { db?: string; home?: string; env?: Record<string, string>; application?: string } = {},
): Promise<App> {
  const db = options.db ?? join(mkdtempSync(join(tmpdir(), "caseway-e2e-")), "caseway.sqlite3");
  // A data folder of its own, so what one test remembers (role, language) never leaks into another.
  const home = options.home ?? mkdtempSync(join(tmpdir(), "caseway-e2e-home-"));
  const port = driverPort++;
  const driver: ChildProcess = spawn(
    tauriDriverPath(),
    ["--port", String(port), "--native-port", String(port + 1000)],
    { stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, ...options.env, CASEWAY_DB: db, XDG_DATA_HOME: home, XDG_CACHE_HOME: join(home, "cache") } },
  );
  const exited = new Promise<void>((r) => driver.once("exit", () => r()));
  try {
    await waitForPort(port, 30_000);
    const browser = await remote({
      hostname: "127.0.0.1",
      port,
      logLevel: "error",
      capabilities: {
        browserName: "wry",
        // WebKitWebDriver speaks classic WebDriver only: do not ask for a BiDi socket.
        "wdio:enforceWebDriverClassic": true,
        "tauri:options": { application: options.application ?? appBinary() },
      } as WebdriverIO.Capabilities,
    });
    let stopped = false;
    return {
      browser,
      db,
      home,
      async stop() {
        if (stopped) return;
        stopped = true;
        await browser.deleteSession().catch(() => undefined);
        driver.kill("SIGTERM");
        await exited;
      },
    };
  } catch (e) {
    driver.kill("SIGTERM");
    await exited;
    throw e;
  }
}

/** Waits for the UI to say it has rendered its first screen. */
export async function waitReady(browser: Browser): Promise<void> {
  await browser.waitUntil(
    async () => (await browser.execute(() => document.body.dataset.ready ?? "")) === "true",
    { timeout: 30_000, timeoutMsg: "the app never marked itself ready" },
  );
}

/** Saves a screenshot when SCREENSHOT_DIR is set (used to refresh the README's pictures). */
export async function screenshot(browser: Browser, name: string): Promise<void> {
  const dir = process.env.SCREENSHOT_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  // Let the web view paint what the DOM already holds before capturing it.
  await browser.executeAsync((done: () => void) => {
    requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 200)));
  });
  // WebKitGTK drawing without compositing (the app's choice where there is no graphics
  // processor) answers a screenshot request with its next paint, and a page that has finished
  // drawing paints nothing more: keep one corner pixel changing by one shade meanwhile.
  await browser.execute(() => {
    const dot = document.createElement("div");
    dot.style.cssText = "position:fixed;right:0;bottom:0;width:1px;height:1px;pointer-events:none";
    document.body.appendChild(dot);
    let odd = false;
    const timer = setInterval(() => {
      odd = !odd;
      dot.style.background = odd ? "rgba(0,0,0,0.01)" : "rgba(0,0,0,0.02)";
    }, 50);
    (window as unknown as { stopRepaint: () => void }).stopRepaint = () => {
      clearInterval(timer);
      dot.remove();
    };
  });
  const png = await browser.takeScreenshot();
  await browser.execute(() => (window as unknown as { stopRepaint: () => void }).stopRepaint());
  writeFileSync(join(dir, `${name}.png`), Buffer.from(png, "base64"));
}

const axeSource = readFileSync(join(repo, "ui/node_modules/axe-core/axe.min.js"), "utf8");

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: number;
}

/** Runs axe-core in the window and returns the serious and critical violations. */
export async function seriousA11yViolations(browser: Browser): Promise<AxeViolation[]> {
  // The source is sent as the script itself: WebDriver scripts are not subject to the page's CSP.
  if (!(await browser.execute(() => "axe" in window))) {
    await browser.execute(`${axeSource}\n;return true;`);
  }
  const result = await browser.executeAsync((done: (r: unknown) => void) => {
    const w = window as unknown as { axe: { run: (ctx: Document) => Promise<unknown> } };
    w.axe
      .run(document)
      .then((r) => done(r))
      .catch((e: unknown) => done({ error: String(e) }));
  });
  const r = result as { error?: string; violations?: { id: string; impact: string | null; help: string; nodes: unknown[] }[] };
  if (r.error) throw new Error(`axe-core failed: ${r.error}`);
  return (r.violations ?? [])
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length }));
}

export function cargoVersion(): string {
  const toml = readFileSync(join(repo, "Cargo.toml"), "utf8");
  const m = /^\[workspace\.package\][^[]*?^version\s*=\s*"([^"]+)"/ms.exec(toml);
  if (!m) throw new Error("no workspace version in Cargo.toml");
  return m[1];
}

/** The `caseway` command line, on the same database as the app (for set-up a user cannot do
 * from the window, such as a case opened days ago). Returns its standard output. */
export function cli(db: string, args: string[], env: Record<string, string> = {}): string {
  const target = process.env.CARGO_TARGET_DIR ?? join(repo, "target");
  const bin = join(target, "debug", "caseway");
  const r = spawnSync(bin, ["--db", db, ...args], { encoding: "utf8", env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`caseway ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** Picks the role (and initials) on the role screen. */
export async function chooseRole(browser: Browser, role: string, initials = ""): Promise<void> {
  await browser.$(`[data-testid="role-${role}"]`).waitForExist();
  await browser.$(`[data-testid="role-${role}"]`).click();
  if (initials) await browser.$('[data-testid="initials"]').setValue(initials);
  await browser.$('[data-testid="choose-role"]').click();
  await browser.$('[data-testid="acting-as"]').waitForDisplayed();
}

/** Fails the test with the list of serious or critical violations on the current screen. */
export async function expectAccessible(browser: Browser, screen: string): Promise<void> {
  const violations = await seriousA11yViolations(browser);
  if (violations.length > 0) {
    throw new Error(`accessibility violations on ${screen}: ${JSON.stringify(violations, null, 2)}`);
  }
}

/** A launcher that runs the app under `strace -f`, recording every socket connect and
 * addressed send of the app and its web view processes into `log`. */
export function straceLauncher(log: string): string {
  const dir = mkdtempSync(join(tmpdir(), "caseway-e2e-strace-"));
  const launcher = join(dir, "caseway-app-under-strace");
  writeFileSync(
    launcher,
    `#!/bin/sh\nexec strace -f -qq -e trace=connect,sendto,sendmsg -o '${log}' '${appBinary()}' "$@"\n`,
    { mode: 0o755 },
  );
  return launcher;
}
