"""Command line: extract, graph, report, show, eval, info (see CONTRACT.md).

Exit status: 0 when every record was processed, 1 when some were rejected or
failed in the pipeline (output line with "status": "error" and "error"), or
`--errors fail` stopped the run, or a results or gold file had bad lines; 2 on usage
errors (bad options, missing inputs, unwritable output, an output another run
is writing, unknown model); 3 when
the run failed (an I/O error such as a full disk, a worker process that died,
any other unexpected error), with one line naming the cause (`--debug` adds
the traceback); 130 when interrupted (Ctrl-C, SIGTERM, SIGHUP); 141 (128 +
SIGPIPE, what a shell reports for a process that a closed pipe ended) when the
reader of stdout went away (`-o - | head`): the run stops quietly, without a
message, its workers stopped.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import traceback
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional

import orjson

from . import __version__
from .io import (
    STDIN,
    AtomicWriter,
    OutputBusy,
    StdoutClosed,
    StdoutWriter,
    commit_all,
    discard_all,
    input_errors,
    iter_inputs,
    iter_json_objects,
    output_dir_error,
    output_locks,
    output_paths,
    index_row,
    rejected_bytes,
    split_name,
    too_long,
    walk_files,
    write_stdout,
)
from .parallel import STOP_SIGNALS, ModelError, WorkersKeepDying, process_records
from .parts import DEFAULT_SHARD_SIZE
from .records import MAX_CHARS, Record, Rejected, RepeatedIds
from .summary import SKIPPED_LANGUAGE, STATUS_ERROR, RunSummary

GRAPH_EXTS = (".gexf", ".graphml", ".csv")
EXIT_OK, EXIT_REJECTED, EXIT_USAGE, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
EXIT_STDOUT_CLOSED = 141  # 128 + SIGPIPE: what a shell reports for a process a closed pipe ended


class UsageError(Exception):
    """A problem with the command line itself: reported as one line, exit 2."""


class FailFast(Exception):
    """--errors fail: a rejected record stops the run before anything is written."""


# ---------------------------------------------------------------------------
# Argument parsing


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value}")
    return number


def _max_chars(value: str) -> int:
    """--max-chars: at most MAX_CHARS, the longest text the pipeline is set up
    for (its memory grows with the text's length)."""
    number = _positive(value)
    if number > MAX_CHARS:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_CHARS}: {value}")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="extractor", description="German business-news entity and relation extractor.")
    parser.add_argument("--version", action="version", version=f"extractor {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", help="on failure (exit 3), also print the traceback")

    extract = commands.add_parser("extract", parents=[common], help="extract entities and relations from articles")
    extract.add_argument("inputs", nargs="+", metavar="INPUT", help="file, folder (walked) or - for stdin")
    extract.add_argument("-o", "--output", required=True, metavar="OUT.jsonl", help="output JSON lines (.gz compresses; - for stdout)")
    extract.add_argument("--graph", metavar="GRAPH", help="also write the relation graph (.gexf, .graphml or .csv)")
    extract.add_argument("--model", metavar="NAME|PATH", help="spaCy pipeline to build on (default: bundled model)")
    extract.add_argument("--workers", type=_positive, default=1, metavar="N", help="worker processes (default 1)")
    extract.add_argument("--batch-size", type=_positive, default=32, metavar="N", help="records per batch (default 32)")
    extract.add_argument("--errors", choices=("skip", "fail"), default="skip",
                         help="skip: report rejected records and go on (exit 1); fail: stop at the first (exit 1)")
    extract.add_argument("--max-chars", type=_max_chars, default=MAX_CHARS, metavar="N",
                         help=f"reject texts longer than N characters (default and most {MAX_CHARS})")
    extract.add_argument("--quiet", "-q", action="store_true", help="no progress bar and no summary line")
    extract.add_argument("--cluster", metavar="local:N|tcp://HOST:PORT",
                         help="run on a Dask cluster (local:N starts one with N worker processes); -o must be a folder")
    extract.add_argument("--resume", action="store_true",
                         help="folder output: keep the parts an earlier run with the same inputs and settings wrote")
    extract.add_argument("--shard-size", type=_positive, default=DEFAULT_SHARD_SIZE, metavar="N",
                         help=f"folder output: about N records per part (default {DEFAULT_SHARD_SIZE})")
    extract.set_defaults(func=cmd_extract)

    graph = commands.add_parser("graph", parents=[common], help="build the relation graph from result files")
    graph.add_argument("results", nargs="+", metavar="RESULTS.jsonl")
    graph.add_argument("-o", "--output", required=True, metavar="GRAPH", help=".gexf, .graphml or .csv")
    graph.set_defaults(func=cmd_graph)

    report = commands.add_parser("report", parents=[common],
                                 help="one self-contained HTML page over result files: graph, filters, evidence, tables")
    report.add_argument("results", nargs="+", metavar="RESULTS.jsonl")
    report.add_argument("-o", "--output", required=True, metavar="REPORT.html")
    report.add_argument("--max-nodes", type=_positive, default=2000, metavar="N",
                        help="draw at most N entities (default 2000; past it the strongest stay)")
    report.add_argument("--max-edges", type=_positive, default=5000, metavar="N",
                        help="draw at most N edges (default 5000; past it the strongest stay)")
    report.set_defaults(func=cmd_report)

    show = commands.add_parser("show", parents=[common],
                               help="displaCy page of each article's entities (by type and kind) and relations")
    show.add_argument("inputs", nargs="+", metavar="INPUT", help="file, folder (walked) or - for stdin")
    show.add_argument("-o", "--output", required=True, metavar="PAGE.html")
    show.add_argument("--model", metavar="NAME|PATH", help="spaCy pipeline to build on (default: bundled model)")
    show.set_defaults(func=cmd_show)

    evaluate = commands.add_parser("eval", parents=[common], help="score the extractor against gold annotations")
    evaluate.add_argument("--gold", required=True, metavar="GOLD.jsonl")
    evaluate.add_argument("--pred", metavar="PRED.jsonl", help="results to score (default: run the extractor on the gold texts)")
    evaluate.add_argument("--model", metavar="NAME|PATH")
    evaluate.add_argument("--json", metavar="REPORT.json", help="also write the full report as JSON")
    evaluate.add_argument("--workers", type=_positive, default=1, metavar="N")
    evaluate.add_argument("--batch-size", type=_positive, default=32, metavar="N")
    evaluate.set_defaults(func=cmd_eval)

    info = commands.add_parser("info", parents=[common], help="print the model in use, versions and components as JSON")
    info.add_argument("--model", metavar="NAME|PATH")
    info.set_defaults(func=cmd_info)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        with _stop_signals_interrupt():
            return args.func(args)
    except (UsageError, OutputBusy) as err:
        _error(str(err))
        return EXIT_USAGE
    except ModelError as err:
        _error(str(err))
        return EXIT_USAGE
    except KeyboardInterrupt as err:
        _error(f"interrupted{f' by {err}' if str(err) else ''}, nothing written")
        return EXIT_INTERRUPTED
    except StdoutClosed:
        _detach_stdout()
        return EXIT_STDOUT_CLOSED
    except Exception as err:  # noqa: BLE001  (a crash must not pass as exit 1, "some records rejected")
        if args.debug:
            traceback.print_exc()
        print(f"extractor: failed: {failure_cause(err)}", file=sys.stderr)
        return EXIT_FAILED


