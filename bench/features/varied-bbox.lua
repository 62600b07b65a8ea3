-- a different 500 m box around central Florence on every request
math.randomseed(42)
request = function()
  local x = 11.235 + math.random() * 0.035
  local y = 43.760 + math.random() * 0.025
  return wrk.format("GET", string.format("/collections/road-elements/items?limit=100&bbox=%.5f,%.5f,%.5f,%.5f", x, y, x + 0.0062, y + 0.0046))
end
