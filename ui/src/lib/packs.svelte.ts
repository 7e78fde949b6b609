// Pack outlines (structure and texts in the UI language), fetched once per pack and language.
import { backend } from "./backend";
import type { PackOutline } from "./bindings/PackOutline";

const cache = new Map<string, Promise<PackOutline>>();

export function outline(key: string, lang: string): Promise<PackOutline> {
  const id = `${key}|${lang}`;
  let p = cache.get(id);
  if (!p) {
    p = backend().packOutline(key, lang);
    p.catch(() => cache.delete(id));
    cache.set(id, p);
  }
  return p;
}

export function clearOutlines(): void {
  cache.clear();
}

export function titleOf(items: { id: string; title: string }[], id: string): string {
  return items.find((i) => i.id === id)?.title ?? id;
}
