"""``python3 -m stt_engine.doctor`` (and the zipapp): argparse front end of the doctor."""

import argparse
import json
import sys
from typing import List, Optional

from .deep import deep_probe
from .facts import gather_facts, target_facts
from .probe import ProbeContext
from .report import Report, evaluate, exit_code, render_table, summary_line
from .zipapp_build import build_zipapp


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stt-engine doctor",
        description="Say whether this server (or a planned one) can run stt-engine on its GPU.",
    )
    parser.add_argument("--json", action="store_true", help="print the JSON report")
    parser.add_argument("--summary", action="store_true", help="print one summary line")
    parser.add_argument(
        "--target-driver", metavar="VERSION", help="judge for a server with this driver"
    )
    parser.add_argument(
        "--target-gpu", metavar="CC", help="with --target-driver: its compute capability, e.g. 9.0"
    )
    parser.add_argument(
        "--require", metavar="SPEC", action="append", default=[], help="planned package, repeatable"
    )
    parser.add_argument(
        "--deep", action="store_true", help="also import torch/ctranslate2 in a child process"
    )
    parser.add_argument(
        "--site-packages", metavar="DIR", action="append", help="where packages live, repeatable"
    )
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds per probe")
    parser.add_argument("--zipapp", metavar="PATH", help="write the doctor as a zipapp and exit")
    return parser


def make_report(args: argparse.Namespace) -> Report:
    if args.target_driver:
        facts = target_facts(args.target_driver, args.target_gpu)
    else:
        facts = gather_facts(ProbeContext(site_dirs=args.site_packages, timeout=args.timeout))
    report = evaluate(facts, args.require)
    if args.deep and not args.target_driver:
        report["deep"] = deep_probe(timeout=max(args.timeout, 60.0))
    return report


def run(argv: Optional[List[str]] = None) -> int:
    """Run the doctor; returns the exit code (0: nothing fails, 1: something fails)."""
    args = build_parser().parse_args(argv)
    if args.zipapp:
        print("wrote %s" % build_zipapp(args.zipapp))
        return 0
    report = make_report(args)
    if args.json:
        print(json.dumps(report, indent=2, sort_keys=False))
    elif args.summary:
        print(summary_line(report))
    else:
        print(render_table(report))
    return exit_code(report)


if __name__ == "__main__":
    sys.exit(run())
