# Oracle for hrh.rate_ratio (exact comparison of two Poisson rates) and the one-sided
# intervals of hrh.poisson_ci and hrh.rate: R's stats::poisson.test.
#
# Run from the repository root:
#     Rscript tests/oracles/poisson_test.R
# It writes tests/oracles/poisson_test.json next to this script. Only base R is used
# (stats); numbers are written with 17 significant digits ("%.17g"), enough to
# round-trip every double; an infinite limit is written as the string "Inf".
#
# Two samples: poisson.test(c(x1, x2), c(T1, T2), r = r, alternative = alt,
# conf.level = level) conditions on n = x1 + x2 (x1 ~ Bin(n, r T1 / (r T1 + T2))):
# estimate = (x1/T1)/(x2/T2), conf.int = the Clopper-Pearson interval of the binomial
# proportion p mapped to p / (1 - p) / (T1 / T2), p.value = binom.test's. R refuses
# x1 = x2 = 0 (binom.test needs n >= 1), so that case is not here.
# One sample: poisson.test(x, T, alternative = alt, conf.level = level)$conf.int.

args <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args[grep("^--file=", args)])
out_dir <- if (length(script) == 1L) dirname(normalizePath(script)) else "tests/oracles"
out_file <- file.path(out_dir, "poisson_test.json")

num <- function(x) {
  if (is.na(x)) stop("NA in oracle output")
  if (is.infinite(x)) return(if (x > 0) "\"Inf\"" else "\"-Inf\"")
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

# 1. two samples ---------------------------------------------------------------------
# Counts from 0 to tens of thousands (exits of two cadres, two districts' deaths),
# exposures in person-years; zeros on either side; equal and unequal exposures.
pairs <- list(
  c(0, 1), c(1, 0), c(0, 5), c(5, 0), c(1, 1), c(2, 9), c(9, 2), c(3, 3), c(7, 20),
  c(11, 4), c(25, 25), c(40, 61), c(100, 77), c(277, 310), c(1000, 1100),
  c(3087, 2900), c(12345, 11800), c(50000, 49000)
)
exposures <- list(c(1, 1), c(2.5, 4), c(360, 120), c(1e5, 2.3e5))
alternatives <- c("two.sided", "less", "greater")
levels <- c(0.90, 0.95, 0.99)
ratios <- c(1, 2)

two <- character(0)
for (xx in pairs) for (TT in exposures) for (alt in alternatives) for (level in levels)
  for (r in ratios) {
    # Keep the grid moderate: the null ratio 2 and the levels 0.90 / 0.99 on a subset.
    if (r != 1 && !(level == 0.95 && identical(TT, c(2.5, 4)))) next
    t <- poisson.test(xx, TT, r = r, alternative = alt, conf.level = level)
    two <- c(two, obj(
      events1 = num(xx[1]), exposure1 = num(TT[1]), events2 = num(xx[2]),
      exposure2 = num(TT[2]), null_ratio = num(r), level = num(level),
      alternative = str(alt), estimate = num(unname(t$estimate)),
      lower = num(t$conf.int[1L]), upper = num(t$conf.int[2L]),
      p_value = num(t$p.value)))
  }

# 2. one sample, one-sided intervals ------------------------------------------------
counts <- c(0, 1, 2, 5, 10, 11, 100, 277, 3087, 118000, 1e6)
one <- character(0)
for (T in c(1, 360, 21850000)) for (alt in c("less", "greater")) for (level in levels)
  for (x in counts) {
    t <- poisson.test(x, T = T, r = max(x, 1) / T, alternative = alt, conf.level = level)
    one <- c(one, obj(
      count = num(x), exposure = num(T), level = num(level), alternative = str(alt),
      rate = num(unname(t$estimate)), lower = num(t$conf.int[1L]),
      upper = num(t$conf.int[2L])))
  }

json <- paste0(
  "{\n",
  "  \"generator\": ", str("tests/oracles/poisson_test.R"), ",\n",
  "  \"r_version\": ", str(R.version.string), ",\n",
  "  \"packages\": {\"stats\": ", str(as.character(packageVersion("stats"))), "},\n",
  "  \"date\": ", str(format(Sys.Date(), "%Y-%m-%d")), ",\n",
  "  \"notes\": ", str(paste(
    "two_sample: poisson.test(c(events1, events2), c(exposure1, exposure2),",
    "r = null_ratio, alternative, conf.level = level); estimate, conf.int, p.value.",
    "one_sample: poisson.test(count, T = exposure, alternative, conf.level = level);",
    "rate = $estimate, lower/upper = $conf.int on the rate scale.")), ",\n",
  "  \"two_sample\": ", arr(two), ",\n",
  "  \"one_sample\": ", arr(one), "\n",
  "}\n")
writeLines(json, out_file, sep = "")
cat(sprintf("wrote %s: %d two-sample, %d one-sample cases\n", out_file, length(two),
            length(one)))
