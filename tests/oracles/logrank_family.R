# Oracle for hrh.logrank(weighting=...): the weighted log-rank family (log-rank,
# Gehan-Breslow, Tarone-Ware, Peto-Peto, Andersen's modified Peto-Peto,
# Fleming-Harrington G(p, q)), with and without strata, 2 and 3+ groups.
#
# Run from the repository root:
#     Rscript tests/oracles/logrank_family.R
# It reads survival's `lung` and `veteran` and the shared real-data file
# ../shared/data/canadian_senators_tenure/canadian_senators.csv (or $HRH_DATA/...), and
# writes tests/oracles/logrank_family.json. Every input column a case uses is stored in
# the JSON, so the Python test feeds exactly the rows R saw.
#
# Two independent references:
# * survdiff(Surv(time, status) ~ group + strata(s), rho) for the G(rho, 0) members
#   (log-rank rho = 0, Peto-Peto rho = 1, G(2, 0)): chisq, obs, exp (weighted, summed
#   over strata).
# * For every weight, the statistic written out below from the risk sets: within each
#   stratum, at each distinct exit time t, n_g(t) = #(time >= t, group g) and
#   d_g(t) = #(time = t, status = 1, group g); n, d their sums. The pooled
#   Kaplan-Meier S(t-) is taken from survfit(Surv(time, status) ~ 1) on the stratum
#   (checked against the product of (1 - d/n)), and
#     logrank             w = 1
#     gehan-breslow       w = n                         (Gehan 1965; Breslow 1970)
#     tarone-ware         w = sqrt(n)                   (Tarone & Ware 1977)
#     peto-peto           w = S(t-)                     (Peto & Peto 1972; survdiff rho = 1)
#     modified-peto       w = St(t) n / (n + 1),  St(t) = prod_{t_j <= t} (1 - d_j / (n_j + 1))
#                                                       (Andersen et al. 1982)
#     fleming-harrington  w = S(t-)^p (1 - S(t-))^q     (Fleming & Harrington 1991)
#   O_g = sum w d_g, E_g = sum w d n_g / n,
#   V_gh = sum w^2 d (n - d) / (n - 1) (n_g / n) (delta_gh - n_h / n), summed over strata;
#   chisq = (O - E)[-1]' solve(V[-1, -1]) (O - E)[-1], df = k - 1,
#   p = pchisq(chisq, df, lower.tail = FALSE).
#   Klein JP, Moeschberger ML (2003) Survival Analysis, 2nd ed., section 7.3.
#   The script stops unless this computation agrees with survdiff (1e-10 relative) on
#   every G(rho, 0) case, so the written-out statistic is checked where R has one.

suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args[grep("^--file=", args)])
out_dir <- if (length(script) == 1L) dirname(normalizePath(script)) else "tests/oracles"
out_file <- file.path(out_dir, "logrank_family.json")
data_env <- Sys.getenv("HRH_DATA", "")
shared <- if (nzchar(data_env)) data_env else
  file.path(dirname(dirname(dirname(out_dir))), "shared", "data")
senators_csv <- file.path(shared, "canadian_senators_tenure", "canadian_senators.csv")

arr <- function(x) I(unname(as.vector(x)))

# ---------------------------------------------------------------------------------
# data sets (columns: time, status 0/1, group, strata as strings)

lung_d <- subset(survival::lung, !is.na(ph.ecog) & ph.ecog <= 2)
lung_d <- data.frame(time = as.numeric(lung_d$time), status = lung_d$status - 1L,
                     sex = ifelse(lung_d$sex == 1, "male", "female"),
                     ecog = paste0("ecog", lung_d$ph.ecog),
                     age65 = ifelse(lung_d$age >= 65, "65+", "<65"),
                     stringsAsFactors = FALSE)
vet <- survival::veteran
vet_d <- data.frame(time = as.numeric(vet$time), status = vet$status,
                    trt = paste0("trt", vet$trt), celltype = as.character(vet$celltype),
                    prior = ifelse(vet$prior == 0, "no", "yes"),
                    stringsAsFactors = FALSE)
sen <- read.csv(senators_csv, stringsAsFactors = FALSE, encoding = "UTF-8")
keep <- sen$affiliation_at_appointment %in%
  c("Liberal Party of Canada", "Conservative (1867-1942)", "Progressive Conservative Party")
sen <- sen[keep, ]
sen_d <- data.frame(time = as.numeric(sen$tenure_days),
                    status = as.integer(sen$exit_observed == "True"),
                    party = sen$affiliation_at_appointment,
                    region = ifelse(sen$province_territory %in% c("Quebec", "Ontario"),
                                    sen$province_territory, "other"),
                    stringsAsFactors = FALSE)
stopifnot(sum(sen_d$status) > 0, all(!is.na(sen_d$time)))

datasets <- list(lung = lung_d, veteran = vet_d, senators = sen_d)

# ---------------------------------------------------------------------------------
# the weighted statistic, written out

