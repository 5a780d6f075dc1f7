"""`extract -o OUTDIR/`: the run as shards, in this process, in a process pool or on a Dask cluster.

Each shard is one task on a worker, one pass over its records: read them,
check and mark them as a local run does (text limit, language), rename the
records that repeat an id and find the duplicates within the shard (a
ShardIndex: the ids of its records and the MinHash fingerprints of the German
ones), analyse them with the worker's loaded pipeline (one per worker: a Dask
worker plugin, or the pool's initializer), and write the part, its rejected
lines, its graph tables and its ids and fingerprints. The part waits in
`.extractor/` until the check.

The check (this process, in shard order): feed each shard's ids to the one id
registry (RepeatedIds) and its fingerprints to the one near-duplicate index a
local run keeps, in input order, so that a record in shard 9 with an id of
shard 2 is renamed `ID#2`, and a copy in shard 9 of a story in shard 2 gets
`duplicate_of`, exactly as in a local run; only ids and fingerprints travel,
and the index is bounded as in a local run. Where the shard's own answers (its
renames and duplicates) are the check's (a shard without ids or copies of
earlier shards' stories, nearly all), the part moves into place and is marked
done; otherwise the part is redone with the check's answers, keeping the
results of the records whose answers did not change.

At the end this process concatenates the rejected lines, adds up the counts
into `summary.json` and merges the per-part graph tables into the graph: no
step holds the records of more than one shard.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import resource
import sys
import time
import uuid
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple

import orjson

from . import __version__
from .cli import (EXIT_INTERRUPTED, EXIT_REJECTED, FailFast, Marker, RejectedFiles, UsageError, _error,
                  _exit_status, _graph_outputs, _check_graph_path, _check_distinct, _require_inputs, write_results)
from .graph import GraphBuilder, graph_files
from .io import STDIN, AtomicWriter, commit_all, discard_all, iter_json_objects, output_locks
from .parallel import analyse_records, load_extractor, run_chunk
from .records import RepeatedIds
from .parts import (DEFAULT_SHARD_SIZE, REJECTED, REJECTED_INDEX, SUMMARY, PartDone, RunFolder, Shard,
                    file_sha256, iter_shard, manifest_for, manifest_mismatch, plan_shards)
from .summary import RunSummary

PLUGIN_PREFIX = "extractor-pipeline"
# glibc mallopt() parameters (<malloc.h>) and the values its dynamic thresholds grow to on 64-bit
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
MMAP_THRESHOLD_BYTES = 32 << 20
PROGRESS_EVERY_S = 5.0  # at most one progress line this often when stderr is no terminal
CONNECT_TIMEOUT_S = 30


# ---------------------------------------------------------------------------
# The tasks (run on workers; arguments and results are small and picklable)


@dataclass
class Answers:
    """A shard's answers to the run-wide checks, by the record's place in the
    shard (every record marked counts, in input order)."""

    renames: Dict[int, str] = field(default_factory=dict)  # n-th record -> its new id (an earlier record had its id)
    duplicates: Dict[int, str] = field(default_factory=dict)  # n-th record -> the id of the earlier story it copies


@dataclass(frozen=True)
class PartJob:
    shard: Shard
    folder: str
    max_chars: int
    batch_size: int
    fail: bool
    given: Optional[Answers] = None  # None on the first try; for a part redone: the main process's answers


@dataclass
class PartReport:
    """What a finished part tells the main process."""

    done: Optional[PartDone]
    messages: List[str]
    answers: Answers  # the answers the part was written with
    stopped: Optional[str] = None  # --errors fail: where it stopped; nothing of the part was written
    worker: str = ""
    peak_rss_mb: float = 0.0


class ShardIndex:
    """The run-wide checks on a shard's first try, over this shard alone: one id
    registry and one duplicate index, as a local run keeps over the stream. It
    records each record's input id and, for a German one, its fingerprint (the
    rows of `part-NNNNN.sig`) for the main process's check across shards. Only
    an id or a story of an earlier shard makes the answers differ from a local
    run's, and the main process redoes such a part. Marker asks for a record's
    id first, then, for a German one, for its duplicate."""

    def __init__(self) -> None:
        from .sources.dedup import NearDuplicateIndex

        self.index = NearDuplicateIndex()
        self.ids = RepeatedIds()
        self.rows: List[List[Any]] = []  # per record: [its id in the input, its fingerprint or None]
        self.answers = Answers()

    def rename(self, record_id: str) -> Optional[str]:
        new = self.ids.rename(record_id)
        if new is not None:
            self.answers.renames[len(self.rows)] = new
        self.rows.append([record_id, None])
        return new

    def duplicate(self, record: Any) -> Optional[str]:
        fingerprint = self.index.fingerprint(record.text)
        self.rows[-1][1] = fingerprint
        answer = self.index.check_fingerprint(record.id, fingerprint)  # the id as renamed
        if answer is not None:
            self.answers.duplicates[len(self.rows) - 1] = answer
        return answer


class GivenAnswers:
    """The run-wide checks for a part redone: the main process's answers, by the record's place."""

    def __init__(self, answers: Answers) -> None:
        self.answers = answers
        self.nth = -1

    def rename(self, record_id: str) -> Optional[str]:
        self.nth += 1
        return self.answers.renames.get(self.nth)

    def duplicate(self, record: Any) -> Optional[str]:
        return self.answers.duplicates.get(self.nth)


def write_part(extractor: Any, job: PartJob) -> PartReport:
    """Read, mark, fingerprint and analyse the shard in one pass and write its part
    and companions. On the first try the part waits in `.extractor/` beside its
    fingerprints until the main process has checked them against the earlier
    shards (it then moves the part into place); a part redone with the main
    process's answers goes into place with its done marker."""
    folder = RunFolder(job.folder)
    number = job.shard.number
    first = job.given is None
    answers = ShardIndex() if first else GivenAnswers(job.given or Answers())
    summary = RunSummary()
    messages: List[str] = []
    rejected = RejectedFiles({"rejected": str(folder.state_file(number, "rejected.jsonl")),
                              "rejected_index": str(folder.state_file(number, "rejected.index.jsonl"))})
    out = AtomicWriter(folder.pending(number) if first else folder.part(number), durable=True)
    writers: List[Any] = rejected.writers()
    builder = GraphBuilder()
    try:
        records = Marker(iter_shard(job.shard), summary, rejected, fail=job.fail, max_chars=job.max_chars,
                         report=messages.append, duplicates=answers.duplicate, ids=answers.rename)
        results = (analyse_records(extractor, records, job.batch_size) if first
                   else redone(extractor, records, folder.pending(number)))
        write_results(results, out, summary, builder, messages.append, fail=job.fail)
        writers.append(folder.write_pickle(number, "graph", builder))
        if isinstance(answers, ShardIndex):
            writers.append(folder.write_pickle(number, "sig", answers.rows))
        kept = {"rejected": rejected.lines.opened, "rejected_index": rejected.index.opened}
        commit_all(writers + [out], rejected.stale())
    except FailFast as stop:
        discard_all(writers + [out])
        return PartReport(None, messages, answers.answers, stopped=str(stop), **_worker_info())
    except BaseException:
        discard_all(writers + [out])
        raise
    done = PartDone(number=number, records=out.count, size=out.path.stat().st_size,
                    sha256=file_sha256(out.path), counts=summary.counts(), **kept)
    if not first:
        folder.write_done(done)
    return PartReport(done, messages, answers.answers, **_worker_info())


