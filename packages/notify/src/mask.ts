// Secrets travel inside URLs here: the SMTP password in SMTP_URL, the robot token in a webhook's query
// string (DingTalk access_token, WeCom key) or path (Feishu hook id, Slack's /services/… triple), and the
// signature we add. Anything that may reach a log, an error string or the database goes through these.

const MASK = "***";

const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*:)[^\s/?#@]*@/gi;
const SECRET_QUERY_PARAM =
  /([?&](?:access_token|accesstoken|token|key|sign|signature|secret|password|pass|pwd|api_key|apikey)=)[^&#\s"'<>]*/gi;
const FEISHU_HOOK_ID = /(\/open-apis\/bot\/v2\/hook\/)[A-Za-z0-9_-]+/gi;
const SLACK_HOOK_PATH = /(hooks\.slack\.com\/(?:services|workflows|triggers)\/)[A-Za-z0-9_/-]+/gi;

/** Masks passwords in URLs, token-like query parameters and the secret path parts of robot webhook URLs. */
export function maskSecrets(text: string): string {
  return text
    .replace(URL_PASSWORD, `$1${MASK}@`)
    .replace(SECRET_QUERY_PARAM, `$1${MASK}`)
    .replace(FEISHU_HOOK_ID, `$1${MASK}`)
    .replace(SLACK_HOOK_PATH, `$1${MASK}`);
}

/**
 * Removes known secret values wherever they appear (raw or URL-encoded), then masks URL-shaped secrets.
 * Libraries may quote a URL or a credential in an error message; this is the last line of defence.
 */
export function redact(text: string, secrets: ReadonlyArray<string | null | undefined>): string {
  let out = text;
  const values = secrets
    .filter((s): s is string => typeof s === "string" && s.length >= 3)
    .flatMap((s) => [s, encodeURIComponent(s)])
    .sort((a, b) => b.length - a.length);
  for (const value of values) out = out.split(value).join(MASK);
  return maskSecrets(out);
}

/** The secret-looking values embedded in a URL: its password and token query parameters. */
export function secretsInUrl(url: string | null | undefined): string[] {
  if (!url) return [];
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [];
  }
  const found: string[] = [];
  if (parsed.password) found.push(decodeURIComponent(parsed.password), parsed.password);
  for (const [name, value] of parsed.searchParams) {
    if (/^(access_?token|token|key|sign|signature|secret|password|pass|pwd|api_?key)$/i.test(name) && value) {
      found.push(value);
    }
  }
  const feishu = /\/bot\/v2\/hook\/([^/?#]+)/.exec(parsed.pathname)?.[1];
  if (feishu) found.push(feishu);
  if (parsed.hostname === "hooks.slack.com") {
    // "/services/T…/B…/token": everything after the kind names the workspace, channel and token.
    found.push(
      ...parsed.pathname
        .split("/")
        .slice(2)
        .filter((part) => part.length >= 6),
    );
  }
  return found;
}
