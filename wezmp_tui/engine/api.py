"""The engine's public API: every operation is one async method marked with `@api("name")`.

The IPC server, the in-process test client and the TUI all go through `ApiMethod.invoke`,
which validates raw JSON params against the method's signature (msgspec builds a Struct from
the annotations), so a wrong type is a clear `InvalidParams` naming the field, never a
`TypeError` deep inside a service.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar, get_type_hints

import msgspec

from wezmp_tui.errors import InvalidParams

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])
_MARK = "__wezmp_api__"


def api(name: str) -> Callable[[F], F]:
    """Mark a service method as API method `name` (dotted: `ws.create`, `agent.start`)."""

    def mark(fn: F) -> F:
        setattr(fn, _MARK, name)
        return fn

    return mark


@dataclass(frozen=True, slots=True)
class ApiMethod:
    name: str
    func: Callable[..., Awaitable[Any]]
    params: type[msgspec.Struct]
    doc: str

    async def invoke(self, raw: Any = None) -> Any:
        """Validate `raw` (a dict of params, or None) and call the method."""
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            raise InvalidParams(f"{self.name}: params must be an object")
        try:
            params = msgspec.convert(raw, self.params, strict=False)
        except msgspec.ValidationError as exc:
            raise InvalidParams(f"{self.name}: {exc}") from None
        kwargs = {f: getattr(params, f) for f in self.params.__struct_fields__}
        return await self.func(**kwargs)


def _params_struct(name: str, fn: Callable[..., Any]) -> type[msgspec.Struct]:
    sig = inspect.signature(fn)
    hints = get_type_hints(fn)
    fields: list[Any] = []
    for pname, p in sig.parameters.items():
        if pname == "self" or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        typ = hints.get(pname, Any)
        if p.default is inspect.Parameter.empty:
            fields.append((pname, typ))
        else:
            fields.append((pname, typ, p.default))
    return msgspec.defstruct(
        name.replace(".", "_") + "_params", fields, kw_only=True, forbid_unknown_fields=True
    )


def collect(services: Iterable[object]) -> dict[str, ApiMethod]:
    """Every `@api` method of the given service objects, by name. Names must be unique."""
    methods: dict[str, ApiMethod] = {}
    for svc in services:
        for attr in dir(type(svc)):
            raw = getattr(type(svc), attr, None)
            name = getattr(raw, _MARK, None)
            if not isinstance(name, str):
                continue
            if name in methods:
                raise ValueError(f"API method {name} defined twice")
            assert raw is not None
            bound = getattr(svc, attr)
            methods[name] = ApiMethod(
                name=name,
                func=bound,
                params=_params_struct(name, raw),
                doc=inspect.getdoc(raw) or "",
            )
    return methods


def to_builtins(value: Any) -> Any:
    """What a result looks like on the wire (Structs → dicts, tuples → lists)."""
    return msgspec.to_builtins(value)
