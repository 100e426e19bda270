/**
 * Upstream's older commands (`result`, `records`, `logs`) as processes against a real server
 * over SQLite with a fixed clock and fixed ids (support/legacy-server.ts), the output compared
 * to the expected text: each command, each format, the deprecation lines, upstream's examples
 * from its docs pages verbatim, the configuration file, and bad input. The port-forward's and
 * `--sa`'s error paths run here against the fake Kubernetes API (@tekton-results/kube-fake);
 * their working paths, a forward and an issued token, in portforward.test.ts.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKubeFake, type KubeFake } from "@tekton-results/kube-fake";
import { createResultsRoutes, createResultsServer } from "@tekton-results/server";
import { createSqliteStore } from "@tekton-results/storage-sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// The server package's test CA (openssl), rather than a second copy of it here.
import { issueCertificate, makeCa } from "../../server/test/support/tls-ca.js";
import { cli, startSeededServer } from "./support/cli.js";
import {
  DESCRIBED,
  PR_UID,
  startLegacyServer,
  TR1_UID,
  TR2_UID,
  type LegacyServer,
} from "./support/legacy-server.js";

let records: LegacyServer;
let logs: LegacyServer;

/** A HOME of its own (no ~/.kube/config, no ~/.config/tkn) with `results.yaml` when given. */
function home(resultsYaml?: string): string {
  const dir = mkdtempSync(join(tmpdir(), "tkn-legacy-"));
  if (resultsYaml !== undefined) {
    mkdirSync(join(dir, ".config", "tkn"), { recursive: true });
    writeFileSync(join(dir, ".config", "tkn", "results.yaml"), resultsYaml);
  }
  return dir;
}

/** The environment of a run: its own HOME, UTC, and "now" 5 minutes after the data's updates. */
const env = (h = home(), more: NodeJS.ProcessEnv = {}) => ({
  HOME: h,
  TZ: "UTC",
  TKN_RESULTS_NOW: "2025-03-01T10:06:30Z",
  ...more,
});

/** Run with the server's address in the configuration file (as upstream's examples assume). */
const run = (server: LegacyServer, args: string[]) =>
  cli(args, env(home(`address: ${server.url}\n`)));

beforeAll(async () => {
  [records, logs] = await Promise.all([startLegacyServer(false), startLegacyServer(true)]);
});
afterAll(async () => {
  await records?.close();
  await logs?.close();
});

const DEPRECATED_LIST =
  "Command \"list\" is deprecated, use 'pipelinerun list' or 'taskrun list' to list PipelineRuns and TaskRuns\n";
const DEPRECATED_GET =
  "Command \"get\" is deprecated, use 'pipelinerun describe' or 'taskrun describe' to get detailed information about PipelineRuns and TaskRuns\n";
const DEPRECATED_DESCRIBE = DEPRECATED_GET.replace('"get"', '"describe"');
const DEPRECATED_LOGS = (cmd: string) =>
  `Command "${cmd}" is deprecated, use 'pipelinerun logs' or 'taskrun logs' to retrieve logs\n`;
const ADDR_DEPRECATED =
  "Flag --addr has been deprecated, use 'config set --host=<host>' to configure the API server address\n";

const P = `default/results/${PR_UID}`;
const T = "2025-03-01 10:00:00 +0000 UTC";

