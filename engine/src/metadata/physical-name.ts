// PostgreSQL truncates identifiers at 63 bytes; long derived names keep a readable head and a hash tail.
import { createHash } from 'node:crypto';

const MAX_IDENTIFIER = 63;

export function physicalName(...parts: string[]): string {
  const full = parts.join('_');
  if (full.length <= MAX_IDENTIFIER) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  return `${full.slice(0, MAX_IDENTIFIER - 9)}_${hash}`;
}
