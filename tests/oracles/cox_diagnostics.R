# Oracle for the diagnostics and variants of hrh.cox: residuals, the proportional-hazards
# test, cluster-robust variance, offsets, (start, stop] data with time-varying
# covariates, and standard errors of predicted survival curves, from R's survival.
#
# Run from the repository root:
#     Rscript tests/oracles/cox_diagnostics.R
# It writes tests/oracles/cox_diagnostics.json (R and survival versions recorded).
# Data: survival's lung (complete cases of time, status, age, sex, ph.ecog), veteran,
# ovarian, heart (the Stanford heart transplant data, jasa1: (start, stop] rows with
# a time-varying transplant indicator, several rows per id) and cgd (recurrent
# infections in chronic granulomatous disease: several (tstart, tstop] rows per child). Every input column of a
# case is stored in the JSON, so the Python test feeds exactly the rows R saw.
# Debian packages: r-cran-survival, r-cran-jsonlite.
#
# Conventions (R's defaults unless a case says otherwise):
# * Fit: coxph(Surv([start,] time, event) ~ covariates [+ strata(s)] [+ offset(o)],
#   ties, weights, robust = FALSE, cluster = id when a case has a cluster column).
#   Categorical covariates are factors with levels in sorted order (C locale).
# * Residuals: residuals(fit, type = t) for martingale, deviance, score, schoenfeld,
#   dfbeta, dfbetas; all with R's default `weighted` (TRUE for dfbeta and dfbetas
#   only); dfbeta uses the model-based variance (fit$naive.var when robust).
#   Schoenfeld residuals come one per exit in R's order (stratum, time, row), and the
#   0-based data row of each is recorded (`row`, computed as residuals.coxph orders
#   them).
# * Proportional-hazards test: cox.zph(fit, transform = t) with terms = TRUE (a
#   categorical covariate is one term with df = its number of levels - 1) and the
#   global test; survival >= 3.0 computes the score test of beta + gamma g(t) at the
#   fit (not the older approximation from scaled residuals). $table (chisq, df, p),
#   the scaled Schoenfeld residuals $y with their $x (transformed time), $time and the
#   0-based data row of each exit (`row`, computed as cox.zph orders them).
# * Predictions: summary(survfit(fit, newdata = nd), times = ...) with survfit.coxph's
#   defaults (stype 2, ctype 1 for Breslow and 2 for Efron ties, conf.type "log",
#   se.fit with the fit's variance, robust when the fit is); std.err is reported by
#   summary on the survival scale. One curve per newdata row.
# * Numbers: jsonlite::toJSON(digits = NA) (15 significant digits); NA as null.

suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args[grep("^--file=", args)])
out_dir <- if (length(script) == 1L) dirname(normalizePath(script)) else "tests/oracles"
out_file <- file.path(out_dir, "cox_diagnostics.json")

arr <- function(x) I(unname(as.vector(x)))
mat <- function(m) {
  m <- as.matrix(m)
  lapply(seq_len(ncol(m)), function(j) arr(m[, j]))
}
sorted_levels <- function(x) sort(unique(x[!is.na(x)]), method = "radix")
group_factor <- function(x) factor(x, levels = sorted_levels(x))

datasets <- list()
add_data <- function(name, df) {
  cols <- lapply(df, function(col) arr(col))
  back <- fromJSON(toJSON(cols, digits = NA, na = "null"), simplifyVector = TRUE)
  for (nm in names(df)) {
    a <- df[[nm]]
    b <- back[[nm]]
    ok <- if (is.character(a)) all(a == b) else all(as.numeric(a) == b)
    if (!ok) stop(sprintf("column %s of %s does not round-trip through JSON", nm, name))
  }
  datasets[[name]] <<- list(n = nrow(df), columns = cols)
  invisible(df)
}

# ---------------------------------------------------------------------------------
# data

lung0 <- lung[complete.cases(lung[, c("time", "status", "age", "sex", "ph.ecog")]), ]
lung_d <- data.frame(
  time = lung0$time, event = as.integer(lung0$status == 2), age = lung0$age,
  sex = lung0$sex, ph_ecog = lung0$ph.ecog,
  # non-integer case weights, a known log-hazard term (offset)
  weight = 0.5 + (seq_len(nrow(lung0)) %% 4) / 4,
  offset = round(0.3 * lung0$ph.ecog - 0.01 * (lung0$age - 60), 2)
)
add_data("lung", lung_d)

veteran_d <- data.frame(
  time = veteran$time, status = as.integer(veteran$status), trt = veteran$trt,
  celltype = as.character(veteran$celltype), karno = veteran$karno, age = veteran$age,
  weight = 1 + (seq_len(nrow(veteran)) %% 3) / 2, stringsAsFactors = FALSE
)
add_data("veteran", veteran_d)

