import { describe, expect, it } from "vitest";
import { renderMarkdown } from "./markdown";

describe("guidance markdown subset", () => {
  it("renders paragraphs, lists, bold and italic", () => {
    const html = renderMarkdown("First **bold** and *soft*.\ncontinued\n\n- one\n- two\n\n1. a\n2. b");
    expect(html).toBe(
      "<p>First <strong>bold</strong> and <em>soft</em>. continued</p>" +
        "<ul><li>one</li><li>two</li></ul><ol><li>a</li><li>b</li></ol>",
    );
  });

  it("escapes any HTML a pack contains, so nothing can be injected or fetched", () => {
    const html = renderMarkdown('<img src="https://example.org/x.png" onerror="alert(1)"> <script>x</script>');
    expect(html).not.toContain("<img");
    expect(html).not.toContain("<script");
    expect(html).toContain("&lt;img");
  });

  it("keeps lone asterisks as text", () => {
    expect(renderMarkdown("2 * 3 = 6")).toBe("<p>2 * 3 = 6</p>");
  });
});
