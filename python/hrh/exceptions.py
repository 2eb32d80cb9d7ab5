"""Exceptions raised by hrh.

The classes are defined once, in the compiled core (``hrh._core``), and re-exported
here::

    HrhError(Exception)
    ├── InputError(HrhError, ValueError)        bad data or arguments
    │   └── ScenarioError(InputError)           bad scenario key; ``.path``
    └── ConvergenceError(HrhError, ArithmeticError)   failed fit; ``.reason``, ``.hint``

Every message names the column and the row of a table, or the argument and the item
of a list or array passed directly, and the offending value.

Examples
--------
>>> import hrh
>>> try:
...     hrh.poisson_ci([3, -1])
... except hrh.InputError as e:
...     print(e)
argument 'events', item 1: value -1 is negative; events must be >= 0
>>> issubclass(hrh.InputError, ValueError)
True
"""

from hrh._core import ConvergenceError, HrhError, InputError, ScenarioError

__all__ = ["ConvergenceError", "HrhError", "InputError", "ScenarioError"]