def redone(extractor: Any, records: Iterable[Any], pending: Path) -> Iterator[Dict[str, Any]]:
    """The results of a part redone with the main process's answers: a record
    whose id and duplicate_of are what the first try gave it keeps that try's
    result, the others (renamed for an earlier shard's id, copies of a story in
    an earlier shard, records no longer marked as copies) are marked or
    analysed anew."""
    earlier = (line for _, line in iter_json_objects(str(pending)))
    for record, before in zip_longest(records, earlier):
        if record is None:
            return
        if (isinstance(before, dict) and before.get("id") == record.id
                and before.get("duplicate_of") == record.duplicate_of):
            yield before
        else:
            yield from run_chunk(extractor, [record], 1)


def _worker_info() -> Dict[str, Any]:
    """Which process did the part, and its peak memory so far (for 'memory flat in shard count')."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"worker": f"{os.uname().nodename}:{os.getpid()}", "peak_rss_mb": round(peak, 1)}


def _pool_write_part(job: PartJob) -> PartReport:
    from .parallel import worker_extractor

    return write_part(worker_extractor(), job)


def _dask_write_part(job: PartJob, plugin: str) -> PartReport:
    from distributed import get_worker

    return write_part(get_worker().plugins[plugin].extractor, job)


# ---------------------------------------------------------------------------
# Where the tasks run


class InProcess:
    """`-o OUTDIR/` with one worker: the tasks run here, one after the other."""

    description = "this process"

    def __init__(self, model: Optional[str]) -> None:
        self.extractor = load_extractor(model)

    def extract(self, job: PartJob) -> Future:
        return _done(write_part(self.extractor, job))

    def wait_first(self, futures: List[Any]) -> List[Any]:
        return list(wait(futures, return_when=FIRST_COMPLETED).done)

    def close(self) -> None:
        """Nothing runs in the background."""

    stop = close


def _done(value: Any) -> Future:
    future: Future = Future()
    future.set_result(value)
    return future


class Pool(InProcess):
    """`-o OUTDIR/ --workers N`: worker processes of this machine, each with its loaded pipeline."""

    def __init__(self, model: Optional[str], workers: int) -> None:
        from .parallel import start_pool

        self.description = f"{workers} worker processes"
        self.pool = start_pool(model, workers)

    def extract(self, job: PartJob) -> Future:
        return self.pool.submit(_pool_write_part, job)

    def close(self) -> None:
        self.pool.shutdown(wait=True)

    def stop(self) -> None:
        from .parallel import stop_pool

        stop_pool(self.pool)


class DaskCluster(InProcess):
    """`--cluster local:N` (a LocalCluster of N worker processes on loopback) or
    `--cluster tcp://HOST:PORT` (an existing scheduler). Every worker loads the
    pipeline once, in a worker plugin registered under a name that includes the
    model, so a second run on the same cluster finds it loaded."""

    def __init__(self, spec: str, model: Optional[str], folder: RunFolder, inputs: List[str]) -> None:
        from distributed import Client

        self.local = None
        self.description = spec
        self.submitted: List[Any] = []
        self.run_id = uuid.uuid4().hex[:12]  # task keys unique on a shared scheduler
        try:
            if spec.startswith("local:"):
                self.local = _local_cluster(_local_workers(spec))
                self.client = Client(self.local)
            else:
                self.client = Client(spec, timeout=CONNECT_TIMEOUT_S)
        except OSError as err:
            self.close()
            raise UsageError(f"--cluster {spec}: cannot reach the scheduler: {err}") from None
        try:
            self._check_workers(folder, inputs)
            self.plugin = _register_pipeline(self.client, model)
        except BaseException:
            self.close()
            raise

    def _check_workers(self, folder: RunFolder, inputs: List[str]) -> None:
        """Every worker must run this extractor version and see the inputs and the
        output folder under the same paths (a shared file system)."""
        paths = [os.path.abspath(p) for p in inputs] + [str(folder.root.absolute())]
        problems = self.client.run(_worker_problems, paths, __version__)
        if not problems:
            raise UsageError(f"--cluster {self.description}: the scheduler has no workers")
        for worker, problem in problems.items():
            if problem:
                raise UsageError(f"--cluster {self.description}: worker {worker}: {problem}")

    def extract(self, job: PartJob) -> Any:
        return self._submit(_dask_write_part, job, self.plugin, key=f"extractor-part-{job.shard.number}-{'redo' if job.given is not None else 'try'}-{self.run_id}")

    def _submit(self, function: Callable[..., Any], *args: Any, key: str) -> Any:
        future = self.client.submit(function, *args, pure=False, key=key)
        self.submitted.append(future)
        return future

    def wait_first(self, futures: List[Any]) -> List[Any]:
        from distributed import wait as dask_wait

        return list(dask_wait(futures, return_when="FIRST_COMPLETED").done)

    def close(self) -> None:
        client = getattr(self, "client", None)
        if client is not None:
            client.close()
        if self.local is not None:
            self.local.close()

    def stop(self) -> None:
        """Cancel what was submitted. A task already running on a remote worker
        runs to its end: its part is whole or not written at all."""
        client = getattr(self, "client", None)
        if client is not None and self.submitted:
            client.cancel(self.submitted, force=True)
        self.close()


# A local cluster has no dashboard: no profiler sampling the analysing thread's stack every
# 10 ms, and the event loop's own checks seldom, as each takes the GIL from the analysis.
LOCAL_CLUSTER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",  # event-loop latency probe (default 20 ms)
    "distributed.admin.system-monitor.interval": "10s",  # dashboard's CPU/network gauges (500 ms)
    "distributed.worker.memory.monitor-interval": "1s",  # the nanny watches the memory limit as well (100 ms)
}


def _local_cluster(workers: int) -> Any:
    """A LocalCluster on loopback, one thread per worker, configured for analysis (LOCAL_CLUSTER_CONFIG)."""
    import dask
    from distributed import LocalCluster

    with dask.config.set(LOCAL_CLUSTER_CONFIG):  # read as each worker starts
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                            dashboard_address=None, silence_logs=40)


def _local_workers(spec: str) -> int:
    try:
        workers = int(spec.partition(":")[2])
    except ValueError:
        workers = 0
    if workers < 1:
        raise UsageError(f"--cluster {spec}: use local:N with N at least 1, or tcp://HOST:PORT")
    return workers


def _worker_problems(paths: List[str], version: str) -> Optional[str]:
    """Run on each worker: why it cannot take part, or None."""
    from . import __version__ as here

    if here != version:
        return f"runs extractor {here}, this run is {version}: install the same version on the workers"
    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        return f"cannot see {', '.join(missing)} (workers need the inputs and the output folder at the same paths)"
    if not os.access(paths[-1], os.W_OK):
        return f"cannot write to {paths[-1]}"
    return None


def _keep_freed_memory() -> None:
    """Undo, for this worker process, the MALLOC_TRIM_THRESHOLD_ that Dask's nanny
    sets: a fixed threshold also fixes glibc's mmap threshold at 128 KB, so every
    larger array of the pipeline is mapped and unmapped anew (about 600 page
    faults an article, ~25 % slower analysis). These are the thresholds glibc
    would grow to by itself, as in a `--workers` process."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None)
    mallopt = getattr(libc, "mallopt", None)  # glibc only (not musl)
    if mallopt is not None:
        mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
        mallopt(M_TRIM_THRESHOLD, 2 * MMAP_THRESHOLD_BYTES)


