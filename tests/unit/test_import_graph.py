"""No import cycles inside ``ysched_tui``: the module graph, read from the source, is a DAG.

Every ``import`` and ``from ... import`` statement naming a module of the package is an edge:
at module level, inside functions (an import moved into a function to dodge a cycle is still the
cycle) and under ``if TYPE_CHECKING:``. One kind of edge is left out: a type-checking import whose
comment says which cycle it breaks, e.g.::

    if TYPE_CHECKING:
        # breaks the cycle tui.app -> tui.screens.main -> tui.app
        from ysched_tui.tui.app import ConsoleApp

and such a claim is checked: without that import the imported module must really reach the
importing one again, otherwise the import belongs at module level.

The graph is read with :mod:`ast` rather than by importing, so a module that would fail to import
(or that imports lazily) is still seen, and a ``TYPE_CHECKING`` block is told from the code around
it.
"""

from __future__ import annotations

import ast
import io
import tokenize
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = "ysched_tui"
SOURCE = Path(__file__).resolve().parents[2] / PACKAGE


@dataclass(frozen=True)
class Import:
    """One import statement's edge from ``source`` to ``target`` (both module names)."""

    source: str
    target: str
    path: Path
    line: int
    kind: str
    """``module`` (runs on import), ``function`` (runs when called) or ``type_checking``."""
    breaks_cycle: bool = False
    """A type-checking import whose comment says it breaks a cycle."""

    def __str__(self) -> str:
        depth = self.source.count(".") + (self.path.name == "__init__.py")
        where = self.path.relative_to(self.path.parents[depth])
        note = "" if self.kind == "module" else f" [{self.kind.replace('_', ' ')}]"
        return f"{self.source} -> {self.target}  ({where}:{self.line}){note}"


def modules_of(root: Path) -> dict[str, Path]:
    """Every module of the package at ``root`` by dotted name (a package by its ``__init__``)."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _comments(source: str) -> dict[int, str]:
    return {
        tok.start[0]: tok.string
        for tok in tokenize.generate_tokens(io.StringIO(source).readline)
        if tok.type == tokenize.COMMENT
    }


def _says_cycle(node: ast.stmt, block: ast.If, lines: list[str], comments: dict[int, str]) -> bool:
    """Whether a comment on the import, or the comment lines just above it, names a cycle.

    For the first import of the block, the ``if TYPE_CHECKING:`` line and the comments just above
    it count too.
    """
    end = node.end_lineno or node.lineno
    said = [comments.get(n, "") for n in range(node.lineno, end + 1)]
    starts = [node.lineno]
    if node is block.body[0]:
        said.append(comments.get(block.lineno, ""))
        starts.append(block.lineno)
    for start in starts:
        n = start - 1
        while n >= 1 and lines[n - 1].strip().startswith("#"):
            said.append(comments.get(n, ""))
            n -= 1
    return any("cycle" in c.lower() for c in said)


def imports_of(root: Path) -> list[Import]:
    """Every import of a module of the package at ``root`` by another one, with where and how."""
    modules = modules_of(root)
    return [imp for module, path in modules.items() for imp in _imports_in(module, path, modules)]


def _imports_in(module: str, path: Path, modules: dict[str, Path]) -> list[Import]:
    text = path.read_text(encoding="utf-8")
    lines, comments = text.splitlines(), _comments(text)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[Import] = []

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    def edges(node: ast.Import | ast.ImportFrom, kind: str, block: ast.If | None) -> None:
        breaks = block is not None and _says_cycle(node, block, lines, comments)
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [
                f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names
            ]
        for name in dict.fromkeys(names):
            target = resolve(name)
            if target is not None and target != module:
                found.append(Import(module, target, path, node.lineno, kind, breaks))

    def walk(nodes: Iterable[ast.AST], kind: str, block: ast.If | None) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and _is_type_checking(node.test):
                for inner in node.body:
                    walk([inner], "type_checking", node)
                walk(node.orelse, kind, block)
                continue
            if isinstance(node, ast.Import | ast.ImportFrom):
                edges(node, kind, block)
            inner_kind = kind
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                inner_kind = "function" if kind == "module" else kind
            walk(ast.iter_child_nodes(node), inner_kind, block)

    walk(ast.parse(text, str(path)).body, "module", None)
    return found


def _graph(imports: Iterable[Import]) -> dict[str, dict[str, Import]]:
    graph: dict[str, dict[str, Import]] = defaultdict(dict)
    for imp in imports:
        graph[imp.source].setdefault(imp.target, imp)
    return graph


def _strongly_connected(graph: dict[str, dict[str, Import]]) -> list[list[str]]:
    """The groups of modules that import each other, directly or not (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for nxt in successors:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph.get(nxt, {})))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))
    return groups


