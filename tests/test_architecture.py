"""The layering is a contract: ``lint-imports`` (import-linter, configured in pyproject.toml) must keep it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_layers_are_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]


# --- the rest of the contract, checked on the source itself ---------------------------------------

import ast  # noqa: E402

import grimp  # noqa: E402

PACKAGES = ("wfm", "forecasting", "optimiser", "app_pages")
LIBRARY = ("wfm", "forecasting", "optimiser")
MAX_FUNCTION_LINES = 80


def _modules(packages=PACKAGES):
    for pkg in packages:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            rel = path.relative_to(ROOT).with_suffix("")
            parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
            yield ".".join(parts), path


def test_no_import_circles():
    # function-level imports count: a circle hidden inside a function is still a circle
    sys.path.insert(0, str(ROOT))
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    cycles = []
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            if imported.startswith(module + ".") or module.startswith(imported + "."):
                continue  # a package and its own modules
            if graph.chain_exists(importer=imported, imported=module):
                cycles.append(f"{module} <-> {imported}")
    assert not cycles, "\n".join(sorted(set(cycles)))


def test_no_private_names_imported_across_modules():
    found = []
    for name, path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in PACKAGES:
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        found.append(f"{name} imports {node.module}.{alias.name}")
    assert not found, "\n".join(sorted(found))


def _code_lines(node) -> int:
    """Lines of code in a function: its span minus blank lines, comments and its docstring."""
    lines = set(range(node.lineno, node.end_lineno + 1))
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
            and isinstance(body[0].value.value, str):
        lines -= set(range(body[0].lineno, body[0].end_lineno + 1))
    return len(lines)


def _long_functions():
    for name, path in _modules():
        source = path.read_text(encoding="utf-8").splitlines()
        tree = ast.parse("\n".join(source))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                span = [i for i in range(node.lineno, node.end_lineno + 1)
                        if source[i - 1].strip() and not source[i - 1].strip().startswith("#")]
                n = min(len(span), _code_lines(node))
                if n > MAX_FUNCTION_LINES:
                    yield f"{name}.{node.name}", n, source[node.lineno - 2].strip() if node.lineno > 1 else ""


def test_functions_stay_short_or_say_why():
    # at most ten functions over 80 lines of code, each with a comment "# long: <why>" on the line above its def
    longs = list(_long_functions())
    unexplained = sorted(n for n, _, above in longs if not above.startswith("# long:"))
    assert not unexplained, "\n".join(unexplained)
    assert len([n for n, _, above in longs if above.startswith("# long:")]) <= 10


def test_default_zone_and_weekday_names_are_defined_once():
    zone_literal, weekdays = [], []
    for name, path in _modules(LIBRARY):
        if name == "wfm.ground.vocabulary":
            continue  # the one definition
        text = path.read_text(encoding="utf-8")
        for i, line in enumerate(text.splitlines(), 1):
            code = line.split("#")[0]
            if '"Europe/Stockholm"' in code or "'Europe/Stockholm'" in code:
                zone_literal.append(f"{name}:{i}")
            if '("Mon", "Tue", "Wed"' in code or "['Mon', 'Tue'" in code or '["Mon", "Tue", "Wed"' in code:
                weekdays.append(f"{name}:{i}")
    assert not zone_literal, "\n".join(zone_literal)
    assert not weekdays, "\n".join(weekdays)


def test_library_messages_never_name_cli_flags():
    # only the CLI (wfm.cli) speaks of flags; a library error names the parameter
    import re
    flag = re.compile(r"""(WfmInputError|_fail|raise\s+\w+)\([^)]*["'][^"']*--[a-z][a-z-]+""", re.S)
    found = []
    for name, path in _modules(("wfm", "forecasting", "optimiser")):
        if name.startswith("wfm.cli"):
            continue
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"--[a-z][a-z-]{2,}", text):
            line_start = text.rfind("\n", 0, m.start()) + 1
            line = text[line_start:text.find("\n", m.start())]
            stripped = line.strip()
            if stripped.startswith("#") or stripped.startswith(">>>"):
                continue
            found.append(f"{name}: {stripped[:100]}")
    assert not found, "\n".join(found)
