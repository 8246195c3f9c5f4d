-- wrk script: the bare-Flask baseline, the same PUT with a JSON body (bench/_bare_app.py).
n = 0
function request()
  n = n + 1
  local body = '{"seq": ' .. n .. ', "response": {"choice": ["A"]}}'
  return wrk.format("PUT", "/bare/" .. (n % 50), {["Content-Type"] = "application/json"}, body)
end

function done(summary, latency, requests)
  io.write(string.format("WRK requests=%d errors=%d duration_us=%d p50_us=%d p95_us=%d p99_us=%d non2xx=%d\n",
    summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99), summary.errors.status))
end
