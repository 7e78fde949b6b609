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

describe("the start-up requests", () => {
  it("sends app_info and the remembered role's open cases before the app mounts, each answer used once", async () => {
    const { startEarly, appInfo } = await import("./startup");
    const { session } = await import("./session.svelte");
    const calls: string[] = [];
    setBackend({
      appInfo: async () => {
        calls.push("app_info");
        return { engineVersion: "1", database: "x", training: false };
      },
      caseList: async (q: CaseQuery) => {
        calls.push(`case_list ${q.status} ${q.role}`);
        return [];
      },
    } as unknown as Backend);
    session.role = "medical";
    startEarly();
    expect(calls).toEqual(["app_info", "case_list open medical"]);
    await appInfo();
    await listCases(caseQuery("open", "medical", "en"));
    expect(calls, "both answered from the early requests").toHaveLength(2);
    await appInfo();
    expect(calls, "a retry asks again").toEqual(["app_info", "case_list open medical", "app_info"]);
    session.role = null;
  });
});
