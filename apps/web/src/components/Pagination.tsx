import { useI18n } from "../lib/i18n/index.tsx";
import { Button } from "./Button.tsx";

const PAGE_SIZES = [10, 20, 50, 100];

export function Pagination({
  page,
  pageSize,
  total,
  totalCapped = false,
  onPage,
  onPageSize,
}: {
  page: number;
  pageSize: number;
  total: number;
  /** More match than the server counted (`total` is its limit): later pages exist past the last counted one. */
  totalCapped?: boolean;
  onPage: (page: number) => void;
  onPageSize?: (size: number) => void;
}) {
  const { t } = useI18n();
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return (
    <nav className="pagination" aria-label={t("pagination.label")}>
      <span className="pagination-total">
        {t(totalCapped ? "pagination.totalMore" : "pagination.total", { total })}
      </span>
      <Button size="sm" onClick={() => onPage(page - 1)} disabled={page <= 1}>
        {t("pagination.prev")}
      </Button>
      <span aria-live="polite">
        {t("pagination.pageOf", { page, pages: totalCapped ? `${Math.max(pages, page)}+` : pages })}
      </span>
      <Button size="sm" onClick={() => onPage(page + 1)} disabled={!totalCapped && page >= pages}>
        {t("pagination.next")}
      </Button>
      {onPageSize ? (
        <label className="pagination-size">
          {t("pagination.pageSize")}
          <select value={pageSize} onChange={(e) => onPageSize(Number(e.target.value))}>
            {PAGE_SIZES.map((size) => (
              <option key={size} value={size}>
                {size}
              </option>
            ))}
          </select>
        </label>
      ) : null}
    </nav>
  );
}