ovarian_d <- data.frame(
  futime = ovarian$futime, fustat = as.integer(ovarian$fustat), age = ovarian$age,
  rx = ovarian$rx, ecog_ps = ovarian$ecog.ps, resid_ds = ovarian$resid.ds
)
add_data("ovarian", ovarian_d)

heart_d <- data.frame(
  start = heart$start, stop = heart$stop, event = as.integer(heart$event),
  # age and year (of acceptance, in years) rounded to 6 decimals so that the JSON
  # (15 significant digits) holds exactly the values R fits
  age = round(heart$age, 6), year = round(heart$year, 6), surgery = heart$surgery,
  transplant = as.integer(as.character(heart$transplant)), id = heart$id
)
add_data("heart", heart_d)

cgd_d <- data.frame(
  id = cgd$id, tstart = cgd$tstart, tstop = cgd$tstop, status = as.integer(cgd$status),
  treat = as.character(cgd$treat), sex = as.character(cgd$sex), age = cgd$age,
  hos_cat = as.character(cgd$hos.cat), stringsAsFactors = FALSE
)
add_data("cgd", cgd_d)

all_data <- list(lung = lung_d, veteran = veteran_d, ovarian = ovarian_d, heart = heart_d,
                 cgd = cgd_d)

# ---------------------------------------------------------------------------------
# cases

residual_types <- c("martingale", "deviance", "score", "schoenfeld", "dfbeta", "dfbetas")
transforms <- c("km", "rank", "identity", "log")

case <- function(id, data, duration, event, covariates, categorical = character(0),
                 entry = NULL, strata = NULL, weights = NULL, offset = NULL,
                 cluster = NULL, ties = "efron", newdata = NULL, times = NULL,
                 zph = transforms) {
  d <- all_data[[data]]
  for (v in categorical) d[[v]] <- group_factor(d[[v]])
  rhs <- paste(covariates, collapse = " + ")
  if (!is.null(strata)) rhs <- paste0(rhs, " + strata(", strata, ")")
  if (!is.null(offset)) rhs <- paste0(rhs, " + offset(", offset, ")")
  lhs <- if (is.null(entry)) sprintf("Surv(%s, %s)", duration, event) else
    sprintf("Surv(%s, %s, %s)", entry, duration, event)
  fml <- as.formula(paste(lhs, "~", rhs))
  d$.w <- if (is.null(weights)) rep(1, nrow(d)) else d[[weights]]
  d$.cl <- if (is.null(cluster)) seq_len(nrow(d)) else d[[cluster]]
  fit <- if (is.null(cluster)) {
    coxph(fml, data = d, ties = ties, weights = .w, robust = FALSE, x = TRUE, y = TRUE)
  } else {
    coxph(fml, data = d, ties = ties, weights = .w, cluster = .cl, x = TRUE, y = TRUE)
  }
  robust <- !is.null(fit$naive.var)
  s <- summary(fit)
  cf <- s$coefficients
  se_col <- if (robust) "robust se" else "se(coef)"
  summ <- list(term = arr(rownames(cf)), coef = arr(cf[, "coef"]), se = arr(cf[, se_col]),
               naive_se = arr(cf[, "se(coef)"]), z = arr(cf[, "z"]),
               p = arr(cf[, "Pr(>|z|)"]))
  test <- function(x) list(statistic = unname(x["test"]), df = unname(x["df"]),
                           p_value = unname(x["pvalue"]))
  wald <- s$waldtest
  wald["test"] <- fit$wald.test
  tests <- list(likelihood_ratio = test(s$logtest), wald = test(wald),
                score = test(s$sctest))
  if (robust) tests$robust_score <- test(s$robscore)

  # Residuals, and the data row of each Schoenfeld residual (residuals.coxph's order).
  y <- fit$y
  ny <- ncol(y)
  status <- y[, ny]
  strat <- if (is.null(strata)) NULL else as.numeric(group_factor(d[[strata]]))
  ord <- if (is.null(strat)) order(y[, ny - 1], -status) else
    order(strat, y[, ny - 1], -status)
  res <- list()
  for (t in residual_types) {
    r <- residuals(fit, type = t)
    res[[t]] <- if (is.matrix(r)) mat(r) else list(arr(r))
  }
  res$schoenfeld_row <- arr(ord[status[ord] == 1] - 1L)
  res$schoenfeld_time <- arr(y[ord[status[ord] == 1], ny - 1])
  stopifnot(all(res$schoenfeld_time == as.numeric(rownames(as.matrix(
    residuals(fit, type = "schoenfeld"))))))

  # Proportional-hazards tests, and the data row of each exit (cox.zph's order).
  istrat <- if (is.null(strat)) rep(0L, nrow(y)) else strat - 1L
  ev <- y[, ny] == 1
  zrow <- if (ny == 2) {
    o <- order(istrat, y[, 1])
    o[ev[o]]
  } else {
    o <- rev(order(-istrat, -y[, 2]))
    o[ev[o]]
  }
  zph_out <- list()
  for (tr in zph) {
    z <- cox.zph(fit, transform = tr)
    stopifnot(all(z$time == y[zrow, ny - 1]))
    zph_out[[tr]] <- list(term = arr(rownames(z$table)), chisq = arr(z$table[, "chisq"]),
                          df = arr(z$table[, "df"]), p = arr(z$table[, "p"]),
                          row = arr(zrow - 1L), time = arr(z$time), x = arr(z$x),
                          y = mat(z$y))
  }

  pred <- NULL
  if (!is.null(newdata)) {
    nd <- as.data.frame(newdata, stringsAsFactors = FALSE)
    for (v in categorical) nd[[v]] <- factor(nd[[v]], levels = levels(d[[v]]))
    rows <- list()
    for (k in seq_len(nrow(nd))) {
      sf <- survfit(fit, newdata = nd[k, , drop = FALSE])
      ss <- summary(sf, times = times, extend = TRUE)
      rows[[k]] <- data.frame(row = k - 1L, time = ss$time, survival = ss$surv,
                              std_err = ss$std.err, lower = ss$lower, upper = ss$upper)
    }
    tab <- do.call(rbind, rows)
    pred <- list(newdata = newdata, times = arr(times),
                 table = lapply(as.list(tab), arr))
  }
  list(id = id, data = data,
       args = list(duration = duration, event = event, covariates = arr(covariates),
                   categorical = arr(categorical), entry = entry, strata = strata,
                   weights = weights, offset = offset, cluster = cluster, ties = ties),
       robust = robust, n = fit$n, events = fit$nevent,
       loglik = arr(fit$loglik), summary = summ, tests = tests,
       concordance = unname(fit$concordance["concordance"]),
       var = mat(fit$var), naive_var = if (robust) mat(fit$naive.var) else NULL,
       residuals = res, zph = zph_out, predict = pred)
}

