-- wezmp.lua: WezTerm entry point for the wezmp control center.
--
--   local wezmp = require 'wezmp'
--   wezmp.apply_to_config(config, { executable = 'wezmp' })
--
-- Everything here is guarded: a Lua error in a user's config makes WezTerm fall back to its
-- default config, so this module logs and carries on instead of raising. Every call to the
-- wezmp CLI is an argv list run with wezterm.run_child_process (never a shell string), and a
-- failure is shown as a toast notification, never as a Lua error dialog.

local wezterm = require 'wezterm'
local act = wezterm.action

local M = {}

M.version = '0.1.0'

-- User vars wezmp emits with OSC 1337 SetUserVar (see `wezmp ws switch`).
M.USER_VARS = {
  switch_workspace = 'wezmp_switch_workspace',
  activate_pane = 'wezmp_activate_pane',
  notify = 'wezmp_notify',
  role = 'wezmp_role',
}

M.defaults = {
  executable = 'wezmp',
  -- Modifiers of every key below; 'LEADER' uses config.leader (set one if you have none).
  mods = 'LEADER',
  leader = { key = 'Space', mods = 'CTRL|ALT', timeout_milliseconds = 1500 },
  keys = {
    toggle = 'm', -- open / focus / close the control center
    workspaces = 'w', -- fuzzy workspace picker (with "create new…")
    new_workspace = 'W', -- prompt for a new workspace
    broadcast = 'b', -- send a line to every agent of the current workspace
    next_waiting = 'n', -- jump to the next agent waiting for input
  },
  -- Where the control center opens: 'right', 'bottom', 'left', 'top', 'tab' or 'window'.
  placement = 'right',
  size = 0.4, -- fraction of the pane for splits
  status_bar = true,
  notices = true, -- toast what the daemon's notifications ask for (see `notifications:`)
  status_file = nil, -- path of the daemon's status.json (`wezmp lua snippet` fills it in)
  toast_ms = 4000,
  -- The pane feed: panes and the screens of agents' panes written to files for the daemon, so
  -- it need not start a `wezterm cli` process per pane and tick. Its directory is beside the
  -- status file unless set.
  feed = true,
  feed_interval = 0.5, -- seconds
  feed_dir = nil,
}

local state = { opts = nil, applied = false }

local function log_error(msg)
  if wezterm.log_error then
    wezterm.log_error('wezmp: ' .. tostring(msg))
  end
end

local function merge(base, over)
  local out = {}
  for k, v in pairs(base) do
    if type(v) == 'table' and type(over and over[k]) == 'table' then
      out[k] = merge(v, over[k])
    else
      out[k] = v
    end
  end
  for k, v in pairs(over or {}) do
    if out[k] == nil or type(v) ~= 'table' then
      out[k] = v
    end
  end
  return out
end

local function toast(window, message)
  local ms = state.opts and state.opts.toast_ms or 4000
  if window and window.toast_notification then
    pcall(window.toast_notification, window, 'wezmp', tostring(message), nil, ms)
  else
    log_error(message)
  end
end

local function trim(s)
  return (tostring(s or ''):gsub('^%s+', ''):gsub('%s+$', ''))
end

local function json_parse(text)
  if not wezterm.json_parse then
    return nil, 'this WezTerm cannot parse JSON (wezterm.json_parse is missing)'
  end
  local ok, value = pcall(wezterm.json_parse, text)
  if not ok then
    return nil, value
  end
  return value
end

