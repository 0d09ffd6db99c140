// Choosing related things: an employer, tags (created on the spot), media from the library or uploaded.
import { useState } from "preact/hooks";
import { api, can, must, Perm, upload, type Employer, type Media, type Tag } from "../api";
import { Dialog, Thumb, focusSoon, say, sayError, useId, useLoad, useMe } from "../ui";

/** A search box and the matching names as a list box; picking one calls ``onPick``. */
function Finder<T extends { id: number; name: string }>({
  label,
  find,
  onPick,
  disabled,
  extra,
}: {
  label: string;
  find: (search: string) => Promise<{ results: T[] }>;
  onPick: (item: T) => void;
  disabled?: boolean;
  extra?: (search: string, matches: T[]) => preact.JSX.Element | null;
}) {
  const id = useId("finder");
  const [search, setSearch] = useState("");
  const [found] = useLoad(() => (search ? find(search) : Promise.resolve({ results: [] as T[] })), [search]);
  const matches = found?.results ?? [];
  return (
    <div class="finder">
      <label for={id}>{label}</label>
      <input
        id={id}
        type="search"
        value={search}
        disabled={disabled}
        onInput={(event) => setSearch(event.currentTarget.value)}
        onKeyDown={(event) => {
          if (event.key !== "Enter") return;
          event.preventDefault(); // Enter picks the first match; it never submits the form around
          if (matches[0]) (onPick(matches[0]), setSearch(""));
        }}
      />
      {matches.length > 0 && (
        <ul class="matches" aria-label="Matching names">
          {matches.map((item) => (
            <li>
              <button type="button" onClick={() => (onPick(item), setSearch(""))}>
                {item.name}
              </button>
            </li>
          ))}
        </ul>
      )}
      {extra?.(search, matches)}
    </div>
  );
}

export function EmployerPicker({ value, onChange, disabled }: { value: Employer | null; onChange: (employer: Employer | null) => void; disabled?: boolean }) {
  return (
    <fieldset class="picker">
      <legend>Employer</legend>
      <p>
        {value ? <strong>{value.name}</strong> : "None"}{" "}
        {value && !disabled && (
          <button type="button" class="quiet" onClick={() => onChange(null)}>
            Remove employer
          </button>
        )}
      </p>
      {!disabled && (
        <Finder<Employer>
          label="Find an employer"
          find={(search) => must(api.GET("/api/employers", { params: { query: { search, page_size: 8 } } }))}
          onPick={onChange}
        />
      )}
    </fieldset>
  );
}

export function TagPicker({ value, onChange, disabled }: { value: Tag[]; onChange: (tags: Tag[]) => void; disabled?: boolean }) {
  const me = useMe();
  const add = (tag: Tag) => !value.some((t) => t.id === tag.id) && onChange([...value, tag]);
  async function create(name: string) {
    try {
      const tag = await must(api.POST("/api/tags", { body: { name } }));
      add(tag);
      say(`Tag ${tag.name} created and added.`);
      focusSoon(".tags-picker input");
    } catch (error) {
      sayError(error);
    }
  }
  return (
    <fieldset class="picker tags-picker">
      <legend>Tags</legend>
      <ul class="chips" aria-label="Tags of this portfolio">
        {value.map((tag) => (
          <li>
            {tag.name}
            {!disabled && (
              <button
                type="button"
                class="quiet"
                aria-label={`Remove tag ${tag.name}`}
                onClick={() => (onChange(value.filter((t) => t.id !== tag.id)), say(`Tag ${tag.name} removed.`), focusSoon(".tags-picker input"))}
              >
                ×
              </button>
            )}
          </li>
        ))}
        {value.length === 0 && <li class="none">No tags</li>}
      </ul>
      {!disabled && (
        <Finder<Tag>
          label="Add a tag"
          find={(search) => must(api.GET("/api/tags", { params: { query: { search, page_size: 8 } } }))}
          onPick={add}
          extra={(search, matches) =>
            search.trim() && can(me, Perm.TAG_CREATE) && !matches.some((tag) => tag.name.toLowerCase() === search.trim().toLowerCase()) ? (
              <button type="button" onClick={() => create(search.trim())}>
                Create tag “{search.trim()}”
              </button>
            ) : null
          }
        />
      )}
    </fieldset>
  );
}

