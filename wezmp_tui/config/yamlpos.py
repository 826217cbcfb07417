"""YAML → typed msgspec Structs, with every error naming the file, the line and the key path.

YAML is read with 1.2 booleans (only true/false), so `restart: {policy: no}` means the string
"no" instead of YAML 1.1's surprising False, and `name: on` stays "on".
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any, TypeVar

import msgspec
import yaml

from wezmp_tui.errors import ConfigError

T = TypeVar("T")
PathKey = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    pass


# Drop YAML 1.1's yes/no/on/off booleans; keep true/false.
_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:bool"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _walk(node: yaml.Node, loader: _Loader, path: PathKey, lines: dict[PathKey, int]) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            lines[(*path, key)] = key_node.start_mark.line + 1
            out[key] = _walk(value_node, loader, (*path, key), lines)
            lines[(*path, key)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_walk(n, loader, (*path, i), lines) for i, n in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def parse_yaml(text: str, name: str) -> tuple[Any, dict[PathKey, int]]:
    """(data, line of every key path). Syntax errors name the file, line and column."""
    loader = _Loader(text)
    lines: dict[PathKey, int] = {}
    try:
        node = loader.get_single_node()
        data = None if node is None else _walk(node, loader, (), lines)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{name}:{mark.line + 1}" if mark else name
        col = f" (column {mark.column + 1})" if mark else ""
        raise ConfigError(f"{where}: YAML syntax error{col}: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{name}: YAML error: {exc}") from None
    finally:
        loader.dispose()
    return data, lines


def format_path(path: PathKey) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _parse_msgspec_path(text: str) -> PathKey:
    parts: list[str | int] = []
    for m in re.finditer(r"\.([^.\[]+)|\[(\d+)\]|\[\"?([^\]\"]*)\"?\]", text):
        if m.group(1) is not None:
            parts.append(m.group(1))
        elif m.group(2) is not None:
            parts.append(int(m.group(2)))
        else:
            parts.append(m.group(3))
    return tuple(parts)


def _value_at(data: Any, path: PathKey) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _fields(tp: Any, path: PathKey) -> list[str]:
    """Field names of the Struct found at `path` inside `tp` (for suggestions)."""
    found = _fields_type(tp, path)
    return list(found.__struct_fields__) if found is not None else []


def _literal_choices(tp: Any, path: PathKey) -> list[str]:
    import typing

    if not path or isinstance(path[-1], int):
        return []
    parent = _fields_type(tp, path[:-1])
    if parent is None:
        return []
    ann = typing.get_type_hints(parent).get(str(path[-1]))
    for arg in (ann, *typing.get_args(ann)):
        if typing.get_origin(arg) is typing.Literal:
            return [str(a) for a in typing.get_args(arg)]
    return []


def _fields_type(tp: Any, path: PathKey) -> Any:
    """The Struct type at `path` (None when it is not a Struct)."""
    import typing

    for part in path:
        if isinstance(part, int):
            continue
        hints = typing.get_type_hints(tp) if isinstance(tp, type) else {}
        ann = hints.get(str(part))
        found = None
        stack = [ann]
        while stack:
            a = stack.pop()
            if isinstance(a, type) and issubclass(a, msgspec.Struct):
                found = a
                break
            stack.extend(typing.get_args(a))
        if found is None:
            return None
        tp = found
    return tp if isinstance(tp, type) and issubclass(tp, msgspec.Struct) else None


def convert(data: Any, tp: type[T], *, name: str, lines: dict[PathKey, int]) -> T:
    """`msgspec.convert` with errors rewritten as `FILE:LINE: key.path: what is wrong`."""
    try:
        return msgspec.convert(data, tp, strict=True)
    except msgspec.ValidationError as exc:
        raise located(str(exc), data, tp, name=name, lines=lines) from None


def located(
    message: str, data: Any, tp: Any, *, name: str, lines: dict[PathKey, int]
) -> ConfigError:
    msg, _, where = message.partition(" - at `$")
    path = _parse_msgspec_path(where.rstrip("`"))
    unknown = re.match(r"Object contains unknown field `(.+)`", msg)
    if unknown:
        key = unknown.group(1)
        options = _fields(tp, path)
        near = difflib.get_close_matches(key, options, n=1)
        hint = (
            f" (did you mean {near[0]!r}?)"
            if near
            else (f" (known keys: {', '.join(options)})" if options else "")
        )
        full = (*path, key)
        return ConfigError(f"{name}:{_line(lines, full)}: {format_path(full)}: unknown key{hint}")
    missing = re.match(r"Object missing required field `(.+)`", msg)
    if missing:
        full = (*path, missing.group(1))
        return ConfigError(
            f"{name}:{_line(lines, path)}: {format_path(full)}: required key is missing"
        )
    expected = re.match(r"Expected `(.+?)`, got `(.+?)`", msg)
    if msg.startswith("Invalid enum value"):
        choices = _literal_choices(tp, path)
        value = _value_at(data, path)
        text = f"expected one of {', '.join(choices)}, got {value!r}" if choices else msg
    elif expected:
        value = _value_at(data, path)
        shown = f'"{value}"' if isinstance(value, str) else repr(value)
        text = f"expected {expected.group(1)}, got {shown}"
    else:
        text = msg[0].lower() + msg[1:] if msg else "invalid value"
    label = format_path(path) or "(top level)"
    return ConfigError(f"{name}:{_line(lines, path)}: {label}: {text}")


def _line(lines: dict[PathKey, int], path: PathKey) -> int:
    while path and path not in lines:
        path = path[:-1]
    return lines.get(path, 1)


def load_file(path: Path, tp: type[T], *, display: str | None = None) -> T:
    """Read, parse and convert a YAML file in one step (one ConfigError on any problem)."""
    name = display or path.name
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{name}: not UTF-8 text: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{name}: cannot read: {exc.strerror}") from None
    data, lines = parse_yaml(text, name)
    if data is None:
        data = {}
    return convert(data, tp, name=name, lines=lines)
