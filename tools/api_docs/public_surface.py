"""The public surface of twhooks, as the package declares it (development tool, not shipped).

The public API is what the package says it is, and nothing else:

- ``twhooks._PUBLIC_MODULES`` names the public modules;
- each public module's ``__all__`` names its public objects.

Every other module, and every name not listed, is internal. :func:`build_model` reads those
lists and decides where each object is documented: an object exported by several public
modules (``twhooks.VoiceResponse`` and ``twhooks.twiml.voice.VoiceResponse``) is documented
once, in the most specific public module that contains the module defining it; the others
link there. Objects' ``__module__`` serves only that choice and the grouping of a page.

``gen.py`` writes docs/api from the model; ``docs/conf.py`` uses :func:`public_path` so that
a reference to a public object by an internal path (``twhooks.dispatch.Dispatcher``) reaches
its page, and :func:`source_definition` to show a re-exported constant's ``#:`` comment.
"""

from __future__ import annotations

import ast
import functools
import importlib
import importlib.util
import inspect
import types
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

PACKAGE = "twhooks"
_MISSING = object()


def public_modules() -> list[str]:
    """The public modules, as the package lists them."""
    package = importlib.import_module(PACKAGE)
    return list(package._PUBLIC_MODULES)


@dataclass
class Export:
    """One name of a public module's ``__all__``."""

    module: str  # the public module
    name: str
    obj: Any
    defined_in: str | None  # the module whose source defines it (display only)
    key: object  # identity of the object across modules

    @property
    def path(self) -> str:
        return f"{self.module}.{self.name}"


@dataclass
class Model:
    """The public surface: every export, and where each object is documented."""

    modules: list[str]  # as declared
    exports: dict[str, list[Export]] = field(default_factory=dict)  # by public module
    home: dict[object, Export] = field(default_factory=dict)  # by Export.key

    def documented_path(self, export: Export) -> str:
        return self.home[export.key].path

    def is_home(self, export: Export) -> bool:
        return self.home[export.key] is export


def is_routine(obj: Any) -> bool:
    return inspect.isroutine(obj) or isinstance(obj, types.FunctionType)


def attribute_comment(module: str, name: str) -> list[str] | None:
    """The ``#:`` comment (or docstring after it) of ``name`` in ``module``'s source."""
    from sphinx.pycode import ModuleAnalyzer

    try:
        docs = ModuleAnalyzer.for_module(module).find_attr_docs()
    except Exception:  # no source (a namespace package, a C module)
        return None
    lines = docs.get(("", name))
    return list(lines) if lines is not None else None


def source_definition(module: str, name: str) -> tuple[str, str] | None:
    """Where the source defines what ``module`` exports as ``name``: follow ``from .x import
    a as name`` (the ``TYPE_CHECKING`` imports of a lazy package included) to the module that
    assigns it. Read from the source, so the answer does not depend on what is imported."""
    for _ in range(20):  # a chain of re-exports, never a cycle in practice
        spec = importlib.util.find_spec(module)
        if spec is None or not spec.origin or not spec.origin.endswith(".py"):
            return None
        tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
        package = module if spec.origin.endswith("__init__.py") else module.rpartition(".")[0]
        following: tuple[str, str] | None = None
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if (alias.asname or alias.name) == name:
                        source = "." * node.level + (node.module or "")
                        following = (importlib.util.resolve_name(source, package), alias.name)
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(target, ast.Name) and target.id == name for target in targets):
                    return module, name
        if following is None:
            return None
        module, name = following
    return None


def defining_module(obj: Any, name: str, exporter: str) -> str | None:
    """The module whose source defines ``obj``, exported by ``exporter`` as ``name``:
    ``__module__`` for classes and functions, the source's re-export chain for the rest."""
    if inspect.isclass(obj) or is_routine(obj):
        module = getattr(obj, "__module__", None)
        return module if isinstance(module, str) else None
    found = source_definition(exporter, name)
    return found[0] if found else None


class PublicListError(Exception):
    """A public list names something that cannot be documented as it stands."""


def _without_deprecation(what: str, load: Callable[[], T]) -> T:
    """``load()``, refusing a deprecated module or name: the public lists give new paths."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value = load()
        except (ImportError, AttributeError) as error:
            raise PublicListError(f"{what} does not import: {error}") from error
    deprecated = [str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)]
    if deprecated:
        raise PublicListError(
            f"{what} is deprecated ({deprecated[0]}): list the new path in "
            "twhooks._PUBLIC_MODULES or the module's __all__, not the old one"
        )
    return value


def build_model(modules: list[str]) -> Model:
    imported = {
        name: _without_deprecation(name, functools.partial(importlib.import_module, name))
        for name in modules
    }
    model = Model(modules=list(modules))
    for name in modules:
        module = imported[name]
        exports = []
        for attribute in getattr(module, "__all__", ()):
            obj = _without_deprecation(
                f"{name}.{attribute}", functools.partial(getattr, module, attribute)
            )
            defined_in = defining_module(obj, attribute, name)
            if inspect.isclass(obj) or is_routine(obj):
                key: object = ("object", id(obj))
            else:
                key = ("data", defined_in, attribute, id(obj))
            exports.append(Export(name, attribute, obj, defined_in, key))
        model.exports[name] = exports
    by_key: dict[object, list[Export]] = {}
    for name in modules:
        for export in model.exports[name]:
            by_key.setdefault(export.key, []).append(export)
    for key, exports in by_key.items():
        model.home[key] = _home(exports)
    return model


def documented_paths(model: Model) -> dict[object, str]:
    """Where each public object is documented, by identity: ``id(obj)`` for classes and
    functions, ``(id(obj), name)`` for other objects (constants share small values)."""
    paths: dict[object, str] = {}
    for export in model.home.values():
        if inspect.isclass(export.obj) or is_routine(export.obj):
            paths[id(export.obj)] = export.path
        else:
            paths[(id(export.obj), export.name)] = export.path
    return paths


def public_path(target: str, paths: dict[object, str]) -> str | None:
    """The documented path of a dotted name that reaches a public object another way
    (``twhooks.dispatch.Dispatcher.handle`` → ``twhooks.Dispatcher.handle``), or ``None``."""
    parts = target.split(".")
    if parts[0] != PACKAGE:
        return None
    for split in range(len(parts) - 1, 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:split]))
        except Exception:  # not a module (or an optional dependency is missing)
            continue
        found: str | None = None
        for depth, name in enumerate(parts[split:], start=split + 1):
            obj = getattr(obj, name, _MISSING)
            if obj is _MISSING:
                break
            key: object = id(obj) if inspect.isclass(obj) or is_routine(obj) else (id(obj), name)
            if key in paths:
                found = ".".join([paths[key], *parts[depth:]])
        return found
    return None


def _home(exports: list[Export]) -> Export:
    """Where an object exported by several public modules is documented: the most specific
    public module that contains its defining module, else the first that exports it."""
    defined_in = exports[0].defined_in or ""
    containing = [
        export
        for export in exports
        if defined_in == export.module or defined_in.startswith(export.module + ".")
    ]
    if containing:
        return max(containing, key=lambda export: len(export.module))
    return exports[0]
