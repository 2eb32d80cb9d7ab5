# Oracle for the attrition module (hrh.kaplan_meier, nelson_aalen, logrank,
# cumulative_incidence, cox, life_table): reference values from R's survival and cmprsk.
#
# Run from the repository root:
#     Rscript tests/oracles/survival.R
# It reads tests/oracles/data/rossi.csv (lifelines' `rossi`, written by
# `lifelines.datasets.load_rossi().to_csv(..., index=False)`, lifelines 0.30.3) and the
# shared real-data file ../shared/data/canadian_senators_tenure/canadian_senators.csv
# (or $HRH_DATA/canadian_senators_tenure/...), and writes tests/oracles/survival.json.
# Debian packages: r-cran-survival, r-cran-cmprsk, r-cran-jsonlite.
#
# Every input column that a case uses is stored in the JSON ("data"), so the Python test
# feeds exactly the rows R saw; the script checks that each stored input survives the
# JSON round trip bit for bit. Numbers are written with jsonlite::toJSON(digits = NA),
# i.e. 15 significant digits (enough for the 1e-9 relative comparisons); NA, NaN and
# Inf are written as null.
#
# Conventions recorded here (R's defaults unless a case says otherwise):
# * Kaplan-Meier: survfit(Surv(time, event) ~ g, conf.type, conf.int = level);
#   std_err = surv * fit$std.err (survival scale, as summary.survfit reports it);
#   delayed entry: Surv(entry, time, event), at risk on (entry, time].
#   One row per distinct exit time (event or censoring) per group; entry times make
#   no rows. Median and its CI: quantile(fit, 0.5); RMST: summary(fit, rmean = tau)
#   $table[, c("rmean", "se(rmean)")]; `at`: summary(fit, times = ...), whose n.event
#   and n.censor count the events/censorings since the previous requested time.
# * Case weights: with non-integer weights survfit and coxph switch to the robust
#   (infinitesimal jackknife) variance by default. The KM/NA cases with non-integer
#   weights therefore record robust = FALSE (Greenwood with weighted counts) as the
#   reference, and the R default (IJ) std_err alongside as `robust_std_err` (not the
#   comparison target). Integer weights are frequency weights (R default, Greenwood).
#   Cox cases always pass robust explicitly.
# * Nelson-Aalen: survfit(..., ctype = 1) (increments d/n) or ctype = 2
#   (Fleming-Harrington: sum_{j<d} 1/(n - j)); $cumhaz and $std.chaz.
# * Log-rank: survdiff(Surv(time, event) ~ group + strata(s), rho); observed/expected
#   summed over strata; df = (number of groups with expected > 0) - 1 as in
#   print.survdiff; p = pchisq(chisq, df, lower.tail = FALSE) (= survdiff's $pvalue).
# * Cumulative incidence: survfit(Surv(time, factor(cause, c(0, causes))) ~ g): the
#   Aalen-Johansen estimate $pstate, $std.err (infinitesimal jackknife, survival's
#   default for multi-state curves), $lower/$upper (conf.type "log" on pstate; R gives
#   upper = NA where pstate = 0). Gray's test: cmprsk::cuminc(time, cause, group,
#   cencode = 0)$Tests (stat, pv, df).
# * Cox: coxph(Surv([entry,] time, event) ~ covariates [+ strata(s)], ties, robust,
#   weights). Categorical covariates are factors whose levels are sorted (C locale),
#   so treatment contrasts compare against the first level in sorted order (veteran's
#   celltype is re-levelled: its shipped level order is not sorted). `se` is the
#   standard error used for z, p and the interval: robust.se when robust = TRUE;
#   `naive_se` is se(coef) from the inverse information. Tests: summary(fit)$logtest,
#   $waldtest (robust variance when robust; statistic from fit$wald.test, since the
#   summary rounds it to 2 decimals), $sctest, $robscore (robust only).
#   Concordance: fit$concordance[c("concordance", "std")]. Baseline hazard:
#   basehaz(fit, centered = FALSE) (cumulative hazard at covariates 0 / reference
#   levels; with Efron ties survfit.coxph uses the Efron hazard increments, ctype 2).
#   Predicted survival: summary(survfit(fit, newdata = row), times = ...), std_err on
#   the survival scale.
# * Life table: no function in base R or survival; computed below from the textbook
#   actuarial formulas (Lee ET, Wang JW (2003) Statistical Methods for Survival Data
#   Analysis, 3rd ed., Wiley, ch. 4; Cutler SJ, Ederer F (1958) J Chronic Dis 8:699-712):
#   intervals [k w, (k + 1) w), k = 0 .. floor(max(time) / w) (a time exactly on a
#   boundary belongs to the interval that starts there);
#     entered_i  n_i  = number still under observation at the start of interval i
#     withdrawn_i c_i = censored in interval i,  events_i d_i = exits in interval i
#     at_risk_i  n'_i = n_i - c_i / 2
#     q_i = d_i / n'_i,   p_i = 1 - q_i
#     survival_i  S_i = prod_{j < i} p_j            (retention at the interval start)
#     std_err_i       = S_i * sqrt(sum_{j < i} q_j / (n'_j p_j))   (Greenwood)

