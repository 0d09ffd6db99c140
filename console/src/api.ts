// The console's one way in: the public API, with the signed-in user's key.
// Types come from the OpenAPI document (src/api.d.ts, made by openapi-typescript).
import createClient from "openapi-fetch";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type Portfolio = Schemas["Portfolio"];
export type Media = Schemas["Media"];
/** A media as any answer shows it: the library's full one, or a meta's file. */
export type MediaLike = Pick<Media, "id" | "name" | "f"> & Partial<Pick<Media, "thumbnails" | "alt">>;
export type Employer = Schemas["Employer"];
export type Tag = Schemas["Tag"];
export type Link = Schemas["Link"];
export type Meta = Schemas["Meta"];
export type User = Schemas["User"];
export type Token = Schemas["Token"];

/** A 400's field errors: messages per field, or per index inside a list. */
export type FieldErrors = Record<string, string[] | Record<string, string[]> | string>;

/** An answer that was not 2xx: its status and its JSON body (the contract's error formats). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(typeof body.detail === "string" ? body.detail : errorSummary(body));
  }

  get fields(): FieldErrors {
    return this.status === 400 ? (this.body as FieldErrors) : {};
  }
}

function errorSummary(body: Record<string, unknown>): string {
  const first = Object.entries(body)[0];
  if (!first) return "The request failed.";
  const [field, messages] = first;
  const text = Array.isArray(messages) ? messages.join(" ") : JSON.stringify(messages);
  return field === "non_field_errors" ? text : `${field}: ${text}`;
}

// --------------------------------------------------------------------------- the key

const KEY = "portfolio-console-key";

/** The key lives for this tab only (sessionStorage), never in a cookie or localStorage. */
export const session = {
  get key(): string | null {
    return sessionStorage.getItem(KEY);
  },
  set key(value: string | null) {
    if (value) sessionStorage.setItem(KEY, value);
    else sessionStorage.removeItem(KEY);
  },
  /** Called when the API answers 401 to a request that carried the key. */
  onExpired: () => {},
  /** Reads ``/me`` again: on a 403 (what the user may do has changed), and after editing oneself. */
  reloadMe: () => {},
};

/** The app's root URL: the console is served at ``<root>/console/``, whatever prefix the app is mounted at. */
export const ROOT = new URL("..", location.href).href.replace(/\/$/, "");

export const api = createClient<paths>({ baseUrl: ROOT });

api.use({
  onRequest({ request }) {
    if (session.key) request.headers.set("Authorization", `Token ${session.key}`);
    return request;
  },
  onResponse({ request, response }) {
    if (response.status === 401 && request.headers.has("Authorization")) expired();
    if (response.status === 403) session.reloadMe();
    return response;
  },
});

function expired() {
  session.key = null;
  session.onExpired();
}

/** The data of an openapi-fetch result, or its error thrown as an ApiError. */
export async function must<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw new ApiError(response.status, (error ?? {}) as Record<string, unknown>);
  return data as T;
}

// --------------------------------------------------------------------------- uploads

/** Upload one file; ``progress`` gets 0..1 as the bytes go (fetch has no upload progress). */
export function upload(file: File, progress: (done: number) => void): Promise<Media> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", `${ROOT}/api/media`);
    request.setRequestHeader("Authorization", `Token ${session.key}`);
    request.responseType = "json";
    request.upload.onprogress = (event) => event.lengthComputable && progress(event.loaded / event.total);
    request.onload = () => {
      const body = request.response ?? { detail: `The upload failed (${request.status}).` };
      if (request.status === 201) return resolve(body as Media);
      if (request.status === 401) expired();
      reject(new ApiError(request.status, body));
    };
    request.onerror = () => reject(new ApiError(0, { detail: "The upload could not reach the server." }));
    const form = new FormData();
    form.append("file", file);
    request.send(form);
  });
}

// --------------------------------------------------------------------------- permissions

export const Perm = {
  MEDIA_VIEW: 4101,
  MEDIA_CREATE: 4102,
  MEDIA_UPDATE: 4103,
  MEDIA_DELETE: 4104,
  PORTFOLIO_VIEW_INACTIVE: 4201,
  PORTFOLIO_CREATE: 4202,
  PORTFOLIO_UPDATE: 4203,
  PORTFOLIO_DELETE: 4204,
  EMPLOYER_CREATE: 4302,
  EMPLOYER_UPDATE: 4303,
  EMPLOYER_DELETE: 4304,
  TAG_CREATE: 4402,
  TAG_UPDATE: 4403,
  TAG_DELETE: 4404,
} as const;

/** What ``GET /api/auth/me`` says the user may do: admins everything, staff their codes. */
export function can(user: User | null, code: number): boolean {
  if (!user?.is_active) return false;
  return user.is_admin || (user.is_staff && (user.permissions as number[]).includes(code));
}
