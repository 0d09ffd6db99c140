-- GET /api/portfolios?page_size=20&page=N, cycling N over 1..BENCH_PAGES, with the token.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "common.lua")

function request()
   counter = counter + 1
   local page = (counter + thread_id) % pages + 1
   return wrk.format("GET", string.format("/api/portfolios?page_size=%d&page=%d", page_size, page), auth_headers())
end
