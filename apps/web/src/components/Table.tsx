import type { ReactNode } from "react";

export type SortOrder = "asc" | "desc";

export interface Column<T> {
  key: string;
  header: string;
  /** Rendered in the header cell instead of `header` (e.g. a select-all checkbox); `header` still labels the cells. */
  headerCell?: ReactNode;
  cell: (row: T) => ReactNode;
  /** When set, the header is a button that sorts by this server-side key. */
  sortKey?: string;
  className?: string;
}

interface TableProps<T> {
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T) => string | number;
  caption?: string;
  sort?: { key: string; order: SortOrder };
  onSort?: (key: string) => void;
  sortLabel?: (header: string) => string;
  testId?: string;
  rowTestId?: (row: T) => string;
  rowClassName?: (row: T) => string | undefined;
}

/** A data table that scrolls sideways on narrow screens instead of squeezing its columns. */
export function Table<T>({
  columns,
  rows,
  rowKey,
  caption,
  sort,
  onSort,
  sortLabel,
  testId,
  rowTestId,
  rowClassName,
}: TableProps<T>) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid={testId}>
        {caption ? <caption className="visually-hidden">{caption}</caption> : null}
        <thead>
          <tr>
            {columns.map((col) => {
              const active = col.sortKey && sort?.key === col.sortKey;
              const ariaSort = active ? (sort?.order === "asc" ? "ascending" : "descending") : undefined;
              return (
                <th key={col.key} scope="col" aria-sort={ariaSort} className={col.className}>
                  {col.sortKey && onSort ? (
                    <button
                      type="button"
                      className="th-sort"
                      onClick={() => onSort(col.sortKey as string)}
                      title={sortLabel?.(col.header)}
                    >
                      {col.header}
                      <span className="sort-arrow" aria-hidden="true">
                        {active ? (sort?.order === "asc" ? "▲" : "▼") : "↕"}
                      </span>
                    </button>
                  ) : (
                    (col.headerCell ?? col.header)
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)} data-testid={rowTestId?.(row)} className={rowClassName?.(row)}>
              {columns.map((col) => (
                <td key={col.key} className={col.className} data-label={col.header}>
                  {col.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
