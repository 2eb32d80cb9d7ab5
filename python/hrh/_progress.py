"""When long calls show their progress (see `hrh.simulate`'s `progress`)."""

from __future__ import annotations

import sys

from hrh.exceptions import InputError

#: Seconds after which a long call shows its progress by default in an interactive
#: session.
AUTO_AFTER = 5.0


def progress_after(progress: bool | None) -> float | None:
    """Seconds after which a long call writes its progress to `sys.stderr`, or None for
    never: True shows it at once, False never, None (the default) from `AUTO_AFTER`
    seconds on in an interactive session (a notebook kernel, the interactive
    interpreter, or a terminal)."""
    if progress is None:
        interactive = "ipykernel" in sys.modules or hasattr(sys, "ps1") or sys.stderr.isatty()
        return AUTO_AFTER if interactive else None
    if not isinstance(progress, bool):
        raise InputError(f"argument 'progress': {progress!r} must be True, False or None")
    return 0.0 if progress else None
