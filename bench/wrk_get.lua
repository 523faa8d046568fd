-- GET one URL with a fixed Cookie header (args[1]) and, when given, an Accept-Encoding
-- header (args[2], e.g. "gzip", as browsers send); counts non-200 answers, so a
-- redirect to /login cannot pass for a fast page, and prints one JSON line at the end.
-- socket_errors include wrk's timeouts (also reported alone as "timeouts").
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  if args[1] and args[1] ~= "" then
    wrk.headers["Cookie"] = args[1]
  end
  if args[2] and args[2] ~= "" then
    wrk.headers["Accept-Encoding"] = args[2]
  end
  non200 = 0
end

function response(status, headers, body)
  if status ~= 200 then
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