@contextmanager
def _stop_signals_interrupt() -> Iterator[None]:
    """SIGTERM (kill, systemd, a batch scheduler) and SIGHUP (a closed
    terminal) stop a run as Ctrl-C does: their default action would end the
    process on the spot, leaving temporary files and orphaned workers."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return
    previous = {signum: signal.signal(signum, _interrupt) for signum in STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _interrupt(signum: int, frame: Any) -> None:
    """Raise KeyboardInterrupt; a second signal is ignored, so that it cannot
    cut the cleanup short."""
    for other in STOP_SIGNALS:
        signal.signal(other, signal.SIG_IGN)
    raise KeyboardInterrupt(signal.Signals(signum).name)


def _detach_stdout() -> None:
    """Point stdout at /dev/null: the reader is gone (`| head`), and Python's
    flush at exit would otherwise print a BrokenPipeError of its own."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    finally:
        os.close(devnull)


def _error(message: str) -> None:
    print(f"extractor: error: {message}", file=sys.stderr)


def failure_cause(err: BaseException) -> str:
    """One line saying what failed: for an I/O error the file and the system's
    reason ("out.jsonl: No space left on device"), not the exception's repr."""
    if isinstance(err, WorkersKeepDying):
        cause = str(err)
    elif isinstance(err, BrokenProcessPool):
        cause = f"a worker process died ({err})"
    elif isinstance(err, OSError) and err.strerror:
        cause = f"{err.filename}: {err.strerror}" if err.filename else err.strerror
    else:
        cause = f"{type(err).__name__}: {err}"
    return " ".join(cause.split())


