"""gather_facts on fake machines: no GPU, containers, stub libcuda, pip CUDA libraries, nvcc."""

from __future__ import annotations

from conftest import FakeLibcuda, FakeNvml, Machine, fixture_text, loader_for, smi_answers
from stt_engine.doctor import evaluate, gather_facts
from stt_engine.doctor.probe import CommandResult


def _checks(report: dict) -> dict:
    return {check["id"]: check for check in report["checks"]}


def test_bare_machine_without_gpu(machine: Machine) -> None:
    machine.write("/etc/os-release", 'NAME="Ubuntu"\nPRETTY_NAME="Ubuntu 22.04.4 LTS"\n')
    facts = gather_facts(machine.context())
    assert facts.system.os == "Ubuntu 22.04.4 LTS" and facts.system.python
    assert facts.driver.version is None and facts.driver.gpus == []
    assert not facts.container.inside
    sources = {reading.source: reading.error for reading in facts.driver.readings}
    assert set(sources) == {"nvml", "libcuda", "proc", "nvidia-smi"}
    assert all(sources.values())
    report = evaluate(facts)
    assert _checks(report)["driver"]["status"] == "warn"
    assert "CPU" in _checks(report)["driver"]["message"]
    assert set(report["cuda_wheels"].values()) == {"fail"}
    assert report["status"] == "warn"


def test_container_started_without_gpus(machine: Machine) -> None:
    machine.write("/.dockerenv")
    machine.env["NVIDIA_VISIBLE_DEVICES"] = "void"
    facts = gather_facts(machine.context())
    assert facts.container.inside and facts.container.engine == "docker"
    assert facts.container.device_nodes == []
    container = _checks(evaluate(facts))["container"]
    assert container["status"] == "warn" and "--gpus all" in container["fix"]


def test_podman_container_with_gpu_but_no_compute_capability(machine: Machine) -> None:
    machine.write("/run/.containerenv")
    machine.write("/dev/nvidia0")
    machine.write("/proc/driver/nvidia/version", fixture_text("proc/575.57.08-proprietary.txt"))
    machine.env.update(NVIDIA_VISIBLE_DEVICES="all", NVIDIA_DRIVER_CAPABILITIES="utility")
    facts = gather_facts(machine.context())
    assert facts.container.engine == "podman" and facts.container.device_nodes == ["/dev/nvidia0"]
    checks = _checks(evaluate(facts))
    assert checks["container"]["status"] == "warn"
    assert "compute" in checks["container"]["fix"]
    assert checks["libcuda"]["status"] == "fail"


def test_kubernetes_cgroup_marks_a_container(machine: Machine) -> None:
    machine.write("/proc/1/cgroup", "0::/kubepods/besteffort/pod1234/abcd\n")
    assert gather_facts(machine.context()).container.engine == "kubernetes"


def test_gpu_server_read_through_nvml_proc_and_smi(machine: Machine) -> None:
    machine.loader = loader_for(nvml=FakeNvml(), cuda=FakeLibcuda())
    machine.write("/proc/driver/nvidia/version", fixture_text("proc/575.57.08-proprietary.txt"))
    machine.runner.answers.update(smi_answers("575.57.08.txt", "query-h100.csv"))
    facts = gather_facts(machine.context())
    assert (facts.driver.version, facts.driver.max_cuda) == ("575.57.08", "12.9")
    assert facts.driver.max_cuda_source == "nvml" and facts.driver.kernel_module == "proprietary"
    assert [g.compute_capability for g in facts.driver.gpus] == ["9.0"]
    assert facts.errors == []


def test_smi_only_machine_with_r610_header(machine: Machine) -> None:
    machine.runner.answers.update(smi_answers("610.43.03-umd.txt", "query-2xh200.csv"))
    facts = gather_facts(machine.context())
    assert (facts.driver.version, facts.driver.max_cuda) == ("610.43.03", "13.3")
    assert facts.driver.max_cuda_source == "nvidia-smi" and len(facts.driver.gpus) == 2
    report = evaluate(facts)
    assert report["cuda_wheels"]["cu130"] == "pass"
    assert report["summary"].startswith(
        "doctor: driver 610.43.03 (CUDA <= 13.3), 2 GPUs NVIDIA H200"
    )