def _register_pipeline(client: Any, model: Optional[str]) -> str:
    from distributed import WorkerPlugin

    class PipelinePlugin(WorkerPlugin):
        """Loads the pipeline once per worker, when the worker joins."""

        idempotent = True  # registered again by a later run: the loaded pipeline stays

        def __init__(self, model: Optional[str]) -> None:
            self.model = model
            self.extractor: Any = None

        def setup(self, worker: Any) -> None:
            self.extractor = load_extractor(self.model)
            _keep_freed_memory()  # after loading, whose transient buffers go back to the system

    name = f"{PLUGIN_PREFIX}-{__version__}-{model or 'default'}"
    client.register_plugin(PipelinePlugin(model), name=name)
    return name


# ---------------------------------------------------------------------------
# The run


@dataclass
class Settings:
    """What decides a part's contents: a resumed run must have the same."""

    model: Optional[str]
    shard_size: int
    max_chars: int

    def to_json(self) -> Dict[str, Any]:
        from .pipeline import resolve_model

        name = resolve_model(self.model)[0]
        return {"model": os.path.abspath(name) if name and os.path.isdir(name) else name,
                "model_version": _model_version(name), "shard_size": self.shard_size, "max_chars": self.max_chars}


def _model_version(name: Optional[str]) -> Optional[str]:
    meta = Path(name) / "meta.json" if name and os.path.isdir(name) else None
    if meta is None or not meta.exists():
        return None
    return orjson.loads(meta.read_bytes()).get("version")


