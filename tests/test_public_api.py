"""The public API: ``twhooks.__all__`` and the ``__all__`` of the public modules it lists.

Every public name imports and is documented in docs/api, which is generated from these lists
(``tools/api_docs/gen.py``) and up to date; no page of docs/ documents an internal module; and
``import twhooks`` stays cheap.
"""

from __future__ import annotations

import ast
import functools
import importlib
import importlib.util
import inspect
import json
import re
import subprocess
import sys
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import twhooks

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
API = DOCS / "api"

PUBLIC_MODULES: tuple[str, ...] = twhooks._PUBLIC_MODULES

_AUTO = re.compile(
    r"^\s*\.\. auto(module|class|exception|function|data|attribute|method)::\s*(\S+)"
)


@functools.cache
def _generator() -> ModuleType:
    """tools/api_docs/gen.py, which imports public_surface.py from beside it."""
    sys.path.insert(0, str(ROOT / "tools" / "api_docs"))
    spec = importlib.util.spec_from_file_location("api_docs_gen", ROOT / "tools/api_docs/gen.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _surface() -> ModuleType:
    _generator()
    return importlib.import_module("public_surface")


def _public_names() -> list[tuple[str, str]]:
    return [
        (module, name)
        for module in PUBLIC_MODULES
        for name in getattr(importlib.import_module(module), "__all__", ())
    ]


def _resolve(path: str) -> Any:
    """The object a dotted path names: the longest importable module, then attributes."""
    parts = path.split(".")
    for split in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for name in parts[split:]:
            obj = getattr(obj, name)
        return obj
    raise ImportError(path)


def _module_of(path: str) -> str:
    """The longest importable module in a dotted path."""
    parts = path.split(".")
    for split in range(len(parts), 0, -1):
        name = ".".join(parts[:split])
        try:
            importlib.import_module(name)
        except ImportError:
            continue
        return name
    raise ImportError(path)


def _directives(page: Path) -> list[tuple[int, str, str]]:
    """``(line, directive, target)`` of every autodoc directive on a page."""
    found = []
    for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), start=1):
        match = _AUTO.match(line)
        if match:
            found.append((number, match.group(1), match.group(2)))
    return found


def test_the_public_modules_are_few_and_start_with_the_package() -> None:
    assert PUBLIC_MODULES[0] == "twhooks"
    assert len(set(PUBLIC_MODULES)) == len(PUBLIC_MODULES)
    assert all(module.startswith("twhooks.") for module in PUBLIC_MODULES[1:])
    assert not any("._" in module for module in PUBLIC_MODULES)


@pytest.mark.parametrize("module", PUBLIC_MODULES)
def test_public_module_lists_only_names_it_has(module: str) -> None:
    imported = importlib.import_module(module)
    names = list(getattr(imported, "__all__", ()))
    assert len(set(names)) == len(names), "a name is listed twice"
    missing = [name for name in names if not hasattr(imported, name)]
    assert missing == []
    assert not [name for name in names if name.startswith("_")]


@pytest.mark.parametrize(("module", "name"), _public_names(), ids=".".join)
def test_every_public_name_imports(module: str, name: str) -> None:
    namespace: dict[str, Any] = {}
    exec(f"from {module} import {name}", namespace)
    assert namespace[name] is getattr(importlib.import_module(module), name)


def test_every_public_name_is_documented_in_docs_api() -> None:
    documented: list[Any] = []
    documented_paths: set[str] = set()
    for page in sorted(API.glob("*.rst")):
        for _, directive, target in _directives(page):
            if directive != "module":
                documented.append(_resolve(target))
                documented_paths.add(target)
    undocumented = [
        f"{module}.{name}"
        for module, name in _public_names()
        if f"{module}.{name}" not in documented_paths
        and not any(getattr(importlib.import_module(module), name) is obj for obj in documented)
    ]
    assert undocumented == []


def test_docs_api_documents_no_internal_name() -> None:
    public = {id(getattr(importlib.import_module(m), n)) for m, n in _public_names()}
    extra = [
        f"{page.name}:{line}: {target}"
        for page in sorted(API.glob("*.rst"))
        for line, directive, target in _directives(page)
        if directive != "module" and id(_resolve(target)) not in public
    ]
    assert extra == []


def test_docs_api_is_what_the_generator_writes() -> None:
    """Regenerate with ``python tools/api_docs/gen.py docs/api`` after changing a public list
    (``.ci/check-generated`` checks the same)."""
    generator = _generator()
    expected = generator.generate(generator.build_model(generator.public_modules()))
    committed = {page.name: page.read_text(encoding="utf-8") for page in API.glob("*.rst")}
    assert sorted(committed) == sorted(expected)
    stale = [name for name in expected if committed[name] != expected[name]]
    assert stale == []
    assert all(text.startswith(generator.HEADER) for text in committed.values())


