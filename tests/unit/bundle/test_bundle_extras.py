"""`bundle build --extra ray`: the resolver is asked for the extra, install.sh installs it."""

from __future__ import annotations

from pathlib import Path

import pytest

from stt_engine.bundle import build
from stt_engine.bundle.target import Target
from stt_engine.bundle.wheelhouse import Wheel
from stt_engine.errors import BundleError


def _options(tmp_path: Path, flavour: str, extras: tuple[str, ...]) -> build.BuildOptions:
    return build.BuildOptions(
        target=Target("3.11", "manylinux_2_28_x86_64", flavour),
        models=(),
        out_dir=tmp_path,
        cache_dir=tmp_path,
        project=tmp_path,
        extras=extras,
    )


def test_the_extra_is_resolved_and_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = tmp_path / "stt_engine-0.1.0-py3-none-any.whl"
    asked: list[list[str]] = []
    monkeypatch.setattr(build.wheelhouse, "build_project_wheel", lambda project, out: own)

    def resolve(requirements: list[str], target: Target) -> list[Wheel]:
        asked.append(requirements)
        return [Wheel("ray", "2.60.0", "file:///w/ray-2.60.0-cp311-none-any.whl", None)]

    monkeypatch.setattr(build.wheelhouse, "resolve", resolve)
    plan = build.plan_wheels(_options(tmp_path, "cpu", ("ray",)), tmp_path)
    assert asked == [[f"{own}[ray]"]]
    assert plan.install == ["stt-engine[ray]==0.1.0"]


def test_the_torch_flavour_refuses_extras(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match="--extra goes with the cpu and cuda12 flavours"):
        build.plan_wheels(_options(tmp_path, "torch-cuda12", ("ray",)), tmp_path)
