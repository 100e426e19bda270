/**
 * Routing of the fake API server's URLs: discovery, OpenAPI and health paths, and the parsing of
 * resource paths (`/api/v1/...`, `/apis/{group}/{version}/...`) into a {@link Target}.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { apiGroup, apiGroupList, apiResourceList, apiVersions, versionInfo } from "./discovery.js";
import { notFoundPath, send, sendError, sendJson } from "./http-io.js";
import {
  OPENAPI_V2_JSON,
  OPENAPI_V2_PROTOBUF,
  OPENAPI_V2_PROTOBUF_TYPE,
  openApiV3Document,
  openApiV3Index,
} from "./openapi.js";
import { findResource, type ResourceInfo } from "./resources.js";

/** What a resource path names: a resource, and optionally a namespace, a name, a subresource. */
export interface Target {
  info: ResourceInfo;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** Resolves `/api/v1/...` and `/apis/{g}/{v}/...` path segments to a resource target. */
export function resolve(segments: string[]): Target | undefined {
  let group: string;
  let version: string;
  let rest: string[];
  if (segments[0] === "api" && segments.length >= 3) {
    group = "";
    version = segments[1]!;
    rest = segments.slice(2);
  } else if (segments[0] === "apis" && segments.length >= 4) {
    group = segments[1]!;
    version = segments[2]!;
    rest = segments.slice(3);
  } else {
    return undefined;
  }
  if (rest[0] === "namespaces" && rest.length >= 3) {
    const info = findResource(group, version, rest[2]!);
    if (info) {
      if (!info.namespaced || rest.length > 5) return undefined;
      const t: Target = { info, namespace: rest[1]! };
      if (rest[3] !== undefined) t.name = rest[3];
      if (rest[4] !== undefined) t.subresource = rest[4];
      return t;
    }
  }
  const info = findResource(group, version, rest[0]!);
  if (!info || rest.length > 3) return undefined;
  if (info.namespaced && rest.length > 1) return undefined;
  const t: Target = { info };
  if (rest[1] !== undefined) t.name = rest[1];
  if (rest[2] !== undefined) t.subresource = rest[2];
  return t;
}

/** Whether the target's subresource (if any) is one its resource serves. */
export function servesSubresource(target: Target): boolean {
  const { info, subresource } = target;
  return (
    !subresource ||
    (subresource === "status" && info.statusSubresource === true) ||
    (subresource === "log" && info.logSubresource === true) ||
    (subresource === "token" && info.tokenSubresource === true)
  );
}

/**
 * Answers a GET of a non-resource path (version, health, discovery, OpenAPI); returns false when
 * the path is none of them.
 */
export function serveNonResource(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  segments: string[],
  serverAddress: () => string,
): boolean {
  const found = (body: unknown): true => {
    if (body) sendJson(res, 200, body);
    else sendError(res, notFoundPath());
    return true;
  };
  if (path === "/version") return found(versionInfo());
  if (path === "/healthz" || path === "/livez" || path === "/readyz") {
    send(res, 200, "ok", "text/plain; charset=utf-8");
    return true;
  }
  if (path === "/api") return found(apiVersions(serverAddress()));
  if (path === "/apis") return found(apiGroupList());
  if (path === "/openapi/v2") {
    if ((req.headers.accept ?? "").includes(OPENAPI_V2_PROTOBUF_TYPE)) {
      // A real server answers the protobuf document as an octet stream (Go's
      // mime parser rejects the requested type's "@v1.0").
      res.writeHead(200, {
        "Content-Type": "application/octet-stream",
        "Content-Length": OPENAPI_V2_PROTOBUF.length,
      });
      res.end(OPENAPI_V2_PROTOBUF);
      return true;
    }
    return found(OPENAPI_V2_JSON);
  }
  if (path === "/openapi/v3") return found(openApiV3Index());
  if (path.startsWith("/openapi/v3/")) {
    return found(openApiV3Document(path.slice("/openapi/v3/".length)));
  }
  if (segments[0] === "api" && segments.length === 2)
    return found(apiResourceList("", segments[1]!));
  if (segments[0] === "apis" && segments.length === 2) return found(apiGroup(segments[1]!));
  if (segments[0] === "apis" && segments.length === 3) {
    return found(apiResourceList(segments[1]!, segments[2]!));
  }
  return false;
}
