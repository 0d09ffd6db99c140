import { useState } from "preact/hooks";
import { api, must, session, type User } from "../api";
import { Field, FormErrors, fieldErrors, say } from "../ui";
import type { FieldErrors } from "../api";

export function SignIn({ onSignedIn }: { onSignedIn: (user: User) => void }) {
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    try {
      const answer = await must(
        api.POST("/api/auth/login", {
          body: { username: String(form.get("username")), password: String(form.get("password")) },
        }),
      );
      session.key = answer.token;
      say(`Signed in as ${answer.user.username}.`);
      onSignedIn(answer.user);
    } catch (error) {
      const found = fieldErrors(error);
      setErrors(Object.keys(found).length ? found : { detail: [(error as Error).message] });
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" class="signin">
      <h1>Portfolio console</h1>
      <form onSubmit={submit} aria-describedby="signin-errors">
        <div id="signin-errors">
          <FormErrors errors={errors} shown={["username", "password"]} />
        </div>
        <Field label="Username" name="username" errors={errors}>
          {(props) => <input {...props} name="username" autocomplete="username" required />}
        </Field>
        <Field label="Password" name="password" errors={errors}>
          {(props) => <input {...props} name="password" type="password" autocomplete="current-password" required />}
        </Field>
        <button type="submit" class="primary" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
