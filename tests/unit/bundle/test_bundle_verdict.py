"""One judge for every (flavour, target driver) pair, on the doctor's rules; refusals and --force.

The resolved builds below are what the index gives today: CTranslate2 4.6.3 to 4.8.1 are built
for CUDA 12.8 (the doctor's table), and torch-cuda12's default torch 2.10 is the index's CUDA
12.8 build.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from stt_engine.bundle.build import BuildOptions, _meta, _Staged
from stt_engine.bundle.target import Target
from stt_engine.bundle.verdict import gpu_builds, judge_target, refuse_unless_forced
from stt_engine.cli import cli
from stt_engine.errors import BundleError

BUILT = {
    "cpu": {},
    "cuda12": {"ctranslate2 4.6.3": "12.8"},
    "torch-cuda12": {"torch 2.10.0": "12.8", "ctranslate2 4.6.3": "12.8"},
}
# driver (its highest CUDA): the verdict on cpu, cuda12, torch-cuda12
TABLE = {
    "470.82.01": ("11.4", "pass", "fail", "fail"),
    "535.104.05": ("12.2", "pass", "warn", "warn"),
    "575.57.08": ("12.9", "pass", "pass", "pass"),
    "580.65.06": ("13.0", "pass", "pass", "pass"),
}
CELLS = [
    (driver, flavour, row[0], row[1 + index])
    for driver, row in TABLE.items()
    for index, flavour in enumerate(BUILT)
]


@pytest.mark.parametrize(("driver", "flavour", "max_cuda", "status"), CELLS)
def test_every_cell_of_the_table(driver: str, flavour: str, max_cuda: str, status: str) -> None:
    verdict = judge_target(flavour, driver, BUILT[flavour])
    assert (verdict.status, verdict.max_cuda) == (status, max_cuda)
    assert verdict.line().startswith(f"target: driver {driver} (CUDA <= {max_cuda}), {flavour}: ")
    if flavour == "cpu":
        assert "goes unused" in verdict.reason and verdict.fix == ""
    elif status == "warn":
        assert "minor version compatibility" in verdict.reason
        assert ">= 570.26" in verdict.fix
    elif status == "pass":
        assert "the CUDA 12.8 toolkit driver" in verdict.reason


def test_cpu_on_an_old_driver_says_what_cuda12_would_need() -> None:
    verdict = judge_target("cpu", "470.82.01")
    assert "cuda12 would need driver >= 525.60.13" in verdict.reason


@pytest.mark.parametrize("flavour", ["cuda12", "torch-cuda12"])
def test_a_refusal_names_driver_cuda_need_and_fix(flavour: str) -> None:
    with pytest.raises(BundleError) as caught:
        refuse_unless_forced(judge_target(flavour, "470.82.01", BUILT[flavour]), force=False)
    error = caught.value
    assert error.exit_code == 12
    assert "target driver 470.82.01 runs CUDA up to 11.4" in error.message
    assert f"the {flavour} flavour needs CUDA 12.8 (" in error.message
    assert error.hint is not None
    assert ">= 525.60.13" in error.hint and ">= 570.26" in error.hint
    assert "--flavour cpu" in error.hint and "--force" in error.hint


def test_before_resolving_only_a_driver_below_the_floor_fails() -> None:
    early = judge_target("cuda12", "470.82.01")
    assert early.status == "fail" and early.needs == {"": "12.x"}
    assert "the least any CUDA 12.x needs" in early.reason
    assert judge_target("cuda12", "535.104.05").status == "pass"


def test_force_keeps_the_fail_and_records_it() -> None:
    forced = refuse_unless_forced(judge_target("cuda12", "470.82.01", BUILT["cuda12"]), True)
    assert forced.status == "fail" and forced.forced
    assert "fail (forced)" in forced.line()
    unforced = refuse_unless_forced(judge_target("cuda12", "575.57.08", BUILT["cuda12"]), True)
    assert not unforced.forced  # --force changes nothing a target can run


def test_without_a_driver_the_verdict_is_unknown() -> None:
    verdict = judge_target("torch-cuda12", None, {"torch 2.7.1": "12.6"})
    assert verdict.status == "unknown"
    assert ">= 560.28.03" in verdict.reason and ">= 525.60.13" in verdict.reason
    assert judge_target("cpu", None).status == "pass"
    assert refuse_unless_forced(verdict, False) is verdict


def test_gpu_builds_of_a_resolved_set() -> None:
    versions = {"ctranslate2": "4.6.3", "torch": "2.10.0", "numpy": "2.2.0"}
    assert gpu_builds("cpu", versions, None) == {}
    # on cuda12 a torch brought by an extra is not the flavour's GPU code
    assert gpu_builds("cuda12", versions, None) == {"ctranslate2 4.6.3": "12.8"}
    assert gpu_builds("torch-cuda12", versions, "12.8") == BUILT["torch-cuda12"]
    assert gpu_builds("cuda12", {"ctranslate2": "4.4.0"}, None) == {"ctranslate2 4.4.0": "12.2"}


def test_the_manifest_records_the_verdict_and_force(tmp_path: Path) -> None:
    target = Target("3.11", "manylinux_2_28_x86_64", "cuda12")
    options = BuildOptions(target, (), tmp_path, tmp_path, tmp_path, target_driver="470.82.01")
    verdict = refuse_unless_forced(judge_target("cuda12", "470.82.01", BUILT["cuda12"]), True)
    meta = _meta(options, _Staged(version="0.1.0", verdict=verdict))
    assert meta["verdict"]["status"] == "fail" and meta["verdict"]["forced"] is True
    assert meta["verdict"]["driver"] == "470.82.01" and meta["verdict"]["max_cuda"] == "11.4"
    assert meta["verdict"]["needs"] == {"ctranslate2 4.6.3": "12.8"}


@pytest.mark.parametrize("driver", ["abc", "5757.08", "575,57,08", "575"])
def test_a_malformed_driver_is_a_usage_error(driver: str) -> None:
    result = CliRunner().invoke(cli, ["bundle", "build", "--dry-run", "--target-driver", driver])
    assert result.exit_code == 2
    assert "not an NVIDIA driver version" in result.output
    assert "MAJOR.MINOR[.PATCH]" in result.output


@pytest.mark.parametrize("flavour", ["cuda12", "torch-cuda12"])
def test_the_dry_run_refuses_a_driver_too_old_before_resolving(flavour: str) -> None:
    # nothing is built or resolved: the refusal comes first (no network is needed)
    argv = ["bundle", "build", "--dry-run", "--flavour", flavour, "--target-driver", "470.82.01"]
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code == 12, result.output
    assert "refusing to build: the target driver 470.82.01 runs CUDA up to 11.4" in result.output
    assert f"the {flavour} flavour needs CUDA 12.x" in result.output
    assert "hint: upgrade the NVIDIA driver to >= 525.60.13" in result.output
