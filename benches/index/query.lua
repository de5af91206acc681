-- wrk script for benches/index/serve_load.sh: POSTs one article a request, built from the
-- JSONL file in SERVE_LOAD_ARTICLES (each line's "text" field, taken as its raw JSON string so
-- that no JSON library is needed).
--
--   SERVE_LOAD_MODE=query (default): POST /query, the articles in turn.
--   SERVE_LOAD_MODE=add: POST /add of edited copies under ids unique to the run ("load-" plus
--   SERVE_LOAD_RUN, the wrk thread and a counter), so that every add is a new article.
--
-- done() prints one line `RESULT mode requests_per_s p99_ms non_2xx socket_errors` that the
-- shell script turns into its table.

local mode = os.getenv("SERVE_LOAD_MODE") or "query"
local run = os.getenv("SERVE_LOAD_RUN") or "0"
local max_articles = 2000

-- The raw JSON string (quotes and escapes kept) of `key` in one JSONL line.
local function json_string(line, key)
  local _, e = line:find('"' .. key .. '"%s*:%s*"')
  if not e then return nil end
  local i = e + 1
  while i <= #line do
    local c = line:byte(i)
    if c == 92 then -- a backslash: skip the escaped character
      i = i + 2
    elseif c == 34 then -- the closing quote
      return line:sub(e, i)
    else
      i = i + 1
    end
  end
  return nil
end

local texts = {}
local path = os.getenv("SERVE_LOAD_ARTICLES")
if not path then error("SERVE_LOAD_ARTICLES must name a JSONL file of articles") end
for line in io.lines(path) do
  local t = json_string(line, "text")
  if t then texts[#texts + 1] = t end
  if #texts >= max_articles then break end
end
if #texts == 0 then error(path .. ": no line with a \"text\" string") end

local headers = { ["Content-Type"] = "application/json" }
local counter = 0
local thread_id = 0

local threads = {}
function setup(thread)
  thread:set("thread_id", #threads + 1)
  threads[#threads + 1] = thread
end

function request()
  counter = counter + 1
  local text = texts[(counter + thread_id * 7919) % #texts + 1]
  if mode == "add" then
    local id = string.format("load-%s-%d-%d", run, thread_id, counter)
    -- An edited copy: a new first line, so that each add is a near-copy, not the same text.
    local edited = '"Update ' .. counter .. ': ' .. text:sub(2)
    local body = '{"articles":[{"id":"' .. id .. '","text":' .. edited .. '}]}'
    return wrk.format("POST", "/add", headers, body)
  end
  local body = '{"articles":[{"id":"q-' .. counter .. '","text":' .. text .. '}]}'
  return wrk.format("POST", "/query", headers, body)
end

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format("RESULT %s %.1f %.2f %d %d\n", mode, summary.requests / secs,
    latency:percentile(99) / 1000, e.status, e.connect + e.read + e.write + e.timeout))
end
