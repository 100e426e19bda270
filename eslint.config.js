// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/**
 * Module boundaries of the design card: adapters stay on the port, the
 * client stays off the server and storage, the port depends on nothing of ours
 * but the protos' neighbours.
 */
const boundary = (files, forbidden, why) => ({
  files,
  rules: {
    "no-restricted-imports": [
      "error",
      { patterns: forbidden.map((group) => ({ group: [group, `${group}/*`], message: why })) },
    ],
  },
});

export default tseslint.config(
  {
    ignores: [
      "**/dist/**",
      "**/node_modules/**",
      "**/src/gen/**",
      "**/.nx/**",
      "**/coverage/**",
      "data/**",
      "tmp/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "@typescript-eslint/consistent-type-imports": "error",
      // TypeScript checks names; scripts run on Node with its globals.
      "no-undef": "off",
    },
  },
  boundary(
    ["packages/storage/src/**"],
    [
      "@tekton-results/server",
      "@tekton-results/storage-sqlite",
      "@tekton-results/storage-pg",
      "@tekton-results/client",
      "@connectrpc/*",
      "knex",
    ],
    "the storage port knows no adapter, server or transport",
  ),
  boundary(
    [
      "packages/storage-sqlite/src/**",
      "packages/storage-pg/src/**",
      "packages/storage-conformance/src/**",
    ],
    [
      "@tekton-results/server",
      "@tekton-results/client",
      "@tekton-results/watcher",
      "@connectrpc/*",
    ],
    "storage adapters depend on the port only",
  ),
  boundary(
    ["packages/client/src/**"],
    ["@tekton-results/server", "@tekton-results/storage*", "@connectrpc/connect-node", "node:*"],
    "the client runs in browsers: only the protos and @connectrpc/connect",
  ),
  boundary(
    ["packages/watcher/src/**"],
    ["@tekton-results/server", "@tekton-results/storage*", "@tekton-results/kube-fake", "knex"],
    "the watcher reaches storage only through the Results API (the client)",
  ),
  boundary(
    ["packages/kube-fake/src/**"],
    ["@tekton-results/*", "@connectrpc/*"],
    "the fake Kubernetes API server knows nothing of Tekton Results",
  ),
  boundary(
    ["packages/proto/src/**"],
    ["@tekton-results/*", "@connectrpc/*"],
    "the protos depend on nothing but @bufbuild/protobuf",
  ),
  boundary(
    ["packages/cli/src/**"],
    ["@tekton-results/server", "@tekton-results/storage*"],
    "the command line reaches a server only through the Results API (its tests may start one)",
  ),
  {
    files: ["**/*.test.ts", "**/test/**", "bench/**", "scripts/**", "examples/**"],
    rules: { "@typescript-eslint/no-non-null-assertion": "off", "no-restricted-imports": "off" },
  },
);
