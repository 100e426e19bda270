/**
 * Every relative link in the repository's Markdown goes somewhere: the file
 * or folder exists, and a `#fragment` names a heading of the target (GitHub's
 * anchors, computed with github-slugger as GitHub computes them).
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import GithubSlugger from "github-slugger";
import { describe, expect, it } from "vitest";
import { markdownFiles } from "./markdown.js";

const root = resolve(import.meta.dirname, "..");

const documents = markdownFiles(root);

/** The text of a document without fenced code blocks and inline code spans. */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "").replace(/`[^`\n]*`/g, "");
}

/** The anchors GitHub gives the headings of a document. */
function anchors(markdown: string): Set<string> {
  const slugger = new GithubSlugger();
  const out = new Set<string>();
  for (const m of prose(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    out.add(slugger.slug(m[1]!.replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")));
  }
  return out;
}

/** `[text](target)` links, less images of remote sources, with their targets. */
function links(markdown: string): string[] {
  return [...prose(markdown).matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map(
    (m) => m[1]!,
  );
}

function broken(file: string): string[] {
  const text = readFileSync(join(root, file), "utf8");
  const out: string[] = [];
  for (const target of links(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
    const [path = "", fragment] = target.split("#", 2);
    const resolved = path === "" ? join(root, file) : resolve(dirname(join(root, file)), path);
    if (!existsSync(resolved)) {
      out.push(`${target}: ${relative(root, resolved)} does not exist`);
      continue;
    }
    if (fragment && statSync(resolved).isFile() && resolved.endsWith(".md")) {
      const known = anchors(readFileSync(resolved, "utf8"));
      if (!known.has(decodeURIComponent(fragment).toLowerCase())) {
        out.push(`${target}: no heading with the anchor #${fragment}`);
      }
    }
  }
  return out;
}

describe("Markdown links", () => {
  it("finds the documents and their links (the check reads what it thinks it reads)", () => {
    expect(documents).toContain("README.md");
    expect(documents).toContain("docs/api.md");
    expect(links(readFileSync(join(root, "README.md"), "utf8")).length).toBeGreaterThan(5);
    expect(anchors("# Where we behave better than upstream\n")).toContain(
      "where-we-behave-better-than-upstream",
    );
    expect(links("see [a](x.md) and `[b](y.md)`\n```\n[c](z.md)\n```\n")).toEqual(["x.md"]);
  });

  for (const file of documents) {
    it(`${file}: every relative link and anchor resolves`, () => {
      expect(broken(file)).toEqual([]);
    });
  }
});
