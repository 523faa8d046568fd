-- GET one URL with a fixed Cookie (args[1]) and If-None-Match (args[2]) header: a repeat
-- view of an unchanged page; counts answers other than 304 and prints one JSON line.
-- socket_errors include wrk's timeouts (also reported alone as "timeouts").
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  wrk.headers["Cookie"] = args[1]
  wrk.headers["If-None-Match"] = args[2]
  wrk.headers["Accept-Encoding"] = "gzip"
  non200 = 0
end

function response(status, headers, body)
  if status ~= 304 then
    non200 = non200 + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non200")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"socket_errors": %d, "timeouts": %d, "non200": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.timeout, bad))
end
