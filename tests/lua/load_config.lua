-- Load a wezterm.lua under the stub and print its key bindings, one "MODS KEY" per line.
-- Usage: lua5.4 tests/lua/load_config.lua FILE   (run from the repository root)
package.path = './tests/lua/?.lua;' .. package.path
local stub = require 'wezterm_stub'
local w = stub.install()
local config = dofile(arg[1])
assert(type(config) == 'table', 'the config file must return a table')
for _, b in ipairs(config.keys or {}) do
  print(b.mods .. ' ' .. b.key)
end
for name, handlers in pairs(w.handlers) do
  print('event ' .. name .. ' ' .. #handlers)
end
if #w.logs > 0 then
  io.stderr:write(table.concat(w.logs, '\n') .. '\n')
  os.exit(1)
end
