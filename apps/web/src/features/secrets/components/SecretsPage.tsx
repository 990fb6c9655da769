import { useState } from "react";
import { Button } from "../../../components/Button.tsx";
import { ConfirmDialog } from "../../../components/ConfirmDialog.tsx";
import { DateTime } from "../../../components/DateTime.tsx";
import { EmptyState } from "../../../components/EmptyState.tsx";
import { ErrorState, errorMessage, InlineAlert } from "../../../components/ErrorState.tsx";
import { Spinner } from "../../../components/Spinner.tsx";
import { type Column, Table } from "../../../components/Table.tsx";
import { useI18n } from "../../../lib/i18n/index.tsx";
import { usePageTitle } from "../../../lib/use-page-title.ts";
import {
  type Secret,
  secretReference,
  secretsDisabled,
  useCreateSecret,
  useDeleteSecret,
  useReplaceSecret,
  useSecrets,
} from "../api/secrets-api.ts";
import { CreateSecretDialog, ReplaceSecretDialog } from "./SecretDialogs.tsx";

type Notice = { tone: "error" | "success"; text: string };

/** Admins keep the secrets tasks use: names and who changed them are listed, values never. */
export function SecretsPage() {
  const { t } = useI18n();
  usePageTitle(t("secrets.title"));
  const secrets = useSecrets();
  const create = useCreateSecret();
  const replace = useReplaceSecret();
  const remove = useDeleteSecret();
  const [creating, setCreating] = useState(false);
  const [replacing, setReplacing] = useState<Secret | null>(null);
  const [deleting, setDeleting] = useState<Secret | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  // Without SECRETS_KEY the server refuses every call: say how to turn secrets on instead of a form.
  const disabled = secrets.isError && secretsDisabled(secrets.error);

  const columns: Column<Secret>[] = [
    {
      key: "name",
      header: t("secrets.col.name"),
      cell: (secret) => (
        <code className="mono break" data-testid="secret-name">
          {secret.name}
        </code>
      ),
    },
    {
      key: "reference",
      header: t("secrets.col.reference"),
      cell: (secret) => <code className="mono break">{secretReference(secret.name)}</code>,
    },
    { key: "updated", header: t("secrets.col.updated"), cell: (secret) => <DateTime value={secret.updatedAt} /> },
    { key: "updatedBy", header: t("secrets.col.updatedBy"), cell: (secret) => secret.updatedBy },
    {
      key: "actions",
      header: t("common.actions"),
      className: "cell-actions",
      cell: (secret) => (
        <div className="row-actions">
          <Button
            size="sm"
            aria-label={t("secrets.replaceFor", { name: secret.name })}
            onClick={() => {
              setNotice(null);
              setReplacing(secret);
            }}
          >
            {t("secrets.replace")}
          </Button>
          <Button
            size="sm"
            variant="ghost"
            className="text-danger"
            aria-label={t("secrets.deleteFor", { name: secret.name })}
            onClick={() => {
              setNotice(null);
              remove.reset();
              setDeleting(secret);
            }}
          >
            {t("common.delete")}
          </Button>
        </div>
      ),
    },
  ];

  return (
    <div className="page">
      <header className="page-header">
        <h1>{t("secrets.title")}</h1>
        {secrets.isSuccess ? (
          <Button
            variant="primary"
            onClick={() => {
              setNotice(null);
              setCreating(true);
            }}
          >
            + {t("secrets.new")}
          </Button>
        ) : null}
      </header>
      <p className="muted page-intro">{t("secrets.intro")}</p>

      {notice ? <InlineAlert tone={notice.tone}>{notice.text}</InlineAlert> : null}

      {secrets.isPending ? (
        <Spinner />
      ) : disabled ? (
        <div className="notice notice-warning" role="note" data-testid="secrets-disabled">
          <strong>{t("secrets.disabledTitle")}</strong> {t("apiError.SECRETS_DISABLED")}
        </div>
      ) : secrets.isError ? (
        <ErrorState error={secrets.error} onRetry={() => secrets.refetch()} />
      ) : secrets.data.length === 0 ? (
        <EmptyState title={t("secrets.empty")}>
          <p>{t("secrets.emptyHint")}</p>
        </EmptyState>
      ) : (
        <Table
          columns={columns}
          rows={secrets.data}
          rowKey={(secret) => secret.name}
          caption={t("secrets.title")}
          testId="secrets-table"
          rowTestId={(secret) => `secret-row-${secret.name}`}
        />
      )}

      {creating ? (
        <CreateSecretDialog
          onClose={() => {
            create.reset();
            setCreating(false);
          }}
          onCreate={(input) =>
            create.mutateAsync(input).then((secret) => {
              // The value was in the mutation's variables: drop them with the dialog.
              create.reset();
              setCreating(false);
              setNotice({ tone: "success", text: t("secrets.created", { name: secret.name }) });
            })
          }
        />
      ) : null}

      {replacing ? (
        <ReplaceSecretDialog
          name={replacing.name}
          onClose={() => {
            replace.reset();
            setReplacing(null);
          }}
          onReplace={(value) =>
            replace.mutateAsync({ name: replacing.name, value }).then(() => {
              replace.reset();
              setNotice({ tone: "success", text: t("secrets.replaced", { name: replacing.name }) });
              setReplacing(null);
            })
          }
        />
      ) : null}

      {deleting ? (
        <ConfirmDialog
          title={t("secrets.deleteTitle")}
          body={t("secrets.deleteBody", { name: deleting.name })}
          confirmLabel={t("common.delete")}
          busy={remove.isPending}
          error={remove.isError ? t("secrets.deleteFailed", { message: errorMessage(remove.error, t) }) : undefined}
          onCancel={() => setDeleting(null)}
          onConfirm={() =>
            remove.mutate(deleting.name, {
              onSuccess: () => {
                setNotice({ tone: "success", text: t("secrets.deleted", { name: deleting.name }) });
                setDeleting(null);
              },
            })
          }
        />
      ) : null}
    </div>
  );
}
