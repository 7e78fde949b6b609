// The case list's request, shared by the list and the app's start-up: the first screen's
// list is asked for together with `app_info` instead of after it, so both round trips and
// the engine's first reads overlap with the page's first layout.
import { backend } from "./backend";
import type { CaseLine } from "./bindings/CaseLine";
import type { CaseQuery } from "./bindings/CaseQuery";

export type Filter = "open" | "closed" | "overdue" | "mine";

export function caseQuery(filter: Filter, role: string | null, lang: string): CaseQuery {
  return {
    status: filter === "closed" ? "closed" : "open",
    overdueOnly: filter === "overdue",
    mineOnly: filter === "mine",
    role,
    lang,
  };
}

let early: { key: string; lines: Promise<CaseLine[]> } | null = null;

/** Sends the request the list will make first, before the list exists. */
export function requestEarly(query: CaseQuery): Promise<CaseLine[]> {
  const lines = backend().caseList(query);
  lines.catch(() => undefined); // the list reports a failure when it takes the answer
  early = { key: JSON.stringify(query), lines };
  return lines;
}

/** Forgets an early request (the app could not start: a retry asks again). */
export function dropEarly(): void {
  early = null;
}

/** The case list for `query`: the early answer when it was asked for this very query. */
export function listCases(query: CaseQuery): Promise<CaseLine[]> {
  const taken = early;
  early = null;
  if (taken && taken.key === JSON.stringify(query)) return taken.lines;
  return backend().caseList(query);
}
