"""Run the extractor over a stream of records, in this process or in worker processes.

spaCy pipelines are CPU-bound Python, so throughput scales with processes,
not threads. Each worker loads the model once (pool initializer) and analyses
chunks of `batch_size` records. Results come back in input order, and memory
stays bounded: at most `workers * IN_FLIGHT_PER_WORKER` chunks are submitted
and not yet yielded (`Pool.imap` would read the whole input ahead).

A worker that dies (killed by the OOM killer or by hand, a crash in native
code) is replaced, and the chunks lost with it run again (see _Workers): a
record that kills its worker each time gets status "error", the run goes on.

Workers use `fork` on Linux (no re-import of spaCy, measurably quicker start
than `spawn`); set EXTRACTOR_MP_START=spawn|forkserver to override. Workers
die with the main process: it terminates them when it stops (Ctrl-C, SIGTERM,
an error), and on Linux the kernel kills them should it die without a chance
to (SIGKILL, a crash).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import Any, Callable, Deque, Dict, Iterable, Iterator, List, Optional, Tuple

from .records import Record
from .summary import STATUS_ERROR  # the pipeline raised on this record; see the output's "error"

IN_FLIGHT_PER_WORKER = 4
# Signals the command line turns into an interrupt (see cli.main).
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
# Worker deaths on chunks and records run alone, one after the other with nothing done in
# between, past which the workers are the problem, not the data: the run fails.
MAX_DEATHS_IN_A_ROW = 5
WORKER_DIED = "WorkerDied: the worker process analysing this record died, also when it ran alone"

_EXTRACTOR: Any = None
_INIT_ERROR: Optional[BaseException] = None


class ModelError(RuntimeError):
    """The model could not be loaded (bad --model name or path)."""


class WorkersKeepDying(RuntimeError):
    """Worker processes die whatever they are given (see MAX_DEATHS_IN_A_ROW): the run fails."""


def load_extractor(model: Optional[str]) -> Any:
    """An Extractor for `model`; a missing model becomes ModelError (a usage error)."""
    from .pipeline import Extractor

    try:
        return Extractor(model)
    except OSError as err:  # spaCy's E050/E053: no such package or path
        raise ModelError(f"cannot load model {model!r}: {err}") from err


def is_analysed(record: Record) -> bool:
    """Records marked as skipped or duplicate get an empty result instead of analysis."""
    return not record.status and not record.duplicate_of


def run_chunk(extractor: Any, chunk: List[Record], batch_size: int) -> List[Dict[str, Any]]:
    """Output dicts for one chunk, in order; marked records are not analysed.

    When the pipeline raises on a batch, its records are retried one by one,
    and a record that still fails gets an empty result with status "error"
    and the message: one pathological article must not abort a dump run.
    """
    from .pipeline import empty_record

    todo = [r for r in chunk if is_analysed(r)]
    done = iter(_analyse(extractor, todo, batch_size))
    results = []
    for record in chunk:
        if is_analysed(record):
            results.append(next(done))
        else:
            results.append(marked_record(record, extractor.model, empty_record))
    return results


def _analyse(extractor: Any, records: List[Record], batch_size: int) -> List[Dict[str, Any]]:
    if not records:
        return []
    try:
        return list(extractor.process(records, batch_size=batch_size))
    except Exception as err:  # noqa: BLE001  (reported per record, see run_chunk)
        if len(records) == 1:
            return [_failed(extractor, records[0], err)]
    return [_analyse(extractor, [record], 1)[0] for record in records]


def _failed(extractor: Any, record: Record, error: Exception) -> Dict[str, Any]:
    from .pipeline import empty_record

    out = empty_record(record, extractor.model)
    out["status"] = STATUS_ERROR
    out["error"] = f"{type(error).__name__}: {error}"[:500]
    return out


def marked_record(record: Record, model: Dict[str, str], empty_record: Any) -> Dict[str, Any]:
    out = empty_record(record, model)
    if record.status:
        out["status"] = record.status
    if record.duplicate_of:
        out["duplicate_of"] = record.duplicate_of
    return out


def chunks(records: Iterable[Record], size: int) -> Iterator[List[Record]]:
    iterator = iter(records)
    while True:
        chunk = list(islice(iterator, size))
        if not chunk:
            return
        yield chunk


def process_records(
    records: Iterable[Record], model: Optional[str] = None, workers: int = 1, batch_size: int = 32,
    report: Optional[Callable[[str], None]] = None,
) -> Iterator[Dict[str, Any]]:
    """One output dict per record, in input order, streaming.

    The input iterator is consumed lazily from this (the main) process, so
    readers, filters and rejection handling run here, and an exception raised
    by the input iterator stops the workers. `report` gets the warning that a
    worker died (default: stderr).
    """
    batch_size = max(1, batch_size)
    if workers <= 1:
        yield from analyse_records(load_extractor(model), records, batch_size)
        return
    yield from _process_pool(records, _Workers(model, workers, batch_size, report or _to_stderr))


def analyse_records(extractor: Any, records: Iterable[Record], batch_size: int) -> Iterator[Dict[str, Any]]:
    """One output dict per record, in order, with an extractor already loaded
    (this process's, or a cluster worker's)."""
    for chunk in chunks(records, batch_size):
        yield from run_chunk(extractor, chunk, batch_size)


def start_pool(model: Optional[str], workers: int) -> ProcessPoolExecutor:
    """Worker processes that each hold a loaded extractor (see worker_extractor)."""
    global _EXTRACTOR
    if _context().get_start_method() == "fork":
        # load once here: forked workers share the loaded model instead of each loading it
        _EXTRACTOR = load_extractor(model)
    return _new_pool(model, workers)


def _new_pool(model: Optional[str], workers: int) -> ProcessPoolExecutor:
    """start_pool's workers, the model (when forked) already loaded here."""
    context = _context()
    parent = None if context.get_start_method() == "forkserver" else os.getpid()  # forkserver's children are not ours
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker,
                               initargs=(model, parent))


