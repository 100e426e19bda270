/**
 * Test runners the SQL adapters share for their filter compilers: each
 * adapter's test file calls them with a small {@link SqlFilterTestBackend}
 * (how to make a store, run a raw query and compile a filter), as it calls
 * `runStoreConformance`, so every assertion runs on every SQL backend.
 *
 * - {@link runSqlFilterCompilerTests}: what the compiled SQL promises
 *   (bound values only, qualified columns, refused fields).
 * - {@link runSqlFilterDifferential}: every boolean sub-expression of every
 *   filter agrees with the reference evaluator, three-valued.
 * - {@link runTypedColumnTests} (`sql-filter-typed-columns.ts`): the typed
 *   record columns and the label table the typed predicates read.
 *
 * @module
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  StorageError,
  compileFilter,
  type FilterExpr,
  type FilterTarget,
  type ResultsStore,
} from "@tekton-results/storage";
import { filterCases } from "./filter-cases.js";
import { filterFixtures } from "./filter-fixtures.js";
import { matchesFilter, recordRow, resultRow, type FilterRow } from "./memory-filter.js";
import { cmp, column, str } from "./sql-filter-ast.js";
import { sqlFilterDifferentialCases } from "./sql-filter-cases.js";
import { typedFieldRecords } from "./typed-field-cases.js";

export { sqlFilterDifferentialCases, type SqlFilterDifferentialCase } from "./sql-filter-cases.js";
export * as filterAst from "./sql-filter-ast.js";
export { runTypedColumnTests, type TypedColumnTestBackend } from "./sql-filter-typed-columns.js";

/** A compiled filter: SQL text with `?` placeholders and its bindings. */
export interface CompiledSqlFilter {
  /** The boolean SQL expression. */
  sql: string;
  /** The values of its placeholders, in order. */
  bindings: unknown[];
}

/** What a SQL adapter gives the shared filter runners. */
export interface SqlFilterTestBackend<S extends ResultsStore = ResultsStore> {
  /** The database's name in test titles and messages, e.g. `"PostgreSQL"`. */
  name: string;
  /** A new, empty, migrated store. */
  createStore(): Promise<S>;
  /** Dispose of a store (drop its schema, ...); default `store.close()`. */
  destroyStore?(store: S): Promise<void>;
  /** The rows of a raw query on the store's database, columns by name. */
  query(store: S, sql: string, bindings?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  /** The adapter's filter compiler (`compilePgFilter`, `compileSqliteFilter`). */
  compileFilter(
    filter: FilterExpr,
    options: { target: FilterTarget; table?: string },
  ): CompiledSqlFilter;
}

/** Dispose of a store the way the backend asks. */
export async function disposeSqlStore<S extends ResultsStore>(
  backend: { destroyStore?(store: S): Promise<void> },
  store: S,
): Promise<void> {
  if (backend.destroyStore !== undefined) await backend.destroyStore(store);
  else await store.close();
}

/** A SQL boolean as the reference's truth: 1, 0 or `null` (absent). */
export function sqlTruth(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  return value === true || value === 1 || value === 1n ? 1 : 0;
}

/**
 * The compiled SQL's promises, without a database: values are bound, never
 * spliced into the text; columns are qualified with the table alias (and a
 * bad alias is refused); a field the target lacks is `invalid_argument`.
 */
export function runSqlFilterCompilerTests(
  backend: Pick<SqlFilterTestBackend, "name" | "compileFilter">,
): void {
  const compile = backend.compileFilter;
  describe(`${backend.name} filter compiler`, () => {
    it("binds every value as a parameter, never as SQL text", () => {
      const ast = compileFilter(
        `data.metadata.name == "x'; DROP TABLE records; --" && data.spec.retries > 3 && name.startsWith("y") && data.s == "x' OR 1=1 --"`,
        { target: "records" },
      )!;
      const out = compile(ast, { target: "records" });
      expect(out.sql).not.toContain("DROP");
      expect(out.sql).not.toContain("OR 1=1");
      expect(out.sql).not.toContain("retries");
      expect(out.bindings).toContain("x'; DROP TABLE records; --");
      expect(out.bindings).toContain("x' OR 1=1 --");
      // A JSON path is bound too (a key, or a whole path like `$.spec.retries`).
      expect(out.bindings.some((b) => typeof b === "string" && b.includes("retries"))).toBe(true);
      expect(out.sql.split("?").length - 1).toBe(out.bindings.length);
    });

    it("qualifies columns with the given alias", () => {
      const ast = compileFilter('parent == "ns"', { target: "results" })!;
      expect(compile(ast, { target: "results", table: "r" }).sql).toContain("r.parent");
      expect(() => compile(ast, { target: "results", table: "r; --" })).toThrow(TypeError);
    });

    it("rejects a field the target lacks with invalid_argument", () => {
      const dataType = column("data_type", "string");
      expect(() => compile(dataType, { target: "results" })).toThrow(StorageError);
      const compare = cmp("==", dataType, str("x"));
      expect(() => compile(compare, { target: "results" })).toThrow(/unsupported filter/);
    });
  });
}

/** Every boolean sub-expression that has no free comprehension variable. */
function booleanSubexpressions(root: FilterExpr): FilterExpr[] {
  const out: FilterExpr[] = [];
  const visit = (node: unknown, bound: boolean): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item, bound);
      return;
    }
    if (node === null || typeof node !== "object") return;
    const n = node as FilterExpr & Record<string, unknown>;
    if (typeof n.kind !== "string" || n.kind === "const") return;
    if (!bound && n.type === "bool") out.push(n);
    if (n.kind === "exists" || n.kind === "all" || n.kind === "exists_one") {
      visit(n.range, bound);
      visit(n.predicate, true);
      return;
    }
    for (const [key, value] of Object.entries(n))
      if (key !== "kind" && key !== "type") visit(value, bound);
  };
  visit(root, false);
  return out;
}

