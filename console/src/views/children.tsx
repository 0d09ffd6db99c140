// A portfolio's links and meta: each row saved on its own through its endpoint.
import { useState } from "preact/hooks";
import { api, must, type FieldErrors, type Link, type MediaLike, type Meta } from "../api";
import { Field, FormErrors, fieldErrors, say, sayError } from "../ui";
import { CoverPicker } from "./gallery";

type Item = { id: number } & Record<string, unknown>;
type Body = Record<string, string | number | null>;

/** What differs between links and meta: their words, text fields, media field and endpoints. */
type Kind = {
  noun: string;
  one: string;
  title: string;
  label: (item: Item) => string;
  texts: { name: string; label: string; type?: "text" | "url"; required?: boolean }[];
  media: { name: string; shown: string; legend: string; anyFile?: boolean };
  create: (portfolioId: number, body: Body) => Promise<unknown>;
  update: (portfolioId: number, id: number, body: Body) => Promise<unknown>;
  remove: (portfolioId: number, id: number) => Promise<unknown>;
};

const LINKS: Kind = {
  noun: "link",
  one: "Link",
  title: "Links",
  label: (link) => String(link.name),
  texts: [
    { name: "name", label: "Name", required: true },
    { name: "url", label: "URL", type: "url" },
    { name: "description", label: "Description" },
  ],
  media: { name: "image", shown: "image_data", legend: "Image" },
  create: (portfolio_id, body) => must(api.POST("/api/portfolios/{portfolio_id}/links", { params: { path: { portfolio_id } }, body: body as never })),
  update: (portfolio_id, link_id, body) =>
    must(api.PATCH("/api/portfolios/{portfolio_id}/links/{link_id}", { params: { path: { portfolio_id, link_id } }, body: body as never })),
  remove: (portfolio_id, link_id) => must(api.DELETE("/api/portfolios/{portfolio_id}/links/{link_id}", { params: { path: { portfolio_id, link_id } } })),
};

const META: Kind = {
  noun: "meta",
  one: "Meta",
  title: "Meta",
  label: (meta) => String(meta.key),
  texts: [
    { name: "key", label: "Key", required: true },
    { name: "value_text", label: "Text value" },
  ],
  media: { name: "value_file", shown: "value_file", legend: "File", anyFile: true },
  create: (portfolio_id, body) => must(api.POST("/api/portfolios/{portfolio_id}/meta", { params: { path: { portfolio_id } }, body: body as never })),
  update: (portfolio_id, meta_id, body) =>
    must(api.PATCH("/api/portfolios/{portfolio_id}/meta/{meta_id}", { params: { path: { portfolio_id, meta_id } }, body: body as never })),
  remove: (portfolio_id, meta_id) => must(api.DELETE("/api/portfolios/{portfolio_id}/meta/{meta_id}", { params: { path: { portfolio_id, meta_id } } })),
};

type RowProps = { kind: Kind; portfolioId: number; item?: Item; disabled?: boolean; onChanged: () => void };

function Row({ kind, portfolioId, item, disabled, onChanged }: RowProps) {
  const blank = () => Object.fromEntries(kind.texts.map(({ name }) => [name, String(item?.[name] ?? "")]));
  const [texts, setTexts] = useState<Record<string, string>>(blank);
  const [media, setMedia] = useState<MediaLike | null>((item?.[kind.media.shown] as MediaLike | null) ?? null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const name = item ? kind.label(item) : texts[kind.texts[0].name];

  async function run(action: () => Promise<unknown>, done: string) {
    setBusy(true);
    try {
      await action();
      setErrors({});
      say(done);
      onChanged();
      return true;
    } catch (error) {
      setErrors(fieldErrors(error));
      sayError(error);
      return false;
    } finally {
      setBusy(false);
    }
  }

  async function save(event: Event) {
    event.preventDefault();
    // An empty optional text is sent as null (an empty URL is no URL).
    const body: Body = { ...Object.fromEntries(kind.texts.map(({ name: field, required }) => [field, texts[field] || (required ? "" : null)])), [kind.media.name]: media?.id ?? null };
    if (item) {
      await run(() => kind.update(portfolioId, item.id, body), `${kind.one} ${name} saved.`);
    } else if (await run(() => kind.create(portfolioId, body), `${kind.one} ${name} added.`)) {
      setTexts(blank());
      setMedia(null);
    }
  }

  const title = item ? `${kind.one} ${kind.label(item)}` : `New ${kind.noun}`;
  return (
    <form class="row-editor" onSubmit={save} aria-label={title}>
      {!item && <h3 class="row-title">{title}</h3>}
      <FormErrors errors={errors} shown={[...kind.texts.map((text) => text.name), kind.media.name]} />
      {kind.texts.map(({ name: field, label, type, required }) => (
        <Field label={label} name={field} errors={errors}>
          {(props) => {
            const control = { ...props, value: texts[field], required, disabled, onInput: (event: Event) => setTexts({ ...texts, [field]: (event.currentTarget as HTMLInputElement).value }) };
            return type === "url" ? <input {...control} type="url" /> : <input {...control} />;
          }}
        </Field>
      ))}
      <CoverPicker legend={kind.media.legend} name={kind.media.name} anyFile={kind.media.anyFile} value={media} onChange={setMedia} disabled={disabled} errors={errors} />
      {!disabled && (
        <p class="actions">
          <button type="submit" disabled={busy}>
            {item ? `Save ${kind.noun}` : `Add ${kind.noun}`}
          </button>
          {item && (
            <button type="button" class="danger" disabled={busy} onClick={() => run(() => kind.remove(portfolioId, item.id), `${title} deleted.`)}>
              Delete {kind.noun}
            </button>
          )}
        </p>
      )}
    </form>
  );
}

function Children({ kind, portfolioId, items, disabled, onChanged }: { kind: Kind; portfolioId: number; items: Item[]; disabled?: boolean; onChanged: () => void }) {
  const id = `${kind.noun}-title`;
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{kind.title}</h2>
      {items.map((item) => (
        <Row key={JSON.stringify(item)} kind={kind} portfolioId={portfolioId} item={item} disabled={disabled} onChanged={onChanged} />
      ))}
      {items.length === 0 && <p>No {kind.title.toLowerCase()} yet.</p>}
      {!disabled && <Row kind={kind} portfolioId={portfolioId} onChanged={onChanged} />}
    </section>
  );
}

type Props<T> = { portfolioId: number; items: T[]; disabled?: boolean; onChanged: () => void };

export const Links = (props: Props<Link>) => <Children kind={LINKS} {...props} items={props.items as unknown as Item[]} />;
export const MetaList = (props: Props<Meta>) => <Children kind={META} {...props} items={props.items as unknown as Item[]} />;
