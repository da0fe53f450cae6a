// Builds list URLs for the generic API: objects (filters) become URL-encoded JSON, arrays comma lists.

export type ListParams = Record<string, unknown>;

export function listUrl(entity: string, params: ListParams = {}): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    const text =
      typeof value === 'string'
        ? value
        : Array.isArray(value)
          ? value.join(',')
          : typeof value === 'object' || typeof value === 'boolean'
            ? JSON.stringify(value)
            : String(value);
    parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(text)}`);
  }
  return `/api/v1/${entity}${parts.length ? `?${parts.join('&')}` : ''}`;
}
