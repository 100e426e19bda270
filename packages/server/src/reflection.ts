/**
 * gRPC server reflection (`grpc.reflection.v1` and `grpc.reflection.v1alpha`)
 * served from the protobuf-es descriptors, so that `grpcurl` and `buf curl`
 * work without proto files.
 *
 * @module
 */
import {
  create,
  toBinary,
  type DescFile,
  type DescMessage,
  type DescEnum,
} from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import type { ConnectRouter } from "@connectrpc/connect";
import {
  ServerReflection,
  ServerReflectionResponseSchema,
  type ServerReflectionRequest,
  v1alpha,
} from "@tekton-results/proto/grpc-reflection";

/** gRPC status code NOT_FOUND, as sent in `error_response`. */
const NOT_FOUND = 5;
/** gRPC status code INVALID_ARGUMENT, as sent in `error_response`. */
const INVALID_ARGUMENT = 3;

/** The reflection services, by fully-qualified name. */
export const REFLECTION_SERVICE_NAMES = [
  ServerReflection.typeName,
  v1alpha.ServerReflection.typeName,
] as const;

/** A request to the reflection service, independent of the protocol version. */
export type ReflectionQuery = ServerReflectionRequest["messageRequest"];

/** The answer to one reflection request, independent of the protocol version. */
export type ReflectionAnswer =
  | { case: "fileDescriptorResponse"; value: { fileDescriptorProto: Uint8Array[] } }
  | {
      case: "allExtensionNumbersResponse";
      value: { baseTypeName: string; extensionNumber: number[] };
    }
  | { case: "listServicesResponse"; value: { service: { name: string }[] } }
  | { case: "errorResponse"; value: { errorCode: number; errorMessage: string } };

/** Answers reflection requests from a fixed set of descriptors. */
export interface ReflectionIndex {
  /** Answer one request. Never throws: failures are `errorResponse`s. */
  answer(query: ReflectionQuery): ReflectionAnswer;
  /** The file that defines `symbol` (a service, method, message, enum or extension). */
  fileContainingSymbol(symbol: string): DescFile | undefined;
}

/** What the reflection service describes. */
export interface ReflectionOptions {
  /** Files to describe; their dependencies are included transitively. */
  files: readonly DescFile[];
  /** Fully-qualified names of the services the server serves (for `list_services`). */
  services: () => readonly string[];
}

/** Every file of `files` and of their transitive dependencies, dependencies first. */
function closure(files: readonly DescFile[]): DescFile[] {
  const seen = new Set<string>();
  const out: DescFile[] = [];
  const visit = (f: DescFile): void => {
    if (seen.has(f.proto.name)) return;
    seen.add(f.proto.name);
    for (const d of f.dependencies) visit(d);
    out.push(f);
  };
  for (const f of files) visit(f);
  return out;
}

