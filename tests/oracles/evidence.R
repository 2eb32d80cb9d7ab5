# Oracle for hrh.evidence: the conjugate posteriors of counts with the priors documented
# in python/hrh/evidence.py, their means and quantiles from R's stats::qgamma and
# stats::qbeta. The parameters follow from the documented priors; R gives the quantiles.
#
# Run from the repository root:
#     Rscript tests/oracles/evidence.R
# It writes tests/oracles/evidence.json next to this script. Only base R is used; the
# JSON is written by hand with 17 significant digits ("%.17g").

args <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args[grep("^--file=", args)])
out_dir <- if (length(script) == 1L) dirname(normalizePath(script)) else "tests/oracles"
out_file <- file.path(out_dir, "evidence.json")

num <- function(x) {
  if (is.na(x) || is.infinite(x)) stop("non-finite value in oracle output")
  sprintf("%.17g", x)
}
str <- function(x) sprintf("\"%s\"", x)
vec <- function(x) paste0("[", paste(vapply(x, num, ""), collapse = ", "), "]")
obj <- function(...) {
  kv <- list(...)
  paste0("{", paste(sprintf("\"%s\": %s", names(kv), unlist(kv)), collapse = ", "), "}")
}
probs <- c(0.001, 0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975, 0.999)

# Rates: events in exposure (person-years); Jeffreys Gamma(1/2, 0), uniform Gamma(1, 0),
# and an informative prior (2, 100). The province: 11 resignations in about 1,251
# person-years; zero events.
rate_priors <- list(jeffreys = c(0.5, 0), uniform = c(1, 0), informative = c(2, 100))
rate_cases <- list(c(11, 1251), c(0, 100), c(0, 12.5), c(1, 3), c(290, 5796),
                   c(3, 0.5), c(10000, 2e5))
rates <- character(0)
for (pn in names(rate_priors)) for (cs in rate_cases) {
  a <- cs[1] + rate_priors[[pn]][1]
  b <- cs[2] + rate_priors[[pn]][2]
  rates <- c(rates, obj(events = num(cs[1]), exposure = num(cs[2]), prior = str(pn),
                        shape = num(a), rate = num(b), mean = num(a / b),
                        quantiles = vec(qgamma(probs, shape = a, rate = b))))
}

# Proportions: k of n; Jeffreys Beta(1/2, 1/2), uniform Beta(1, 1), informative (2, 8).
prop_priors <- list(jeffreys = c(0.5, 0.5), uniform = c(1, 1), informative = c(2, 8))
prop_cases <- list(c(0, 12), c(12, 12), c(18, 20), c(1, 1000), c(277, 3364), c(0, 1),
                   c(50, 100))
props <- character(0)
for (pn in names(prop_priors)) for (cs in prop_cases) {
  a <- cs[1] + prop_priors[[pn]][1]
  b <- cs[2] - cs[1] + prop_priors[[pn]][2]
  props <- c(props, obj(k = num(cs[1]), n = num(cs[2]), prior = str(pn),
                        a = num(a), b = num(b), mean = num(a / (a + b)),
                        quantiles = vec(qbeta(probs, a, b))))
}

json <- paste0(
  "{\n  \"r_version\": ", str(R.version.string), ",\n",
  "  \"probs\": ", vec(probs), ",\n",
  "  \"rates\": [\n    ", paste(rates, collapse = ",\n    "), "\n  ],\n",
  "  \"proportions\": [\n    ", paste(props, collapse = ",\n    "), "\n  ]\n}\n"
)
writeLines(json, out_file, sep = "")
cat("wrote", out_file, "\n")