describe("result", () => {
  it("list prints upstream's tab table, and the deprecation line on stderr", async () => {
    expect(await run(records, ["result", "list", "default"])).toEqual({
      code: 0,
      stdout: `Name                                                  Start                                   Update
${P}  ${T}           ${T}
default/results/${DESCRIBED}  ${T}           ${T}
`,
      stderr: DEPRECATED_LIST,
    });
  });

  it("list -o json is protojson of the response; -l and -p page through", async () => {
    const first = await run(records, ["result", "list", "-", "-l", "1", "-o", "json"]);
    expect(first.code).toBe(0);
    const page = JSON.parse(first.stdout) as { results: { name: string }[]; nextPageToken: string };
    expect(page.results.map((r) => r.name)).toEqual([P]);
    expect(first.stdout).toContain(`  "results": [\n    {\n      "name": "${P}",\n`);
    const next = await run(records, ["result", "list", "-", "-l", "1", "-p", page.nextPageToken]);
    expect(next.stdout.split("\n")[1]).toMatch(/^team-a\/results\/deploy-1 /);
    expect(next.stderr).toMatch(/^Command "list" is deprecated.*\nnext page: --page=\S+\n$/);
  });

  it("list -o textproto is protobuf's text format", async () => {
    const out = await run(records, [
      "result",
      "ls",
      "default",
      "-f",
      'uid == "949eebd9-1cf7-478f-a547-9ee313035f10"',
      "-o",
      "textproto",
    ]);
    expect(out.stdout).toBe(`results: {
  name: "default/results/${DESCRIBED}"
  id: "949eebd9-1cf7-478f-a547-9ee313035f10"
  created_time: {
    seconds: 1740823200
  }
  annotations: {
    key: "repo"
    value: "app"
  }
  annotations: {
    key: "team"
    value: "ci"
  }
  etag: "949eebd9-1cf7-478f-a547-9ee313035f10-1740823200000000000"
  updated_time: {
    seconds: 1740823200
  }
  uid: "949eebd9-1cf7-478f-a547-9ee313035f10"
  create_time: {
    seconds: 1740823200
  }
  update_time: {
    seconds: 1740823200
  }
  summary: {
    record: "default/results/${DESCRIBED}/records/${DESCRIBED}"
    type: "tekton.dev/v1.PipelineRun"
    start_time: {
      seconds: 1740823080
    }
    end_time: {
      seconds: 1740823145
    }
    status: SUCCESS
    annotations: {
      key: "branch"
      value: "main"
    }
  }
}
`);
  });

  const DESCRIPTION = `Name:   default/results/${DESCRIBED}
UID:    949eebd9-1cf7-478f-a547-9ee313035f10
Annotations:
\trepo=app
\tteam=ci
Status:
\tCreated:   6 minutes ago   DURATION: 0s
Summary:
\tType:   tekton.dev/v1.PipelineRun
\tStatus:
\tSTARTED         DURATION   STATUS
\t8 minutes ago   1m5s       SUCCESS
\tAnnotations:
\t\t\tbranch=main
`;

  it("describe: upstream's examples (by name; desc by parent and uid) print its template", async () => {
    expect(
      await run(records, [
        "result",
        "describe",
        "default/results/e6b4b2e3-d876-4bbe-a927-95c691b6fdc7",
      ]),
    ).toEqual({ code: 0, stdout: DESCRIPTION, stderr: DEPRECATED_DESCRIBE });
    expect(
      await run(records, [
        "result",
        "desc",
        "--parent",
        "default",
        "--uid",
        "949eebd9-1cf7-478f-a547-9ee313035f10",
      ]),
    ).toEqual({
      code: 0,
      stdout: DESCRIPTION,
      stderr:
        DEPRECATED_DESCRIBE +
        "Flag --parent has been deprecated, use 'pipelinerun describe' or 'taskrun describe' instead\n" +
        "Flag --uid has been deprecated, use 'pipelinerun describe' or 'taskrun describe' instead\n",
    });
  });

  it("describe of an unknown Result or uid is one line, exit 1", async () => {
    const name = await run(records, ["result", "describe", "default/results/nope"]);
    expect(name).toEqual({
      code: 1,
      stdout: "",
      stderr: `${DEPRECATED_DESCRIBE}Error: failed to get result of name default/results/nope: NotFound: result "default/results/nope" not found\n`,
    });
    const uid = await run(records, ["result", "describe", "-p", "default", "-u", "nope"]);
    expect(uid.code).toBe(1);
    expect(uid.stderr.split("\n").at(-2)).toBe(
      "Error: no result found with parent default and uid nope",
    );
  });
});

