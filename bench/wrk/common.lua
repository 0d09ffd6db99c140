-- Shared by the wrk scenarios of bench/http.py: the token, per-status counts and a
-- machine-readable summary. A scenario script loads it first, then defines request():
--
--   local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
--   dofile(here .. "common.lua")
--
-- Settings come from the environment, set by bench/http.py:
--   BENCH_TOKEN  API key, sent as "Authorization: Token <key>" on every request
--   BENCH_IDS    comma-separated portfolio ids (detail and PATCH cycle over them)
--   BENCH_TAGS   comma-separated tag ids (PATCH picks 5 of them)
--   BENCH_PAGES  number of list pages to cycle over; BENCH_PAGE_SIZE their size
--   BENCH_RUN    a label unique to this wrk run, so PATCHed titles never clash

local function env_ids(name)
   local ids = {}
   for id in (os.getenv(name) or ""):gmatch("%d+") do
      ids[#ids + 1] = tonumber(id)
   end
   return ids
end

token = os.getenv("BENCH_TOKEN") or error("BENCH_TOKEN is not set")
run_label = os.getenv("BENCH_RUN") or "run"
portfolio_ids = env_ids("BENCH_IDS")
tag_ids = env_ids("BENCH_TAGS")
pages = tonumber(os.getenv("BENCH_PAGES") or "1")
page_size = tonumber(os.getenv("BENCH_PAGE_SIZE") or "20")

-- Per thread: its number (set by setup() below), requests made, responses per status.
thread_id = 0
counter = 0
statuses = {}

-- The headers of every request; extra ones (e.g. Content-Type) are added on top.
function auth_headers(extra)
   local h = { ["Authorization"] = "Token " .. token }
   for name, value in pairs(extra or {}) do
      h[name] = value
   end
   return h
end

-- Runs in wrk's main Lua state, once per thread, before the threads start.
local threads = {}
function setup(thread)
   threads[#threads + 1] = thread
   thread:set("thread_id", #threads)
end

function response(status, _headers, _body)
   statuses[status] = (statuses[status] or 0) + 1
end

-- One line that bench/http.py parses: BENCH_RESULT {json}. Latency is in microseconds.
function done(summary, latency, _requests)
   local totals = {}
   for _, thread in ipairs(threads) do
      for status, n in pairs(thread:get("statuses")) do
         totals[status] = (totals[status] or 0) + n
      end
   end
   local parts = {}
   for status, n in pairs(totals) do
      parts[#parts + 1] = string.format('"%d": %d', status, n)
   end
   local e = summary.errors
   io.write(string.format(
      'BENCH_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %.1f, "p99_us": %.1f, '
         .. '"errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, "statuses": {%s}}\n',
      summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(99),
      e.connect, e.read, e.write, e.timeout, table.concat(parts, ", ")
   ))
end
