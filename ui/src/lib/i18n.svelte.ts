// UI strings in the languages the app ships. Pack texts come from the packs themselves.
import { en } from "./locales/en";
import { sv } from "./locales/sv";

export type Lang = "en" | "sv";
export type Messages = typeof en;
export type MessageKey = keyof Messages;

const catalogs: Record<Lang, Messages> = { en, sv };

export const languages: { id: Lang; name: string }[] = [
  { id: "en", name: "English" },
  { id: "sv", name: "Svenska" },
];

const STORAGE_KEY = "caseway.lang";

function initialLang(): Lang {
  const saved = globalThis.localStorage?.getItem(STORAGE_KEY);
  return saved === "sv" || saved === "en" ? saved : "en";
}

class Locale {
  lang = $state<Lang>(initialLang());

  set(lang: Lang): void {
    this.lang = lang;
    globalThis.localStorage?.setItem(STORAGE_KEY, lang);
    if (typeof document !== "undefined") document.documentElement.lang = lang;
  }
}

export const locale = new Locale();

/** Looks a message up in the current language, filling `{name}` placeholders. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  return format(catalogs[locale.lang][key] ?? en[key], params);
}

export function format(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, name: string) =>
    name in params ? String(params[name]) : m,
  );
}

// Building an Intl.DateTimeFormat is slow (a fraction of a millisecond each in WebKit) and the
// lists format thousands of dates: keep one per language and style.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(lang: Lang, withTime: boolean): Intl.DateTimeFormat {
  const key = `${lang}|${withTime}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(
      lang === "sv" ? "sv-SE" : "en-GB",
      withTime ? { dateStyle: "medium", timeStyle: "short" } : { dateStyle: "medium" },
    );
    formatters.set(key, f);
  }
  return f;
}

/** A date and time in the user's language, in local time. */
export function formatDateTime(iso: string, lang: Lang = locale.lang): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return formatter(lang, true).format(d);
}

/** A calendar date in the user's language, in local time. */
export function formatDate(iso: string, lang: Lang = locale.lang): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return formatter(lang, false).format(d);
}

const stateKeys: Record<string, MessageKey> = {
  todo: "stateTodo",
  in_progress: "stateInProgress",
  done: "stateDone",
  not_applicable: "stateNotApplicable",
  blocked: "stateBlocked",
};

/** The name of a step state in the user's language. */
export function stateLabel(state: string): string {
  const key = stateKeys[state];
  return key ? t(key) : state;
}

/** The name of an audit event kind in the user's language. */
export function eventKindLabel(kind: string): string {
  const key = `kind_${kind}` as MessageKey;
  return key in en ? t(key) : kind;
}
