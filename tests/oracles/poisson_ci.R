# Oracle for hrh.poisson_ci and the interval of hrh.density: exact (Garwood) Poisson
# confidence intervals from R's stats::poisson.test, plus raw stats::qgamma values.
#
# Run from the repository root:
#     Rscript tests/oracles/poisson_ci.R
# It writes tests/oracles/poisson_ci.json next to this script. Only base R is used
# (stats); the JSON is written by hand with 17 significant digits ("%.17g"), enough to
# round-trip every double exactly.

args <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args[grep("^--file=", args)])
out_dir <- if (length(script) == 1L) dirname(normalizePath(script)) else "tests/oracles"
out_file <- file.path(out_dir, "poisson_ci.json")

num <- function(x) {
  if (is.na(x)) stop("NA in oracle output")
  if (is.infinite(x)) stop("infinite value in oracle output")
  sprintf("%.17g", x)
}
str <- function(x) sprintf("\"%s\"", gsub("\"", "\\\\\"", x))
obj <- function(...) {
  kv <- list(...)
  paste0("{", paste(sprintf("\"%s\": %s", names(kv), unlist(kv)), collapse = ", "), "}")
}
arr <- function(items, indent = "    ") {
  if (length(items) == 0L) return("[]")
  paste0("[\n", paste0(indent, items, collapse = ",\n"), "\n  ]")
}

# R's interval for x events in time base T. The null rate r only affects the p-value,
# which is not used; r = max(x, 1) / T keeps poisson.test's p-value sum short.
garwood <- function(x, T, level) {
  t <- poisson.test(x, T = T, r = max(x, 1) / T, alternative = "two.sided",
                    conf.level = level)
  c(rate = unname(t$estimate), lower = t$conf.int[1L], upper = t$conf.int[2L])
}

# 1. poisson.test grid ------------------------------------------------------------
counts <- c(0, 1, 2, 3, 5, 10, 11, 50, 100, 277, 1000, 3087, 12345, 118000, 1e6, 1e8,
            123456789, 1e12, 1e16)
# 1: plain counts; 2.5: person-years; 1e5 and 21 850 000: populations (Beijing 2019).
exposures <- c(1, 2.5, 1e5, 21850000)
levels <- c(0.80, 0.90, 0.95, 0.99)

cases <- character(0)
for (T in exposures) for (level in levels) for (x in counts) {
  g <- garwood(x, T, level)
  cases <- c(cases, obj(count = num(x), exposure = num(T), level = num(level),
                        rate = num(g[["rate"]]), lower = num(g[["lower"]]),
                        upper = num(g[["upper"]])))
}

# 2. density: staff per 1000 population = poisson.test(staff, T = population) * 1000 -
per <- 1000
density_grid <- list(
  c(118000, 21850000, 0.95),  # Beijing doctors, 2019
  c(48000, 13630000, 0.90),   # Tianjin doctors
  c(237000, 74200000, 0.99),  # Hebei doctors
  c(0, 5000, 0.95),           # a district without the cadre
  c(3, 12000, 0.80),
  c(277, 1500000, 0.95),
  c(12345, 3087000, 0.99),
  c(1, 250, 0.90)
)
density_cases <- character(0)
for (d in density_grid) {
  g <- garwood(d[1], d[2], d[3])
  density_cases <- c(density_cases, obj(
    staff = num(d[1]), population = num(d[2]), level = num(d[3]), per = num(per),
    density = num(g[["rate"]] * per), density_low = num(g[["lower"]] * per),
    density_high = num(g[["upper"]] * per)))
}

# 3. raw gamma quantiles qgamma(p, shape), and where they map onto poisson_ci --------
# poisson_ci(count, 1, level) has lower = qgamma(alpha/2, count) (count > 0) and
# upper = qgamma(1 - alpha/2, count + 1), alpha = 1 - level, exactly as poisson.test
# computes them. So
#   p < 0.5:              count = shape,     level = 1 - 2p       -> column "lower"
#   p > 0.5, shape >= 1:  count = shape - 1, level = 1 - 2(1 - p) -> column "upper"
# p = 0.5 (level 0) and upper quantiles of shape < 1 (negative count) do not map.
# `level` is the double passed to poisson_ci; `expected` is qgamma at the probability
# that poisson_ci (and poisson.test) derive from that double, which differs from p by
# rounding (relevant for p = 1e-10 and 1 - 1e-10, where the quantile of a small shape
# is very sensitive to p). Quantiles that underflow to 0 are skipped.
shapes <- c(1e-3, 1e-2, 0.1, 0.5, 1, 2.5, 10, 100, 277, 999.5, 1e3, 1e4, 1e5, 1e6, 1e7,
            1e8, 1e10, 1e12, 1e14, 1e16)
ps <- c(1e-10, 0.025, 0.5, 0.975, 1 - 1e-10)
qg <- character(0)
for (shape in shapes) for (p in ps) {
  q <- qgamma(p, shape)
  if (q == 0) next
  column <- "null"
  count <- level <- expected <- NA
  if (p < 0.5) {
    column <- str("lower"); count <- shape; level <- 1 - 2 * p
    expected <- qgamma((1 - level) / 2, count)
  } else if (p > 0.5 && shape >= 1) {
    column <- str("upper"); count <- shape - 1; level <- 1 - 2 * (1 - p)
    expected <- qgamma(1 - (1 - level) / 2, count + 1)
  }
  if (column == "null") {
    qg <- c(qg, obj(p = num(p), shape = num(shape), qgamma = num(q), column = "null"))
  } else {
    if (expected == 0) next
    qg <- c(qg, obj(p = num(p), shape = num(shape), qgamma = num(q), column = column,
                    count = num(count), level = num(level), expected = num(expected)))
  }
}

json <- paste0(
  "{\n",
  "  \"generator\": ", str("tests/oracles/poisson_ci.R"), ",\n",
  "  \"r_version\": ", str(R.version.string), ",\n",
  "  \"packages\": {\"stats\": ", str(as.character(packageVersion("stats"))), "},\n",
  "  \"date\": ", str(format(Sys.Date(), "%Y-%m-%d")), ",\n",
  "  \"notes\": ", str(paste(
    "poisson: poisson.test(count, T = exposure, conf.level = level);",
    "rate = $estimate, lower/upper = $conf.int (rate scale, count / T).",
    "density: poisson.test(staff, T = population) scaled by per.",
    "qgamma: qgamma(p, shape); column/count/level/expected map it onto poisson_ci",
    "(null: no mapping).")), ",\n",
  "  \"poisson\": ", arr(cases), ",\n",
  "  \"density\": ", arr(density_cases), ",\n",
  "  \"qgamma\": ", arr(qg), "\n",
  "}\n")
writeLines(json, out_file, sep = "")
cat(sprintf("wrote %s: %d poisson, %d density, %d qgamma cases\n", out_file,
            length(cases), length(density_cases), length(qg)))
