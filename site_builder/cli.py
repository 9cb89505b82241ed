"""Command line: `site-builder build | check | serve | new | draft | reanchor | import`
(FORMAT.md §9).

Exit status: 0 success, 1 the content has errors, 2 the command was used
wrongly, 3 an internal error (a bug, reported briefly with its input).
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
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
STOP_SIGNALS = ("SIGTERM", "SIGHUP")
"""What `timeout`, a cancelled CI job and a closed terminal send: they stop a run the way
Ctrl-C does, through the same clean-up, and exit 128 + the signal's number."""


class Stopped(BaseException):
    """A stop signal arrived; like KeyboardInterrupt, no `except Exception` may swallow it."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"stopped by signal {signum}")
        self.signum = signum


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
    _add_start_commands(commands, project_option)

    reanchor_cmd = commands.add_parser(
        "reanchor", help="show (and with --write make) the YAML changes after a seed changed"
    )
    project_option(reanchor_cmd)
    reanchor_cmd.add_argument(
        "--write",
        action="store_true",
        help="make the changes for moved passages and for edited ones of similarity 0.8 or more",
    )
    reanchor_cmd.add_argument(
        "slugs", nargs="*", metavar="SLUG", help="only these articles (default: every article)"
    )

    import_cmd = commands.add_parser(
        "import", help="add W3C Web Annotation or Hypothesis annotations to an article"
    )
    import_cmd.add_argument("file", type=Path, metavar="FILE", help="the JSON or JSON-LD file")
    import_cmd.add_argument(
        "--article", required=True, metavar="SLUG", help="the article to add them to"
    )
    project_option(import_cmd)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    if args.command == "new":
        return _run_start_command(args)
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
    if args.command in _START_COMMANDS:
        return _run_start_command(args)
    project: Path = args.project
    if not project.is_dir():
        print(f"site-builder: error: no project folder at {project}", file=sys.stderr)
        return EXIT_USAGE
    if getattr(args, "base_url", None) and not args.base_url.startswith(("http://", "https://")):
        print("site-builder: error: --base-url must be an absolute http(s) URL", file=sys.stderr)
        return EXIT_USAGE
    try:
        with _stop_signals_raise():
            return _run(args, project)
    except KeyboardInterrupt:
        return 128 + signal.SIGINT
    except Stopped as stop:
        return 128 + stop.signum
    except Exception:  # a bug: report briefly, with what triggered it, and exit 3
        _report_bug(args, sys.stderr)
        return EXIT_BUG


@contextmanager
def _stop_signals_raise() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into `Stopped` for the duration (signals go to the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    numbers = [getattr(signal, name) for name in STOP_SIGNALS if hasattr(signal, name)]
    handler = functools.partial(_stop, os.getpid(), numbers)
    previous = {number: signal.signal(number, handler) for number in numbers}
    try:
        yield
    finally:
        for number, earlier in previous.items():
            signal.signal(number, earlier)


def _stop(main_pid: int, numbers: list[int], signum: int, frame: FrameType | None) -> None:
    if os.getpid() != main_pid:
        # A forked render worker inherits the handler; it has nothing to clean up, and
        # raising would print its traceback. Die as the signal's default would.
        os._exit(128 + signum)
    # A second signal while the first one's clean-up runs asks for the same: let it finish.
    for number in numbers:
        signal.signal(number, signal.SIG_IGN)
    raise Stopped(signum)


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
        return _serve(project, args.port, sys.stderr)
    if args.command == "import":
        return _run_import(project, args.file, args.article, sys.stderr)
    if args.command == "reanchor":
        return _run_reanchor(project, args.slugs, args.write, sys.stdout, sys.stderr)
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
    return _print_report(
        report, verb, stream, quiet=args.quiet, colour=wants_colour(stream), strict=args.strict
    )


def _serve(project: Path, port: int, stream: TextIO) -> int:
    from .serve import ListenError, serve

    report_bug = functools.partial(bug_report, command="serve", project=project)
    try:
        serve(project, port, report_bug=report_bug)  # returns once Ctrl-C or SIGTERM stops it
    except ListenError as exc:
        print(f"site-builder: error: {exc}", file=stream)
        return EXIT_USAGE
    return EXIT_OK


def _run_import(project: Path, file: Path, slug: str, stream: TextIO) -> int:
    from .importer import import_annotations

    report = import_annotations(project, file, slug)
    colour = wants_colour(stream)
    for diagnostic in report.diagnostics:
        text = diagnostic.format()
        print(colour_diagnostic(text) if colour else text, file=stream)
    left_out = sum(1 for d in report.diagnostics if d.message.endswith("left out"))
    where = f" to {report.article}" if report.article else ""
    print(
        f"site-builder: imported {report.added} annotation(s){where}, left out {left_out}",
        file=stream,
    )
    return EXIT_CONTENT if report.failed else EXIT_OK


def _run_reanchor(project: Path, slugs: list[str], write: bool, out: TextIO, stream: TextIO) -> int:
    """Findings and what is done about each on standard error; the diff on standard output,
    so that `site-builder reanchor > changes.diff` keeps it apart."""
    from .reanchor import describe, reanchor_project

    unknown = [s for s in slugs if not (project / "content" / "articles" / f"{s}.yaml").is_file()]
    if unknown:
        print(f"site-builder: error: no article `{unknown[0]}` in this project", file=stream)
        return EXIT_USAGE
    report = reanchor_project(project, slugs, write)
    colour = wants_colour(stream)
    for diagnostic in report.diagnostics:
        text = diagnostic.format()
        print(colour_diagnostic(text) if colour else text, file=stream)
    for plan in report.plans:
        for proposal in plan.proposals:
            print(describe(proposal, plan, plan.path in report.written), file=stream)
        out.write(plan.diff())
    out.flush()
    applied = sum(len(p.applied) for p in report.plans)
    findings = sum(len(p.proposals) for p in report.plans)
    left = findings - applied
    if not findings and not report.diagnostics:
        print("site-builder: nothing to re-anchor", file=stream)
        return EXIT_OK
    if write:
        summary = f"site-builder: {findings} finding(s): {applied} changed in the YAML"
        summary += f", {left} left to you" if left else "; run `site-builder build` to record them"
    else:
        summary = f"site-builder: {findings} finding(s): `--write` changes {applied}"
        summary += f", leaves {left} to you" if left else ""
    print(colour_summary(summary) if colour else summary, file=stream)
    return EXIT_CONTENT if report.remaining or (findings and not write) else EXIT_OK


def _print_report(
    report: BuildReport,
    verb: str,
    stream: TextIO,
    quiet: bool = False,
    colour: bool = False,
    strict: bool = False,
) -> int:
    # Under --strict a warning fails the build: it is shown, and counted, as the error it is.
    diagnostics = (
        [d.as_strict_error() for d in report.diagnostics] if strict else report.diagnostics
    )
    for diagnostic in diagnostics:
        text = diagnostic.format()
        print(colour_diagnostic(text) if colour else text, file=stream)
    errors = sum(1 for d in diagnostics if d.is_error)
    warnings = len(diagnostics) - errors
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
    for line in bug_report(sys.exc_info()[1], args.command, args.project):
        print(line, file=stream)


def bug_report(exc: BaseException | None, command: str, project: Path) -> list[str]:
    """Report a bug briefly: what was raised and where, with the input and command it met."""
    input_path = ""
    if isinstance(exc, InternalError) and exc.__cause__ is not None:
        input_path, exc = exc.input_path, exc.__cause__
    frames = traceback.extract_tb(exc.__traceback__ if exc else None)
    where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"
    lines = [f"site-builder: internal error: {type(exc).__name__}: {exc}", f"  at {where}"]
    if input_path:
        lines.append(f"  while processing: {input_path}")
    lines.append(f"  while running: site-builder {command} --project {project}")
    lines.append(
        "  this is a bug in site-builder, not in your content; please report it with the "
        "files above"
    )
    return lines


# --- Starting out: `new` and `draft` --------------------------------------------------

_START_COMMANDS = ("new", "draft")


def _add_start_commands(
    commands: argparse._SubParsersAction, project_option: Callable[[argparse.ArgumentParser], None]
) -> None:
    new_cmd = commands.add_parser("new", help="start a project that builds at once")
    new_cmd.add_argument("dir", type=Path, metavar="DIR", help="a new or empty folder")
    new_cmd.add_argument(
        "--bare", action="store_true", help="leave out the example article and its seed"
    )
    draft_cmd = commands.add_parser("draft", help="start an article file from a seed")
    draft_cmd.add_argument("seed", type=Path, metavar="SEED", help="the seed, inside the project")
    project_option(draft_cmd)


def _run_start_command(args: argparse.Namespace) -> int:
    try:
        if args.command == "new":
            return _new(args.dir, args.bare, sys.stderr)
        return _draft(args.project, args.seed, sys.stderr)
    except KeyboardInterrupt:
        return 130
    except Exception:  # a bug: report briefly, with what triggered it, and exit 3
        if args.command == "new":
            args.project = args.dir
        _report_bug(args, sys.stderr)
        return EXIT_BUG


def _new(target: Path, bare: bool, stream: TextIO) -> int:
    from .scaffold import ScaffoldError, create_project

    try:
        files = create_project(target, bare=bare)
    except ScaffoldError as exc:
        print(f"site-builder: error: {exc}", file=stream)
        return EXIT_USAGE
    print(f"site-builder: made {target} ({len(files)} files); next:", file=stream)
    print(f"  site-builder build --project {target}", file=stream)
    print(f"  site-builder serve --project {target}", file=stream)
    return EXIT_OK


def _draft(project: Path, seed: Path, stream: TextIO) -> int:
    from .draft import DraftError, write_draft

    try:
        result = write_draft(project, seed)
    except DraftError as exc:
        print(f"site-builder: error: {exc}", file=stream)
        if exc.hint:
            print(f"  {exc.hint}", file=stream)
        return EXIT_USAGE
    for note in result.notes:  # people.yaml or glossary.yaml problems: drafted without them
        print(note, file=stream)
    print(f"site-builder: wrote {result.path}: {result.summary}", file=stream)
    return EXIT_OK