def test_disagreeing_probes_warn(machine: Machine) -> None:
    machine.write("/proc/driver/nvidia/version", fixture_text("proc/580.65.06-open.txt"))
    machine.runner.answers.update(smi_answers("575.57.08.txt"))
    checks = _checks(evaluate(gather_facts(machine.context())))
    assert checks["driver.mismatch"]["status"] == "warn"
    assert "reboot" in checks["driver.mismatch"]["fix"]


def test_stub_libcuda_first_on_ld_library_path_fails(machine: Machine) -> None:
    machine.write("/usr/local/cuda/lib64/stubs/libcuda.so.1")
    machine.write("/usr/lib/x86_64-linux-gnu/libcuda.so.1")
    machine.env["LD_LIBRARY_PATH"] = "/usr/local/cuda/lib64/stubs"
    facts = gather_facts(machine.context())
    assert facts.libcuda[0] == "/usr/local/cuda/lib64/stubs/libcuda.so.1"
    check = _checks(evaluate(facts))["libcuda.stub"]
    assert check["status"] == "fail" and "LD_LIBRARY_PATH" in check["fix"]


def test_cuinit_stub_code_fails_even_without_a_stub_path(machine: Machine) -> None:
    machine.loader = loader_for(cuda=FakeLibcuda(init_code=34))
    facts = gather_facts(machine.context())
    assert facts.driver.cuinit_code == 34
    assert _checks(evaluate(facts))["libcuda.stub"]["status"] == "fail"


def test_real_libcuda_from_ldconfig_passes(machine: Machine) -> None:
    machine.runner.answers["ldconfig -p"] = CommandResult(0, fixture_text("ldconfig-p.txt"))
    machine.write("/usr/lib/x86_64-linux-gnu/libcuda.so.1")
    machine.write("/usr/lib/x86_64-linux-gnu/libcublas.so.12.4.5.8")
    machine.write("/usr/lib/x86_64-linux-gnu/libcublas.so.12")
    facts = gather_facts(machine.context())
    assert facts.libcuda == ["/usr/lib/x86_64-linux-gnu/libcuda.so.1"]
    assert [(lib.name, lib.version, lib.origin) for lib in facts.libraries] == [
        ("cublas", "12.4.5.8", "system")
    ]


def test_pip_cuda_libraries_with_versions(machine: Machine) -> None:
    machine.pip_lib("cublas", "libcublas.so.12")
    machine.pip_lib("cublas", "libcublasLt.so.12")
    machine.pip_lib("cudnn", "libcudnn_ops.so.9")
    machine.pip_lib("cuda_runtime", "libcudart.so.12")
    machine.dist("nvidia-cublas-cu12", "12.4.5.8")
    machine.dist("nvidia-cudnn-cu12", "9.1.0.70")
    libraries = {lib.name: lib for lib in gather_facts(machine.context()).libraries}
    assert set(libraries) == {"cublas", "cublasLt", "cudnn_ops", "cudart"}
    assert libraries["cublas"].package == "nvidia-cublas-cu12"
    assert libraries["cublas"].package_version == "12.4.5.8"
    assert libraries["cudnn_ops"].package_version == "9.1.0.70"
    assert libraries["cudart"].package is None and libraries["cublas"].origin == "pip"


def test_ctranslate2_with_and_without_pip_cublas(machine: Machine) -> None:
    machine.runner.answers.update(smi_answers("575.57.08.txt", "query-h100.csv"))
    machine.dist("ctranslate2", "4.8.1")
    report = evaluate(gather_facts(machine.context()))
    check = _checks(report)["package.ctranslate2"]
    assert check["status"] == "fail" and "nvidia-cublas-cu12" in check["fix"]
    assert "can use CUDA: no (" in report["summary"]
    machine.pip_lib("cublas", "libcublas.so.12")
    report = evaluate(gather_facts(machine.context()))
    assert _checks(report)["package.ctranslate2"]["status"] == "pass"
    assert "ctranslate2 4.8.1 can use CUDA: yes" in report["summary"]
    assert "1 GPU NVIDIA H100 80GB HBM3 (sm_90)" in report["summary"]


