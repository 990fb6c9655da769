import { useState } from "react";
import { Button } from "../../../components/Button.tsx";
import { ConfirmDialog } from "../../../components/ConfirmDialog.tsx";
import { DateTime } from "../../../components/DateTime.tsx";
import { EmptyState } from "../../../components/EmptyState.tsx";
import { ErrorState, errorMessage } from "../../../components/ErrorState.tsx";
import { Spinner } from "../../../components/Spinner.tsx";
import { type Column, Table } from "../../../components/Table.tsx";
import { useI18n } from "../../../lib/i18n/index.tsx";
import { useCan, useSession } from "../../../lib/session.tsx";
import { usePageTitle } from "../../../lib/use-page-title.ts";
import {
  type ApiToken,
  type CreatedToken,
  tokenState,
  useCreateToken,
  useRevokeToken,
  useTokens,
} from "../api/tokens-api.ts";
import { CreateTokenDialog, NewTokenDialog } from "./TokenDialogs.tsx";

const STATE_BADGE = { active: "badge-success", expired: "badge-warning", revoked: "badge-muted" } as const;

/** Everyone's own API tokens (an admin sees all): create, show the secret once, revoke. */
export function TokensPage() {
  const { t } = useI18n();
  usePageTitle(t("tokens.title"));
  const session = useSession();
  const seesAll = useCan("tokens.all");
  const tokens = useTokens();
  const create = useCreateToken();
  const revoke = useRevokeToken();
  const [creating, setCreating] = useState(false);
  // The secret lives only in this state: it is dropped when its dialog closes.
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);

  const columns: Column<ApiToken>[] = [
    { key: "name", header: t("tokens.col.name"), cell: (token) => <span className="break">{token.name}</span> },
    {
      key: "prefix",
      header: t("tokens.col.prefix"),
      cell: (token) => <code className="mono nowrap">{token.prefix}…</code>,
    },
    ...(seesAll ? [{ key: "owner", header: t("tokens.col.owner"), cell: (token: ApiToken) => token.username }] : []),
    { key: "role", header: t("tokens.col.role"), cell: (token) => t(`role.${token.role}`) },
    { key: "created", header: t("tokens.col.created"), cell: (token) => <DateTime value={token.createdAt} /> },
    {
      key: "expires",
      header: t("tokens.col.expires"),
      cell: (token) =>
        token.expiresAt ? (
          <DateTime value={token.expiresAt} />
        ) : (
          <span className="muted">{t("tokens.expiry.never")}</span>
        ),
    },
    {
      key: "lastUsed",
      header: t("tokens.col.lastUsed"),
      cell: (token) =>
        token.lastUsedAt ? (
          <DateTime value={token.lastUsedAt} />
        ) : (
          <span className="muted">{t("tokens.neverUsed")}</span>
        ),
    },
    {
      key: "state",
      header: t("tokens.col.status"),
      cell: (token) => {
        const state = tokenState(token);
        return (
          <span className={`badge ${STATE_BADGE[state]}`} data-testid="token-state" data-state={state}>
            {t(`tokens.state.${state}`)}
          </span>
        );
      },
    },
    {
      key: "actions",
      header: t("common.actions"),
      className: "cell-actions",
      cell: (token) =>
        token.revokedAt ? null : (
          <Button
            size="sm"
            variant="ghost"
            className="text-danger"
            aria-label={t("tokens.revokeFor", { name: token.name })}
            onClick={() => {
              revoke.reset();
              setRevoking(token);
            }}
          >
            {t("tokens.revoke")}
          </Button>
        ),
    },
  ];

  return (
    <div className="page">
      <header className="page-header">
        <h1>{t("tokens.title")}</h1>
        <Button variant="primary" onClick={() => setCreating(true)}>
          + {t("tokens.new")}
        </Button>
      </header>
      <p className="muted page-intro">{t("tokens.intro")}</p>

      {tokens.isPending ? (
        <Spinner />
      ) : tokens.isError ? (
        <ErrorState error={tokens.error} onRetry={() => tokens.refetch()} />
      ) : tokens.data.length === 0 ? (
        <EmptyState title={t("tokens.empty")}>
          <p>{t("tokens.emptyHint")}</p>
        </EmptyState>
      ) : (
        <Table
          columns={columns}
          rows={tokens.data}
          rowKey={(token) => token.id}
          caption={t("tokens.title")}
          testId="tokens-table"
          rowTestId={(token) => `token-row-${token.id}`}
        />
      )}

      {creating && session ? (
        <CreateTokenDialog
          ownRole={session.user.role}
          onClose={() => setCreating(false)}
          onCreate={(input) =>
            create.mutateAsync(input).then((token) => {
              setCreating(false);
              setCreated(token);
              create.reset();
            })
          }
        />
      ) : null}

      {created ? <NewTokenDialog token={created} onClose={() => setCreated(null)} /> : null}

      {revoking ? (
        <ConfirmDialog
          title={t("tokens.revokeTitle")}
          body={t("tokens.revokeBody", { name: revoking.name })}
          confirmLabel={t("tokens.revoke")}
          busy={revoke.isPending}
          error={revoke.isError ? t("tokens.revokeFailed", { message: errorMessage(revoke.error, t) }) : undefined}
          onCancel={() => setRevoking(null)}
          onConfirm={() => revoke.mutate(revoking.id, { onSuccess: () => setRevoking(null) })}
        />
      ) : null}
    </div>
  );
}
