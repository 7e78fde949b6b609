import { describe, expect, it } from "vitest";
import { en } from "./locales/en";
import { sv } from "./locales/sv";
import { format, formatDateTime, locale, t } from "./i18n.svelte";

describe("ui strings", () => {
  it("Swedish has every English message and none left untranslated by accident", () => {
    expect(Object.keys(sv).sort()).toEqual(Object.keys(en).sort());
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(sv[key], key).not.toBe("");
    }
  });

  it("fills placeholders and leaves unknown ones visible", () => {
    expect(format("Engine {version}", { version: "1.2.3" })).toBe("Engine 1.2.3");
    expect(format("{a} and {b}", { a: 1 })).toBe("1 and {b}");
  });

  it("switches language at runtime", () => {
    locale.set("sv");
    expect(t("cases")).toBe("Ärenden");
    locale.set("en");
    expect(t("cases")).toBe("Cases");
  });

  it("formats dates in the chosen language", () => {
    const iso = "2026-03-14T09:30:00Z";
    expect(formatDateTime(iso, "sv")).not.toBe(formatDateTime(iso, "en"));
    expect(formatDateTime("not a date", "en")).toBe("not a date");
  });
});