def cmd_extract_folder(args: argparse.Namespace) -> int:
    """extract to a folder of parts (see the module's docstring), the folder
    locked first: a second run into it must not remove the first one's parts."""
    folder = RunFolder(args.output)
    _check_folder(args, folder)
    with output_locks([f"{folder.root}{os.sep}"] + ([args.graph] if args.graph else [])):
        return _extract_folder(args, folder)


def _extract_folder(args: argparse.Namespace, folder: RunFolder) -> int:
    exclude = [str(folder.root)] + list(_graph_outputs(args.graph).values())
    shards = plan_shards(args.inputs, args.shard_size, exclude=exclude)
    settings = Settings(args.model, args.shard_size, args.max_chars)
    manifest = manifest_for(shards, settings.to_json())
    summary = RunSummary()
    done = _resumable(folder, manifest, len(shards)) if args.resume else None
    executor = _executor(args, folder)
    summary.extra["startup_seconds"] = round(time.perf_counter() - summary.started, 3)  # cluster up, pipelines loaded
    try:
        if done is None:
            folder.start_fresh(manifest)
            done = {}
        folder.remove_temporary()
        run = _Run(executor, folder, shards, args, summary, done)
        run.go()
        _finish(folder, shards, run, args, summary)  # before the workers stop: the outputs are ready now
        executor.close()
    except KeyboardInterrupt as err:
        executor.stop()
        folder.remove_temporary()
        kept = sum(folder.done(s.number) is not None for s in shards)
        _error(f"interrupted{f' by {err}' if str(err) else ''}: {kept} of {len(shards)} parts kept in "
               f"{args.output}, --resume goes on from there")
        return EXIT_INTERRUPTED
    except FailFast:
        executor.stop()
        folder.remove_temporary()
        _error("stopped at the first rejected or failed record (--errors fail); parts before it are kept")
        return EXIT_REJECTED
    except BaseException:
        executor.stop()
        folder.remove_temporary()
        raise
    if not args.quiet:
        print(summary.line(), file=sys.stderr)
    return _exit_status(summary)


