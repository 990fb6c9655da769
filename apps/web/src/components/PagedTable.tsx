import type { Page } from "@crondeck/api-client";
import type { UseQueryResult } from "@tanstack/react-query";
import { EmptyState } from "./EmptyState.tsx";
import { ErrorState } from "./ErrorState.tsx";
import { Pagination } from "./Pagination.tsx";
import { Spinner } from "./Spinner.tsx";
import { type Column, Table } from "./Table.tsx";

/**
 * A page of a list query as the dashboard shows one: a spinner while loading, the error with a
 * retry, `empty` when there is nothing, else the table and its pagination.
 */
export function PagedTable<T>({
  query,
  columns,
  rowKey,
  caption,
  testId,
  empty,
  onPage,
  onPageSize,
}: {
  query: UseQueryResult<Page<T>>;
  columns: Column<T>[];
  rowKey: (row: T) => string | number;
  caption: string;
  testId: string;
  /** The empty state's title. */
  empty: string;
  onPage: (page: number) => void;
  onPageSize: (size: number) => void;
}) {
  if (query.isPending) return <Spinner />;
  if (query.isError) return <ErrorState error={query.error} onRetry={() => query.refetch()} />;
  const { items, page, pageSize, total, totalCapped } = query.data;
  if (items.length === 0) return <EmptyState title={empty} />;
  return (
    <>
      <Table columns={columns} rows={items} rowKey={rowKey} caption={caption} testId={testId} />
      <Pagination
        page={page}
        pageSize={pageSize}
        total={total}
        totalCapped={totalCapped}
        onPage={onPage}
        onPageSize={onPageSize}
      />
    </>
  );
}