describe("records", () => {
  it("upstream's examples: list a Result's Records, all Records, only v1beta1 TaskRuns", async () => {
    const all = await run(records, ["records", "list", `default/results/${PR_UID}`]);
    const header =
      "Name                                                                                               Type                                    Start                                   Update\n";
    const row = (id: string, type: string) =>
      `${P}/records/${id}  ${type.padEnd(40)}${T}           ${T}\n`;
    expect(all).toEqual({
      code: 0,
      stdout:
        header +
        row(PR_UID, "tekton.dev/v1.PipelineRun") +
        row(TR1_UID, "tekton.dev/v1.TaskRun") +
        row(TR2_UID, "tekton.dev/v1beta1.TaskRun"),
      stderr: DEPRECATED_LIST,
    });
    expect((await run(records, ["records", "list", "default/results/-"])).stdout).toBe(all.stdout);
    const taskRuns = await run(records, [
      "records",
      "list",
      "default/results/-",
      "--filter=data_type=='tekton.dev/v1beta1.TaskRun'",
    ]);
    expect(taskRuns.stdout).toBe(header + row(TR2_UID, "tekton.dev/v1beta1.TaskRun"));
  });

  it("upstream's examples: get each Record, as protojson by default", async () => {
    for (const id of [TR1_UID, TR2_UID, PR_UID]) {
      const out = await run(records, [
        "records",
        "get",
        `default/results/0dfc883d-722a-4489-9ab8-3cccc74ca4f6/records/${id}`,
      ]);
      expect(out.code).toBe(0);
      expect(out.stderr).toBe(DEPRECATED_GET);
      const record = JSON.parse(out.stdout) as { name: string; data: { value: string } };
      expect(record.name).toBe(`${P}/records/${id}`);
      const data = JSON.parse(Buffer.from(record.data.value, "base64").toString()) as {
        metadata: { uid: string };
      };
      expect(data.metadata.uid).toBe(id);
    }
  });

  it("get -o json and -o textproto print the whole Record", async () => {
    const name = `${P}/records/${TR1_UID}`;
    const json = await run(records, ["records", "get", name, "-o", "json"]);
    const value = Buffer.from(
      JSON.stringify({
        apiVersion: "tekton.dev/v1",
        kind: "TaskRun",
        metadata: {
          name: "build-1-fetch",
          namespace: "default",
          uid: TR1_UID,
          labels: { "tekton.dev/pipelineRun": "build-1" },
        },
        spec: {},
        status: { conditions: [{ type: "Succeeded", status: "True", reason: "Succeeded" }] },
      }),
    );
    expect(json.stdout).toBe(`{
  "name": "${name}",
  "id": "00000000-0000-4000-8000-000000000004",
  "data": {
    "type": "tekton.dev/v1.TaskRun",
    "value": "${value.toString("base64")}"
  },
  "etag": "00000000-0000-4000-8000-000000000004-1740823200000000000",
  "createdTime": "2025-03-01T10:00:00Z",
  "updatedTime": "2025-03-01T10:00:00Z",
  "uid": "00000000-0000-4000-8000-000000000004",
  "createTime": "2025-03-01T10:00:00Z",
  "updateTime": "2025-03-01T10:00:00Z"
}
`);
    const text = await run(records, ["records", "get", name, "-o", "textproto"]);
    expect(text.stdout).toContain(
      `data: {\n  type: "tekton.dev/v1.TaskRun"\n  value: ${JSON.stringify(value.toString())}\n}\n`,
    );
    expect(text.stdout).toMatch(/^name: ".*"\nid: "00000000-0000-4000-8000-000000000004"\n/);
  });

  it("an unknown Record, a bad filter (with its position), a bad format: one line, exit 1", async () => {
    expect(await run(records, ["records", "get", `${P}/records/nope`])).toEqual({
      code: 1,
      stdout: "",
      stderr: `${DEPRECATED_GET}Error: GetRecord: NotFound: record "${P}/records/nope" not found\n`,
    });
    expect(
      await run(records, ["records", "list", "default/results/-", "-f", "data_type=="]),
    ).toEqual({
      code: 1,
      stdout: "",
      stderr: `${DEPRECATED_LIST}Error: ListRecords: InvalidArgument: syntax error at 1:12: missing operand after "=="\n`,
    });
    expect(await run(records, ["records", "get", `${P}/records/x`, "-o", "tab"])).toEqual({
      code: 1,
      stdout: "",
      stderr: `${DEPRECATED_GET}Error: unknown output format "tab"\n`,
    });
  });
});

