// The media library: a grid with search and a type filter, uploads by drag and drop, name and alt text
// edited in place, and a delete that shows what still uses a media before the forced delete.
import { useEffect, useState } from "preact/hooks";
import { api, ApiError, can, must, Perm, type FieldErrors, type Media } from "../api";
import { navigate } from "../router";
import { Dialog, Field, Filters, FormErrors, Pager, Thumb, fieldErrors, say, sayError, useLoad, useMe } from "../ui";
import { FocalPoint, VariantsStatus } from "./focal";
import { Uploader } from "./pickers";

const SIZE = 24;
const TYPES: [string, string][] = [
  ["", "All files"],
  ["image/", "Images"],
  ["application/pdf", "PDF documents"],
];

type Reference = { type: string; id: number; field: string };

function MediaTile({ media, onChanged, onDelete }: { media: Media; onChanged: () => void; onDelete: (media: Media) => void }) {
  const me = useMe();
  const [value, setValue] = useState({ name: media.name, alt: media.alt });
  const [errors, setErrors] = useState<FieldErrors>({});
  const mayEdit = can(me, Perm.MEDIA_UPDATE);
  const dirty = value.name !== media.name || value.alt !== media.alt;

  async function save(event: Event) {
    event.preventDefault();
    try {
      await must(api.PATCH("/api/media/{media_id}", { params: { path: { media_id: media.id } }, body: value }));
      setErrors({});
      say(`${value.name} saved.`);
      onChanged();
    } catch (error) {
      setErrors(fieldErrors(error));
      sayError(error);
    }
  }

  return (
    <li class="media-tile">
      <a href={media.f} target="_blank" rel="noopener noreferrer" aria-label={`Open ${media.name}`}>
        <Thumb media={media} size={128} />
      </a>
      <p class="meta-line">
        {media.type} · {media.human_readable_size}
        {media.width ? ` · ${media.width}×${media.height}` : ""}
      </p>
      <VariantsStatus media={media} onChanged={onChanged} />
      <form onSubmit={save} aria-label={`Details of ${media.name}`}>
        <FormErrors errors={errors} shown={["name", "alt"]} />
        <Field label="Name" name="name" errors={errors}>
          {(props) => <input {...props} value={value.name} disabled={!mayEdit} onInput={(event) => setValue({ ...value, name: event.currentTarget.value })} />}
        </Field>
        {media.width !== null && (
          <Field label="Alt text" name="alt" errors={errors}>
            {(props) => <input {...props} value={value.alt} disabled={!mayEdit} onInput={(event) => setValue({ ...value, alt: event.currentTarget.value })} />}
          </Field>
        )}
        <p class="actions">
          {mayEdit && (
            <button type="submit" disabled={!dirty}>
              Save
            </button>
          )}
          {mayEdit && media.width !== null && <FocalPoint media={media} onChanged={onChanged} />}
          {can(me, Perm.MEDIA_DELETE) && (
            <button type="button" class="danger" onClick={() => onDelete(media)}>
              Delete
            </button>
          )}
        </p>
      </form>
    </li>
  );
}

export function MediaLibrary({ params }: { params: URLSearchParams }) {
  const me = useMe();
  const query = { search: params.get("search") ?? "", type: params.get("type") ?? "", page: Number(params.get("page") ?? 1) };
  const [data, reload] = useLoad(
    () => must(api.GET("/api/media", { params: { query: { search: query.search || undefined, type: query.type || undefined, page: query.page, page_size: SIZE } } })),
    [params.toString()],
  );
  // A delete asks first; if the media is in use, the dialog then shows where, and offers the forced delete.
  // While a worker makes variants, look again every few seconds.
  const pending = data?.results.some((media) => media.variants_status === "pending");
  useEffect(() => {
    if (!pending) return;
    const timer = setInterval(reload, 3000);
    return () => clearInterval(timer);
  }, [pending, data]);
  // A delete asks first; if the media is in use, the dialog then shows where, and offers the forced delete.
  const [deleting, setDeleting] = useState<{ media: Media; references: Reference[] | null } | null>(null);
  const set = (changes: Partial<typeof query>) => navigate("/media", { ...query, page: undefined, ...changes });

  async function remove(media: Media, force = false) {
    try {
      await must(api.DELETE("/api/media/{media_id}", { params: { path: { media_id: media.id }, query: force ? { force: true } : {} } }));
      setDeleting(null);
      say(`${media.name} deleted.`);
      reload();
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) {
        setDeleting({ media, references: error.body.references as Reference[] });
      } else {
        setDeleting(null);
        sayError(error);
      }
    }
  }

  return (
    <section>
      <h1>Media library</h1>
      {can(me, Perm.MEDIA_CREATE) && <Uploader onDone={reload} label="Upload files" />}
      <Filters search={query.search} onSearch={(search) => set({ search })}>
        <label>
          Type
          <select value={query.type} onChange={(event) => set({ type: event.currentTarget.value })}>
            {TYPES.map(([value, label]) => (
              <option value={value}>{label}</option>
            ))}
          </select>
        </label>
      </Filters>
      {data && (
        <>
          <ul class="grid media-grid" aria-label="Media">
            {data.results.map((media) => (
              <MediaTile key={`${media.id}:${media.name}:${media.alt}:${media.variants_status}`} media={media} onChanged={reload} onDelete={(m) => setDeleting({ media: m, references: null })} />
            ))}
          </ul>
          {data.results.length === 0 && <p>No media matches.</p>}
          <Pager page={query.page} size={SIZE} data={data} onPage={(page) => navigate("/media", { ...query, page })} />
        </>
      )}
      <Dialog title={`Delete ${deleting?.media.name}?`} open={deleting !== null && deleting.references === null} onClose={() => setDeleting(null)}>
        <p>The file and its thumbnails are deleted for good.</p>
        <footer>
          <button type="button" onClick={() => setDeleting(null)}>
            Keep it
          </button>
          <button type="button" class="danger" onClick={() => deleting && remove(deleting.media)}>
            Delete
          </button>
        </footer>
      </Dialog>
      <Dialog title="This media is still used" open={deleting?.references != null} onClose={() => setDeleting(null)}>
        {deleting?.references && (
          <>
            <p>
              <strong>{deleting.media.name}</strong> is used by:
            </p>
            <ul class="references">
              {deleting.references?.map((reference) => (
                <li>
                  {reference.type === "portfolio" ? <a href={`#/portfolios/${reference.id}`}>portfolio {reference.id}</a> : `${reference.type} ${reference.id}`}{" "}
                  ({reference.field})
                </li>
              ))}
            </ul>
            <p>A forced delete removes it from all of them first.</p>
            <footer>
              <button type="button" onClick={() => setDeleting(null)}>
                Keep it
              </button>
              <button type="button" class="danger" onClick={() => remove(deleting.media, true)}>
                Delete anyway
              </button>
            </footer>
          </>
        )}
      </Dialog>
    </section>
  );
}
