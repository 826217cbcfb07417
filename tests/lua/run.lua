-- Run the Lua tests: `lua5.4 tests/lua/run.lua` from the repository root.
package.path = './lua/?.lua;./tests/lua/?.lua;' .. package.path

local files = { 'test_wezmp' }
local passed, failed = 0, 0
for _, name in ipairs(files) do
  local tests = require(name)
  local names = {}
  for k in pairs(tests) do
    names[#names + 1] = k
  end
  table.sort(names)
  for _, t in ipairs(names) do
    local ok, err = xpcall(tests[t], debug.traceback)
    if ok then
      passed = passed + 1
    else
      failed = failed + 1
      io.stderr:write(string.format('FAIL %s.%s\n%s\n', name, t, err))
    end
  end
end
print(string.format('lua: %d passed, %d failed', passed, failed))
os.exit(failed == 0 and 0 or 1)
