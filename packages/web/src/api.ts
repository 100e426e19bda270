/**
 * The API client of the UI (`@tekton-results/client` over connect-web's Connect protocol) and
 * the one-line explanations of its errors that the pages show.
 *
 * @module
 */
import { createContext, useContext } from "react";
import { createConnectTransport } from "@connectrpc/connect-web";
import {
  Code,
  ConnectError,
  createResultsClient,
  type ResultsClient,
  type Transport,
} from "@tekton-results/client";
import type { UiConfig } from "./config.js";
import {
  denialAdvice,
  grantCommand,
  parseDenial,
  READONLY_ROLE,
  signInReason,
  type SignInReason,
} from "./denial.js";

/**
 * The transport of a configuration: the Connect protocol (binary; GetLog streams over `fetch`),
 * the bearer token when given. The Results and Logs clients share it.
 */
export function createApiTransport(config: UiConfig): Transport {
  const token = config.token;
  return createConnectTransport({
    baseUrl: config.apiUrl,
    useBinaryFormat: true,
    interceptors: token
      ? [
          (next) => (req) => {
            req.header.set("authorization", `Bearer ${token}`);
            return next(req);
          },
        ]
      : [],
  });
}

/** The Results client of a configuration (see {@link createApiTransport}). */
export function createApiClient(config: UiConfig): ResultsClient {
  return createResultsClient(createApiTransport(config));
}

/** What the pages reach the API with. */
export interface Api {
  client: ResultsClient;
  config: UiConfig;
  /** Keep a bearer token for this tab and use it from now on (`undefined`: forget it). */
  setToken(token: string | undefined): void;
}

/** The API of the running app. */
export const ApiContext = createContext<Api | undefined>(undefined);

/** The API of the running app; throws outside its provider. */
export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) throw new Error("useApi outside ApiContext");
  return api;
}

/** What a page says about a failed call. */
export interface ErrorView {
  /** The kind of problem, a title. */
  title: string;
  /** What happened and what to do, one or two sentences. */
  detail: string;
  code: Code | undefined;
  /** A command that fixes it (an administrator's `kubectl` grant), when there is one. */
  command?: string;
}

/** What to do when the server wants credentials, by why it refused. */
const SIGN_IN_ADVICE: { [R in SignInReason]: string } = {
  missing:
    "This server needs a bearer token: open the UI through your sign-in proxy (oauth2-proxy), or paste a token below (e.g. kubectl create token <service-account> -n <namespace>); it is kept for this tab only.",
  rejected:
    "The server did not accept the token (expired, or of another cluster): paste a new one below, or forget it.",
  other: "Paste a bearer token below (kept for this tab only), or forget the one in use.",
};

/** The explanation of an error of the API (anything a `catch` gives). */
export function describeError(err: unknown, apiUrl: string): ErrorView {
  const e = ConnectError.from(err);
  const message = e.rawMessage;
  switch (e.code) {
    case Code.PermissionDenied: {
      const denial = parseDenial(message);
      return denial
        ? {
            title: "Permission denied",
            detail: `The server says: ${message}. ${denialAdvice(denial)}`,
            command: grantCommand(denial),
            code: e.code,
          }
        : {
            title: "Permission denied",
            detail: `The server says: ${message}. Ask an administrator for the permission (the RBAC role ${READONLY_ROLE} of results.tekton.dev in this namespace), pick another namespace, or use another token.`,
            code: e.code,
          };
    }
    case Code.Unauthenticated:
      return {
        title: "Sign-in needed",
        detail: `The server says: ${message}. ${SIGN_IN_ADVICE[signInReason(message)]}`,
        code: e.code,
      };
    case Code.InvalidArgument:
      return { title: "Invalid request", detail: message, code: e.code };
    case Code.Unimplemented:
      return {
        title: "No Results API here",
        detail: `${apiUrl} does not answer as the Results API (${message}). Set its URL with ?api=https://… or config.json (see the web UI's README).`,
        code: e.code,
      };
    case Code.Unavailable:
    case Code.Unknown:
    case Code.DeadlineExceeded:
      return {
        title: "Cannot reach the Results API",
        detail: `No answer from ${apiUrl} (${message}). Is the server running? Start it with "npm start", or check the API URL.`,
        code: e.code,
      };
    default:
      return { title: `Error: ${Code[e.code]}`, detail: message, code: e.code };
  }
}
