"""All four Chalk checks in one call."""

from __future__ import annotations

from collections.abc import Sequence

from ..catalog.models import Catalog
from ..planning.plan import Plan
from .advisory import check_least_privilege, check_option_consistency
from .engine import check_media
from .hosts import check_signaling_hosts
from .model import CheckResult, Options
from .resources import Resource


def check_all(resources: Sequence[Resource], plan: Plan, catalog: Catalog, options: Options | None = None
              ) -> tuple[CheckResult, ...]:
    return (check_media(resources, plan, catalog, options), check_signaling_hosts(resources, plan, catalog, options),
            check_least_privilege(resources, plan, catalog, options),
            check_option_consistency(resources, plan, catalog, options))