def worker_extractor() -> Any:
    """The extractor of this worker process of start_pool's pool (a failed load is raised here)."""
    if _INIT_ERROR is not None:
        raise _INIT_ERROR
    return _EXTRACTOR


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Stop the workers now (Ctrl-C, --errors fail, a crash): queued work is dropped."""
    _terminate(pool)


def _process_pool(records: Iterable[Record], pool: "_Workers") -> Iterator[Dict[str, Any]]:
    limit = pool.workers * IN_FLIGHT_PER_WORKER
    window: Deque[Tuple[List[Record], Future]] = deque()
    try:
        for chunk in chunks(records, pool.batch_size):
            window.append((chunk, pool.submit(chunk)))
            while len(window) >= limit or (window and window[0][1].done()):
                yield from pool.result(*window.popleft(), window)
        while window:
            yield from pool.result(*window.popleft(), window)
    except BaseException:
        for _, future in window:
            future.cancel()
        _terminate(pool.pool)
        raise
    pool.pool.shutdown(wait=True)


class _Workers:
    """The worker processes of a run, replaced when one dies.

    Every chunk lost with the dead worker (the pool cannot say which one it
    was running) runs again, alone in the new pool, so a chunk that kills its
    worker again is known to be the cause; its records then run one by one,
    and a record that kills its worker once more gets status "error" while
    the run goes on. Deaths on work run alone, MAX_DEATHS_IN_A_ROW in a row,
    are not the data's doing: WorkersKeepDying (exit 3).
    """

    def __init__(self, model: Optional[str], workers: int, batch_size: int, report: Callable[[str], None]) -> None:
        self.model = model
        self.workers = workers
        self.batch_size = batch_size
        self.report = report
        self.pool = start_pool(model, workers)
        self.deaths_in_a_row = 0
        self.model_info: Optional[Dict[str, str]] = None

    def submit(self, chunk: List[Record]) -> Future:
        return self.pool.submit(_work, chunk, self.batch_size)

    def result(self, chunk: List[Record], future: Future, window: Deque[Tuple[List[Record], Future]]) -> List[Dict[str, Any]]:
        """The chunk's results; after a worker died, also those of every chunk
        in `window` that was lost with it (run again here, one at a time)."""
        try:
            return future.result()
        except BrokenProcessPool:
            pass
        wait([f for _, f in window], timeout=60)  # a broken pool fails them all at once
        self.report(f"extractor: warning: a worker process died ({self._replace()}); a new one takes over, "
                    "and the records it had run again")
        for i, (other, lost) in enumerate(window):
            if not lost.done() or lost.cancelled() or isinstance(lost.exception(), BrokenProcessPool):
                window[i] = (other, _done(self._alone(other)))
        return self._alone(chunk)

    def _alone(self, chunk: List[Record]) -> List[Dict[str, Any]]:
        results = self._run_alone(chunk)
        if results is not None:
            return results
        return [self._record_alone(record) if len(chunk) > 1 else self._died(record) for record in chunk]

    def _record_alone(self, record: Record) -> Dict[str, Any]:
        results = self._run_alone([record])
        return results[0] if results is not None else self._died(record)

    def _run_alone(self, chunk: List[Record]) -> Optional[List[Dict[str, Any]]]:
        """The chunk's results, or None when its worker died."""
        try:
            results = self.submit(chunk).result()
        except BrokenProcessPool:
            self.deaths_in_a_row += 1
            cause = self._replace()
            if self.deaths_in_a_row >= MAX_DEATHS_IN_A_ROW:
                raise WorkersKeepDying(f"worker processes keep dying ({cause}): {self.deaths_in_a_row} times in "
                                       "a row, on records run one at a time") from None
            return None
        self.deaths_in_a_row = 0
        return results

    def _died(self, record: Record) -> Dict[str, Any]:
        from .pipeline import empty_record

        if self.model_info is None:
            self.model_info = self.pool.submit(_worker_model).result()
        out = empty_record(record, self.model_info)
        out["status"] = STATUS_ERROR
        out["error"] = WORKER_DIED
        return out

    def _replace(self) -> str:
        """A new pool for the broken one; what ended the dead worker."""
        processes = list((getattr(self.pool, "_processes", None) or {}).values())
        _terminate(self.pool)  # joins them: their exit codes are in
        self.pool = _new_pool(self.model, self.workers)
        return _death_cause(processes)


