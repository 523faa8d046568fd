-- Draft autosave by many trainees: args[1] is a file with one line per trainee,
-- "cookie<TAB>csrf token<TAB>path". Each request saves the next trainee's draft (round
-- robin, threads starting at different trainees) with a numbered text.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("offset", #threads * 97)
end

function init(args)
  trainees = {}
  for line in io.lines(args[1]) do
    local cookie, token, path = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)$")
    table.insert(trainees, {cookie = cookie, token = token, path = path})
  end
  next_index = (offset or 0) % #trainees
  sequence = 0
  non200 = 0
end

function request()
  next_index = next_index % #trainees + 1
  sequence = sequence + 1
  local t = trainees[next_index]
  local body = "csrf_token=" .. t.token .. "&answer=autosave+" .. next_index .. "+" .. sequence
  return wrk.format("POST", t.path, {
    ["Cookie"] = t.cookie,
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["HX-Request"] = "true",
  }, body)
end

function response(status, headers, body)
  if status ~= 200 and status ~= 204 then
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
    '"socket_errors": %d, "non200": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, bad))
end