def test_each_object_is_documented_once_with_the_module_that_defines_it() -> None:
    surface = _surface()
    paths = surface.documented_paths(surface.build_model(surface.public_modules()))
    for module, name in _public_names():
        obj = getattr(importlib.import_module(module), name)
        if not (inspect.isclass(obj) or inspect.isroutine(obj)):
            continue
        home = paths[id(obj)].rpartition(".")[0]
        exporters = [m for m, n in _public_names() if getattr(importlib.import_module(m), n) is obj]
        containing = [m for m in exporters if f"{obj.__module__}.".startswith(f"{m}.")]
        assert home == (max(containing, key=len) if containing else exporters[0]), name
    assert paths[id(twhooks.VoiceResponse)] == "twhooks.twiml.voice.VoiceResponse"
    assert paths[id(twhooks.Deliveries)] == "twhooks.store.Deliveries"


def test_an_internal_path_to_a_public_object_finds_its_page() -> None:
    surface = _surface()
    paths = surface.documented_paths(surface.build_model(surface.public_modules()))
    internal = f"{twhooks.Dispatcher.__module__}.Dispatcher.handle"
    assert surface.public_path(internal, paths) == f"{paths[id(twhooks.Dispatcher)]}.handle"
    assert surface.public_path("twhooks.no_such_module.Name", paths) is None


@pytest.mark.parametrize(
    "page", sorted(DOCS.glob("**/*.rst")), ids=lambda path: str(path.relative_to(DOCS))
)
def test_docs_autodoc_only_public_modules(page: Path) -> None:
    """Nothing in docs/ documents an internal module; guide pages link to docs/api."""
    directives = _directives(page)
    if page.parent != API:
        assert directives == [], "guide pages link to the API reference instead"
    private = [
        f"{line}: {target}"
        for line, directive, target in directives
        if (target if directive == "module" else _module_of(target)) not in PUBLIC_MODULES
    ]
    assert private == []


def test_type_checking_imports_match_the_lazy_exports() -> None:
    """What type checkers see in ``twhooks`` is what ``twhooks.__getattr__`` returns."""
    tree = ast.parse((ROOT / "twhooks/__init__.py").read_text(encoding="utf-8"))
    imported = {
        alias.asname or alias.name: (node.module or "")
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level == 1
        for alias in node.names
    }
    assert imported == twhooks._EXPORTS
    assert twhooks.__all__ == sorted(twhooks._EXPORTS)
    assert set(twhooks.__all__) <= set(dir(twhooks))


_HEAVY = ("flask", "quart", "werkzeug", "sqlalchemy", "redis", "lxml", "hypercorn", "flask_sock")


def _loaded_after(code: str) -> dict[str, list[str]]:
    script = (
        f"import json, sys\n{code}\n"
        "mods = sorted(sys.modules)\n"
        "print(json.dumps({"
        f"'heavy': sorted({{m.split('.')[0] for m in mods}} & set({_HEAVY!r})), "
        "'twhooks': [m for m in mods if m.startswith('twhooks.')]}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )
    loaded: dict[str, list[str]] = json.loads(result.stdout)
    return loaded


def test_importing_twhooks_imports_nothing_else() -> None:
    assert _loaded_after("import twhooks") == {"heavy": [], "twhooks": []}


@pytest.mark.parametrize(
    "name", ["IncomingMessage", "TwhooksError", "compute_signature", "Deliveries", "RelaySession"]
)
def test_a_plain_name_loads_no_framework(name: str) -> None:
    """No web framework or database driver (lxml may come with TwiML, which reads it)."""
    assert [m for m in _loaded_after(f"from twhooks import {name}")["heavy"] if m != "lxml"] == []


def test_a_flask_name_loads_flask_on_first_use() -> None:
    assert "flask" in _loaded_after("import twhooks; twhooks.TwilioHooks")["heavy"]


def test_every_public_class_and_function_has_a_docstring() -> None:
    bare = []
    for module, name in _public_names():
        obj = getattr(importlib.import_module(module), name)
        if (inspect.isclass(obj) or inspect.isroutine(obj)) and not inspect.getdoc(obj):
            bare.append(f"{module}.{name}")
    assert bare == []


def test_the_generator_refuses_a_deprecated_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """A name kept for one release (with a ``DeprecationWarning``) is not public API."""
    shim = ModuleType("twhooks._deprecated_for_test")

    def old_name(name: str) -> object:
        warnings.warn("use twhooks.NewName", DeprecationWarning, stacklevel=2)
        return object

    shim.__getattr__ = old_name  # type: ignore[method-assign]
    shim.__all__ = ["OldName"]
    monkeypatch.setitem(sys.modules, shim.__name__, shim)
    surface = _surface()
    with pytest.raises(surface.PublicListError, match=r"deprecated \(use twhooks\.NewName\)"):
        surface.build_model([shim.__name__])