def _death_cause(processes: List[Any]) -> str:
    """How a worker of a broken pool ended ("killed by SIGKILL", "exit status 70"): the
    pool terminates the others with SIGTERM."""
    codes = [p.exitcode for p in processes if p.exitcode is not None and p.exitcode != -signal.SIGTERM]
    if not codes:
        return "cause unknown"
    if codes[0] < 0:
        return f"killed by {signal.Signals(-codes[0]).name}"
    return f"exit status {codes[0]}"


def _done(value: Any) -> Future:
    future: Future = Future()
    future.set_result(value)
    return future


def _to_stderr(text: str) -> None:
    print(text, file=sys.stderr)


def _terminate(pool: ProcessPoolExecutor) -> None:
    """Stop workers now (Ctrl-C, --errors fail, a crash): do not wait for queued chunks."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=5)


def _context() -> multiprocessing.context.BaseContext:
    method = os.environ.get("EXTRACTOR_MP_START")
    if not method:
        method = "fork" if sys.platform.startswith("linux") else "spawn"
    return multiprocessing.get_context(method)


def _init_worker(model: Optional[str], parent: Optional[int]) -> None:
    """Load the model once per worker. A failure is kept and raised by the
    first task, so the main process gets the real error, not a broken pool."""
    global _EXTRACTOR, _INIT_ERROR
    _die_with_parent(parent)
    if _EXTRACTOR is not None:
        return  # inherited from the parent through fork
    try:
        _EXTRACTOR = load_extractor(model)
    except BaseException as err:  # noqa: BLE001  (re-raised in _work)
        _INIT_ERROR = err


def _work(chunk: List[Record], batch_size: int) -> List[Dict[str, Any]]:
    return run_chunk(worker_extractor(), chunk, batch_size)


def _worker_model() -> Dict[str, str]:
    """The "model" of the output, from a worker (this process may have no pipeline loaded)."""
    return worker_extractor().model


def _die_with_parent(parent: Optional[int]) -> None:
    """Tie the worker's life to the main process. A forked worker inherits the
    handlers that turn SIGTERM into an interrupt, and the pool's task loop
    would catch that and carry on: the default action comes back, so that
    terminating the pool ends it. On Linux the kernel also kills it when the
    main process dies (PR_SET_PDEATHSIG), and a worker whose parent died
    before that took effect leaves at once."""
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_DFL)
    if parent is None or not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0 and os.getppid() != parent:
        os._exit(1)
