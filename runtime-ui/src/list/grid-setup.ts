// ag-grid's modules (registered once, only those the lists use) and its theme and texts in the UI's locale.
import {
  CellStyleModule,
  ColumnApiModule,
  DateFilterModule,
  InfiniteRowModelModule,
  LocaleModule,
  ModuleRegistry,
  NumberFilterModule,
  RowSelectionModule,
  TextFilterModule,
  themeQuartz,
} from 'ag-grid-community';
import { t } from '../i18n/i18n';
import type { MessageKey } from '../i18n/messages';

ModuleRegistry.registerModules([
  InfiniteRowModelModule,
  TextFilterModule,
  NumberFilterModule,
  DateFilterModule,
  LocaleModule,
  CellStyleModule,
  RowSelectionModule,
  // getColumnState: the columns as the user arranged them, saved as their own view.
  ColumnApiModule,
]);

export const gridTheme = themeQuartz.withParams({
  fontFamily: 'inherit',
  fontSize: 13,
  accentColor: '#4f46e5',
  headerBackgroundColor: '#fafbfc',
  headerTextColor: '#5b6475',
  borderColor: '#e5e8ef',
  rowHoverColor: '#f6f7ff',
  wrapperBorder: false,
  wrapperBorderRadius: 0,
  rowHeight: 42,
  headerHeight: 42,
});

const GRID_KEYS = [
  'contains',
  'notContains',
  'equals',
  'notEqual',
  'startsWith',
  'lessThan',
  'greaterThan',
  'inRange',
  'blank',
  'notBlank',
  'filterOoo',
  'noRowsToShow',
  'loadingOoo',
  'andCondition',
  'orCondition',
  'applyFilter',
  'resetFilter',
  'clearFilter',
] as const;

/** ag-grid's own words in the current locale (read when a grid is created). */
export function gridLocaleText(): Record<string, string> {
  return Object.fromEntries(GRID_KEYS.map((k) => [k, t(`grid.${k}` as MessageKey)]));
}
