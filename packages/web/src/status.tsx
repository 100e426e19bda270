/**
 * A run's status as an icon and a word, coloured as the Tekton Dashboard colours it.
 *
 * @module
 */
import {
  CheckmarkFilled,
  ErrorFilled,
  InProgress,
  MisuseOutline,
  PendingFilled,
} from "@carbon/icons-react";
import type { RunStatus } from "./runs.js";

const LABELS: { readonly [S in RunStatus]: string } = {
  succeeded: "Succeeded",
  failed: "Failed",
  cancelled: "Cancelled",
  running: "Running",
  pending: "Pending",
};

/** The word of a status. */
export function statusLabel(status: RunStatus): string {
  return LABELS[status];
}

const ICONS = {
  succeeded: CheckmarkFilled,
  failed: ErrorFilled,
  cancelled: MisuseOutline,
  running: InProgress,
  pending: PendingFilled,
} as const;

/** The icon and word of `status`; `reason` (the condition's) as the tooltip. */
export function RunStatusLabel({
  status,
  reason,
}: {
  status: RunStatus;
  reason?: string | undefined;
}) {
  const Icon = ICONS[status];
  return (
    <span className={`tr-status tr-status--${status}`} title={reason ?? LABELS[status]}>
      <Icon aria-hidden="true" className="tr-status__icon" />
      <span>{LABELS[status]}</span>
    </span>
  );
}
