-- wrk script: PUT one answer per request, cycling through signed-in candidates' attempts.
-- The sessions file (one line each: cookie, csrf token, attempt id, positions) is written by
-- bench/bench_exam_day.py; each wrk thread takes its own share of the candidates so sequence numbers rise.
local sessions = {}
local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  local path = args[1]
  local count = tonumber(args[2])
  local idx = 0
  for line in io.lines(path) do
    if idx % count == tid then
      local cookie, csrf, attempt, positions = line:match("^(%S+) (%S+) (%d+) (%S+)$")
      local list = {}
      for p in positions:gmatch("%d+") do table.insert(list, p) end
      table.insert(sessions, {cookie = cookie, csrf = csrf, attempt = attempt, positions = list})
    end
    idx = idx + 1
  end
  n = 0
end

function request()
  n = n + 1
  local s = sessions[(n % #sessions) + 1]
  local position = s.positions[(math.floor(n / #sessions) % #s.positions) + 1]
  local choice = ({"A", "B", "C", "D"})[(n % 4) + 1]
  local body = '{"seq": ' .. (n + 1) .. ', "response": {"choice": ["' .. choice .. '"]}}'
  return wrk.format("PUT", "/api/exams/attempts/" .. s.attempt .. "/answers/" .. position,
    {["Cookie"] = s.cookie, ["X-CSRFToken"] = s.csrf, ["Content-Type"] = "application/json"}, body)
end

function done(summary, latency, requests)
  io.write(string.format("WRK requests=%d errors=%d duration_us=%d p50_us=%d p95_us=%d p99_us=%d non2xx=%d\n",
    summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99), summary.errors.status))
end
