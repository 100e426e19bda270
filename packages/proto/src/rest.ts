/**
 * The REST route table of the API (`@tekton-results/proto/rest`): the
 * `google.api.http` path templates of the services (parsed, matched, and
 * expanded from a request's fields) and the routes read from their
 * annotations, most specific first.
 *
 * One piece of code for both ends: the server's REST gateway matches
 * incoming paths against these routes, and the client's REST transport
 * (`createRestTransport` of `@tekton-results/client`) builds its requests
 * from the same routes.
 *
 * @module
 */
import {
  getOption,
  type DescMethod,
  type DescMethodStreaming,
  type DescMethodUnary,
  type DescService,
} from "@bufbuild/protobuf";
import { http } from "./gen/google/api/annotations_pb.js";
import type { HttpRule } from "./gen/google/api/http_pb.js";

/** One segment of a path template. */
type Segment = { kind: "literal"; value: string } | { kind: "*" } | { kind: "**" };

/** A variable of a path template: the field it binds and the segments it spans. */
interface Variable {
  /** Field names (proto names) from the request message to the bound field. */
  fieldPath: string[];
  start: number;
  /** Exclusive. */
  end: number;
}

/** A parsed `google.api.http` path template. */
export interface PathTemplate {
  readonly segments: readonly Segment[];
  readonly variables: readonly Variable[];
  readonly verb: string | undefined;
}

/** One route of the gateway: an HTTP method and path bound to an RPC. */
export interface RestRoute {
  /** Upper-case HTTP method. */
  readonly httpMethod: string;
  /** The template as written in the annotation. */
  readonly path: string;
  readonly template: PathTemplate;
  /** `""` (no body), `"*"` (the whole request) or a field path. */
  readonly body: string;
  /** The field of the response that is the HTTP body, or `""` for the whole response. */
  readonly responseBody: string;
  readonly method: DescMethodUnary | DescMethodStreaming;
}

/**
 * Parse a `google.api.http` path template (`/v1/{name=shelves/*}/books:verb`).
 * Throws on a malformed template.
 */
export function parsePathTemplate(template: string): PathTemplate {
  if (!template.startsWith("/")) throw new Error(`path template must start with "/": ${template}`);
  let rest = template.slice(1);
  let verb: string | undefined;
  const lastSlash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  if (colon > lastSlash && colon > rest.lastIndexOf("}")) {
    verb = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const segments: Segment[] = [];
  const variables: Variable[] = [];
  const parseSegment = (raw: string): Segment => {
    if (raw === "*") return { kind: "*" };
    if (raw === "**") return { kind: "**" };
    if (raw === "" || /[{}=*]/.test(raw))
      throw new Error(`invalid segment ${JSON.stringify(raw)} in ${template}`);
    return { kind: "literal", value: raw };
  };
  let i = 0;
  while (i <= rest.length) {
    if (rest[i] === "{") {
      const close = rest.indexOf("}", i);
      if (close < 0) throw new Error(`unclosed variable in ${template}`);
      const inner = rest.slice(i + 1, close);
      const eq = inner.indexOf("=");
      const field = eq < 0 ? inner : inner.slice(0, eq);
      const pattern = eq < 0 ? "*" : inner.slice(eq + 1);
      const start = segments.length;
      for (const raw of pattern.split("/")) segments.push(parseSegment(raw));
      variables.push({ fieldPath: field.split("."), start, end: segments.length });
      i = close + 1;
      if (i < rest.length && rest[i] !== "/")
        throw new Error(`unexpected text after variable in ${template}`);
      i++;
    } else {
      let next = rest.indexOf("/", i);
      if (next < 0) next = rest.length;
      segments.push(parseSegment(rest.slice(i, next)));
      i = next + 1;
    }
  }
  const deep = segments.findIndex((s) => s.kind === "**");
  if (deep >= 0 && deep !== segments.length - 1)
    throw new Error(`"**" must be the last segment in ${template}`);
  return { segments, variables, verb };
}

/**
 * Match URL path segments (already percent-decoded) against a template.
 * Returns the bound variables (field path joined by "." -> value), or
 * undefined when the path does not match.
 */
export function matchPathTemplate(
  template: PathTemplate,
  pathSegments: readonly string[],
): Map<string, string> | undefined {
  let parts = pathSegments;
  if (template.verb !== undefined) {
    const last = parts[parts.length - 1];
    const suffix = `:${template.verb}`;
    if (last === undefined || !last.endsWith(suffix)) return undefined;
    parts = [...parts.slice(0, -1), last.slice(0, -suffix.length)];
  }
  const segs = template.segments;
  const deep = segs.length > 0 && segs[segs.length - 1]!.kind === "**";
  if (deep ? parts.length < segs.length - 1 : parts.length !== segs.length) return undefined;
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i]!;
    if (s.kind === "**") break;
    const p = parts[i]!;
    if (s.kind === "literal" ? p !== s.value : p === "") return undefined;
  }
  const bound = new Map<string, string>();
  for (const v of template.variables) {
    const end = segs[v.end - 1]?.kind === "**" ? parts.length : v.end;
    bound.set(v.fieldPath.join("."), parts.slice(v.start, end).join("/"));
  }
  return bound;
}

