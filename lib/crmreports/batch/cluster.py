"""Run a pack's jobs on a Dask ``distributed`` cluster instead of the local kernel pool.

The same job function (:func:`crmreports.batch.run.run_job`) runs on the workers, with the same outputs,
caching (the cache key is the store's content and the library, not the machine) and failure isolation:

- each worker process keeps warm kernels as the local runner does (:func:`_worker_kernels`: one
  :class:`~crmreports.batch.kernels.KernelPool` per worker process, as many kernels as the worker has
  threads), and prints PDFs in its own process (a worker process is the unit of parallelism here);
- a job carries the account's store path and output folder (absolute: every worker must see the same
  shared folder), never a secret: kernels start with a scrubbed environment on the worker too;
- a worker that dies mid-job: the scheduler gives its jobs to another worker (``retries``); a document is
  written atomically (temporary file, then rename), so nothing half-written is left;
- a job that fails (a notebook raising, a bad parameter) is a failed :class:`~crmreports.batch.run.Result`,
  exactly as locally; the others go on.

Object stores (S3 and the like) would need the store to be copied to a worker-local file before a job
and the outputs uploaded after it (DuckDB reads a local file; the atomic rename is a file-system
operation): not done here, see the README's cluster section.
"""

from __future__ import annotations

import atexit
import dataclasses
import logging
import os
import threading
from pathlib import Path

from tqdm.auto import tqdm

from .kernels import CELL_TIMEOUT, KernelPool
from .run import KERNEL, PROJECT_ROOT, Job, Result, run_job

log = logging.getLogger("crmreports.cluster")

RETRIES = 2  # times the scheduler resubmits a job whose worker died
_pools: dict[tuple, KernelPool] = {}
_pools_lock = threading.Lock()


def _worker_kernels(cell_timeout: float | None) -> KernelPool:
    """This worker process's warm kernel pool (created on first use, closed when the process exits)."""
    key = (os.getpid(), cell_timeout)
    with _pools_lock:
        pool = _pools.get(key)
        if pool is None:
            size = _worker_threads()
            pool = _pools[key] = KernelPool(size, KERNEL, PROJECT_ROOT, cell_timeout, reuse=True)
            atexit.register(pool.close)
        return pool


def _worker_threads() -> int:
    try:
        from distributed import get_worker

        return max(1, int(get_worker().state.nthreads))
    except (ImportError, ValueError, AttributeError):
        return 1


def cluster_job(job: Job, force: bool = False, cell_timeout: float | None = CELL_TIMEOUT) -> Result:
    """What a worker runs for one document: :func:`run_job` with this process's warm kernels; PDFs are
    printed in the worker's own process."""
    return run_job(job, force, _worker_kernels(cell_timeout), None)


def absolute(job: Job) -> Job:
    """The job with its store and output folder as absolute paths, the same on every worker (a shared
    folder); relative paths are taken against this process's working directory."""
    from ..store import resolve_path

    return dataclasses.replace(
        job, store=str(resolve_path(job.store).resolve()), out=str(Path(job.out).expanduser().resolve())
    )


def run_jobs_on_cluster(
    jobs: list[Job],
    scheduler: str,
    progress: bool = True,
    force: bool = False,
    cell_timeout: float | None = CELL_TIMEOUT,
    client=None,
) -> list[Result]:
    """Run every job on the Dask cluster at ``scheduler`` (``tcp://host:8786``), or through ``client`` (an
    existing ``distributed.Client``); the results in the jobs' order. A job that raised or whose workers
    kept dying is a failed Result; the progress bar advances with the cluster's completions."""
    from distributed import Client, as_completed

    own = client is None
    if own:
        try:
            client = Client(scheduler, timeout="10s")
        except OSError as exc:
            raise ValueError(f"--scheduler {scheduler}: no Dask scheduler answers there ({exc})") from None
    jobs = [absolute(j) for j in jobs]
    results: list[Result] = []
    bar = tqdm(total=len(jobs), desc="reports", unit="doc", disable=not progress, leave=True)
    try:
        futures = {
            client.submit(cluster_job, j, force, cell_timeout, pure=False, retries=RETRIES, key=_key(j)): j
            for j in jobs
        }
        for fut in as_completed(futures):
            job = futures[fut]
            try:
                res = fut.result()
            except Exception as exc:  # the job function raised, or its workers kept dying
                log.error("%s/%s failed on the cluster: %s", job.report, job.scope, exc)
                res = Result(job, False, 0.0, error=f"{type(exc).__name__}: {exc}")
            results.append(res)
            bar.set_postfix_str(f"{job.report}/{job.scope} {'cached' if res.cached else 'ok' if res.ok else 'FAILED'}")
            bar.update(1)
    finally:
        bar.close()
        if own:
            client.close()
    order = {j: i for i, j in enumerate(jobs)}
    return sorted(results, key=lambda r: order[r.job])


def _key(job: Job) -> str:
    """A readable, unique task key (the dashboard shows it): report, scope, period, language and a hash of
    the rest (two accounts' jobs differ by their store)."""
    import hashlib

    digest = hashlib.sha1(repr(job).encode()).hexdigest()[:10]
    return f"crmreports-{job.report}-{job.scope}-{job.period}-{job.lang}-{digest}"
