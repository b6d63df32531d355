"""Reference (oracle) implementations the tests compare the reports' pushed-down reads with.

:func:`open_full` opens a report's context the way every report read before the pushdown: every lead of the
scope and the whole of the other tables it names, through :func:`crmreports.store.load`."""

from crmreports import store
from crmreports.present import kit
from crmreports.present.context import Context


def open_full(
    report: str,
    period: str = "",
    manager: str = "",
    pipeline: str = "",
    store_path: str = store.DEFAULT_STORE,
    lang: str = "ru",
    tables: tuple[str, ...] = ("leads", "stage_changes"),
    context: type[Context] = Context,
    **extra,
) -> Context:
    """The context of :func:`crmreports.present.kit.open_report` with the whole scope read (no period filter)."""

    def load_all(path, period, pipeline_ids=None, user_ids=None):
        return store.load(path, tables=tables, pipeline_ids=pipeline_ids, user_ids=user_ids)

    return kit.open_report(report, load_all, period, manager, pipeline, str(store_path), lang, context, **extra)
