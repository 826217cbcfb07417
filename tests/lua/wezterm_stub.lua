-- A stand-in for WezTerm's `wezterm` Lua module that records what a config asks of it:
-- key actions, event handlers, child processes, toasts, status text, pane operations.
-- Install with stub.install() before requiring a module under test.

local stub = {}

local function json_decode(text)
  local pos = 1
  local function ws()
    pos = text:find('[^ \t\r\n]', pos) or (#text + 1)
  end
  local value
  local function err(msg)
    error(string.format('json: %s at %d', msg, pos), 0)
  end
  local function str()
    local out = {}
    pos = pos + 1
    while true do
      local c = text:sub(pos, pos)
      if c == '' then
        err('unterminated string')
      elseif c == '"' then
        pos = pos + 1
        return table.concat(out)
      elseif c == '\\' then
        local e = text:sub(pos + 1, pos + 1)
        local map = { b = '\b', f = '\f', n = '\n', r = '\r', t = '\t' }
        if e == 'u' then
          out[#out + 1] = utf8.char(tonumber(text:sub(pos + 2, pos + 5), 16))
          pos = pos + 6
        else
          out[#out + 1] = map[e] or e
          pos = pos + 2
        end
      else
        out[#out + 1] = c
        pos = pos + 1
      end
    end
  end
  function value()
    ws()
    local c = text:sub(pos, pos)
    if c == '{' then
      local obj = {}
      pos = pos + 1
      ws()
      if text:sub(pos, pos) == '}' then
        pos = pos + 1
        return obj
      end
      while true do
        ws()
        if text:sub(pos, pos) ~= '"' then
          err('expected key')
        end
        local k = str()
        ws()
        if text:sub(pos, pos) ~= ':' then
          err('expected :')
        end
        pos = pos + 1
        obj[k] = value()
        ws()
        local d = text:sub(pos, pos)
        pos = pos + 1
        if d == '}' then
          return obj
        elseif d ~= ',' then
          err('expected , or }')
        end
      end
    elseif c == '[' then
      local arr = {}
      pos = pos + 1
      ws()
      if text:sub(pos, pos) == ']' then
        pos = pos + 1
        return arr
      end
      while true do
        arr[#arr + 1] = value()
        ws()
        local d = text:sub(pos, pos)
        pos = pos + 1
        if d == ']' then
          return arr
        elseif d ~= ',' then
          err('expected , or ]')
        end
      end
    elseif c == '"' then
      return str()
    elseif text:sub(pos, pos + 3) == 'true' then
      pos = pos + 4
      return true
    elseif text:sub(pos, pos + 4) == 'false' then
      pos = pos + 5
      return false
    elseif text:sub(pos, pos + 3) == 'null' then
      pos = pos + 4
      return nil
    else
      local num = text:match('^-?%d+%.?%d*[eE]?[-+]?%d*', pos)
      if not num or num == '' then
        err('unexpected character')
      end
      pos = pos + #num
      return tonumber(num)
    end
  end
  local v = value()
  ws()
  if pos <= #text then
    err('trailing data')
  end
  return v
end
stub.json_decode = json_decode

function stub.new()
  local w = {
    handlers = {},
    child_calls = {},
    child_results = {}, -- queue of {success, stdout, stderr}
    logs = {},
    GLOBAL = {},
    panes = {},
    next_pane_id = 100,
  }

  w.action = setmetatable({}, {
    __index = function(_, name)
      return function(args)
        return { action = name, args = args }
      end
    end,
  })

  function w.action_callback(fn)
    return { action = 'callback', fn = fn }
  end

  function w.on(name, fn)
    w.handlers[name] = w.handlers[name] or {}
    table.insert(w.handlers[name], fn)
  end

  function w.emit(name, ...)
    for _, fn in ipairs(w.handlers[name] or {}) do
      fn(...)
    end
  end

  function w.run_child_process(argv)
    table.insert(w.child_calls, argv)
    local r = table.remove(w.child_results, 1) or { true, '', '' }
    return r[1], r[2], r[3]
  end

  function w.background_child_process(argv)
    table.insert(w.child_calls, argv)
  end

  function w.json_parse(text)
    return json_decode(text)
  end

  -- As WezTerm renders format items (termwiz's renderer): a colour is an escape sequence in
  -- the text, a reset undoes only what was set, and the text ends with nothing left set.
  -- Only what wezmp uses: hex foregrounds, Text and 'ResetAttributes'.
  function w.format(items)
    local out, coloured = {}, false
    for _, it in ipairs(items) do
      if type(it) == 'table' and it.Text then
        out[#out + 1] = it.Text
      elseif type(it) == 'table' and it.Foreground then
        local r, g, b = tostring(it.Foreground.Color):match('^#(%x%x)(%x%x)(%x%x)$')
        if not r then
          error('stub format: only #rrggbb colours, not ' .. tostring(it.Foreground.Color))
        end
        out[#out + 1] = string.format(
          '\27[38:2::%d:%d:%dm', tonumber(r, 16), tonumber(g, 16), tonumber(b, 16))
        coloured = true
      elseif it == 'ResetAttributes' then
        if coloured then
          out[#out + 1] = '\27[39m'
          coloured = false
        end
      else
        error('stub format: an item wezmp does not use: ' .. tostring(it))
      end
    end
    if coloured then
      out[#out + 1] = '\27[39m'
    end
    return table.concat(out)
  end

  function w.log_error(msg)
    table.insert(w.logs, msg)
  end
  w.log_info = w.log_error
  w.log_warn = w.log_error

  function w.config_builder()
    return {}
  end

  -- Panes and windows -----------------------------------------------------------------
  function w.new_pane(id, workspace)
    local p = { id = id, workspace = workspace or 'default', activated = 0, splits = {} }
    function p:pane_id()
      return self.id
    end
    function p:activate()
      self.activated = self.activated + 1
      w.active_pane = self
    end
    function p:split(args)
      table.insert(self.splits, args)
      w.next_pane_id = w.next_pane_id + 1
      return w.new_pane(w.next_pane_id, self.workspace)
    end
    w.panes[id] = p
    return p
  end

  -- What a prompt's or selector's callback is handed when the prompt opened over another
  -- one (from its callback): that one's overlay pane, which WezTerm never lists and which
  -- has closed by the time the answer comes.
  function w.closed_overlay()
    w.next_pane_id = w.next_pane_id + 1
    local p = w.new_pane(w.next_pane_id, 'overlay')
    w.panes[p.id] = nil
    p.gone = true
    return p
  end

  w.windows = {}
  function w.new_window(workspace)
    local win = { workspace = workspace or 'default', actions = {}, toasts = {}, right_status = nil }
    table.insert(w.windows, win)
    function win:active_workspace()
      return self.workspace
    end
    function win:perform_action(action, pane)
      -- As WezTerm's window does: the pane is looked up first, whatever the action.
      if pane and pane.gone then
        error('pane id ' .. tostring(pane.id) .. ' is not valid')
      end
      table.insert(self.actions, { action = action, pane = pane })
      if action.action == 'SwitchToWorkspace' then
        self.workspace = action.args.name
      end
    end
    function win:toast_notification(title, message, url, timeout)
      table.insert(self.toasts, { title = title, message = message, timeout = timeout })
    end
    function win:set_right_status(text)
      self.right_status = text
    end
    function win:mux_window()
      return {
        spawn_tab = function(_, args)
          w.last_spawn_tab = args
          w.next_pane_id = w.next_pane_id + 1
          return {}, w.new_pane(w.next_pane_id, win.workspace), {}
        end,
      }
    end
    return win
  end

  w.mux = {
    get_pane = function(id)
      local p = w.panes[id]
      if not p then
        error('pane id ' .. tostring(id) .. ' not found')
      end
      return p
    end,
    spawn_window = function(args)
      w.last_spawn_window = args
      w.next_pane_id = w.next_pane_id + 1
      return {}, w.new_pane(w.next_pane_id, args.workspace), {}
    end,
    get_active_workspace = function()
      return 'default'
    end,
    get_workspace_names = function()
      return { 'default' }
    end,
    all_windows = function()
      return {}
    end,
  }

  -- A program in `pane` set a user var (OSC 1337 SetUserVar). The GUI fires
  -- `user-var-changed` only in the window that shows the pane (the window of its active
  -- workspace); a pane of any other workspace fires nothing at all.
  function w.set_user_var(pane, name, value)
    for _, win in ipairs(w.windows) do
      if win.workspace == pane.workspace then
        w.emit('user-var-changed', win, pane, name, value)
      end
    end
  end

  -- Find the binding for key/mods in config.keys and run its callback.
  function w.press(config, key, window, pane, mods)
    mods = mods or 'LEADER'
    for _, b in ipairs(config.keys or {}) do
      if b.key == key and b.mods == mods then
        assert(b.action.action == 'callback', 'binding ' .. key .. ' is not a callback')
        return b.action.fn(window, pane)
      end
    end
    error('no binding for ' .. mods .. ' ' .. key)
  end

  return w
end

-- Make `require 'wezterm'` return a fresh stub and drop cached modules under test.
function stub.install()
  local w = stub.new()
  package.loaded['wezterm'] = w
  package.loaded['wezmp'] = nil
  return w
end

return stub
