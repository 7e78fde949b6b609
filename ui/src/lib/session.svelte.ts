// Who is at the keyboard: the role they act in and, optionally, their initials.
// Remembered on this machine (the web view's local storage); never a name.
import type { ActorInput } from "./bindings/ActorInput";

const ROLE_KEY = "caseway.role";
const INITIALS_KEY = "caseway.initials";

class Session {
  role = $state<string | null>(globalThis.localStorage?.getItem(ROLE_KEY) ?? null);
  initials = $state<string>(globalThis.localStorage?.getItem(INITIALS_KEY) ?? "");

  choose(role: string, initials: string): void {
    this.role = role;
    this.initials = initials.trim().toUpperCase();
    globalThis.localStorage?.setItem(ROLE_KEY, role);
    globalThis.localStorage?.setItem(INITIALS_KEY, this.initials);
  }

  /** Back to the role picker. */
  switchRole(): void {
    this.role = null;
  }

  actor(): ActorInput {
    return { role: this.role ?? "", initials: this.initials || null };
  }
}

export const session = new Session();

/** The screens of the app; the case screen carries its reference. */
export type View =
  | { name: "list" }
  | { name: "new" }
  | { name: "case"; reference: string; tab?: CaseTab }
  | { name: "packs" }
  | { name: "training" }
  | { name: "walkthrough" }
  | { name: "statistics" };
export type CaseTab = "checklist" | "timeline" | "summary";

class Navigation {
  view = $state<View>({ name: "list" });

  go(view: View): void {
    this.view = view;
    // Move focus to the new screen's heading so keyboard and screen reader users follow.
    queueMicrotask(() => document.querySelector<HTMLElement>("main h1")?.focus());
  }
}

export const nav = new Navigation();

/** The view named by the address's fragment: `#case=REFERENCE` is that case's screen. */
export function viewOfHash(hash: string): View | null {
  const m = /^#case=(BH-\d{4}-[0-9A-Z]{4})$/.exec(hash);
  return m ? { name: "case", reference: m[1] } : null;
}
