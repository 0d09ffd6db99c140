// Admins manage webhooks: made with the secret shown once, edited, pinged, deleted; each one's
// delivery log with every attempt, and a redeliver button.
import { useState } from "preact/hooks";
import { api, must, type FieldErrors, type Schemas } from "../api";
import { navigate } from "../router";
import { Dialog, Field, FormErrors, Pager, ShownOnce, fieldErrors, say, sayError, useLoad } from "../ui";

type Webhook = Schemas["Webhook"];
type EventType = Schemas["WebhookRequest"]["events"][number];

const EVENTS: EventType[] = [
  "portfolio.published", "portfolio.unpublished", "portfolio.updated", "portfolio.deleted",
  "media.updated", "media.deleted", "employer.updated", "tag.updated",
];
const SIZE = 20;
const when = (iso: string) => iso.slice(0, 19).replace("T", " ");

type Value = { url: string; events: EventType[]; is_active: boolean; description: string };

/** The URL, the events (all of them, or some), the state and a note; ``onSave`` sends them. */
function WebhookForm({ webhook, label, action, onSave }: { webhook?: Webhook; label: string; action: string; onSave: (value: Value) => Promise<void> }) {
  const [value, setValue] = useState<Value>({
    url: webhook?.url ?? "",
    events: (webhook?.events as EventType[] | undefined) ?? ["*"],
    is_active: webhook?.is_active ?? true,
    description: webhook?.description ?? "",
  });
  const [errors, setErrors] = useState<FieldErrors>({});
  const all = value.events.includes("*");
  const toggle = (type: EventType, on: boolean) =>
    setValue({ ...value, events: on ? [...value.events.filter((t) => t !== "*"), type] : value.events.filter((t) => t !== type) });

  async function submit(event: Event) {
    event.preventDefault();
    try {
      await onSave(value);
      setErrors({});
    } catch (error) {
      setErrors(fieldErrors(error));
      sayError(error);
    }
  }

  return (
    <form class="webhook-form" aria-label={label} onSubmit={submit}>
      <FormErrors errors={errors} shown={["url", "events", "description"]} />
      <Field label="URL" name="url" errors={errors} hint="A deploy hook (Netlify, Vercel, Cloudflare Pages) or your own receiver.">
        {(props) => <input {...props} type="url" required value={value.url} onInput={(e) => setValue({ ...value, url: e.currentTarget.value })} />}
      </Field>
      <Field label="Description" name="description" errors={errors}>
        {(props) => <input {...props} value={value.description} maxLength={500} onInput={(e) => setValue({ ...value, description: e.currentTarget.value })} />}
      </Field>
      <fieldset>
        <legend>Events</legend>
        <label class="checkbox">
          <input type="checkbox" checked={all} onChange={(e) => setValue({ ...value, events: e.currentTarget.checked ? ["*"] : [] })} /> All events
        </label>
        {!all &&
          EVENTS.map((type) => (
            <label class="checkbox">
              <input type="checkbox" checked={value.events.includes(type)} onChange={(e) => toggle(type, e.currentTarget.checked)} /> {type}
            </label>
          ))}
        <ul class="errors" data-field="events">
          {(Array.isArray(errors.events) ? errors.events : []).map((text) => (
            <li>{text}</li>
          ))}
        </ul>
      </fieldset>
      <label class="checkbox">
        <input type="checkbox" checked={value.is_active} onChange={(e) => setValue({ ...value, is_active: e.currentTarget.checked })} /> Active
      </label>
      <p class="actions">
        <button type="submit" class="primary">
          {action}
        </button>
      </p>
    </form>
  );
}

