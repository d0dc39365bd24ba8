-- Residents at once, for bench/residents.py: each request is the next resident's page, with that
-- resident's own session cookie (RESIDENTS_TARGETS: one "path<TAB>cookie" line per resident), until
-- RESIDENTS_REQUESTS answers have come back. An answer other than 200 (a redirect to the sign-in
-- page included) is counted as bad.
local threads = {}

setup = function(thread)
  table.insert(threads, thread)
end

init = function(args)
  targets = {}
  for line in io.lines(os.getenv("RESIDENTS_TARGETS")) do
    local path, cookie = line:match("^(%S+)\t(.+)$")
    table.insert(targets, wrk.format("GET", path, {["Cookie"] = cookie, ["Accept-Language"] = "zh-hans"}))
  end
  total = tonumber(os.getenv("RESIDENTS_REQUESTS"))
  sent, received, bad = 0, 0, 0
end

request = function()
  sent = sent + 1
  return targets[(sent - 1) % #targets + 1]
end

response = function(status, headers, body)
  received = received + 1
  if status ~= 200 then
    bad = bad + 1
  end
  if received == total then
    -- wrk runs for its -d duration whatever a thread does: the bench stops it (SIGINT) on this file.
    wrk.thread:stop()
    io.open(os.getenv("RESIDENTS_DONE"), "w"):close()
  end
end

done = function(summary, latency, requests)
  local bad_total = 0
  for _, thread in ipairs(threads) do
    bad_total = bad_total + thread:get("bad")
  end
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT n=%d p50=%.2f p95=%.2f max=%.2f mean=%.2f bad=%d errors=%d\n",
    summary.requests, latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency.max / 1000,
    latency.mean / 1000, bad_total, errors))
end
