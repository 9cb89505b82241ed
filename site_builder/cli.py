"""Command line: `site-builder build | check | serve` (FORMAT.md section 9).

Exit status: 0 success, 1 the content has errors, 2 the command was used
wrongly, 3 an internal error (a bug, reported briefly with its input).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from . import __version__
from .build import BuildOptions, BuildReport, build, check
from .errors import InternalError
from .progress import (
    TerminalProgress,
    VerboseStages,
    colour_diagnostic,
    colour_summary,
    combine,
    is_terminal,
    wants_colour,
)

EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(EXIT_USAGE)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="site-builder", description="Build sites of annotated texts.")
    parser.add_argument("--version", action="version", version=f"site-builder {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def project_option(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--project",
            type=Path,
            default=None,
            metavar="DIR",
            help="the project folder (default: the current folder or the nearest folder "
            "above it that has content/site.yaml)",
        )

    def output_options(p: argparse.ArgumentParser) -> None:
        loudness = p.add_mutually_exclusive_group()
        loudness.add_argument(
            "-q", "--quiet", action="store_true", help="print only errors and warnings"
        )
        loudness.add_argument(
            "-v", "--verbose", action="store_true", help="also print each stage, with its time"
        )

    build_cmd = commands.add_parser("build", help="build the site into output/")
    project_option(build_cmd)
    build_cmd.add_argument(
        "--out", type=Path, metavar="DIR", help="where to write the site (default: DIR/output)"
    )
    build_cmd.add_argument("--base-url", metavar="URL", help="override base_url from site.yaml")
    build_cmd.add_argument("--strict", action="store_true", help="treat warnings as errors")
    build_cmd.add_argument(
        "--no-search",
        dest="search",
        action="store_false",
        help="skip the Pagefind search index (faster; the search box then finds nothing)",
    )
    output_options(build_cmd)

    check_cmd = commands.add_parser("check", help="validate only, write nothing")
    project_option(check_cmd)
    check_cmd.add_argument("--strict", action="store_true", help="treat warnings as errors")
    output_options(check_cmd)

    serve_cmd = commands.add_parser("serve", help="build, watch and live-reload on 127.0.0.1")
    project_option(serve_cmd)
    serve_cmd.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    if getattr(args, "project", ...) is None:  # not given: look for it, as git does
        found = find_project(Path.cwd())
        if found is None:
            print(
                "site-builder: error: no project here: neither this folder nor any above it "
                "has content/site.yaml\n"
                "  run it in a project's folder, or say which with --project DIR",
                file=sys.stderr,
            )
            return EXIT_USAGE
        args.project = found
    project: Path = args.project
    if not project.is_dir():
        print(f"site-builder: error: no project folder at {project}", file=sys.stderr)
        return EXIT_USAGE
    if getattr(args, "base_url", None) and not args.base_url.startswith(("http://", "https://")):
        print("site-builder: error: --base-url must be an absolute http(s) URL", file=sys.stderr)
        return EXIT_USAGE
    try:
        return _run(args, project)
    except KeyboardInterrupt:
        return 130
    except Exception:  # a bug: report briefly, with what triggered it, and exit 3
        _report_bug(args, sys.stderr)
        return EXIT_BUG


def find_project(start: Path) -> Path | None:
    """The project `start` is in: the nearest folder, from `start` up, with content/site.yaml.

    `.` when it is `start` itself, so messages read as they always have.
    """
    start = start.absolute()
    for folder in (start, *start.parents):
        if (folder / "content" / "site.yaml").is_file():
            return Path(".") if folder == start else folder
    return None


def _run(args: argparse.Namespace, project: Path) -> int:
    if args.command == "serve":
        from .serve import serve

        return serve(project, args.port)
    stream = sys.stderr
    verbose = VerboseStages(stream) if args.verbose else None
    show_progress = is_terminal(stream) and not (args.quiet or args.verbose)
    stages = 2 if args.command == "check" else (4 if args.search else 3)
    terminal = TerminalProgress(stream, stages) if show_progress else None
    if args.command == "check":
        options = BuildOptions(project=project, strict=args.strict)
        verb, run = "checked", check
    else:
        options = BuildOptions(
            project=project,
            out=args.out,
            base_url=args.base_url,
            strict=args.strict,
            search=args.search,
        )
        verb, run = "built", build
    options = dataclasses.replace(options, progress=combine(terminal, verbose))
    if terminal is not None:
        with terminal:
            report = run(options)
    else:
        report = run(options)
    if verbose is not None:
        verbose.finish()
    return _print_report(report, verb, stream, quiet=args.quiet, colour=wants_colour(stream))


def _print_report(
    report: BuildReport, verb: str, stream: TextIO, quiet: bool = False, colour: bool = False
) -> int:
    for diagnostic in report.diagnostics:
        text = diagnostic.format()
        print(colour_diagnostic(text) if colour else text, file=stream)
    errors = len(report.errors)
    warnings = len(report.diagnostics) - errors
    if report.failed:
        summary = f"site-builder: {errors} error(s), {warnings} warning(s); nothing written"
        print(colour_summary(summary) if colour else summary, file=stream)
        return EXIT_CONTENT
    if quiet:
        return EXIT_OK
    summary = f"site-builder: {verb}"
    if report.files_written:
        summary += f" {report.files_written} files"
    summary += f" in {report.seconds:.2f}s"
    if warnings:
        summary += f", {warnings} warning(s)"
    print(colour_summary(summary) if colour else summary, file=stream)
    return EXIT_OK


def _report_bug(args: argparse.Namespace, stream: TextIO) -> None:
    _, exc, _ = sys.exc_info()
    input_path = ""
    if isinstance(exc, InternalError) and exc.__cause__ is not None:
        input_path, exc = exc.input_path, exc.__cause__
    frames = traceback.extract_tb(exc.__traceback__ if exc else None)
    where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"
    print(f"site-builder: internal error: {type(exc).__name__}: {exc}", file=stream)
    print(f"  at {where}", file=stream)
    if input_path:
        print(f"  while processing: {input_path}", file=stream)
    print(f"  while running: site-builder {args.command} --project {args.project}", file=stream)
    print(
        "  this is a bug in site-builder, not in your content; please report it with the "
        "files above",
        file=stream,
    )
