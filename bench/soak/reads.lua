-- wrk script for bench/soak.sh: each connection walks the mixed read list (bbox pages, tiles, items, collections)
-- from its own random start, and every answer's status is counted; done() prints them, one "status N count" a line.
local paths = {}
for line in io.lines(os.getenv("SOAK_PATHS")) do paths[#paths + 1] = line end
local threads = {}
local i
setup = function(thread)
  threads[#threads + 1] = thread
end
init = function(args)
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)"), 16) % 100000)
  i = math.random(#paths)
  statuses = {}
end
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
done = function(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for status, n in pairs(t:get("statuses")) do total[status] = (total[status] or 0) + n end
  end
  for status, n in pairs(total) do io.write(string.format("status %d %d\n", status, n)) end
  io.write(string.format("latency p50 %.1f ms p99 %.1f ms max %.1f ms\n", latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
