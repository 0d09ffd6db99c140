// Everyone's own API keys: made with a name and an expiry, the key shown once, revoked at will.
import { useState } from "preact/hooks";
import { api, must, type FieldErrors } from "../api";
import { navigate } from "../router";
import { Dialog, Field, FormErrors, Pager, ShownOnce, fieldErrors, say, sayError, useLoad } from "../ui";

const SIZE = 20;

export function Keys({ params }: { params: URLSearchParams }) {
  const page = Number(params.get("page") ?? 1);
  const [data, reload] = useLoad(() => must(api.GET("/api/auth/tokens", { params: { query: { page, page_size: SIZE } } })), [page]);
  const [revoking, setRevoking] = useState<{ id: number; name: string } | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [made, setMade] = useState<{ name: string; key: string } | null>(null);

  async function create(event: Event) {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const fields = new FormData(form);
    const expires = String(fields.get("expires_at") ?? "");
    try {
      // The key works through the whole day chosen, to its last second (UTC).
      const expires_at = expires ? `${expires}T23:59:59Z` : null;
      const token = await must(api.POST("/api/auth/tokens", { body: { name: String(fields.get("name")), expires_at } }));
      setMade({ name: token.name, key: token.key });
      setErrors({});
      form.reset();
      say(`Key ${token.name} made. Copy it now: it is not shown again.`);
      reload();
    } catch (error) {
      setErrors(fieldErrors(error));
      sayError(error);
    }
  }

  async function revoke(id: number, name: string) {
    setRevoking(null);
    try {
      await must(api.DELETE("/api/auth/tokens/{token_id}", { params: { path: { token_id: id } } }));
      say(`Key ${name} revoked.`);
      reload();
    } catch (error) {
      sayError(error);
    }
  }

  return (
    <section>
      <h1>API keys</h1>
      <p>Keys let scripts and sites call the API as you. The console's own key ends when you sign out.</p>
      <form class="row-editor" onSubmit={create} aria-label="New key">
        <FormErrors errors={errors} shown={["name", "expires_at"]} />
        <Field label="Name" name="name" errors={errors}>
          {(props) => <input {...props} name="name" required maxLength={100} />}
        </Field>
        <Field label="Last day (UTC; empty: never expires)" name="expires_at" errors={errors}>
          {(props) => <input {...props} name="expires_at" type="date" />}
        </Field>
        <p class="actions">
          <button type="submit">Make key</button>
        </p>
      </form>
      {made && (
        <ShownOnce label="The new key" id="new-key" value={made.key} copied="Key copied." onDone={() => setMade(null)}>
          The key <strong>{made.name}</strong>, shown this once:
        </ShownOnce>
      )}
      {data && (
        <table class="list">
          <caption class="visually-hidden">Your keys</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Made</th>
              <th scope="col">Last used</th>
              <th scope="col">Expires</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data.results.map((token) => (
              <tr>
                <td>{token.name}</td>
                <td>{token.created_at.slice(0, 16).replace("T", " ")}</td>
                <td>{token.last_used_at?.slice(0, 16).replace("T", " ") ?? "never"}</td>
                <td>{token.expires_at?.slice(0, 10) ?? "never"}</td>
                <td>
                  <button type="button" class="danger" onClick={() => setRevoking(token)}>
                    Revoke {token.name}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {data && <Pager page={page} size={SIZE} data={data} onPage={(next) => navigate("/keys", { page: next })} />}
      <Dialog title="Revoke this key?" open={revoking !== null} onClose={() => setRevoking(null)}>
        <p>Whatever uses the key {revoking?.name} is refused from now on. This cannot be undone.</p>
        <footer>
          <button type="button" onClick={() => setRevoking(null)}>
            Keep it
          </button>
          <button type="button" class="danger" onClick={() => revoking && revoke(revoking.id, revoking.name)}>
            Revoke key
          </button>
        </footer>
      </Dialog>
    </section>
  );
}
