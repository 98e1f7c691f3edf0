"""Run every check of a probe plan at once, each bounded by the timeout and all by the deadline, and judge them.

Time bound: a check stops at its timeout or at the deadline, whichever comes first (it then reports what it was
waiting for). A check that does not stop when told to (it never should) is abandoned :data:`GRACE` seconds after the
deadline. Name resolution runs in daemon threads (:class:`.net.Resolver`), so nothing the probe started can keep it
from ending: :func:`probe` returns within the deadline plus :data:`GRACE`, plus the time to judge the results.
"""

from __future__ import annotations

import asyncio
import ssl
import time

from .media import check_media
from .model import Check, CheckKind, Failure, Result, Settings, Status, scrub_result
from .net import CheckFailed, Resolver, Trace, ssl_context
from .signaling import check_signaling
from .targets import ProbePlan
from .verdict import Report, judge

GRACE = 0.5
"""Seconds after the deadline before a check that did not stop is abandoned."""


def probe(plan: ProbePlan, settings: Settings) -> Report:
    """Run the plan's checks and judge the results. Every result is scrubbed of the settings' secrets (a last guard:
    no check writes one into its evidence)."""
    started = time.monotonic()
    results = asyncio.run(run_checks(plan.checks, settings))
    secrets = settings.secrets
    cleaned = [scrub_result(result, secrets) for result in results]
    return judge(plan, cleaned, timeout=settings.timeout, deadline=settings.deadline,
                 proxy=settings.proxy.shown if settings.proxy else None,
                 elapsed_ms=(time.monotonic() - started) * 1000)


async def run_checks(checks: tuple[Check, ...], settings: Settings) -> list[Result]:
    loop = asyncio.get_running_loop()
    deadline_at = loop.time() + settings.deadline
    resolver = Resolver(settings)
    context = ssl_context(settings.ca_file)
    tasks = [asyncio.create_task(_run_one(check, settings, resolver, context, deadline_at)) for check in checks]
    if not tasks:
        return []
    _, pending = await asyncio.wait(tasks, timeout=settings.deadline + GRACE)
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.wait(pending, timeout=GRACE)
    results: list[Result] = []
    for check, task in zip(checks, tasks, strict=True):
        if task.done() and not task.cancelled() and task.exception() is None:
            results.append(task.result())
        else:
            results.append(Result(check, Status.FAILED, (settings.deadline + GRACE) * 1000, failure=Failure.DEADLINE,
                                  received="abandoned: still running after the probe's deadline"))
    return results


async def _run_one(check: Check, settings: Settings, resolver: Resolver, context: ssl.SSLContext,
                   deadline_at: float) -> Result:
    loop = asyncio.get_running_loop()
    trace = Trace(check)
    own_limit = loop.time() + settings.timeout
    cut_by_deadline = deadline_at < own_limit
    try:
        async with asyncio.timeout_at(min(own_limit, deadline_at)):
            if check.kind is CheckKind.SIGNALING:
                await check_signaling(check, settings, resolver, context, trace)
            else:
                await check_media(check, settings, resolver, context, trace)
    except TimeoutError:
        return trace.timed_out(settings.timeout, cut_by_deadline)
    except Exception as exc:  # every failure becomes evidence, never a traceback
        if isinstance(exc, CheckFailed):
            return trace.failed(exc.failure, exc.detail, exc.status)
        return trace.error(exc)
    return trace.result()
