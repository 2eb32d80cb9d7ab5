# R's coxph timed inside R, for benches/bench_survival.py (the cox_vs_r case).
#
#   Rscript benches/coxph.R DATA.csv MIN_REPEATS MIN_SECONDS
#
# Reads the table once (not timed), makes one warm-up fit, then times fits with
# system.time around coxph alone until MIN_REPEATS fits and MIN_SECONDS seconds (at most
# 100 fits). Prints the elapsed time of each timed fit, the peak of R's heap during
# them above its level before them (gc()'s "max used" after gc(reset = TRUE), MiB) and
# the coefficients of the last fit.
args <- commandArgs(trailingOnly = TRUE)
path <- args[1]
min_repeats <- as.integer(args[2])
min_seconds <- as.numeric(args[3])
suppressMessages(library(survival))
d <- read.csv(path)
f <- Surv(t, e) ~ x1 + x2 + x3 + x4 + x5
fit <- coxph(f, data = d, ties = "efron")
invisible(gc(reset = TRUE))
base <- sum(gc()[, 2])
times <- c()
repeat {
  st <- system.time(fit <- coxph(f, data = d, ties = "efron"))
  times <- c(times, st[["elapsed"]])
  if ((length(times) >= min_repeats && sum(times) >= min_seconds) || length(times) >= 100) break
}
peak <- sum(gc()[, 6]) - base
cat("times", sprintf("%.6f", times), "\n")
cat("peak_mib", sprintf("%.3f", peak), "\n")
cat("coef", sprintf("%.17g", coef(fit)), "\n")
cat("survival", as.character(packageVersion("survival")), "\n")
