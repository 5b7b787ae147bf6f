"""Check a bundle (a .tar.gz or an unpacked folder) against its manifest and this machine.

Integrity: every listed file is present with the recorded size and sha256, and nothing else is
there. Target: this machine runs the bundle's Python version and accepts its wheels' platform
tags (``packaging.tags``); the doctor's one-line summary says what the GPU side looks like.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stt_engine.bundle import archive
from stt_engine.bundle.manifest import (
    MANIFEST_NAME,
    FileEntry,
    Progress,
    expected_entries,
    parse_manifest,
    read_manifest,
    scan,
)
from stt_engine.bundle.target import host_problems
from stt_engine.errors import BundleIntegrityError


@dataclass
class VerifyReport:
    source: Path
    manifest: dict[str, Any]
    problems: list[str] = field(default_factory=list)  # integrity: the files themselves
    target_problems: list[str] = field(default_factory=list)  # this machine vs the target
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and not self.target_problems


def compare(expected: dict[str, FileEntry], actual: dict[str, FileEntry]) -> list[str]:
    """One line per file that is missing, extra, truncated, grown or changed."""
    problems: list[str] = []
    for name in sorted(expected.keys() | actual.keys()):
        want, got = expected.get(name), actual.get(name)
        if got is None:
            problems.append(f"{name}: missing")
        elif want is None:
            problems.append(f"{name}: extra file, not in the manifest")
        elif got.size != want.size:
            kind = "truncated" if got.size < want.size else "larger than recorded"
            problems.append(f"{name}: {kind} ({got.size} bytes, manifest says {want.size})")
        elif got.sha256 != want.sha256:
            problems.append(f"{name}: sha256 mismatch (corrupt or modified)")
    return problems


def verify_folder(root: Path, progress: Progress | None = None) -> VerifyReport:
    manifest = read_manifest(root)
    report = VerifyReport(root, manifest)
    report.problems = compare(expected_entries(manifest), scan(root, progress))
    return report


def verify_archive(path: Path, progress: Progress | None = None) -> VerifyReport:
    actual: dict[str, FileEntry] = {}
    manifest_data: bytes | None = None
    read_error: str | None = None
    for member in archive.read_members(path, progress):
        if member.error is not None:
            read_error = member.error
            break
        if member.name == MANIFEST_NAME:
            manifest_data = member.data
        elif member.entry is None:
            actual[member.name] = FileEntry(-1, "not a regular file")
        else:
            actual[member.name] = member.entry
    if manifest_data is None:
        raise BundleIntegrityError(
            f"{path}: no {MANIFEST_NAME} found" + (f"; {read_error}" if read_error else ""),
            hint="the file is not an stt-engine bundle, or it was cut short",
        )
    report = VerifyReport(path, parse_manifest(manifest_data, f"{path}:{MANIFEST_NAME}"))
    if read_error is not None:
        report.problems.append(read_error)
    else:
        report.problems = compare(expected_entries(report.manifest), actual)
    return report


def check_host(report: VerifyReport) -> None:
    """Add target problems (Python, platform tags) and the doctor's summary as a note."""
    wheels = [name for name in report.manifest["files"] if name.endswith(".whl")]
    report.target_problems += host_problems(report.manifest.get("target", {}), wheels)
    report.notes.append(doctor_line(report.manifest))


def doctor_line(manifest: dict[str, Any]) -> str:
    """The doctor's one-line verdict for this machine and the bundle's CTranslate2."""
    from stt_engine.doctor.facts import gather_facts
    from stt_engine.doctor.probe import ProbeContext
    from stt_engine.doctor.report import evaluate, summary_line

    ct2 = manifest.get("versions", {}).get("ctranslate2")
    requires = [f"ctranslate2=={ct2}"] if ct2 and manifest.get("flavour") == "cuda12" else []
    return summary_line(evaluate(gather_facts(ProbeContext(timeout=5.0)), requires))


def verify(path: Path, host: bool = True, progress: Progress | None = None) -> VerifyReport:
    """Verify an archive or folder; raise BundleIntegrityError when it does not exist."""
    if path.is_dir():
        report = verify_folder(path, progress)
    elif path.is_file():
        report = verify_archive(path, progress)
    else:
        raise BundleIntegrityError(f"{path}: no such file or folder")
    if host:
        check_host(report)
    return report
