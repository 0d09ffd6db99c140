// The shell: sign-in, then the navigation and the screen the hash names.
import { useEffect, useState } from "preact/hooks";
import { api, must, session, type User } from "./api";
import { match, navigate, useRoute } from "./router";
import { Me, StatusLine, say, sayError } from "./ui";
import { SCREENS } from "./views";
import { SignIn } from "./views/signin";

export function App() {
  const [me, setMe] = useState<User | null>(null);
  const [checking, setChecking] = useState(Boolean(session.key));
  const route = useRoute();

  useEffect(() => {
    session.onExpired = () => {
      setMe(null);
      say("Your session has ended: sign in again.");
    };
    if (session.key) {
      must(api.GET("/api/auth/me"))
        .then(setMe, () => (session.key = null))
        .finally(() => setChecking(false));
    }
  }, []);

  if (checking) return <p class="loading">Loading…</p>;
  if (!me)
    return (
      <>
        <SignIn onSignedIn={setMe} />
        <StatusLine />
      </>
    );

  async function signOut() {
    try {
      await must(api.POST("/api/auth/logout")); // revokes the key
    } catch (error) {
      sayError(error);
    }
    session.key = null;
    setMe(null);
    navigate("/portfolios");
    say("Signed out.");
  }

  const screens = SCREENS.filter((screen) => screen.allowed(me));
  const found = screens
    .map((screen) => ({ screen, params: match(screen.path, route.path) }))
    .find(({ params }) => params !== null);
  return (
    <Me.Provider value={me}>
      <a class="skip" href="#main" onClick={(event) => (event.preventDefault(), document.getElementById("main")?.focus())}>
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Portfolio console</span>
        <nav aria-label="Sections">
          <ul>
            {screens
              .filter((screen) => screen.nav)
              .map((screen) => (
                <li>
                  <a href={`#${screen.path}`} aria-current={route.path.startsWith(screen.path) ? "page" : undefined}>
                    {screen.nav}
                  </a>
                </li>
              ))}
          </ul>
        </nav>
        <span class="who">
          {me.username}
          <button type="button" class="quiet" onClick={signOut}>
            Sign out
          </button>
        </span>
      </header>
      <main id="main" tabIndex={-1}>
        {found ? <found.screen.view {...found.params!} params={route.params} /> : <NotFound />}
      </main>
      <StatusLine />
    </Me.Provider>
  );
}

function NotFound() {
  return (
    <section>
      <h1>Not found</h1>
      <p>
        There is no such screen, or you may not use it. <a href="#/portfolios">Back to the portfolios</a>.
      </p>
    </section>
  );
}
