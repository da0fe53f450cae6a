// Searching a relation's target through its list API (so the caller's scope decides what is offered) and naming
// records by their title field. Shared by the one-record picker and the many-to-many set in the record form.
import { useRef, useState } from 'react';

export interface RelatedOption {
  id: string;
  title: string;
}

type FetchJson = (path: string) => Promise<unknown>;

function toOptions(res: unknown, titleField: string | null): RelatedOption[] {
  return (res as { data: Record<string, unknown>[] }).data.map((r) => ({ id: String(r.id), title: String(r[titleField ?? 'id'] ?? r.id) }));
}

/** The first records of `target` whose title contains the text typed, 200 ms after the user stops typing. */
export function useRelationSearch(fetchJson: FetchJson, target: string, titleField: string | null) {
  const [query, setQuery] = useState<string | null>(null);
  const [options, setOptions] = useState<RelatedOption[]>([]);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  function search(text: string) {
    setQuery(text);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      const filter =
        titleField && text.trim() ? `&filter=${encodeURIComponent(JSON.stringify({ contains: [{ var: titleField }, text.trim()] }))}` : '';
      const fields = titleField ? `&fields=${titleField}` : '';
      fetchJson(`/api/v1/${target}?limit=8${fields}${filter}`).then(
        (res) => setOptions(toOptions(res, titleField)),
        () => setOptions([]),
      );
    }, 200);
  }
  return { query, options, search, close: () => setQuery(null) };
}

/** The titles of the given records of `target` (those the caller may read; others keep a short id). */
export async function titlesOf(
  fetchJson: FetchJson,
  target: string,
  titleField: string | null,
  ids: readonly string[],
): Promise<RelatedOption[]> {
  if (ids.length === 0) return [];
  const filter = encodeURIComponent(JSON.stringify({ in: [{ var: 'id' }, ids] }));
  const res = await fetchJson(`/api/v1/${target}?limit=${ids.length}${titleField ? `&fields=${titleField}` : ''}&filter=${filter}`);
  const found = new Map(toOptions(res, titleField).map((o) => [o.id, o]));
  return ids.map((id) => found.get(id) ?? { id, title: id.slice(0, 8) });
}
