"""Written once: the folder walker, the resume, the atomic writer and the sha256 of a file.

An AST scan of the package (``doctor/`` is stdlib-only and keeps its own; ``bundle/install.sh``
is not Python). A second copy of any of these shows up here with the module that holds it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import stt_engine

SRC = Path(stt_engine.__file__).parent

# call -> the modules allowed to make it, and why
ALLOWED = {
    "os.replace": {
        "files.py": "the atomic writer",
        "jobs/intake.py": "moves an upload into the data folder (a move, not a write)",
    },
    "tempfile.mkstemp": {
        "files.py": "the atomic writer's temporary file",
        "server/uploads.py": "spools an upload while it arrives",
    },
    "hashlib.sha256": {
        "files.py": "the sha256 of a file or stream",
        "jobs/intake.py": "options and audio in one fingerprint (the file via files.py)",
        "models/assemble.py": "one digest over several parts (each via files.py)",
        "server/auth.py": "the digest of an API key, not of a file",
        "diarize/profiles.py": "a voice profile's file name from its speaker's name, not a file",
        "server/client_secret.py": "the signing key and HMAC of a client secret, not a file",
    },
    "rglob": {
        "batch/inputs.py": "the folder walker",
        "bundle/manifest.py": "every file of a bundle, not audio",
    },
}


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(SRC.rglob("*.py")):
        name = path.relative_to(SRC).as_posix()
        if not name.startswith("doctor/"):
            yield name, ast.parse(path.read_text(encoding="utf-8"))


def _called(tree: ast.Module) -> set[str]:
    """``module.function`` for calls on a module name; ``method`` for other attribute calls."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            prefix = f"{owner.id}." if isinstance(owner, ast.Name) and owner.id in _MODULES else ""
            found.add(prefix + node.func.attr)
    return found


_MODULES = {"os", "tempfile", "hashlib"}


@pytest.mark.parametrize("call", sorted(ALLOWED))
def test_each_is_written_in_its_one_home(call: str) -> None:
    holders = {name for name, tree in _modules() if call in _called(tree)}
    assert holders == set(ALLOWED[call])  # a new copy, or an allowance no longer needed


def test_the_batch_machinery_imports_nothing_from_the_cli() -> None:
    for name, tree in _modules():
        if not name.startswith("batch/"):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                assert not (node.module or "").startswith("stt_engine.cli"), name
            elif isinstance(node, ast.Import):
                assert not any(a.name.startswith("stt_engine.cli") for a in node.names), name


def test_audio_suffixes_and_the_result_writer_are_declared_once() -> None:
    declared: dict[str, list[str]] = {"AUDIO_SUFFIXES": [], "write_atomic": [], "sha256_file": []}
    for name, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name in declared:
                declared[node.name].append(name)
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id in declared:
                        declared[target.id].append(name)
    assert declared == {
        "AUDIO_SUFFIXES": ["batch/inputs.py"],
        "write_atomic": ["files.py"],
        "sha256_file": ["files.py"],
    }


def test_both_folder_commands_run_through_the_driver() -> None:
    for command in ("cli/transcribe.py", "cli/batch.py"):
        text = (SRC / command).read_text(encoding="utf-8")
        assert "from stt_engine.batch.driver import Driver" in text, command
        assert "tqdm" not in text and "write_atomic" not in text, command
