# Oracle for hrh.trend: R's lm/predict.lm, forecast::ets, forecast::holt/ses
# (initial = "simple") and stats::arima / forecast::Arima / auto.arima on real series.
#
# Run from the repository root (HRH_DATA may point at the shared data folder; default
# ../shared/data relative to the repository):
#     Rscript tests/oracles/forecast.R
# It writes tests/oracles/forecast.json next to this script (jsonlite, digits = NA: 15
# significant digits), with the R and package versions and every input series.
#
# Series (all annual or treated as plain equally spaced series, frequency 1):
#   austres   Australian residents (thousands), quarterly 1971-1993 (datasets package),
#             used as a plain series of 89 points.
#   WWWusage  Internet usage per minute, 100 points (datasets package).
#   LakeHuron Level of Lake Huron (feet), 1875-1972, 98 points (datasets package).
#   WDI physicians per 1,000 people (SH.MED.PHYS.ZS), World Bank WDI 2023-03-01 release,
#             countries with a complete annual run: CHE 1960-2020, HUN 1960-2019,
#             SWE 1960-2018, SRB 2003-2015.
#
# Models, horizon 10, levels 80 and 95:
#   linear     lm(y ~ t); predict(interval = "prediction")
#   loglinear  lm(log(y) ~ t); exp of predict(interval = "prediction")
#   ets_ANN, ets_AAN, ets_AAdN   ets(y, model = "ANN" / "AAN", damped = FALSE/TRUE)
#   holt_simple          holt(y, initial = "simple") (alpha, beta by L-BFGS-B)
#   holt_simple_fixed    holt(y, initial = "simple", alpha = 0.8, beta = 0.2)
#   ses_simple           ses(y, initial = "simple")
#   holt_fixed           ets(y, "AAN", alpha = 0.5, beta = 0.1) (initial states by ML)
#   arima_110_drift      Arima(y, order = c(1, 1, 0), include.drift = TRUE)
#   arima_011            Arima(y, order = c(0, 1, 1))
#   arima_111            Arima(y, order = c(1, 1, 1))
#   arima_200            Arima(y, order = c(2, 0, 0)) (with a mean, R's default)
#   arima_100_drift      Arima(y, order = c(1, 0, 0), include.drift = TRUE) (mean and
#                        drift)
#   damped_fixed_phi     ets(y, "AAN", damped = TRUE, phi = 0.9)
#   arima_auto           auto.arima(y, stepwise = FALSE, approximation = FALSE,
#                        seasonal = FALSE, max.p = 3, max.q = 3, max.order = 6)

