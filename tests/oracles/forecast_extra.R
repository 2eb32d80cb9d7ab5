# Oracle for hrh.trend additions: standard errors of ARIMA coefficients, the stepwise
# automatic ARIMA search, and structural breaks (level shifts, slope changes) in the
# trends and in ARIMA, against R's stats::arima, forecast::Arima / auto.arima and lm.
#
# Run from the repository root (HRH_DATA may point at the shared data folder; default
# ../shared/data relative to the repository):
#     Rscript tests/oracles/forecast_extra.R
# It writes tests/oracles/forecast_extra.json next to this script (jsonlite, digits =
# NA), with the R and package versions. Series from R's datasets package are stored
# with their values; workforce series are stored by source, indicator, country and
# years (the test reads them from HRH_DATA) with their first and last values as a check.
#
# 1. Standard errors (section "se"): Arima(y, order, include.mean, include.drift) on
#    the series of forecast.R; R's sqrt(diag(var.coef)) and, as a precise reference,
#    the square roots of the diagonal of the inverse of a Richardson-extrapolated (steps
#    0.05 and 0.025 of R's standard error)
#    central-difference Hessian of R's own −log-likelihood (stats::arima with all
#    coefficients fixed, transform.pars = FALSE, method = "ML", i.e. the exact
#    likelihood of the fit, σ² concentrated out) at R's estimates. R's var.coef comes
#    from optim's finite differences in transformed coordinates and a forward-difference
#    Jacobian of the AR transformation (steps 1e-3), so it differs from the precise
#    value by up to ~1e-3 relative; both are recorded.
# 2. Stepwise search (section "stepwise"): auto.arima(y, seasonal = FALSE) with its
#    defaults (stepwise = TRUE, approximation = FALSE for these lengths, ic = "aicc",
#    max.p = max.q = 5), with the trace of models tried.
# 3. Breaks (section "breaks", Russia's doctors per 10,000 (NHWA) 1990-2020 and
#    physicians per 1,000 (WDI) 1985-2020, whose definitions changed in 2011 and 2020),
#    with step regressors 1{t >= tau} and hinges
#    (t - tau) 1{t >= tau}: lm (coefficients, summary SEs, t, p, confint, predict
#    intervals), lm on log y, Arima(xreg =) and forecast(xreg = future), whose future
#    step regressors are 1 and hinges t - tau; auto.arima(xreg =).