-- Run the wezmp CLI with `args` (a list). Returns stdout, or nil after showing a toast.
function M.run(window, args)
  local argv = { state.opts.executable }
  for _, a in ipairs(args) do
    argv[#argv + 1] = tostring(a)
  end
  local ok, success, stdout, stderr = pcall(wezterm.run_child_process, argv)
  if not ok then
    toast(window, 'could not run ' .. argv[1] .. ': ' .. tostring(success))
    return nil
  end
  if not success then
    local msg = trim(stderr)
    if msg == '' then
      msg = table.concat(argv, ' ') .. ' failed'
    end
    toast(window, msg)
    return nil
  end
  return stdout or ''
end

-- ---------------------------------------------------------------------------------------
-- Status file: the daemon rewrites it atomically on every agent state change; reading it is
-- the only work done per status tick (no process is spawned).

function M.read_status(path)
  if not path or path == '' then
    return nil
  end
  local f = io.open(path, 'r')
  if not f then
    return nil
  end
  local text = f:read('a')
  f:close()
  if not text or text == '' then
    return nil
  end
  local value = json_parse(text)
  if type(value) ~= 'table' then
    return nil -- half-written or foreign content: show nothing rather than fail
  end
  return value
end

local function count(tbl, key)
  local n = tbl and tonumber(tbl[key])
  return n or 0
end

-- How a state looks: the daemon writes its table of states (icon, label, colour) into the
-- status file; these are used only until the first status file is read.
local STATE_LOOK = {
  working = { icon = '●', label = 'working', color = '#7aa2f7' },
  waiting = { icon = '◆', label = 'waiting', color = '#e0af68' },
  failed = { icon = '✖', label = 'failed', color = '#f7768e' },
}
-- Waiting reasons shown in the bar are cut to this many characters each.
local REASON_CHARS = 40

local function look(status, name)
  local states = type(status.states) == 'table' and status.states or {}
  local colors = type(status.colors) == 'table' and status.colors or {}
  local s = type(states[name]) == 'table' and states[name] or {}
  local d = STATE_LOOK[name]
  return s.icon or d.icon, s.label or d.label, colors[name] or s.color or d.color
end

local function short(text)
  text = tostring(text or '')
  local n = utf8.len(text)
  if n and n > REASON_CHARS then
    -- cut between characters, never inside one (the bar must stay valid UTF-8)
    return text:sub(1, utf8.offset(text, REASON_CHARS) - 1) .. '…'
  end
  return text
end

-- The wezterm.format items for a workspace's agent counts (empty when nothing runs). An agent
-- waiting here says why (the rule or hook that decided), so the bar tells what to answer.
function M.status_cells(status, workspace)
  if type(status) ~= 'table' then
    return {}
  end
  local ws = type(status.workspaces) == 'table' and status.workspaces[workspace] or nil
  local items = {}
  for _, name in ipairs({ 'working', 'waiting', 'failed' }) do
    local n = count(ws, name)
    if n > 0 then
      local icon, label, color = look(status, name)
      items[#items + 1] = { Foreground = { Color = color } }
      items[#items + 1] = { Text = ' ' .. icon .. ' ' .. n .. ' ' .. label }
    end
  end
  -- Agents waiting elsewhere still deserve a hint: they block until someone answers.
  local elsewhere, why = 0, {}
  if type(status.waiting) == 'table' then
    for _, w in ipairs(status.waiting) do
      if type(w) == 'table' and w.workspace ~= workspace then
        elsewhere = elsewhere + 1
      elseif type(w) == 'table' and w.reason and w.reason ~= '' then
        why[#why + 1] = tostring(w.agent) .. ': ' .. short(w.reason)
      end
    end
  end
  local _, _, waiting_color = look(status, 'waiting')
  if #why > 0 then
    items[#items + 1] = { Foreground = { Color = waiting_color } }
    items[#items + 1] = { Text = ' (' .. table.concat(why, '; ') .. ')' }
  end
  if elsewhere > 0 then
    items[#items + 1] = { Foreground = { Color = waiting_color } }
    items[#items + 1] = { Text = ' (+' .. elsewhere .. ' waiting elsewhere)' }
  end
  if #items > 0 then
    items[#items + 1] = 'ResetAttributes'
    items[#items + 1] = { Text = ' ' }
  end
  return items
end

-- Notices the daemon wants toasted (an agent waiting or failed...), from the same status
-- file: each is shown once, by whichever window reads it first (wezterm.GLOBAL is shared by
-- the windows and survives config reloads); those already there when WezTerm started are not
-- replayed. A new daemon numbers from 1 again under a new epoch.
function M.show_notices(window, status)
  if type(status) ~= 'table' or type(status.notices) ~= 'table' then
    return 0
  end
  local epoch = tostring(status.notice_epoch or '')
  local newest = 0
  for _, n in ipairs(status.notices) do
    local id = type(n) == 'table' and tonumber(n.id) or nil
    if id and id > newest then
      newest = id
    end
  end
  local seen = wezterm.GLOBAL.wezmp_notices
  if seen == nil then
    wezterm.GLOBAL.wezmp_notices = { epoch = epoch, id = newest }
    return 0
  end
  local last = seen.epoch == epoch and tonumber(seen.id) or 0
  local shown = 0
  for _, n in ipairs(status.notices) do
    local id = type(n) == 'table' and tonumber(n.id) or nil
    if id and id > last and window and window.toast_notification then
      local title = tostring(n.title or 'wezmp')
      pcall(window.toast_notification, window, title, tostring(n.body or ''), nil,
        state.opts.toast_ms)
      shown = shown + 1
    end
  end
  wezterm.GLOBAL.wezmp_notices = { epoch = epoch, id = math.max(last, newest) }
  return shown
end

function M.update_status(window, pane)
  local status = M.read_status(state.opts.status_file)
  if state.opts.notices then
    M.show_notices(window, status)
  end
  if not state.opts.status_bar then
    return
  end
  local ws = window.active_workspace and window:active_workspace() or 'default'
  local cells = M.status_cells(status, ws)
  local text = #cells > 0 and wezterm.format(cells) or ''
  window:set_right_status(text)
end

-- ---------------------------------------------------------------------------------------
-- The pane feed. Every `feed_interval` this WezTerm process writes, under a directory named
-- after its own socket (so a GUI and a mux server never write over each other):
--   panes.json     every pane as `wezterm cli list` describes it, rewritten when it changes
--   pane-ID.txt    the last lines of each pane the daemon asks for in want.json, rewritten
--                  only when the text changes (its mtime tells the daemon it changed)
--   beat           rewritten every time: the feed is alive
-- Files are written whole and renamed into place, so a reader never sees half of one.

local feed = { texts = {}, listing = nil, seq = 0 }

local function dirname(path)
  return (tostring(path or ''):match('^(.*)/[^/]*$'))
end

function M.feed_dir(opts)
  local root = opts.feed_dir or (opts.status_file and dirname(opts.status_file))
  local sock = os.getenv('WEZTERM_UNIX_SOCKET')
  if not root or not sock or sock == '' then
    return nil
  end
  return root .. '/wezterm-feed/' .. sock:gsub('[^%w%-_.]', '_')
end

local function write_whole(path, text)
  local tmp = path .. '.tmp'
  local f = io.open(tmp, 'w')
  if not f then
    return false
  end
  f:write(text)
  f:close()
  return os.rename(tmp, path)
end

local function read_want(dir)
  local f = io.open(dir .. '/want.json', 'r')
  if not f then
    return {}, 40
  end
  local text = f:read('a')
  f:close()
  local want = json_parse(text or '')
  local wanted = {}
  if type(want) ~= 'table' then
    return wanted, 40
  end
  for _, id in ipairs(type(want.panes) == 'table' and want.panes or {}) do
    wanted[tostring(id)] = true
  end
  return wanted, tonumber(want.lines) or 40
end

local function cwd_of(pane)
  local ok, cwd = pcall(pane.get_current_working_dir, pane)
  if not ok or cwd == nil then
    return ''
  end
  -- A Url object in current WezTerm, a plain string in older ones.
  if type(cwd) == 'userdata' or type(cwd) == 'table' then
    local ok2, path = pcall(function()
      return cwd.file_path
    end)
    if ok2 and path then
      return path
    end
  end
  return tostring(cwd)
end

-- One pass: describe every pane, write the screens asked for. Returns the number of panes.
function M.feed_once(dir)
  local wanted, lines = read_want(dir)
  local entries, seen = {}, {}
  for _, window in ipairs(wezterm.mux.all_windows()) do
    local workspace = window:get_workspace()
    for _, tab in ipairs(window:tabs()) do
      for _, info in ipairs(tab:panes_with_info()) do
        local pane = info.pane
        local id = tostring(pane:pane_id())
        local dims = pane:get_dimensions()
        entries[#entries + 1] = {
          pane_id = pane:pane_id(),
          tab_id = tab:tab_id(),
          window_id = window:window_id(),
          workspace = workspace,
          title = pane:get_title(),
          cwd = cwd_of(pane),
          tty_name = pane:get_tty_name(),
          size = { rows = dims.viewport_rows, cols = dims.cols },
          left_col = info.left,
          top_row = info.top,
          is_active = info.is_active,
          is_zoomed = info.is_zoomed,
          tab_title = tab:get_title(),
        }
        seen[id] = true
        if wanted[id] then
          local text = pane:get_lines_as_text(lines)
          if feed.texts[id] ~= text then
            write_whole(dir .. '/pane-' .. id .. '.txt', text)
            feed.texts[id] = text
          end
        end
      end
    end
  end
  for id in pairs(feed.texts) do
    if not seen[id] or not wanted[id] then
      os.remove(dir .. '/pane-' .. id .. '.txt')
      feed.texts[id] = nil
    end
  end
  local listing = wezterm.json_encode(entries)
  if listing ~= feed.listing then
    write_whole(dir .. '/panes.json', listing)
    feed.listing = listing
  end
  feed.seq = feed.seq + 1
  write_whole(dir .. '/beat', tostring(feed.seq))
  return #entries
end

-- Start the feed unless one runs in this process already (config reloads re-run the config;
-- the GUI calls this from update-status, a mux server from mux-startup).
function M.ensure_feed()
  local o = state.opts
  if not (o and o.feed) or not wezterm.time or not wezterm.json_encode then
    return false
  end
  local dir = M.feed_dir(o)
  if not dir then
    return false
  end
  local now = os.time()
  if (wezterm.GLOBAL.wezmp_feed_beat or 0) >= now - 2 then
    return false
  end
  wezterm.GLOBAL.wezmp_feed_beat = now
  -- Lua cannot make a directory; one process, once per WezTerm process.
  local ok = wezterm.run_child_process({ 'mkdir', '-p', dir })
  if not ok then
    log_error('cannot make the feed directory ' .. dir)
    return false
  end
  local function loop()
    wezterm.GLOBAL.wezmp_feed_beat = os.time()
    local fine, err = pcall(M.feed_once, dir)
    if not fine then
      log_error('feed: ' .. tostring(err))
    end
    wezterm.time.call_after(o.feed_interval, loop)
  end
  loop()
  return true
end

-- ---------------------------------------------------------------------------------------
-- The control center pane.

local function control_panes()
  wezterm.GLOBAL.wezmp_control = wezterm.GLOBAL.wezmp_control or {}
  return wezterm.GLOBAL.wezmp_control
end

local function live_pane(id)
  if id == nil then
    return nil
  end
  local ok, p = pcall(wezterm.mux.get_pane, id)
  if ok and p then
    return p
  end
  return nil
end

local SPLIT_DIRECTION = { right = 'Right', left = 'Left', top = 'Top', bottom = 'Bottom' }

function M.open_control(window, pane)
  local o = state.opts
  local args = { o.executable, 'tui' }
  local ws = window:active_workspace()
  local new_pane
  local ok, err = pcall(function()
    if SPLIT_DIRECTION[o.placement] then
      new_pane = pane:split { direction = SPLIT_DIRECTION[o.placement], size = o.size, args = args }
    elseif o.placement == 'tab' then
      local _, p = window:mux_window():spawn_tab { args = args }
      new_pane = p
    elseif o.placement == 'window' then
      local _, p = wezterm.mux.spawn_window { args = args, workspace = ws }
      new_pane = p
    else
      error('unknown placement ' .. tostring(o.placement))
    end
  end)
  if not ok then
    toast(window, 'could not open the control center: ' .. tostring(err))
    return nil
  end
  if new_pane then
    control_panes()[ws] = new_pane:pane_id()
  end
  return new_pane
end

-- Open the control center; focus it if it is open elsewhere; close it if it has the focus.
function M.toggle(window, pane)
  local ws = window:active_workspace()
  local panes = control_panes()
  local existing = live_pane(panes[ws])
  if existing and existing:pane_id() == pane:pane_id() then
    panes[ws] = nil
    window:perform_action(act.CloseCurrentPane { confirm = false }, pane)
  elseif existing then
    local ok = pcall(function()
      existing:activate()
    end)
    if not ok then
      panes[ws] = nil
      M.open_control(window, pane)
    end
  else
    panes[ws] = nil
    M.open_control(window, pane)
  end
end

-- ---------------------------------------------------------------------------------------
-- Workspaces.

M.NEW_WORKSPACE_ID = '__wezmp_new__'

function M.workspace_choices(list, active)
  local choices = {}
  for _, ws in ipairs(list or {}) do
    if type(ws) == 'table' and ws.name then
      local label = ws.name
      local details = {}
      if ws.name == active then
        details[#details + 1] = 'current'
      end
      if tonumber(ws.agent_count) and tonumber(ws.agent_count) > 0 then
        details[#details + 1] = ws.agent_count .. ' agents'
      end
      if tonumber(ws.pane_count) then
        details[#details + 1] = ws.pane_count .. ' panes'
      end
      if ws.root and ws.root ~= '' then
        details[#details + 1] = ws.root
      end
      if #details > 0 then
        label = label .. '  (' .. table.concat(details, ', ') .. ')'
      end
      choices[#choices + 1] = { id = ws.name, label = label }
    end
  end
  choices[#choices + 1] = { id = M.NEW_WORKSPACE_ID, label = '+ create new workspace…' }
  return choices
end

function M.switch_to(window, pane, name, cwd)
  local spawn = nil
  if cwd and cwd ~= '' then
    spawn = { cwd = cwd }
  end
  window:perform_action(act.SwitchToWorkspace { name = name, spawn = spawn }, pane)
end

function M.create_workspace(window, pane, name, dir)
  name = trim(name)
  if name == '' then
    toast(window, 'a workspace needs a name')
    return false
  end
  local args = { 'ws', 'create' }
  dir = trim(dir)
  if dir ~= '' then
    args[#args + 1] = '--cwd'
    args[#args + 1] = dir
  end
  -- After `--` a name or line that begins with '-' is text, not an option of the CLI.
  args[#args + 1] = '--'
  args[#args + 1] = name
  if M.run(window, args) == nil then
    return false
  end
  M.switch_to(window, pane, name, dir)
  return true
end

-- The pane WezTerm hands a prompt's or selector's callback is the one active when it opened:
-- for a prompt opened from another's callback, that one's overlay, gone by the time the
-- answer comes (an action performed on it fails: "pane id N is not valid"). The callbacks
-- below act on the pane the key was pressed in.
function M.prompt_new_workspace(window, pane)
  window:perform_action(
    act.PromptInputLine {
      description = 'wezmp: name of the new workspace',
      action = wezterm.action_callback(function(win, _, name)
        if name == nil or trim(name) == '' then
          return
        end
        win:perform_action(
          act.PromptInputLine {
            description = 'wezmp: directory for ' .. trim(name) .. ' (empty: current)',
            action = wezterm.action_callback(function(w2, _, dir)
              if dir == nil then
                return
              end
              M.create_workspace(w2, pane, name, dir)
            end),
          },
          pane
        )
      end),
    },
    pane
  )
end

function M.pick_workspace(window, pane)
  local out = M.run(window, { 'ws', 'list', '--json' })
  if out == nil then
    return
  end
  local list, err = json_parse(out)
  if type(list) ~= 'table' then
    toast(window, 'wezmp ws list gave unreadable output: ' .. tostring(err))
    return
  end
  window:perform_action(
    act.InputSelector {
      title = 'wezmp workspaces',
      fuzzy = true,
      choices = M.workspace_choices(list, window:active_workspace()),
      action = wezterm.action_callback(function(win, _, id, _label)
        if id == nil then
          return
        elseif id == M.NEW_WORKSPACE_ID then
          M.prompt_new_workspace(win, pane)
        else
          M.switch_to(win, pane, id)
        end
      end),
    },
    pane
  )
end

-- ---------------------------------------------------------------------------------------
-- Agents.

function M.broadcast(window, pane)
  local ws = window:active_workspace()
  window:perform_action(
    act.PromptInputLine {
      description = 'wezmp: line to send to every agent in ' .. ws,
      action = wezterm.action_callback(function(win, p, line)
        if line == nil or line == '' then
          return
        end
        M.run(win, { 'agent', 'send', '--workspace', ws, '--', line })
      end),
    },
    pane
  )
end

-- Pick the waiting agent to jump to: first one in this workspace, else the first anywhere.
function M.next_waiting_entry(status, workspace, current_pane_id)
  if type(status) ~= 'table' or type(status.waiting) ~= 'table' then
    return nil
  end
  local first_here, first_any, after_current = nil, nil, nil
  local seen_current = false
  for _, w in ipairs(status.waiting) do
    if type(w) == 'table' and w.pane_id ~= nil then
      first_any = first_any or w
      if w.workspace == workspace then
        first_here = first_here or w
        if seen_current and not after_current then
          after_current = w
        end
      end
      if tostring(w.pane_id) == tostring(current_pane_id) then
        seen_current = true
      end
    end
  end
  return after_current or first_here or first_any
end

function M.activate_pane_id(window, pane_id)
  local p = live_pane(tonumber(pane_id) or pane_id)
  if not p then
    toast(window, 'pane ' .. tostring(pane_id) .. ' is gone')
    return false
  end
  local ok, err = pcall(function()
    p:activate()
  end)
  if not ok then
    toast(window, 'could not focus pane ' .. tostring(pane_id) .. ': ' .. tostring(err))
  end
  return ok
end

function M.jump_next_waiting(window, pane)
  local status = M.read_status(state.opts.status_file)
  local entry = M.next_waiting_entry(status, window:active_workspace(), pane:pane_id())
  if not entry then
    toast(window, 'no agent is waiting for input')
    return
  end
  if entry.workspace and entry.workspace ~= window:active_workspace() then
    M.switch_to(window, pane, entry.workspace)
  end
  M.activate_pane_id(window, entry.pane_id)
end

-- ---------------------------------------------------------------------------------------
-- Events from wezmp (OSC 1337 SetUserVar in any pane).

function M.on_user_var(window, pane, name, value)
  if name == M.USER_VARS.switch_workspace then
    if value and value ~= '' then
      M.switch_to(window, pane, value)
    end
  elseif name == M.USER_VARS.activate_pane then
    M.activate_pane_id(window, value)
  elseif name == M.USER_VARS.notify then
    local title, message = 'wezmp', value
    local parsed = value and value:sub(1, 1) == '{' and json_parse(value) or nil
    if type(parsed) == 'table' then
      title = parsed.title or title
      message = parsed.message or parsed.body or ''
    end
    if window and window.toast_notification then
      window:toast_notification(title, tostring(message), nil, state.opts.toast_ms)
    end
  end
end

-- ---------------------------------------------------------------------------------------
-- Applying to a config.

local function guarded(fn)
  return wezterm.action_callback(function(window, pane, ...)
    local ok, err = pcall(fn, window, pane, ...)
    if not ok then
      toast(window, err)
    end
  end)
end

function M.key_table(opts)
  local k = opts.keys
  local bindings = {}
  local function bind(key, fn)
    if key and key ~= '' and key ~= false then
      bindings[#bindings + 1] = { key = key, mods = opts.mods, action = guarded(fn) }
    end
  end
  bind(k.toggle, M.toggle)
  bind(k.workspaces, M.pick_workspace)
  bind(k.new_workspace, M.prompt_new_workspace)
  bind(k.broadcast, M.broadcast)
  bind(k.next_waiting, M.jump_next_waiting)
  return bindings
end

local function apply(config, opts)
  state.opts = merge(M.defaults, opts or {})
  local o = state.opts
  if o.mods:find('LEADER', 1, true) and config.leader == nil and o.leader then
    config.leader = o.leader
  end
  config.keys = config.keys or {}
  for _, b in ipairs(M.key_table(o)) do
    table.insert(config.keys, b)
  end
  -- Handlers are registered once per config load; wezterm.on appends, so guard against a
  -- second apply_to_config in the same load.
  if not state.applied then
    wezterm.on('user-var-changed', function(window, pane, name, value)
      local ok, err = pcall(M.on_user_var, window, pane, name, value)
      if not ok then
        log_error(err)
      end
    end)
    if o.status_bar or o.feed or o.notices then
      wezterm.on('update-status', function(window, pane)
        local ok, err = true, nil
        if o.status_bar or o.notices then
          ok, err = pcall(M.update_status, window, pane)
        end
        if o.feed then
          local fed, why = pcall(M.ensure_feed)
          ok, err = ok and fed, err or why
        end
        if not ok then
          log_error(err)
        end
      end)
    end
    if o.feed then
      -- A headless mux server has no update-status: it starts the feed when it starts.
      wezterm.on('mux-startup', function()
        local ok, err = pcall(M.ensure_feed)
        if not ok then
          log_error(err)
        end
      end)
    end
    state.applied = true
  end
  return config
end

function M.apply_to_config(config, opts)
  local ok, err = pcall(apply, config, opts)
  if not ok then
    log_error('apply_to_config failed: ' .. tostring(err))
  end
  return config
end

-- For tests: forget handlers applied in this Lua state.
function M._reset()
  state.opts = nil
  state.applied = false
end

function M.options()
  return state.opts
end

return M
