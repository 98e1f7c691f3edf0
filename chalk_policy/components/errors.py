"""The one base class of every input error of the Chalk components and the chalk-network program."""

from __future__ import annotations

import pulumi


class ChalkInputError(pulumi.RunError, ValueError):
    """An input is invalid; the message names it and the allowed values.

    A ``pulumi.RunError``: under the real engine the Python language host shows the message alone, as one error
    line, instead of "Program failed with an unhandled exception" and a traceback. Still a ``ValueError`` for the
    callers that catch that.
    """