/** Build the lookup tables of the reflection service. */
export function createReflectionIndex(options: ReflectionOptions): ReflectionIndex {
  const files = closure(options.files);
  const byName = new Map<string, DescFile>();
  const bySymbol = new Map<string, DescFile>();
  const extensions = new Map<string, Map<number, DescFile>>();

  const addExtension = (
    file: DescFile,
    ext: { typeName: string; number: number; extendee: DescMessage },
  ): void => {
    bySymbol.set(ext.typeName, file);
    let numbers = extensions.get(ext.extendee.typeName);
    if (!numbers) extensions.set(ext.extendee.typeName, (numbers = new Map()));
    numbers.set(ext.number, file);
  };
  const addEnum = (file: DescFile, e: DescEnum): void => {
    bySymbol.set(e.typeName, file);
  };
  const addMessage = (file: DescFile, m: DescMessage): void => {
    bySymbol.set(m.typeName, file);
    for (const n of m.nestedMessages) addMessage(file, n);
    for (const e of m.nestedEnums) addEnum(file, e);
    for (const x of m.nestedExtensions) addExtension(file, x);
  };
  for (const file of files) {
    byName.set(file.proto.name, file);
    for (const m of file.messages) addMessage(file, m);
    for (const e of file.enums) addEnum(file, e);
    for (const x of file.extensions) addExtension(file, x);
    for (const s of file.services) {
      bySymbol.set(s.typeName, file);
      for (const m of s.methods) bySymbol.set(`${s.typeName}.${m.name}`, file);
    }
  }

  const serialized = new Map<string, Uint8Array>();
  const bytesOf = (f: DescFile): Uint8Array => {
    let b = serialized.get(f.proto.name);
    if (!b) serialized.set(f.proto.name, (b = toBinary(FileDescriptorProtoSchema, f.proto)));
    return b;
  };
  /** The file first, then its transitive dependencies. */
  const withDependencies = (f: DescFile): ReflectionAnswer => {
    const deps = closure([f]).filter((d) => d !== f);
    return {
      case: "fileDescriptorResponse",
      value: { fileDescriptorProto: [bytesOf(f), ...deps.map(bytesOf)] },
    };
  };
  const notFound = (what: string): ReflectionAnswer => ({
    case: "errorResponse",
    value: { errorCode: NOT_FOUND, errorMessage: `${what} not found` },
  });
  const stripDot = (s: string): string => (s.startsWith(".") ? s.slice(1) : s);

  return {
    fileContainingSymbol: (symbol) => bySymbol.get(stripDot(symbol)),
    answer(query) {
      switch (query.case) {
        case "listServices":
          return {
            case: "listServicesResponse",
            value: { service: [...new Set(options.services())].sort().map((name) => ({ name })) },
          };
        case "fileByFilename": {
          const f = byName.get(query.value);
          return f ? withDependencies(f) : notFound(`file ${JSON.stringify(query.value)}`);
        }
        case "fileContainingSymbol": {
          const f = bySymbol.get(stripDot(query.value));
          return f ? withDependencies(f) : notFound(`symbol ${JSON.stringify(query.value)}`);
        }
        case "fileContainingExtension": {
          const f = extensions
            .get(stripDot(query.value.containingType))
            ?.get(query.value.extensionNumber);
          return f
            ? withDependencies(f)
            : notFound(
                `extension ${query.value.extensionNumber} of ${JSON.stringify(query.value.containingType)}`,
              );
        }
        case "allExtensionNumbersOfType": {
          const type = stripDot(query.value);
          if (!bySymbol.has(type)) return notFound(`type ${JSON.stringify(query.value)}`);
          const numbers = [...(extensions.get(type)?.keys() ?? [])].sort((a, b) => a - b);
          return {
            case: "allExtensionNumbersResponse",
            value: { baseTypeName: type, extensionNumber: numbers },
          };
        }
        default:
          return {
            case: "errorResponse",
            value: { errorCode: INVALID_ARGUMENT, errorMessage: "invalid message_request" },
          };
      }
    },
  };
}

/**
 * Routes that serve `grpc.reflection.v1.ServerReflection` and
 * `grpc.reflection.v1alpha.ServerReflection` (bidi stream
 * `ServerReflectionInfo`): one response per request, in order.
 */
export function createReflectionRoutes(
  options: ReflectionOptions,
): (router: ConnectRouter) => void {
  const index = createReflectionIndex(options);
  return (router) => {
    router.service(ServerReflection, {
      async *serverReflectionInfo(requests) {
        for await (const req of requests) {
          yield create(ServerReflectionResponseSchema, {
            validHost: req.host,
            originalRequest: req,
            messageResponse: index.answer(req.messageRequest),
          });
        }
      },
    });
    router.service(v1alpha.ServerReflection, {
      async *serverReflectionInfo(requests) {
        for await (const req of requests) {
          yield create(v1alpha.ServerReflectionResponseSchema, {
            validHost: req.host,
            originalRequest: req,
            messageResponse: index.answer(req.messageRequest as ReflectionQuery),
          });
        }
      },
    });
  };
}
