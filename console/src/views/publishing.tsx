// A portfolio's publishing, under its editor: the revision history (a side-by-side diff of any two,
// and restore) and the preview links for clients without an account.
import { useState } from "preact/hooks";
import { api, must, type FieldErrors, type Portfolio } from "../api";
import { Dialog, Field, FormErrors, ShownOnce, fieldErrors, say, sayError, useLoad } from "../ui";

type Revision = { number: number; created_at: string; action: string; user?: { username: string } | null; changes: Record<string, unknown> };

/** A value of a document as one line of text: names for nested objects, ids for what has none. */
export function brief(value: unknown): string {
  if (value === null || value === undefined || value === "") return "—";
  if (Array.isArray(value)) return value.map(brief).join(", ") || "—";
  if (typeof value === "object") {
    const item = value as Record<string, unknown>;
    return String(item.name ?? item.key ?? item.title ?? `#${item.id}`);
  }
  return String(value);
}

const when = (iso: string) => iso.slice(0, 19).replace("T", " ");

/** Two revisions' documents, key by key; the keys that differ first and marked. */
function Diff({ portfolioId, pair }: { portfolioId: number; pair: [number, number] }) {
  const load = (number: number) =>
    must(api.GET("/api/portfolios/{portfolio_id}/revisions/{number}", { params: { path: { portfolio_id: portfolioId, number } } }));
  const [documents] = useLoad(() => Promise.all(pair.map(load)), [portfolioId, ...pair]);
  if (!documents) return <p class="loading">Loading…</p>;
  const [left, right] = documents.map((revision) => revision.document as unknown as Record<string, unknown>);
  const keys = Object.keys(right).filter((key) => key !== "has_draft");
  const differs = (key: string) => JSON.stringify(left[key]) !== JSON.stringify(right[key]);
  return (
    <table class="list diff">
      <caption>
        Revision {pair[0]} and revision {pair[1]}, side by side ({keys.filter(differs).length} fields differ)
      </caption>
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Revision {pair[0]}</th>
          <th scope="col">Revision {pair[1]}</th>
        </tr>
      </thead>
      <tbody>
        {[...keys.filter(differs), ...keys.filter((key) => !differs(key))].map((key) => (
          <tr class={differs(key) ? "changed" : undefined}>
            <th scope="row">
              {key}
              {differs(key) && <span class="visually-hidden"> (differs)</span>}
            </th>
            <td>{brief(left[key])}</td>
            <td>{brief(right[key])}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Revisions({ portfolioId, etag, onRestored }: { portfolioId: number; etag: string; onRestored: (portfolio: Portfolio, etag: string) => void }) {
  const [data, reload] = useLoad(
    () => must(api.GET("/api/portfolios/{portfolio_id}/revisions", { params: { path: { portfolio_id: portfolioId }, query: { page_size: 100 } } })),
    [portfolioId, etag],
  );
  const [picked, setPicked] = useState<number[]>([]);
  const [restoring, setRestoring] = useState<number | null>(null);
  const revisions = (data?.results ?? []) as Revision[];
  const pick = (number: number, on: boolean) => setPicked((current) => (on ? [...current.filter((n) => n !== number), number].slice(-2) : current.filter((n) => n !== number)));

  async function restore(number: number) {
    setRestoring(null);
    const { data: restored, error, response } = await api.POST("/api/portfolios/{portfolio_id}/revisions/{number}/restore", {
      params: { path: { portfolio_id: portfolioId, number }, header: { "If-Match": etag } },
    });
    if (!restored) {
      sayError(new Error(response.status === 412 ? "The portfolio changed meanwhile: reload it first." : JSON.stringify(error)));
      return;
    }
    say(`Revision ${number} restored.`);
    onRestored(restored, response.headers.get("ETag") ?? "");
    reload();
  }

  return (
    <section aria-labelledby="revisions-title">
      <h2 id="revisions-title">Revision history</h2>
      <p class="hint">Pick two revisions to compare them side by side.</p>
      <table class="list">
        <thead>
          <tr>
            <th scope="col">Compare</th>
            <th scope="col">Revision</th>
            <th scope="col">When (UTC)</th>
            <th scope="col">Who</th>
            <th scope="col">What</th>
            <th scope="col">Changed</th>
            <th scope="col"><span class="visually-hidden">Actions</span></th>
          </tr>
        </thead>
        <tbody>
          {revisions.map((revision) => (
            <tr>
              <td>
                <input type="checkbox" aria-label={`Compare revision ${revision.number}`} checked={picked.includes(revision.number)} onChange={(event) => pick(revision.number, event.currentTarget.checked)} />
              </td>
              <td>{revision.number}</td>
              <td>{when(revision.created_at)}</td>
              <td>{revision.user?.username ?? "—"}</td>
              <td>{revision.action}</td>
              <td>{Object.keys(revision.changes).filter((key) => key !== "updated_at").join(", ") || "—"}</td>
              <td>
                <button type="button" onClick={() => setRestoring(revision.number)}>
                  Restore revision {revision.number}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {picked.length === 2 && <Diff portfolioId={portfolioId} pair={[Math.min(...picked), Math.max(...picked)] as [number, number]} />}
      <Dialog title={`Restore revision ${restoring}?`} open={restoring !== null} onClose={() => setRestoring(null)}>
        <p>The portfolio, its links and its meta become what they were right after it. The restore is itself a new revision.</p>
        <footer>
          <button type="button" onClick={() => setRestoring(null)}>Cancel</button>
          <button type="button" class="primary" onClick={() => restoring && restore(restoring)}>
            Restore
          </button>
        </footer>
      </Dialog>
    </section>
  );
}

export function ShareLinks({ portfolioId }: { portfolioId: number }) {
  const [data, reload] = useLoad(
    () => must(api.GET("/api/portfolios/{portfolio_id}/share-links", { params: { path: { portfolio_id: portfolioId }, query: { page_size: 100 } } })),
    [portfolioId],
  );
  const [errors, setErrors] = useState<FieldErrors>({});
  const [made, setMade] = useState<string | null>(null);

  async function create(event: Event) {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const fields = new FormData(form);
    const days = Number(fields.get("days") || 7);
    const uses = String(fields.get("max_uses") ?? "");
    try {
      const expires_at = new Date(Date.now() + days * 86_400_000).toISOString();
      const link = await must(
        api.POST("/api/portfolios/{portfolio_id}/share-links", {
          params: { path: { portfolio_id: portfolioId } },
          body: { expires_at, max_uses: uses ? Number(uses) : null },
        }),
      );
      setMade(link.url ?? null);
      setErrors({});
      say("Preview link made. Copy it now: it is not shown again.");
      reload();
    } catch (error) {
      setErrors(fieldErrors(error));
      sayError(error);
    }
  }

  async function revoke(id: number) {
    try {
      await must(api.DELETE("/api/portfolios/{portfolio_id}/share-links/{link_id}", { params: { path: { portfolio_id: portfolioId, link_id: id } } }));
      say("Preview link revoked.");
      reload();
    } catch (error) {
      sayError(error);
    }
  }

  return (
    <section aria-labelledby="share-title">
      <h2 id="share-title">Preview links</h2>
      <p class="hint">A client opens the portfolio, its draft included, without an account, until the link expires or is used up.</p>
      <form class="row-editor" onSubmit={create} aria-label="New preview link">
        <FormErrors errors={errors} shown={["max_uses"]} />
        <Field label="Valid for (days, at most 30)" name="expires_at" errors={errors}>
          {(props) => <input {...props} name="days" type="number" min={1} max={30} value="7" />}
        </Field>
        <Field label="Uses (empty: no limit)" name="max_uses" errors={errors}>
          {(props) => <input {...props} name="max_uses" type="number" min={1} />}
        </Field>
        <p class="actions">
          <button type="submit">Make preview link</button>
        </p>
      </form>
      {made && (
        <ShownOnce label="The new preview link" id="new-preview-link" value={made} copied="Link copied." onDone={() => setMade(null)}>
          The link, shown this once:
        </ShownOnce>
      )}
      {data && data.results.length > 0 && (
        <table class="list">
          <caption class="visually-hidden">Preview links</caption>
          <thead>
            <tr>
              <th scope="col">Made (UTC)</th>
              <th scope="col">Expires (UTC)</th>
              <th scope="col">Uses</th>
              <th scope="col"><span class="visually-hidden">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {data.results.map((link) => (
              <tr>
                <td>{when(link.created_at ?? "")}</td>
                <td>{when(link.expires_at)}</td>
                <td>
                  {link.uses}
                  {link.max_uses ? ` of ${link.max_uses}` : ""}
                </td>
                <td>
                  <button type="button" class="danger" onClick={() => revoke(link.id!)}>
                    Revoke link {link.id}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