/**
 * The URL path of `template` with its variables filled: `value(fieldPath)` gives the value of
 * each variable (the bound field, e.g. `["parent"]`), which must span as many segments as the
 * template's pattern does (`*`: one non-empty segment, `**`: any) and equal its literals. Each
 * segment is percent-encoded. `undefined` when a value is missing or does not fit the pattern,
 * so that the next binding of a method can be tried.
 *
 * ```ts
 * expandPathTemplate(parsePathTemplate("/v1/parents/{parent=*\/results/*}/records"),
 *   () => "ns/results/-"); // "/v1/parents/ns/results/-/records"
 * ```
 */
export function expandPathTemplate(
  template: PathTemplate,
  value: (fieldPath: readonly string[]) => string | undefined,
): string | undefined {
  const parts: string[] = [];
  let at = 0;
  for (const v of template.variables) {
    for (; at < v.start; at++) {
      const s = template.segments[at]!;
      if (s.kind !== "literal") return undefined;
      parts.push(s.value);
    }
    const text = value(v.fieldPath);
    if (text === undefined || text === "") return undefined;
    const given = text.split("/");
    const pattern = template.segments.slice(v.start, v.end);
    const deep = pattern[pattern.length - 1]?.kind === "**";
    if (deep ? given.length < pattern.length - 1 : given.length !== pattern.length)
      return undefined;
    for (let i = 0; i < pattern.length; i++) {
      const s = pattern[i]!;
      if (s.kind === "**") break;
      const g = given[i]!;
      if (s.kind === "literal" ? g !== s.value : g === "") return undefined;
    }
    parts.push(...given);
    at = v.end;
  }
  for (; at < template.segments.length; at++) {
    const s = template.segments[at]!;
    if (s.kind !== "literal") return undefined;
    parts.push(s.value);
  }
  const path = "/" + parts.map((p) => encodeURIComponent(p)).join("/");
  return template.verb === undefined ? path : `${path}:${template.verb}`;
}

/** Orders templates: at the first differing segment, literal before `*` before `**`. */
function compareSpecificity(a: PathTemplate, b: PathTemplate): number {
  const rank = (s: Segment | undefined): number =>
    s === undefined ? 3 : s.kind === "literal" ? 0 : s.kind === "*" ? 1 : 2;
  const n = Math.max(a.segments.length, b.segments.length);
  for (let i = 0; i < n; i++) {
    const d = rank(a.segments[i]) - rank(b.segments[i]);
    if (d !== 0) return d;
  }
  return 0;
}

/** The route table of `services`, from their `google.api.http` annotations, most specific first. */
export function buildRestRoutes(services: readonly DescService[]): RestRoute[] {
  const routes: RestRoute[] = [];
  const add = (method: DescMethod, rule: HttpRule): void => {
    let httpMethod: string;
    let path: string;
    switch (rule.pattern.case) {
      case "get":
      case "put":
      case "post":
      case "delete":
      case "patch":
        httpMethod = rule.pattern.case.toUpperCase();
        path = rule.pattern.value;
        break;
      case "custom":
        httpMethod = rule.pattern.value.kind.toUpperCase();
        path = rule.pattern.value.path;
        break;
      default:
        return;
    }
    if (method.methodKind !== "unary" && method.methodKind !== "server_streaming") return;
    routes.push({
      httpMethod,
      path,
      template: parsePathTemplate(path),
      body: rule.body,
      responseBody: rule.responseBody,
      method,
    });
    for (const extra of rule.additionalBindings) add(method, extra);
  };
  for (const service of services) {
    for (const method of service.methods) {
      const rule = getOption(method, http);
      if (rule.pattern.case !== undefined) add(method, rule);
    }
  }
  return routes.sort((a, b) => compareSpecificity(a.template, b.template));
}
