// The one module that talks to the desktop shell. Screens import from here only, so they
// can be tested with a mock backend (see `setBackend`).
import { invoke } from "@tauri-apps/api/core";
import type { ActorInput } from "./bindings/ActorInput";
import type { ApiError } from "./bindings/ApiError";
import type { AppInfo } from "./bindings/AppInfo";
import type { CaseDetail } from "./bindings/CaseDetail";
import type { CaseLine } from "./bindings/CaseLine";
import type { CaseQuery } from "./bindings/CaseQuery";
import type { FactAnswer } from "./bindings/FactAnswer";
import type { NewCaseInput } from "./bindings/NewCaseInput";
import type { PackOutline } from "./bindings/PackOutline";
import type { PackSummary } from "./bindings/PackSummary";
import type { StepChangeInput } from "./bindings/StepChangeInput";
import type { TrailEntry } from "./bindings/TrailEntry";

export interface Backend {
  appInfo(): Promise<AppInfo>;
  listPacks(lang: string): Promise<PackSummary[]>;
  packOutline(key: string, lang: string): Promise<PackOutline>;
  caseList(query: CaseQuery): Promise<CaseLine[]>;
  openCase(input: NewCaseInput): Promise<CaseDetail>;
  caseDetail(reference: string): Promise<CaseDetail>;
  changeStep(input: StepChangeInput): Promise<CaseDetail>;
  addNote(reference: string, step: string, note: string, actor: ActorInput): Promise<CaseDetail>;
  setFacts(reference: string, answers: Record<string, FactAnswer>, actor: ActorInput): Promise<CaseDetail>;
  closeCase(reference: string, reason: string, actor: ActorInput): Promise<CaseDetail>;
  reopenCase(reference: string, reason: string, actor: ActorInput): Promise<CaseDetail>;
  caseTrail(reference: string): Promise<TrailEntry[]>;
}

function isApiError(e: unknown): e is ApiError {
  return typeof e === "object" && e !== null && "code" in e && "message" in e;
}

/** Turns whatever the shell rejected with into an `ApiError` the screens can show. */
export function toApiError(e: unknown): ApiError {
  if (isApiError(e)) return e;
  return { code: "internal", message: e instanceof Error ? e.message : String(e) };
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toApiError(e);
  }
}

const tauriBackend: Backend = {
  appInfo: () => call("app_info"),
  listPacks: (lang) => call("list_packs", { lang }),
  packOutline: (key, lang) => call("pack_outline", { key, lang }),
  caseList: (query) => call("case_list", { query }),
  openCase: (input) => call("open_case", { input }),
  caseDetail: (reference) => call("case_detail", { reference }),
  changeStep: (input) => call("change_step", { input }),
  addNote: (reference, step, note, actor) => call("add_note", { reference, step, note, actorInput: actor }),
  setFacts: (reference, answers, actor) => call("set_facts", { reference, answers, actorInput: actor }),
  closeCase: (reference, reason, actor) => call("close_case", { reference, reason, actorInput: actor }),
  reopenCase: (reference, reason, actor) => call("reopen_case", { reference, reason, actorInput: actor }),
  caseTrail: (reference) => call("case_trail", { reference }),
};

let current: Backend = tauriBackend;

export function backend(): Backend {
  return current;
}

/** Replaces the backend (unit tests of screens). */
export function setBackend(b: Backend): void {
  current = b;
}
