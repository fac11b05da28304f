"""The house's import rules, read from the source (every import, at module level or inside a function):

  frames/          numpy and the standard library only: both halves import it
  training/        never scenes/ or the studio (grok/)
  scenes/          never torch or training/: a scene reads frames and nothing else
  grok/publish/, grok/figures/   never torch or training/: publishing and figures need no torch
and no cycle between the project's modules."""

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("frames", "training", "scenes", "grok")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def get_imports(path: Path) -> set[str]:
    """Every module `path` imports, relative imports resolved, as dotted names."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(package[: len(package) - node.level + 1]) if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            found.add(module)
            found |= {f"{module}.{alias.name}" for alias in node.names}  # `from pkg import module`
    return found


MODULES = {module_name(path): get_imports(path) for package in PACKAGES for path in (ROOT / package).rglob("*.py")}


def project_imports(module: str) -> set[str]:
    return {name for name in MODULES[module] if name in MODULES}


def roots(module: str) -> set[str]:
    return {name.split(".")[0] for name in MODULES[module]}


def test_the_rules_see_every_package():
    assert {name.split(".")[0] for name in MODULES} == set(PACKAGES)
    assert {"grok.publish.pipeline", "grok.figures.explorer", "training.train", "scenes.clock"} <= set(MODULES)


@pytest.mark.parametrize("module", sorted(name for name in MODULES if name.startswith("frames")))
def test_frames_imports_only_numpy_and_the_standard_library(module):
    outside = roots(module) - {"frames", "numpy", "__future__"} - set(sys.stdlib_module_names)
    assert not outside, f"{module} imports {sorted(outside)}"


@pytest.mark.parametrize("module", sorted(name for name in MODULES if name.startswith("training")))
def test_training_imports_neither_scenes_nor_the_studio(module):
    assert not roots(module) & {"scenes", "grok", "manim"}, module


@pytest.mark.parametrize(
    "module", sorted(name for name in MODULES if name.startswith(("scenes", "grok.publish", "grok.figures")))
)
def test_scenes_publishing_and_figures_need_no_torch(module):
    assert not roots(module) & {"torch", "training", "transformer_lens"}, module


def test_no_module_imports_itself_back():
    """No cycle: a depth-first walk of the project's imports never comes back to a module on its path."""
    state: dict[str, str] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for name in sorted(project_imports(module)):
            if name == module:
                continue
            if state.get(name) == "open":
                pytest.fail(
                    "import cycle: " + " -> ".join(path[path.index(name) :] + [name])
                    if name in path
                    else f"import cycle through {name}"
                )
            if name not in state:
                visit(name, path + [name])
        state[module] = "done"

    for module in sorted(MODULES):
        if module not in state:
            visit(module, [module])


def test_no_scene_borrows_from_another():
    """A scene file is one idea: what several scenes share lives in a helpers module, never in a sibling scene."""
    from scenes.registry import SCENES, SWEEP_SCENES

    scene_modules = {f"scenes.{entry.module}" for entry in (*SCENES, *SWEEP_SCENES)}
    for module in scene_modules:
        borrowed = {name for name in project_imports(module) if name in scene_modules and name != module}
        assert not borrowed, f"{module} imports {sorted(borrowed)}"
