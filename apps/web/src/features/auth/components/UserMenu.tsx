import { useState } from "react";
import { Button } from "../../../components/Button.tsx";
import { useI18n } from "../../../lib/i18n/index.tsx";
import { Link } from "../../../lib/router.tsx";
import { useSession } from "../../../lib/session.tsx";

/** Who is signed in, with which role, and the way out. Nothing outside a session. */
export function UserMenu() {
  const { t } = useI18n();
  const session = useSession();
  const [leaving, setLeaving] = useState(false);
  if (!session) return null;
  const { user } = session;
  return (
    <div className="user-menu" data-testid="user-menu">
      <span className="user-name" title={t("user.signedInAs", { name: user.username })}>
        <span className="visually-hidden">{t("user.signedIn")} </span>
        {user.username}
      </span>
      <span className={`tag role-${user.role}`} data-testid="user-role">
        {t(`role.${user.role}`)}
      </span>
      <Link to="/account" className="user-menu-link" data-testid="change-password-link">
        {t("user.changePassword")}
      </Link>
      <Button
        size="sm"
        variant="ghost"
        busy={leaving}
        onClick={() => {
          setLeaving(true);
          session.signOut();
        }}
      >
        {t("user.signOut")}
      </Button>
    </div>
  );
}
