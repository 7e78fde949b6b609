// Measures the desktop app against the bare Tauri baseline on this machine (run by
// scripts/bench-app under Xvfb; see docs/performance.md). No dependencies beyond Node:
// it speaks classic WebDriver to tauri-driver over 127.0.0.1 and reads memory from /proc.
//
// node bench/bench-app.mjs --app BIN --baseline BIN --db SEEDED_DB --case REFERENCE
//   [--db-one DB_WITH_ONE_CASE] [--runs 7]
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, realpathSync, rmSync, statSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir, homedir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values: opt } = parseArgs({
  options: {
    app: { type: "string" },
    baseline: { type: "string" },
    db: { type: "string" },
    "db-one": { type: "string" },
    case: { type: "string" },
    runs: { type: "string", default: "7" },
    actions: { type: "string", default: "10" },
    opens: { type: "string", default: "3" },
    json: { type: "string" },
  },
});
for (const k of ["app", "baseline", "db", "case"]) {
  if (!opt[k]) {
    console.error(`missing --${k}`);
    process.exit(2);
  }
}
const RUNS = Number(opt.runs);
const ACTIONS = Number(opt.actions);
const OPENS = Number(opt.opens);
const ROLE = "coordinator"; // sees every step of a case, so all 200 are rendered
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...a) => console.error("#", ...a);

// ---------------------------------------------------------------- /proc: process trees and memory

function children() {
  const map = new Map();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (!map.has(ppid)) map.set(ppid, []);
      map.get(ppid).push(Number(d));
    } catch {
      /* gone */
    }
  }
  return map;
}

function tree(root) {
  const kids = children();
  const out = [];
  const todo = [root];
  while (todo.length) {
    const p = todo.pop();
    out.push(p);
    todo.push(...(kids.get(p) ?? []));
  }
  return out;
}

function exeOf(pid) {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return "";
  }
}

function field(text, name) {
  const m = new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text);
  return m ? Number(m[1]) : 0;
}

/** PSS now and peak RSS (VmHWM), in KiB, summed over the process and its descendants;
 * `byName` has the PSS of each process by its command name. */
function memory(root) {
  let pss = 0;
  let hwm = 0;
  const names = [];
  const byName = {};
  for (const pid of tree(root)) {
    try {
      const p = field(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"), "Pss");
      hwm += field(readFileSync(`/proc/${pid}/status`, "utf8"), "VmHWM");
      const name = readFileSync(`/proc/${pid}/comm`, "utf8").trim();
      pss += p;
      names.push(name);
      byName[name] = (byName[name] ?? 0) + p;
    } catch {
      /* gone */
    }
  }
  return { pss, hwm, names, byName };
}

/** Samples the tree's PSS every 100 ms until stopped; returns the highest sum seen. */
function pssSampler(root) {
  let peak = 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, memory(root).pss);
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, memory(root).pss);
    },
  };
}

// ---------------------------------------------------------------- start-up without WebDriver

/** Starts the binary directly and times process start until it prints `ready N`. */
async function startup(binary, env, settle = 1000) {
  const t0 = performance.now();
  const child = spawn(binary, [], {
    env: { ...process.env, ...env, CASEWAY_REPORT_READY: "1" },
    stdio: ["ignore", "pipe", "ignore"],
  });
  const exited = new Promise((r) => child.once("exit", r));
  let out = "";
  const ready = await new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), 60_000);
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const m = /^ready (\d+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ wall: performance.now() - t0, inside: Number(m[1]) });
      }
    });
  });
  let mem = null;
  if (ready) {
    await sleep(settle); // let the window settle before reading memory
    mem = memory(child.pid);
  }
  child.kill("SIGTERM");
  await exited;
  await sleep(300); // web and network processes follow their parent out
  if (!ready) throw new Error(`${binary} never printed 'ready' (is the role remembered in ${env.XDG_DATA_HOME}?)`);
  return { ...ready, mem };
}

/** How the app chose to draw on this machine: the `rendering` line it prints first. */
async function renderingOf(binary, env) {
  const child = spawn(binary, [], {
    env: { ...process.env, ...env, CASEWAY_REPORT_READY: "1" },
    stdio: ["ignore", "pipe", "ignore"],
  });
  const exited = new Promise((r) => child.once("exit", r));
  let out = "";
  const found = await new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), 30_000);
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const m = /^rendering (\S+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  child.kill("SIGTERM");
  await exited;
  await sleep(300);
  if (!found) throw new Error(`${binary} did not say how it draws`);
  return found;
}

