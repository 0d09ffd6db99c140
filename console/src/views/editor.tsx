// The portfolio editor: every field of the source page, saved with If-Match; a 412 opens a dialog
// that shows the newer version and offers to reload or to overwrite it. Changes may also go to a draft
// (saved aside, then published or discarded); revisions and preview links sit below.
import { useEffect, useState } from "preact/hooks";
import { api, ApiError, can, must, Perm, type Employer, type FieldErrors, type Media, type Portfolio, type Tag } from "../api";
import { navigate } from "../router";
import { Dialog, Field, FormErrors, fieldErrors, messages, say, sayError, useMe } from "../ui";
import { Links, MetaList } from "./children";
import { CoverPicker, Gallery } from "./gallery";
import { EmployerPicker, TagPicker } from "./pickers";
import { Revisions, ShareLinks } from "./publishing";

type Form = {
  title: string;
  slug: string;
  excerpt: string;
  description: string;
  order: string; // as typed: "-" on the way to "-3" is fine
  is_active: boolean;
  completed_at: string; // as the API gave it, or yyyy-mm-dd once edited (midnight UTC), or ""
  employer: Employer | null;
  image: Media | null;
  tags: Tag[];
  images: Media[];
  publish_at: string; // as the API gave it, or yyyy-mm-ddThh:mm (UTC) once edited, or ""
  unpublish_at: string;
};

const EMPTY: Form = { title: "", slug: "", excerpt: "", description: "", order: "0", is_active: true, completed_at: "", employer: null, image: null, tags: [], images: [], publish_at: "", unpublish_at: "" };

function formOf(portfolio: Portfolio): Form {
  return {
    title: portfolio.title,
    slug: portfolio.slug,
    excerpt: portfolio.excerpt,
    description: portfolio.description ?? "",
    order: String(portfolio.order),
    is_active: portfolio.is_active,
    completed_at: portfolio.completed_at ?? "",
    employer: (portfolio.employer_data as Employer | null) ?? null,
    image: portfolio.image_data ?? null,
    tags: portfolio.tags_data as Tag[],
    images: portfolio.images_data,
    publish_at: portfolio.publish_at ?? "",
    unpublish_at: portfolio.unpublish_at ?? "",
  };
}

/** A moment as the API takes it: a datetime-local's "yyyy-mm-ddThh:mm" is read as UTC. */
function instant(value: string): string | null {
  if (!value) return null;
  return value.length === 16 ? `${value}:00Z` : value;
}

/** The request body: relations as ids, as the API writes them. */
function bodyOf(form: Form) {
  return {
    title: form.title,
    slug: form.slug,
    excerpt: form.excerpt,
    description: form.description || null,
    order: Number(form.order),
    is_active: form.is_active,
    completed_at: form.completed_at || null,
    employer: form.employer?.id ?? null,
    image: form.image?.id ?? null,
    tags: form.tags.map((tag) => tag.id),
    images: form.images.map((media) => media.id),
    publish_at: instant(form.publish_at),
    unpublish_at: instant(form.unpublish_at),
  };
}

type Body = ReturnType<typeof bodyOf>;

/** The fields of ``form`` that differ from ``base``: a PATCH sends only those, so a field the user
 * did not touch (the time of ``completed_at``, say) is never rewritten from the form's copy. */
function changes(form: Form, base: Form): Partial<Body> {
  const now = bodyOf(form);
  const before = bodyOf(base);
  return Object.fromEntries(
    Object.entries(now).filter(([name, value]) => JSON.stringify(value) !== JSON.stringify(before[name as keyof Body])),
  ) as Partial<Body>;
}

/** What a slug made from ``title`` looks like (the server makes its own when none is sent). */
export function slugify(title: string): string {
  return title
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 200);
}

const LABELS: Record<string, string> = {
  title: "Title", slug: "Slug", excerpt: "Excerpt", description: "Description", order: "Order", is_active: "Active",
  completed_at: "Completed", employer: "Employer", image: "Cover image", tags: "Tags", images: "Gallery",
  publish_at: "Publish at", unpublish_at: "Unpublish at",
};