def _check_folder(args: argparse.Namespace, folder: RunFolder) -> None:
    """Usage errors before any work; the folder is created."""
    if STDIN in args.inputs:
        raise UsageError("folder output (-o OUTDIR/) reads files, not stdin: save the input to a file first")
    _require_inputs(args.inputs)
    if folder.root.exists() and not folder.root.is_dir():
        raise UsageError(f"output {args.output} is a file: folder output needs a folder")
    _check_distinct(args.inputs, _graph_outputs(args.graph))
    if args.graph:
        _check_graph_path(args.graph)
    for path in args.inputs:
        if os.path.isfile(path) and _inside(path, folder.root):
            raise UsageError(f"input {path} lies in the output folder {args.output}")
    try:
        folder.root.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UsageError(f"output: cannot create folder {args.output}: {err.strerror or err}") from None
    if not os.access(folder.root, os.W_OK | os.X_OK):
        raise UsageError(f"output folder {args.output} is not writable")


def _inside(path: str, root: Path) -> bool:
    real, top = os.path.realpath(path), os.path.realpath(root)
    return real.startswith(top.rstrip(os.sep) + os.sep)


def _executor(args: argparse.Namespace, folder: RunFolder) -> InProcess:
    if args.cluster:
        return DaskCluster(args.cluster, args.model, folder, args.inputs)
    if args.workers > 1:
        return Pool(args.model, args.workers)
    return InProcess(args.model)


def _resumable(folder: RunFolder, manifest: Dict[str, Any], parts: int) -> Optional[Dict[int, PartDone]]:
    """--resume: the parts an earlier run with this manifest left whole, or None
    when there was no earlier run (start afresh); a run with other inputs or
    settings is a usage error, never mixed in."""
    earlier = folder.read_manifest()
    if earlier is None:
        return None
    mismatch = manifest_mismatch(earlier, manifest)
    if mismatch:
        raise UsageError(f"--resume: {folder.root} holds a run with other inputs or settings ({mismatch}); "
                         "use another folder, or run without --resume to start over")
    done = {}
    for number in range(parts):
        marker = folder.done(number)
        if marker is not None:
            done[number] = marker
    return done


