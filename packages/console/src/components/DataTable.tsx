import { Alert, Anchor, Button, Center, Checkbox, Group, Loader, Paper, Table, Text, UnstyledButton } from '@mantine/core';
import { IconArrowDown, IconArrowsSort, IconArrowUp } from '@tabler/icons-react';
import { flexRender, getCoreRowModel, useReactTable, type ColumnDef, type RowSelectionState, type SortingState } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useMemo, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { formatSort, parseSort } from '../lib/search.ts';
import { ProblemAlert } from './ProblemAlert.tsx';

/** Row selection of a DataTable, including "all N rows matching the filters" (beyond the loaded page). */
export interface Selection {
  /** Selected row ids of the loaded rows. */
  rows: RowSelectionState;
  setRows: (rows: RowSelectionState) => void;
  /** The user chose "select all N matching": act on the filter, not on `rows`. */
  allMatching: boolean;
  setAllMatching: (all: boolean) => void;
  clear: () => void;
  /** The selected ids (of loaded rows). */
  ids: string[];
}

export function useSelection(): Selection {
  const [rows, setRows] = useState<RowSelectionState>({});
  const [allMatching, setAllMatching] = useState(false);
  const clear = useCallback(() => {
    setRows({});
    setAllMatching(false);
  }, []);
  const ids = useMemo(() => Object.keys(rows).filter((k) => rows[k]), [rows]);
  return { rows, setRows, allMatching, setAllMatching, clear, ids };
}

const EMPTY: never[] = [];

/** A table height that fits `rows` rows of `rowHeight` px (at least room for the empty state), at most `max`: short lists leave no blank area. */
export function fitHeight(rows: number | undefined, { rowHeight = 45, max = 560 }: { rowHeight?: number; max?: number } = {}): number {
  return Math.min(max, 44 + Math.max(rows ?? 0, 4) * rowHeight);
}

const NO_SELECTION: RowSelectionState = {};

export interface DataTableProps<T> {
  data: T[] | undefined;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- TanStack's column values are heterogeneous
  columns: ColumnDef<T, any>[];
  getRowId: (row: T) => string;
  /** Rows matching the filters on the server (for "select all N matching" and the count). */
  total?: number;
  isLoading?: boolean;
  error?: unknown;
  onRetry?: () => void;
  /** Server-side sort as `field` or `-field` (descending), the server's convention — bind to the URL with `useUrlSort()`. Columns sort when `enableSorting` is not false and an `onSortChange` is given. */
  sort?: string;
  onSortChange?: (sort: string | undefined) => void;
  /** Checkbox column; from `useSelection()`. */
  selection?: Selection;
  onRowClick?: (row: T) => void;
  /** The scroll area's height (rows are virtualised inside it). */
  height?: number | string;
  /** Estimated row height in px (rows may be taller; they are measured). */
  rowHeight?: number;
  empty?: ReactNode;
  /** Actions shown above the table while rows are selected (bulk actions). */
  bulkActions?: ReactNode;
}

/**
 * A virtualised table: thousands of rows render smoothly, sort headers are bound to the URL, rows can be selected
 * (page or "all N matching"), and loading, error and empty states are built in.
 */
