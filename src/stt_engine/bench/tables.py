"""Plain-text tables of bench summaries for the terminal."""

from __future__ import annotations

from typing import Any

from stt_engine.bench.normalise import normaliser_for


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.2f}%"


def _num(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _grid(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def accuracy_table(summary: dict[str, Any], systems: list[str]) -> str:
    """One line per language and metric, one column pair per system."""
    header = ["language", "metric", "normaliser"]
    for system in systems:
        header += [system, f"{system} mean/file"]
    rows = []
    for language, by_lang in sorted(summary[systems[0]]["by_language"].items()):
        for metric in ("cer", "swer", "wer"):
            if metric not in by_lang:
                continue
            row = [language, metric, normaliser_for(language)]
            for system in systems:
                figures = summary[system]["by_language"].get(language, {})
                row += [_pct(figures.get(metric)), _pct(figures.get(f"{metric}_mean_per_file"))]
            rows.append(row)
    text = _grid(header, rows)
    gaps = summary.get("engine_minus_raw")
    if gaps:
        text += "\nengine - raw: " + ", ".join(
            f"{m} {100 * v:+.2f} points" for m, v in sorted(gaps.items())
        )
    return text


def speed_table(summary: dict[str, Any], systems: list[str]) -> str:
    header = ["system", "RTFx", "wall s", "p50 s", "p95 s", "max s", "load s", "peak RSS MiB"]
    rows = []
    for system in systems:
        s = summary[system]
        latency = s["latency_seconds"]
        rows.append(
            [
                system,
                _num(s["rtfx"]),
                _num(s["wall_seconds"], 1),
                _num(latency["p50"]),
                _num(latency["p95"]),
                _num(latency["max"]),
                _num(s["model_load_seconds"]),
                _num(s["peak_rss_sampled_mib"], 0),
            ]
        )
    text = _grid(header, rows)
    text += f"\naudio: {summary['files']} files, {summary['audio_seconds']:.1f} s"
    text += f"; ru_maxrss {summary['memory']['ru_maxrss_mib']:.0f} MiB"
    if "engine_over_raw_rtfx" in summary:
        text += f"\nengine/raw RTFx ratio: {summary['engine_over_raw_rtfx']:.3f} (target >= 0.97)"
        best = summary.get("engine_over_raw_rtfx_best_runs")
        if best is not None:
            text += f"; fastest runs: {best:.3f}"
    return text


def load_table(
    levels: dict[str, list[dict[str, Any]]], solo: dict[str, dict[str, float | None]] | None = None
) -> str:
    """One line per concurrency level, a column group per URL (side by side)."""
    urls = list(levels)
    header = ["clients"]
    for index in range(len(urls)):
        tag = f"[{index + 1}] " if len(urls) > 1 else ""
        header += [
            f"{tag}audio s/s",
            f"{tag}req/s",
            f"{tag}p50 s",
            f"{tag}p95 s",
            f"{tag}p99 s",
            f"{tag}ok",
            f"{tag}errors",
        ]
    rows = []
    for position, first in enumerate(levels[urls[0]]):
        row = [str(first["concurrency"])]
        for url in urls:
            level = levels[url][position]
            latency = level["latency_seconds"]
            errors = ",".join(f"{k}:{v}" for k, v in level["errors"].items()) or "0"
            row += [
                _num(level["throughput_audio_s_per_s"]),
                _num(level["requests_per_second"]),
                _num(latency["p50"]),
                _num(latency["p95"]),
                _num(latency["p99"]),
                str(level["ok"]),
                errors,
            ]
        rows.append(row)
    legend = "\n".join(f"[{i + 1}] {u}" for i, u in enumerate(urls)) if len(urls) > 1 else urls[0]
    text = legend + "\n" + _grid(header, rows)
    for index, url in enumerate(urls):
        probe = (solo or {}).get(url, {})
        if probe.get("before") is not None:
            tag = f"[{index + 1}] " if len(urls) > 1 else ""
            text += (f"\n{tag}one lone request: {_num(probe['before'])} s before the levels, "
                     f"{_num(probe.get('after'))} s after")  # fmt: skip
    return text
