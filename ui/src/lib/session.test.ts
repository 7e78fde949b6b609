import { describe, expect, it } from "vitest";
import { viewOfHash } from "./session.svelte";

describe("the view named in the address", () => {
  it("opens a case by its reference, and nothing else", () => {
    expect(viewOfHash("#case=BH-2026-X8NB")).toEqual({ name: "case", reference: "BH-2026-X8NB" });
    expect(viewOfHash("")).toBeNull();
    expect(viewOfHash("#case=")).toBeNull();
    expect(viewOfHash("#case=BH-2026-X8NB&x=1")).toBeNull();
    expect(viewOfHash("#case=<script>")).toBeNull();
    expect(viewOfHash("#packs")).toBeNull();
  });
});
