/**
 * A failed call as the pages show it: what happened, what to do, and a way to act (retry, the
 * administrator's command that grants access, or give a token when the server wants one).
 *
 * @module
 */
import { useState, type FormEvent } from "react";
import { Button, CodeSnippet, InlineNotification, PasswordInput } from "@carbon/react";
import { Code } from "@tekton-results/client";
import { describeError, useApi } from "./api.js";

/** The notice of `error`, with a retry button when `onRetry` is given. */
export function ErrorNotice({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const api = useApi();
  const view = describeError(error, api.config.apiUrl);
  const auth = view.code === Code.Unauthenticated || view.code === Code.PermissionDenied;
  return (
    <div className="tr-error" data-testid="error">
      <InlineNotification
        kind="error"
        lowContrast
        hideCloseButton
        title={view.title}
        subtitle={view.detail}
      />
      {view.command !== undefined ? (
        <CodeSnippet type="single" feedback="Copied" data-testid="grant-command">
          {view.command}
        </CodeSnippet>
      ) : null}
      {auth ? <TokenForm /> : null}
      {onRetry ? (
        <Button kind="tertiary" size="sm" onClick={onRetry}>
          Retry
        </Button>
      ) : null}
    </div>
  );
}

/** A bearer token pasted once, kept in the tab's session storage; or the one in use, forgotten. */
export function TokenForm() {
  const api = useApi();
  const [token, setToken] = useState("");
  const inUse = api.config.token !== undefined;
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    api.setToken(token.trim() === "" ? undefined : token.trim());
  };
  return (
    <form className="tr-token-form" onSubmit={submit} aria-label="Sign in with a token">
      <PasswordInput
        id="tr-token"
        labelText="Bearer token"
        helperText={
          inUse
            ? "A token of this tab is in use. Sent as Authorization: Bearer on every request; kept for this tab only."
            : "Sent as Authorization: Bearer on every request; kept for this tab only."
        }
        value={token}
        onChange={(e) => setToken(e.target.value)}
        size="sm"
      />
      <Button type="submit" size="sm">
        Use token
      </Button>
      {inUse ? (
        <Button kind="ghost" size="sm" onClick={() => api.setToken(undefined)}>
          Forget the token
        </Button>
      ) : null}
    </form>
  );
}