lung_new <- list(age = c(60, 70, 50), sex = c(2, 1, 1), ph_ecog = c(1, 2, 0))
cases <- list(
  case("lung-efron", "lung", "time", "event", c("age", "sex", "ph_ecog"),
       newdata = lung_new, times = c(5, 90, 180, 365, 730)),
  case("lung-breslow", "lung", "time", "event", c("age", "sex", "ph_ecog"),
       ties = "breslow", newdata = lung_new, times = c(90, 365)),
  case("lung-strata-sex-weights", "lung", "time", "event", c("age", "ph_ecog"),
       strata = "sex", weights = "weight",
       newdata = list(age = c(60, 55), ph_ecog = c(1, 0), sex = c(2, 1)),
       times = c(90, 365, 600)),
  case("lung-offset", "lung", "time", "event", c("age", "sex"), offset = "offset",
       newdata = list(age = c(60, 70), sex = c(2, 1), offset = c(0.3, -0.1)),
       times = c(90, 365)),
  case("veteran-efron", "veteran", "time", "status", c("trt", "celltype", "karno"),
       categorical = "celltype",
       newdata = list(trt = c(1, 2), celltype = c("large", "squamous"), karno = c(60, 80)),
       times = c(30, 90, 180)),
  case("veteran-breslow-weights", "veteran", "time", "status", c("trt", "karno", "age"),
       ties = "breslow", weights = "weight"),
  case("ovarian-efron", "ovarian", "futime", "fustat", c("age", "ecog_ps", "rx"),
       newdata = list(age = c(55, 65), ecog_ps = c(1, 2), rx = c(1, 2)),
       times = c(200, 500, 1000)),
  case("heart-start-stop-cluster", "heart", "stop", "event",
       c("age", "year", "surgery", "transplant"), entry = "start", cluster = "id",
       newdata = list(age = c(-5, 5), year = c(3, 1), surgery = c(0, 1),
                      transplant = c(1, 0)),
       times = c(50, 200, 500)),
  case("heart-start-stop-breslow", "heart", "stop", "event",
       c("age", "year", "surgery", "transplant"), entry = "start", ties = "breslow"),
  # recurrent infections: several (tstart, tstop] rows per child, clustered by id,
  # stratified by hospital category
  case("cgd-recurrent-strata-cluster", "cgd", "tstop", "status", c("treat", "sex", "age"),
       categorical = c("treat", "sex"), entry = "tstart", strata = "hos_cat",
       cluster = "id",
       newdata = list(treat = c("placebo", "rIFN-g"), sex = c("female", "male"),
                      age = c(10, 20), hos_cat = c("US:other", "Europe:Amsterdam")),
       times = c(100, 300))
)

out <- list(
  versions = list(R = R.version.string,
                  survival = as.character(packageVersion("survival")),
                  jsonlite = as.character(packageVersion("jsonlite"))),
  data = datasets,
  cases = cases
)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, null = "null", na = "null",
                  pretty = FALSE),
           out_file)
cat(sprintf("wrote %s: %d cases\n", out_file, length(cases)))
