"""The hook specifications: what a wezmp plugin may implement (version `SPEC_VERSION`).

Each event hook receives one typed record (`model.plugin_events`) named `event`; a plugin
that also wants to act takes `host` in `wezmp_plugin_start` and keeps it. Hooks run in a
thread of the plugin's own, one call at a time and in event order, with a time limit
(`plugins.timeout` in the config); their return values are ignored except where said.

Version 1. Within one version, specs and records only gain optional arguments and fields;
anything else bumps `SPEC_VERSION`, and a plugin that says it needs a newer one
(`WEZMP_PLUGIN_API = 2` in its module) is not loaded, with a message saying why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

from wezmp_tui.model import plugin_events as pe

if TYPE_CHECKING:
    from wezmp_tui.plugins.api import Host, PaletteCommand

PROJECT = "wezmp"
SPEC_VERSION = 1

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


class WezmpSpec:
    """Every hook. The event hooks' names are the config's event names with `wezmp_` in
    front and dots as underscores (`run.started` -> `wezmp_run_started`)."""

    @hookspec
    def wezmp_plugin_start(self, host: Host) -> None:
        """The plugin was loaded into the daemon (again, after its file changed): keep `host`
        to call the daemon's API, read your options and log."""

    @hookspec
    def wezmp_agent_state(self, event: pe.AgentStateChanged) -> None:
        """An agent went from one state to another (`event.state`: working, waiting, idle,
        failed...). Not called when only the reason changed."""

    @hookspec
    def wezmp_run_started(self, event: pe.RunStarted) -> None:
        """An agent's process was started in a pane."""

    @hookspec
    def wezmp_run_exited(self, event: pe.RunExited) -> None:
        """An agent's process ended (its exit code, or the signal, or why)."""

    @hookspec
    def wezmp_task_created(self, event: pe.TaskCreated) -> None:
        """A task was added to a board."""

    @hookspec
    def wezmp_task_moved(self, event: pe.TaskMoved) -> None:
        """A task moved to another column (other than its board's done column)."""

    @hookspec
    def wezmp_task_done(self, event: pe.TaskDone) -> None:
        """A task reached its board's done column."""

    @hookspec
    def wezmp_timer_started(self, event: pe.TimerStarted) -> None:
        """Time tracking started on a task."""

    @hookspec
    def wezmp_timer_stopped(self, event: pe.TimerStopped) -> None:
        """Time tracking stopped on a task."""

    @hookspec
    def wezmp_workspace_created(self, event: pe.WorkspaceCreated) -> None:
        """A workspace was created (by hand or by a layout)."""

    @hookspec
    def wezmp_workspace_deleted(self, event: pe.WorkspaceDeleted) -> None:
        """A workspace was deleted."""

    @hookspec
    def wezmp_layout_applied(self, event: pe.LayoutApplied) -> None:
        """A layout built its panes."""

    @hookspec
    def wezmp_config_reloaded(self, event: pe.ConfigReloaded) -> None:
        """config.yaml was changed and loaded cleanly."""

    @hookspec
    def wezmp_cli_commands(self) -> list[Any]:
        """Click commands to add to the `wezmp` command line (called in the CLI process,
        not the daemon). A name wezmp already has is kept by wezmp."""
        return []

    @hookspec
    def wezmp_palette_commands(self) -> list[PaletteCommand]:
        """Entries for the control center's command palette; their `run` is called in the
        daemon, under the same time limit as a hook."""
        return []


# Hook name for each record type (every one but PluginDisabled, which is for people).
HOOK_OF: dict[type[pe.PluginEvent], str] = {
    cls: "wezmp_" + name.replace(".", "_")
    for cls, name in pe.EVENT_NAMES.items()
    if cls is not pe.PluginDisabled
}
