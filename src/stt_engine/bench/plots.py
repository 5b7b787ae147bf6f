"""PNG charts of bench results (matplotlib, Agg backend, imported only when plotting)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from stt_engine.errors import ConfigError


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError as exc:
        raise ConfigError("--plot needs matplotlib", hint="pip install 'stt-engine[plot]'") from exc
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _nan(value: float | None) -> float:
    return float("nan") if value is None else value


def _save(fig: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    fig.clf()
    return path


def accuracy_chart(rows: list[dict[str, Any]], path: Path) -> Path:
    """Histogram of per-file error rates (primary metric) per system, on shared bins."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4))
    metrics: set[str] = set()
    rates: dict[str, list[float]] = {}
    for system in rows[0]["systems"]:
        for row in rows:
            metric, figures = next(iter(row["systems"][system]["metrics"].items()))
            metrics.add(metric)
            rates.setdefault(system, []).append(100 * figures["rate"])
    top = max(max(values) for values in rates.values())
    bins = [top * i / 20 for i in range(21)] if top > 0 else 20
    for index, (system, values) in enumerate(rates.items()):
        style = {"histtype": "stepfilled", "alpha": 0.45} if index == 0 else {
            "histtype": "step", "linewidth": 2}  # fmt: skip
        ax.hist(values, bins=bins, label=f"{system} ({len(values)} files)", **style)
    label = "/".join(sorted(metrics)).upper()
    ax.set_xlabel(f"per-file {label} (%)")
    ax.set_ylabel("files")
    ax.set_title(f"Per-file {label} distribution")
    ax.legend()
    return _save(fig, path)


def speed_chart(rows: list[dict[str, Any]], path: Path) -> Path:
    """RTFx of each file against its duration, per system."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4))
    for system in rows[0]["systems"]:
        ax.scatter(
            [r["duration"] for r in rows],
            [r["systems"][system]["rtfx"] for r in rows],
            label=system,
            alpha=0.7,
        )
    ax.set_xscale("log")
    ax.set_xlabel("file duration (s, log scale)")
    ax.set_ylabel("RTFx (audio s / wall s)")
    ax.set_title("Speed by file duration")
    ax.legend()
    return _save(fig, path)


def load_chart(levels: dict[str, list[dict[str, Any]]], path: Path) -> Path:
    """Throughput and p50/p95 latency against concurrency, one line per URL."""
    plt = _pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for url, rows in levels.items():
        xs = [r["concurrency"] for r in rows]
        left.plot(xs, [r["throughput_audio_s_per_s"] for r in rows], marker="o", label=url)
        for q, style in (("p50", "-"), ("p95", "--")):
            ys = [_nan(r["latency_seconds"][q]) for r in rows]
            right.plot(xs, ys, style, marker="o", label=f"{q} {url}")
    left.set_xlabel("concurrent clients")
    left.set_ylabel("audio seconds per second")
    left.set_title("Throughput")
    right.set_xlabel("concurrent clients")
    right.set_ylabel("latency (s)")
    right.set_title("Latency")
    ticks = sorted({r["concurrency"] for rows in levels.values() for r in rows})
    for ax in (left, right):
        ax.set_xscale("log", base=2)
        ax.set_xticks(ticks, [str(t) for t in ticks])
        ax.legend(fontsize=7)
    return _save(fig, path)
