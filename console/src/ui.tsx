// Small shared pieces: labelled fields with their errors, announcements, dialogs, a pager.
import { createContext, type ComponentChildren, type JSX } from "preact";
import { useContext, useEffect, useRef, useState } from "preact/hooks";
import { ApiError, type FieldErrors, type MediaLike, type User } from "./api";

export const Me = createContext<User | null>(null);
export const useMe = () => useContext(Me);

// --------------------------------------------------------------------------- announcements

let announce: (text: string, isError: boolean) => void = () => {};

/** Say ``text`` to screen readers and show it in the status line. */
export function say(text: string) {
  announce(text, false);
}

/** Show an error the API gave (or any other) in the status line, and announce it at once. */
export function sayError(error: unknown) {
  announce(`Error: ${error instanceof Error ? error.message : String(error)}`, true);
}

/** The one status line: a polite region for news, an assertive one for errors. Each message is
 * cleared first, so that saying the same thing twice ("Saved.") is announced twice. */
export function StatusLine() {
  const [message, setMessage] = useState({ text: "", isError: false });
  useEffect(() => {
    announce = (text, isError) => {
      setMessage({ text: "", isError });
      setTimeout(() => setMessage({ text, isError }), 50);
    };
  }, []);
  return (
    <div class={message.text ? (message.isError ? "status error" : "status") : "status empty"}>
      <p role="status">{message.isError ? "" : message.text}</p>
      <p role="alert">{message.isError ? message.text : ""}</p>
    </div>
  );
}

// --------------------------------------------------------------------------- fields

let nextId = 0;
export const useId = (prefix: string) => useRef(`${prefix}-${++nextId}`).current;

export function messages(errors: FieldErrors | undefined, name: string): string[] {
  const value = errors?.[name];
  if (!value) return [];
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value;
  return Object.entries(value).map(([index, texts]) => `Item ${Number(index) + 1}: ${texts.join(" ")}`);
}

type FieldProps = {
  label: string;
  name: string;
  errors?: FieldErrors;
  hint?: string;
  children: (props: { id: string; "aria-invalid"?: boolean; "aria-describedby"?: string }) => JSX.Element;
};

