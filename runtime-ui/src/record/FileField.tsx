// A `file` field on a saved record: the stored file's name (a download), size and type, and buttons to upload,
// replace or remove it. The bytes go through the record's file route, not the form's save (the page's `files`),
// and the server's refusal (too large, a type it does not take, a bad name) is shown under the field.
import { useRef, useState } from 'react';
import type { FieldProps } from '@rjsf/utils';
import type { FormContext } from './form-context';
import { fileSize } from './file-size';

interface FileRef {
  sha256: string;
  name: string;
  size: number;
  contentType: string;
}

export function FileField(props: FieldProps) {
  const ctx = props.registry.formContext as FormContext;
  const writable = Boolean((props.uiSchema?.['ui:options'] as { writable?: boolean } | undefined)?.writable) && !props.disabled;
  const file = (props.formData ?? null) as FileRef | null;
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const files = ctx.files;

  async function run(work: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (e) {
      setError(files?.errorText(e) ?? String(e));
    } finally {
      setBusy(false);
    }
  }
  const id = props.fieldPathId.$id;
  return (
    <div className={`form-group field file-field${error ? ' has-error' : ''}`} data-field={props.name}>
      <label className="control-label" htmlFor={id}>
        {(props.uiSchema?.['ui:title'] as string | undefined) ?? props.schema.title ?? props.name}
      </label>
      <div className="file-box">
        {file ? (
          <div className="file-ref" data-test={`file-${props.name}`}>
            <button
              type="button"
              className="file-name"
              title={ctx.texts.download(file.name)}
              onClick={() => void run(() => files?.download(props.name, file.name) ?? Promise.resolve())}
            >
              {file.name}
            </button>
            <small className="file-meta">
              {fileSize(file.size)} · {file.contentType}
            </small>
          </div>
        ) : (
          <span className="file-none">{ctx.texts.noFile}</span>
        )}
        {writable && files && (
          <div className="file-actions">
            <input
              ref={input}
              id={id}
              type="file"
              hidden
              onChange={(e) => {
                const chosen = e.target.files?.[0];
                e.target.value = '';
                if (chosen) void run(() => files.upload(props.name, chosen));
              }}
            />
            <button type="button" className="btn small" disabled={busy} onClick={() => input.current?.click()}>
              {busy ? ctx.texts.uploading : file ? ctx.texts.replace : ctx.texts.upload}
            </button>
            {file && (
              <button type="button" className="btn small" disabled={busy} onClick={() => void run(() => files.remove(props.name))}>
                {ctx.texts.remove}
              </button>
            )}
          </div>
        )}
      </div>
      {error && (
        <ul className="error-detail" role="alert" data-test={`file-error-${props.name}`}>
          <li>{error}</li>
        </ul>
      )}
    </div>
  );
}
