import { useState } from "react";
import { Button } from "../../../components/Button.tsx";
import { ConfirmDialog } from "../../../components/ConfirmDialog.tsx";
import { DateTime } from "../../../components/DateTime.tsx";
import { ErrorState, errorMessage, InlineAlert } from "../../../components/ErrorState.tsx";
import { Spinner } from "../../../components/Spinner.tsx";
import { type Column, Table } from "../../../components/Table.tsx";
import { ApiError } from "../../../lib/api-client.ts";
import { type Translate, useI18n } from "../../../lib/i18n/index.tsx";
import { ROLES, type Role } from "../../../lib/permissions.ts";
import { useSession } from "../../../lib/session.tsx";
import { usePageTitle } from "../../../lib/use-page-title.ts";
import { type User, type UserChange, useCreateUser, useDeleteUser, useUpdateUser, useUsers } from "../api/users-api.ts";
import { CreateUserDialog, ResetPasswordDialog } from "./UserDialogs.tsx";

type Notice = { tone: "error" | "success"; text: string };

/** LAST_ADMIN has its own sentence: it is the one refusal an admin is likely to meet here. */
function changeError(error: unknown, t: Translate): string {
  if (error instanceof ApiError && error.code === "LAST_ADMIN") return t("users.lastAdmin");
  return errorMessage(error, t);
}

/** Admins manage who can sign in and with which role. Their own row cannot lock them out. */
export function UsersPage() {
  const { t } = useI18n();
  usePageTitle(t("users.title"));
  const me = useSession()?.user;
  const users = useUsers();
  const create = useCreateUser();
  const update = useUpdateUser();
  const remove = useDeleteUser();
  const [creating, setCreating] = useState(false);
  const [resetting, setResetting] = useState<User | null>(null);
  const [deleting, setDeleting] = useState<User | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);

  const change = (user: User, patch: UserChange, success: string) => {
    setNotice(null);
    return update.mutateAsync(
      { id: user.id, change: patch },
      {
        onSuccess: () => setNotice({ tone: "success", text: success }),
        onError: (error) =>
          setNotice({
            tone: "error",
            text: t("users.actionFailed", { name: user.username, message: changeError(error, t) }),
          }),
      },
    );
  };

  const columns: Column<User>[] = [
    {
      key: "username",
      header: t("users.col.username"),
      cell: (user) => (
        <span className="cell-name">
          <span data-testid="user-name">{user.username}</span>
          {user.id === me?.id ? <span className="cell-sub">{t("users.you")}</span> : null}
        </span>
      ),
    },
    {
      key: "role",
      header: t("users.col.role"),
      cell: (user) => (
        <select
          aria-label={t("users.roleFor", { name: user.username })}
          value={user.role}
          disabled={user.id === me?.id}
          title={user.id === me?.id ? t("users.selfHint") : undefined}
          onChange={(e) => {
            const role = e.target.value as Role;
            change(user, { role }, t("users.roleChanged", { name: user.username, role: t(`role.${role}`) })).catch(
              () => {},
            );
          }}
        >
          {ROLES.map((role) => (
            <option key={role} value={role}>
              {t(`role.${role}`)}
            </option>
          ))}
        </select>
      ),
    },
    {
      key: "status",
      header: t("users.col.status"),
      cell: (user) =>
        user.disabled ? (
          <span className="badge badge-muted">{t("users.disabledState")}</span>
        ) : (
          <span className="badge badge-success">{t("users.active")}</span>
        ),
    },
    {
      key: "lastLogin",
      header: t("users.col.lastLogin"),
      cell: (user) =>
        user.lastLoginAt ? <DateTime value={user.lastLoginAt} /> : <span className="muted">{t("users.never")}</span>,
    },
    { key: "created", header: t("users.col.created"), cell: (user) => <DateTime value={user.createdAt} /> },
    {
      key: "actions",
      header: t("common.actions"),
      className: "cell-actions",
      cell: (user) => {
        const self = user.id === me?.id;
        return (
          <div className="row-actions">
            <Button
              size="sm"
              onClick={() => setResetting(user)}
              aria-label={t("users.resetPasswordFor", { name: user.username })}
            >
              {t("users.resetPassword")}
            </Button>
            <Button
              size="sm"
              variant="ghost"
              disabled={self}
              title={self ? t("users.selfHint") : undefined}
              aria-label={t(user.disabled ? "users.enableFor" : "users.disableFor", { name: user.username })}
              onClick={() =>
                change(
                  user,
                  { disabled: !user.disabled },
                  t(user.disabled ? "users.enabled" : "users.disabled", { name: user.username }),
                ).catch(() => {})
              }
            >
              {t(user.disabled ? "users.enable" : "users.disable")}
            </Button>
            <Button
              size="sm"
              variant="ghost"
              className="text-danger"
              disabled={self}
              title={self ? t("users.selfHint") : undefined}
              aria-label={t("users.deleteFor", { name: user.username })}
              onClick={() => {
                remove.reset();
                setDeleting(user);
              }}
            >
              {t("common.delete")}
            </Button>
          </div>
        );
      },
    },
  ];

  return (
    <div className="page">
      <header className="page-header">
        <h1>{t("users.title")}</h1>
        <Button variant="primary" onClick={() => setCreating(true)}>
          + {t("users.new")}
        </Button>
      </header>
      <p className="muted page-intro">{t("users.intro")}</p>

      {notice ? <InlineAlert tone={notice.tone}>{notice.text}</InlineAlert> : null}

      {users.isPending ? (
        <Spinner />
      ) : users.isError ? (
        <ErrorState error={users.error} onRetry={() => users.refetch()} />
      ) : (
        <Table
          columns={columns}
          rows={users.data}
          rowKey={(user) => user.id}
          caption={t("users.title")}
          testId="users-table"
          rowTestId={(user) => `user-row-${user.username}`}
        />
      )}

      {creating ? (
        <CreateUserDialog
          onClose={() => setCreating(false)}
          onCreate={(input) =>
            create.mutateAsync(input).then((user) => {
              setCreating(false);
              setNotice({ tone: "success", text: t("users.created", { name: user.username }) });
            })
          }
        />
      ) : null}

      {resetting ? (
        <ResetPasswordDialog
          username={resetting.username}
          onClose={() => setResetting(null)}
          onReset={(password) =>
            update.mutateAsync({ id: resetting.id, change: { password } }).then(() => {
              setNotice({ tone: "success", text: t("users.passwordChanged", { name: resetting.username }) });
              setResetting(null);
            })
          }
        />
      ) : null}

      {deleting ? (
        <ConfirmDialog
          title={t("users.deleteTitle")}
          body={t("users.deleteBody", { name: deleting.username })}
          confirmLabel={t("common.delete")}
          busy={remove.isPending}
          error={remove.isError ? t("users.deleteFailed", { message: changeError(remove.error, t) }) : undefined}
          onCancel={() => setDeleting(null)}
          onConfirm={() =>
            remove.mutate(deleting.id, {
              onSuccess: () => {
                setNotice({ tone: "success", text: t("users.deleted", { name: deleting.username }) });
                setDeleting(null);
              },
            })
          }
        />
      ) : null}
    </div>
  );
}