def test_installed_torch_build_cuda_from_label_or_runtime_pin(machine: Machine) -> None:
    machine.dist(
        "torch", "2.5.1", ["nvidia-cuda-runtime-cu12==12.4.127; platform_system == 'Linux'"]
    )
    packages = gather_facts(machine.context()).packages
    assert [(p.name, p.cuda) for p in packages] == [("torch", "12.4")]


def test_cudnn_conflict_between_installed_torch_and_ctranslate2(machine: Machine) -> None:
    machine.runner.answers.update(smi_answers("575.57.08.txt"))
    machine.dist("torch", "2.1.2+cu121")
    machine.dist("ctranslate2", "4.5.0")
    checks = _checks(evaluate(gather_facts(machine.context())))
    assert checks["cudnn.conflict"]["status"] == "fail"


def test_nvcc_is_reported_and_not_required(machine: Machine) -> None:
    machine.write("/usr/local/cuda/bin/nvcc")
    machine.runner.answers["nvcc"] = CommandResult(0, fixture_text("nvcc-12.4.txt"))
    facts = gather_facts(machine.context())
    assert (facts.nvcc_path, facts.nvcc) == ("/usr/local/cuda/bin/nvcc", "12.4")
    report = evaluate(facts)
    assert report["nvcc_required"] is False and report["nvcc"]["version"] == "12.4"
    assert "not required" in _checks(report)["nvcc"]["message"]


def test_a_crashing_ctypes_probe_is_recorded_not_raised(machine: Machine) -> None:
    def explode(name: str) -> object:
        raise RuntimeError("segfault avoided")

    machine.loader = explode
    facts = gather_facts(machine.context())
    assert any("segfault avoided" in error for error in facts.errors)


def test_a_library_reached_through_two_directories_is_listed_once(machine: Machine) -> None:
    machine.write("/usr/lib/x86_64-linux-gnu/libcudart.so.12.4.127")
    (machine.root / "lib").symlink_to(machine.root / "usr" / "lib")
    names = [lib.path for lib in gather_facts(machine.context()).libraries]
    assert names == ["/usr/lib/x86_64-linux-gnu/libcudart.so.12.4.127"]


def test_the_summary_says_whether_torch_can_use_cuda(machine: Machine) -> None:
    machine.runner.answers.update(smi_answers("575.57.08.txt", "query-h100.csv"))
    machine.dist("torch", "2.7.1+cu126")
    report = evaluate(gather_facts(machine.context()))
    assert report["torch_cuda"]["usable"] is True
    assert "torch 2.7.1+cu126 can use CUDA: yes" in report["summary"]


def test_a_cpu_build_of_torch_never_uses_cuda(machine: Machine) -> None:
    machine.runner.answers.update(smi_answers("575.57.08.txt", "query-h100.csv"))
    machine.dist("torch", "2.7.1+cpu")
    report = evaluate(gather_facts(machine.context()))
    assert report["torch_cuda"] == {
        "version": "2.7.1+cpu",
        "usable": False,
        "reason": "a CPU build",
    }
    assert "torch 2.7.1+cpu can use CUDA: no (a CPU build)" in report["summary"]


def test_torch_built_for_a_newer_cuda_than_the_driver_cannot_use_it(machine: Machine) -> None:
    machine.runner.answers.update(smi_answers("470.182.03.txt"))
    machine.dist("torch", "2.7.1+cu128")
    report = evaluate(gather_facts(machine.context()))
    assert report["torch_cuda"]["usable"] is False
    assert "torch 2.7.1+cu128 can use CUDA: no (" in report["summary"]


def test_a_cuda_compat_package_lifts_an_old_driver(machine: Machine) -> None:
    machine.runner.answers.update(smi_answers("470.182.03.txt"))
    before = evaluate(gather_facts(machine.context()))
    assert before["cuda_wheels"]["cu126"] == "fail"
    machine.write("/usr/local/cuda-12.8/compat/libcuda.so.570.124.06")
    machine.write("/usr/local/cuda-12.8/compat/libcuda.so.1")
    facts = gather_facts(machine.context())
    assert facts.cuda_compat == "570.124.06"
    report = evaluate(facts)
    assert report["facts"]["cuda_compat"] == "570.124.06"
    assert report["cuda_wheels"]["cu126"] == "warn" and report["cuda_wheels"]["cu129"] == "fail"
    assert "forward compatibility" in report["cuda_wheel_reasons"]["cu126"]
