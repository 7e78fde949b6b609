// The one module that talks to the desktop shell. Screens import from here only, so they
// can be tested with a mock backend (see `setBackend`).
import { invoke } from "@tauri-apps/api/core";
import type { AppInfo } from "./bindings/AppInfo";
import type { ApiError } from "./bindings/ApiError";

export interface Backend {
  appInfo(): Promise<AppInfo>;
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
  appInfo: () => call<AppInfo>("app_info"),
};

let current: Backend = tauriBackend;

export function backend(): Backend {
  return current;
}

/** Replaces the backend (unit tests of screens). */
export function setBackend(b: Backend): void {
  current = b;
}