describe("logs", () => {
  it("upstream's examples: list a Result's logs, all logs, with a user filter", async () => {
    const header =
      "Name                                                                                            Type                                    Start                                   Update\n";
    const row = (id: string) =>
      `${P}/logs/${id}  results.tekton.dev/v1alpha3.Log         ${T}           ${T}\n`;
    const all = await run(logs, [
      "logs",
      "list",
      `default/results/0dfc883d-722a-4489-9ab8-3cccc74ca4f6`,
    ]);
    expect(all).toEqual({
      code: 0,
      stdout: header + row(TR1_UID) + row(TR2_UID),
      stderr: DEPRECATED_LOGS("list"),
    });
    expect((await run(logs, ["logs", "list", "default/results/-"])).stdout).toBe(all.stdout);
    // The docs' filter is not CEL (`=` is no operator): the server says so, at its position
    // (in the filter as sent: upstream's `(<filter>) && <log types>`).
    expect(
      await run(logs, [
        "logs",
        "list",
        "default/results/-",
        "--filter=data.spec.resource.kind=TaskRun",
      ]),
    ).toEqual({
      code: 1,
      stdout: "",
      stderr: `${DEPRECATED_LOGS("list")}Error: List Logs: InvalidArgument: syntax error at 1:25: found = but expecting ')'\n`,
    });
    const filtered = await run(logs, [
      "logs",
      "list",
      "default/results/-",
      `--filter=data.spec.resource.name == "build-1-test"`,
    ]);
    expect(filtered.stdout).toBe(header + row(TR2_UID));
  });

  it("upstream's examples: get each log (v1alpha3), the name hint on stderr", async () => {
    const out = await run(logs, [
      "logs",
      "get",
      "default/results/0dfc883d-722a-4489-9ab8-3cccc74ca4f6/logs/db6a5d59-2170-3367-9eb5-83f3d264ec62",
    ]);
    expect(out).toEqual({
      code: 0,
      stdout: `{
  "contentType": "text/plain",
  "data": "${Buffer.from("cloning...\ndone\n").toString("base64")}"
}
`,
      stderr:
        DEPRECATED_LOGS("get") +
        "GetLog you can also pass in the format <namespace>/results/<parent-run-uuid>/records/<child-run-uuid>\n",
    });
    const second = await run(logs, [
      "logs",
      "get",
      "default/results/0dfc883d-722a-4489-9ab8-3cccc74ca4f6/logs/9514f318-9329-485b-871c-77a4a6904891",
    ]);
    expect(second.code).toBe(0);
    // The PipelineRun has no log of its own here: NotFound, in one line.
    const pr = await run(logs, [
      "logs",
      "get",
      "default/results/0dfc883d-722a-4489-9ab8-3cccc74ca4f6/logs/0dfc883d-722a-4489-9ab8-3cccc74ca4f6",
    ]);
    expect(pr.code).toBe(1);
    expect(pr.stderr.split("\n").at(-2)).toMatch(/^Error: GetLog: NotFound: .*not found/);
  });

  it("get by the Record's name, -o textproto, and --v1alpha2 through the v1alpha2 Logs service", async () => {
    const text = await run(logs, ["logs", "get", `${P}/records/${TR2_UID}`, "-o", "textproto"]);
    expect(text).toEqual({
      code: 0,
      stdout:
        'content_type: "text/plain"\ndata: "ok 1 - adds\\nok 2 - \\"quotes\\" and ünïcode\\n"\n',
      stderr: DEPRECATED_LOGS("get"),
    });
    const v1alpha2 = await run(logs, [
      "logs",
      "get",
      `${P}/logs/${TR2_UID}`,
      "--v1alpha2",
      "-o",
      "textproto",
    ]);
    expect(v1alpha2).toEqual({
      code: 0,
      stdout: text.stdout,
      stderr:
        DEPRECATED_LOGS("get") +
        "Flag --v1alpha2 has been deprecated, v1alpha2 API support has been deprecated and this flag has no effect\n",
    });
    const bad = await run(logs, ["logs", "get", "not-a-name"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.split("\n").length).toBe(3);
  });
});

describe("help", () => {
  it("each command's --help has upstream's examples; the root lists the deprecated ones apart", async () => {
    const get = await cli(["records", "get", "--help"], env());
    expect(get.code).toBe(0);
    expect(get.stdout).toContain(
      "  - Get the record for TaskRun 1:\n    tkn-results records get default/results/0dfc883d-722a-4489-9ab8-3cccc74ca4f6/records/db6a5d59-2170-3367-9eb5-83f3d264ec62\n",
    );
    expect(get.stdout).toContain("-o, --output <string>");
    expect(get.stdout).toContain("-a, --addr <string>");
    const describeHelp = await cli(["result", "describe", "--help"], env());
    expect(describeHelp.stdout).toContain(
      "Query by parent and uid:\ntkn-results result desc --parent default --uid 949eebd9-1cf7-478f-a547-9ee313035f10\n",
    );
    const root = await cli(["--help"], env());
    // Hidden from the command list (as cobra hides deprecated commands), named below it.
    expect(root.stdout).toContain("  taskrun|tr [options]");
    expect(root.stdout).not.toMatch(/^ {2}(result|records|logs)(\|\w+)* \[options\]/m);
    expect(root.stdout).toContain("result list|describe, records list|get, logs list|get");
  });
});

describe("settings", () => {
  it("-a wins over the file; -a and -t print their deprecation lines", async () => {
    const out = await cli(
      ["records", "list", "default/results/-", "-a", records.url, "-t", "tok", "-l", "1"],
      env(home("address: 127.0.0.1:1\n")),
    );
    expect(out.code).toBe(0);
    expect(out.stderr).toMatch(
      new RegExp(
        `^${DEPRECATED_LIST}${ADDR_DEPRECATED}Flag --authtoken has been deprecated, use 'config set --token=<token>' to configure authentication\nnext page: --page=\\S+\n$`.replace(
          /[()[\]]/g,
          "\\$&",
        ),
      ),
    );
  });

  it("the token: -t, else the file's; a refused one is one line with the flags' hint", async () => {
    const server = await startSeededServer([], Date.now(), ["good"]);
    try {
      const args = ["result", "list", "default", "-a", server.url];
      expect((await cli([...args, "-t", "good"], env())).code).toBe(0);
      expect(
        (
          await cli(
            ["result", "list", "default"],
            env(home(`address: ${server.url}\ntoken: good\n`)),
          )
        ).stdout,
      ).toBe(
        "Name                                    Start                                   Update\n",
      );
      const bad = await cli([...args, "-t", "bad"], env(home("token: good\n")));
      expect(bad.code).toBe(1);
      expect(bad.stderr.split("\n").at(-2)).toBe(
        "Error: ListResults: unauthenticated: bad token; set a token with -t/--authtoken or --sa",
      );
    } finally {
      await server.close();
    }
  });

  it("a server that is not there: one line naming the address and the flag", async () => {
    const out = await cli(["result", "list", "default", "-a", "http://127.0.0.1:1"], env());
    expect(out).toEqual({
      code: 1,
      stdout: "",
      stderr: `${DEPRECATED_LIST}${ADDR_DEPRECATED}Error: ListResults: cannot reach the Results API at http://127.0.0.1:1 (ECONNREFUSED); is the server running, and is -a/--addr (or 'address' in ~/.config/tkn/results.yaml) right?\n`,
    });
  });

  it("a bad flag, a bad format, a missing argument, a broken config file: one line, exit 1", async () => {
    const e = env(home(`address: ${records.url}\n`));
    expect(await cli(["records", "list", "x", "--bogus"], e)).toEqual({
      code: 1,
      stdout: "",
      stderr: "Error: unknown option '--bogus'\n",
    });
    expect((await cli(["records", "list", "x", "-o", "yaml"], e)).stderr).toBe(
      `${DEPRECATED_LIST}Error: unknown output format "yaml"\n`,
    );
    expect(await cli(["records", "list"], e)).toEqual({
      code: 1,
      stdout: "",
      stderr: "Error: missing required argument 'result-name'\n",
    });
    expect((await cli(["records", "list", "x", "-l", "ten"], e)).stderr).toBe(
      `Error: option '-l, --limit <int32>' argument 'ten' is invalid. invalid argument "ten" for "--limit" flag\n`,
    );
    const broken = await cli(["records", "list", "x"], env(home("address: [\n")));
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(
      /\nError: error setting up flags and config: .*results\.yaml: .+\n$/,
    );
  });

  it("no address, --portforward=false: says how to give one", async () => {
    const out = await cli(["result", "list", "default", "--portforward=false"], env());
    expect(out.code).toBe(1);
    expect(out.stderr.split("\n").at(-2)).toBe(
      "Error: no Results API address; give it with -a/--addr or 'address' in ~/.config/tkn/results.yaml, or leave --portforward on",
    );
  });
});

describe("TLS, as upstream: an address without a scheme", () => {
  it("is reached over TLS: the CA from TKN_RESULTS_SSL_ROOTS_FILE_PATH, --insecure, the server name override", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tkn-legacy-tls-"));
    const ca = makeCa(dir);
    const cert = issueCertificate(ca, dir);
    const store = await createSqliteStore({ filename: ":memory:" });
    const server = createResultsServer({
      routes: createResultsRoutes({ store }),
      store,
      tls: { certFile: cert.certFile, keyFile: cert.keyFile },
    });
    const { url } = await server.listen(0, "127.0.0.1");
    const addr = url.replace(/^https:\/\//, "");
    const empty =
      "Name                                    Start                                   Update\n";
    try {
      const args = ["result", "list", "default", "-a", addr];
      const trusted = env(home(), { TKN_RESULTS_SSL_ROOTS_FILE_PATH: ca.certFile });
      expect((await cli(args, trusted)).stdout).toBe(empty);
      const untrusted = await cli(args, env());
      expect(untrusted.code).toBe(1);
      expect(untrusted.stderr.split("\n").length).toBe(4); // two deprecation lines, the error, ""
      expect(untrusted.stderr).toMatch(/\nError: ListResults: .*certificate.*\n$/i);
      expect((await cli([...args, "--insecure"], env())).stdout).toBe(empty);
      // The file's server name override (the CA from the environment, then from the file): a
      // name the certificate lacks fails, its own passes.
      const wrongName = await cli(
        args,
        env(home("ssl:\n  server_name_override: api.example\n"), {
          TKN_RESULTS_SSL_ROOTS_FILE_PATH: ca.certFile,
        }),
      );
      expect(wrongName.code).toBe(1);
      expect(wrongName.stderr).toMatch(/api\.example/);
      const rightName = await cli(
        args,
        env(home(`ssl:\n  server_name_override: localhost\n  roots_file_path: ${ca.certFile}\n`)),
      );
      expect(rightName.stdout).toBe(empty);
    } finally {
      await server.close();
      await store.close();
    }
  });
});

describe("port-forward and --sa (fake Kubernetes API)", () => {
  let kube: KubeFake;
  let kubeconfig: string;
  beforeAll(async () => {
    kube = await createKubeFake();
    kubeconfig = join(home(), "kubeconfig");
    await kube.writeKubeconfig(kubeconfig);
  });
  afterAll(async () => {
    await kube?.close();
  });

  it("without a kubeconfig: one line", async () => {
    const out = await cli(["result", "list", "default"], env());
    expect(out.stderr.split("\n").at(-2)).toBe(
      "Error: the port-forward to tekton-results-api-service needs a kubeconfig: no configuration has been provided ($KUBECONFIG, ~/.kube/config); give the API server's address with -a/--addr or 'address' in ~/.config/tkn/results.yaml",
    );
    expect(out.code).toBe(1);
  });

  it("without the service, then with a service but no pod, then with a pod nothing listens in", async () => {
    const e = env(home(), { KUBECONFIG: kubeconfig });
    const missing = await cli(["result", "list", "default"], e);
    expect(missing.code).toBe(1);
    expect(missing.stderr.split("\n").at(-2)).toBe(
      'Error: cannot port-forward to service/tekton-results-api-service in namespace tekton-pipelines: services "tekton-results-api-service" not found; give the API server\'s address with -a/--addr',
    );
    kube.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: "tekton-pipelines" } });
    kube.create({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "tekton-results-api-service", namespace: "tekton-pipelines" },
      spec: { selector: { app: "tekton-results-api" }, ports: [{ port: 8080 }] },
    });
    const noPod = await cli(["result", "list", "default"], e);
    expect(noPod.stderr.split("\n").at(-2)).toBe(
      "Error: cannot port-forward to service/tekton-results-api-service in namespace tekton-pipelines: it selects no pod; give the API server's address with -a/--addr",
    );
    kube.create({
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: "tekton-results-api-0",
        namespace: "tekton-pipelines",
        labels: { app: "tekton-results-api" },
      },
      spec: { containers: [{ name: "api", image: "api" }] },
    });
    const refused = await cli(["result", "list", "default"], e);
    expect(refused.code).toBe(1);
    expect(refused.stderr.split("\n").at(-2)).toBe(
      "Error: ListResults: port-forward to pod tekton-results-api-0 of service/tekton-results-api-service in namespace tekton-pipelines failed: error forwarding port 8080 to pod tekton-pipelines/tekton-results-api-0: failed to connect to localhost:8080 inside the pod: connection refused",
    );
  });

  it("--sa naming an account the cluster does not have: the API's answer in one line", async () => {
    const out = await cli(
      ["result", "list", "default", "-a", records.url, "--sa", "reader", "--sa-ns", "ci"],
      env(home(), { KUBECONFIG: kubeconfig }),
    );
    expect(out.code).toBe(1);
    expect(out.stderr.split("\n").at(-2)).toBe(
      'Error: error getting service account token: serviceaccounts "reader" not found',
    );
    expect(out.stderr).toContain(
      "Flag --sa has been deprecated, use 'config set' for service account-based authentication\n",
    );
  });
});
