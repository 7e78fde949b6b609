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
import type { MigrationPlan } from "./bindings/MigrationPlan";
import type { PackInspectionView } from "./bindings/PackInspectionView";
import type { ScenarioSummary } from "./bindings/ScenarioSummary";
import type { SigningKey } from "./bindings/SigningKey";
import type { WalkthroughView } from "./bindings/WalkthroughView";
import type { StatsPreview } from "./bindings/StatsPreview";
import type { StatsQuery } from "./bindings/StatsQuery";

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
  // Coordinators
  choosePackFile(lang: string): Promise<PackInspectionView | null>;
  importChosenPack(): Promise<PackSummary>;
  setPackStatus(key: string, status: "active" | "retired" | "draft"): Promise<void>;
  listKeys(): Promise<SigningKey[]>;
  addKey(text: string): Promise<SigningKey>;
  removeKey(keyId: string): Promise<void>;
  migrationPreview(reference: string, to: string): Promise<MigrationPlan>;
  migrateCase(reference: string, to: string, actor: ActorInput): Promise<CaseDetail>;
  bulkMigrationPreview(from: string, to: string): Promise<MigrationPlan[]>;
  // Trainers
  setTrainingMode(on: boolean): Promise<boolean>;
  generateTrainingCases(pack: string, count: number, maxHoursAgo: number, seed: number): Promise<string[]>;
  resetTraining(): Promise<void>;
  listScenarios(lang: string): Promise<ScenarioSummary[]>;
  startWalkthrough(id: string, lang: string): Promise<WalkthroughView>;
  walkthroughGoto(position: number, lang: string): Promise<WalkthroughView>;
  // Statistics
  statsPreview(query: StatsQuery): Promise<StatsPreview>;
  /** Saves the export where the user chooses; the file written, or null when cancelled. */
  statsSave(query: StatsQuery, format: "csv" | "json"): Promise<string | null>;
  /** Tells the shell the first screen with data is on screen (startup measurement). */
  uiReady?(): Promise<void>;
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
  uiReady: () => call("ui_ready"),
  choosePackFile: (lang) => call("choose_pack_file", { lang }),
  importChosenPack: () => call("import_chosen_pack"),
  setPackStatus: (key, status) => call("set_pack_status", { key, status }),
  listKeys: () => call("list_keys"),
  addKey: (text) => call("add_key", { text }),
  removeKey: (keyId) => call("remove_key", { keyId }),
  migrationPreview: (reference, to) => call("migration_preview", { reference, to }),
  migrateCase: (reference, to, actor) => call("migrate_case", { reference, to, actorInput: actor }),
  bulkMigrationPreview: (from, to) => call("bulk_migration_preview", { from, to }),
  setTrainingMode: (on) => call("set_training_mode", { on }),
  generateTrainingCases: (pack, count, maxHoursAgo, seed) =>
    call("generate_training_cases", { pack, count, maxHoursAgo, seed }),
  resetTraining: () => call("reset_training"),
  listScenarios: (lang) => call("list_scenarios", { lang }),
  startWalkthrough: (id, lang) => call("start_walkthrough", { id, lang }),
  walkthroughGoto: (position, lang) => call("walkthrough_goto", { position, lang }),
  statsPreview: (query) => call("stats_preview", { query }),
  statsSave: (query, format) => call("stats_save", { query, format }),
};

let current: Backend = tauriBackend;

export function backend(): Backend {
  return current;
}

let readyReported = false;

/** Tells the shell, once per start, that the first screen with data has been painted. */
export function reportReady(): void {
  if (readyReported) return;
  readyReported = true;
  const send = () => void current.uiReady?.().catch(() => undefined);
  if (typeof requestAnimationFrame === "function") requestAnimationFrame(send);
  else send();
}

/** Replaces the backend (unit tests of screens). */
export function setBackend(b: Backend): void {
  current = b;
}
