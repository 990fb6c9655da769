import { type FormEvent, useEffect, useRef, useState } from "react";
import { Button } from "../../../components/Button.tsx";
import { errorMessage, InlineAlert } from "../../../components/ErrorState.tsx";
import { Field } from "../../../components/Field.tsx";
import { ApiError } from "../../../lib/api-client.ts";
import { useI18n } from "../../../lib/i18n/index.tsx";
import { type Me, signIn } from "../api/auth-api.ts";

/** Seconds left to wait, counting down to 0 once started with `start(seconds)`. */
function useCountdown(): [number, (seconds: number) => void] {
  const [left, setLeft] = useState(0);
  useEffect(() => {
    if (left <= 0) return;
    const timer = setTimeout(() => setLeft((n) => n - 1), 1000);
    return () => clearTimeout(timer);
  }, [left]);
  return [left, setLeft];
}

/**
 * User name and password. Wrong credentials clear the password and keep the name; after too
 * many failures the server answers 429 and the button waits out its Retry-After.
 */
export function LoginForm({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const { t } = useI18n();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [missing, setMissing] = useState<{ username?: boolean; password?: boolean }>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [secondsLeft, waitFor] = useCountdown();
  const usernameInput = useRef<HTMLInputElement>(null);
  const passwordInput = useRef<HTMLInputElement>(null);

  const blocked = secondsLeft > 0;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy || blocked) return;
    const empty = { username: username.trim() === "", password: password === "" };
    setMissing(empty);
    if (empty.username || empty.password) {
      (empty.username ? usernameInput : passwordInput).current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const me = await signIn(username.trim(), password);
      onSignedIn(me);
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError && err.status === 429) {
        setError(null);
        waitFor(err.retryAfter ?? 60);
        return;
      }
      if (err instanceof ApiError && (err.status === 401 || err.status === 400)) {
        setError(t("login.invalid"));
        setPassword("");
        passwordInput.current?.focus();
        return;
      }
      setError(errorMessage(err, t));
    }
  };

  return (
    <form className="login-form" onSubmit={submit} method="post" noValidate aria-label={t("login.title")}>
      <Field id="login-username" label={t("login.username")} error={missing.username ? t("form.required") : undefined}>
        {(control) => (
          <input
            {...control}
            ref={usernameInput}
            name="username"
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            // biome-ignore lint/a11y/noAutofocus: the only thing to do on this page is to type the name
            autoFocus
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        )}
      </Field>
      <Field id="login-password" label={t("login.password")} error={missing.password ? t("form.required") : undefined}>
        {(control) => (
          <input
            {...control}
            ref={passwordInput}
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        )}
      </Field>
      {blocked ? (
        <InlineAlert>{t("login.tooMany", { seconds: secondsLeft })}</InlineAlert>
      ) : error ? (
        <InlineAlert>{error}</InlineAlert>
      ) : null}
      <Button type="submit" variant="primary" busy={busy} disabled={blocked} className="login-submit">
        {busy ? t("login.signingIn") : t("login.submit")}
      </Button>
    </form>
  );
}
