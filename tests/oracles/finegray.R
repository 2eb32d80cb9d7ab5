# Oracle for hrh.fine_gray: Fine-Gray competing-risks regression from R's cmprsk::crr.
#
# Run from the repository root:
#     Rscript tests/oracles/finegray.R
# It reads survival's `mgus2`, the shared real-data file
# ../shared/data/canadian_senators_tenure/canadian_senators.csv (or
# $HRH_DATA/canadian_senators_tenure/...) and builds a small data set with heavy ties, and
# writes tests/oracles/finegray.json. Debian packages: r-cran-survival, r-cran-cmprsk,
# r-cran-jsonlite.
#
# Every input column a case uses is stored in the JSON ("data"), so the Python test feeds
# exactly the rows R saw (each stored column is checked to survive the JSON round trip
# bit for bit). Numbers are written with jsonlite::toJSON(digits = NA) (15 significant
# digits).
#
# Conventions recorded here:
# * crr(ftime, fstatus, cov1, failcode = <cause of interest>, cencode = <censoring
#   code>) with its defaults (gtol = 1e-6, maxiter = 10, one censoring group, no
#   time-varying covariates); the rows are those hrh receives.
# * cov1 = model.matrix(~ covariates)[, -1]: numeric covariates as they are,
#   categorical ones as factors whose levels are sorted (C locale) unless a case names
#   a reference level (relevel), i.e. treatment contrasts against the first level in
#   sorted order, as hrh.
# * Recorded: coef, var (crr's sandwich variance), inf (the information matrix),
#   loglik and loglik.null (log pseudo-likelihood), converged, n; the coefficient
#   table of summary.crr (exp(coef), se(coef), z, p-value unrounded from coef / se,
#   and the conf.int columns at 0.95); and predict.crr(fit, cov1 = rows) at the listed
#   covariate rows (the same model.matrix coding), i.e. the cumulative incidence
#   1 - exp(-exp(x b) Lambda0(t)) at each distinct time of an exit of interest.

