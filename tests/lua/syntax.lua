-- Syntax check of Lua files without running them: `lua5.4 tests/lua/syntax.lua FILE…`.
local bad = 0
for i = 1, #arg do
  local _, err = loadfile(arg[i])
  if err then
    io.stderr:write(err .. '\n')
    bad = bad + 1
  end
end
os.exit(bad == 0 and 0 or 1)
