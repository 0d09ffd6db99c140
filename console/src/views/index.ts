// Every screen of the console: its route, its place in the navigation, and who may see it.
// A new screen is one entry here and one module beside this one.
import type { FunctionComponent } from "preact";
import { can, Perm, type User } from "../api";
import { EmployerList, TagList } from "./named";
import { Keys } from "./keys";
import { MediaLibrary } from "./media";
import { PortfolioEditor } from "./editor";
import { PortfolioList } from "./portfolios";
import { Users } from "./users";

export type Screen = {
  path: string;
  nav?: string;
  allowed: (me: User) => boolean;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  view: FunctionComponent<any>;
};

const anyone = () => true;

export const SCREENS: Screen[] = [
  { path: "/portfolios", nav: "Portfolios", allowed: anyone, view: PortfolioList },
  { path: "/portfolios/new", allowed: (me) => can(me, Perm.PORTFOLIO_CREATE), view: PortfolioEditor },
  { path: "/portfolios/:id", allowed: anyone, view: PortfolioEditor },
  { path: "/media", nav: "Media", allowed: (me) => can(me, Perm.MEDIA_VIEW), view: MediaLibrary },
  { path: "/employers", nav: "Employers", allowed: anyone, view: EmployerList },
  { path: "/tags", nav: "Tags", allowed: anyone, view: TagList },
  { path: "/users", nav: "Users", allowed: (me) => me.is_admin, view: Users },
  { path: "/keys", nav: "API keys", allowed: anyone, view: Keys },
];
