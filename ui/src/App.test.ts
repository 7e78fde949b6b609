import { afterEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import { tick } from "svelte";
import App from "./App.svelte";
import { setBackend, type Backend } from "./lib/backend";
import type { PackOutline } from "./lib/bindings/PackOutline";
import { session } from "./lib/session.svelte";

const outline: PackOutline = {
  key: "demo@1.0.0",
  id: "demo",
  version: "1.0.0",
  title: "Demo protocol",
  summary: null,
  language: "en",
  roles: [
    { id: "police", title: "Police" },
    { id: "coordinator", title: "Coordinator" },
  ],
  phases: [],
  facts: [],
  steps: [],
};

function unexpected(name: string) {
  return () => Promise.reject(new Error(`${name} was not expected in this test`));
}

function mockBackend(overrides: Partial<Backend>): Backend {
  return {
    appInfo: async () => ({ engineVersion: "9.9.9", database: "/tmp/x.sqlite3", training: false }),
    listPacks: async () => [
      {
        key: "demo@1.0.0",
        id: "demo",
        version: "1.0.0",
        status: "active",
        title: "Demo protocol",
        publisher: null,
        effective: null,
        origin: "shipped",
        signedBy: null,
        openCases: 0,
      },
    ],
    packOutline: async () => outline,
    caseList: async () => [],
    openCase: unexpected("openCase"),
    caseDetail: unexpected("caseDetail"),
    changeStep: unexpected("changeStep"),
    addNote: unexpected("addNote"),
    setFacts: unexpected("setFacts"),
    closeCase: unexpected("closeCase"),
    reopenCase: unexpected("reopenCase"),
    caseTrail: unexpected("caseTrail"),
    choosePackFile: unexpected("choosePackFile"),
    importChosenPack: unexpected("importChosenPack"),
    setPackStatus: unexpected("setPackStatus"),
    listKeys: unexpected("listKeys"),
    addKey: unexpected("addKey"),
    removeKey: unexpected("removeKey"),
    migrationPreview: unexpected("migrationPreview"),
    migrateCase: unexpected("migrateCase"),
    bulkMigrationPreview: unexpected("bulkMigrationPreview"),
    setTrainingMode: unexpected("setTrainingMode"),
    generateTrainingCases: unexpected("generateTrainingCases"),
    resetTraining: unexpected("resetTraining"),
    listScenarios: unexpected("listScenarios"),
    startWalkthrough: unexpected("startWalkthrough"),
    walkthroughGoto: unexpected("walkthroughGoto"),
    statsPreview: unexpected("statsPreview"),
    statsSave: unexpected("statsSave"),
    ...overrides,
  };
}

async function settle() {
  for (let i = 0; i < 5; i++) await tick();
  await new Promise((r) => setTimeout(r, 0));
}

describe("first screen", () => {
  afterEach(() => cleanup());

  it("asks for the role first, with the pack's role names, then shows the case list", async () => {
    localStorage.clear();
    session.switchRole();
    setBackend(mockBackend({}));
    render(App);
    await settle();
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Who are you acting as?");
    await fireEvent.click(screen.getByLabelText("Police"));
    await fireEvent.submit(screen.getByTestId("role-picker"));
    await settle();
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Cases");
    expect(screen.getByTestId("acting-as").textContent).toContain("Police");
    expect(localStorage.getItem("caseway.role")).toBe("police");
    expect(screen.getByTestId("engine-version").textContent).toContain("9.9.9");
    expect(document.body.dataset.ready).toBe("true");
  });

  it("shows a database failure as a message with what to do, not a blank screen", async () => {
    setBackend(
      mockBackend({
        appInfo: async () => {
          throw { code: "database", message: "file is not a database" };
        },
      }),
    );
    render(App);
    await settle();
    const alert = screen.getByRole("alert");
    expect(alert.textContent).toContain("file is not a database");
    expect(alert.textContent).toContain("CASEWAY_DB");
  });
});
