import { afterEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { tick } from "svelte";
import CaseList from "./CaseList.svelte";
import { setBackend, type Backend } from "../lib/backend";
import type { CaseLine } from "../lib/bindings/CaseLine";

function line(i: number, overdue: number, nextDue: string | null): CaseLine {
  return {
    reference: `BH-2026-${String(i).padStart(4, "0")}`,
    pack: { key: "demo@1.0.0", id: "demo", version: "1.0.0" },
    packTitle: "Demo",
    status: "open",
    label: null,
    training: false,
    openedAt: `2026-01-${String((i % 28) + 1).padStart(2, "0")}T09:00:00Z`,
    applicableSteps: 10,
    finishedSteps: 1,
    overdueSteps: overdue,
    dueSoonSteps: 0,
    nextDue,
    myOpenSteps: 0,
  };
}

async function settle() {
  for (let i = 0; i < 5; i++) await tick();
  await new Promise((r) => setTimeout(r, 0));
}

describe("case list", () => {
  afterEach(() => cleanup());

  it("draws the most urgent cases first, a hundred at a time", async () => {
    const lines = Array.from({ length: 250 }, (_, i) => line(i, 0, null));
    lines[200] = line(200, 3, "2026-02-01T00:00:00Z");
    lines[100] = line(100, 0, "2026-02-02T00:00:00Z");
    setBackend({ caseList: async () => lines } as unknown as Backend);
    render(CaseList);
    await settle();
    // A screenful first; the rest of the hundred once that frame is painted.
    let rows = screen.getAllByTestId("case-row");
    expect(rows).toHaveLength(25);
    expect(rows[0].dataset.reference).toBe("BH-2026-0200");
    await waitFor(() => expect(screen.getAllByTestId("case-row")).toHaveLength(100));
    rows = screen.getAllByTestId("case-row");
    expect(rows[0].dataset.reference).toBe("BH-2026-0200");
    expect(rows[1].dataset.reference).toBe("BH-2026-0100");
    await fireEvent.click(screen.getByTestId("show-more"));
    rows = screen.getAllByTestId("case-row");
    expect(rows).toHaveLength(200);
    await fireEvent.click(screen.getByTestId("show-more"));
    expect(screen.getAllByTestId("case-row")).toHaveLength(250);
    expect(screen.queryByTestId("show-more")).toBeNull();
  });
});
