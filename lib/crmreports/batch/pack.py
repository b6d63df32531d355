"""Batch runs: fan (report × scope) jobs out over a thread pool, keep going past failures, write an index.

Threads running papermill, one warm kernel per thread (:mod:`crmreports.batch.kernels`), and PDFs printed in
spawned processes (:class:`crmreports.present.render.PdfPool`): starting a kernel costs more than running a
short notebook (``tests/bench/bench_pack.py`` measures both). ``warm=False`` starts a fresh kernel for every document.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import logging
import os
import re
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import yaml
from tqdm import tqdm

from .. import reports as registry
from .. import store
from ..core.scopes import GROUP_PREFIX, ParameterError, group_scope, manager_slugs
from ..present.render import PdfPool
from ..reports import SCOPES
from .kernels import CELL_TIMEOUT, KernelPool
from .run import (
    FORMATS,
    KERNEL,
    PROJECT_ROOT,
    Job,
    Result,
    check_parameters,
    notebook_parameters,
    notebook_path,
    parse_formats,
    run_job,
    timing_summary,
)

log = logging.getLogger("crmreports.pack")
PACKS = PROJECT_ROOT / "params" / "packs"
STALE_AFTER = 300.0  # seconds after which a hidden temporary report file no live writer touches is a leftover
# the temporary names of batch.run: ".<name>.<8 random>" and ".<scope>.<8 random>.{pdf,ipynb}" (tempfile.mkstemp)
_TEMPORARY = re.compile(r"\..+\.[a-z0-9_]{8}(\.pdf|\.ipynb)?")


def remove_stale_temporaries(folder: str | os.PathLike, older_than: float = STALE_AFTER) -> list[Path]:
    """Remove the hidden temporary files a killed run left in ``folder`` (and below): those not modified
    for ``older_than`` seconds. A live run rewrites its files within seconds (an executing notebook's
    after every cell), so only leftovers are that old. Returns what was removed."""
    removed = []
    now = time.time()
    for p in Path(folder).rglob(".*"):
        try:
            if _TEMPORARY.fullmatch(p.name) and p.is_file() and now - p.stat().st_mtime > older_than:
                p.unlink()
                removed.append(p)
        except OSError:  # gone meanwhile, or not ours to remove
            continue
    if removed:
        log.info("removed %d temporary file(s) left by an interrupted run in %s", len(removed), folder)
    return removed


def load_pack(name: str) -> dict:
    """A pack definition from params/packs/<name>.yaml: reports, scopes, formats."""
    path = Path(name) if str(name).endswith((".yaml", ".yml")) else PACKS / f"{name}.yaml"
    if not path.exists():
        valid = ", ".join(sorted(p.stem for p in PACKS.glob("*.yaml")))
        raise ParameterError(f"unknown pack {name!r}; valid: {valid}")
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ParameterError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(spec, dict):
        raise ParameterError(f"{path}: expected a mapping with keys reports, scopes, formats")
    unknown = set(spec) - {"reports", "scopes", "formats", "lang", "description"}
    if unknown:
        raise ParameterError(
            f"{path}: unknown keys {sorted(unknown)}; valid: reports, scopes, formats, lang, description"
        )
    reports = spec.get("reports", "all")
    if reports == "all":  # every registered report, in the registry's order
        reports = registry.names()
    if not isinstance(reports, list) or not reports:
        raise ParameterError(f"{path}: 'reports' must be 'all' or a non-empty list of report names")
    for r in reports:
        notebook_path(r)
    scopes = spec.get("scopes")  # none: each report's declared scopes
    bad = [s for s in scopes if s not in SCOPES] if isinstance(scopes, list) else [scopes]
    if scopes is not None and (bad or not scopes):
        raise ParameterError(f"{path}: unknown scopes {bad}; valid: {', '.join(SCOPES)} (a list)")
    return {
        "reports": reports,
        "scopes": scopes,
        "formats": parse_formats(spec.get("formats", list(FORMATS))),
        "lang": spec.get("lang"),
    }


def active_managers(store_path: str) -> list[tuple[str, str]]:
    """(name, slug) of every active manager responsible for at least one deal or call (a deactivated
    manager's history stays in the team's and the group's reports)."""
    users, owners = _users_and_owners(store_path)
    slugs = manager_slugs(users)
    active = users[users["is_active"].fillna(True).astype(bool)]
    return [
        (str(n), slugs[int(u)])
        for u, n in sorted(zip(active["id"], active["name"]), key=lambda x: str(x[1]))
        if u in owners
    ]


def active_groups(store_path: str) -> list[tuple[str, str]]:
    """("group:<name>", slug) of every group with at least one active manager."""
    users, owners = _users_and_owners(store_path)
    names = sorted(
        {str(g) for g, u in zip(users["group_name"], users["id"]) if g is not None and u in owners and str(g) != "nan"}
    )
    return [(GROUP_PREFIX + g, group_scope(g, users).slug) for g in names]


def _users_and_owners(store_path: str):
    con = store.connect(store_path)
    try:
        users = store.read_table(con, "users")
        owners = {
            r[0]
            for r in con.execute(
                "SELECT DISTINCT responsible_user_id FROM leads WHERE NOT coalesce(is_deleted, false) "
                "UNION SELECT DISTINCT user_id FROM calls"
            ).fetchall()
        }
    finally:
        con.close()
    return users, owners


def build_jobs(
    period: str,
    reports: list[str],
    scopes: list[str] | None,
    store_path: str,
    lang: str,
    out: str,
    formats: tuple[str, ...],
    pipeline: str = "",
    links: str = "",
) -> list[Job]:
    """One job per report and scope; ``scopes`` None: each report's declared scopes. ``links``: the account's
    CRM address (params/accounts.yaml ``base_url``), given as ``deal_links`` to the reports that link to deals."""
    jobs = []
    groups, managers = active_groups(store_path), active_managers(store_path)
    for report in reports:
        found = registry.registry().get(report)  # None: an ad-hoc notebook of CRMREPORTS_NOTEBOOKS
        declared = found.scopes if found else SCOPES
        # the pack's scopes, of those the report is made for (the audit is a team report only)
        wanted = declared if scopes is None else [s for s in scopes if s in declared]
        named = (groups if "groups" in wanted else []) + (managers if "managers" in wanted else [])
        extra = (("deal_links", links),) if links and "deal_links" in notebook_parameters(report) else ()
        if "team" in wanted:
            jobs.append(Job(report, period, "team", "", pipeline, lang, store_path, out, formats, extra))
        for name, slug in named:
            jobs.append(Job(report, period, slug, name, pipeline, lang, store_path, out, formats, extra))
    for job in jobs:
        check_parameters(job.report, job.parameters)
    return jobs


def run_jobs(
    jobs: list[Job],
    workers: int | None = None,
    progress: bool = True,
    force: bool = False,
    warm: bool = True,
    cell_timeout: float | None = CELL_TIMEOUT,
) -> list[Result]:
    """Run every job; a failure is recorded in its Result and never stops the others.

    ``warm`` keeps one kernel per worker alive between documents (see :mod:`crmreports.batch.kernels`);
    ``warm=False`` starts a fresh kernel for every document. A cell running longer than ``cell_timeout``
    seconds fails its document (None: no limit); a kernel that dies or runs out of time is replaced.
    """
    workers = max(1, workers or os.cpu_count() or 2)
    # the imported libraries (some 300,000 objects) out of the collector's reach: its full collections during the
    # pack scan only what the documents make (as the kernels do after each reset)
    gc.freeze()
    results: list[Result] = []
    bar = tqdm(total=len(jobs), desc="reports", unit="doc", disable=not progress, leave=True)
    kernels = KernelPool(workers, KERNEL, PROJECT_ROOT, cell_timeout, reuse=warm)
    printer = PdfPool(workers) if any("pdf" in j.formats for j in jobs) else None
    # with warm kernels, twice as many threads as kernels: while one thread waits for its PDF (printed
    # in another process), the next takes the kernel it freed, so executing and printing overlap
    threads = workers * 2 if warm else workers
    with (
        ThreadPoolExecutor(max_workers=threads) as pool,
        kernels,
        printer or contextlib.nullcontext(),
    ):
        futures = {
            pool.submit(run_job, j, force, kernels, printer.render if printer else None, time.monotonic()): j
            for j in jobs
        }
        for fut in as_completed(futures):
            job = futures[fut]
            try:
                res = fut.result()
            except Exception as exc:  # a bug outside the notebook: still isolate it
                log.exception("%s/%s crashed", job.report, job.scope)
                res = Result(job, False, 0.0, error=f"{type(exc).__name__}: {exc}")
            results.append(res)
            bar.set_postfix_str(f"{job.report}/{job.scope} {'cached' if res.cached else 'ok' if res.ok else 'FAILED'}")
            bar.update(1)
    bar.close()
    order = {j: i for i, j in enumerate(jobs)}
    return sorted(results, key=lambda r: order[r.job])


@dataclass
class PackRun:
    """What one pack build did: the period built, every document's result, the index page, the wall time."""

    period: str
    results: list[Result]
    index: Path
    seconds: float

    @property
    def failed(self) -> list[Result]:
        return [r for r in self.results if not r.ok]

    def summary(self) -> str:
        built = sum(1 for r in self.results if r.ok and not r.cached)
        cached = sum(1 for r in self.results if r.cached)
        phases = timing_summary(self.results)
        return (
            f"{built} built, {cached} up to date, {len(self.failed)} failed of {len(self.results)} documents "
            f"in {self.seconds:.0f} s; index: {self.index}" + (f"\n{phases}" if phases else "")
        )


def build_pack(
    store_path: str,
    period: str,
    pack: str = "monthly",
    out: str = "reports",
    lang: str = "ru",
    workers: int | None = None,
    force: bool = False,
    warm: bool = True,
    progress: bool = True,
    cell_timeout: float | None = CELL_TIMEOUT,
    scheduler: str | None = None,
    client=None,
    links: str = "",
) -> PackRun:
    """Build every document of the pack for the period and write the period's index page. Parameter errors
    (a bad pack file, period or store) raise before any work; a failing document is recorded, never raised
    (a cell running longer than ``cell_timeout`` seconds, or a kernel that dies, fails its document only).
    Temporary files an interrupted run left in the period's folder are removed first. With ``scheduler``
    (or a Dask ``client``) the jobs run on that cluster (:mod:`crmreports.batch.cluster`)."""
    (done,) = build_packs(
        [(store_path, out, links)], period, pack, lang, workers, force, warm, progress, cell_timeout, scheduler, client
    )
    return done


def build_packs(
    accounts: list[tuple[str, str] | tuple[str, str, str]],
    period: str,
    pack: str = "monthly",
    lang: str = "ru",
    workers: int | None = None,
    force: bool = False,
    warm: bool = True,
    progress: bool = True,
    cell_timeout: float | None = CELL_TIMEOUT,
    scheduler: str | None = None,
    client=None,
) -> list[PackRun]:
    """:func:`build_pack` for several accounts, each ``(store, out)`` or ``(store, out, links)``, in one
    fan-out: every account's jobs go to the same pool (or cluster) together, then each account gets its own
    index page. Every account is validated before any work starts."""
    from ..present.context import validate
    from .index import write_index

    spec = load_pack(pack)
    lang = spec.get("lang") or lang
    plans = []
    for store_path, out, *links in accounts:
        resolved, _, _, _ = validate(store_path, period, "", "", lang)
        jobs = build_jobs(
            resolved.key, spec["reports"], spec["scopes"], store_path, lang, out, spec["formats"], links="".join(links)
        )
        plans.append((resolved.key, out, jobs))
    started = time.monotonic()
    for (key, out, _), (store_path, *_) in zip(plans, accounts):
        # a live run's temporary notebook may stay untouched for as long as one cell runs
        remove_stale_temporaries(Path(out) / key, max(STALE_AFTER, (cell_timeout or 3600) + 60))
        store.derived.ensure(store_path)
    every = [j for _, _, jobs in plans for j in jobs]
    if scheduler or client is not None:
        from .cluster import run_jobs_on_cluster

        results = run_jobs_on_cluster(every, scheduler or "", progress, force, cell_timeout, client=client)
        # the cluster ran the jobs with absolute paths: map the results back to this process's jobs
        results = [dataclasses.replace(r, job=j, files=_as_given(r.files, j)) for r, j in zip(results, every)]
    else:
        results = run_jobs(every, workers, progress=progress, force=force, warm=warm, cell_timeout=cell_timeout)
    runs, at = [], 0
    for key, out, jobs in plans:
        mine = results[at : at + len(jobs)]
        at += len(jobs)
        index = write_index(key, mine, out, lang)
        runs.append(PackRun(key, mine, index, time.monotonic() - started))
    return runs


def _as_given(files: dict, job: Job) -> dict:
    """A cluster result's file paths (absolute) written the way the job's output folder was given."""
    if Path(job.out).is_absolute():
        return files
    return {k: os.path.relpath(v) for k, v in files.items()}