suppressPackageStartupMessages({
  library(survival)
  library(cmprsk)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args[grep("^--file=", args)])
out_dir <- if (length(script) == 1L) dirname(normalizePath(script)) else "tests/oracles"
out_file <- file.path(out_dir, "survival.json")
data_env <- Sys.getenv("HRH_DATA", "")
shared <- if (nzchar(data_env)) data_env else
  file.path(dirname(dirname(dirname(out_dir))), "shared", "data")
senators_csv <- file.path(shared, "canadian_senators_tenure", "canadian_senators.csv")

# ---------------------------------------------------------------------------------
# helpers

arr <- function(x) I(unname(as.vector(x)))  # always a JSON array, even of length 1
scalar <- function(x) {
  x <- unname(as.vector(x))
  stopifnot(length(x) == 1L)
  x
}
sorted_levels <- function(x) sort(unique(x[!is.na(x)]), method = "radix")
group_factor <- function(x) factor(x, levels = sorted_levels(x))
# "g=level" strata names of a fit, back to the group values (in sorted order)
strata_values <- function(fit_strata, values, var = ".g") {
  nm <- names(fit_strata)
  lv <- sorted_levels(values)
  stopifnot(identical(nm, paste0(var, "=", lv)))
  rep(lv, fit_strata)
}
surv_lhs <- function(duration, event, entry = NULL) {
  if (is.null(entry)) sprintf("Surv(%s, %s)", duration, event)
  else sprintf("Surv(%s, %s, %s)", entry, duration, event)
}

datasets <- list()
add_data <- function(name, df) {
  # Store the input columns; check that each survives the JSON round trip exactly.
  cols <- lapply(df, function(col) arr(col))
  back <- fromJSON(toJSON(cols, digits = NA, na = "null"), simplifyVector = TRUE)
  for (nm in names(df)) {
    a <- df[[nm]]
    b <- back[[nm]]
    if (is.character(a)) ok <- identical(is.na(a), is.na(b)) && all(a == b, na.rm = TRUE)
    else ok <- identical(is.na(a), is.na(b)) && all(as.numeric(a) == b, na.rm = TRUE)
    if (!ok) stop(sprintf("column %s of %s does not round-trip through JSON", nm, name))
  }
  datasets[[name]] <<- c(list(n = nrow(df)), list(columns = cols))
  invisible(df)
}

# ---------------------------------------------------------------------------------
# data

lung_d <- lung[complete.cases(lung[, c("time", "status", "age", "sex", "ph.ecog")]), ]
set.seed(20241101)
lung_d <- data.frame(
  time = lung_d$time,
  event = as.integer(lung_d$status == 2),
  age = lung_d$age,
  sex = lung_d$sex,
  ph_ecog = lung_d$ph.ecog,
  # artificial delayed entry (left truncation), integer days strictly before the exit
  entry = floor(lung_d$time * runif(nrow(lung_d), 0, 0.6)),
  # integer case weights (frequency weights)
  weight = sample(1:3, nrow(lung_d), replace = TRUE)
)
stopifnot(all(lung_d$entry < lung_d$time))
add_data("lung", lung_d)

ovarian_d <- data.frame(
  futime = ovarian$futime, fustat = as.integer(ovarian$fustat), age = ovarian$age,
  rx = ovarian$rx, resid_ds = ovarian$resid.ds, ecog_ps = ovarian$ecog.ps
)
add_data("ovarian", ovarian_d)

veteran_d <- data.frame(
  time = veteran$time, status = as.integer(veteran$status), trt = veteran$trt,
  celltype = as.character(veteran$celltype), karno = veteran$karno,
  diagtime = veteran$diagtime, age = veteran$age, prior = veteran$prior,
  stringsAsFactors = FALSE
)
add_data("veteran", veteran_d)

mgus_d <- data.frame(
  etime = with(mgus2, ifelse(pstat == 0, futime, ptime)),
  cause = as.integer(with(mgus2, ifelse(pstat == 0, 2 * death, 1))),  # 1 pcm, 2 death
  sex = as.character(mgus2$sex), age = mgus2$age, stringsAsFactors = FALSE
)
add_data("mgus2", mgus_d)

rossi_d <- read.csv(file.path(out_dir, "data", "rossi.csv"))
stopifnot(nrow(rossi_d) == 432L)
add_data("rossi", rossi_d)

sen <- read.csv(senators_csv, stringsAsFactors = FALSE, na.strings = "")
stopifnot(nrow(sen) == 933L)
region_of <- c(
  "New Brunswick" = "Atlantic", "Nova Scotia" = "Atlantic",
  "Prince Edward Island" = "Atlantic", "Newfoundland and Labrador" = "Atlantic",
  "Maritimes (Division)" = "Atlantic", "Quebec" = "Quebec",
  "Quebec (Division)" = "Quebec", "Ontario" = "Ontario",
  "Ontario (Division)" = "Ontario", "Manitoba" = "West", "Saskatchewan" = "West",
  "Alberta" = "West", "British Columbia" = "West",
  "Western Provinces (Division)" = "West", "Yukon" = "North",
  "Northwest Territories" = "North", "Nunavut" = "North"
)
stopifnot(all(sen$province_territory %in% names(region_of)))
conservative <- c("Conservative (1867-1942)", "Progressive Conservative Party",
                  "Conservative Party of Canada", "Liberal-Conservative")
sen_exit <- as.integer(sen$exit_observed == "True")
stopifnot(all(is.na(sen$exit_reason) == (sen_exit == 0L)))
senators_d <- data.frame(
  tenure_days = sen$tenure_days,
  tenure_years = round(sen$tenure_days / 365.25, 6),
  exit = sen_exit,
  exit_reason = sen$exit_reason,  # null = censored
  region = unname(region_of[sen$province_territory]),
  party = ifelse(sen$affiliation_at_appointment == "Liberal Party of Canada", "Liberal",
                 ifelse(sen$affiliation_at_appointment %in% conservative,
                        "Conservative", "Other")),
  era = ifelse(as.Date(sen$start_date) < as.Date("1965-06-02"), "before_1965",
               "from_1965"),
  stringsAsFactors = FALSE
)
# cause codes in sorted order of the reasons (for R; the JSON keeps the strings)
reasons <- sorted_levels(senators_d$exit_reason)
senators_d$cause_code <- ifelse(is.na(senators_d$exit_reason), 0L,
                                match(senators_d$exit_reason, reasons))
add_data("senators", senators_d[, setdiff(names(senators_d), "cause_code")])

# Left truncation: exits observed from 1950-01-01 on. Senators sitting on that day
# enter at their tenure on that day (days); those appointed later enter at 0.
cut <- as.Date("1950-01-01")
keep <- as.Date(sen$end_date) > cut
s50 <- sen[keep, ]
senators1950_d <- data.frame(
  entry_days = pmax(0, as.numeric(cut - as.Date(s50$start_date))),
  tenure_days = s50$tenure_days,
  exit = senators_d$exit[keep],
  party = senators_d$party[keep],
  region = senators_d$region[keep],
  stringsAsFactors = FALSE
)
stopifnot(all(senators1950_d$entry_days < senators1950_d$tenure_days))
add_data("senators_1950", senators1950_d)

# Synthetic workforce cohort with heavy ties: integer years 1..10, two groups, three
# exit causes (1 resignation, 2 retirement, 3 death), administrative censoring.
set.seed(20240607)
n_syn <- 300L
grp <- sample(c("hospital", "clinic"), n_syn, replace = TRUE)
grade <- sample(c("nurse", "midwife", "doctor"), n_syn, replace = TRUE,
                prob = c(0.5, 0.2, 0.3))
age <- round(rnorm(n_syn, 42, 9))
base_p <- cbind(0.09, 0.04, 0.015)
mult <- ifelse(grp == "clinic", 1.6, 1) * ifelse(grade == "doctor", 0.7, 1) *
  exp(0.02 * (age - 42))
latent <- sapply(1:3, function(k) rgeom(n_syn, pmin(base_p[k] * mult, 0.9)) + 1)
first <- apply(latent, 1, min)
which_cause <- apply(latent, 1, which.min)
cens <- sample(3:10, n_syn, replace = TRUE)
syn_time <- pmin(first, cens, 10)
syn_cause <- ifelse(first <= cens & first <= 10, which_cause, 0L)
synthetic_d <- data.frame(
  time = as.numeric(syn_time),
  event = as.integer(syn_cause > 0),
  cause = as.integer(syn_cause),
  group = grp,
  grade = grade,
  age = age,
  weight = round(runif(n_syn, 0.5, 2.5), 2),  # non-integer case weights
  stringsAsFactors = FALSE
)
add_data("synthetic", synthetic_d)

all_data <- list(lung = lung_d, ovarian = ovarian_d, veteran = veteran_d, mgus2 = mgus_d,
                 rossi = rossi_d, senators = senators_d, senators_1950 = senators1950_d,
                 synthetic = synthetic_d)

# ---------------------------------------------------------------------------------
# 1. Kaplan-Meier

km_fit <- function(d, duration, event, entry, by, weights, conf_type, level, robust = NULL) {
  d$.g <- if (is.null(by)) factor(rep("all", nrow(d))) else group_factor(d[[by]])
  fml <- as.formula(paste(surv_lhs(duration, event, entry), if (is.null(by)) "~ 1" else "~ .g"))
  d$.w <- if (is.null(weights)) rep(1, nrow(d)) else d[[weights]]
  if (is.null(weights)) {
    survfit(fml, data = d, conf.type = conf_type, conf.int = level)
  } else if (is.null(robust)) {
    survfit(fml, data = d, weights = .w, conf.type = conf_type, conf.int = level)
  } else {
    survfit(fml, data = d, weights = .w, conf.type = conf_type, conf.int = level,
            robust = robust)
  }
}

with_group <- function(tab, by, fit_strata, values) {
  if (is.null(by)) return(tab)
  g <- list(arr(strata_values(fit_strata, values)))
  names(g) <- by
  c(g, tab)
}

km_case <- function(id, data, duration, event, entry = NULL, by = NULL, weights = NULL,
                    conf_type = "log", level = 0.95, rmst_tau = NULL, at_times = NULL,
                    note = NULL) {
  d <- all_data[[data]]
  integer_w <- is.null(weights) || all(d[[weights]] == floor(d[[weights]]))
  fit <- km_fit(d, duration, event, entry, by, weights, conf_type, level,
                robust = if (integer_w) NULL else FALSE)
  tab <- list(time = arr(fit$time), at_risk = arr(fit$n.risk), events = arr(fit$n.event),
              censored = arr(fit$n.censor), survival = arr(fit$surv),
              std_err = arr(fit$surv * fit$std.err), lower = arr(fit$lower),
              upper = arr(fit$upper))
  if (!integer_w) {
    fit_ij <- km_fit(d, duration, event, entry, by, weights, conf_type, level)
    stopifnot(max(abs(fit_ij$surv - fit$surv)) < 1e-14)
    tab$robust_std_err <- arr(fit_ij$surv * fit_ij$std.err)
  }
  tab <- with_group(tab, by, fit$strata, d[[by]])

  q <- quantile(fit, probs = 0.5, conf.int = TRUE)
  med <- list(median = arr(q$quantile), lower = arr(q$lower), upper = arr(q$upper))
  grp_vals <- if (is.null(by)) NULL else sorted_levels(d[[by]])
  if (!is.null(by)) med <- c(setNames(list(arr(grp_vals)), by), med)

  rm <- NULL
  if (!is.null(rmst_tau)) {
    rm <- lapply(rmst_tau, function(tau) {
      tb <- summary(fit, rmean = tau)$table
      if (is.null(dim(tb))) tb <- t(as.matrix(tb))
      r <- list(tau = tau, rmst = arr(tb[, "rmean"]), se = arr(tb[, "se(rmean)"]))
      if (!is.null(by)) r <- c(setNames(list(arr(grp_vals)), by), r)
      r
    })
  }
  at <- NULL
  if (!is.null(at_times)) {
    s <- summary(fit, times = at_times)
    at <- list(time = arr(s$time), at_risk = arr(s$n.risk), events = arr(s$n.event),
               censored = arr(s$n.censor), survival = arr(s$surv),
               std_err = arr(s$std.err), lower = arr(s$lower), upper = arr(s$upper))
    if (!is.null(by)) {
      sv <- sub("^\\.g=", "", as.character(s$strata))
      lv <- sorted_levels(d[[by]])
      gv <- lv[match(sv, as.character(lv))]
      stopifnot(!anyNA(gv))
      at <- c(setNames(list(arr(gv)), by), at)
    }
  }
  list(id = id, data = data,
       args = list(duration = duration, event = event, entry = entry, by = by,
                   weights = weights, conf_type = conf_type, level = level),
       note = note, table = tab, median = med, rmst = rm,
       at = if (is.null(at)) NULL else list(times = arr(at_times), table = at))
}

km_cases <- list(
  km_case("lung", "lung", "time", "event", rmst_tau = c(365, 730),
          at_times = c(30, 180, 365, 730, 1000)),
  km_case("lung-by-sex", "lung", "time", "event", by = "sex", rmst_tau = c(365, 700),
          at_times = c(90, 180, 365, 700)),
  km_case("lung-by-sex-loglog", "lung", "time", "event", by = "sex",
          conf_type = "log-log", at_times = c(90, 365)),
  km_case("lung-plain-90", "lung", "time", "event", conf_type = "plain", level = 0.90,
          rmst_tau = 500, at_times = c(100, 500)),
  km_case("lung-entry", "lung", "time", "event", entry = "entry", rmst_tau = 600,
          at_times = c(100, 300, 600),
          note = "delayed entry Surv(entry, time, event); entry is artificial"),
  km_case("lung-entry-by-sex", "lung", "time", "event", entry = "entry", by = "sex"),
  km_case("lung-weights-integer", "lung", "time", "event", weights = "weight",
          by = "sex", rmst_tau = 500, at_times = c(100, 365)),
  km_case("ovarian-by-rx", "ovarian", "futime", "fustat", by = "rx", rmst_tau = 1000,
          at_times = c(200, 400, 800)),
  km_case("veteran-by-celltype", "veteran", "time", "status", by = "celltype",
          rmst_tau = 200, at_times = c(10, 50, 100)),
  km_case("veteran-plain", "veteran", "time", "status", conf_type = "plain",
          rmst_tau = 365),
  km_case("rossi-by-fin", "rossi", "week", "arrest", by = "fin", rmst_tau = 52,
          at_times = c(10, 26, 52)),
  km_case("senators-days", "senators", "tenure_days", "exit", rmst_tau = 7305,
          at_times = c(365, 1826, 3652, 7305)),
  km_case("senators-years-by-region", "senators", "tenure_years", "exit", by = "region",
          conf_type = "log-log", rmst_tau = 20, at_times = c(5, 10, 20)),
  km_case("senators-1950-entry-by-party", "senators_1950", "tenure_days", "exit",
          entry = "entry_days", by = "party", rmst_tau = 3652,
          note = "left-truncated at 1950-01-01: at risk on (entry_days, tenure_days]"),
  km_case("synthetic-by-group", "synthetic", "time", "event", by = "group",
          rmst_tau = 10, at_times = c(1, 5, 9)),
  km_case("synthetic-plain", "synthetic", "time", "event", conf_type = "plain",
          rmst_tau = 8),
  km_case("synthetic-weights-by-group", "synthetic", "time", "event", by = "group",
          weights = "weight", rmst_tau = 8, at_times = c(2, 6),
          note = paste("non-integer case weights: reference is survfit(robust = FALSE),",
                       "Greenwood with weighted counts; R's default for non-integer",
                       "weights (IJ) is in table.robust_std_err"))
)

# ---------------------------------------------------------------------------------
# 2. Nelson-Aalen

na_case <- function(id, data, duration, event, entry = NULL, by = NULL, weights = NULL,
                    ties = "nelson-aalen") {
  d <- all_data[[data]]
  d$.g <- if (is.null(by)) factor(rep("all", nrow(d))) else group_factor(d[[by]])
  fml <- as.formula(paste(surv_lhs(duration, event, entry), if (is.null(by)) "~ 1" else "~ .g"))
  ctype <- c("nelson-aalen" = 1, "fleming-harrington" = 2)[[ties]]
  if (is.null(weights)) {
    fit <- survfit(fml, data = d, ctype = ctype)
  } else {
    d$.w <- d[[weights]]
    fit <- survfit(fml, data = d, ctype = ctype, weights = .w, robust = FALSE)
  }
  tab <- list(time = arr(fit$time), at_risk = arr(fit$n.risk), events = arr(fit$n.event),
              censored = arr(fit$n.censor), cumulative_hazard = arr(fit$cumhaz),
              std_err = arr(fit$std.chaz))
  tab <- with_group(tab, by, fit$strata, d[[by]])
  list(id = id, data = data,
       args = list(duration = duration, event = event, entry = entry, by = by,
                   weights = weights, ties = ties),
       table = tab)
}

na_cases <- list(
  na_case("lung-na", "lung", "time", "event"),
  na_case("lung-fh-by-sex", "lung", "time", "event", by = "sex",
          ties = "fleming-harrington"),
  na_case("lung-entry-na", "lung", "time", "event", entry = "entry"),
  na_case("rossi-fh", "rossi", "week", "arrest", ties = "fleming-harrington"),
  na_case("synthetic-na-by-group", "synthetic", "time", "event", by = "group"),
  na_case("synthetic-fh-by-group", "synthetic", "time", "event", by = "group",
          ties = "fleming-harrington"),
  na_case("synthetic-weights-na", "synthetic", "time", "event", weights = "weight"),
  na_case("senators-1950-entry-fh", "senators_1950", "tenure_days", "exit",
          entry = "entry_days", ties = "fleming-harrington")
)

# ---------------------------------------------------------------------------------
# 3. Log-rank (G-rho)

lr_case <- function(id, data, duration, event, group, strata = NULL, rho = 0) {
  d <- all_data[[data]]
  d$.g <- group_factor(d[[group]])
  rhs <- if (is.null(strata)) "~ .g" else sprintf("~ .g + strata(%s)", strata)
  fit <- survdiff(as.formula(paste(surv_lhs(duration, event), rhs)), data = d, rho = rho)
  obs <- if (is.matrix(fit$obs)) rowSums(fit$obs) else fit$obs
  ex <- if (is.matrix(fit$exp)) rowSums(fit$exp) else fit$exp
  df <- sum(ex > 0) - 1
  p <- pchisq(fit$chisq, df, lower.tail = FALSE)
  stopifnot(isTRUE(all.equal(p, fit$pvalue, tolerance = 1e-14)))
  stopifnot(identical(names(fit$n), paste0(".g=", sorted_levels(d[[group]]))))
  tab <- list(arr(sorted_levels(d[[group]])), n = arr(fit$n), observed = arr(obs),
              expected = arr(ex))
  names(tab)[1] <- group
  list(id = id, data = data,
       args = list(duration = duration, event = event, group = group, strata = strata,
                   rho = rho),
       statistic = fit$chisq, df = df, p_value = p, table = tab,
       variance = lapply(seq_len(nrow(fit$var)), function(i) arr(fit$var[i, ])))
}

lr_cases <- list(
  lr_case("lung-sex", "lung", "time", "event", "sex"),
  lr_case("lung-sex-peto", "lung", "time", "event", "sex", rho = 1),
  lr_case("lung-ecog-strata-sex", "lung", "time", "event", "ph_ecog", strata = "sex"),
  lr_case("ovarian-rx", "ovarian", "futime", "fustat", "rx"),
  lr_case("veteran-celltype", "veteran", "time", "status", "celltype"),
  lr_case("veteran-celltype-peto", "veteran", "time", "status", "celltype", rho = 1),
  lr_case("veteran-trt-strata-celltype", "veteran", "time", "status", "trt",
          strata = "celltype"),
  lr_case("rossi-fin", "rossi", "week", "arrest", "fin"),
  lr_case("rossi-fin-strata-wexp-peto", "rossi", "week", "arrest", "fin",
          strata = "wexp", rho = 1),
  lr_case("senators-region", "senators", "tenure_days", "exit", "region"),
  lr_case("senators-party-strata-era", "senators", "tenure_days", "exit", "party",
          strata = "era"),
  lr_case("synthetic-group", "synthetic", "time", "event", "group"),
  lr_case("synthetic-group-peto", "synthetic", "time", "event", "group", rho = 1),
  lr_case("synthetic-grade-strata-group", "synthetic", "time", "event", "grade",
          strata = "group")
)

# ---------------------------------------------------------------------------------
# 4. Cumulative incidence (Aalen-Johansen) and Gray's test

ci_case <- function(id, data, duration, cause, by = NULL, level = 0.95,
                    cause_codes = NULL, cause_labels = NULL) {
  d <- all_data[[data]]
  code <- if (is.null(cause_codes)) d[[cause]] else d[[cause_codes]]
  codes <- sort(unique(code[code > 0]))
  labels <- if (is.null(cause_labels)) codes else cause_labels[codes]
  d$.c <- factor(code, levels = c(0, codes))
  d$.g <- if (is.null(by)) factor(rep("all", nrow(d))) else group_factor(d[[by]])
  fml <- as.formula(sprintf("Surv(%s, .c) ~ %s", duration, if (is.null(by)) "1" else ".g"))
  fit <- survfit(fml, data = d, conf.int = level)
  stopifnot(identical(fit$states, c("(s0)", as.character(codes))))
  nt <- length(fit$time)
  grp <- if (is.null(by)) NULL else strata_values(fit$strata, d[[by]])
  tab <- NULL
  for (k in seq_along(codes)) {
    part <- list(time = fit$time, cause = rep(labels[k], nt),
                 at_risk = fit$n.risk[, 1],
                 cumulative_incidence = fit$pstate[, k + 1],
                 std_err = fit$std.err[, k + 1], lower = fit$lower[, k + 1],
                 upper = fit$upper[, k + 1])
    if (!is.null(by)) part <- c(setNames(list(grp), by), part)
    tab <- if (is.null(tab)) part else Map(c, tab, part)
  }
  tab <- lapply(tab, arr)

  # cross-check the estimate against cmprsk (same Aalen-Johansen estimator)
  cg <- if (is.null(by)) rep(1, nrow(d)) else as.character(d[[by]])
  cc <- cuminc(d[[duration]], code, cg, cencode = 0)
  gray <- NULL
  if (!is.null(by)) {
    tests <- cc$Tests
    stopifnot(identical(rownames(tests), as.character(codes)))
    gray <- list(cause = arr(labels), statistic = arr(tests[, "stat"]),
                 df = arr(tests[, "df"]), p_value = arr(tests[, "pv"]))
  }
  cc$Tests <- NULL
  times_chk <- unique(quantile(d[[duration]], c(0.25, 0.5, 0.75), type = 1))
  tp <- timepoints(cc, times_chk)$est
  groups_chk <- if (is.null(by)) "all" else sorted_levels(d[[by]])
  for (gi in seq_along(groups_chk)) for (k in seq_along(codes)) {
    sel <- if (is.null(by)) rep(TRUE, nt) else grp == groups_chk[gi]
    ft <- fit$time[sel]
    pk <- fit$pstate[sel, k + 1]
    mine <- sapply(times_chk, function(t) { i <- findInterval(t, ft); if (i == 0) 0 else pk[i] })
    rn <- if (is.null(by)) paste("1", codes[k]) else paste(groups_chk[gi], codes[k])
    stopifnot(max(abs(mine - tp[rn, ])) < 1e-12)
  }
  list(id = id, data = data,
       args = list(duration = duration, cause = cause, by = by, level = level),
       causes = arr(labels), table = tab, gray_test = gray)
}

ci_cases <- list(
  ci_case("mgus2", "mgus2", "etime", "cause"),
  ci_case("mgus2-by-sex", "mgus2", "etime", "cause", by = "sex"),
  ci_case("mgus2-by-sex-90", "mgus2", "etime", "cause", by = "sex", level = 0.90),
  ci_case("synthetic-by-group", "synthetic", "time", "cause", by = "group"),
  ci_case("synthetic-by-grade", "synthetic", "time", "cause", by = "grade"),
  ci_case("senators-reason-by-party", "senators", "tenure_years", "exit_reason",
          by = "party", cause_codes = "cause_code", cause_labels = reasons)
)

# ---------------------------------------------------------------------------------
# 5. Cox proportional hazards

cox_case <- function(id, data, duration, event, covariates, categorical = character(0),
                     entry = NULL, strata = NULL, weights = NULL, ties = "efron",
                     robust = FALSE, newdata = NULL, times = NULL, level = 0.95) {
  d <- all_data[[data]]
  for (v in categorical) d[[v]] <- group_factor(d[[v]])
  rhs <- paste(covariates, collapse = " + ")
  if (!is.null(strata)) rhs <- paste0(rhs, " + strata(", strata, ")")
  fml <- as.formula(paste(surv_lhs(duration, event, entry), "~", rhs))
  d$.w <- if (is.null(weights)) rep(1, nrow(d)) else d[[weights]]
  fit <- if (is.null(weights)) {
    coxph(fml, data = d, ties = ties, robust = robust)
  } else {
    coxph(fml, data = d, ties = ties, robust = robust, weights = .w)
  }
  s <- summary(fit, conf.int = level)
  cf <- s$coefficients
  ci <- s$conf.int
  terms <- rownames(cf)
  # variable and level of each term (treatment contrasts, sorted levels)
  var_of <- character(0)
  lev_of <- character(0)
  for (v in covariates) {
    if (v %in% categorical) {
      lv <- levels(d[[v]])[-1]
      var_of <- c(var_of, rep(v, length(lv)))
      lev_of <- c(lev_of, as.character(lv))
    } else {
      var_of <- c(var_of, v)
      lev_of <- c(lev_of, NA)
    }
  }
  stopifnot(identical(terms, ifelse(is.na(lev_of), var_of, paste0(var_of, lev_of))))
  se_col <- if (robust) "robust se" else "se(coef)"
  summ <- list(term = arr(terms), covariate = arr(var_of), level = arr(lev_of),
               coef = arr(cf[, "coef"]), se = arr(cf[, se_col]),
               naive_se = arr(cf[, "se(coef)"]), z = arr(cf[, "z"]),
               p = arr(cf[, "Pr(>|z|)"]), hazard_ratio = arr(cf[, "exp(coef)"]),
               lower = arr(ci[, 3]), upper = arr(ci[, 4]))
  test <- function(x) list(statistic = scalar(x["test"]), df = scalar(x["df"]),
                           p_value = scalar(x["pvalue"]))
  # summary.coxph prints the Wald statistic rounded to 2 decimals (its p-value uses the
  # unrounded one): take the statistic from fit$wald.test instead.
  wald <- s$waldtest
  stopifnot(abs(wald["test"] - round(fit$wald.test, 2)) < 1e-12)
  wald["test"] <- fit$wald.test
  stopifnot(abs(wald["pvalue"] - pchisq(fit$wald.test, wald["df"], lower.tail = FALSE)) <
              1e-15)
  tests <- list(likelihood_ratio = test(s$logtest), wald = test(wald),
                score = test(s$sctest))
  if (robust) tests$robust_score <- test(s$robscore)

  bh <- basehaz(fit, centered = FALSE)
  base <- list(time = arr(bh$time), hazard = arr(bh$hazard))
  if (!is.null(strata)) {
    sv <- sub(paste0("^", strata, "="), "", as.character(bh$strata))
    lv <- sorted_levels(d[[strata]])
    gv <- lv[match(sv, as.character(lv))]
    stopifnot(!anyNA(gv))
    base <- c(setNames(list(arr(gv)), strata), base)
  }

  pred <- NULL
  if (!is.null(newdata)) {
    nd <- as.data.frame(newdata, stringsAsFactors = FALSE)
    for (v in categorical) nd[[v]] <- factor(nd[[v]], levels = levels(d[[v]]))
    sf <- survfit(fit, newdata = nd, conf.int = level)
    ss <- summary(sf, times = times)
    pred <- list(newdata = newdata, times = arr(times),
                 table = list(time = arr(ss$time), survival = arr(ss$surv),
                              std_err = arr(ss$std.err), lower = arr(ss$lower),
                              upper = arr(ss$upper),
                              cumulative_hazard = arr(ss$cumhaz)))
  }
  list(id = id, data = data,
       args = list(duration = duration, event = event, covariates = arr(covariates),
                   categorical = arr(categorical), entry = entry, strata = strata,
                   weights = weights, ties = ties, robust = robust, level = level),
       n = fit$n, events = fit$nevent, iterations = fit$iter,
       summary = summ, loglik = list(null = fit$loglik[1], fitted = fit$loglik[2]),
       tests = tests,
       concordance = list(concordance = scalar(fit$concordance["concordance"]),
                          std_err = scalar(fit$concordance["std"])),
       baseline_hazard = base, predict = pred)
}

lung_new <- list(age = 60, sex = 2, ph_ecog = 1)
rossi_new <- list(fin = 1, age = 25, race = 0, wexp = 1, mar = 0, paro = 1, prio = 2)
syn_new <- list(age = 45, grade = "nurse", group = "clinic")
cox_cases <- list(
  cox_case("lung-efron", "lung", "time", "event", c("age", "sex", "ph_ecog"),
           newdata = lung_new, times = c(90, 180, 365, 730)),
  cox_case("lung-breslow", "lung", "time", "event", c("age", "sex", "ph_ecog"),
           ties = "breslow", newdata = lung_new, times = c(90, 365)),
  cox_case("lung-strata-sex", "lung", "time", "event", c("age", "ph_ecog"),
           strata = "sex", newdata = list(age = 60, ph_ecog = 1, sex = 2),
           times = c(90, 365)),
  cox_case("lung-entry", "lung", "time", "event", c("age", "sex", "ph_ecog"),
           entry = "entry", newdata = lung_new, times = c(180, 365)),
  cox_case("lung-weights-integer", "lung", "time", "event", c("age", "sex", "ph_ecog"),
           weights = "weight"),
  cox_case("rossi-efron", "rossi", "week", "arrest",
           c("fin", "age", "race", "wexp", "mar", "paro", "prio"),
           newdata = rossi_new, times = c(10, 26, 52)),
  cox_case("rossi-breslow", "rossi", "week", "arrest",
           c("fin", "age", "race", "wexp", "mar", "paro", "prio"), ties = "breslow",
           newdata = rossi_new, times = c(26, 52)),
  cox_case("rossi-efron-robust", "rossi", "week", "arrest",
           c("fin", "age", "race", "wexp", "mar", "paro", "prio"), robust = TRUE),
  cox_case("rossi-strata-wexp", "rossi", "week", "arrest", c("fin", "age", "prio"),
           strata = "wexp", newdata = list(fin = 0, age = 30, prio = 1, wexp = 0),
           times = c(20, 52)),
  cox_case("veteran-efron", "veteran", "time", "status", c("trt", "celltype", "karno"),
           categorical = "celltype",
           newdata = list(trt = 1, celltype = "large", karno = 60), times = c(30, 90, 180)),
  cox_case("veteran-breslow", "veteran", "time", "status", c("trt", "celltype", "karno"),
           categorical = "celltype", ties = "breslow"),
  cox_case("senators-party-region", "senators", "tenure_years", "exit",
           c("party", "region"), categorical = c("party", "region"),
           newdata = list(party = "Liberal", region = "Ontario"), times = c(5, 10, 20)),
  cox_case("senators-1950-entry-strata-region", "senators_1950", "tenure_days", "exit",
           "party", categorical = "party", entry = "entry_days", strata = "region"),
  cox_case("synthetic-efron", "synthetic", "time", "event", c("age", "grade", "group"),
           categorical = c("grade", "group"), newdata = syn_new, times = c(2, 5, 9)),
  cox_case("synthetic-breslow", "synthetic", "time", "event", c("age", "grade", "group"),
           categorical = c("grade", "group"), ties = "breslow", newdata = syn_new,
           times = c(2, 5, 9)),
  cox_case("synthetic-weights", "synthetic", "time", "event", c("age", "grade", "group"),
           categorical = c("grade", "group"), weights = "weight", robust = FALSE,
           newdata = syn_new, times = c(3, 8)),
  cox_case("synthetic-weights-robust", "synthetic", "time", "event",
           c("age", "grade", "group"), categorical = c("grade", "group"),
           weights = "weight", robust = TRUE)
)

# ---------------------------------------------------------------------------------
# 6. Actuarial life table (textbook formulas, see the header)

life_table_r <- function(time, event, width) {
  k <- floor(max(time) / width) + 1
  j <- floor(time / width) + 1  # 1-based interval index
  events <- tabulate(j[event == 1], k)
  withdrawn <- tabulate(j[event == 0], k)
  entered <- (length(time) - c(0, cumsum(events + withdrawn)))[1:k]
  at_risk <- entered - withdrawn / 2
  q <- events / at_risk
  p <- 1 - q
  survival <- cumprod(c(1, p))[1:k]
  std_err <- survival * sqrt(cumsum(c(0, q / (at_risk * p)))[1:k])
  list(start = (0:(k - 1)) * width, end = (1:k) * width, entered = entered,
       withdrawn = withdrawn, events = events, at_risk = at_risk, q = q, p = p,
       survival = survival, std_err = std_err)
}

# Self-check by hand: times 0.5 (exit), 1 (exit), 1.5 (censored), 2.5 (exit),
# 3 (censored), width 1:
#   [0,1): n 5, c 0, d 1, n' 5,   q 0.2, S 1
#   [1,2): n 4, c 1, d 1, n' 3.5, q 2/7, S 0.8,       var/S^2 = 0.2/(5*0.8) = 0.05
#   [2,3): n 2, c 0, d 1, n' 2,   q 0.5, S 0.8*5/7,   var/S^2 = 0.05 + (2/7)/(3.5*5/7)
#   [3,4): n 1, c 1, d 0, n' 0.5, q 0,   S 0.8*5/7/2
hand <- life_table_r(c(0.5, 1, 1.5, 2.5, 3), c(1, 1, 0, 1, 0), 1)
stopifnot(all.equal(hand$at_risk, c(5, 3.5, 2, 0.5)),
          all.equal(hand$survival, c(1, 0.8, 0.8 * 5 / 7, 0.8 * 5 / 7 / 2)),
          all.equal(hand$std_err[3], 0.8 * 5 / 7 * sqrt(0.05 + (2 / 7) / 2.5)))

lt_case <- function(id, data, duration, event, width) {
  d <- all_data[[data]]
  r <- d[[duration]] / width
  near <- abs(r - round(r)) < 1e-9 & r != round(r)
  if (any(near)) stop(sprintf("%s: times within 1e-9 of a boundary but not on it", id))
  tab <- life_table_r(d[[duration]], d[[event]], width)
  if (any(tab$p[-length(tab$p)] == 0)) stop(sprintf("%s: p = 0 before the last interval", id))
  list(id = id, data = data,
       args = list(duration = duration, event = event, width = width),
       on_boundary = sum(r == round(r)),
       table = lapply(tab, arr))
}

lt_cases <- list(
  lt_case("lung-90days", "lung", "time", "event", 90),
  lt_case("rossi-10weeks", "rossi", "week", "arrest", 10),
  lt_case("senators-5years", "senators", "tenure_years", "exit", 5),
  lt_case("senators-365days", "senators", "tenure_days", "exit", 365),
  lt_case("synthetic-1year", "synthetic", "time", "event", 1),
  lt_case("synthetic-2.5years", "synthetic", "time", "event", 2.5)
)

# ---------------------------------------------------------------------------------
# write

out <- list(
  generator = "tests/oracles/survival.R",
  r_version = R.version.string,
  packages = list(survival = as.character(packageVersion("survival")),
                  cmprsk = as.character(packageVersion("cmprsk")),
                  jsonlite = as.character(packageVersion("jsonlite"))),
  date = format(Sys.Date(), "%Y-%m-%d"),
  notes = paste(
    "Conventions are documented in the header of tests/oracles/survival.R.",
    "Inputs are in data.<name>.columns; each case names its data set and the columns",
    "in args. Tables are column-oriented; group columns carry the by/strata column's",
    "own name. null = NA/NaN/Inf in R."),
  data = datasets,
  kaplan_meier = km_cases,
  nelson_aalen = na_cases,
  logrank = lr_cases,
  cumulative_incidence = ci_cases,
  cox = cox_cases,
  life_table = lt_cases
)
json <- toJSON(out, digits = NA, auto_unbox = TRUE, na = "null", null = "null",
               pretty = FALSE)
writeLines(json, out_file)
cat(sprintf("wrote %s: %d KM, %d NA, %d log-rank, %d CIF, %d Cox, %d life-table cases\n",
            out_file, length(km_cases), length(na_cases), length(lr_cases),
            length(ci_cases), length(cox_cases), length(lt_cases)))
