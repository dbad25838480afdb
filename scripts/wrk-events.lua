-- wrk script: POST /v1/events with a new case.assigned event (its own id and assignee) each request.
--   KEY=hk_… wrk -t2 -c32 -d20s --latency -s scripts/wrk-events.lua http://127.0.0.1:8080
local key = os.getenv("KEY") or ""
local threads = 0
local run = os.time()

function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

local counter = 0

function request()
  counter = counter + 1
  local n = tid * 1000000 + counter
  local body = string.format(
    '{"id":"load-%d-%d","type":"case.assigned","occurredAt":"2026-11-23T11:00:00Z",' ..
    '"data":{"case":{"number":"C-%d","title":"Printer on the 3rd floor"},' ..
    '"assignee":{"id":"u-%d","phone":"091%07d"},"actor":{"id":"u-0"}}}',
    run, n, n, n, n % 10000000)
  return wrk.format("POST", "/v1/events",
    {["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json"}, body)
end

function done(summary, latency, requests)
  io.write(string.format("p50 %.2f ms, p99 %.2f ms, %d requests, %d errors\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
