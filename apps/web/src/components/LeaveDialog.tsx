import { useI18n } from "../lib/i18n/index.tsx";
import { Button } from "./Button.tsx";
import { Modal } from "./Modal.tsx";

/** "Leave without saving?": staying is the safe choice and gets focus first. */
export function LeaveDialog({ onStay, onLeave }: { onStay: () => void; onLeave: () => void }) {
  const { t } = useI18n();
  return (
    <Modal
      title={t("leave.title")}
      onClose={onStay}
      footer={
        <>
          <Button onClick={onStay} data-testid="leave-stay">
            {t("leave.stay")}
          </Button>
          <Button variant="danger" onClick={onLeave} data-testid="leave-confirm">
            {t("leave.confirm")}
          </Button>
        </>
      }
    >
      <p>{t("leave.body")}</p>
    </Modal>
  );
}