function shown(value: unknown): string {
  if (value === null || value === "" || value === undefined) return "—";
  if (Array.isArray(value)) return value.map(shown).join(", ") || "—";
  if (typeof value === "object") return (value as { name: string }).name;
  return String(value);
}

async function fetchPortfolio(id: number): Promise<{ portfolio: Portfolio; etag: string }> {
  const { data, error, response } = await api.GET("/api/portfolios/{portfolio_id}", { params: { path: { portfolio_id: id } } });
  if (!data) throw new ApiError(response.status, (error ?? {}) as Record<string, unknown>);
  return { portfolio: data, etag: response.headers.get("ETag") ?? "" };
}

export function PortfolioEditor({ id }: { id?: string }) {
  const me = useMe();
  const isNew = id === undefined;
  const [loaded, setLoaded] = useState<{ portfolio: Portfolio; etag: string } | null>(null);
  const [form, setForm] = useState<Form>(EMPTY);
  const [slugTouched, setSlugTouched] = useState(!isNew);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const [conflict, setConflict] = useState<{ portfolio: Portfolio; etag: string } | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [missing, setMissing] = useState(false);
  const [draft, setDraft] = useState<Portfolio | null>(null); // the draft's document, while the form edits it

  const mayEdit = isNew ? can(me, Perm.PORTFOLIO_CREATE) : can(me, Perm.PORTFOLIO_UPDATE);
  const disabled = !mayEdit;

  function show(next: { portfolio: Portfolio; etag: string }) {
    setLoaded(next);
    setDraft(null);
    setForm(formOf(next.portfolio));
    setErrors({});
  }

  function editDraft(document: Portfolio) {
    setDraft(document);
    setForm(formOf(document));
    setErrors({});
    setLoaded((current) => current && { ...current, portfolio: { ...current.portfolio, has_draft: true } });
  }

  /** Run a draft action; its 400s go to the fields, like a save's. */
  async function drafting(action: () => Promise<void>) {
    setBusy(true);
    try {
      await action();
    } catch (error) {
      setErrors(fieldErrors(error));
      sayError(error);
    } finally {
      setBusy(false);
    }
  }

  const draftPath = () => ({ params: { path: { portfolio_id: loaded!.portfolio.id } } });

  /** The form's changes (from what it shows: the live version or the draft) added to the draft. */
  const saveDraft = () =>
    drafting(async () => {
      const base = formOf(draft ?? loaded!.portfolio);
      editDraft(await must(api.PATCH("/api/portfolios/{portfolio_id}/draft", { ...draftPath(), body: changes(form, base) })));
      say("Draft saved. The live portfolio is unchanged.");
    });

  const openDraft = () => drafting(async () => editDraft(await must(api.GET("/api/portfolios/{portfolio_id}/draft", draftPath()))));

  const publishDraft = () =>
    drafting(async () => {
      const { data, error, response } = await api.POST("/api/portfolios/{portfolio_id}/draft/publish", {
        params: { path: { portfolio_id: loaded!.portfolio.id }, header: { "If-Match": loaded!.etag } },
      });
      if (response.status === 412) throw new Error("The live portfolio changed since you opened it: reload before publishing.");
      if (!data) throw new ApiError(response.status, (error ?? {}) as Record<string, unknown>);
      show({ portfolio: data, etag: response.headers.get("ETag") ?? "" });
      say("Draft published.");
    });

  const discardDraft = () =>
    drafting(async () => {
      await must(api.DELETE("/api/portfolios/{portfolio_id}/draft", draftPath()));
      show(await fetchPortfolio(loaded!.portfolio.id));
      say("Draft discarded.");
    });

  /** Links or meta changed the document: take its links, meta and ETag, keeping unsaved field edits.
   * If its fields changed too, someone else saved meanwhile: that is a conflict, not a silent merge. */
  async function refreshKeepingEdits() {
    if (!loaded) return;
    const next = await fetchPortfolio(loaded.portfolio.id);
    if (JSON.stringify(formOf(next.portfolio)) !== JSON.stringify(formOf(loaded.portfolio))) setConflict(next);
    else setLoaded(next);
  }

  useEffect(() => {
    if (isNew) return;
    let current = true; // a slow answer for a portfolio left since is dropped
    fetchPortfolio(Number(id)).then(
      (next) => current && show(next),
      (error) => current && (setMissing(true), sayError(error)),
    );
    return () => {
      current = false;
    };
  }, [id]);

  const dirty = JSON.stringify(form) !== JSON.stringify(draft ? formOf(draft) : loaded ? formOf(loaded.portfolio) : EMPTY);
  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault(); // unsaved edits: the browser asks first
    addEventListener("beforeunload", warn);
    return () => removeEventListener("beforeunload", warn);
  }, [dirty]);

  const set = <K extends keyof Form>(name: K, value: Form[K]) => setForm((current) => ({ ...current, [name]: value }));

  /** Create, or PATCH the changed fields; ``overwrite`` sends every field over a newer version. */
  async function save(event?: Event, ifMatch = loaded?.etag, overwrite = false) {
    event?.preventDefault();
    setBusy(true);
    try {
      if (isNew) {
        // An untouched slug is left to the server, which makes one from the title (-2, -3... on a clash).
        const { slug, ...rest } = bodyOf(form);
        const created = await must(api.POST("/api/portfolios", { body: slugTouched && slug ? { ...rest, slug } : rest }));
        say(`Portfolio ${created.title} created.`);
        navigate(`/portfolios/${created.id}`);
        return;
      }
      const { data, error, response } = await api.PATCH("/api/portfolios/{portfolio_id}", {
        params: { path: { portfolio_id: loaded!.portfolio.id }, header: { "If-Match": ifMatch } },
        body: overwrite ? bodyOf(form) : changes(form, formOf(loaded!.portfolio)),
      });
      if (response.status === 412) {
        setConflict(await fetchPortfolio(loaded!.portfolio.id));
        say("Someone else saved this portfolio since you opened it.");
        return;
      }
      if (!data) throw new ApiError(response.status, (error ?? {}) as Record<string, unknown>);
      show({ portfolio: data, etag: response.headers.get("ETag") ?? "" });
      setConflict(null);
      say("Saved.");
    } catch (error) {
      setConflict(null); // the errors are shown at their fields, not behind the dialog
      setErrors(fieldErrors(error));
      sayError(error);
      requestAnimationFrame(() => (document.querySelector("[aria-invalid=true]") as HTMLElement | null)?.focus());
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    try {
      await must(api.DELETE("/api/portfolios/{portfolio_id}", { params: { path: { portfolio_id: loaded!.portfolio.id }, header: { "If-Match": loaded!.etag } } }));
      say(`Portfolio ${loaded!.portfolio.title} deleted.`);
      navigate("/portfolios");
    } catch (error) {
      sayError(error);
      setConfirmDelete(false);
    }
  }

  if (missing) return <section><h1>Portfolio not found</h1><p><a href="#/portfolios">Back to the portfolios</a></p></section>;
  if (!isNew && !loaded) return <p class="loading">Loading…</p>;

  const text = (name: "title" | "slug" | "excerpt") => (event: Event) => set(name, (event.currentTarget as HTMLInputElement).value);
  // The fields that show their own errors; any other (employer, is_active...) goes to the form's list.
  const fields = ["title", "slug", "excerpt", "description", "order", "completed_at", "image", "images", "tags", "publish_at", "unpublish_at"];
  const changed = conflict && loaded ? fields.filter((name) => shown(formOf(conflict.portfolio)[name as keyof Form]) !== shown(formOf(loaded.portfolio)[name as keyof Form])) : [];

  return (
    <section class="editor">
      <p class="crumbs">
        <a href="#/portfolios">Portfolios</a>
      </p>
      <h1>{isNew ? "New portfolio" : loaded!.portfolio.title}</h1>
      {!isNew && loaded!.portfolio.is_active && (
        <p class="hint">Public at <code>/api/portfolios/slug/{loaded!.portfolio.slug}</code> within its publishing window</p>
      )}
      {draft && (
        <p class="notice" role="note">
          You are editing the draft. The live portfolio stays as it is until the draft is published.
        </p>
      )}
      {!isNew && !draft && loaded!.portfolio.has_draft && (
        <p class="notice" role="note">
          This portfolio has a draft that is not published yet.{" "}
          <button type="button" onClick={openDraft} disabled={busy}>
            Edit draft
          </button>
        </p>
      )}
      <form onSubmit={save} noValidate>
        <FormErrors errors={errors} shown={fields} />
        <div class="columns">
          <div>
            <Field label="Title" name="title" errors={errors}>
              {(props) => <input {...props} value={form.title} onInput={text("title")} disabled={disabled} required maxLength={200} />}
            </Field>
            <Field label="Slug" name="slug" errors={errors} hint={isNew && !slugTouched ? "Left empty, it is made from the title, as shown." : "Lower-case letters, digits and hyphens."}>
              {(props) => (
                <div class="with-button">
                  <input
                    {...props}
                    value={form.slug}
                    placeholder={isNew ? slugify(form.title) : undefined}
                    onInput={(event) => (setSlugTouched(true), text("slug")(event))}
                    disabled={disabled}
                    pattern="[a-z0-9]+(-[a-z0-9]+)*"
                  />
                  {!disabled && (
                    <button type="button" class="quiet" onClick={() => (setSlugTouched(true), set("slug", slugify(form.title)))}>
                      Suggest from title
                    </button>
                  )}
                </div>
              )}
            </Field>
            <Field label="Excerpt" name="excerpt" errors={errors}>
              {(props) => <textarea {...props} rows={2} value={form.excerpt} onInput={text("excerpt")} disabled={disabled} />}
            </Field>
            <Field label="Description" name="description" errors={errors}>
              {(props) => <textarea {...props} rows={8} value={form.description} onInput={(event) => set("description", event.currentTarget.value)} disabled={disabled} />}
            </Field>
            <div class="inline">
              <Field label="Order" name="order" errors={errors}>
                {(props) => <input {...props} type="text" inputMode="numeric" value={form.order} onInput={(event) => set("order", event.currentTarget.value)} disabled={disabled} />}
              </Field>
              <Field label="Completed" name="completed_at" errors={errors}>
                {(props) => <input {...props} type="date" value={form.completed_at.slice(0, 10)} onInput={(event) => set("completed_at", event.currentTarget.value)} disabled={disabled} />}
              </Field>
              <div class="field checkbox">
                <input id="is-active" type="checkbox" checked={form.is_active} onChange={(event) => set("is_active", event.currentTarget.checked)} disabled={disabled} />
                <label for="is-active">Active (public)</label>
              </div>
            </div>
            <fieldset class="inline window">
              <legend>Publishing window (UTC; empty: no limit)</legend>
              <Field label="Publish at" name="publish_at" errors={errors}>
                {(props) => <input {...props} type="datetime-local" value={form.publish_at.slice(0, 16)} onInput={(event) => set("publish_at", event.currentTarget.value)} disabled={disabled} />}
              </Field>
              <Field label="Unpublish at" name="unpublish_at" errors={errors}>
                {(props) => <input {...props} type="datetime-local" value={form.unpublish_at.slice(0, 16)} onInput={(event) => set("unpublish_at", event.currentTarget.value)} disabled={disabled} />}
              </Field>
            </fieldset>
          </div>
          <div>
            <EmployerPicker value={form.employer} onChange={(employer) => set("employer", employer)} disabled={disabled} />
            <TagPicker value={form.tags} onChange={(tags) => set("tags", tags)} disabled={disabled} />
            <ul class="errors" data-field="tags">
              {messages(errors, "tags").map((message) => (
                <li>{message}</li>
              ))}
            </ul>
            <CoverPicker value={form.image} onChange={(media) => set("image", media as Media | null)} disabled={disabled} errors={errors} />
          </div>
        </div>
        <Gallery value={form.images} onChange={(images) => set("images", images)} disabled={disabled} errors={errors} />
        {(mayEdit || (!isNew && can(me, Perm.PORTFOLIO_DELETE))) && (
          <p class="actions sticky">
            {mayEdit && !draft && (
              <button type="submit" class="primary" disabled={busy}>
                {isNew ? "Create portfolio" : "Save"}
              </button>
            )}
            {mayEdit && !isNew && (
              <button type="button" class={draft ? "primary" : undefined} onClick={saveDraft} disabled={busy}>
                {draft ? "Save draft" : "Save as draft"}
              </button>
            )}
            {mayEdit && !isNew && (draft || loaded!.portfolio.has_draft) && (
              <>
                <button type="button" onClick={publishDraft} disabled={busy}>
                  Publish draft
                </button>
                <button type="button" class="danger" onClick={discardDraft} disabled={busy}>
                  Discard draft
                </button>
              </>
            )}
            {draft && (
              <button type="button" class="quiet" onClick={() => show(loaded!)}>
                Back to the live version
              </button>
            )}
            {!isNew && can(me, Perm.PORTFOLIO_DELETE) && (
              <button type="button" class="danger" onClick={() => setConfirmDelete(true)}>
                Delete portfolio
              </button>
            )}
          </p>
        )}
      </form>
      {!isNew && (
        <>
          <Links portfolioId={loaded!.portfolio.id} items={loaded!.portfolio.links_data} disabled={!can(me, Perm.PORTFOLIO_UPDATE)} onChanged={refreshKeepingEdits} />
          <MetaList portfolioId={loaded!.portfolio.id} items={loaded!.portfolio.meta} disabled={!can(me, Perm.PORTFOLIO_UPDATE)} onChanged={refreshKeepingEdits} />
          {can(me, Perm.PORTFOLIO_UPDATE) && (
            <>
              <Revisions portfolioId={loaded!.portfolio.id} etag={loaded!.etag} onRestored={(portfolio, etag) => show({ portfolio, etag })} />
              <ShareLinks portfolioId={loaded!.portfolio.id} />
            </>
          )}
        </>
      )}
      <Dialog title="This portfolio has changed" open={conflict !== null} onClose={() => setConflict(null)} wide>
        <p>Someone saved a newer version while you were editing. What it changed:</p>
        <table class="list">
          <thead>
            <tr><th scope="col">Field</th><th scope="col">When you opened it</th><th scope="col">Now</th><th scope="col">Yours</th></tr>
          </thead>
          <tbody>
            {changed.map((name) => (
              <tr>
                <th scope="row">{LABELS[name]}</th>
                <td>{shown(formOf(loaded!.portfolio)[name as keyof Form])}</td>
                <td>{shown(formOf(conflict!.portfolio)[name as keyof Form])}</td>
                <td>{shown(form[name as keyof Form])}</td>
              </tr>
            ))}
            {changed.length === 0 && <tr><td colSpan={4}>Its links or meta changed.</td></tr>}
          </tbody>
        </table>
        <footer>
          <button type="button" onClick={() => (show(conflict!), setConflict(null), say("Reloaded the newer version; your changes were discarded."))}>
            Reload theirs (discard mine)
          </button>
          <button type="button" class="primary" onClick={() => save(undefined, conflict!.etag, true)}>
            Overwrite with mine
          </button>
        </footer>
      </Dialog>
      <Dialog title="Delete this portfolio?" open={confirmDelete} onClose={() => setConfirmDelete(false)}>
        <p>It is deleted with its links and meta. Its media stay in the library.</p>
        <footer>
          <button type="button" onClick={() => setConfirmDelete(false)}>Keep it</button>
          <button type="button" class="danger" onClick={remove}>Delete portfolio</button>
        </footer>
      </Dialog>
    </section>
  );
}
