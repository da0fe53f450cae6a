// A many-to-many field in the record form: the linked records as removable chips with their titles, and a search
// over the target's list (the caller's scope applies) to add more. The value is the whole set of ids, which is what
// the API's write of such a field takes (it replaces the links).
import { useEffect, useState } from 'react';
import type { FieldProps } from '@rjsf/utils';
import type { FormContext } from './form-context';
import { titlesOf, useRelationSearch } from './relation-search';

export function RelationSetField(props: FieldProps) {
  const ctx = props.registry.formContext as FormContext;
  const o = (props.uiSchema?.['ui:options'] ?? {}) as { target?: string; titleField?: string | null };
  const target = o.target ?? '';
  const titleField = o.titleField ?? null;
  const ids = Array.isArray(props.formData) ? (props.formData as unknown[]).map(String) : [];
  const [titles, setTitles] = useState<Record<string, string>>({});
  const { query, options, search, close } = useRelationSearch(ctx.fetchJson, target, titleField);
  const locked = props.disabled || props.readonly;
  const inputId = `${props.fieldPathId.$id}_search`;

  const unknown = ids.filter((id) => !(id in titles));
  useEffect(() => {
    if (unknown.length === 0) return;
    let live = true;
    titlesOf(ctx.fetchJson, target, titleField, unknown).then(
      (found) => live && setTitles((known) => ({ ...known, ...Object.fromEntries(found.map((f) => [f.id, f.title])) })),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [unknown.join(','), target, titleField]);

  const errors = (props.errorSchema?.__errors ?? []) as string[];
  return (
    <div className={`form-group field${errors.length ? ' has-error' : ''}`} data-field={props.name}>
      <label className="control-label" htmlFor={inputId}>
        {(props.uiSchema?.['ui:title'] as string | undefined) ?? props.schema.title ?? props.name}
      </label>
      <div className="relation-set" data-test={`set-${props.name}`}>
        {ids.map((id) => (
          <span key={id} className="chip set-chip" data-id={id}>
            <span className="set-title">{titles[id] ?? '…'}</span>
            {!locked && (
              <button
                type="button"
                aria-label={`${ctx.texts.remove} ${titles[id] ?? ''}`}
                onClick={() =>
                  props.onChange(
                    ids.filter((x) => x !== id),
                    props.fieldPathId.path,
                  )
                }
              >
                ×
              </button>
            )}
          </span>
        ))}
        {ids.length === 0 && locked && <span className="readonly-value">—</span>}
      </div>
      {!locked && (
        <div className="picker">
          <input
            id={inputId}
            className="form-control"
            value={query ?? ''}
            placeholder={ctx.texts.search}
            autoComplete="off"
            onFocus={() => search(query ?? '')}
            onChange={(e) => search(e.target.value)}
            onBlur={() => setTimeout(close, 150)}
          />
          {query !== null && (
            <ul className="picker-list card" role="listbox" aria-multiselectable="true">
              {options.length === 0 && <li className="picker-none">{ctx.texts.none}</li>}
              {options.map((opt) => (
                <li
                  key={opt.id}
                  role="option"
                  aria-selected={ids.includes(opt.id)}
                  onMouseDown={(e) => {
                    e.preventDefault();
                    setTitles((known) => ({ ...known, [opt.id]: opt.title }));
                    const next = ids.includes(opt.id) ? ids.filter((x) => x !== opt.id) : [...ids, opt.id];
                    props.onChange(next, props.fieldPathId.path);
                  }}
                >
                  {opt.title}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {errors.length > 0 && (
        <ul className="error-detail">
          {errors.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