function reference(filter: FilterExpr, row: FilterRow): number | null {
  if (matchesFilter(filter, row)) return 1;
  if (matchesFilter({ kind: "not", type: "bool", arg: filter }, row)) return 0;
  return null;
}

/**
 * Differential test of the adapter's filter compiler against the reference
 * evaluator: for every boolean sub-expression of every filter of the shared
 * table and of {@link sqlFilterDifferentialCases}, every fixture row must
 * evaluate to the same *three-valued* result (true, false or absent) in the
 * database and in the oracle. The conformance table only compares the
 * matching rows; this also pins absent against false.
 *
 * Each sub-expression is compiled as a whole filter twice, as `sub` and as
 * `!sub`: the row is true when `sub` matches, false when `!sub` matches, else
 * absent. (A compiled filter only promises which rows match: at the top level
 * it may read typed columns that are false where the JSON form is absent.)
 * Extra rows (`typedFieldRecords`) cover the typed columns' edge cases:
 * non-string names, reasons and labels, JSON `null`s, odd and offset times,
 * data that is not JSON.
 */
export function runSqlFilterDifferential<S extends ResultsStore>(
  backend: SqlFilterTestBackend<S>,
): void {
  const base = filterFixtures();
  const fixtures = { ...base, records: [...base.records, ...typedFieldRecords(base.records[0]!)] };
  const rows = {
    results: new Map(fixtures.results.map((r) => [r.uid, resultRow(r)])),
    records: new Map(fixtures.records.map((r) => [r.uid, recordRow(r)])),
  };
  const all = [
    ...filterCases.map((c) => ({ name: c.name, target: c.target, filter: c.filter })),
    ...sqlFilterDifferentialCases.map((c) => ({ name: `extra: ${c.filter}`, ...c })),
  ];

  describe(`${backend.name} filters agree with the reference evaluator, three-valued`, () => {
    let store: S;
    beforeAll(async () => {
      store = await backend.createStore();
      for (const r of fixtures.results) await store.createResult(r);
      for (const r of fixtures.records) await store.createRecord(r);
    });
    afterAll(async () => {
      await disposeSqlStore(backend, store);
    });

    const values = async (target: FilterTarget, filter: FilterExpr) => {
      const compiled = backend.compileFilter(filter, { target });
      const out = await backend.query(
        store,
        `SELECT ${target}.uid AS uid, (${compiled.sql}) AS v FROM ${target}`,
        compiled.bindings,
      );
      return new Map(out.map((r) => [r.uid as string, sqlTruth(r.v)]));
    };

    for (const c of all) {
      it(`${c.target}: ${c.name}`, async () => {
        const ast = compileFilter(c.filter, { target: c.target });
        expect(ast, c.filter).toBeDefined();
        for (const sub of booleanSubexpressions(ast!)) {
          const matches = await values(c.target, sub);
          const negated = await values(c.target, { kind: "not", type: "bool", arg: sub });
          const mismatches: string[] = [];
          for (const [uid, row] of rows[c.target]) {
            const want = reference(sub, row);
            const have = matches.get(uid) === 1 ? 1 : negated.get(uid) === 1 ? 0 : null;
            if (want !== have)
              mismatches.push(`${uid}: ${backend.name} ${String(have)}, reference ${String(want)}`);
          }
          expect(mismatches, `${c.filter}\n  sub-expression ${JSON.stringify(sub)}`).toEqual([]);
        }
      });
    }
  });
}