def _require_inputs(paths: Iterable[str]) -> None:
    """Usage error, before any work, for inputs that do not exist."""
    missing = input_errors(paths)
    if missing:
        raise UsageError("; ".join(missing))


def _check_single_output(inputs: Iterable[str], what: str, path: str) -> None:
    """A command writing one file: it is no input, and its folder is writable."""
    _check_distinct(inputs, {what: path})
    _check_output(path, what)


def _check_output(path: str, what: str = "output") -> None:
    problem = output_dir_error(path)
    if problem:
        raise UsageError(f"{what}: {problem}")


def _check_graph_path(path: str) -> None:
    if Path(path).suffix.lower() not in GRAPH_EXTS:
        raise UsageError(f"graph {path}: unknown format, use {', '.join(GRAPH_EXTS)}")
    _check_output(path, "graph")


def _graph_outputs(path: Optional[str]) -> Dict[str, str]:
    """The files a graph path stands for (.csv also writes NAME.nodes.csv)."""
    if not path:
        return {}
    if Path(path).suffix.lower() != ".csv":
        return {"graph": path}
    from .graph import nodes_csv_path

    return {"graph": path, "graph node table": str(nodes_csv_path(path))}


def _same_file(a: str, b: str) -> bool:
    """Two names of one file: equal after resolving links and "..", or (both
    existing) the same inode, as with hard links."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _check_distinct(inputs: Iterable[str], outputs: Dict[str, str]) -> None:
    """Refuse, before any work, outputs that are an input or each other: the
    readers skip the run's own outputs, so `-o a.jsonl` on input a.jsonl would
    silently replace the input with an empty result, and two outputs on one
    path would keep only the last written."""
    named = [(what, path) for what, path in outputs.items() if path and path != STDIN]
    sources = [p for p in inputs if p != STDIN and not os.path.isdir(p)]
    for i, (what, path) in enumerate(named):
        for other_what, other in named[:i]:
            if _same_file(path, other):
                raise UsageError(f"{what} {path} is the same file as the {other_what} {other}")
        for source in sources:
            if _same_file(path, source):
                raise UsageError(f"{what} {path} is the input {source}: refusing to overwrite it")


# ---------------------------------------------------------------------------
# extract


def cmd_extract(args: argparse.Namespace) -> int:
    if _folder_output(args):
        from .cluster import cmd_extract_folder

        return cmd_extract_folder(args)
    paths = _extract_paths(args)
    # the companions are named after OUT and the graph's files after GRAPH: their locks cover them
    with output_locks([p for p in (paths["out"], args.graph) if p and p != STDIN]):
        return _extract_to_file(args, paths)


def _extract_to_file(args: argparse.Namespace, paths: Dict[str, str]) -> int:
    """The run of `extract -o OUT.jsonl` (or `-o -`), its outputs checked and locked."""
    summary = RunSummary()
    exclude = [p for p in paths.values() if p != STDIN] + ([args.graph] if args.graph else [])
    items = iter_inputs(args.inputs, exclude=exclude)
    show = not args.quiet
    bar = _progress(show)
    out = _output_writer(paths["out"])
    rejected = RejectedFiles(paths)
    companions: List[Any] = rejected.writers()  # committed with `out`, which goes last
    builder = _graph_builder() if args.graph else None
    try:
        records = Marker(items, summary, rejected, fail=args.errors == "fail", bar=bar, max_chars=args.max_chars)
        # closed on any way out, so the workers stop before the cleanup, not at garbage collection
        with closing(process_records(records, args.model, args.workers, args.batch_size, records.report)) as results:
            write_results(results, out, summary, builder, records.report, fail=args.errors == "fail",
                          tick=bar.update if bar is not None else None)
        _close(bar)
        if builder is not None:
            _write_graph(builder, args.graph, companions)
        summary.finish()
        summary.extra.update(_run_info(args, paths, summary, rejected))
        if "summary" in paths:
            companions.append(AtomicWriter(paths["summary"]))
            companions[-1].write(orjson.dumps(summary.to_json(), option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE))
        commit_all(companions + [out], rejected.stale())
    except FailFast:
        discard_all(companions + [out])
        _close(bar)
        written = "records before it are on stdout" if paths["out"] == STDIN else "nothing written"
        _error(f"stopped at the first rejected or failed record (--errors fail), {written}")
        return EXIT_REJECTED
    except BaseException:
        discard_all(companions + [out])
        _close(bar)
        raise
    if show:
        print(summary.line(), file=sys.stderr)
    return _exit_status(summary)


def write_results(results: Iterable[Dict[str, Any]], out: Any, summary: RunSummary, builder: Any,
                  report: Callable[[str], None], fail: bool = False, tick: Optional[Callable[[int], Any]] = None) -> None:
    """Write, count and add to the graph each output record; report the ones
    the pipeline failed on (with --errors fail, stop at the first)."""
    for result in results:
        if result.get("status") == STATUS_ERROR:
            report(f"{result['id']}: processing failed: {result.get('error')}")
            if fail:
                raise FailFast(result["id"])
        out.write_jsonl(result)
        summary.add_output(result)
        if builder is not None:
            builder.add(result)
        if tick is not None:
            tick(1)


def _folder_output(args: argparse.Namespace) -> bool:
    """`-o OUTDIR/` (a trailing slash, or a folder that exists) writes a folder
    of parts; --cluster and --resume need one."""
    folder = args.output != STDIN and (args.output.endswith(("/", os.sep)) or os.path.isdir(args.output))
    for option, given in (("--cluster", args.cluster), ("--resume", args.resume)):
        if given and not folder:
            raise UsageError(f"{option} writes a folder of parts: give -o OUTDIR/ (with the trailing slash)")
    return folder


def _write_graph(builder: Any, path: str, writers: List[Any]) -> None:
    """The graph's files as uncommitted writers, added to `writers` one by one
    so that a failure in the second still discards the first."""
    from .graph import graph_files

    for target, text in graph_files(builder.to_graph(), path):
        writers.append(AtomicWriter(target))
        writers[-1].write(text.encode("utf-8"))


def _extract_paths(args: argparse.Namespace) -> Dict[str, str]:
    """The run's output files, checked before any work. `-o -` streams the
    results to stdout and writes no companions: rejected records are then only
    reported on stderr, and the summary only goes to stderr as its line."""
    _require_inputs(args.inputs)
    paths = {"out": STDIN} if args.output == STDIN else output_paths(args.output)
    _check_distinct(args.inputs, {"output": paths["out"], "rejected file": paths.get("rejected", ""),
                                  "rejected index": paths.get("rejected_index", ""),
                                  "summary file": paths.get("summary", ""), **_graph_outputs(args.graph)})
    if paths["out"] != STDIN:
        _check_output(paths["out"])
    if args.graph:
        _check_graph_path(args.graph)
    return paths


def _output_writer(path: str) -> Any:
    return StdoutWriter() if path == STDIN else AtomicWriter(path)


class RejectedFiles:
    """OUT.rejected.jsonl (the rejected input lines, byte for byte, so that it
    can be fed in again) and OUT.rejected.index.jsonl (a row per rejection:
    file, line, reason; whole-file problems appear only here). Both exist only
    when something was rejected; with `-o -` there are none and rejections are
    only reported on stderr."""

    def __init__(self, paths: Dict[str, str]) -> None:
        self.lines = AtomicWriter(paths["rejected"], lazy=True) if "rejected" in paths else None
        self.index = AtomicWriter(paths["rejected_index"], lazy=True) if "rejected_index" in paths else None

    def writers(self) -> List[Any]:
        return [w for w in (self.lines, self.index) if w is not None]

    def add(self, item: Rejected) -> None:
        raw = rejected_bytes(item)
        if raw is not None and self.lines is not None:
            self.lines.write(raw + b"\n")
        if self.index is not None:
            self.index.write_jsonl(index_row(item))

    def stale(self) -> List[str]:
        """An earlier run's rejected files that this run has nothing for: they
        would misdescribe it."""
        return [str(w.path) for w in self.writers() if not w.opened]


def _exit_status(summary: RunSummary) -> int:
    """1 when any input record was rejected or could not be analysed."""
    return EXIT_REJECTED if summary.n_rejected or summary.n_failed else EXIT_OK


class Marker:
    """The record stream between readers and workers, run in the main process:
    counts every item, reports and keeps rejections, renames a record whose id
    an earlier one has (see RepeatedIds; with a warning), and marks records that
    are not German (status "skipped_language") or near-duplicates of an
    earlier one (`duplicate_of`) so the workers leave them unanalysed.

    A record with a `lang` field is trusted ("de..." is German, anything else
    is skipped); otherwise the language is detected from the text.
    """

    def __init__(self, items: Iterable[Any], summary: RunSummary, rejected: RejectedFiles,
                 fail: bool = False, bar: Any = None, max_chars: int = MAX_CHARS,
                 report: Optional[Callable[[str], None]] = None,
                 duplicates: Optional[Callable[[Record], Optional[str]]] = None,
                 ids: Optional[Callable[[str], Optional[str]]] = None) -> None:
        self.items = items
        self.summary = summary
        self.rejected = rejected
        self.fail = fail
        self.max_chars = max_chars
        # where messages go: stderr by default; a cluster worker collects them for the main process
        self.report = report or (lambda text: _message(text, bar))
        # the earlier record a German one duplicates: one index over the stream by default; a
        # part of a cluster run gets the answers of the one index its main process keeps
        self.duplicates = duplicates or _duplicate_index()
        # the new id of a record that repeats an earlier one's: asked for every record, before
        # `duplicates`; one registry over the stream by default, a cluster part gets the main process's
        self.ids = ids or RepeatedIds().rename

    def __iter__(self) -> Iterator[Record]:
        for item in self.items:
            if isinstance(item, Record):
                item = too_long(item, self.max_chars) or item
            if isinstance(item, Record):
                self.rename(item)
            self.summary.add_item(item)
            if isinstance(item, Record):
                item.raw = None  # checked: the line need not travel to the workers
                for note in item.notes:
                    self.report(f"{item.origin}: warning: {note}")
                yield self.mark(item)
            elif isinstance(item, Rejected):
                self.reject(item)

    def rename(self, record: Record) -> None:
        new = self.ids(record.id)
        if new is not None:
            record.notes.append(f"duplicate id: {record.id} is an earlier record's id, written as {new}")
            record.id = new

    def reject(self, item: Rejected) -> None:
        location = f"{item.file}:{item.line}" if item.line else item.file
        self.report(f"{location}: {item.reason}")
        if self.fail:
            raise FailFast(location)
        self.rejected.add(item)

    def mark(self, record: Record) -> Record:
        if record.status or record.duplicate_of:
            return record
        if not is_german_record(record):
            record.status = SKIPPED_LANGUAGE
        elif record.text.strip():
            record.duplicate_of = self.duplicates(record)
        return record


def _duplicate_index() -> Callable[[Record], Optional[str]]:
    from .sources.dedup import NearDuplicateIndex

    index = NearDuplicateIndex()
    return lambda record: index.check(record.id, record.text)


def is_german_record(record: Record) -> bool:
    from .sources.language import is_german

    if record.lang:
        return record.lang.lower().startswith("de")
    return is_german(record.text)


def _message(text: str, bar: Any) -> None:
    """A line on stderr that does not tear the progress bar."""
    if bar is not None:
        bar.write(text, file=sys.stderr)
    else:
        print(text, file=sys.stderr)


def _progress(show: bool) -> Any:
    """A tqdm bar on stderr, only for people watching a terminal."""
    if not show or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    tqdm.monitor_interval = 0  # no monitor thread: workers are forked
    return tqdm(unit="doc", file=sys.stderr, dynamic_ncols=True)


def _close(bar: Any) -> None:
    if bar is not None:
        bar.close()


def _graph_builder() -> Any:
    from .graph import GraphBuilder

    return GraphBuilder()


def _run_info(args: argparse.Namespace, paths: Dict[str, str], summary: RunSummary,
              rejected: RejectedFiles) -> Dict[str, Any]:
    written = {str(w.path) for w in rejected.writers() if w.opened}
    return {
        "inputs": list(args.inputs),
        "output": paths["out"],
        "rejected_file": paths["rejected"] if paths.get("rejected") in written else None,
        "rejected_index": paths["rejected_index"] if paths.get("rejected_index") in written else None,
        "graph": args.graph,
        "model": args.model,
        "workers": args.workers,
        "batch_size": args.batch_size,
        "max_chars": args.max_chars,
        "extractor": __version__,
        "exit_status": _exit_status(summary),
    }


# ---------------------------------------------------------------------------
# graph


def cmd_graph(args: argparse.Namespace) -> int:
    _require_inputs(args.results)
    _check_distinct(args.results, _graph_outputs(args.output))
    _check_graph_path(args.output)
    from .graph import GraphBuilder, write_graph

    builder = GraphBuilder()
    bad = 0
    for path in _results_files(args.results):
        for line, value in iter_json_objects(path):
            if isinstance(value, str):
                bad += 1
                print(f"{path}:{line}: {value}", file=sys.stderr)
            else:
                builder.add(value)
    graph = builder.to_graph()
    write_graph(graph, args.output)
    print(f"{graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges -> {args.output}", file=sys.stderr)
    return EXIT_REJECTED if bad else EXIT_OK


# ---------------------------------------------------------------------------
# report


def cmd_report(args: argparse.Namespace) -> int:
    _require_inputs(args.results)
    _check_single_output(args.results, "report", args.output)
    from .report import build_report, write_report

    def report_bad(message: str) -> None:
        print(message, file=sys.stderr)

    data, builder = build_report(_results_files(args.results), report_bad, args.max_nodes, args.max_edges)
    write_report(data, args.output)
    budget = data["budget"]
    note = " (budget reached: the strongest kept)" if budget["truncated"] else ""
    print(f"{budget['nodes_shown']} of {budget['nodes_total']} nodes, {budget['edges_shown']} of "
          f"{budget['edges_total']} edges{note} -> {args.output}", file=sys.stderr)
    return EXIT_REJECTED if builder.bad_lines else EXIT_OK


# ---------------------------------------------------------------------------
# show


def cmd_show(args: argparse.Namespace) -> int:
    """A page for reading a few articles: it holds them all, so it is not for dumps."""
    _require_inputs(args.inputs)
    _check_single_output(args.inputs, "page", args.output)
    from .pipeline import Extractor
    from .show import write_page

    records, bad = [], 0
    for item in iter_inputs(args.inputs, exclude=[args.output]):
        if isinstance(item, Record):
            records.append(item)
        elif isinstance(item, Rejected):
            bad += 1
            print(f"{item.file}:{item.line}: {item.reason}", file=sys.stderr)
    extractor = Extractor(args.model)
    shown = write_page(((r.text, out) for r, out in zip(records, extractor.process(records))), args.output)
    print(f"{shown} articles -> {args.output}", file=sys.stderr)
    return EXIT_REJECTED if bad else EXIT_OK


def _results_files(paths: Iterable[str]) -> List[str]:
    """The given files, a folder standing for the result files under it (walked
    like extract's inputs)."""
    files: List[str] = []
    for path in paths:
        if not os.path.isdir(path):
            files.append(path)
            continue
        found = [f for f in walk_files(path) if _is_results_file(f)]
        if not found:
            raise UsageError(f"no result files (*.jsonl, *.ndjson, optionally compressed) in folder {path}")
        files.extend(found)
    return files


def _is_results_file(path: str) -> bool:
    """JSON lines, but not a run's rejected records (OUT.rejected.jsonl, its
    index): those are input lines, not results. OUT.summary.json is no JSON
    lines file either."""
    stem, ext, _ = split_name(path)
    return ext in (".jsonl", ".ndjson") and "rejected" not in stem.split(".")


# ---------------------------------------------------------------------------
# eval


def cmd_eval(args: argparse.Namespace) -> int:
    sources = [args.gold] + ([args.pred] if args.pred else [])
    _require_inputs(sources)
    for option, path in (("--gold", args.gold), ("--pred", args.pred)):
        if path and os.path.isdir(path):
            raise UsageError(f"{option} {path} is a folder: give one JSON-lines file")
    if args.json:
        _check_single_output(sources, "report", args.json)
    from .evaluate import evaluate, format_report, report_to_dict

    bad: List[str] = []
    if args.pred:
        predictions: Iterable[Dict[str, Any]] = _objects(args.pred, bad)
    else:
        predictions = _predict_gold(args)
    report = evaluate(_objects(args.gold, bad), predictions)
    write_stdout(f"{format_report(report)}\n".encode("utf-8"))
    if args.json:
        with AtomicWriter(args.json) as fh:
            fh.write(orjson.dumps(report_to_dict(report), option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE))
    return EXIT_REJECTED if bad else EXIT_OK


def _objects(path: str, bad: List[str]) -> Iterator[Dict[str, Any]]:
    """Objects of a JSON-lines file. Bad lines are reported, left out and
    added to `bad`: scores over a partly read gold file must not pass as
    clean (exit 1)."""
    for line, value in iter_json_objects(path):
        if isinstance(value, str):
            bad.append(f"{path}:{line}: {value}")
            print(bad[-1], file=sys.stderr)
        else:
            yield value


def _predict_gold(args: argparse.Namespace) -> Iterator[Dict[str, Any]]:
    """Run the extractor over the gold texts: no language or duplicate filter, the
    gold decides what is scored."""
    records = (item for item in iter_inputs([args.gold]) if isinstance(item, Record))
    return process_records(records, args.model, args.workers, args.batch_size)


# ---------------------------------------------------------------------------
# info


def cmd_info(args: argparse.Namespace) -> int:
    from .parallel import load_extractor

    info = load_extractor(args.model).info()
    write_stdout(orjson.dumps(info, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE, default=str))
    return EXIT_OK


__all__ = ["Marker", "build_parser", "main"]
