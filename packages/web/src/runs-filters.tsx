/**
 * The Runs page's filters: namespace, kind, status, pipeline, labels, time range, and the CEL box
 * with the server's error of a bad filter under it, pointing at its position.
 *
 * @module
 */
import { useEffect, useState, type FormEvent } from "react";
import {
  Button,
  ComboBox,
  ContentSwitcher,
  Dropdown,
  Switch,
  TextArea,
  TextInput,
} from "@carbon/react";
import {
  parseLabelFilter,
  type CelPosition,
  type KindFilter,
  type SinceFilter,
  type StatusFilter,
} from "./runs.js";
import type { RunsSearch } from "./url-state.js";

const KIND_SWITCHES: { id: KindFilter; text: string }[] = [
  { id: "pipelinerun", text: "PipelineRuns" },
  { id: "taskrun", text: "TaskRuns" },
  { id: "all", text: "All" },
];

const STATUS_ITEMS: { id: StatusFilter; text: string }[] = [
  { id: "all", text: "Any status" },
  { id: "succeeded", text: "Succeeded" },
  { id: "failed", text: "Failed" },
  { id: "running", text: "Running" },
  { id: "cancelled", text: "Cancelled" },
  { id: "pending", text: "Pending" },
];

const SINCE_ITEMS: { id: SinceFilter; text: string }[] = [
  { id: "", text: "Any time" },
  { id: "1h", text: "Last hour" },
  { id: "24h", text: "Last 24 hours" },
  { id: "7d", text: "Last 7 days" },
  { id: "30d", text: "Last 30 days" },
];

const ALL_NAMESPACES = "All namespaces";

/**
 * A text filter applied when the user is done with it (Enter, or leaving the field), not at each
 * key: each application is a request. `check` returns why a value cannot be applied.
 */
function AppliedTextInput({
  id,
  labelText,
  placeholder,
  value,
  onApply,
  check,
}: {
  id: string;
  labelText: string;
  placeholder: string;
  value: string;
  onApply: (value: string) => void;
  check?: (value: string) => string | undefined;
}) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  const problem = check?.(draft);
  const apply = (): void => {
    if (problem === undefined && draft.trim() !== value) onApply(draft.trim());
  };
  return (
    <TextInput
      id={id}
      labelText={labelText}
      placeholder={placeholder}
      value={draft}
      invalid={problem !== undefined}
      invalidText={problem}
      onChange={(e) => setDraft(e.target.value)}
      onBlur={apply}
      onKeyDown={(e) => {
        if (e.key === "Enter") apply();
      }}
    />
  );
}

const labelProblem = (text: string): string | undefined => {
  const parsed = parseLabelFilter(text);
  return "error" in parsed ? `${parsed.error}: write key=value, separated by commas` : undefined;
};

/** The namespace, kind and status filters. */
export function RunsToolbar({
  search,
  namespaces,
  onChange,
  onNamespaceFocus,
}: {
  search: RunsSearch;
  /** The namespaces known to hold runs (the current one is always offered). */
  namespaces: readonly string[];
  onChange: (change: Partial<RunsSearch>) => void;
  /** The namespace box got the focus (its list is then worth asking for). */
  onNamespaceFocus?: () => void;
}) {
  const items = [
    ALL_NAMESPACES,
    ...new Set([...(search.namespace ? [search.namespace] : []), ...namespaces]),
  ];
  return (
    <div className="tr-toolbar">
      <div className="tr-namespace" onFocus={onNamespaceFocus}>
        <ComboBox
          id="tr-namespace"
          titleText="Namespace"
          items={items}
          selectedItem={search.namespace === "" ? ALL_NAMESPACES : search.namespace}
          allowCustomValue
          onChange={({ selectedItem, inputValue }) => {
            const value = (selectedItem as string | null | undefined) ?? inputValue ?? "";
            onChange({ namespace: value === ALL_NAMESPACES ? "" : value.trim() });
          }}
        />
      </div>
      <div className="tr-kind">
        <div className="cds--label" id="tr-kind-label">
          Kind
        </div>
        <ContentSwitcher
          aria-labelledby="tr-kind-label"
          size="md"
          selectedIndex={KIND_SWITCHES.findIndex((k) => k.id === search.kind)}
          onChange={(e: { name?: string | number }) => onChange({ kind: e.name as KindFilter })}
        >
          {KIND_SWITCHES.map((k) => (
            <Switch key={k.id} name={k.id} text={k.text} />
          ))}
        </ContentSwitcher>
      </div>
      <Dropdown
        id="tr-status"
        titleText="Status"
        label="Status"
        items={STATUS_ITEMS}
        itemToString={(item) => item?.text ?? ""}
        selectedItem={STATUS_ITEMS.find((s) => s.id === search.status) ?? STATUS_ITEMS[0]!}
        onChange={({ selectedItem }) => onChange({ status: selectedItem?.id ?? "all" })}
      />
      <Dropdown
        id="tr-since"
        titleText="Started"
        label="Started"
        items={SINCE_ITEMS}
        itemToString={(item) => item?.text ?? ""}
        selectedItem={SINCE_ITEMS.find((s) => s.id === search.since) ?? SINCE_ITEMS[0]!}
        onChange={({ selectedItem }) => onChange({ since: selectedItem?.id ?? "" })}
      />
      <div className="tr-pipeline">
        <AppliedTextInput
          id="tr-pipeline"
          labelText="Pipeline"
          placeholder="Any pipeline"
          value={search.pipeline}
          onApply={(pipeline) => onChange({ pipeline })}
        />
      </div>
      <div className="tr-labels">
        <AppliedTextInput
          id="tr-labels"
          labelText="Labels"
          placeholder="key=value, ..."
          value={search.label}
          onApply={(label) => onChange({ label })}
          check={labelProblem}
        />
      </div>
    </div>
  );
}

/** The CEL filter box: applied on submit (Enter, or the button); the server's error under it. */
export function CelFilter({
  value,
  error,
  onApply,
}: {
  value: string;
  error: { message: string; position?: CelPosition | undefined } | undefined;
  onApply: (filter: string) => void;
}) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  const submit = (e?: FormEvent): void => {
    e?.preventDefault();
    onApply(draft.trim());
  };
  const line = error?.position ? value.split("\n")[error.position.line - 1] : undefined;
  return (
    <form className="tr-cel" onSubmit={submit} aria-label="CEL filter">
      <TextArea
        id="tr-filter"
        labelText="CEL filter"
        helperText='Over the record: data_type, data (the run), create_time. E.g. data.metadata.labels["tekton.dev/pipeline"] == "build". Enter applies it.'
        rows={2}
        value={draft}
        invalid={error !== undefined}
        invalidText={error ? "The server refused this filter (see below)." : undefined}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !e.shiftKey) submit(e);
        }}
      />
      {error ? (
        <div className="tr-cel-error" role="alert" data-testid="cel-error">
          {error.message}
          {line !== undefined && error.position ? (
            <pre aria-hidden="true">{`${line}\n${" ".repeat(Math.max(0, error.position.column - 1))}^`}</pre>
          ) : null}
        </div>
      ) : null}
      <Button type="submit" size="sm" kind="secondary">
        Apply filter
      </Button>
      {value !== "" ? (
        <Button size="sm" kind="ghost" onClick={() => onApply("")}>
          Clear filter
        </Button>
      ) : null}
    </form>
  );
}
