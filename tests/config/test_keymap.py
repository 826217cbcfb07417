"""The binding ids `keymap:` accepts are exactly the control center's."""

from __future__ import annotations

import importlib
import pkgutil

from textual.binding import Binding
from textual.dom import DOMNode

import wezmp_tui.tui
from wezmp_tui.config.keymap import BINDING_IDS


def _subclasses(cls: type) -> set[type]:
    out = set()
    for sub in cls.__subclasses__():
        out |= {sub, *_subclasses(sub)}
    return out


def test_binding_ids_are_those_of_the_tui() -> None:
    for mod in pkgutil.walk_packages(wezmp_tui.tui.__path__, "wezmp_tui.tui."):
        importlib.import_module(mod.name)
    ids = set()
    for cls in _subclasses(DOMNode):
        if not cls.__module__.startswith("wezmp_tui."):
            continue
        for binding in cls.__dict__.get("BINDINGS", []):
            if isinstance(binding, Binding) and binding.id:
                ids.add(binding.id)
    assert ids == BINDING_IDS