weighted_test <- function(d, group, strata, weights, p = NA, q = NA) {
  lev <- sort(unique(d[[group]]))
  k <- length(lev)
  O <- E <- numeric(k)
  V <- matrix(0, k, k)
  st <- if (is.null(strata)) rep("all", nrow(d)) else d[[strata]]
  for (s in sort(unique(st))) {
    ds <- d[st == s, ]
    g <- match(ds[[group]], lev)
    fit <- survfit(Surv(time, status) ~ 1, data = ds)
    times <- sort(unique(ds$time[ds$status == 1]))
    St <- 1
    for (t in times) {
      ng <- sapply(seq_len(k), function(j) sum(ds$time >= t & g == j))
      dg <- sapply(seq_len(k), function(j) sum(ds$time == t & ds$status == 1 & g == j))
      n <- sum(ng); dd <- sum(dg)
      # S(t-) from survfit: the curve's value at the last time before t.
      before <- fit$time < t
      km <- if (any(before)) fit$surv[max(which(before))] else 1
      stopifnot(fit$n.risk[fit$time == t] == n, fit$n.event[fit$time == t] == dd)
      St <- St * (1 - dd / (n + 1))
      w <- switch(weights,
        "logrank" = 1,
        "gehan-breslow" = n,
        "tarone-ware" = sqrt(n),
        "peto-peto" = km,
        "modified-peto" = St * n / (n + 1),
        "fleming-harrington" = km^p * (1 - km)^q)
      O <- O + w * dg
      E <- E + w * dd * ng / n
      if (n > 1) {
        c0 <- w^2 * dd * (n - dd) / (n - 1)
        V <- V + c0 * (diag(ng / n, k) - outer(ng / n, ng / n))
      }
    }
  }
  diff <- (O - E)[-1]
  chisq <- as.numeric(t(diff) %*% solve(V[-1, -1, drop = FALSE], diff))
  list(levels = lev, observed = O, expected = E, variance = V, chisq = chisq,
       df = k - 1L, p = pchisq(chisq, k - 1L, lower.tail = FALSE))
}

# ---------------------------------------------------------------------------------
# cases

designs <- list(
  list(data = "lung", group = "sex", strata = NULL),
  list(data = "lung", group = "ecog", strata = NULL),
  list(data = "lung", group = "ecog", strata = "sex"),
  list(data = "lung", group = "sex", strata = "age65"),
  list(data = "veteran", group = "trt", strata = NULL),
  list(data = "veteran", group = "celltype", strata = NULL),
  list(data = "veteran", group = "trt", strata = "celltype"),
  list(data = "veteran", group = "celltype", strata = "prior"),
  list(data = "senators", group = "party", strata = NULL),
  list(data = "senators", group = "party", strata = "region")
)
weightings <- list(
  list(weights = "logrank"),
  list(weights = "gehan-breslow"),
  list(weights = "tarone-ware"),
  list(weights = "peto-peto"),
  list(weights = "modified-peto"),
  list(weights = "fleming-harrington", p = 0, q = 1),
  list(weights = "fleming-harrington", p = 1, q = 1),
  list(weights = "fleming-harrington", p = 0.5, q = 2),
  list(weights = "fleming-harrington", p = 2, q = 0)
)
# The G(rho, 0) members and their survdiff rho.
rho_of <- function(w) {
  if (w$weights == "logrank") return(0)
  if (w$weights == "peto-peto") return(1)
  if (w$weights == "fleming-harrington" && w$q == 0) return(w$p)
  NA
}

cases <- list()
for (des in designs) {
  d <- datasets[[des$data]]
  for (w in weightings) {
    p <- if (is.null(w$p)) NA else w$p
    q <- if (is.null(w$q)) NA else w$q
    r <- weighted_test(d, des$group, des$strata, w$weights, p, q)
    rho <- rho_of(w)
    sd_case <- NULL
    if (!is.na(rho)) {
      f <- if (is.null(des$strata)) {
        as.formula(sprintf("Surv(time, status) ~ %s", des$group))
      } else {
        as.formula(sprintf("Surv(time, status) ~ %s + strata(%s)", des$group, des$strata))
      }
      sd <- survdiff(f, data = d, rho = rho)
      rel <- function(a, b) max(abs(a - b) / pmax(abs(b), 1e-300))
      o <- if (is.matrix(sd$obs)) rowSums(sd$obs) else sd$obs
      e <- if (is.matrix(sd$exp)) rowSums(sd$exp) else sd$exp
      stopifnot(rel(r$chisq, sd$chisq) < 1e-10, rel(r$observed, o) < 1e-10,
                rel(r$expected, e) < 1e-10)
      sd_case <- list(rho = rho, statistic = sd$chisq,
                      p_value = pchisq(sd$chisq, length(o) - 1L, lower.tail = FALSE),
                      observed = arr(o), expected = arr(e))
    }
    cases[[length(cases) + 1L]] <- list(
      data = des$data, group = des$group, strata = des$strata,
      weights = w$weights, p = if (is.na(p)) NULL else p, q = if (is.na(q)) NULL else q,
      levels = arr(r$levels), statistic = r$chisq, df = r$df, p_value = r$p,
      observed = arr(r$observed), expected = arr(r$expected),
      variance = arr(r$variance),
      survdiff = sd_case)
  }
}

data_out <- lapply(datasets, function(d) lapply(d, arr))
out <- list(
  generator = "tests/oracles/logrank_family.R",
  r_version = R.version.string,
  packages = list(survival = as.character(packageVersion("survival")),
                  jsonlite = as.character(packageVersion("jsonlite"))),
  date = format(Sys.Date(), "%Y-%m-%d"),
  notes = paste(
    "Conventions in the header of tests/oracles/logrank_family.R. data.<name> holds",
    "the input columns; each case names its data set, group and strata columns.",
    "observed/expected are weighted and summed over strata, in the sorted order of",
    "the group's levels; variance is the k x k matrix, column-major (symmetric).",
    "survdiff holds R's own values for the G(rho, 0) members."),
  data = data_out,
  cases = cases
)
json <- toJSON(out, digits = NA, auto_unbox = TRUE, na = "null", null = "null",
               pretty = FALSE)
writeLines(json, out_file)
cat(sprintf("wrote %s: %d cases\n", out_file, length(cases)))
