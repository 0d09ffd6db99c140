// The shell: sign-in, then the navigation and the screen the hash names.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, must, session, type User } from "./api";
import { match, navigate, useRoute, type Route } from "./router";
import { Me, StatusLine, say, sayError } from "./ui";
import { SCREENS, type Screen } from "./views";
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
    // A 403 means what this user may do changed: read it again, so that the screens follow.
    session.reloadMe = () => must(api.GET("/api/auth/me")).then(setMe, () => {});
    if (session.key) {
      must(api.GET("/api/auth/me"))
        .then(setMe, () => (session.key = null))
        .finally(() => setChecking(false));
    }
  }, []);

  const screens = me ? SCREENS.filter((screen) => screen.allowed(me)) : [];
  const found = screens
    .map((screen) => ({ screen, params: match(screen.path, route.path) }))
    .find(({ params }) => params !== null);
  const title = found?.screen.title ?? "Not found";

  // A new screen: its name in the tab's title, and the focus at its start, as a page load would.
  const first = useRef(true);
  useEffect(() => {
    document.title = me ? `${title} · Portfolio console` : "Sign in · Portfolio console";
    if (first.current) first.current = false;
    else document.getElementById("main")?.focus();
  }, [route.path, Boolean(me)]);

  return (
    <>
      {checking ? <p class="loading">Loading…</p> : me ? <Shell me={me} setMe={setMe} found={found} screens={screens} route={route} /> : <SignIn onSignedIn={setMe} />}
      <StatusLine />
    </>
  );
}

type Found = { screen: Screen; params: Record<string, string> | null } | undefined;

function Shell({ me, setMe, found, screens, route }: { me: User; setMe: (me: User | null) => void; found: Found; screens: Screen[]; route: Route }) {
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
        {found ? <found.screen.view key={route.path} {...found.params!} params={route.params} /> : <NotFound />}
      </main>
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
