import { useI18n } from "../lib/i18n/index.tsx";
import { Button } from "./Button.tsx";
import { InlineAlert } from "./ErrorState.tsx";
import { Modal } from "./Modal.tsx";

/** Asks before something that cannot be undone; the safe choice (cancel) gets focus first. */
export function ConfirmDialog({
  title,
  body,
  confirmLabel,
  onConfirm,
  onCancel,
  busy,
  error,
}: {
  title: string;
  body: string;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  busy?: boolean;
  error?: string;
}) {
  const { t } = useI18n();
  return (
    <Modal
      title={title}
      onClose={onCancel}
      footer={
        <>
          <Button onClick={onCancel}>{t("common.cancel")}</Button>
          <Button variant="danger" onClick={onConfirm} busy={busy} data-testid="confirm-button">
            {confirmLabel}
          </Button>
        </>
      }
    >
      <p>{body}</p>
      {error ? <InlineAlert>{error}</InlineAlert> : null}
    </Modal>
  );
}
