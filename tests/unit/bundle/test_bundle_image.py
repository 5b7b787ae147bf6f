"""The image build runs offline from the bundle's Containerfile, with docker or podman."""

from __future__ import annotations

from pathlib import Path

import pytest

from stt_engine.bundle import image
from stt_engine.errors import BundleError

SPEC = image.ImageSpec(Path("/b"), "stt-engine:1.0-cpu", "cpu", "localhost/python-base:3.11")


def test_podman_build_is_offline_and_keeps_the_healthcheck() -> None:
    command = image.build_command("podman", SPEC)
    assert command[:3] == ["podman", "build", "--network=none"]
    assert "--format=docker" in command
    assert command[command.index("-f") + 1] == "/b/deploy/Containerfile"
    assert "BASE_IMAGE=localhost/python-base:3.11" in command
    assert "FLAVOUR=cpu" in command
    assert command[-3:] == ["-t", "stt-engine:1.0-cpu", "/b"]


def test_docker_build_has_no_podman_flags() -> None:
    command = image.build_command("docker", SPEC)
    assert command[:3] == ["docker", "build", "--network=none"]
    assert "--format=docker" not in command


def test_names_follow_version_and_flavour() -> None:
    assert image.image_tag("0.1.0", "cuda12") == "stt-engine:0.1.0-cuda12"
    assert image.image_archive_name("0.1.0", "cpu") == "stt-engine-0.1.0-cpu.image.tar.gz"


def test_no_engine_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(BundleError, match="docker"):
        image.find_engine()
    with pytest.raises(BundleError, match="podman is not installed"):
        image.find_engine("podman")


def test_containerfile_defaults_and_offline_install() -> None:
    text = (Path(__file__).resolve().parents[3] / "deploy" / "Containerfile").read_text()
    assert "ARG BASE_IMAGE=python:3.11-slim" in text
    assert "NVIDIA_DRIVER_CAPABILITIES=compute,utility" in text
    assert "--no-index" in text and "EXPOSE 8003" in text
    assert "USER stt" in text and 'VOLUME ["/app/models"]' in text
