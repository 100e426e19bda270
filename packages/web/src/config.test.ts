import { describe, expect, it } from "vitest";
import { API_KEY, loadConfig, TOKEN_KEY, type ConfigSources } from "./config.js";

function sources(
  href: string,
  options: { stored?: { [key: string]: string }; meta?: string; configJson?: string } = {},
): ConfigSources & { stored: { [key: string]: string } } {
  const stored = { ...(options.stored ?? {}) };
  return {
    stored,
    location: { href, origin: new URL(href).origin },
    storage: {
      getItem: (k) => stored[k] ?? null,
      setItem: (k, v) => void (stored[k] = v),
    },
    document: {
      querySelector: () =>
        options.meta === undefined
          ? null
          : ({ getAttribute: () => options.meta } as unknown as Element),
    } as Pick<Document, "querySelector">,
    fetchConfigJson: () => Promise.resolve(options.configJson),
    base: "/",
  };
}

describe("loadConfig", () => {
  it("uses the page's origin by default (the server serving the UI)", async () => {
    expect(await loadConfig(sources("http://localhost:8080/runs?ns=a"))).toEqual({
      apiUrl: "http://localhost:8080",
      token: undefined,
    });
  });

  it("takes ?api= first and keeps it for the tab", async () => {
    const s = sources("http://ui.example.com/?api=https://api.example.com/", {
      meta: "https://meta.example.com",
    });
    expect((await loadConfig(s)).apiUrl).toBe("https://api.example.com");
    expect(s.stored[API_KEY]).toBe("https://api.example.com/");
  });

  it("then the meta tag, then config.json", async () => {
    expect(
      (
        await loadConfig(
          sources("http://ui.example.com/", {
            meta: "https://meta.example.com",
            configJson: '{"apiUrl":"https://json.example.com"}',
          }),
        )
      ).apiUrl,
    ).toBe("https://meta.example.com");
    expect(
      (
        await loadConfig(
          sources("http://ui.example.com/", {
            configJson: '{"apiUrl":"https://json.example.com"}',
          }),
        )
      ).apiUrl,
    ).toBe("https://json.example.com");
    expect(
      (await loadConfig(sources("http://ui.example.com/", { configJson: "<html>" }))).apiUrl,
    ).toBe("http://ui.example.com");
  });

  it("reads the token of the tab", async () => {
    const s = sources("http://localhost:8080/", { stored: { [TOKEN_KEY]: "abc" } });
    expect((await loadConfig(s)).token).toBe("abc");
  });
});
