"""The plan stage; its names live in ``jobs.py`` and are re-exported here."""

from harness.plan.jobs import (  # noqa: F401
    Job,
    _all_param_names,
    _check_overrides_apply,
    _check_variants_exist,
    _number,
    _on_each_runtime,
    _resolve,
    _typed_override,
    check_thread_limits,
    jobs_for,
    parse_overrides,
    select,
)