def _path(graph: dict[str, dict[str, Import]], start: str, goal: str) -> list[Import] | None:
    """The shortest chain of imports from ``start`` to ``goal``, or ``None``."""
    came: dict[str, Import | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for nxt, imp in sorted(graph.get(node, {}).items()):
            if nxt in came:
                continue
            came[nxt] = imp
            if nxt == goal:
                chain = []
                while (step := came[nxt]) is not None:
                    chain.append(step)
                    nxt = step.source
                return chain[::-1]
            queue.append(nxt)
    return None


def cycles(imports: Iterable[Import]) -> list[tuple[list[str], list[Import]]]:
    """Each group of mutually importing modules, with its shortest cycle as a chain of imports."""
    graph = _graph(imp for imp in imports if not imp.breaks_cycle)
    found = []
    for group in _strongly_connected(graph):
        inside = {
            src: {dst: imp for dst, imp in graph[src].items() if dst in group} for src in group
        }
        shortest = min(
            (
                [imp, *chain]
                for src in group
                for imp in inside[src].values()
                if (chain := _path(inside, imp.target, src)) is not None
            ),
            key=len,
        )
        found.append((group, shortest))
    return found


def describe(found: list[tuple[list[str], list[Import]]]) -> str:
    return "\n\n".join(
        f"cycle {i}: " + " -> ".join([*(imp.source for imp in chain), chain[0].source]) + "\n"
        + "\n".join(f"    {imp}" for imp in chain)
        + (f"\n  in a knot of {len(group)} modules: {', '.join(group)}" if len(group) > 2 else "")
        for i, (group, chain) in enumerate(found, 1)
    )


def test_the_package_has_no_import_cycles() -> None:
    """Module-level, in-function and type-checking imports together form no cycle."""
    found = cycles(imports_of(SOURCE))
    assert not found, f"{len(found)} import cycle(s) inside {PACKAGE}:\n\n{describe(found)}"


def test_type_checking_imports_said_to_break_a_cycle_do() -> None:
    """A type-checking import documented as breaking a cycle would close one if made at run time."""
    imports = imports_of(SOURCE)
    graph = _graph(imp for imp in imports if not imp.breaks_cycle)
    needless = [
        str(imp)
        for imp in imports
        if imp.breaks_cycle and _path(graph, imp.target, imp.source) is None
    ]
    assert not needless, (
        "these type-checking imports say they break a cycle, but the imported module does not "
        "import the importer back; import them normally:\n" + "\n".join(needless)
    )


def test_the_graph_sees_every_kind_of_import(tmp_path: Path) -> None:
    """The reader finds module-level, in-function, relative and type-checking imports."""
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("from . import c\n")
    (pkg / "a.py").write_text("import pkg.b\n")
    (pkg / "b.py").write_text("def f():\n    from pkg.sub import c\n")
    (pkg / "sub" / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..a import A\n"
        "if TYPE_CHECKING:\n    # breaks the cycle a -> b -> sub.c -> a\n    from .. import b\n"
    )
    found = {(i.source, i.target, i.kind, i.breaks_cycle) for i in imports_of(pkg)}
    assert found == {
        ("pkg.sub", "pkg.sub.c", "module", False),
        ("pkg.a", "pkg.b", "module", False),
        ("pkg.b", "pkg.sub.c", "function", False),
        ("pkg.sub.c", "pkg.a", "type_checking", False),
        ("pkg.sub.c", "pkg.b", "type_checking", True),
    }
    ((group, chain),) = cycles(imports_of(pkg))
    assert group == ["pkg.a", "pkg.b", "pkg.sub.c"]
    assert [(i.source, i.target) for i in chain] == [
        ("pkg.a", "pkg.b"),
        ("pkg.b", "pkg.sub.c"),
        ("pkg.sub.c", "pkg.a"),
    ]


@pytest.mark.parametrize("documented", [True, False])
def test_a_documented_type_checking_import_must_break_a_real_cycle(
    tmp_path: Path, documented: bool
) -> None:
    """An import said to break a cycle is left out only when the cycle is real."""
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("import pkg.b\n")
    comment = "    # breaks the cycle a -> b -> a\n" if documented else ""
    (pkg / "b.py").write_text(
        f"import typing\nif typing.TYPE_CHECKING:\n{comment}    import pkg.a\n"
    )
    imports = imports_of(pkg)
    assert bool(cycles(imports)) is not documented
    graph = _graph(i for i in imports if not i.breaks_cycle)
    assert all(_path(graph, i.target, i.source) for i in imports if i.breaks_cycle)
