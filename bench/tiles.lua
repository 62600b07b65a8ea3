-- wrk script for bench/tiles.sh: each connection walks the tile list from its own random start.
local paths = {}
for line in io.lines(os.getenv("TILES_PATHS")) do paths[#paths + 1] = line end
local i
init = function(args)
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)"), 16) % 100000)
  i = math.random(#paths)
end
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
