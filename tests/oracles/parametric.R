# Oracle for hrh.parametric (parametric accelerated-failure-time survival models):
# reference values from R's survival::survreg.
#
# Run from the repository root:
#     Rscript tests/oracles/parametric.R
# It reads R's `lung` and `ovarian` (package survival) and the shared real-data file
# ../shared/data/canadian_senators_tenure/canadian_senators.csv (or
# $HRH_DATA/canadian_senators_tenure/...), and writes tests/oracles/parametric.json.
#
# Data sets (every input column a case uses is stored in the JSON, so the Python test
# feeds exactly the rows R saw):
# * lung: complete cases of time, status, age, sex, ph.ecog; event = status - 1;
#   sex and ph.ecog numeric, as in the data.
# * ovarian: futime, fustat, age, rx (rx numeric).
# * senators: tenure in years = tenure_days / 365.25, rows with tenure_days > 0 (three
#   declined appointments have 0 days); event = exit_observed; covariates `decade`
#   = (year of start_date - 1867) / 10 (numeric) and `region` = Quebec, Ontario or
#   Other (a factor with levels in sorted order, so "Ontario" is the reference).
#
# Conventions:
# * survreg(Surv(time, event) ~ covariates, dist = d) for d in exponential, weibull,
#   lognormal, loglogistic, with survreg.control(rel.tolerance = 1e-12, maxiter = 100)
#   so that the reference is converged well beyond the 1e-5 the test asks for.
# * coef = coef(fit) (intercept first), log_scale = log(fit$scale) (absent for the
#   exponential), var = vcov(fit) (rows/cols: coefficients, then Log(scale)),
#   loglik = fit$loglik (intercept-only model, full model; the log-likelihood of T,
#   Jacobian included).
# * quantiles: predict(fit, newdata, type = "quantile", p = c(.1, .5, .9), se.fit = TRUE):
#   the time by which 10, 50, 90 % have left and its standard error (time scale).
# * survival: from the linear predictor lp = predict(fit, newdata, type = "lp"),
#   S(t) = 1 - psurvreg(t, lp, fit$scale, d); hazard h(t) = dsurvreg(...) / S(t).
#   Their delta-method standard errors are computed here by five-point central
#   differences (step 1e-3 standard errors of each parameter) of log(-log S) and
#   log h in (coef, log scale) with vcov(fit): an implementation independent of hrh's analytic derivatives. The 95 % interval of S is
#   exp(-exp(log(-log S) -/+ 1.96 se)), of h exp(log h +/- 1.96 se).
# * restricted mean up to tau: integrate(S, 0, tau, rel.tol = 1e-11), its standard error
#   by five-point central differences (step 1e-2 standard errors) of that integral.
# Numbers are written with jsonlite::toJSON(digits = NA) (15 significant digits).

suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

data_dir <- Sys.getenv("HRH_DATA", "../shared/data")
senators_csv <- file.path(data_dir, "canadian_senators_tenure", "canadian_senators.csv")
if (!file.exists(senators_csv)) senators_csv <- "/work/shared/data/canadian_senators_tenure/canadian_senators.csv"

lung_df <- survival::lung[, c("time", "status", "age", "sex", "ph.ecog")]
lung_df <- lung_df[complete.cases(lung_df), ]
lung_df$event <- lung_df$status - 1
lung_df$status <- NULL
rownames(lung_df) <- NULL

ov <- survival::ovarian[, c("futime", "fustat", "age", "rx")]
names(ov) <- c("time", "event", "age", "rx")

sen <- read.csv(senators_csv, stringsAsFactors = FALSE)
sen <- sen[sen$tenure_days > 0, ]
sen_df <- data.frame(
  tenure_days = sen$tenure_days,
  event = as.integer(sen$exit_observed == "True" | sen$exit_observed == "true" | sen$exit_observed == TRUE),
  decade = (as.integer(substr(sen$start_date, 1, 4)) - 1867) / 10,
  region = ifelse(sen$province_territory %in% c("Quebec", "Ontario"), sen$province_territory, "Other"),
  stringsAsFactors = FALSE
)
sen_df$time <- sen_df$tenure_days / 365.25

cases <- list(
  lung = list(data = lung_df, covariates = c("age", "sex", "ph.ecog"),
              new = data.frame(age = c(50, 70), sex = c(1, 2), ph.ecog = c(0, 2)),
              times = c(100, 365, 730), tau = c(365, 1000)),
  ovarian = list(data = ov, covariates = c("age", "rx"),
                 new = data.frame(age = c(50, 65), rx = c(1, 2)),
                 times = c(200, 600, 1200), tau = c(500, 1000)),
  senators = list(data = sen_df, covariates = c("decade", "region"),
                  new = data.frame(decade = c(3, 12), region = c("Other", "Quebec")),
                  times = c(1, 5, 15, 30), tau = c(10, 25))
)

dists <- c("exponential", "weibull", "lognormal", "loglogistic")
ctrl <- survreg.control(rel.tolerance = 1e-12, maxiter = 100)
probs <- c(0.1, 0.5, 0.9)

