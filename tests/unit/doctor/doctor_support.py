"""Helpers shared by the doctor's command-line tests."""

from __future__ import annotations

from typing import Any


def assert_schema(report: dict[str, Any]) -> None:
    assert report["schema"] == 1
    assert report["status"] in ("pass", "warn", "fail")
    assert isinstance(report["summary"], str) and "\n" not in report["summary"]
    assert isinstance(report["target"], bool) and report["nvcc_required"] is False
    assert set(report["driver"]) >= {"version", "max_cuda", "max_cuda_source", "readings"}
    assert all(isinstance(v, str) for v in report["cuda_wheels"].values())
    assert set(report["cuda_wheels"]) >= {"cu118", "cu121", "cu124", "cu126", "cu128", "cu129"}
    for item in report["requirements"]:
        assert set(item) == {"spec", "status", "reason", "fix", "carry"}
        assert isinstance(item["carry"], list)
    for check in report["checks"]:
        assert set(check) == {"id", "status", "message", "fix"}
        assert check["status"] in ("pass", "warn", "fail") and check["message"]
    assert isinstance(report["gpus"], list) and isinstance(report["facts"], dict)
