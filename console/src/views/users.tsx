// Admins manage users: flags, permission codes shown with what each allows, a new password.
import { useState } from "preact/hooks";
import { api, must, session, type FieldErrors, type User } from "../api";
import { navigate } from "../router";
import { Dialog, Field, FormErrors, Pager, fieldErrors, say, sayError, useLoad, useMe } from "../ui";

type Code = { code: number; allows: string };
type Value = { username: string; password: string; is_active: boolean; is_staff: boolean; is_admin: boolean; permissions: number[] };

function UserForm({ user, codes, onSaved, onDelete }: { user?: User; codes: Code[]; onSaved: () => void; onDelete?: () => void }) {
  const me = useMe();
  const [value, setValue] = useState<Value>({
    username: user?.username ?? "",
    password: "",
    is_active: user?.is_active ?? true,
    is_staff: user?.is_staff ?? true,
    is_admin: user?.is_admin ?? false,
    permissions: (user?.permissions as number[] | undefined) ?? [],
  });
  const [errors, setErrors] = useState<FieldErrors>({});
  const label = user ? `user ${user.username}` : "new user";

  async function save(event: Event) {
    event.preventDefault();
    const { password, ...rest } = value;
    const body = { ...rest, permissions: rest.permissions as User["permissions"], ...(password ? { password } : {}) };
    try {
      if (user) await must(api.PATCH("/api/auth/users/{user_id}", { params: { path: { user_id: user.id } }, body }));
      else await must(api.POST("/api/auth/users", { body: { ...body, password } }));
      setErrors({});
      if (user?.id === me?.id) session.reloadMe(); // one's own flags and codes decide the screens
      say(`User ${value.username} saved.`);
      if (!user) setValue({ ...value, username: "", password: "", permissions: [] });
      onSaved();
    } catch (error) {
      setErrors(fieldErrors(error));
      sayError(error);
    }
  }
  const flag = (name: "is_active" | "is_staff" | "is_admin", text: string) => (
    <label class="check">
      <input type="checkbox" checked={value[name]} onChange={(event) => setValue({ ...value, [name]: event.currentTarget.checked })} /> {text}
    </label>
  );
  const toggle = (code: number, on: boolean) =>
    setValue({ ...value, permissions: on ? [...value.permissions, code].sort() : value.permissions.filter((c) => c !== code) });

  return (
    <form class="row-editor user" onSubmit={save} aria-label={label}>
      <FormErrors errors={errors} shown={["username", "password", "permissions"]} />
      <Field label="Username" name="username" errors={errors}>
        {(props) => <input {...props} value={value.username} required autocomplete="off" onInput={(event) => setValue({ ...value, username: event.currentTarget.value })} />}
      </Field>
      <Field label={user ? "New password (leave empty to keep)" : "Password"} name="password" errors={errors}>
        {(props) => <input {...props} type="password" autocomplete="new-password" value={value.password} required={!user} onInput={(event) => setValue({ ...value, password: event.currentTarget.value })} />}
      </Field>
      <fieldset class="flags">
        <legend>Account</legend>
        {flag("is_active", "Active")}
        {flag("is_staff", "Staff (uses the codes below)")}
        {flag("is_admin", "Admin (may do everything)")}
      </fieldset>
      <fieldset class="codes">
        <legend>Permission codes</legend>
        {codes.map(({ code, allows }) => (
          <label class="check">
            <input type="checkbox" checked={value.permissions.includes(code)} onChange={(event) => toggle(code, event.currentTarget.checked)} />{" "}
            <code>{code}</code> {allows}
          </label>
        ))}
      </fieldset>
      <p class="actions">
        <button type="submit">{user ? "Save user" : "Create user"}</button>
        {user && onDelete && user.id !== me?.id && (
          <button type="button" class="danger" onClick={onDelete}>
            Delete user
          </button>
        )}
      </p>
    </form>
  );
}

export function Users({ params }: { params: URLSearchParams }) {
  const page = Number(params.get("page") ?? 1);
  const [codes] = useLoad(() => must(api.GET("/api/auth/permissions")), []);
  const [data, reload] = useLoad(() => must(api.GET("/api/auth/users", { params: { query: { page, page_size: 20 } } })), [page]);
  const [deleting, setDeleting] = useState<User | null>(null);

  async function remove(user: User) {
    try {
      await must(api.DELETE("/api/auth/users/{user_id}", { params: { path: { user_id: user.id } } }));
      say(`User ${user.username} deleted.`);
      reload();
    } catch (error) {
      sayError(error);
    }
    setDeleting(null);
  }

  if (!codes || !data) return <p class="loading">Loading…</p>;
  return (
    <section>
      <h1>Users</h1>
      <details class="new">
        <summary>New user</summary>
        <UserForm codes={codes.permissions} onSaved={reload} />
      </details>
      <ul class="rows">
        {data.results.map((user) => (
          <li key={`${user.id}:${user.username}:${user.is_active}:${user.is_staff}:${user.is_admin}:${user.permissions.join()}`}>
            <h2>{user.username}</h2>
            <UserForm user={user} codes={codes.permissions} onSaved={reload} onDelete={() => setDeleting(user)} />
          </li>
        ))}
      </ul>
      <Pager page={page} size={20} data={data} onPage={(next) => navigate("/users", { page: next })} />
      <Dialog title="Delete this user?" open={deleting !== null} onClose={() => setDeleting(null)}>
        <p>{deleting?.username} and every key of theirs stop working at once.</p>
        <footer>
          <button type="button" onClick={() => setDeleting(null)}>
            Keep them
          </button>
          <button type="button" class="danger" onClick={() => deleting && remove(deleting)}>
            Delete user
          </button>
        </footer>
      </Dialog>
    </section>
  );
}