# Survival and hazard at t of a linear predictor from parameters (coef, log scale).
surv_at <- function(theta, X, d, t, has_scale) {
  k <- ncol(X)
  lp <- drop(X %*% theta[1:k])
  sc <- if (has_scale) exp(theta[k + 1]) else 1
  1 - psurvreg(t, lp, sc, d)
}
haz_at <- function(theta, X, d, t, has_scale) {
  k <- ncol(X)
  lp <- drop(X %*% theta[1:k])
  sc <- if (has_scale) exp(theta[k + 1]) else 1
  dsurvreg(t, lp, sc, d) / (1 - psurvreg(t, lp, sc, d))
}
rmst_at <- function(theta, X, d, tau, has_scale) {
  sapply(seq_len(nrow(X)), function(r) {
    integrate(function(t) surv_at(theta, X[r, , drop = FALSE], d, t, has_scale),
              0, tau, rel.tol = 1e-11, subdivisions = 1000L)$value
  })
}
fd_se <- function(f, theta, V, h = 1e-3) {
  # Five-point central differences (truncation error O(h^4)), with each parameter's
  # step h times its standard error, so that a covariate in large units (age in years)
  # moves the linear predictor as little as the others.
  g <- sapply(seq_along(theta), function(j) {
    hj <- h * sqrt(V[j, j])
    at <- function(s) { th <- theta; th[j] <- th[j] + s * hj; f(th) }
    (-at(2) + 8 * at(1) - 8 * at(-1) + at(-2)) / (12 * hj)
  })
  g <- matrix(g, ncol = length(theta))
  sqrt(rowSums((g %*% V) * g))
}

out <- list(
  versions = list(R = R.version.string, survival = as.character(packageVersion("survival")),
                  jsonlite = as.character(packageVersion("jsonlite"))),
  data = list(), cases = list()
)
out$data$lung <- as.list(lung_df)
out$data$ovarian <- as.list(ov)
out$data$senators <- as.list(sen_df[, c("tenure_days", "event", "decade", "region")])

for (name in names(cases)) {
  cs <- cases[[name]]
  df <- cs$data
  if (name == "senators") df$region <- factor(df$region, levels = sort(unique(df$region), method = "radix"))
  new <- cs$new
  if (name == "senators") new$region <- factor(new$region, levels = levels(df$region))
  form <- as.formula(paste("Surv(time, event) ~", paste(cs$covariates, collapse = " + ")))
  for (d in dists) {
    fit <- survreg(form, data = df, dist = d, control = ctrl)
    has_scale <- d != "exponential"
    X <- model.matrix(delete.response(terms(fit)), new)
    theta <- c(coef(fit), if (has_scale) log(fit$scale))
    V <- vcov(fit)
    q <- predict(fit, newdata = new, type = "quantile", p = probs, se.fit = TRUE)
    surv <- sapply(cs$times, function(t) surv_at(theta, X, d, t, has_scale))
    haz <- sapply(cs$times, function(t) haz_at(theta, X, d, t, has_scale))
    surv_se_loglog <- sapply(cs$times, function(t)
      fd_se(function(th) log(-log(surv_at(th, X, d, t, has_scale))), theta, V))
    haz_se_log <- sapply(cs$times, function(t)
      fd_se(function(th) log(haz_at(th, X, d, t, has_scale)), theta, V))
    rm <- sapply(cs$tau, function(tau) rmst_at(theta, X, d, tau, has_scale))
    rm_se <- sapply(cs$tau, function(tau)
      fd_se(function(th) rmst_at(th, X, d, tau, has_scale), theta, V, h = 1e-2))
    z <- qnorm(0.975)
    case <- list(
      data = name, dist = d, covariates = cs$covariates,
      terms = names(coef(fit)),
      coef = unname(coef(fit)),
      log_scale = if (has_scale) log(fit$scale) else NULL,
      var = unname(V),
      loglik = unname(fit$loglik),
      iterations = fit$iter,
      new_data = as.list(cs$new),
      probs = probs,
      quantile = unname(as.matrix(q$fit)), quantile_se = unname(as.matrix(q$se.fit)),
      times = cs$times,
      survival = unname(matrix(surv, nrow = nrow(new))),
      survival_lower = unname(matrix(exp(-exp(log(-log(surv)) + z * surv_se_loglog)), nrow = nrow(new))),
      survival_upper = unname(matrix(exp(-exp(log(-log(surv)) - z * surv_se_loglog)), nrow = nrow(new))),
      hazard = unname(matrix(haz, nrow = nrow(new))),
      hazard_lower = unname(matrix(haz * exp(-z * haz_se_log), nrow = nrow(new))),
      hazard_upper = unname(matrix(haz * exp(z * haz_se_log), nrow = nrow(new))),
      tau = cs$tau,
      rmst = unname(matrix(rm, nrow = nrow(new))),
      rmst_se = unname(matrix(rm_se, nrow = nrow(new)))
    )
    out$cases[[paste(name, d, sep = "_")]] <- case
  }
}

writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, null = "null", na = "null", pretty = FALSE),
           "tests/oracles/parametric.json")
cat("wrote tests/oracles/parametric.json\n")
