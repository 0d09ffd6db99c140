// The portfolio list: search, filters, sorting and pages, all kept in the URL.
import { api, can, must, Perm } from "../api";
import { navigate } from "../router";
import { Filters, Pager, Thumb, useLoad, useMe } from "../ui";

const ORDERINGS: [string, string][] = [
  ["order", "Order"],
  ["title", "Title, A to Z"],
  ["-title", "Title, Z to A"],
  ["-completed_at", "Completed, newest first"],
  ["completed_at", "Completed, oldest first"],
  ["-updated_at", "Updated, newest first"],
  ["-created_at", "Created, newest first"],
];
const STATUSES: [string, string][] = [
  ["", "Any"],
  ["true", "Active"],
  ["false", "Inactive"],
];
const SIZE = 20;

const named = (items?: { id: number; name: string }[]): [string, string][] => (items ?? []).map((item) => [String(item.id), item.name]);

function Choice({ label, value, onChange, options }: { label: string; value: string; onChange: (value: string) => void; options: [string, string][] }) {
  return (
    <label>
      {label}
      <select value={value} onChange={(event) => onChange(event.currentTarget.value)}>
        {options.map(([option, text]) => (
          <option value={option}>{text}</option>
        ))}
      </select>
    </label>
  );
}

export function PortfolioList({ params }: { params: URLSearchParams }) {
  const me = useMe();
  const query = {
    search: params.get("search") ?? "",
    tag: params.get("tag") ?? "",
    employer: params.get("employer") ?? "",
    is_active: params.get("is_active") ?? "",
    ordering: params.get("ordering") ?? "order",
    page: Number(params.get("page") ?? 1),
  };
  const seesInactive = can(me, Perm.PORTFOLIO_VIEW_INACTIVE);
  const [tags] = useLoad(() => must(api.GET("/api/tags", { params: { query: { page_size: 100 } } })), []);
  const [employers] = useLoad(() => must(api.GET("/api/employers", { params: { query: { page_size: 100 } } })), []);
  const [data] = useLoad(
    () =>
      must(
        api.GET("/api/portfolios", {
          params: {
            query: {
              search: query.search || undefined,
              tag: query.tag ? [Number(query.tag)] : undefined,
              employer: query.employer ? Number(query.employer) : undefined,
              is_active: seesInactive && query.is_active ? query.is_active === "true" : undefined,
              ordering: query.ordering as "order",
              page: query.page,
              page_size: SIZE,
            },
          },
        }),
      ),
    [params.toString()],
  );

  const set = (changes: Partial<typeof query>) => navigate("/portfolios", { ...query, page: undefined, ...changes });

  return (
    <section>
      <div class="title-row">
        <h1>Portfolios</h1>
        {can(me, Perm.PORTFOLIO_CREATE) && (
          <a class="button primary" href="#/portfolios/new">
            New portfolio
          </a>
        )}
      </div>
      <Filters search={query.search} onSearch={(search) => set({ search })}>
        <Choice label="Tag" value={query.tag} onChange={(tag) => set({ tag })} options={[["", "Any"], ...named(tags?.results)]} />
        <Choice label="Employer" value={query.employer} onChange={(employer) => set({ employer })} options={[["", "Any"], ...named(employers?.results)]} />
        {seesInactive && <Choice label="Status" value={query.is_active} onChange={(is_active) => set({ is_active })} options={STATUSES} />}
        <Choice label="Sort by" value={query.ordering} onChange={(ordering) => set({ ordering })} options={ORDERINGS} />
      </Filters>
      {data && (
        <>
          <table class="list">
            <caption class="visually-hidden">Portfolios, page {query.page}</caption>
            <thead>
              <tr>
                <th scope="col">Cover</th>
                <th scope="col">Title</th>
                <th scope="col">Employer</th>
                <th scope="col">Tags</th>
                <th scope="col">Status</th>
                <th scope="col">Completed</th>
              </tr>
            </thead>
            <tbody>
              {data.results.map((portfolio) => (
                <tr>
                  <td>
                    <Thumb media={portfolio.image_data} size={64} />
                  </td>
                  <td>
                    <a href={`#/portfolios/${portfolio.id}`}>{portfolio.title}</a>
                  </td>
                  <td>{portfolio.employer_data?.name ?? "—"}</td>
                  <td>{portfolio.tags_data.map((tag) => tag.name).join(", ") || "—"}</td>
                  <td>{portfolio.is_active ? "Active" : "Inactive"}</td>
                  <td>{portfolio.completed_at?.slice(0, 10) ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {data.results.length === 0 && <p>No portfolio matches.</p>}
          <Pager page={query.page} size={SIZE} data={data} onPage={(page) => navigate("/portfolios", { ...query, page })} />
        </>
      )}
    </section>
  );
}
