// @vitest-environment node
/**
 * The web UI against a server that authorizes every request as a cluster does: `--auth
 * kubernetes` asking a fake Kubernetes API (@tekton-results/kube-fake, RBAC on) to review each
 * bearer token (TokenReview) and permission (SubjectAccessReview). Alice may read namespace `ci`,
 * Bob only `team-b`. In Chromium: no token asks for one; Bob's token shows who is denied what
 * (on the Runs, Run, Logs and Insights pages) and the command that grants it; Alice's token shows the runs,
 * and stays for the tab; a reverse proxy adding Alice's token (as oauth2-proxy does) needs no
 * token in the page.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { createKubeFake, type KubeFake, type KubeObject } from "@tekton-results/kube-fake";
import {
  apiClient,
  ensureWebBuilt,
  hasChromium,
  launchChromium,
  SCREENSHOTS,
  startHeaderProxy,
  startUiServer,
  type HeaderProxy,
  type UiServer,
} from "./browser.js";
import { seed } from "./seed.js";

const RBAC = "rbac.authorization.k8s.io";

/** A RoleBinding of the read-only ClusterRole to `user` in `namespace`. */
function readerIn(namespace: string, user: string): KubeObject {
  return {
    apiVersion: `${RBAC}/v1`,
    kind: "RoleBinding",
    metadata: { name: `results-reader-${user}`, namespace },
    roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: "tekton-results-readonly" },
    subjects: [{ apiGroup: RBAC, kind: "User", name: user }],
  } as KubeObject;
}

describe.skipIf(!hasChromium)("sign-in and denials in Chromium (needs /usr/bin/chromium)", () => {
  let kube: KubeFake;
  let server: UiServer;
  let proxy: HeaderProxy;
  let browser: Browser;
  let page: Page;
  let alice = "";
  let bob = "";

  beforeAll(async () => {
    ensureWebBuilt();
    kube = await createKubeFake({ rbac: true });
    const kubeconfig = join(mkdtempSync(join(tmpdir(), "web-auth-")), "kubeconfig");
    await kube.writeKubeconfig(kubeconfig); // the admin's token: the server may review
    server = await startUiServer([
      "--auth",
      "kubernetes",
      "--kubeconfig",
      kubeconfig,
      "--auth-cache-ttl-ms",
      "0",
    ]);
    kube.create({
      apiVersion: `${RBAC}/v1`,
      kind: "ClusterRole",
      metadata: { name: "tekton-results-readonly" },
      rules: [{ apiGroups: ["results.tekton.dev"], resources: ["*"], verbs: ["get", "list"] }],
    } as KubeObject);
    for (const ns of ["ci", "team-b"]) {
      kube.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
    }
    kube.create(readerIn("ci", "alice"));
    kube.create(readerIn("team-b", "bob"));
    alice = kube.mintToken({ username: "alice" });
    bob = kube.mintToken({ username: "bob" });
    await seed(
      apiClient(server.url, kube.mintToken({ username: "seeder", groups: ["system:masters"] })),
    );
    proxy = await startHeaderProxy(server.url, { authorization: `Bearer ${alice}` });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: "light" });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    expect(await server?.close()).toBe(0);
    await kube?.close();
  });

  const error = () => page.locator('[data-testid="error"]');
  const names = (): Promise<string[]> => page.locator('[data-testid="run-name"]').allTextContents();

  it("asks for a token when the page has none", async () => {
    await page.goto(`${server.url}/?ns=ci`);
    await error().waitFor();
    const text = await error().textContent();
    expect(text).toContain("Sign-in needed");
    expect(text).toContain("missing bearer token");
    expect(text).toContain("oauth2-proxy");
    expect(await page.getByRole("textbox", { name: "Bearer token" }).isVisible()).toBe(true);
    expect(await names()).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}sign-in.png`, fullPage: true });
  });

  it("shows who is denied what with a token of another namespace, and the grant command", async () => {
    await page.getByRole("textbox", { name: "Bearer token" }).fill(bob);
    await page.getByRole("button", { name: "Use token" }).click();
    await expect.poll(() => error().textContent()).toContain("Permission denied");
    const text = await error().textContent();
    expect(text).toContain('user "bob" cannot list records.results.tekton.dev in namespace "ci"');
    expect(text).toContain("pick another namespace");
    expect(await page.locator('[data-testid="grant-command"]').textContent()).toContain(
      "kubectl -n ci create rolebinding results-reader-bob --clusterrole=tekton-results-readonly --user=bob",
    );
    expect(await names()).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}permission-denied.png`, fullPage: true });
    // The Run page says the same of its own request.
    await page.goto(`${server.url}/namespaces/ci/results/build-2/records/build-2`);
    await expect
      .poll(() => error().textContent())
      .toContain('user "bob" cannot get records.results.tekton.dev in namespace "ci"');
    // ...the Logs page of its record...
    await page.goto(`${server.url}/namespaces/ci/results/build-2/records/build-2-test/logs`);
    await expect
      .poll(() => error().first().textContent())
      .toContain('user "bob" cannot get records.results.tekton.dev in namespace "ci"');
    // ...and the Insights page of its summaries.
    await page.goto(`${server.url}/insights?ns=ci`);
    await expect
      .poll(() => error().textContent())
      .toContain('user "bob" cannot get records.results.tekton.dev in namespace "ci"');
    expect(await page.locator('[data-testid="grant-command"]').textContent()).toContain(
      "kubectl -n ci create rolebinding results-reader-bob",
    );
    // Bob's own namespace is his to read.
    await page.goto(`${server.url}/?ns=team-b`);
    await expect.poll(names).toEqual(["deploy-1"]);
  });

  it("shows the runs with a good token, kept for the tab, and forgets it on request", async () => {
    await page.goto(`${server.url}/?ns=ci`);
    await page.getByRole("button", { name: "Forget the token" }).waitFor();
    await page.getByRole("button", { name: "Forget the token" }).click();
    await expect.poll(() => error().textContent()).toContain("missing bearer token");
    await page.getByRole("textbox", { name: "Bearer token" }).fill(alice);
    await page.getByRole("button", { name: "Use token" }).click();
    await expect.poll(names).toEqual(["build-2", "build-1"]);
    expect(await error().count()).toBe(0);
    await page.reload();
    await expect.poll(names).toEqual(["build-2", "build-1"]);
    // All namespaces is a cluster-scope list: Alice may not, and is told to pick a namespace.
    await page.goto(`${server.url}/`);
    await expect
      .poll(() => error().textContent())
      .toContain('user "alice" cannot list records.results.tekton.dev at the cluster scope');
    expect(await error().textContent()).toContain("Pick a namespace you can read");
  });

  it("needs no token in the page behind a proxy that adds the user's (oauth2-proxy)", async () => {
    const fresh = await browser.newPage();
    try {
      await fresh.goto(`${proxy.url}/?ns=ci`);
      await expect
        .poll(() => fresh.locator('[data-testid="run-name"]').allTextContents())
        .toEqual(["build-2", "build-1"]);
      expect(await fresh.evaluate(() => sessionStorage.length)).toBe(0);
    } finally {
      await fresh.close();
    }
  });
});