export function DataTable<T>({ data, columns, getRowId, total, isLoading, error, onRetry, sort, onSortChange, selection, onRowClick, height = 560, rowHeight = 41, empty, bulkActions }: DataTableProps<T>) {
  const { t } = useTranslation('common');
  // A stable empty array: a new `data` array on every render makes TanStack Table re-render forever.
  const rows = data ?? (EMPTY as T[]);
  const sorting: SortingState = useMemo(() => parseSort(sort), [sort]);

  const allColumns = useMemo<ColumnDef<T, unknown>[]>(() => {
    if (!selection) return columns;
    const select: ColumnDef<T, unknown> = {
      id: '_select',
      size: 40,
      enableSorting: false,
      header: ({ table }) => (
        <Checkbox
          aria-label={t('table.selectPage')}
          checked={table.getIsAllRowsSelected()}
          indeterminate={table.getIsSomeRowsSelected()}
          onChange={table.getToggleAllRowsSelectedHandler()}
        />
      ),
      cell: ({ row }) => (
        <Checkbox aria-label={t('table.selectRow')} checked={row.getIsSelected()} onChange={row.getToggleSelectedHandler()} onClick={(e) => e.stopPropagation()} />
      ),
    };
    return [select, ...columns];
  }, [columns, selection, t]);

  const table = useReactTable({
    data: rows,
    columns: allColumns,
    getRowId,
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    enableSorting: Boolean(onSortChange),
    enableSortingRemoval: true,
    state: { sorting, rowSelection: selection?.rows ?? NO_SELECTION },
    onSortingChange: (updater) => {
      const next = typeof updater === 'function' ? updater(sorting) : updater;
      onSortChange?.(formatSort(next));
    },
    enableRowSelection: Boolean(selection),
    onRowSelectionChange: (updater) => {
      if (!selection) return;
      const next = typeof updater === 'function' ? updater(selection.rows) : updater;
      selection.setRows(next);
      if (selection.allMatching) selection.setAllMatching(false);
    },
  });

  const scrollRef = useRef<HTMLDivElement>(null);
  const tableRows = table.getRowModel().rows;
  const virtualizer = useVirtualizer({ count: tableRows.length, getScrollElement: () => scrollRef.current, estimateSize: () => rowHeight, overscan: 12 });
  const items = virtualizer.getVirtualItems();
  const padTop = items.length > 0 ? items[0].start : 0;
  const padBottom = items.length > 0 ? virtualizer.getTotalSize() - items[items.length - 1].end : 0;

  const selectedCount = selection ? (selection.allMatching ? (total ?? rows.length) : selection.ids.length) : 0;
  const pageAllSelected = selection && rows.length > 0 && table.getIsAllRowsSelected();

  if (error) {
    return (
      <Paper withBorder p="md">
        <ProblemAlert error={error} />
        {onRetry ? (
          <Button mt="sm" variant="default" onClick={onRetry}>
            {t('retry')}
          </Button>
        ) : null}
      </Paper>
    );
  }

  return (
    <Paper withBorder>
      {selection && selectedCount > 0 ? (
        <Alert variant="light" radius={0} p="xs">
          <Group gap="sm" justify="space-between">
            <Group gap="sm">
              <Text size="sm" fw={500} data-testid="selection-count">
                {selection.allMatching ? t('table.allMatchingSelected', { total }) : t('table.selected', { count: selectedCount })}
              </Text>
              {pageAllSelected && !selection.allMatching && total !== undefined && total > rows.length ? (
                <Anchor component="button" size="sm" onClick={() => selection.setAllMatching(true)}>
                  {t('table.selectAllMatching', { total })}
                </Anchor>
              ) : null}
              <Anchor component="button" size="sm" c="dimmed" onClick={selection.clear}>
                {t('table.clearSelection')}
              </Anchor>
            </Group>
            <Group gap="xs">{bulkActions}</Group>
          </Group>
        </Alert>
      ) : null}
      <div ref={scrollRef} style={{ height, overflow: 'auto', position: 'relative' }}>
        <Table stickyHeader highlightOnHover={Boolean(onRowClick)} verticalSpacing="xs" style={{ tableLayout: 'auto' }}>
          <Table.Thead>
            {table.getHeaderGroups().map((hg) => (
              <Table.Tr key={hg.id}>
                {hg.headers.map((h) => {
                  const dir = h.column.getIsSorted();
                  const sortable = h.column.getCanSort();
                  const label = h.isPlaceholder ? null : flexRender(h.column.columnDef.header, h.getContext());
                  return (
                    <Table.Th key={h.id} style={{ width: h.column.columnDef.size, whiteSpace: 'nowrap' }} aria-sort={dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : undefined}>
                      {sortable ? (
                        <UnstyledButton fz="sm" onClick={h.column.getToggleSortingHandler()} style={{ display: 'inline-flex', alignItems: 'center', gap: 4, fontWeight: 600 }}>
                          {label}
                          {dir === 'asc' ? <IconArrowUp size={14} /> : dir === 'desc' ? <IconArrowDown size={14} /> : <IconArrowsSort size={14} opacity={0.4} />}
                        </UnstyledButton>
                      ) : (
                        label
                      )}
                    </Table.Th>
                  );
                })}
              </Table.Tr>
            ))}
          </Table.Thead>
          <Table.Tbody>
            {padTop > 0 ? (
              <tr>
                <td style={{ height: padTop, padding: 0, border: 0 }} colSpan={allColumns.length} />
              </tr>
            ) : null}
            {items.map((vi) => {
              const row = tableRows[vi.index];
              return (
                <Table.Tr
                  key={row.id}
                  data-index={vi.index}
                  ref={virtualizer.measureElement}
                  onClick={onRowClick ? () => onRowClick(row.original) : undefined}
                  style={onRowClick ? { cursor: 'pointer' } : undefined}
                  bg={row.getIsSelected() ? 'var(--mantine-primary-color-light)' : undefined}
                >
                  {row.getVisibleCells().map((cell) => (
                    <Table.Td key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</Table.Td>
                  ))}
                </Table.Tr>
              );
            })}
            {padBottom > 0 ? (
              <tr>
                <td style={{ height: padBottom, padding: 0, border: 0 }} colSpan={allColumns.length} />
              </tr>
            ) : null}
          </Table.Tbody>
        </Table>
        {isLoading && rows.length === 0 ? (
          <Center h={160}>
            <Loader size="sm" role="status" aria-label={t('loading')} />
          </Center>
        ) : null}
        {!isLoading && rows.length === 0 ? (
          <Center h={160}>
            <Text c="dimmed" size="sm">
              {empty ?? t('empty')}
            </Text>
          </Center>
        ) : null}
      </div>
      {total !== undefined ? (
        <Text size="xs" c="dimmed" px="sm" py={6} style={{ borderTop: '1px solid var(--mantine-color-default-border)' }}>
          {t('table.rows', { count: total })}
        </Text>
      ) : null}
    </Paper>
  );
}
