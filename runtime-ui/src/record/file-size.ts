// A byte count as people read it: 1 KB is 1,024 bytes, one decimal below 10 of a unit. Pure.
const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

export function fileSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}
