import { useI18n } from "../lib/i18n/index.tsx";
import type { Role } from "../lib/permissions.ts";
import { useSession } from "../lib/session.tsx";
import { ButtonLink } from "./Button.tsx";
import { EmptyState } from "./EmptyState.tsx";

/** In place of a page the signed-in role may not use: says which role it needs, keeps the session. */
export function Forbidden({ need }: { need: Role }) {
  const { t } = useI18n();
  const session = useSession();
  return (
    <div className="page" data-testid="forbidden">
      <EmptyState title={t("forbidden.title")}>
        <p>
          {session
            ? t("forbidden.body", {
                need: t(`role.${need}`),
                name: session.user.username,
                role: t(`role.${session.user.role}`),
              })
            : t("error.forbidden")}
        </p>
        <ButtonLink to="/" variant="primary">
          {t("notFound.home")}
        </ButtonLink>
      </EmptyState>
    </div>
  );
}
