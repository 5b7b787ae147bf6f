"""``python3 -m stt_engine.doctor`` (and the zipapp): argparse front end of the doctor."""

import argparse
import json
import sys
from typing import Any, Callable, List, Optional

from . import inputs
from .deep import deep_probe
from .facts import gather_facts, target_facts
from .probe import ProbeContext
from .report import Report, evaluate, exit_code, render_table, summary_line
from .zipapp_build import build_zipapp


def _checked(check: Callable[[str], Any]) -> Callable[[str], Any]:
    """An argparse ``type`` that keeps the checker's sentence (argparse drops a ValueError's)."""

    def convert(text: str) -> Any:
        try:
            return check(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = check.__name__
    return convert


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stt-engine doctor",
        description="Say whether this server (or a planned one) can run stt-engine on its GPU.",
    )
    add = parser.add_argument
    add("--json", action="store_true", help="print the JSON report")
    add("--summary", action="store_true", help="print one summary line")
    add(
        "--target-driver",
        metavar="VERSION",
        type=_checked(inputs.target_driver),
        help="judge for a server with this driver, e.g. 575.57.08",
    )
    add(
        "--target-gpu",
        metavar="CC",
        type=_checked(inputs.target_gpu),
        help="with --target-driver: its compute capability, e.g. 9.0",
    )
    add(
        "--require",
        metavar="SPEC",
        action="append",
        default=[],
        type=_checked(inputs.requirement),
        help="planned package as NAME==VERSION, repeatable",
    )
    add("--deep", action="store_true", help="also import torch/ctranslate2 in a child process")
    add(
        "--site-packages",
        metavar="DIR",
        action="append",
        type=_checked(inputs.site_packages),
        help="where packages live, repeatable",
    )
    add(
        "--timeout", metavar="SECONDS", type=_checked(inputs.timeout), default=5.0, help="per probe"
    )
    add(
        "--zipapp",
        metavar="PATH",
        type=_checked(inputs.zipapp_target),
        help="write the doctor as a zipapp and exit",
    )
    return parser


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """The parsed options; anything malformed exits 2 with the expected form (argparse)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        inputs.combination(args.target_driver, args.target_gpu, args.deep, args.site_packages)
    except ValueError as exc:
        parser.error(str(exc))
    return args


def make_report(args: argparse.Namespace) -> Report:
    if args.target_driver is not None:
        facts = target_facts(args.target_driver, args.target_gpu)
    else:
        facts = gather_facts(ProbeContext(site_dirs=args.site_packages, timeout=args.timeout))
    report = evaluate(facts, args.require)
    if args.deep:
        report["deep"] = deep_probe(timeout=max(args.timeout, 60.0))
    return report


def run(argv: Optional[List[str]] = None) -> int:
    """Run the doctor; returns the exit code (0: nothing fails, 1: something fails).

    Malformed options raise SystemExit(2) after printing the usage and the expected form.
    """
    args = parse_args(argv)
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