// ---------------------------------------------------------------- WebDriver (classic) over HTTP

async function waitForPort(port) {
  for (let i = 0; i < 300; i++) {
    const ok = await new Promise((done) => {
      const s = createConnection({ host: "127.0.0.1", port }, () => {
        s.end();
        done(true);
      });
      s.on("error", () => done(false));
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}`);
}

function driverBinary() {
  const p = join(process.env.CARGO_HOME ?? join(homedir(), ".cargo"), "bin", "tauri-driver");
  try {
    statSync(p);
    return p;
  } catch {
    return "tauri-driver";
  }
}

async function startDriver(env) {
  const port = 4700 + Math.floor(Math.random() * 200);
  const proc = spawn(driverBinary(), ["--port", String(port), "--native-port", String(port + 1000)], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const exited = new Promise((r) => proc.once("exit", r));
  await waitForPort(port);
  return {
    base: `http://127.0.0.1:${port}`,
    pid: proc.pid,
    async stop() {
      proc.kill("SIGTERM");
      await exited;
    },
  };
}

async function wd(base, method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${JSON.stringify(json.value ?? json)}`);
  return json.value;
}

async function session(driver, binary) {
  const v = await wd(driver.base, "POST", "/session", {
    capabilities: { alwaysMatch: { browserName: "wry", "tauri:options": { application: binary } } },
  });
  const id = v.sessionId;
  const url = `/session/${id}`;
  await wd(driver.base, "POST", `${url}/timeouts`, { script: 60_000 });
  const real = realpathSync(binary);
  const pid = tree(driver.pid).find((p) => exeOf(p) === real);
  if (!pid) throw new Error(`no ${binary} process under tauri-driver`);
  return {
    pid,
    exec: (script, args = []) => wd(driver.base, "POST", `${url}/execute/sync`, { script, args }),
    execAsync: (script, args = []) => wd(driver.base, "POST", `${url}/execute/async`, { script, args }),
    async close() {
      await wd(driver.base, "DELETE", url).catch(() => undefined);
      await sleep(300);
    },
  };
}

async function until(s, script, what) {
  for (let i = 0; i < 600; i++) {
    if (await s.exec(script)) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

// In-page measurements: performance.now() around a click, until a MutationObserver sees the
// expected DOM, then until the next animation frame callback (the start of the frame that
// shows it). The check is
// spliced into the script text: scripts sent over WebDriver are not subject to the page's
// CSP, but an eval inside them would be.
function measureScript(clickSelector, doneExpression) {
  return `
const done = arguments[arguments.length - 1];
const isDone = () => (${doneExpression});
const t0 = performance.now();
let finished = false;
const finish = () => {
  if (finished || !isDone()) return;
  finished = true;
  obs.disconnect();
  const dom = performance.now() - t0;
  requestAnimationFrame(() => done({ dom, frame: performance.now() - t0 }));
};
const obs = new MutationObserver(finish);
obs.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
const el = document.querySelector(${JSON.stringify(clickSelector)});
if (!el) { obs.disconnect(); done({ error: "nothing matches " + ${JSON.stringify(clickSelector)} }); return; }
el.click();
setTimeout(() => { if (!finished) { obs.disconnect(); done({ error: "timed out after clicking " + ${JSON.stringify(clickSelector)} }); } }, 30000);
`;
}

async function measure(s, clickSelector, doneExpression) {
  const r = await s.execAsync(measureScript(clickSelector, doneExpression));
  if (r.error) throw new Error(r.error);
  return r;
}

/** One session on the app: open the 200-step case OPENS times, then ACTIONS step actions. */
async function appSession(driver, reference) {
  const s = await session(driver, opt.app);
  const sampler = pssSampler(s.pid);
  try {
    await until(s, `return document.body.dataset.ready === "true"`, "ready");
    if (!(await s.exec(`return localStorage.getItem("caseway.role")`))) {
      await s.exec(`localStorage.setItem("caseway.role", "${ROLE}"); location.reload();`);
      await sleep(500);
    }
    // The list draws the most urgent rows first (100 at a time): wait until it is drawn,
    // then find the 200-step case through the search box, as a user would.
    const listed = `document.querySelectorAll('[data-testid="case-row"]').length >= 100`;
    const caseButton = `[data-testid="case-row"][data-reference="${reference}"] button`;
    // The checklist opens on the current phase: the seeded pack has 5 phases of 40 steps,
    // nothing done, so the first phase's 40 cards; the other phases show their headers.
    const checklistShown = `document.querySelector('[data-phase="phase-0"][data-open="true"]') && document.querySelectorAll('[data-testid="checklist"] [data-testid="step"]').length >= 40 && document.querySelectorAll('[data-testid="phase-toggle"]').length === 5`;
    const allShown = `document.querySelectorAll('[data-testid="checklist"] [data-testid="step"]').length >= 200`;
    const renders = [];
    for (let i = 0; i < OPENS; i++) {
      await until(s, `return ${listed}`, "the case list");
      await s.exec(
        `const i = document.querySelector('[data-testid="search"]'); i.value = arguments[0]; i.dispatchEvent(new Event("input", { bubbles: true }));`,
        [reference],
      );
      await until(s, `return !!document.querySelector('${caseButton}')`, "the 200-step case in the list");
      renders.push(await measure(s, caseButton, checklistShown));
      if (i + 1 < OPENS) {
        await s.exec(`document.querySelector("main p.noprint button.link").click()`);
      }
    }
    const step = `[data-step="step-0"]`;
    const actions = [];
    for (let i = 0; i < ACTIONS; i++) {
      const forward = i % 2 === 0;
      const button = `${step} [data-testid="${forward ? "action-start" : "action-todo"}"]`;
      const want = forward ? "in_progress" : "todo";
      actions.push(
        await measure(s, button, `document.querySelector('${step}')?.dataset.state === "${want}" && !document.querySelector('${step} button:disabled')`),
      );
    }
    await sleep(1000);
    const mem = memory(s.pid);
    const peakPss = sampler.stop();
    // Then every phase opened: all 200 cards drawn at once, and the memory that costs.
    const openAll = await measure(s, `[data-testid="open-all-phases"]`, allShown);
    await sleep(1000);
    const memAll = memory(s.pid);
    await s.exec(`document.querySelector('[data-testid="close-all-phases"]').click()`);
    return { renders, actions, mem, openAll, memAll, peakPss };
  } finally {
    sampler.stop();
    await s.close();
  }
}

async function baselineSession(driver) {
  const s = await session(driver, opt.baseline);
  const sampler = pssSampler(s.pid);
  try {
    await until(s, `return document.body.dataset.ready === "true"`, "ready");
    await sleep(1000);
    const mem = memory(s.pid);
    return { mem, peakPss: sampler.stop() };
  } finally {
    sampler.stop();
    await s.close();
  }
}

// ---------------------------------------------------------------- statistics and the table

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const spread = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length });

function row(name, unit, app, base, target) {
  const fmt = (x) => (unit === "MiB" ? (x / 1024).toFixed(0) : x.toFixed(unit === "ms" ? 1 : 0));
  const cell = (st) => (st ? `${fmt(st.median)} (${fmt(st.min)}–${fmt(st.max)})` : "—");
  let verdict = "";
  let ratio = "—";
  if (base) {
    const r = app.median / base.median;
    ratio = `${r.toFixed(2)}x`;
    if (target) verdict = r <= target ? `≤ ${target}x: met` : `≤ ${target}x: MISSED`;
  } else if (target) {
    verdict = app.median < target ? `< ${target} ms: met` : `< ${target} ms: MISSED`;
  }
  return `| ${name} | ${unit} | ${cell(app)} | ${cell(base)} | ${ratio} | ${verdict} |`;
}

// ---------------------------------------------------------------- the run

const work = mkdtempSync(join(tmpdir(), "caseway-bench-"));
const homeDirect = join(work, "home-direct");
const homeWd = join(work, "home-webdriver");
const dbDirect = join(work, "direct.sqlite3");
const dbWd = join(work, "webdriver.sqlite3");
const dbOne = join(work, "one-case.sqlite3");
copyFileSync(opt.db, dbDirect);
if (opt["db-one"]) copyFileSync(opt["db-one"], dbOne);
copyFileSync(opt.db, dbWd);
const envOf = (home, db) => ({ CASEWAY_DB: db, XDG_DATA_HOME: home, XDG_CACHE_HOME: join(home, "cache") });

// The app chooses how WebKit draws (src-tauri/src/rendering.rs): without compositing on a
// machine with no render node. The baseline is drawn the same way, so the floor has the same
// features; with WebKit's defaults it is also measured, for reference.
const rendering = await renderingOf(opt.app, envOf(join(work, "home-probe"), dbOne));
const sameDrawing = rendering === "without-compositing" ? { WEBKIT_DISABLE_COMPOSITING_MODE: "1" } : {};
log(`the app draws: ${rendering}`);

const driver = await startDriver({ ...envOf(homeWd, dbWd), ...sameDrawing });
const result = { startOne: [], memOne: [], memAppProc: [], memBaseProc: [], memAppWeb: [], memBaseWeb: [], startApp: [], startBase: [], insideApp: [], insideBase: [], memListApp: [], memListBase: [], memCaseApp: [], peakCaseApp: [], hwmCaseApp: [], memBase: [], peakBase: [], hwmBase: [], render: [], renderDom: [], action: [], actionDom: [], openAll: [], openAllDom: [], memAllApp: [], startBaseDefault: [], memBaseDefault: [], memCaseDirect: [], hwmCaseDirect: [], hwmListBase: [] };
try {
  // Warm-up (not counted): the role is remembered in each data folder, caches are filled.
  log("warm-up");
  {
    const s = await session(driver, opt.app);
    await until(s, `return document.body.dataset.ready === "true"`, "ready");
    await s.exec(`localStorage.setItem("caseway.role", "${ROLE}")`);
    await s.close();
  }
  {
    // The direct runs need the role in their own data folder: set it once through a driver
    // on that folder, then check the page reads it back after a restart.
    const d2 = await startDriver(envOf(homeDirect, dbDirect));
    const s = await session(d2, opt.app);
    await until(s, `return document.body.dataset.ready === "true"`, "ready");
    await s.exec(`localStorage.setItem("caseway.role", "${ROLE}")`);
    await s.close();
    await d2.stop();
  }
  await startup(opt.app, envOf(homeDirect, dbDirect));
  await startup(opt.baseline, { ...envOf(homeDirect, dbDirect), ...sameDrawing });

  for (let run = 1; run <= RUNS; run++) {
    const a = await startup(opt.app, envOf(homeDirect, dbDirect));
    const b = await startup(opt.baseline, { ...envOf(homeDirect, dbDirect), ...sameDrawing });
    if (Object.keys(sameDrawing).length > 0) {
      const d = await startup(opt.baseline, envOf(homeDirect, dbDirect));
      result.startBaseDefault.push(d.wall);
      result.memBaseDefault.push(d.mem.pss);
    }
    result.startApp.push(a.wall);
    result.insideApp.push(a.inside);
    result.memListApp.push(a.mem.pss);
    result.startBase.push(b.wall);
    result.insideBase.push(b.inside);
    result.memListBase.push(b.mem.pss);
    result.memAppProc.push(a.mem.byName["caseway-app"] ?? 0);
    result.memBaseProc.push(b.mem.byName["baseline-app"] ?? 0);
    result.memAppWeb.push(a.mem.byName["WebKitWebProces"] ?? 0);
    result.memBaseWeb.push(b.mem.byName["WebKitWebProces"] ?? 0);
    // The 200-step case opened without WebDriver (whose automation grows with every
    // interaction): the app opens it itself once ready, then the memory is read.
    const direct = await startup(opt.app, { ...envOf(homeDirect, dbDirect), CASEWAY_REPORT_OPEN_CASE: opt.case }, 2500);
    result.memCaseDirect.push(direct.mem.pss);
    result.hwmCaseDirect.push(direct.mem.hwm);
    result.hwmListBase.push(b.mem.hwm);
    if (opt["db-one"]) {
      const one = await startup(opt.app, envOf(homeDirect, dbOne));
      result.startOne.push(one.wall);
      result.memOne.push(one.mem.pss);
    }

    const w = await appSession(driver, opt.case);
    result.memCaseApp.push(w.mem.pss);
    result.peakCaseApp.push(w.peakPss);
    result.hwmCaseApp.push(w.mem.hwm);
    result.render.push(...w.renders.map((r) => r.frame));
    result.renderDom.push(...w.renders.map((r) => r.dom));
    result.openAll.push(w.openAll.frame);
    result.openAllDom.push(w.openAll.dom);
    result.memAllApp.push(w.memAll.pss);
    result.action.push(...w.actions.map((r) => r.frame));
    result.actionDom.push(...w.actions.map((r) => r.dom));

    const base = await baselineSession(driver);
    result.memBase.push(base.mem.pss);
    result.peakBase.push(base.peakPss);
    result.hwmBase.push(base.mem.hwm);
    log(
      `run ${run}/${RUNS}: start ${a.wall.toFixed(0)} vs ${b.wall.toFixed(0)} ms; ` +
        `PSS case ${(w.mem.pss / 1024).toFixed(0)} vs ${(base.mem.pss / 1024).toFixed(0)} MiB (${w.mem.names.join(", ")}); ` +
        `render ${w.renders.map((r) => r.frame.toFixed(0)).join("/")} ms, all phases ${w.openAll.frame.toFixed(0)} ms; ` +
        `actions ${w.actions.map((r) => r.frame.toFixed(0)).join("/")} ms`,
    );
  }
} finally {
  await driver.stop();
  rmSync(work, { recursive: true, force: true });
}

const size = (p) => statSync(p).size;
const S = Object.fromEntries(Object.entries(result).map(([k, v]) => [k, v.length ? spread(v) : null]));
const lines = [
  `| Measure | Unit | Caseway: median (min–max) | Baseline: median (min–max) | Ratio | Target |`,
  `|---|---|---|---|---|---|`,
  row("Start-up to ready, 1,000 cases in the database, the list drawn (process start → `ready` line, measured outside)", "ms", S.startApp, S.startBase, 1.3),
  row("Start-up, as the app measures it (first line of `main` → `ready`)", "ms", S.insideApp, S.insideBase, null),
  row("Memory after opening the 200-step case, no WebDriver (PSS, whole process tree)", "MiB", S.memCaseDirect, S.memListBase, 1.3),
  row("… peak resident memory (VmHWM summed over the tree)", "MiB", S.hwmCaseDirect, S.hwmListBase, 1.3),
  row("Memory after opening the 200-step case and 10 step actions under WebDriver (PSS, whole process tree)", "MiB", S.memCaseApp, S.memBase, 1.3),
  row("… then with all five phases open, 200 cards drawn (PSS, whole tree)", "MiB", S.memAllApp, S.memBase, 1.3),
  row("Peak memory during that session (highest PSS sample, whole tree)", "MiB", S.peakCaseApp, S.peakBase, 1.3),
  row("Peak resident memory (VmHWM summed over the tree)", "MiB", S.hwmCaseApp, S.hwmBase, 1.3),
  row("Memory at ready with 1,000 cases in the database (PSS, whole tree, no WebDriver)", "MiB", S.memListApp, S.memListBase, 1.3),
  row("… of which the app process itself", "MiB", S.memAppProc, S.memBaseProc, null),
  row("… of which the web process", "MiB", S.memAppWeb, S.memBaseWeb, null),
  ...(S.startOne
    ? [
        row("Start-up to ready, database with one case (measured outside)", "ms", S.startOne, S.startBase, 1.3),
        row("Memory at ready, database with one case (PSS, whole tree)", "MiB", S.memOne, S.memListBase, 1.3),
      ]
    : []),
  row("Step action: click → saved → re-rendered (to next frame)", "ms", S.action, null, 50),
  row("200-step checklist: click in the list → checklist rendered, current phase open (40 cards), to next frame", "ms", S.render, null, 100),
  row("200-step checklist: same, until the DOM holds them", "ms", S.renderDom, null, 100),
  row("200-step checklist: open all phases → 200 cards rendered, to next frame", "ms", S.openAll, null, 100),
  row("200-step checklist: same, until the DOM holds them", "ms", S.openAllDom, null, 100),
  ...(S.startBaseDefault
    ? [
        row("For reference: the baseline with WebKit's default drawing (compositing through llvmpipe), start-up", "ms", S.startApp, S.startBaseDefault, null),
        row("For reference: the same, memory at ready (PSS, whole tree)", "MiB", S.memListApp, S.memBaseDefault, null),
      ]
    : []),
  `| Release binary, stripped | MiB | ${(size(opt.app) / 1048576).toFixed(1)} | ${(size(opt.baseline) / 1048576).toFixed(1)} | ${(size(opt.app) / size(opt.baseline)).toFixed(2)}x | — |`,
];
console.log(`Drawing: ${rendering} (app and baseline alike)\n`);
console.log(lines.join("\n"));
if (opt.json) {
  const { writeFileSync } = await import("node:fs");
  writeFileSync(opt.json, JSON.stringify({ runs: RUNS, raw: result, stats: S }, null, 2));
}
