-- wrk: POST an approval of the next pending claim, one claim per request (ids from APPROVE_IDS, a file
-- of one id per line). Each request approves a different claim, as an approver working a queue does.
local ids = {}
local next_id = 1
local token = os.getenv("APPROVE_TOKEN")
local prefix = os.getenv("APPROVE_PREFIX") or "/api/v1/temporary-relief-claims/"

init = function(args)
  for line in io.lines(os.getenv("APPROVE_IDS")) do
    ids[#ids + 1] = line
  end
end

request = function()
  local id = ids[next_id] or ids[#ids]  -- past the end: re-approving gives 409, counted as an error
  next_id = next_id + 1
  return wrk.format("POST", prefix .. id .. "/approve/", {
    ["Authorization"] = "Token " .. token,
    ["Content-Type"] = "application/json",
  }, "{}")
end

-- The same one-line report as every other URL of the load test.
dofile(os.getenv("P95_LUA"))
