"""Policy economics: paired cost-effectiveness of policies against a baseline, with
discounting, intervals over draws, acceptability curves and the efficiency frontier; and
which drawn assumptions drive a projection's outcome.

Projections run with the same seed and number of draws share their parameter values
draw by draw (common random numbers), so a policy's incremental cost and effect are
taken draw by draw and their intervals hold only the uncertainty that differs between
policies.

References
----------
Drummond, M. F., Sculpher, M. J., Claxton, K., Stoddart, G. L. and Torrance, G. W.
(2015). Methods for the Economic Evaluation of Health Care Programmes, 4th ed. Oxford
University Press (discounting; dominance and extended dominance).
Fenwick, E., Claxton, K. and Sculpher, M. (2001). Representing uncertainty: the role of
cost-effectiveness acceptability curves. Health Econ 10(8), 779-787.
Marino, S., Hogue, I. B., Ray, C. J. and Kirschner, D. E. (2008). A methodology for
performing global uncertainty and sensitivity analysis in systems biology. J Theor Biol
254(1), 178-196.
"""

from __future__ import annotations

from hrh.economics._compare import Comparison, compare
from hrh.economics._sensitivity import Sensitivity, sensitivity

__all__ = ["Comparison", "Sensitivity", "compare", "sensitivity"]