class _Run:
    """The driver: submits every shard, checks the parts' fingerprints in shard
    order as they come in, and accepts each part or has it redone."""

    def __init__(self, executor: InProcess, folder: RunFolder, shards: List[Shard], args: argparse.Namespace,
                 summary: RunSummary, done: Dict[int, PartDone]) -> None:
        from .sources.dedup import NearDuplicateIndex

        self.executor = executor
        self.folder = folder
        self.shards = shards
        self.args = args
        self.summary = summary
        self.done = done
        self.resumed = len(done)
        self.index = NearDuplicateIndex()
        self.ids = RepeatedIds()
        self.pending: Dict[Any, Tuple[bool, int]] = {}  # future -> (a redo?, shard number)
        self.tried: Dict[int, PartReport] = {}  # first tries waiting for the check
        self.checked = 0  # shards 0..checked-1 went through the duplicate check
        self.workers: Dict[str, float] = {}
        self.progress = _Progress(len(shards), len(done), quiet=args.quiet)

    def go(self) -> None:
        for shard in self.shards:
            if shard.number not in self.done:
                self._submit(shard.number, None)
        self._check_ready()
        while self.pending:
            for future in self.executor.wait_first(list(self.pending)):
                redo, number = self.pending.pop(future)
                report = future.result()
                if report.stopped is not None:
                    self._stop(report)
                if redo:
                    self.folder.pending(number).unlink(missing_ok=True)
                    self._collect(report)
                else:
                    self.tried[number] = report
            self._check_ready()
        self.progress.close()

    def _submit(self, number: int, given: Optional[Answers]) -> None:
        job = PartJob(self.shards[number], str(self.folder.root), self.args.max_chars, self.args.batch_size,
                      self.args.errors == "fail", given)
        self.pending[self.executor.extract(job)] = (given is not None, number)

    def _check_ready(self) -> None:
        """The id and duplicate check over the shards whose fingerprints are in, in
        shard order: a part whose own answers are the check's goes into place, any
        other is redone with the check's answers."""
        while self.checked < len(self.shards) and (self.checked in self.done or self.checked in self.tried):
            number = self.checked
            answers = self._answers(number)
            report = self.tried.pop(number, None)
            if report is not None and report.answers == answers:
                assert report.done is not None
                self.folder.accept(report.done)
                self._collect(report)
            elif report is not None:
                self._submit(number, answers)
            self.checked += 1

    def _answers(self, number: int) -> Answers:
        """The shard's rows through the one id registry and the one duplicate
        index of a local run, in input order."""
        answers = Answers()
        for nth, (record_id, fingerprint) in enumerate(self.folder.read_pickle(number, "sig")):
            new = self.ids.rename(record_id)
            if new is not None:
                answers.renames[nth] = new
            original = None if fingerprint is None else self.index.check_fingerprint(new or record_id, fingerprint)
            if original is not None:
                answers.duplicates[nth] = original
        return answers

    def _stop(self, report: PartReport) -> None:
        for message in report.messages:
            self.progress.message(message)
        raise FailFast(report.stopped)

    def _collect(self, report: PartReport) -> None:
        """A part in place: its messages, counts and progress."""
        for message in report.messages:
            self.progress.message(message)
        assert report.done is not None
        self.done[report.done.number] = report.done
        self.workers[report.worker] = max(self.workers.get(report.worker, 0.0), report.peak_rss_mb)
        self.progress.part(report.done.records)


class _Progress:
    """Parts done / total and articles/s on stderr: a bar on a terminal, else a
    line now and then (a batch job's log)."""

    def __init__(self, total: int, resumed: int, quiet: bool) -> None:
        self.total = total
        self.parts = resumed
        self.articles = 0
        self.started = time.perf_counter()
        self.last = 0.0
        self.quiet = quiet
        self.bar = None
        if not quiet and sys.stderr.isatty():
            from tqdm import tqdm

            tqdm.monitor_interval = 0
            self.bar = tqdm(total=total, initial=resumed, unit="part", file=sys.stderr, dynamic_ncols=True)

    def part(self, records: int) -> None:
        self.parts += 1
        self.articles += records
        rate = self.articles / max(time.perf_counter() - self.started, 1e-9)
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix_str(f"{rate:.1f} articles/s")
            return
        now = time.perf_counter()
        if not self.quiet and (now - self.last >= PROGRESS_EVERY_S or self.parts == self.total):
            self.last = now
            print(f"extractor: {self.parts}/{self.total} parts, {self.articles} articles in this run, "
                  f"{rate:.1f} articles/s", file=sys.stderr)

    def message(self, text: str) -> None:
        if self.bar is not None:
            self.bar.write(text, file=sys.stderr)
        else:
            print(text, file=sys.stderr)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


