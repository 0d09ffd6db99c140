// Admins read the audit log: every write, who made it, when, from where, and what changed; filtered.
import { api, must } from "../api";
import { navigate } from "../router";
import { Pager, useLoad } from "../ui";
import { brief } from "./publishing";

const SIZE = 50;
const FILTERS: { name: string; label: string; type?: "text" | "number" | "date"; placeholder?: string }[] = [
  { name: "action", label: "Action", placeholder: "update" },
  { name: "object_type", label: "Object type", placeholder: "portfolio" },
  { name: "object_id", label: "Object id", type: "number" },
  { name: "user", label: "User id", type: "number" },
  { name: "since", label: "Since (UTC)", type: "date" },
  { name: "until", label: "Until (UTC, not included)", type: "date" },
];

export function AuditLog({ params }: { params: URLSearchParams }) {
  const page = Number(params.get("page") ?? 1);
  const filters = Object.fromEntries(FILTERS.map(({ name }) => [name, params.get(name) ?? ""]).filter(([, value]) => value));
  const [data] = useLoad(() => must(api.GET("/api/audit", { params: { query: { ...filters, page, page_size: SIZE } as never } })), [params.toString()]);

  function apply(event: Event) {
    event.preventDefault();
    const fields = new FormData(event.currentTarget as HTMLFormElement);
    navigate("/audit", Object.fromEntries([...fields.entries()].filter(([, value]) => value !== "")) as Record<string, string>);
  }

  return (
    <section>
      <h1>Audit log</h1>
      <form key={params.toString()} class="filters" role="search" aria-label="Filter the audit log" onSubmit={apply}>
        {FILTERS.map(({ name, label, type, placeholder }) => (
          <label>
            {label}
            <input name={name} type={(type ?? "text") as "text"} defaultValue={filters[name] ?? ""} placeholder={placeholder} />
          </label>
        ))}
        <button type="submit">Filter</button>
      </form>
      {data && (
        <table class="list">
          <caption class="visually-hidden">Audit entries, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When (UTC)</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">Object</th>
              <th scope="col">Changes</th>
              <th scope="col">Address</th>
            </tr>
          </thead>
          <tbody>
            {data.results.map((entry) => (
              <tr>
                <td>{entry.at.slice(0, 19).replace("T", " ")}</td>
                <td>{entry.user?.username ?? "—"}</td>
                <td>{entry.action}</td>
                <td>
                  {entry.object_type}
                  {entry.object_id !== null ? ` ${entry.object_id}` : ""}
                </td>
                <td>
                  {Object.entries((entry.changes ?? {}) as Record<string, [unknown, unknown]>)
                    .map(([field, [before, after]]) => `${field}: ${brief(before)} → ${brief(after)}`)
                    .join("; ") || "—"}
                </td>
                <td>{entry.ip ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {data && <Pager page={page} size={SIZE} data={data} onPage={(next) => navigate("/audit", { ...filters, page: String(next) })} />}
    </section>
  );
}
