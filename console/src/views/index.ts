// Every screen of the console: its route, its place in the navigation, and who may see it.
// A new screen is one entry here and one module beside this one.
import type { FunctionComponent } from "preact";
import { can, Perm, type User } from "../api";
import { AuditLog } from "./audit";
import { EmployerList, TagList } from "./named";
import { Keys } from "./keys";
import { MediaLibrary } from "./media";
import { PortfolioEditor } from "./editor";
import { PortfolioList } from "./portfolios";
import { Users } from "./users";
import { WebhookDetail, Webhooks } from "./webhooks";

export type Screen = {
  path: string;
  title: string;
  nav?: string;
  allowed: (me: User) => boolean;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  view: FunctionComponent<any>;
};

const anyone = () => true;

export const SCREENS: Screen[] = [
  { path: "/portfolios", title: "Portfolios", nav: "Portfolios", allowed: anyone, view: PortfolioList },
  { path: "/portfolios/new", title: "New portfolio", allowed: (me) => can(me, Perm.PORTFOLIO_CREATE), view: PortfolioEditor },
  { path: "/portfolios/:id", title: "Portfolio", allowed: anyone, view: PortfolioEditor },
  { path: "/media", title: "Media library", nav: "Media", allowed: (me) => can(me, Perm.MEDIA_VIEW), view: MediaLibrary },
  { path: "/employers", title: "Employers", nav: "Employers", allowed: anyone, view: EmployerList },
  { path: "/tags", title: "Tags", nav: "Tags", allowed: anyone, view: TagList },
  { path: "/users", title: "Users", nav: "Users", allowed: (me) => me.is_admin, view: Users },
  { path: "/webhooks", title: "Webhooks", nav: "Webhooks", allowed: (me) => me.is_admin, view: Webhooks },
  { path: "/webhooks/:id", title: "Webhook", allowed: (me) => me.is_admin, view: WebhookDetail },
  { path: "/audit", title: "Audit log", nav: "Audit log", allowed: (me) => me.is_admin, view: AuditLog },
  { path: "/keys", title: "API keys", nav: "API keys", allowed: anyone, view: Keys },
];