suppressPackageStartupMessages({
  library(forecast)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args[grep("^--file=", args)])
out_dir <- if (length(script) == 1L) dirname(normalizePath(script)) else "tests/oracles"
out_file <- file.path(out_dir, "forecast_extra.json")
repo <- normalizePath(file.path(out_dir, "..", ".."))
data_dir <- Sys.getenv("HRH_DATA", file.path(dirname(repo), "shared", "data"))
wdi <- read.csv(file.path(data_dir, "wdi_health_workforce", "wdi_health_workforce_long.csv"))
nhwa <- read.csv(file.path(data_dir, "who_nhwa_doctors_nurses", "who_nhwa_doctors_nurses_long.csv"))

H <- 5
LEVELS <- c(80, 95)
# Fixed-order fits run R's optimiser to a tight tolerance (optim's BFGS, reltol 1e-12
# instead of 1e-8), so that R's optimum is precise enough for 1e-6 comparisons; the
# automatic searches keep auto.arima's defaults.
TIGHT <- list(reltol = 1e-12, maxit = 1000)

wdi_series <- function(indicator, iso, y0, y1) {
  d <- wdi[wdi$indicator == indicator & wdi$iso3 == iso & wdi$year >= y0 & wdi$year <= y1, ]
  d <- d[order(d$year), ]
  stopifnot(all(diff(d$year) == 1), nrow(d) == y1 - y0 + 1)
  list(name = paste("wdi", indicator, iso, sep = "_"), source = "wdi", indicator = indicator,
       iso3 = iso, time = d$year, value = d$value)
}
nhwa_series <- function(indicator, iso, y0, y1) {
  d <- nhwa[nhwa$indicator_code == indicator & nhwa$iso3 == iso & nhwa$year >= y0 &
              nhwa$year <= y1, ]
  d <- d[order(d$year), ]
  stopifnot(all(diff(d$year) == 1), nrow(d) == y1 - y0 + 1)
  list(name = paste("nhwa", indicator, iso, sep = "_"), source = "nhwa", indicator = indicator,
       iso3 = iso, time = d$year, value = d$value)
}
r_series <- function(name, x) {
  list(name = name, source = "R", time = seq_along(x), value = as.numeric(x))
}
stored <- function(s) {
  if (s$source == "R") {
    s
  } else {
    list(name = s$name, source = s$source, indicator = s$indicator, iso3 = s$iso3,
         time = s$time, first = s$value[1], last = s$value[length(s$value)])
  }
}

fc_out <- function(f) {
  list(
    mean = as.numeric(f$mean),
    lower = lapply(seq_along(LEVELS), function(i) as.numeric(f$lower[, i])),
    upper = lapply(seq_along(LEVELS), function(i) as.numeric(f$upper[, i]))
  )
}
safe <- function(expr) tryCatch(expr, error = function(e) list(error = conditionMessage(e)))

# --------------------------------------------------------------------------- 1. SEs

# -log L of stats::arima at the coefficients `b` (names as coef(fit)), all fixed.
arima_nll <- function(y, order, b, xreg) {
  has_mean <- "intercept" %in% names(b)
  f <- suppressWarnings(stats::arima(
    y, order = order, xreg = xreg, include.mean = has_mean, fixed = b,
    transform.pars = FALSE, method = "ML"
  ))
  -f$loglik
}

# Richardson-extrapolated central differences (steps h and h/2) of fn at x.
hessian_richardson <- function(fn, x, h) {
  k <- length(x)
  one <- function(h) {
    H <- matrix(0, k, k)
    f0 <- fn(x)
    for (i in 1:k) {
      ei <- replace(rep(0, k), i, h[i])
      H[i, i] <- (fn(x + ei) - 2 * f0 + fn(x - ei)) / h[i]^2
      if (i > 1) for (j in 1:(i - 1)) {
        ej <- replace(rep(0, k), j, h[j])
        H[i, j] <- H[j, i] <- (fn(x + ei + ej) - fn(x + ei - ej) - fn(x - ei + ej) +
                                 fn(x - ei - ej)) / (4 * h[i] * h[j])
      }
    }
    H
  }
  (4 * one(h / 2) - one(h)) / 3
}

se_case <- function(s, order, mean, drift) {
  y <- ts(s$value)
  fit <- Arima(y, order = order, include.mean = mean, include.drift = drift,
               optim.control = TIGHT)
  b <- coef(fit)
  xreg <- if (drift) cbind(drift = seq_along(y)) else NULL
  se_r <- sqrt(diag(fit$var.coef))
  # Steps: 0.05 of R's standard error, or of 0.1 max(|b|, 1) where R has none.
  h <- ifelse(is.finite(se_r), 5e-2 * se_r, 5e-3 * pmax(abs(b), 1))
  precise <- tryCatch({
    H <- hessian_richardson(function(v) arima_nll(y, order, setNames(v, names(b)), xreg),
                            unname(b), unname(h))
    sqrt(diag(solve(H)))
  }, error = function(e) conditionMessage(e))
  out <- list(
    series = s$name, order = order, mean = mean, drift = drift,
    terms = names(b), coef = unname(b), loglik = fit$loglik,
    std_err_r = unname(se_r)
  )
  if (is.character(precise)) out$hessian_error <- precise else out$std_err_hessian <- precise
  out
}

r_all <- list(
  r_series("austres", austres), r_series("WWWusage", WWWusage),
  r_series("LakeHuron", LakeHuron)
)
wdi_phys <- list(
  wdi_series("SH.MED.PHYS.ZS", "CHE", 1960, 2020),
  wdi_series("SH.MED.PHYS.ZS", "HUN", 1960, 2019),
  wdi_series("SH.MED.PHYS.ZS", "SWE", 1960, 2018),
  wdi_series("SH.MED.PHYS.ZS", "SRB", 2003, 2015)
)
se_series <- c(r_all, wdi_phys)
se_specs <- list(
  list(order = c(0, 1, 1), mean = TRUE, drift = FALSE),
  list(order = c(1, 1, 1), mean = TRUE, drift = FALSE),
  list(order = c(1, 1, 0), mean = TRUE, drift = TRUE),
  list(order = c(2, 0, 0), mean = TRUE, drift = FALSE),
  list(order = c(1, 0, 1), mean = TRUE, drift = FALSE),
  list(order = c(1, 0, 0), mean = TRUE, drift = TRUE)
)
se_cases <- list()
for (s in se_series) for (sp in se_specs) {
  key <- sprintf("%s_%d%d%d%s", s$name, sp$order[1], sp$order[2], sp$order[3],
                 if (sp$drift) "_drift" else "")
  res <- safe(se_case(s, sp$order, sp$mean, sp$drift))
  if (!is.null(res$error)) {
    res <- c(list(series = s$name, order = sp$order, mean = sp$mean, drift = sp$drift), res)
  }
  se_cases[[key]] <- res
}

# --------------------------------------------------------------------------- 2. stepwise

# Complete annual runs of NHWA doctors per 10,000 (HWF_0001) 2000-2020 and WDI nurses
# and midwives per 1,000 1990-2019, for a few countries.
nhwa_doc <- lapply(c("AUT", "CZE", "GEO", "LTU", "RUS"),
                   function(iso) nhwa_series("HWF_0001", iso, 2000, 2020))
wdi_nurse <- lapply(c("ESP", "HUN"),
                    function(iso) wdi_series("SH.MED.NUMW.P3", iso, 1990, 2019))
step_series <- c(r_all, wdi_phys, nhwa_doc, wdi_nurse)

arima_out <- function(fit, newxreg = NULL) {
  f <- forecast(fit, h = H, level = LEVELS, xreg = newxreg)
  c(list(
    order = unname(arimaorder(fit)), terms = names(coef(fit)), coef = unname(coef(fit)),
    std_err_r = unname(sqrt(diag(fit$var.coef))),
    loglik = fit$loglik, aicc = fit$aicc, sigma2 = fit$sigma2
  ), fc_out(f))
}

step_cases <- list()
for (s in step_series) {
  y <- ts(s$value)
  tr <- capture.output(fit <- safe(auto.arima(y, seasonal = FALSE, trace = TRUE)))
  out <- if (!is.null(fit$error)) fit else arima_out(fit)
  out$trace <- trimws(tr[nzchar(trimws(tr))])
  out$series <- stored(s)
  step_cases[[s$name]] <- out
}

# --------------------------------------------------------------------------- 3. breaks

design <- function(t, level, slope) {
  X <- NULL
  for (tau in level) X <- cbind(X, as.numeric(t >= tau))
  for (tau in slope) X <- cbind(X, ifelse(t >= tau, t - tau, 0))
  colnames(X) <- c(if (length(level)) paste0("level_shift_", level),
                   if (length(slope)) paste0("slope_change_", slope))
  X
}

lm_break <- function(s, level, slope, log) {
  t <- s$time
  y <- if (log) log(s$value) else s$value
  X <- design(t, level, slope)
  d <- data.frame(y = y, t = t, X, check.names = FALSE)
  fit <- lm(y ~ ., data = d)
  newt <- max(t) + seq_len(H)
  nd <- data.frame(t = newt, design(newt, level, slope), check.names = FALSE)
  tr <- if (log) exp else identity
  lo <- up <- list()
  for (i in seq_along(LEVELS)) {
    p <- predict(fit, nd, interval = "prediction", level = LEVELS[i] / 100)
    lo[[i]] <- tr(as.numeric(p[, "lwr"]))
    up[[i]] <- tr(as.numeric(p[, "upr"]))
  }
  sm <- summary(fit)$coefficients
  ci <- confint(fit, level = 0.95)
  list(
    terms = c("intercept", "slope", colnames(X)),
    estimate = unname(sm[, 1]), std_err = unname(sm[, 2]), statistic = unname(sm[, 3]),
    p_value = unname(sm[, 4]), lower = unname(ci[, 1]), upper = unname(ci[, 2]),
    sigma = summary(fit)$sigma, r_squared = summary(fit)$r.squared,
    loglik = as.numeric(logLik(fit)), aic = AIC(fit), bic = BIC(fit),
    fitted = tr(as.numeric(fitted(fit))),
    mean = tr(as.numeric(predict(fit, nd))), lower_fc = lo, upper_fc = up
  )
}

arima_break <- function(s, level, slope, order, drift, mean = TRUE) {
  t <- s$time
  X <- design(t, level, slope)
  newX <- design(max(t) + seq_len(H), level, slope)
  y <- ts(s$value)
  fit <- Arima(y, order = order, xreg = X, include.drift = drift,
               include.mean = mean, optim.control = TIGHT)
  out <- arima_out(fit, newX)
  b <- coef(fit)
  xr <- if (drift) cbind(drift = seq_along(y), X) else X
  H <- hessian_richardson(function(v) arima_nll(y, order, setNames(v, names(b)), xr),
                          unname(b), 5e-2 * out$std_err_r)
  out$std_err_hessian <- sqrt(diag(solve(H)))
  out
}

auto_break <- function(s, level, slope) {
  t <- s$time
  X <- design(t, level, slope)
  newX <- design(max(t) + seq_len(H), level, slope)
  fit <- auto.arima(ts(s$value), xreg = X, seasonal = FALSE)
  arima_out(fit, newX)
}

rus_doc <- nhwa_series("HWF_0001", "RUS", 1990, 2020)
rus_doc$name <- "nhwa_HWF_0001_RUS_1990"
rus_phys <- wdi_series("SH.MED.PHYS.ZS", "RUS", 1985, 2020)
break_cases <- list()
for (s in list(rus_doc, rus_phys)) {
  b2 <- list(level = c(2011, 2020), slope = numeric())
  bs <- list(level = 2011, slope = 2011)
  break_cases[[s$name]] <- list(
    series = stored(s),
    linear_levels = safe(lm_break(s, b2$level, b2$slope, FALSE)),
    loglinear_levels = safe(lm_break(s, b2$level, b2$slope, TRUE)),
    linear_level_slope = safe(lm_break(s, bs$level, bs$slope, FALSE)),
    arima_110_drift_levels = safe(arima_break(s, b2$level, b2$slope, c(1, 1, 0), TRUE)),
    arima_100_levels = safe(arima_break(s, b2$level, b2$slope, c(1, 0, 0), FALSE)),
    arima_011_level_slope = safe(arima_break(s, bs$level, bs$slope, c(0, 1, 1), FALSE)),
    auto_levels = safe(auto_break(s, b2$level, b2$slope))
  )
}

result <- list(
  generator = "tests/oracles/forecast_extra.R",
  r_version = R.version.string,
  forecast_version = as.character(packageVersion("forecast")),
  jsonlite_version = as.character(packageVersion("jsonlite")),
  horizon = H,
  levels = LEVELS,
  series = {
    all <- c(se_series, nhwa_doc, wdi_nurse, list(rus_doc, rus_phys))
    setNames(lapply(all, stored), vapply(all, function(s) s$name, ""))
  },
  se = se_cases,
  stepwise = step_cases,
  breaks = break_cases
)
writeLines(toJSON(result, digits = NA, auto_unbox = TRUE, pretty = FALSE), out_file)
cat("wrote", out_file, "\n")
