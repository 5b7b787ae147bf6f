"""The report: a stable JSON document (schema in docs/doctor.md), a table and one summary line."""

from typing import Any, Dict, List, Optional, Sequence

from .compat import Compat
from .records import Check, Facts, Requirement, asdict
from .requirements import judge_spec, parse_spec
from .rules import all_checks, cudnn_conflict, effective_max_cuda, situation_of
from .verdicts import FAIL, PASS, WARN, wheel_matrix, worst

SCHEMA_VERSION = 1
Report = Dict[str, Any]


def evaluate(
    facts: Facts, requirements: Sequence[str] = (), compat: Optional[Compat] = None
) -> Report:
    """Judge ``facts`` (and planned ``requirements``) into the JSON-ready report."""
    compat = compat or Compat()
    checks: List[Check] = all_checks(facts, compat)
    situation = situation_of(facts, compat)
    judged: List[Requirement] = [judge_spec(spec, situation) for spec in requirements]
    checks.extend(_planned_conflicts(facts, requirements, checks, compat))
    matrix = wheel_matrix(compat, facts.driver.version, facts.cuda_compat)
    statuses = [check.status for check in checks] + [item.status for item in judged]
    report: Report = {
        "schema": SCHEMA_VERSION,
        "status": worst(statuses),
        "target": facts.target,
        "driver": {
            "version": facts.driver.version,
            "max_cuda": effective_max_cuda(facts, compat),
            "max_cuda_source": facts.driver.max_cuda_source
            or ("table" if facts.driver.version else None),
            "kernel_module": facts.driver.kernel_module,
            "readings": [asdict(reading) for reading in facts.driver.readings],
        },
        "gpus": [asdict(gpu) for gpu in facts.driver.gpus],
        "nvcc_required": False,
        "nvcc": {
            "found": facts.nvcc_path is not None,
            "version": facts.nvcc,
            "path": facts.nvcc_path,
        },
        "cuda_wheels": {variant: status for variant, status, _ in matrix},
        "cuda_wheel_reasons": {variant: reason for variant, _, reason in matrix},
        "requirements": [asdict(item) for item in judged],
        "checks": [asdict(check) for check in checks],
        "facts": _facts_section(facts),
    }
    report["ctranslate2_cuda"] = backend_cuda(report, "ctranslate2")
    report["torch_cuda"] = backend_cuda(report, "torch")
    report["summary"] = summary_line(report)
    return report


def _planned_conflicts(
    facts: Facts, requirements: Sequence[str], checks: List[Check], compat: Compat
) -> List[Check]:
    """The cuDNN conflict of installed packages as the planned requirements would change them."""
    if not requirements or any(check.id == "cudnn.conflict" for check in checks):
        return []
    planned = [(package.name, package.version) for package in facts.packages]
    for spec in requirements:
        try:
            planned.append(parse_spec(spec))
        except ValueError:  # judge_spec already failed it
            continue
    return cudnn_conflict(planned, compat)


def _facts_section(facts: Facts) -> Dict[str, Any]:
    return {
        "system": asdict(facts.system),
        "container": asdict(facts.container),
        "libcuda": list(facts.libcuda),
        "cuda_compat": facts.cuda_compat,
        "libraries": [asdict(library) for library in facts.libraries],
        "packages": [asdict(package) for package in facts.packages],
        "errors": list(facts.errors),
    }


def exit_code(report: Report) -> int:
    """0 when nothing fails, 1 when something does."""
    return 1 if report["status"] == FAIL else 0


def _gpu_text(gpus: List[Dict[str, Any]]) -> str:
    if not gpus:
        return "no GPU seen"
    names = sorted({gpu["name"] or "unknown GPU" for gpu in gpus})
    ccs = sorted(
        {
            "sm_" + gpu["compute_capability"].replace(".", "")
            for gpu in gpus
            if gpu["compute_capability"]
        }
    )
    text = "%d GPU%s %s" % (len(gpus), "" if len(gpus) == 1 else "s", ", ".join(names))
    return text + (" (%s)" % ", ".join(ccs) if ccs else "")


def backend_cuda(report: Report, name: str) -> Optional[Dict[str, Any]]:
    """Whether an installed backend library (ctranslate2, torch) can use CUDA here, and why.

    None when the package is not installed. A CPU build of torch never can.
    """
    for check in report["checks"]:
        if check["id"] != "package." + name:
            continue
        package = next(p for p in report["facts"]["packages"] if p["name"] == name)
        usable = report["driver"]["version"] is not None and check["status"] != FAIL
        reason = check["message"]
        if name == "torch" and package["version"].endswith("+cpu"):
            usable, reason = False, "a CPU build"
        return {"version": package["version"], "usable": usable, "reason": reason}
    return None


def _backend_text(report: Report) -> str:
    parts = []
    for name in ("ctranslate2", "torch"):
        found = report.get(name + "_cuda")
        if found is None:
            if name == "ctranslate2":
                parts.append("ctranslate2 not installed")
        elif found["usable"]:
            parts.append("%s %s can use CUDA: yes" % (name, found["version"]))
        else:
            parts.append("%s %s can use CUDA: no (%s)" % (name, found["version"], found["reason"]))
    return "; ".join(parts)


def summary_line(report: Report) -> str:
    """One line for logs and container entrypoints."""
    driver = report["driver"]
    if driver["version"] or driver["max_cuda"]:
        head = "driver %s (CUDA <= %s)" % (driver["version"] or "?", driver["max_cuda"] or "?")
    else:
        head = "no NVIDIA driver"
    parts = [head]
    if not report["target"]:
        parts.append(_gpu_text(report["gpus"]))
    line = "doctor: " + ", ".join(parts)
    if not report["target"]:
        line += "; " + _backend_text(report)
    counts = [
        sum(1 for c in report["checks"] + report["requirements"] if c["status"] == s)
        for s in (FAIL, WARN)
    ]
    return line + "; %s (%d fail, %d warn)" % (report["status"], counts[0], counts[1])


_MARK = {PASS: "ok  ", WARN: "WARN", FAIL: "FAIL"}


def render_table(report: Report) -> str:
    """The human-readable report."""
    lines = [report["summary"], "", "CUDA wheels on this driver:"]
    lines.append("  " + "  ".join("%s %s" % (k, v) for k, v in report["cuda_wheels"].items()))
    lines.append("")
    for check in report["checks"]:
        lines.append("[%s] %-20s %s" % (_MARK[check["status"]], check["id"], check["message"]))
        if check["fix"]:
            lines.append("       %-20s fix: %s" % ("", check["fix"]))
    for item in report["requirements"]:
        lines.append("[%s] %-20s %s" % (_MARK[item["status"]], item["spec"], item["reason"]))
        if item["fix"]:
            lines.append("       %-20s fix: %s" % ("", item["fix"]))
        if item["carry"]:
            lines.append("       %-20s carry: %s" % ("", "; ".join(item["carry"])))
    return "\n".join(lines)