// --------------------------------------------------------------------------- media

/** Upload files one after the other, each with its progress bar; ``onDone`` gets each new media. */
export function Uploader({ onDone, multiple = true, label = "Upload files" }: { onDone: (media: Media) => void; multiple?: boolean; label?: string }) {
  const id = useId("upload");
  const [queue, setQueue] = useState<{ name: string; done: number; error?: string }[]>([]);
  const [over, setOver] = useState(false);

  async function send(files: File[]) {
    const start = queue.length;
    setQueue((items) => [...items, ...files.map((file) => ({ name: file.name, done: 0 }))]);
    const update = (index: number, change: object) =>
      setQueue((items) => items.map((item, i) => (i === start + index ? { ...item, ...change } : item)));
    for (const [index, file] of files.entries()) {
      try {
        const media = await upload(file, (done) => update(index, { done }));
        update(index, { done: 1 });
        onDone(media);
        say(`${file.name} uploaded.`);
      } catch (error) {
        update(index, { error: (error as Error).message });
        sayError(`${file.name}: ${(error as Error).message}`);
      }
    }
  }

  return (
    <div
      class={over ? "dropzone over" : "dropzone"}
      onDragOver={(event) => (event.preventDefault(), setOver(true))}
      onDragLeave={() => setOver(false)}
      onDrop={(event) => {
        event.preventDefault();
        setOver(false);
        send([...(event.dataTransfer?.files ?? [])]);
      }}
    >
      <label for={id}>{label}</label>
      <input
        id={id}
        type="file"
        multiple={multiple}
        onChange={(event) => {
          send([...(event.currentTarget.files ?? [])]);
          event.currentTarget.value = "";
        }}
      />
      <p class="hint">or drop files here</p>
      {queue.length > 0 && (
        <ul class="uploads">
          {queue.map((item) => (
            <li>
              <span>{item.name}</span>
              {item.error ? (
                <span class="error-text">{item.error}</span>
              ) : (
                <progress max={1} value={item.done} aria-label={`Upload of ${item.name}`}>
                  {Math.round(item.done * 100)}%
                </progress>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A dialog that picks media from the library (one, or several with ``multiple``), or uploads them. */
type PickerProps = { open: boolean; onClose: () => void; onPick: (media: Media[]) => void; multiple?: boolean; anyFile?: boolean };

export function MediaPicker({ open, onClose, onPick, multiple, anyFile }: PickerProps) {
  const me = useMe();
  const [search, setSearch] = useState("");
  const [chosen, setChosen] = useState<Media[]>([]);
  const [data, reload] = useLoad(
    () => (open ? must(api.GET("/api/media", { params: { query: { search: search || undefined, type: anyFile ? undefined : "image/", page_size: 48 } } })) : Promise.resolve(undefined)),
    [open, search],
  );
  const finish = (media: Media[]) => (onPick(media), setChosen([]), onClose());
  const toggle = (media: Media) =>
    multiple ? setChosen((list) => (list.some((m) => m.id === media.id) ? list.filter((m) => m.id !== media.id) : [...list, media])) : finish([media]);

  return (
    <Dialog title={multiple ? "Add images" : anyFile ? "Choose a file" : "Choose an image"} open={open} onClose={onClose} wide>
      <label>
        Search the library
        <input type="search" value={search} onInput={(event) => setSearch(event.currentTarget.value)} />
      </label>
      {can(me, Perm.MEDIA_CREATE) && <Uploader onDone={(media) => (multiple ? (setChosen((list) => [...list, media]), reload()) : finish([media]))} multiple={multiple} label="Upload new images" />}
      <ul class="grid picker-grid">
        {data?.results.map((media) => {
          const picked = chosen.some((m) => m.id === media.id);
          return (
            <li>
              <button type="button" class={picked ? "tile picked" : "tile"} aria-pressed={multiple ? picked : undefined} onClick={() => toggle(media)}>
                <Thumb media={media} />
                <span>{media.name}</span>
              </button>
            </li>
          );
        })}
      </ul>
      {multiple && (
        <footer>
          <button type="button" class="primary" disabled={!chosen.length} onClick={() => finish(chosen)}>
            Add {chosen.length || ""} selected
          </button>
        </footer>
      )}
    </Dialog>
  );
}
