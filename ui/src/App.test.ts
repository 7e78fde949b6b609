import { afterEach, describe, expect, it } from "vitest";
import { cleanup, render, screen } from "@testing-library/svelte";
import { tick } from "svelte";
import App from "./App.svelte";
import { setBackend, type Backend } from "./lib/backend";

function mockBackend(overrides: Partial<Backend>): Backend {
  return {
    appInfo: async () => ({ engineVersion: "9.9.9", database: "/tmp/x.sqlite3" }),
    ...overrides,
  };
}

async function settle() {
  for (let i = 0; i < 5; i++) await tick();
  await new Promise((r) => setTimeout(r, 0));
}

describe("first screen", () => {
  afterEach(() => cleanup());

  it("shows the case list and what the engine reported", async () => {
    setBackend(mockBackend({}));
    render(App);
    await settle();
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Cases");
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