/** A label, a control (``children`` gets its id and ARIA wiring), a hint and the field's 400 messages. */
export function Field({ label, name, errors, hint, children }: FieldProps) {
  const id = useId(name);
  const texts = messages(errors, name);
  const described = [hint && `${id}-hint`, texts.length && `${id}-errors`].filter(Boolean).join(" ");
  return (
    <div class={texts.length ? "field invalid" : "field"}>
      <label for={id}>{label}</label>
      {children({ id, "aria-invalid": texts.length ? true : undefined, "aria-describedby": described || undefined })}
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {texts.length > 0 && (
        <ul class="errors" id={`${id}-errors`} data-field={name}>
          {texts.map((text) => (
            <li>{text}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The errors that belong to no field shown (``non_field_errors``, ``detail``). */
export function FormErrors({ errors, shown }: { errors?: FieldErrors; shown: string[] }) {
  const rest = Object.keys(errors ?? {}).filter((name) => !shown.includes(name));
  if (!rest.length) return null;
  return (
    <div role="alert">
      <ul class="errors form-errors">
        {rest.flatMap((name) =>
          messages(errors, name).map((text) => <li>{name === "non_field_errors" || name === "detail" ? text : `${name}: ${text}`}</li>),
        )}
      </ul>
    </div>
  );
}

export function fieldErrors(error: unknown): FieldErrors {
  if (error instanceof ApiError && error.status === 400) return error.fields;
  return {};
}

// --------------------------------------------------------------------------- dialogs

type DialogProps = { title: string; open: boolean; onClose: () => void; children: ComponentChildren; wide?: boolean };

/** A modal ``<dialog>``, opened and closed by ``open``: focus moves into it, Escape asks ``onClose``,
 * focus returns where it was. */
export function Dialog({ title, open, onClose, children, wide }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId("dialog");
  useEffect(() => {
    const dialog = ref.current!;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      class={wide ? "wide" : undefined}
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault(); // Escape: the owner's state closes it, as for every other way out
        onClose();
      }}
      onKeyDown={(event) => {
        // Enter in a search box inside the dialog must not submit a form the dialog sits in.
        if (event.key === "Enter" && event.target instanceof HTMLInputElement) event.preventDefault();
      }}
    >
      {open && (
        <>
          <header>
            <h2 id={titleId}>{title}</h2>
            <button type="button" class="quiet" onClick={onClose} aria-label="Close">
              ×
            </button>
          </header>
          {children}
        </>
      )}
    </dialog>
  );
}

// --------------------------------------------------------------------------- lists

/** A list's search box, its other filters (``children``) and the button that applies them. */
export function Filters({ search, onSearch, children }: { search: string; onSearch: (search: string) => void; children?: ComponentChildren }) {
  const [text, setText] = useState(search);
  useEffect(() => setText(search), [search]);
  return (
    <form
      class="filters"
      role="search"
      onSubmit={(event) => {
        event.preventDefault();
        onSearch(text);
      }}
    >
      <label>
        Search
        <input type="search" name="search" value={text} onInput={(event) => setText(event.currentTarget.value)} />
      </label>
      {children}
      <button type="submit">Search</button>
    </form>
  );
}

type Page = { count: number; next?: string | null; previous?: string | null };

export function Pager({ page, size, data, onPage }: { page: number; size: number; data: Page; onPage: (page: number) => void }) {
  const pages = Math.max(1, Math.ceil(data.count / size));
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" disabled={!data.previous} onClick={() => onPage(page - 1)}>
        Previous
      </button>
      <span>
        Page {page} of {pages} ({data.count} in all)
      </span>
      <button type="button" disabled={!data.next} onClick={() => onPage(page + 1)}>
        Next
      </button>
    </nav>
  );
}

/** Move the focus to the first element matching ``selector`` once the page has redrawn. */
export function focusSoon(selector: string) {
  requestAnimationFrame(() => (document.querySelector(selector) as HTMLElement | null)?.focus());
}

/** Load with ``load`` whenever ``deps`` change; the latest answer wins. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): [T | undefined, () => void, unknown] {
  const [state, setState] = useState<{ data?: T; error?: unknown }>({});
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let current = true;
    load().then(
      (data) => current && setState({ data }),
      (error) => {
        if (current) setState({ error });
        sayError(error);
      },
    );
    return () => {
      current = false;
    };
  }, [...deps, tick]);
  return [state.data, () => setTick((n) => n + 1), state.error];
}

export function Thumb({ media, size = 128 }: { media?: MediaLike | null; size?: number }) {
  if (!media) return <span class="thumb empty" aria-hidden="true" />;
  const thumbnail = media.thumbnails?.find((t) => t.size >= size) ?? media.thumbnails?.at(-1);
  if (!thumbnail) return <span class="thumb file" aria-hidden="true">{media.name.split(".").pop()}</span>;
  return <img class="thumb" src={thumbnail.f} alt={media.alt || ""} loading="lazy" decoding="async" />;
}

/** A secret shown this once (a new key, a preview link): a copy button, and Done to hide it. */
export function ShownOnce({ label, id, value, copied, onDone, children }: { label: string; id: string; value: string; copied: string; onDone: () => void; children: ComponentChildren }) {
  return (
    <div class="made-key" role="region" aria-label={label}>
      <p>{children}</p>
      <p>
        <code id={id}>{value}</code>{" "}
        <button type="button" onClick={() => navigator.clipboard?.writeText(value).then(() => say(copied))}>
          Copy
        </button>
        <button type="button" class="quiet" onClick={onDone}>
          Done
        </button>
      </p>
    </div>
  );
}