# ---------------------------------------------------------------------------
# The end: one summary, one rejected file, one graph


def _finish(folder: RunFolder, shards: List[Shard], run: _Run, args: argparse.Namespace,
            summary: RunSummary) -> None:
    markers = [run.done[s.number] for s in shards]
    for marker in markers:
        summary.add_counts(marker.counts)
    summary.finish()
    writers: List[Any] = [_concatenated(folder, markers, "rejected.jsonl", REJECTED),
                          _concatenated(folder, markers, "rejected.index.jsonl", REJECTED_INDEX)]
    stale = [str(w.path) for w in writers if not w.opened]
    try:
        if args.graph:
            for target, text in graph_files(_merged_graph(folder, markers).to_graph(), args.graph):
                writers.append(AtomicWriter(target))
                writers[-1].write(text.encode("utf-8"))
        summary.extra.update(_run_info(args, folder, summary, run, writers))
        writers.append(AtomicWriter(folder.root / SUMMARY))
        writers[-1].write(orjson.dumps(summary.to_json(), option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE))
        commit_all(writers, stale)
    except BaseException:
        discard_all(writers)
        raise


def _concatenated(folder: RunFolder, markers: List[PartDone], kind: str, name: str) -> AtomicWriter:
    """The parts' rejected lines (or index rows) in part order, as one uncommitted file."""
    out = AtomicWriter(folder.root / name, lazy=True)
    flag = "rejected" if kind == "rejected.jsonl" else "rejected_index"
    for marker in markers:
        if getattr(marker, flag):
            with open(folder.state_file(marker.number, kind), "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    out.write(block)
    return out


def _merged_graph(folder: RunFolder, markers: List[PartDone]) -> GraphBuilder:
    """The parts' graph tables merged in part order: the graph of a local run.
    A part that repeats a record id of an earlier part is rebuilt from its
    records without those (a local run counts an id once)."""
    graph = GraphBuilder()
    for marker in markers:
        part = folder.read_pickle(marker.number, "graph")
        if graph.shares_ids(part):
            part = _rebuilt(folder.part(marker.number), graph.seen_ids & part.seen_ids)
        graph.merge(part)
    return graph


def _rebuilt(path: Path, skip: set) -> GraphBuilder:
    from .io import iter_json_objects

    builder = GraphBuilder()
    builder.skip_ids(skip)
    for _, record in iter_json_objects(str(path)):
        if isinstance(record, dict):
            builder.add(record)
    return builder


def _run_info(args: argparse.Namespace, folder: RunFolder, summary: RunSummary, run: _Run,
              writers: List[Any]) -> Dict[str, Any]:
    written = {w.path.name for w in writers if w.opened}
    return {
        "inputs": list(args.inputs),
        "output": str(folder.root),
        "parts": len(run.shards),
        "parts_resumed": run.resumed,
        "rejected_file": str(folder.root / REJECTED) if REJECTED in written else None,
        "rejected_index": str(folder.root / REJECTED_INDEX) if REJECTED_INDEX in written else None,
        "graph": args.graph,
        "model": args.model,
        "cluster": args.cluster,
        "executor": run.executor.description,
        "workers": args.workers,
        "workers_peak_rss_mb": dict(sorted(run.workers.items())),
        "shard_size": args.shard_size,
        "batch_size": args.batch_size,
        "max_chars": args.max_chars,
        "extractor": __version__,
        "exit_status": _exit_status(summary),
    }


__all__ = ["DEFAULT_SHARD_SIZE", "cmd_extract_folder", "write_part"]
