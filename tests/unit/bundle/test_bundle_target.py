"""Target platforms expand to every older manylinux tag; host checks use packaging.tags."""

from __future__ import annotations

import platform
import sys

import pytest

from stt_engine.bundle.target import Target, host_problems, pip_target_args, platform_tags
from stt_engine.errors import BundleError

HOST = f"{sys.version_info.major}.{sys.version_info.minor}"


def test_manylinux_2_28_accepts_older_glibc_tags() -> None:
    tags = platform_tags("manylinux_2_28_x86_64")
    assert tags[0] == "manylinux_2_28_x86_64"
    assert "manylinux_2_27_x86_64" in tags  # nvidia-cublas-cu12 12.8+ is tagged 2_27
    assert "manylinux_2_17_x86_64" in tags
    assert {"manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64"} <= set(tags)
    assert "manylinux_2_29_x86_64" not in tags


def test_legacy_tag_is_understood() -> None:
    tags = platform_tags("manylinux2014_aarch64")
    assert tags[0] == "manylinux_2_17_aarch64"
    assert "manylinux2010_aarch64" in tags and "manylinux_2_18_aarch64" not in tags


@pytest.mark.parametrize(
    ("python", "plat", "flavour", "message"),
    [
        ("3", "manylinux_2_28_x86_64", "cpu", "--python"),
        ("3.11", "win_amd64", "cpu", "unsupported platform"),
        ("3.11", "manylinux_2_28_x86_64", "rocm", "unknown flavour"),
    ],
)
def test_bad_targets_are_refused(python: str, plat: str, flavour: str, message: str) -> None:
    with pytest.raises(BundleError, match=message):
        Target(python, plat, flavour)


def test_pip_args_pin_python_abi_and_platforms() -> None:
    args = pip_target_args(Target("3.11", "manylinux_2_28_x86_64", "cuda12"))
    assert args[:1] == ["--only-binary=:all:"]
    assert args[args.index("--abi") + 1] == "cp311"
    assert args[args.index("--python-version") + 1] == "3.11"
    assert args.count("--platform") == len(platform_tags("manylinux_2_28_x86_64"))


@pytest.mark.skipif(platform.machine() != "x86_64", reason="x86-64 wheel names below")
def test_host_accepts_its_own_wheels_and_names_foreign_ones() -> None:
    abi = "cp" + HOST.replace(".", "")
    target = {"python": HOST, "platform": "manylinux_2_17_x86_64"}
    good = f"wheels/demo-1.0-{abi}-{abi}-manylinux_2_17_x86_64.whl"
    pure = "wheels/pure-1.0-py3-none-any.whl"
    foreign = f"wheels/demo-1.0-{abi}-{abi}-win_amd64.whl"
    assert host_problems(target, [good, pure]) == []
    assert host_problems(target, [good, foreign]) == [
        f"{foreign}: no tag of this wheel fits this machine"
    ]


def test_host_refuses_other_python_and_unknown_platform() -> None:
    [problem] = host_problems({"python": "3.2", "platform": "manylinux_2_17_x86_64"}, [])
    assert "Python 3.2" in problem
    [problem] = host_problems({"python": HOST, "platform": "manylinux_2_99_x86_64"}, [])
    assert "manylinux_2_99_x86_64" in problem
