// The first screen's requests, sent from main.ts before the app mounts: `app_info` and, when
// a role is remembered, the open cases the list shows first. They then travel and run in the
// engine while the page builds, instead of after it.
import { backend } from "./backend";
import type { AppInfo } from "./bindings/AppInfo";
import { caseQuery, dropEarly, requestEarly } from "./caselist";
import { locale } from "./i18n.svelte";
import { session } from "./session.svelte";

let info: Promise<AppInfo> | null = null;

export function startEarly(): void {
  const asked = backend().appInfo();
  const list = session.role ? requestEarly(caseQuery("open", session.role, locale.lang)) : null;
  // Both answers are awaited together, so the first screen is laid out and painted once,
  // with its list, rather than once per answer.
  info = list ? list.then(() => asked, () => asked) : asked;
  // The app reports a failure when it takes the answer; the early list is then forgotten, so
  // a retry asks again.
  info.catch(() => dropEarly());
}

/** `app_info`: the early answer the first time, a new request after that (a retry). */
export function appInfo(): Promise<AppInfo> {
  const taken = info;
  info = null;
  return taken ?? backend().appInfo();
}
