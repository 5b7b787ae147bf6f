"""Backend libraries stay behind their seam: each is imported only by the modules allowed it.

Every ``import`` and ``from ... import`` in the package is read with ``ast`` (at module level
and inside functions alike), so an importer that hides its import in a function still counts.
Names in strings (the bundle's and the doctor's package lists) are not imports.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import stt_engine

PACKAGE = Path(stt_engine.__file__).parent
TORCH_BACKEND = (
    "engine/whisper_torch.py",
    "engine/torch_align.py",
    "engine/torch_encoder.py",
    "engine/torch_device.py",
)
# Allowed on purpose everywhere: the converters, the benchmark's raw faster-whisper reference
# and the doctor's report on the installed builds.
ANYWHERE = ("models/convert.py", "bench/", "doctor/deep.py")
ALLOWED: dict[str, tuple[str, ...]] = {
    "faster_whisper": ("engine/whisper_ct2.py", "engine/vad.py", *ANYWHERE),
    "ctranslate2": ("engine/whisper_ct2.py", *ANYWHERE),
    "torch": (*TORCH_BACKEND, "diarize/", *ANYWHERE),
    "transformers": (*TORCH_BACKEND, "diarize/", *ANYWHERE),
    # engine/vad.py owns the Silero model's session (faster-whisper's, rebuilt once)
    "onnxruntime": ("diarize/", "engine/vad.py", *ANYWHERE),
}


def _imported(tree: ast.AST) -> set[str]:
    """Top-level names of every absolute import anywhere in a module."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def importers() -> dict[str, list[str]]:
    """Library -> the package's modules (paths under stt_engine/) that import it."""
    found: dict[str, list[str]] = {library: [] for library in ALLOWED}
    for path in sorted(PACKAGE.rglob("*.py")):
        module = path.relative_to(PACKAGE).as_posix()
        for library in _imported(ast.parse(path.read_text(encoding="utf-8"))) & set(ALLOWED):
            found[library].append(module)
    return found


def _allowed(module: str, library: str) -> bool:
    return any(
        module.startswith(entry) if entry.endswith("/") else module == entry
        for entry in ALLOWED[library]
    )


@pytest.mark.parametrize("library", sorted(ALLOWED))
def test_only_the_allowed_modules_import_the_library(library: str) -> None:
    outside = [m for m in importers()[library] if not _allowed(m, library)]
    assert outside == [], f"{library} imported outside its seam: {outside}"


def test_the_backends_import_only_their_own_library() -> None:
    found = importers()
    assert found["faster_whisper"] == ["bench/systems.py", "engine/vad.py", "engine/whisper_ct2.py"]
    for module in TORCH_BACKEND:
        assert module not in found["faster_whisper"] + found["ctranslate2"], module
        assert (PACKAGE / module).is_file(), module
    assert "engine/torch_device.py" in found["torch"]


def test_the_walk_sees_imports_inside_functions() -> None:
    tree = ast.parse("def f():\n    from torch.nn import functional\n    import ctranslate2 as c\n")
    assert _imported(tree) == {"torch", "ctranslate2"}


def test_names_in_strings_and_relative_imports_are_not_imports() -> None:
    tree = ast.parse("HEAVY = ('torch', 'faster_whisper')\nfrom .torch import x\n")
    assert _imported(tree) == set()
