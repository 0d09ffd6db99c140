-- PATCH /api/portfolios/<id> that really changes title, order and tags, with the token.
-- Titles are unique: run label, thread number and request counter. The ids cycle
-- over BENCH_IDS; the tags are 5 consecutive ids of BENCH_TAGS, from a start that
-- moves on by one more each round of the ids, so a portfolio's tags change on
-- every visit (the id count is a multiple of the tag count).
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "common.lua")

local json_headers = auth_headers({ ["Content-Type"] = "application/json" })

function request()
   counter = counter + 1
   local id = portfolio_ids[(counter + thread_id * 37) % #portfolio_ids + 1]
   local start = counter + math.floor(counter / #portfolio_ids)
   local tags = {}
   for k = 0, 4 do
      tags[#tags + 1] = tag_ids[(start + k) % #tag_ids + 1]
   end
   local body = string.format(
      '{"title": "Bench %s t%d n%d", "order": %d, "tags": [%s]}',
      run_label, thread_id, counter, counter % 1000, table.concat(tags, ", ")
   )
   return wrk.format("PATCH", "/api/portfolios/" .. id, json_headers, body)
end
