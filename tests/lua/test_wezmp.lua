-- Tests of lua/wezmp.lua against the recording wezterm stub.
local stub = require 'wezterm_stub'

local T = {}

local function eq(a, b, msg)
  if a ~= b then
    error((msg or 'values differ') .. ': expected ' .. tostring(b) .. ', got ' .. tostring(a), 2)
  end
end

local function truthy(v, msg)
  if not v then
    error(msg or 'expected a true value', 2)
  end
end

local function setup(opts)
  local w = stub.install()
  local wezmp = require 'wezmp'
  wezmp._reset()
  local config = {}
  wezmp.apply_to_config(config, opts or { executable = '/opt/bin/wezmp' })
  local win = w.new_window('proj')
  local pane = w.new_pane(1, 'proj')
  return w, wezmp, config, win, pane
end

local function write(path, text)
  local f = assert(io.open(path, 'w'))
  f:write(text)
  f:close()
end

function T.binds_documented_keys_and_handlers()
  local w, _, config = setup()
  local keys = {}
  for _, b in ipairs(config.keys) do
    keys[b.key] = b.mods
  end
  for _, k in ipairs({ 'm', 'w', 'W', 'b', 'n' }) do
    eq(keys[k], 'LEADER', 'mods of ' .. k)
  end
  eq(config.leader.key, 'Space', 'a leader is set when the config has none')
  eq(#w.handlers['user-var-changed'], 1)
  eq(#w.handlers['update-status'], 1)
end

function T.keeps_user_leader_keys_and_options()
  local w = stub.install()
  local wezmp = require 'wezmp'
  wezmp._reset()
  local config = { leader = { key = 'a', mods = 'CTRL' }, keys = { { key = 'x', mods = 'CTRL' } } }
  wezmp.apply_to_config(
    config,
    { keys = { broadcast = false, toggle = 'c' }, status_bar = false, feed = false, notices = false }
  )
  eq(config.leader.key, 'a')
  eq(config.keys[1].key, 'x', "the user's own keys stay first")
  local found = {}
  for _, b in ipairs(config.keys) do
    found[b.key] = true
  end
  truthy(found.c and not found.b and not found.m, 'remapped and disabled keys')
  eq(w.handlers['update-status'], nil, 'status bar and feed off')
  eq(w.handlers['mux-startup'], nil, 'feed off')
end

function T.the_feed_alone_keeps_the_status_bar_empty()
  local w = stub.install()
  local wezmp = require 'wezmp'
  wezmp._reset()
  wezmp.apply_to_config({}, { status_bar = false, status_file = '/nonexistent/status.json' })
  local win, pane = w.new_window('main'), w.new_pane(1, 'main')
  w.emit('update-status', win, pane)
  eq(win.right_status, nil, 'no status written')
  eq(#w.handlers['mux-startup'], 1, 'a mux server starts the feed')
  eq(#w.logs, 0, 'a WezTerm without the feed API carries on quietly')
end

function T.bad_options_never_raise()
  local w = stub.install()
  local wezmp = require 'wezmp'
  wezmp._reset()
  local config = {}
  wezmp.apply_to_config(config, { mods = 42 })
  truthy(#w.logs > 0, 'the failure is logged')
end

function T.toggle_opens_focuses_and_closes()
  local w, _, config, win, pane = setup()
  w.press(config, 'm', win, pane)
  local split = pane.splits[1]
  eq(split.direction, 'Right')
  eq(split.size, 0.4)
  eq(split.args[1], '/opt/bin/wezmp')
  eq(split.args[2], 'tui')
  local control = w.panes[w.next_pane_id]
  -- From another pane: focus the existing control center, do not open a second one.
  w.press(config, 'm', win, pane)
  eq(#pane.splits, 1)
  eq(control.activated, 1)
  -- From the control pane itself: close it.
  w.press(config, 'm', win, control)
  local last = win.actions[#win.actions].action
  eq(last.action, 'CloseCurrentPane')
  eq(last.args.confirm, false)
  -- Closed (the pane is gone): the next press opens a new one.
  w.panes[control.id] = nil
  w.press(config, 'm', win, pane)
  eq(#pane.splits, 2)
end

function T.toggle_placements()
  local w, _, config, win, pane = setup({ placement = 'tab' })
  w.press(config, 'm', win, pane)
  eq(w.last_spawn_tab.args[2], 'tui')
  w, _, config, win, pane = setup({ placement = 'window' })
  w.press(config, 'm', win, pane)
  eq(w.last_spawn_window.workspace, 'proj')
  w, _, config, win, pane = setup({ placement = 'bottom', size = 0.3 })
  w.press(config, 'm', win, pane)
  eq(pane.splits[1].direction, 'Bottom')
  eq(pane.splits[1].size, 0.3)
  w, _, config, win, pane = setup({ placement = 'sideways' })
  w.press(config, 'm', win, pane)
  truthy(win.toasts[1].message:find('placement'), 'bad placement is a toast')
end

function T.workspace_picker_switches()
  local w, _, config, win, pane = setup()
  w.child_results = {
    { true, '[{"name": "proj", "root": "/src/p", "pane_count": 2, "agent_count": 1},'
      .. ' {"name": "api", "root": "", "pane_count": 1, "agent_count": 0}]', '' },
  }
  w.press(config, 'w', win, pane)
  local argv = w.child_calls[1]
  eq(table.concat(argv, ' '), '/opt/bin/wezmp ws list --json')
  local sel = win.actions[1].action
  eq(sel.action, 'InputSelector')
  eq(sel.args.fuzzy, true)
  eq(#sel.args.choices, 3)
  truthy(sel.args.choices[1].label:find('current'), 'current workspace marked')
  truthy(sel.args.choices[1].label:find('1 agents'), 'agent count shown')
  eq(sel.args.choices[3].id, '__wezmp_new__')
  sel.args.action.fn(win, w.closed_overlay(), 'api', 'api')
  local sw = win.actions[2].action
  eq(sw.action, 'SwitchToWorkspace')
  eq(sw.args.name, 'api')
  eq(win.actions[2].pane, pane)
  -- Cancelled: nothing happens.
  sel.args.action.fn(win, pane, nil, nil)
  eq(#win.actions, 2)
end

function T.workspace_picker_create_new()
  local w, _, config, win, pane = setup()
  w.child_results = { { true, '[]', '' }, { true, '', '' } }
  w.press(config, 'w', win, pane)
  local sel = win.actions[1].action
  -- Each answer comes with an overlay's pane that has closed since (a prompt opened from a
  -- callback opens over the previous overlay): everything acts on the key's pane.
  sel.args.action.fn(win, w.closed_overlay(), '__wezmp_new__', '+ create')
  local ask_name = win.actions[2].action
  eq(ask_name.action, 'PromptInputLine')
  eq(win.actions[2].pane, pane)
  ask_name.args.action.fn(win, w.closed_overlay(), '-web')
  local ask_dir = win.actions[3].action
  eq(ask_dir.action, 'PromptInputLine')
  ask_dir.args.action.fn(win, w.closed_overlay(), '/srv/web')
  eq(table.concat(w.child_calls[2], ' '), '/opt/bin/wezmp ws create --cwd /srv/web -- -web')
  local sw = win.actions[4].action
  eq(sw.args.name, '-web')
  eq(sw.args.spawn.cwd, '/srv/web')
  eq(win.actions[4].pane, pane)
end

function T.cli_failure_is_a_toast_not_an_error()
  local w, _, config, win, pane = setup()
  w.child_results = { { false, '', 'Error: workspace "web" already exists\n' } }
  w.press(config, 'W', win, pane)
  win.actions[1].action.args.action.fn(win, pane, 'web')
  win.actions[2].action.args.action.fn(win, pane, '')
  eq(table.concat(w.child_calls[1], ' '), '/opt/bin/wezmp ws create -- web')
  eq(win.toasts[1].message, 'Error: workspace "web" already exists')
  eq(#win.actions, 2, 'no switch after a failed create')
  -- Unreadable JSON from ws list.
  w.child_results = { { true, 'not json', '' } }
  w.press(config, 'w', win, pane)
  truthy(win.toasts[2].message:find('unreadable'), 'bad JSON is a toast')
  -- The executable cannot be run at all.
  w.run_child_process = function()
    error('No such file or directory')
  end
  w.press(config, 'w', win, pane)
  truthy(win.toasts[3].message:find('could not run'), 'missing executable is a toast')
end

function T.broadcast_sends_to_workspace_agents()
  local w, _, config, win, pane = setup()
  w.press(config, 'b', win, pane)
  local prompt = win.actions[1].action
  eq(prompt.action, 'PromptInputLine')
  prompt.args.action.fn(win, pane, '-n run the tests')
  eq(
    table.concat(w.child_calls[1], '|'),
    '/opt/bin/wezmp|agent|send|--workspace|proj|--|-n run the tests'
  )
  prompt.args.action.fn(win, pane, nil)
  eq(#w.child_calls, 1, 'cancel sends nothing')
end

function T.user_var_events()
  local w, _, _, win, pane = setup()
  -- Set in a pane of a workspace the window does not show: WezTerm fires nothing.
  w.set_user_var(w.new_pane(6, 'api'), 'wezmp_switch_workspace', 'api')
  eq(#win.actions, 0, 'no event from a pane off screen')
  w.set_user_var(pane, 'wezmp_switch_workspace', 'api')
  eq(win.actions[1].action.action, 'SwitchToWorkspace')
  eq(win.actions[1].action.args.name, 'api')
  eq(win.workspace, 'api')
  local target = w.new_pane(7, 'api')
  w.emit('user-var-changed', win, pane, 'wezmp_activate_pane', '7')
  eq(target.activated, 1)
  w.emit('user-var-changed', win, pane, 'wezmp_activate_pane', '999')
  truthy(win.toasts[1].message:find('gone'), 'missing pane is a toast')
  w.emit('user-var-changed', win, pane, 'wezmp_notify', 'agent api waits')
  eq(win.toasts[2].message, 'agent api waits')
  w.emit('user-var-changed', win, pane, 'wezmp_notify', '{"title": "wezmp: failed", "message": "api exited 3"}')
  eq(win.toasts[3].title, 'wezmp: failed')
  eq(win.toasts[3].message, 'api exited 3')
  w.emit('user-var-changed', win, pane, 'something_else', 'x')
  eq(#win.actions, 1, 'foreign user vars are ignored')
end

function T.notices_are_toasted_once_and_not_replayed()
  local path = os.tmpname()
  local w, _, _, win, pane = setup({ status_file = path, status_bar = false })
  local other = w.new_window('other')
  local function status(epoch, ids)
    local items = {}
    for _, id in ipairs(ids) do
      items[#items + 1] = '{"id": ' .. id .. ', "title": "a is waiting", "body": "n' .. id .. '"}'
    end
    write(path, '{"version": 1, "notice_epoch": ' .. epoch .. ', "notices": ['
      .. table.concat(items, ',') .. ']}')
  end
  status(1, { 1, 2 })
  w.emit('update-status', win, pane)
  eq(#win.toasts, 0, 'notices older than this WezTerm are not replayed')
  status(1, { 1, 2, 3 })
  w.emit('update-status', win, pane)
  w.emit('update-status', other, pane)
  w.emit('update-status', win, pane)
  eq(#win.toasts + #other.toasts, 1, 'one toast, by one window')
  eq(win.toasts[1].title, 'a is waiting')
  eq(win.toasts[1].message, 'n3')
  eq(win.right_status, nil, 'status bar off: notices only')
  status(2, { 1 })
  w.emit('update-status', other, pane)
  eq(#other.toasts, 1, 'a new daemon numbers again: its first notice is new')
  os.remove(path)
end

function T.status_bar_reads_the_status_file()
  local path = os.tmpname()
  local w, _, _, win, pane = setup({ status_file = path })
  write(path, '{"version": 1, "workspaces": {"proj": {"working": 2, "waiting": 1, "failed": 0}},'
    .. ' "waiting": [{"agent": "a", "workspace": "proj", "pane_id": 3},'
    .. ' {"agent": "b", "workspace": "other", "pane_id": 4}],'
    .. ' "colors": {"working": "#00ff00"}}')
  w.emit('update-status', win, pane)
  truthy(win.right_status:find('2 working'), win.right_status)
  -- The daemon's colour, as WezTerm renders it: an escape sequence before the count.
  truthy(win.right_status:find('\27[38:2::0:255:0m ● 2 working', 1, true), win.right_status)
  truthy(win.right_status:find('1 waiting'), win.right_status)
  truthy(not win.right_status:find('failed'), 'zero counts are not shown')
  truthy(win.right_status:find('1 waiting elsewhere'), win.right_status)
  -- Missing, empty and half-written files show nothing and raise nothing.
  for _, content in ipairs({ '', '{"version": 1, "workspa', 'null' }) do
    write(path, content)
    w.emit('update-status', win, pane)
    eq(win.right_status, '', 'content ' .. content)
  end
  os.remove(path)
  w.emit('update-status', win, pane)
  eq(win.right_status, '')
  eq(#w.logs, 0, 'nothing logged as an error')
end

function T.status_bar_says_why_an_agent_waits_with_the_daemons_state_table()
  local path = os.tmpname()
  local w, wezmp, _, win, pane = setup({ status_file = path })
  write(path, '{"version": 1, "workspaces": {"proj": {"waiting": 1}},'
    .. ' "states": {"waiting": {"icon": "W", "label": "needs you", "color": "#123456"}},'
    .. ' "waiting": [{"agent": "a", "workspace": "proj", "pane_id": 3,'
    .. ' "reason": "rule trust-folder: Quick safety check, is this a project you trust?"}]}')
  w.emit('update-status', win, pane)
  truthy(win.right_status:find('W 1 needs you', 1, true), win.right_status)
  truthy(win.right_status:find('a: rule trust-folder', 1, true), win.right_status)
  truthy(win.right_status:find('…', 1, true), 'a long reason is cut')
  local cells = wezmp.status_cells(wezmp.read_status(path), 'proj')
  eq(cells[1].Foreground.Color, '#123456')
  os.remove(path)
end

function T.jump_to_next_waiting_agent()
  local path = os.tmpname()
  local w, _, config, win, pane = setup({ status_file = path })
  local p5 = w.new_pane(5, 'proj')
  local p9 = w.new_pane(9, 'other')
  write(path, '{"waiting": [{"agent": "x", "workspace": "other", "pane_id": 9},'
    .. ' {"agent": "y", "workspace": "proj", "pane_id": 5}]}')
  w.press(config, 'n', win, pane)
  eq(p5.activated, 1, 'an agent of this workspace comes first')
  write(path, '{"waiting": [{"agent": "x", "workspace": "other", "pane_id": 9}]}')
  w.press(config, 'n', win, pane)
  eq(win.actions[#win.actions].action.args.name, 'other')
  eq(p9.activated, 1)
  write(path, '{"waiting": []}')
  w.press(config, 'n', win, pane)
  truthy(win.toasts[#win.toasts].message:find('no agent'), 'nothing waiting is said')
  os.remove(path)
end

function T.next_waiting_cycles_within_workspace()
  local wezmp = (function()
    stub.install()
    return require 'wezmp'
  end)()
  local status = { waiting = {
    { workspace = 'p', pane_id = 1 }, { workspace = 'p', pane_id = 2 }, { workspace = 'p', pane_id = 3 },
  } }
  eq(wezmp.next_waiting_entry(status, 'p', 1).pane_id, 2)
  eq(wezmp.next_waiting_entry(status, 'p', 3).pane_id, 1)
  eq(wezmp.next_waiting_entry(status, 'p', 42).pane_id, 1)
  eq(wezmp.next_waiting_entry({}, 'p', 1), nil)
end

return T
