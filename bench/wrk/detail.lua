-- GET /api/portfolios/<id>, cycling over the seeded ids (BENCH_IDS), with the token.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "common.lua")

function request()
   counter = counter + 1
   -- Threads start at different offsets so they do not ask for the same id in step.
   local id = portfolio_ids[(counter + thread_id * 37) % #portfolio_ids + 1]
   return wrk.format("GET", "/api/portfolios/" .. id, auth_headers())
end
