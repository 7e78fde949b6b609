// The markdown subset that protocol packs use for guidance: paragraphs, bullet and numbered
// lists, **bold** and *italic*. Everything else is shown as text; HTML in the source is escaped,
// so a pack can never inject markup or load anything.

function escapeHtml(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

function inline(s: string): string {
  return escapeHtml(s)
    .replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>")
    .replace(/(^|[^*])\*([^*\s][^*]*?)\*(?!\*)/g, "$1<em>$2</em>");
}

type Block = { kind: "p"; lines: string[] } | { kind: "ul" | "ol"; items: string[] };

/** Renders the subset to HTML that is safe to insert (all source text is escaped). */
export function renderMarkdown(source: string): string {
  const blocks: Block[] = [];
  let current: Block | null = null;
  for (const raw of source.replace(/\r\n?/g, "\n").split("\n")) {
    const line = raw.trim();
    const bullet = /^[-*+]\s+(.*)$/.exec(line);
    const numbered = /^\d+[.)]\s+(.*)$/.exec(line);
    if (line === "") {
      current = null;
    } else if (bullet || numbered) {
      const kind = bullet ? "ul" : "ol";
      const text = (bullet ?? numbered)![1];
      if (current?.kind !== kind) {
        current = { kind, items: [] };
        blocks.push(current);
      }
      (current as { items: string[] }).items.push(text);
    } else if (current && current.kind !== "p" && /^\s{2,}/.test(raw)) {
      // A continuation line of a list item.
      const items = (current as { items: string[] }).items;
      items[items.length - 1] += " " + line;
    } else {
      if (current?.kind !== "p") {
        current = { kind: "p", lines: [] };
        blocks.push(current);
      }
      current.lines.push(line);
    }
  }
  return blocks
    .map((b) =>
      b.kind === "p"
        ? `<p>${inline(b.lines.join(" "))}</p>`
        : `<${b.kind}>${b.items.map((i) => `<li>${inline(i)}</li>`).join("")}</${b.kind}>`,
    )
    .join("");
}
