/**
 * The storage adapters `--database` picks from. They are optional peer
 * dependencies of the server: an installation holds the one it uses
 * (`@tekton-results/storage-sqlite` or `@tekton-results/storage-pg`), and
 * nothing is imported before {@link openStore} asks for it, so the package's
 * exports load neither adapter nor its native driver.
 *
 * @module
 */
import type { MigratableStore } from "./endpoints.js";
import type { ResultsStore } from "@tekton-results/storage";
// Types only (erased): the adapters themselves are imported by importAdapter, when asked for.
import type * as PgAdapter from "@tekton-results/storage-pg";
import type * as SqliteAdapter from "@tekton-results/storage-sqlite";
import type { Logger } from "@tekton-results/runtime";
import type { DatabaseConfig, PostgresSettings, SqliteSettings } from "./config.js";

/** The package of each `--database` kind. */
export const ADAPTER_PACKAGES = {
  sqlite: "@tekton-results/storage-sqlite",
  postgres: "@tekton-results/storage-pg",
} as const;

/** The package of a storage adapter. */
export type AdapterPackage = (typeof ADAPTER_PACKAGES)[keyof typeof ADAPTER_PACKAGES];

/**
 * Import an adapter package (the module namespace). Default: a dynamic
 * `import()` of the package; injectable for tests.
 */
export type ImportAdapter = (pkg: AdapterPackage) => Promise<unknown>;

/** The default {@link ImportAdapter}: each package by its literal name, so bundlers see them. */
export const importAdapter: ImportAdapter = (pkg) =>
  pkg === ADAPTER_PACKAGES.sqlite
    ? import("@tekton-results/storage-sqlite")
    : import("@tekton-results/storage-pg");

/** The adapter `--database <kind>` needs is not installed. */
export class MissingAdapterError extends Error {
  override readonly name = "MissingAdapterError";
  /**
   * `kind` is the `--database` kind, `pkg` the adapter package. The message
   * names both and the command that installs the package.
   */
  constructor(
    readonly kind: DatabaseConfig["kind"],
    readonly pkg: AdapterPackage,
    options?: ErrorOptions,
  ) {
    super(`--database ${kind} needs ${pkg}: npm install ${pkg}`, options);
  }
}

/**
 * Whether `err` says that `pkg` itself cannot be found (Node's
 * `ERR_MODULE_NOT_FOUND` naming that specifier), as opposed to a module the
 * adapter imports in turn (its driver), which is reported as it is.
 */
export function isMissingPackage(err: unknown, pkg: string): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") return false;
  return err.message.includes(`'${pkg}'`) || err.message.includes(`"${pkg}"`);
}

/**
 * The module of the adapter of `kind`, through `load`. Throws
 * {@link MissingAdapterError} when the package is not installed.
 */
export async function loadAdapter(
  kind: DatabaseConfig["kind"],
  load: ImportAdapter = importAdapter,
): Promise<unknown> {
  const pkg = ADAPTER_PACKAGES[kind];
  try {
    return await load(pkg);
  } catch (err) {
    if (isMissingPackage(err, pkg)) throw new MissingAdapterError(kind, pkg, { cause: err });
    throw err;
  }
}

/** How {@link openStore} opens a store. */
export interface OpenStoreSettings {
  /** Apply pending migrations. Default true. */
  migrate?: boolean;
  /** PostgreSQL settings (ignored for SQLite). */
  postgres?: PostgresSettings;
  /** SQLite settings (ignored for PostgreSQL). */
  sqlite?: SqliteSettings;
  /** How the adapter package is imported. Default {@link importAdapter}. */
  importAdapter?: ImportAdapter;
}

/** The options of the PostgreSQL store from the server's settings. */
function pgOptions(pg: PostgresSettings | undefined) {
  if (!pg) return {};
  return {
    poolMax: pg.poolMax,
    statementTimeoutMs: pg.statementTimeoutMs,
    schema: pg.schema,
    startupRetries: { attempts: pg.connectRetries, delayMs: 1000 },
    ...(pg.sslMode
      ? { ssl: { mode: pg.sslMode, ...(pg.sslCaFile ? { caFile: pg.sslCaFile } : {}) } }
      : {}),
  };
}

/**
 * Open the store the configuration names. Only the chosen adapter is
 * imported, when this is called; {@link MissingAdapterError} when it is not
 * installed.
 */
export async function openStore(
  database: DatabaseConfig,
  logger: Logger,
  settings: OpenStoreSettings = {},
): Promise<ResultsStore & MigratableStore & { migrate(): Promise<void> }> {
  const migrate = settings.migrate ?? true;
  const adapter = await loadAdapter(database.kind, settings.importAdapter);
  switch (database.kind) {
    case "sqlite": {
      const { createSqliteStore } = adapter as typeof SqliteAdapter;
      return createSqliteStore({
        filename: database.filename,
        logger,
        migrate,
        ...(settings.sqlite ? { statementTimeoutMs: settings.sqlite.statementTimeoutMs } : {}),
      });
    }
    case "postgres": {
      const { createPgStore } = adapter as typeof PgAdapter;
      return createPgStore({
        connectionString: database.url,
        migrate,
        logger,
        ...pgOptions(settings.postgres),
      });
    }
  }
}
