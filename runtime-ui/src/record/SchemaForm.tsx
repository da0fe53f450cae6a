// The record form: @rjsf/core with Tessera's layout (sections in columns, one tab at a time), relation pickers
// that search the target's list, and read-only displays of calculated fields. Mounted by FormIsland.vue.
import { useEffect, useState, type ReactElement } from 'react';
import Form from '@rjsf/core';
import validator from '@rjsf/validator-ajv8';
import type { ErrorSchema, FieldProps, ObjectFieldTemplateProps, RJSFSchema, WidgetProps } from '@rjsf/utils';
import { formatValue, isScore } from '../list/cell-format';
import type { SectionMeta } from '../api/meta-types';
import { useRelationSearch } from './relation-search';
import { RelationSetField } from './RelationSetField';
import { JsonField } from './JsonField';
import { FileField } from './FileField';
import type { FormContext } from './form-context';
import '../styles/form-widgets.css';

function Section({ section, children }: { section: SectionMeta; children: ReactElement[] }) {
  const [open, setOpen] = useState(!section.collapsed);
  return (
    <section className="tsection card" data-section={section.name}>
      {section.label && (
        <div className="tsection-head" onClick={() => setOpen(!open)}>
          <h2>{section.label}</h2>
          <span aria-hidden="true">{open ? '−' : '+'}</span>
        </div>
      )}
      {open && <div className={`tsection-body cols-${section.columns}`}>{children}</div>}
    </section>
  );
}

function LayoutTemplate(props: ObjectFieldTemplateProps) {
  const ctx = props.registry.formContext as FormContext;
  if (props.fieldPathId.path.length > 0) {
    // A value with parts (money: amount + currency) reads as one field.
    return (
      <div className="form-group">
        <label className="control-label">
          {props.title}
          {props.required && <span className="required">*</span>}
        </label>
        <div className="money">{props.properties.map((p) => p.content)}</div>
      </div>
    );
  }
  const byName = new Map(props.properties.map((p) => [p.name, p.content]));
  return (
    <div>
      {ctx.sections.map((s) => (
        <Section key={s.name} section={s}>
          {s.fields.flatMap((f) => {
            const content = byName.get(f);
            return content
              ? [
                  <div key={f} className="cell" data-field={f}>
                    {content}
                  </div>,
                ]
              : [];
          })}
        </Section>
      ))}
    </div>
  );
}

function RelationWidget(props: WidgetProps) {
  const ctx = props.registry.formContext as FormContext;
  const target = String(props.options.target ?? '');
  const titleField = (props.options.titleField as string | null) ?? null;
  const [title, setTitle] = useState('');
  const { query, options, search, close } = useRelationSearch(ctx.fetchJson, target, titleField);
  const value = typeof props.value === 'string' ? props.value : '';

  useEffect(() => {
    if (!value) return setTitle('');
    let live = true;
    ctx.fetchJson(`/api/v1/${target}/${value}${titleField ? `?fields=${titleField}` : ''}`).then(
      (res) => live && setTitle(String((res as { data: Record<string, unknown> }).data[titleField ?? 'id'] ?? value)),
      () => live && setTitle(value.slice(0, 8)),
    );
    return () => {
      live = false;
    };
  }, [value, target, titleField]);

  const locked = props.disabled || props.readonly;
  return (
    <div className="picker">
      <input
        id={props.id}
        className="form-control"
        value={query ?? title}
        placeholder={ctx.texts.search}
        disabled={locked}
        autoComplete="off"
        onFocus={() => search(query ?? '')}
        onChange={(e) => search(e.target.value)}
        onBlur={() => setTimeout(close, 150)}
      />
      {value && !locked && (
        <button type="button" className="picker-clear" aria-label="clear" onClick={() => props.onChange(undefined)}>
          ×
        </button>
      )}
      {query !== null && (
        <ul className="picker-list card" role="listbox">
          {options.length === 0 && <li className="picker-none">{ctx.texts.none}</li>}
          {options.map((o) => (
            <li
              key={o.id}
              role="option"
              aria-selected={o.id === value}
              onMouseDown={(e) => {
                e.preventDefault();
                props.onChange(o.id);
                setTitle(o.title);
                close();
              }}
            >
              {o.title}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function ReadonlyValue(props: FieldProps) {
  const ctx = props.registry.formContext as FormContext;
  const o = (props.uiSchema?.['ui:options'] ?? {}) as {
    kind: string;
    values: { value: string; label: string }[] | null;
    titleField: string | null;
    derived: boolean;
    criteria: { id: string; label: string }[] | null;
    json?: boolean;
  };
  const value: unknown = props.formData;
  const explanation =
    isScore(value) && Array.isArray((value as { explanation?: unknown }).explanation)
      ? (value as unknown as { explanation: { criterion: string; points: number }[] }).explanation
          .map((e) => `${o.criteria?.find((c) => c.id === e.criterion)?.label ?? e.criterion}: ${e.points}`)
          .join('\n')
      : undefined;
  const text = formatValue({ kind: o.kind, values: o.values ?? undefined, titleField: o.titleField }, value, ctx.locale);
  return (
    <div className="form-group field readonly" data-field={props.name}>
      <label className="control-label">
        {(props.uiSchema?.['ui:title'] as string | undefined) ?? props.schema.title ?? props.name}
        {o.derived && <span className="calc">{ctx.texts.calculated}</span>}
      </label>
      {o.json && value !== null && value !== undefined ? (
        <pre className="readonly-value json">{JSON.stringify(value, null, 2)}</pre>
      ) : (
        <div className="readonly-value" title={explanation}>
          {text || '—'}
        </div>
      )}
    </div>
  );
}

export interface SchemaFormProps {
  schema: RJSFSchema;
  uiSchema: Record<string, unknown>;
  formData: Record<string, unknown>;
  extraErrors: Record<string, unknown>;
  context: FormContext;
  onChange: (data: Record<string, unknown>) => void;
  onSubmit: () => void;
}

export function SchemaForm(props: SchemaFormProps) {
  return (
    <Form
      className="tform"
      schema={props.schema}
      uiSchema={props.uiSchema}
      formData={props.formData}
      validator={validator}
      noValidate
      noHtml5Validate
      showErrorList={false}
      extraErrors={props.extraErrors as ErrorSchema}
      formContext={props.context}
      templates={{ ObjectFieldTemplate: LayoutTemplate }}
      widgets={{ relation: RelationWidget, user: RelationWidget }}
      fields={{ readonlyValue: ReadonlyValue, relationSet: RelationSetField, jsonText: JsonField, fileUpload: FileField }}
      onChange={(e) => props.onChange(e.formData as Record<string, unknown>)}
      onSubmit={() => props.onSubmit()}
    >
      <button type="submit" hidden />
    </Form>
  );
}
