// A JSON value in the record form: edited as text, parsed as the user types, a parse error shown under the field
// (and the form told, so it is not saved with the last good value in place of what the user sees).
import { useEffect, useState } from 'react';
import type { FieldProps } from '@rjsf/utils';
import type { FormContext } from './form-context';
import { parseJsonText, showJson as show } from './json-text';

export function JsonField(props: FieldProps) {
  const ctx = props.registry.formContext as FormContext;
  const [text, setText] = useState(show(props.formData));
  const [reason, setReason] = useState<string | null>(null);
  // A value changed from outside (a reload) replaces the text, unless it is what the text already says.
  useEffect(() => {
    const parsed = parseJsonText(text);
    if (!parsed.ok || JSON.stringify(parsed.value) !== JSON.stringify(props.formData ?? null)) {
      setText(show(props.formData));
      setReason(null);
      ctx.reportInvalid?.(props.name, false);
    }
  }, [JSON.stringify(props.formData ?? null)]);
  const locked = props.disabled || props.readonly;
  const id = props.fieldPathId.$id;
  const errors = [...(reason ? [ctx.texts.invalidJson(reason)] : []), ...((props.errorSchema?.__errors ?? []) as string[])];
  return (
    <div className={`form-group field${errors.length ? ' has-error' : ''}`} data-field={props.name}>
      <label className="control-label" htmlFor={id}>
        {(props.uiSchema?.['ui:title'] as string | undefined) ?? props.schema.title ?? props.name}
      </label>
      <textarea
        id={id}
        className="form-control json-editor"
        spellCheck={false}
        rows={Math.min(16, Math.max(4, text.split('\n').length + 1))}
        value={text}
        readOnly={locked}
        onChange={(e) => {
          setText(e.target.value);
          const parsed = parseJsonText(e.target.value);
          setReason(parsed.ok ? null : parsed.reason);
          ctx.reportInvalid?.(props.name, !parsed.ok);
          if (parsed.ok) props.onChange(parsed.value ?? undefined, props.fieldPathId.path);
        }}
      />
      {errors.length > 0 && (
        <ul className="error-detail" data-test={`json-error-${props.name}`}>
          {errors.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
