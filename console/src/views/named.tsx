// Employers and tags: the same screen for both, each with its own endpoints and permission codes.
import { useState } from "preact/hooks";
import { api, can, must, Perm, type Employer, type FieldErrors, type MediaLike, type Tag } from "../api";
import { navigate } from "../router";
import { Dialog, Field, Filters, FormErrors, Pager, fieldErrors, say, sayError, useLoad, useMe } from "../ui";
import { CoverPicker } from "./gallery";

type Item = { id: number; name: string; description?: string | null; image_data?: MediaLike | null };
type Body = { name: string; description?: string | null; image: number | null };

/** What differs between employers and tags: their words, codes and calls. */
type Kind = {
  path: string;
  title: string;
  noun: string;
  described: boolean;
  codes: { create: number; update: number; remove: number };
  list: (query: { search?: string; page: number; page_size: number }) => Promise<{ count: number; next?: string | null; previous?: string | null; results: Item[] }>;
  create: (body: Body) => Promise<Item>;
  update: (id: number, body: Body) => Promise<Item>;
  remove: (id: number) => Promise<unknown>;
};

const EMPLOYERS: Kind = {
  path: "/employers",
  title: "Employers",
  noun: "employer",
  described: true,
  codes: { create: Perm.EMPLOYER_CREATE, update: Perm.EMPLOYER_UPDATE, remove: Perm.EMPLOYER_DELETE },
  list: (query) => must(api.GET("/api/employers", { params: { query } })),
  create: (body) => must(api.POST("/api/employers", { body })) as Promise<Employer>,
  update: (id, body) => must(api.PATCH("/api/employers/{employer_id}", { params: { path: { employer_id: id } }, body })),
  remove: (id) => must(api.DELETE("/api/employers/{employer_id}", { params: { path: { employer_id: id } } })),
};

const TAGS: Kind = {
  path: "/tags",
  title: "Tags",
  noun: "tag",
  described: false,
  codes: { create: Perm.TAG_CREATE, update: Perm.TAG_UPDATE, remove: Perm.TAG_DELETE },
  list: (query) => must(api.GET("/api/tags", { params: { query } })),
  create: (body) => must(api.POST("/api/tags", { body: { name: body.name, image: body.image } })) as Promise<Tag>,
  update: (id, body) => must(api.PATCH("/api/tags/{tag_id}", { params: { path: { tag_id: id } }, body: { name: body.name, image: body.image } })),
  remove: (id) => must(api.DELETE("/api/tags/{tag_id}", { params: { path: { tag_id: id } } })),
};

function ItemForm({ kind, item, onSaved, onDelete }: { kind: Kind; item?: Item; onSaved: () => void; onDelete?: () => void }) {
  const me = useMe();
  const [value, setValue] = useState({ name: item?.name ?? "", description: item?.description ?? "" });
  const [image, setImage] = useState<MediaLike | null>(item?.image_data ?? null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const mayWrite = can(me, item ? kind.codes.update : kind.codes.create);

  async function save(event: Event) {
    event.preventDefault();
    const body: Body = { name: value.name, image: image?.id ?? null, ...(kind.described ? { description: value.description || null } : {}) };
    try {
      const saved = item ? await kind.update(item.id, body) : await kind.create(body);
      setErrors({});
      if (!item) (setValue({ name: "", description: "" }), setImage(null));
      say(`${saved.name} saved.`);
      onSaved();
    } catch (error) {
      setErrors(fieldErrors(error));
      sayError(error);
    }
  }

  return (
    <form class="row-editor" onSubmit={save} aria-label={item ? `${kind.noun} ${item.name}` : `New ${kind.noun}`}>
      <FormErrors errors={errors} shown={["name", "description", "image"]} />
      <Field label="Name" name="name" errors={errors}>
        {(props) => <input {...props} value={value.name} required disabled={!mayWrite} onInput={(event) => setValue({ ...value, name: event.currentTarget.value })} />}
      </Field>
      {kind.described && (
        <Field label="Description" name="description" errors={errors}>
          {(props) => <textarea {...props} rows={2} value={value.description} disabled={!mayWrite} onInput={(event) => setValue({ ...value, description: event.currentTarget.value })} />}
        </Field>
      )}
      <CoverPicker legend="Image" value={image} onChange={setImage} disabled={!mayWrite || !can(me, Perm.MEDIA_VIEW)} errors={errors} />
      <p class="actions">
        {mayWrite && <button type="submit">{item ? "Save" : `Add ${kind.noun}`}</button>}
        {item && onDelete && can(me, kind.codes.remove) && (
          <button type="button" class="danger" onClick={onDelete}>
            Delete
          </button>
        )}
      </p>
    </form>
  );
}

function NamedList({ kind, params }: { kind: Kind; params: URLSearchParams }) {
  const me = useMe();
  const query = { search: params.get("search") ?? "", page: Number(params.get("page") ?? 1) };
  const [data, reload] = useLoad(() => kind.list({ search: query.search || undefined, page: query.page, page_size: 20 }), [kind, params.toString()]);
  const [deleting, setDeleting] = useState<Item | null>(null);

  async function remove(item: Item) {
    try {
      await kind.remove(item.id);
      say(`${item.name} deleted.`);
      reload();
    } catch (error) {
      sayError(error);
    }
    setDeleting(null);
  }

  return (
    <section>
      <h1>{kind.title}</h1>
      <Filters search={query.search} onSearch={(search) => navigate(kind.path, { search })} />
      {can(me, kind.codes.create) && (
        <details class="new">
          <summary>New {kind.noun}</summary>
          <ItemForm kind={kind} onSaved={reload} />
        </details>
      )}
      {data && (
        <>
          <ul class="rows">
            {data.results.map((item) => (
              <li key={`${item.id}:${item.name}:${item.description}:${item.image_data?.id}`}>
                <ItemForm kind={kind} item={item} onSaved={reload} onDelete={() => setDeleting(item)} />
              </li>
            ))}
          </ul>
          {data.results.length === 0 && <p>None yet.</p>}
          <Pager page={query.page} size={20} data={data} onPage={(page) => navigate(kind.path, { ...query, page })} />
        </>
      )}
      <Dialog title={`Delete this ${kind.noun}?`} open={deleting !== null} onClose={() => setDeleting(null)}>
        <p>
          {kind.noun === "tag"
            ? `The tag ${deleting?.name} is removed from every portfolio.`
            : `Portfolios of ${deleting?.name} are kept, with no employer.`}
        </p>
        <footer>
          <button type="button" onClick={() => setDeleting(null)}>
            Keep it
          </button>
          <button type="button" class="danger" onClick={() => deleting && remove(deleting)}>
            Delete {kind.noun}
          </button>
        </footer>
      </Dialog>
    </section>
  );
}

export const EmployerList = ({ params }: { params: URLSearchParams }) => <NamedList kind={EMPLOYERS} params={params} />;
export const TagList = ({ params }: { params: URLSearchParams }) => <NamedList kind={TAGS} params={params} />;
