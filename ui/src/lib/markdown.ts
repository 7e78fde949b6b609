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
  // Whether the last block is still open for more lines (a blank line closes it).
  let open = false;
  for (const raw of source.replace(/\r\n?/g, "\n").split("\n")) {
    const line = raw.trim();
    const bullet = /^[-*+]\s+(.*)$/.exec(line);
    const numbered = /^\d+[.)]\s+(.*)$/.exec(line);
    const last: Block | undefined = open ? blocks[blocks.length - 1] : undefined;
    if (line === "") {
      open = false;
      continue;
    }
    open = true;
    if (bullet || numbered) {
      const kind = bullet ? "ul" : "ol";
      const text = (bullet ?? numbered)![1];
      if (last && last.kind === kind) last.items.push(text);
      else blocks.push({ kind, items: [text] });
    } else if (last && last.kind !== "p" && /^\s{2,}/.test(raw)) {
      // A continuation line of a list item.
      last.items[last.items.length - 1] += " " + line;
    } else if (last && last.kind === "p") {
      last.lines.push(line);
    } else {
      blocks.push({ kind: "p", lines: [line] });
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
