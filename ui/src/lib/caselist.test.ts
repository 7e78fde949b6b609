import { describe, expect, it } from "vitest";
import { setBackend, type Backend } from "./backend";
import type { CaseQuery } from "./bindings/CaseQuery";
import { caseQuery, dropEarly, listCases, requestEarly } from "./caselist";

function countingBackend() {
  const asked: CaseQuery[] = [];
  setBackend({
    caseList: async (q: CaseQuery) => {
      asked.push(q);
      return [];
    },
  } as unknown as Backend);
  return asked;
}

describe("the case list's early request", () => {
  it("answers the list's first request for the same query, once", async () => {
    const asked = countingBackend();
    requestEarly(caseQuery("open", "police", "en"));
    expect(asked).toHaveLength(1);
    await listCases(caseQuery("open", "police", "en"));
    expect(asked, "the early answer was used").toHaveLength(1);
    await listCases(caseQuery("open", "police", "en"));
    expect(asked, "later requests ask the engine again").toHaveLength(2);
  });

  it("is not used for another query, and is forgotten then", async () => {
    const asked = countingBackend();
    requestEarly(caseQuery("open", "police", "en"));
    await listCases(caseQuery("closed", "police", "en"));
    expect(asked.map((q) => q.status)).toEqual(["open", "closed"]);
    await listCases(caseQuery("open", "police", "en"));
    expect(asked).toHaveLength(3);
  });

  it("is dropped when the app could not start", async () => {
    const asked = countingBackend();
    requestEarly(caseQuery("open", "police", "sv"));
    dropEarly();
    await listCases(caseQuery("open", "police", "sv"));
    expect(asked).toHaveLength(2);
  });
});
