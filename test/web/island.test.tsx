import { renderToString } from "preact-render-to-string";
import { describe, expect, it } from "vitest";
import { Island } from "../../src/web/island.tsx";

describe("an island's props", () => {
  it("travel as JSON that no text in them can break out of", () => {
    const data = { text: "</script><script>alert(1)</script>", quote: "\"'&", line: "a\u2028b" };
    const html = renderToString(
      <Island name="demo" data={data}>
        <p>fallback</p>
      </Island>,
    );
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html.match(/<\/script>/g)).toHaveLength(1);
    const json = /<script type="application\/json" data-island-props[^>]*>([\s\S]*?)<\/script>/.exec(
      html,
    )![1]!;
    expect(JSON.parse(json)).toEqual(data);
    expect(html).toContain("<p>fallback</p>");
    expect(html).toContain('data-island="demo"');
  });
});