suppressPackageStartupMessages({
  library(forecast)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args[grep("^--file=", args)])
out_dir <- if (length(script) == 1L) dirname(normalizePath(script)) else "tests/oracles"
out_file <- file.path(out_dir, "forecast.json")
repo <- normalizePath(file.path(out_dir, "..", ".."))
data_dir <- Sys.getenv("HRH_DATA", file.path(dirname(repo), "shared", "data"))
wdi <- read.csv(file.path(data_dir, "wdi_health_workforce", "wdi_health_workforce_long.csv"))
phys <- wdi[wdi$indicator == "SH.MED.PHYS.ZS", ]

H <- 10
LEVELS <- c(80, 95)

wdi_series <- function(iso, y0, y1) {
  d <- phys[phys$iso3 == iso & phys$year >= y0 & phys$year <= y1, ]
  d <- d[order(d$year), ]
  stopifnot(all(diff(d$year) == 1), nrow(d) == y1 - y0 + 1)
  list(name = paste0("wdi_", iso), time = d$year, value = d$value)
}

series <- list(
  list(name = "austres", time = seq_along(austres), value = as.numeric(austres)),
  list(name = "WWWusage", time = seq_along(WWWusage), value = as.numeric(WWWusage)),
  list(name = "LakeHuron", time = as.numeric(time(LakeHuron)), value = as.numeric(LakeHuron)),
  wdi_series("CHE", 1960, 2020),
  wdi_series("HUN", 1960, 2019),
  wdi_series("SWE", 1960, 2018),
  wdi_series("SRB", 2003, 2015)
)

fc_out <- function(f) {
  list(
    mean = as.numeric(f$mean),
    lower = lapply(seq_along(LEVELS), function(i) as.numeric(f$lower[, i])),
    upper = lapply(seq_along(LEVELS), function(i) as.numeric(f$upper[, i]))
  )
}

lm_case <- function(s, log) {
  t <- s$time
  y <- if (log) log(s$value) else s$value
  fit <- lm(y ~ t)
  newt <- data.frame(t = max(t) + seq_len(H))
  tr <- if (log) exp else identity
  lo <- up <- list()
  for (i in seq_along(LEVELS)) {
    p <- predict(fit, newt, interval = "prediction", level = LEVELS[i] / 100)
    lo[[i]] <- tr(as.numeric(p[, "lwr"]))
    up[[i]] <- tr(as.numeric(p[, "upr"]))
  }
  mean <- tr(as.numeric(predict(fit, newt)))
  list(
    intercept = unname(coef(fit)[1]), slope = unname(coef(fit)[2]),
    sigma = summary(fit)$sigma, r_squared = summary(fit)$r.squared,
    loglik = as.numeric(logLik(fit)), aic = AIC(fit), bic = BIC(fit),
    fitted = tr(as.numeric(fitted(fit))),
    mean = mean, lower = lo, upper = up
  )
}

ets_case <- function(fit) {
  f <- forecast(fit, h = H, level = LEVELS)
  par <- as.list(fit$par)
  c(list(
    par = par, loglik = fit$loglik, aic = fit$aic, aicc = fit$aicc, bic = fit$bic,
    sse = sum(residuals(fit)^2), sigma2 = fit$sigma2,
    fitted = as.numeric(fitted(fit))
  ), fc_out(f))
}

simple_case <- function(f) {
  m <- f$model
  c(list(
    par = as.list(m$par), sse = m$SSE, sigma2 = m$sigma2,
    fitted = as.numeric(fitted(f))
  ), fc_out(f))
}

arima_case <- function(fit) {
  f <- forecast(fit, h = H, level = LEVELS)
  c(list(
    order = unname(arimaorder(fit)), coef = as.list(coef(fit)),
    loglik = fit$loglik, aic = fit$aic, aicc = fit$aicc, bic = fit$bic,
    sigma2 = fit$sigma2, fitted = as.numeric(fitted(fit))
  ), fc_out(f))
}

safe <- function(expr) tryCatch(expr, error = function(e) list(error = conditionMessage(e)))

cases <- list()
for (s in series) {
  y <- ts(s$value)
  out <- list(name = s$name, time = s$time, value = s$value)
  out$linear <- lm_case(s, FALSE)
  out$loglinear <- lm_case(s, TRUE)
  out$ets_ANN <- safe(ets_case(ets(y, model = "ANN")))
  out$ets_AAN <- safe(ets_case(ets(y, model = "AAN", damped = FALSE)))
  out$ets_AAdN <- safe(ets_case(ets(y, model = "AAN", damped = TRUE)))
  out$damped_fixed_phi <- safe(ets_case(ets(y, model = "AAN", damped = TRUE, phi = 0.9)))
  out$holt_fixed <- safe(ets_case(ets(y, model = "AAN", damped = FALSE, alpha = 0.5, beta = 0.1)))
  out$holt_simple <- safe(simple_case(holt(y, h = H, level = LEVELS, initial = "simple")))
  out$holt_simple_fixed <- safe(simple_case(
    holt(y, h = H, level = LEVELS, initial = "simple", alpha = 0.8, beta = 0.2)
  ))
  out$ses_simple <- safe(simple_case(ses(y, h = H, level = LEVELS, initial = "simple")))
  out$arima_110_drift <- safe(arima_case(Arima(y, order = c(1, 1, 0), include.drift = TRUE)))
  out$arima_011 <- safe(arima_case(Arima(y, order = c(0, 1, 1))))
  out$arima_111 <- safe(arima_case(Arima(y, order = c(1, 1, 1))))
  out$arima_200 <- safe(arima_case(Arima(y, order = c(2, 0, 0))))
  out$arima_100_drift <- safe(arima_case(Arima(y, order = c(1, 0, 0), include.drift = TRUE)))
  out$arima_auto <- safe(arima_case(auto.arima(
    y, stepwise = FALSE, approximation = FALSE, seasonal = FALSE,
    max.p = 3, max.q = 3, max.order = 6
  )))
  cases[[s$name]] <- out
}

result <- list(
  generator = "tests/oracles/forecast.R",
  r_version = R.version.string,
  forecast_version = as.character(packageVersion("forecast")),
  jsonlite_version = as.character(packageVersion("jsonlite")),
  horizon = H,
  levels = LEVELS,
  series = cases
)
writeLines(toJSON(result, digits = NA, auto_unbox = TRUE, pretty = FALSE), out_file)
cat("wrote", out_file, "\n")