suppressPackageStartupMessages({
  library(survival)
  library(cmprsk)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args[grep("^--file=", args)])
out_dir <- if (length(script) == 1L) dirname(normalizePath(script)) else "tests/oracles"
out_file <- file.path(out_dir, "finegray.json")
data_env <- Sys.getenv("HRH_DATA", "")
shared <- if (nzchar(data_env)) data_env else
  file.path(dirname(dirname(dirname(out_dir))), "shared", "data")
senators_csv <- file.path(shared, "canadian_senators_tenure", "canadian_senators.csv")

arr <- function(x) I(unname(as.vector(x)))
sorted_levels <- function(x) sort(unique(x[!is.na(x)]), method = "radix")

datasets <- list()
add_data <- function(name, df) {
  cols <- lapply(df, function(col) arr(col))
  back <- fromJSON(toJSON(cols, digits = NA, na = "null"), simplifyVector = TRUE)
  for (nm in names(df)) {
    a <- df[[nm]]
    b <- back[[nm]]
    if (is.character(a)) ok <- identical(is.na(a), is.na(b)) && all(a == b, na.rm = TRUE)
    else ok <- identical(is.na(a), is.na(b)) && all(as.numeric(a) == b, na.rm = TRUE)
    if (!ok) stop(sprintf("column %s of %s does not round-trip through JSON", nm, name))
  }
  datasets[[name]] <<- list(n = nrow(df), columns = cols)
  invisible(df)
}

# ---------------------------------------------------------------------------------
# data

# mgus2 as in survival's "compete" vignette: time to plasma-cell malignancy (pcm) or
# death, whichever comes first; event 0 = censored, 1 = pcm, 2 = death.
m <- mgus2
m$etime <- ifelse(m$pstat == 0, m$futime, m$ptime)
m$event <- ifelse(m$pstat == 0, 2 * m$death, 1)
m <- m[complete.cases(m[, c("etime", "event", "age", "sex", "hgb", "mspike")]), ]
mgus_d <- data.frame(etime = m$etime, event = as.integer(m$event), age = m$age,
                     sex = as.character(m$sex), hgb = m$hgb, mspike = m$mspike,
                     stringsAsFactors = FALSE)
add_data("mgus2", mgus_d)

# Canadian senators: tenure in days; exit reason Death, Resignation, Retirement or
# Appointment declined (empty: still sitting, censored). Covariates: year of
# appointment and region (Ontario, Quebec, other).
s <- read.csv(senators_csv, stringsAsFactors = FALSE)
reason <- ifelse(s$exit_observed == "True", s$exit_reason, NA_character_)
stopifnot(all(!is.na(reason[s$exit_observed == "True"]) & reason[s$exit_observed == "True"] != ""))
region <- ifelse(s$province_territory %in% c("Ontario", "Quebec"), s$province_territory, "other")
sen_d <- data.frame(tenure_days = as.numeric(s$tenure_days), exit_reason = reason,
                    appointed = as.numeric(substr(s$start_date, 1, 4)),
                    region = region, stringsAsFactors = FALSE)
add_data("senators", sen_d)

# Heavy ties: integer times 1..6 with exits of interest, competing exits and
# censorings at the same times.
set.seed(20261203)
nt <- 40
ties_d <- data.frame(
  t = sample(1:6, nt, replace = TRUE),
  status = sample(c(0L, 1L, 1L, 2L), nt, replace = TRUE),
  x = round(rnorm(nt), 2),
  grp = sample(c("a", "b", "c"), nt, replace = TRUE),
  stringsAsFactors = FALSE
)
add_data("ties", ties_d)

# Exits and censorings at time 0: crr reads the censoring distribution at t (1 - 100 eps),
# i.e. just before t, except at 0, where it takes the value at 0.
zero_d <- data.frame(
  t = c(0, 0, 0, 1, 2, 2, 3, 4, 5, 5, 6, 7, 8, 9, 10),
  status = c(0L, 1L, 2L, 1L, 0L, 1L, 2L, 1L, 0L, 2L, 1L, 0L, 1L, 2L, 0L),
  x = c(0.3, -1, 0.5, 1.2, -0.4, 0.8, 0.1, -0.9, 1.5, -0.2, 0.6, -1.1, 0.4, 0.9, -0.6)
)
add_data("zero", zero_d)

# ---------------------------------------------------------------------------------
# cases

design <- function(df, covariates, reference = list()) {
  d <- df[, covariates, drop = FALSE]
  for (c in covariates) {
    if (is.character(d[[c]])) {
      lv <- sorted_levels(df[[c]])
      if (!is.null(reference[[c]])) lv <- c(reference[[c]], setdiff(lv, reference[[c]]))
      d[[c]] <- factor(d[[c]], levels = lv)
    }
  }
  f <- as.formula(paste("~", paste(covariates, collapse = " + ")))
  list(matrix = model.matrix(f, d)[, -1, drop = FALSE], frame = d, formula = f)
}

cases <- list()
add_case <- function(name, data, duration, cause, cause_of_interest, censor_code,
                     covariates, newdata, reference = list()) {
  df <- datasets[[data]]$columns
  df <- as.data.frame(lapply(df, unclass), stringsAsFactors = FALSE)
  des <- design(df, covariates, reference)
  status <- df[[cause]]
  if (is.na(censor_code)) {
    status <- ifelse(is.na(status), "<censored>", status)
    cencode <- "<censored>"
  } else {
    cencode <- censor_code
  }
  fit <- crr(df[[duration]], status, des$matrix, failcode = cause_of_interest,
             cencode = cencode)
  stopifnot(fit$converged)
  sm <- summary(fit)
  se <- sqrt(diag(fit$var))
  nd <- as.data.frame(newdata, stringsAsFactors = FALSE)
  for (c in covariates) if (is.factor(des$frame[[c]]))
    nd[[c]] <- factor(nd[[c]], levels = levels(des$frame[[c]]))
  x_new <- model.matrix(des$formula, nd)[, -1, drop = FALSE]
  pr <- predict(fit, cov1 = x_new)
  pr <- unclass(pr)
  cases[[length(cases) + 1L]] <<- list(
    name = name, data = data,
    args = list(duration = duration, cause = cause,
                cause_of_interest = cause_of_interest,
                covariates = I(covariates),
                reference = if (length(reference)) reference else NULL),
    terms = I(colnames(des$matrix)),
    n = fit$n,
    converged = fit$converged,
    coef = arr(fit$coef),
    exp_coef = arr(exp(fit$coef)),
    std_err = arr(se),
    z = arr(fit$coef / se),
    p_value = arr(2 * pnorm(-abs(fit$coef / se))),
    lower = arr(sm$conf.int[, 3]),
    upper = arr(sm$conf.int[, 4]),
    var = lapply(seq_len(nrow(fit$var)), function(i) arr(fit$var[i, ])),
    inf = lapply(seq_len(nrow(fit$inf)), function(i) arr(fit$inf[i, ])),
    loglik = fit$loglik,
    loglik_null = fit$loglik.null,
    newdata = lapply(newdata, arr),
    predict_time = arr(pr[, 1]),
    predict = lapply(seq_len(ncol(pr) - 1L), function(j) arr(pr[, j + 1L]))
  )
}

add_case("mgus2_pcm", "mgus2", "etime", "event", 1L, 0L,
         c("age", "sex", "hgb", "mspike"),
         list(age = c(60, 75, 80), sex = c("F", "M", "M"), hgb = c(13, 12, 10.5),
              mspike = c(1.2, 0.5, 2)))
add_case("mgus2_death", "mgus2", "etime", "event", 2L, 0L,
         c("age", "sex", "hgb", "mspike"),
         list(age = c(60, 80), sex = c("M", "F"), hgb = c(14, 11), mspike = c(1, 1.5)))
add_case("senators_resignation", "senators", "tenure_days", "exit_reason",
         "Resignation", NA, c("appointed", "region"),
         list(appointed = c(1900, 1950, 2000), region = c("Ontario", "Quebec", "other")))
add_case("senators_retirement_ref", "senators", "tenure_days", "exit_reason",
         "Retirement", NA, c("appointed", "region"),
         list(appointed = c(1970, 1990), region = c("other", "Quebec")),
         reference = list(region = "Quebec"))
add_case("ties", "ties", "t", "status", 1L, 0L, c("x", "grp"),
         list(x = c(0, 1.5), grp = c("a", "c")))
add_case("time_zero", "zero", "t", "status", 1L, 0L, c("x"), list(x = c(-1, 1)))

# ---------------------------------------------------------------------------------
# write

out <- list(
  generator = "tests/oracles/finegray.R",
  r_version = R.version.string,
  packages = list(survival = as.character(packageVersion("survival")),
                  cmprsk = as.character(packageVersion("cmprsk")),
                  jsonlite = as.character(packageVersion("jsonlite"))),
  date = format(Sys.Date(), "%Y-%m-%d"),
  notes = paste(
    "Conventions are documented in the header of tests/oracles/finegray.R.",
    "var and inf are lists of rows; predict is one list per newdata row, at",
    "predict_time. A null cause is censored (the senators still sitting)."),
  data = datasets,
  cases = cases
)
json <- toJSON(out, digits = NA, auto_unbox = TRUE, na = "null", null = "null",
               pretty = FALSE)
writeLines(json, out_file)
cat(sprintf("wrote %s: %d cases\n", out_file, length(cases)))
