// No network, proven on the real app: a full case flow runs under `strace -f`, and no
// process of the app (the app, its web content and network processes) connects or sends to
// an inet or inet6 address. The one exception is the WebDriver automation channel that
// WebKit opens to the local test driver (WEBKIT_INSPECTOR_SERVER), which exists only
// because the test drives the window.
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chooseRole, startApp, straceLauncher, waitReady, type App } from "./harness";

/** Internet-family addresses in an strace log, as `family host:port` strings. */
export function inetPeers(log: string): string[] {
  const peers: string[] = [];
  for (const line of log.split("\n")) {
    const v4 = /sa_family=AF_INET, sin_port=htons\((\d+)\), sin_addr=inet_addr\("([^"]+)"\)/.exec(line);
    if (v4) peers.push(`AF_INET ${v4[2]}:${v4[1]}`);
    const v6 = /sa_family=AF_INET6, sin6_port=htons\((\d+)\),.*?inet_pton\(AF_INET6, "([^"]+)"/.exec(line);
    if (v6) peers.push(`AF_INET6 [${v6[2]}]:${v6[1]}`);
  }
  return peers;
}

describe("the app talks to no network", () => {
  const log = join(mkdtempSync(join(tmpdir(), "caseway-e2e-net-")), "connect.log");
  let app: App;

  beforeAll(async () => {
    app = await startApp({ application: straceLauncher(log) });
    await waitReady(app.browser);
  });

  afterAll(async () => {
    await app?.stop();
  });

  it("through a full case flow", async () => {
    const b = app.browser;
    await chooseRole(b, "coordinator");
    await b.$('[data-testid="new-case"]').click();
    await b.$('[data-testid="fact-online_element"]').selectByAttribute("value", "true");
    await b.$('[data-testid="fact-abuse_types-sextortion"]').click();
    await b.$('[data-testid="open-case"]').click();
    await b.$('[data-testid="checklist"]').waitForExist();
    await b.$('[data-step="register-report"] [data-testid="action-done"]').click();
    await b.waitUntil(async () => (await b.$('[data-step="register-report"]').getAttribute("data-state")) === "done");
    await b.$('[data-step="register-report"] [data-testid="toggle-detail"]').click();
    await b.$('[data-testid="tab-summary"]').click();
    await b.$('[data-testid="close-case"]').click();
    await b.$('[data-testid="status-reason"]').setValue("Done");
    await b.$('[data-testid="confirm-status"]').click();
    await b.waitUntil(async () => (await b.$('[data-testid="case-status"]').getText()).includes("Closed"));
    await app.stop();

    expect(existsSync(log), "strace wrote its log").toBe(true);
    const trace = readFileSync(log, "utf8");
    // The trace saw the processes' local sockets (D-Bus, X11, WebKit's own IPC)...
    expect(trace).toContain("AF_UNIX");
    const peers = inetPeers(trace);
    const automation = peers.filter((p) => p.startsWith("AF_INET 127.0.0.1:"));
    // ...and the automation channel, which shows the trace covers the web view process...
    expect(automation.length).toBeGreaterThan(0);
    expect(new Set(automation.map((p) => p.split(":").pop())).size, "one automation port only").toBe(1);
    // ...and nothing else that is inet or inet6.
    expect(peers.filter((p) => !automation.includes(p))).toEqual([]);
  });

  it("recognises inet and inet6 peers in a trace (so the check above can fail)", () => {
    const sample = [
      '12 connect(3, {sa_family=AF_UNIX, sun_path="/run/dbus"}, 110) = 0',
      '12 connect(5, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("93.184.216.34")}, 16) = 0',
      '12 connect(6, {sa_family=AF_INET6, sin6_port=htons(53), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "2001:db8::1", &sin6_addr), sin6_scope_id=0}, 28) = 0',
    ].join("\n");
    expect(inetPeers(sample)).toEqual(["AF_INET 93.184.216.34:443", "AF_INET6 [2001:db8::1]:53"]);
  });
});
