/**
 * A failed call as the pages show it: what happened, what to do, and a way to act (retry, or
 * give a token when the server wants one).
 *
 * @module
 */
import { useState, type FormEvent } from "react";
import { Button, InlineNotification, PasswordInput } from "@carbon/react";
import { Code } from "@tekton-results/client";
import { describeError, useApi } from "./api.js";

/** The notice of `error`, with a retry button when `onRetry` is given. */
export function ErrorNotice({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const api = useApi();
  const view = describeError(error, api.config.apiUrl);
  return (
    <div className="tr-error" data-testid="error">
      <InlineNotification
        kind="error"
        lowContrast
        hideCloseButton
        title={view.title}
        subtitle={view.detail}
      />
      {view.code === Code.Unauthenticated || view.code === Code.PermissionDenied ? (
        <TokenForm />
      ) : null}
      {onRetry ? (
        <Button kind="tertiary" size="sm" onClick={onRetry}>
          Retry
        </Button>
      ) : null}
    </div>
  );
}

/** A bearer token pasted once, kept in the tab's session storage. */
export function TokenForm() {
  const api = useApi();
  const [token, setToken] = useState("");
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    api.setToken(token.trim() === "" ? undefined : token.trim());
  };
  return (
    <form className="tr-token-form" onSubmit={submit}>
      <PasswordInput
        id="tr-token"
        labelText="Bearer token"
        helperText="Sent as Authorization: Bearer on every request; kept for this tab only."
        value={token}
        onChange={(e) => setToken(e.target.value)}
        size="sm"
      />
      <Button type="submit" size="sm">
        Use token
      </Button>
    </form>
  );
}