export function Webhooks({ params }: { params: URLSearchParams }) {
  const page = Number(params.get("page") ?? 1);
  const [data, reload] = useLoad(() => must(api.GET("/api/webhooks", { params: { query: { page, page_size: SIZE } } })), [page]);
  const [secret, setSecret] = useState<string | null>(null);
  const [made, setMade] = useState(0); // a new form after each webhook made

  async function create(value: Value) {
    const webhook = await must(api.POST("/api/webhooks", { body: value }));
    setSecret(webhook.secret ?? null);
    setMade((count) => count + 1);
    say("Webhook made. Copy its secret now: it is not shown again.");
    reload();
  }

  return (
    <section>
      <h1>Webhooks</h1>
      <p>The service calls these URLs, signed as Standard Webhooks, when something the public sees changes.</p>
      <WebhookForm key={made} label="New webhook" action="Make webhook" onSave={create} />
      {secret && (
        <ShownOnce label="The new webhook's secret" id="new-secret" value={secret} copied="Secret copied." onDone={() => setSecret(null)}>
          Its signing secret, shown this once:
        </ShownOnce>
      )}
      {data && (
        <table class="list">
          <caption class="visually-hidden">Webhooks</caption>
          <thead>
            <tr>
              <th scope="col">URL</th>
              <th scope="col">Events</th>
              <th scope="col">State</th>
              <th scope="col">Description</th>
            </tr>
          </thead>
          <tbody>
            {data.results.map((webhook) => (
              <tr>
                <td>
                  <a href={`#/webhooks/${webhook.id}`}>{webhook.url}</a>
                </td>
                <td>{webhook.events.join(", ")}</td>
                <td>{webhook.is_active ? "active" : "paused"}</td>
                <td>{webhook.description || "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {data && <Pager page={page} size={SIZE} data={data} onPage={(next) => navigate("/webhooks", { page: next })} />}
    </section>
  );
}

export function WebhookDetail({ id, params }: { id: string; params: URLSearchParams }) {
  const webhook_id = Number(id);
  const page = Number(params.get("page") ?? 1);
  const [webhook, reloadWebhook] = useLoad(() => must(api.GET("/api/webhooks/{webhook_id}", { params: { path: { webhook_id } } })), [webhook_id]);
  const [log, reloadLog] = useLoad(
    () => must(api.GET("/api/webhooks/{webhook_id}/deliveries", { params: { path: { webhook_id }, query: { page, page_size: SIZE } } })),
    [webhook_id, page],
  );
  const [deleting, setDeleting] = useState(false);

  async function save(value: Value) {
    await must(api.PATCH("/api/webhooks/{webhook_id}", { params: { path: { webhook_id } }, body: value }));
    say("Webhook saved.");
    reloadWebhook();
  }

  async function act(call: () => Promise<unknown>, done: string) {
    try {
      await call();
      say(done);
      setTimeout(reloadLog, 1500); // the worker sends it in a moment
      reloadLog();
    } catch (error) {
      sayError(error);
    }
  }

  async function remove() {
    try {
      await must(api.DELETE("/api/webhooks/{webhook_id}", { params: { path: { webhook_id } } }));
      say("Webhook deleted.");
      navigate("/webhooks");
    } catch (error) {
      sayError(error);
    }
  }

  if (!webhook) return <p class="loading">Loading…</p>;
  return (
    <section>
      <p class="crumbs">
        <a href="#/webhooks">Webhooks</a>
      </p>
      <h1>{webhook.url}</h1>
      <WebhookForm key={webhook.id} webhook={webhook} label="Edit webhook" action="Save webhook" onSave={save} />
      <p class="actions">
        <button type="button" onClick={() => act(() => must(api.POST("/api/webhooks/{webhook_id}/ping", { params: { path: { webhook_id } } })), "Ping sent.")}>
          Send a ping
        </button>
        <button type="button" class="quiet" onClick={reloadLog}>
          Refresh the log
        </button>
        <button type="button" class="danger" onClick={() => setDeleting(true)}>
          Delete webhook
        </button>
      </p>
      <h2>Delivery log</h2>
      {log && (
        <table class="list">
          <caption class="visually-hidden">Deliveries, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Made (UTC)</th>
              <th scope="col">Status</th>
              <th scope="col">Events</th>
              <th scope="col">Attempts</th>
              <th scope="col"><span class="visually-hidden">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {log.results.map((delivery) => (
              <tr>
                <td>{when(delivery.created_at)}</td>
                <td>{delivery.status}</td>
                <td>{delivery.events.map((event) => `${event.type} ${event.slug ?? event.object_id}`).join(", ")}</td>
                <td>
                  {delivery.attempts.length === 0 ? (
                    "none yet"
                  ) : (
                    <ol class="attempts">
                      {delivery.attempts.map((attempt) => (
                        <li>
                          {when(attempt.at)}: {attempt.status_code ?? attempt.error} ({attempt.duration_ms} ms)
                        </li>
                      ))}
                    </ol>
                  )}
                </td>
                <td>
                  <button
                    type="button"
                    onClick={() =>
                      act(() => must(api.POST("/api/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver", { params: { path: { webhook_id, delivery_id: delivery.id } } })), "Delivery queued again.")
                    }
                  >
                    Redeliver {delivery.id}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {log && <Pager page={page} size={SIZE} data={log} onPage={(next) => navigate(`/webhooks/${webhook_id}`, { page: next })} />}
      <Dialog title="Delete this webhook?" open={deleting} onClose={() => setDeleting(false)}>
        <p>It is deleted with its delivery log. Nothing more is sent to {webhook.url}.</p>
        <footer>
          <button type="button" onClick={() => setDeleting(false)}>Keep it</button>
          <button type="button" class="danger" onClick={remove}>Delete webhook</button>
        </footer>
      </Dialog>
    </section>
  );
}
