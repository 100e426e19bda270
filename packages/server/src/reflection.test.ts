import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { create, fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { allFiles } from "@tekton-results/proto";
import {
  ExtensionRequestSchema,
  ServerReflection,
  ServerReflectionRequestSchema,
  v1alpha,
  type ServerReflectionResponse,
} from "@tekton-results/proto/grpc-reflection";
import { createFakeResultsRoutes } from "../test/support/fake-results.js";
import { createReflectionIndex, type ReflectionAnswer } from "./reflection.js";
import { createResultsServer } from "./server.js";

const index = createReflectionIndex({
  files: allFiles,
  services: () => ["tekton.results.v1alpha2.Results", "grpc.health.v1.Health"],
});

function fileNames(answer: ReflectionAnswer): string[] {
  if (answer.case !== "fileDescriptorResponse") throw new Error(`unexpected ${answer.case}`);
  return answer.value.fileDescriptorProto.map((b) => fromBinary(FileDescriptorProtoSchema, b).name);
}

describe("createReflectionIndex", () => {
  it("lists the services", () => {
    expect(index.answer({ case: "listServices", value: "*" })).toEqual({
      case: "listServicesResponse",
      value: {
        service: [{ name: "grpc.health.v1.Health" }, { name: "tekton.results.v1alpha2.Results" }],
      },
    });
  });

  it("finds the file of a service, a method, a message, a nested enum and returns it with its dependencies", () => {
    for (const symbol of [
      "tekton.results.v1alpha2.Results",
      "tekton.results.v1alpha2.Results.ListResults",
      ".tekton.results.v1alpha2.ListResultsRequest",
    ]) {
      const names = fileNames(index.answer({ case: "fileContainingSymbol", value: symbol }));
      expect(names[0]).toBe("tekton/results/v1alpha2/api.proto");
      expect(names).toContain("tekton/results/v1alpha2/resources.proto");
      expect(names).toContain("google/api/annotations.proto");
      expect(names).toContain("google/protobuf/descriptor.proto");
      expect(new Set(names).size).toBe(names.length);
    }
    const status = fileNames(
      index.answer({
        case: "fileContainingSymbol",
        value: "tekton.results.v1alpha2.RecordSummary.Status",
      }),
    );
    expect(status[0]).toBe("tekton/results/v1alpha2/resources.proto");
  });

  it("finds files by name and extensions by number", () => {
    expect(
      fileNames(index.answer({ case: "fileByFilename", value: "google/api/http.proto" })),
    ).toEqual(["google/api/http.proto"]);
    const ext = index.answer({
      case: "fileContainingExtension",
      value: create(ExtensionRequestSchema, {
        containingType: "google.protobuf.MethodOptions",
        extensionNumber: 72295728,
      }),
    });
    expect(fileNames(ext)[0]).toBe("google/api/annotations.proto");
    expect(
      index.answer({ case: "allExtensionNumbersOfType", value: "google.protobuf.MethodOptions" }),
    ).toEqual({
      case: "allExtensionNumbersResponse",
      value: { baseTypeName: "google.protobuf.MethodOptions", extensionNumber: [72295728] },
    });
  });

  it("answers NOT_FOUND for unknown symbols, files and extensions", () => {
    for (const answer of [
      index.answer({ case: "fileContainingSymbol", value: "no.such.Symbol" }),
      index.answer({ case: "fileByFilename", value: "nope.proto" }),
      index.answer({ case: "allExtensionNumbersOfType", value: "no.such.Type" }),
      index.answer({
        case: "fileContainingExtension",
        value: create(ExtensionRequestSchema, {
          containingType: "google.protobuf.MethodOptions",
          extensionNumber: 1,
        }),
      }),
    ]) {
      expect(answer.case).toBe("errorResponse");
      expect(answer.case === "errorResponse" && answer.value.errorCode).toBe(5);
    }
  });
});

describe("reflection over gRPC", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });

  async function start(): Promise<string> {
    const server = createResultsServer({ routes: createFakeResultsRoutes() });
    const { url } = await server.listen(0, "127.0.0.1");
    cleanups.push(() => server.close({ deadlineMs: 1000 }));
    return url;
  }

  it("answers v1 and v1alpha streams, one response per request", async () => {
    const url = await start();
    const sessionManager = new Http2SessionManager(url);
    cleanups.push(() => sessionManager.abort());
    const transport = createGrpcTransport({ baseUrl: url, sessionManager });
    async function* requests() {
      yield create(ServerReflectionRequestSchema, {
        messageRequest: { case: "listServices", value: "" },
      });
      yield create(ServerReflectionRequestSchema, {
        messageRequest: { case: "fileContainingSymbol", value: "grpc.health.v1.Health" },
      });
    }
    const out: ServerReflectionResponse[] = [];
    for await (const res of createClient(ServerReflection, transport).serverReflectionInfo(
      requests(),
    ))
      out.push(res);
    expect(out).toHaveLength(2);
    expect(out[0]!.messageResponse.case).toBe("listServicesResponse");
    const names =
      out[0]!.messageResponse.case === "listServicesResponse"
        ? out[0]!.messageResponse.value.service.map((s) => s.name)
        : [];
    expect(names).toEqual([
      "grpc.health.v1.Health",
      "grpc.reflection.v1.ServerReflection",
      "grpc.reflection.v1alpha.ServerReflection",
      "tekton.results.v1alpha2.Results",
    ]);
    expect(out[1]!.messageResponse.case).toBe("fileDescriptorResponse");
    expect(out[1]!.originalRequest?.messageRequest.value).toBe("grpc.health.v1.Health");

    async function* alpha() {
      yield create(v1alpha.ServerReflectionRequestSchema, {
        messageRequest: { case: "fileContainingSymbol", value: "x.Y" },
      });
    }
    const alphaOut: v1alpha.ServerReflectionResponse[] = [];
    for await (const res of createClient(v1alpha.ServerReflection, transport).serverReflectionInfo(
      alpha(),
    )) {
      alphaOut.push(res);
    }
    expect(alphaOut[0]!.messageResponse.case).toBe("errorResponse");
  });

  const buf = resolve(import.meta.dirname, "../../../node_modules/.bin/buf");
  // buf is a devDependency of the workspace: its absence is a broken install, not a reason to skip.
  it("lets buf curl call the API without a schema", async () => {
    const url = await start();
    const { stdout } = await promisify(execFile)(
      buf,
      [
        "curl",
        "--protocol",
        "grpc",
        "--http2-prior-knowledge",
        `${url}/tekton.results.v1alpha2.Results/ListResults`,
        "-d",
        '{"parent":"-"}',
      ],
      { timeout: 20_000 },
    );
    expect(JSON.parse(stdout)).toEqual({});
    const list = await promisify(execFile)(
      buf,
      ["curl", "--protocol", "grpc", "--http2-prior-knowledge", "--list-methods", url],
      {
        timeout: 20_000,
      },
    );
    expect(list.stdout).toContain("tekton.results.v1alpha2.Results/CreateResult");
  });
});
