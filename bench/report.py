"""The bench's output: the figures against the issue's targets, the JSON files and the chart."""

from __future__ import annotations

import json
from pathlib import Path

# key -> (target, "min" if the figure must be at least the target, "max" if at most, unit)
TARGETS = {
    "orders_per_s_max": (50, "min", "orders/s"),
    "http_p99_ms_at_20": (300, "max", "ms"),
    "e2e_p99_ms_at_20": (2000, "max", "ms"),
    "relay_lag_p99_ms_at_20": (500, "max", "ms"),
    "throughput_ratio_at_volume": (0.9, "min", ""),
    "command_vs_raw": (0.5, "min", ""),
    "worker_vs_raw": (0.8, "min", ""),
    "rss_mib_max": (150, "max", "MiB"),
}


def verdicts(figures: dict) -> dict[str, bool | None]:
    out = {}
    for key, (target, kind, _) in TARGETS.items():
        value = figures.get(key)
        out[key] = None if value is None else (value >= target if kind == "min" else value <= target)
    return out


def fmt(value) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 10 else f"{value:.0f}"
    return str(value)


def print_steps(title: str, steps: list[dict]) -> None:
    print(f"\n{title}")
    print(f"  {'offered':>7} {'achieved':>8} {'http p50':>8} {'http p99':>8} {'e2e p99':>8} {'relay p99':>9} "
          f"{'deliv/placed':>12} {'errors':>6} {'db cmds/order':>13}  verdict")
    for s in steps:
        extra = f" ({s['stored_documents']:,} docs)" if "stored_documents" in s else ""
        why = "sustained" if s["sustained"] else "NOT sustained" + (" (growing lag)" if s["growing_lag"] else "")
        print(f"  {s['offered']:>7g} {s['achieved']:>8.2f} {fmt(s['http_p50_ms']):>8} {fmt(s['http_p99_ms']):>8} "
              f"{fmt(s['e2e_p99_ms']):>8} {fmt(s['relay_lag_p99_ms']):>9} "
              f"{s['delivered']:>5}/{s['placed']:<6} {s['http_errors']:>6} {_commands(s):>13}  {why}{extra}", flush=True)


def _commands(step: dict) -> str:
    """Database commands per completed order: the delivery api's + the delivery worker's."""
    per = step.get("database_commands_per_order") or {}
    return f"{per['api']:g}+{per['worker']:g}" if {"api", "worker"} <= per.keys() else "n/a"


def print_table(figures: dict) -> None:
    met = verdicts(figures)
    print("\n== towngrid bench: figures against the targets of issue 14 ==")
    print(f"  {'figure':28} {'value':>10} {'target':>12}  met")
    for key, (target, kind, unit) in TARGETS.items():
        sign = "≥" if kind == "min" else "≤"
        verdict = {True: "met", False: "NOT met", None: "not measured"}[met[key]]
        print(f"  {key:28} {fmt(figures.get(key)):>10} {sign + ' ' + fmt(target) + (' ' + unit if unit else ''):>12}  {verdict}")


def write(results_dir: Path, results: dict, stamp: str) -> tuple[Path, Path]:
    results_dir.mkdir(parents=True, exist_ok=True)
    text = json.dumps(results, indent=2, default=str)
    latest, copy = results_dir / "latest.json", results_dir / f"{stamp}.json"
    latest.write_text(text)
    copy.write_text(text)
    return latest, copy


def chart(path: Path, steps: list[dict], volume_steps: list[dict]) -> Path | None:
    try:
        import matplotlib
    except ImportError:
        print("(matplotlib not available: no chart; `make bench` runs with it)")
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(12, 8))
    (tput, lat), (vtput, vlat) = axes
    for ax, data, xkey, xlabel in ((tput, steps, "offered", "offered orders/s"),
                                   (vtput, volume_steps, "stored_documents", "stored documents")):
        xs = [s[xkey] for s in data]
        ax.plot(xs, [s["achieved"] for s in data], "o-", label="achieved orders/s")
        if xkey == "offered":
            ax.plot(xs, xs, ":", color="grey", label="offered")
        else:
            ax.plot(xs, [s["offered"] for s in data], ":", color="grey", label="offered")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("orders/s")
        ax.set_ylim(bottom=0)
        ax.legend(fontsize=8)
    for ax, data, xkey, xlabel in ((lat, steps, "offered", "offered orders/s"),
                                   (vlat, volume_steps, "stored_documents", "stored documents")):
        xs = [s[xkey] for s in data]
        for key, style in (("http_p50_ms", "o-"), ("http_p99_ms", "s-"), ("e2e_p99_ms", "^-"),
                           ("relay_lag_p99_ms", "v-")):
            ax.plot(xs, [s[key] if s[key] is not None else float("nan") for s in data], style, label=key)
        ax.set_yscale("log")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("ms")
        ax.legend(fontsize=8)
    tput.set_title("delivery flow against offered rate (empty databases)")
    vtput.set_title("delivery flow against stored volume")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return path
