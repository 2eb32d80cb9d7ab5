# Oracle for hrh's equity measures: base-R implementations of the textbook weighted
# formulas, applied to real data with real (non-integer-scaled) weights.
#
# Run from the repository root (HRH_DATA may point at the shared data folder; default
# ../shared/data relative to the repository):
#     Rscript tests/oracles/equity_textbook.R
# It writes tests/oracles/equity_textbook.json next to this script. Only base R is used;
# the JSON is written by hand with 17 significant digits ("%.17g"), enough to round-trip
# every double exactly.
#
# Formulas (p_i = w_i / sum(w); mu = sum(p_i x_i); no weights = equal weights):
#   Gini     1 - sum_k (P_k - P_{k-1}) (L_k + L_{k-1}) on the Lorenz polygon (units sorted
#            by value; P cumulative weight share, L cumulative share of w*x); checked
#            against the pairwise form sum_ij p_i p_j |x_i - x_j| / (2 mu).
#            corrected (unweighted cases only): G * n / (n - 1).
#   Theil    reference level m: "weighted" = mu, "unweighted" = mean(x), or a number.
#            T = sum p_i (x_i/m) ln(x_i/m); L = sum p_i ln(m/x_i); both / ln(log_base).
#            T: between = sum_g p_g (mu_g/m) ln(mu_g/m), within = sum_g p_g (mu_g/m) T_g
#            L: between = sum_g p_g ln(m/mu_g),        within = sum_g p_g L_g
#            (T_g, L_g about the group's weighted mean mu_g; between + within = total).
#   GE(a)    1/(a(a-1)) sum p_i ((x_i/mu)^a - 1); a = 0 -> Theil L, a = 1 -> Theil T.
#   Atkinson 1 - (sum p_i (x_i/mu)^(1-e))^(1/(1-e)); e = 1: 1 - exp(sum p_i ln x_i) / mu.
#   CV       sqrt(sum w_i (x_i - mu)^2 / (sum w - ddof)) / mu (frequency weights).
#   CI       2 cov_w(h, R) / mu_h, R_i = (weight ranked strictly below + w_i/2) / W, tied
#            ranks share the tie block's fractional rank (below + W_tie/2) / W (= the
#            weight-averaged fractional rank over the block, whatever the order inside).
#            Wagstaff: C mu (b - a) / ((b - mu)(mu - a)) (Wagstaff 2005, eq. 5: C / (1 - mu)
#            for a variable in [0, 1]); Erreygers: C * 4 mu / (b - a).
#   Esteban-Ray  sum_i sum_j p_i^(1+alpha) p_j |x_i - x_j| / mu.
#   Wolfson  2 (mu/m) (1 - 2 L(0.5) - G), m the weighted median (value where the
#            cumulative weight share first exceeds 0.5; mean of the two neighbouring
#            values when it equals 0.5 exactly), L(0.5) linear interpolation of the polygon.
#   Zhang-Kanbur  Theil T between / within (weighted mean, natural log).

args <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args[grep("^--file=", args)])
out_dir <- if (length(script) == 1L) dirname(normalizePath(script)) else "tests/oracles"
out_file <- file.path(out_dir, "equity_textbook.json")
repo <- normalizePath(file.path(out_dir, "..", ".."))
data_dir <- Sys.getenv("HRH_DATA", file.path(dirname(repo), "shared", "data"))
china_dir <- file.path(data_dir, "china_provincial_health_resources_1998_1999")
us_file <- file.path(data_dir, "us_county_health_providers_chrr",
                     "us_county_state_health_providers_chrr.csv")

# ---- minimal JSON writer -------------------------------------------------------------
# Named list -> object, unnamed list -> array, atomic of length != 1 or wrapped in I()
# -> array, length-1 atomic -> scalar. NULL -> null.
num <- function(x) {
  if (is.na(x)) stop("NA in oracle output")
  if (is.infinite(x)) stop("infinite value in oracle output")
  sprintf("%.17g", x)
}
jstr <- function(x) sprintf("\"%s\"", gsub("\"", "\\\\\"", x))
scalar <- function(x) {
  if (is.character(x)) jstr(x)
  else if (is.logical(x)) if (x) "true" else "false"
  else num(x)
}
to_json <- function(x, indent = "") {
  inner <- paste0(indent, "  ")
  if (is.null(x)) return("null")
  if (is.list(x)) {
    if (length(x) == 0L) return(if (is.null(names(x))) "[]" else "{}")
    items <- vapply(x, to_json, "", indent = inner)
    if (!is.null(names(x))) {
      items <- paste0(jstr(names(x)), ": ", items)
      return(paste0("{\n", paste0(inner, items, collapse = ",\n"), "\n", indent, "}"))
    }
    return(paste0("[\n", paste0(inner, items, collapse = ",\n"), "\n", indent, "]"))
  }
  if (inherits(x, "AsIs") || length(x) != 1L) {
    x <- unclass(x)
    return(paste0("[", paste(vapply(x, scalar, ""), collapse = ", "), "]"))
  }
  scalar(x)
}
arr <- function(x) I(x)

# ---- textbook formulas ---------------------------------------------------------------
shares <- function(w) w / sum(w)
wmean <- function(x, w) sum(shares(w) * x)

lorenz <- function(x, w) {
  o <- order(x)  # stable: ties keep input order
  P <- c(0, cumsum(w[o])) / sum(w)
  L <- c(0, cumsum(w[o] * x[o])) / sum(w * x)
  list(P = P, L = L)
}
gini <- function(x, w) {
  lc <- lorenz(x, w)
  k <- length(lc$P)
  g <- 1 - sum(diff(lc$P) * (lc$L[-1] + lc$L[-k]))
  p <- shares(w)
  g_pairs <- sum(outer(p, p) * abs(outer(x, x, "-"))) / (2 * wmean(x, w))
  stopifnot(abs(g - g_pairs) < 1e-13)
  g
}

theil_level <- function(x, w, mean) {
  if (identical(mean, "weighted")) wmean(x, w)
  else if (identical(mean, "unweighted")) mean(x)
  else mean
}
theil_T0 <- function(x, w, m) sum(shares(w) * (x / m) * log(x / m))
theil_L0 <- function(x, w, m) sum(shares(w) * log(m / x))
theil <- function(x, w, groups, kind, log_base, mean) {
  m <- theil_level(x, w, mean)
  f <- if (kind == "T") theil_T0 else theil_L0
  total <- f(x, w, m)
  out <- list(total = total)
  if (!is.null(groups)) {
    between <- 0
    within <- 0
    for (g in sort(unique(groups))) {
      s <- groups == g
      pg <- sum(w[s]) / sum(w)
      mg <- wmean(x[s], w[s])
      if (kind == "T") {
        between <- between + pg * (mg / m) * log(mg / m)
        within <- within + pg * (mg / m) * theil_T0(x[s], w[s], mg)
      } else {
        between <- between + pg * log(m / mg)
        within <- within + pg * theil_L0(x[s], w[s], mg)
      }
    }
    stopifnot(abs(between + within - total) <= 1e-13 * max(1, abs(total)))
    out$between <- between
    out$within <- within
  }
  lapply(out, function(v) v / log(log_base))
}

ge <- function(x, w, alpha) {
  mu <- wmean(x, w)
  p <- shares(w)
  if (alpha == 0) return(sum(p * log(mu / x)))
  if (alpha == 1) return(sum(p * (x / mu) * log(x / mu)))
  sum(p * ((x / mu)^alpha - 1)) / (alpha * (alpha - 1))
}
atkinson <- function(x, w, eps) {
  mu <- wmean(x, w)
  p <- shares(w)
  if (eps == 1) return(1 - exp(sum(p * log(x))) / mu)
  1 - sum(p * (x / mu)^(1 - eps))^(1 / (1 - eps))
}
cv <- function(x, w, ddof) {
  mu <- wmean(x, w)
  sqrt(sum(w * (x - mu)^2) / (sum(w) - ddof)) / mu
}

fractional_rank <- function(r, w) {
  W <- sum(w)
  R <- numeric(length(r))
  for (v in unique(r)) {
    tie <- r == v
    R[tie] <- (sum(w[r < v]) + sum(w[tie]) / 2) / W
  }
  R
}
concentration <- function(h, r, w, correction = "none", bounds = NULL) {
  p <- shares(w)
  R <- fractional_rank(r, w)
  mu <- sum(p * h)
  c0 <- 2 * sum(p * (h - mu) * (R - sum(p * R))) / mu
  if (correction == "none") return(c0)
  a <- bounds[1]
  b <- bounds[2]
  stopifnot(a < mu, mu < b)
  if (correction == "wagstaff") return(c0 * mu * (b - a) / ((b - mu) * (mu - a)))
  if (correction == "erreygers") return(c0 * 4 * mu / (b - a))
  stop("unknown correction")
}

esteban_ray <- function(x, w, alpha) {
  p <- shares(w)
  sum(outer(p^(1 + alpha), p) * abs(outer(x, x, "-"))) / wmean(x, w)
}
weighted_median <- function(x, w) {
  o <- order(x)
  xs <- x[o]
  P <- cumsum(w[o]) / sum(w)
  k <- which(P >= 0.5)[1]
  if (P[k] == 0.5) (xs[k] + xs[k + 1]) / 2 else xs[k]
}
wolfson <- function(x, w) {
  lc <- lorenz(x, w)
  l50 <- approx(lc$P, lc$L, xout = 0.5, ties = "ordered")$y
  2 * (wmean(x, w) / weighted_median(x, w)) * (1 - 2 * l50 - gini(x, w))
}
zhang_kanbur <- function(x, w, groups) {
  d <- theil(x, w, groups, "T", exp(1), "weighted")
  d$between / d$within
}

# ---- one case: all measures ------------------------------------------------------------
# weights = NULL means equal weights (and hrh is called without weights).
# positive = FALSE (data with zeros): only the measures defined at zero are computed.
make_case <- function(id, description, x, w, labels, groups = NULL, ranks = list(),
                      theil_levels = list(), positive = TRUE) {
  weighted <- !is.null(w)
  ww <- if (weighted) w else rep(1, length(x))
  stopifnot(all(is.finite(x)), all(x >= 0), all(ww > 0), length(ww) == length(x))
  if (positive) stopifnot(all(x > 0))
  lc <- lorenz(x, ww)
  case <- list(
    id = id,
    description = description,
    n = length(x),
    labels = arr(labels),
    values = arr(x),
    weights = if (weighted) arr(w) else NULL,
    groups = if (is.null(groups)) NULL else arr(groups),
    has_value_ties = any(duplicated(x)),
    mean = wmean(x, ww),
    gini = gini(x, ww),
    gini_corrected = if (weighted) NULL else gini(x, ww) * length(x) / (length(x) - 1),
    lorenz = list(population_share = arr(lc$P), value_share = arr(lc$L))
  )

  levels <- c(list("weighted", "unweighted"), theil_levels)
  kinds <- if (positive) c("T", "L") else character(0)
  th <- list()
  for (kind in kinds) for (lb in c(exp(1), 10)) for (lev in levels) {
    r <- theil(x, ww, groups, kind, lb, lev)
    th[[length(th) + 1L]] <- c(list(kind = kind, log_base = lb, mean = lev), r)
  }
  case$theil <- th

  alphas <- if (positive) c(-1, 0, 0.5, 1, 2) else c(0.5, 2)
  case$generalized_entropy <- lapply(alphas, function(a)
    list(alpha = a, value = ge(x, ww, a)))
  epsilons <- if (positive) c(0.5, 1, 2) else 0.5
  case$atkinson <- lapply(epsilons, function(e)
    list(epsilon = e, value = atkinson(x, ww, e)))
  case$cv <- lapply(c(0, 1), function(d) list(ddof = d, value = cv(x, ww, d)))

  ci <- list()
  mu <- wmean(x, ww)
  bound_sets <- list(c(0, ceiling(2 * max(x))), c(min(x) / 2, 2 * max(x)))
  for (rn in names(ranks)) {
    r <- ranks[[rn]]
    stopifnot(length(r) == length(x), all(is.finite(r)))
    ci[[length(ci) + 1L]] <- list(rank = rn, correction = NULL, bounds = NULL,
                                  value = concentration(x, r, ww))
    for (corr in c("wagstaff", "erreygers")) for (bs in bound_sets) {
      ci[[length(ci) + 1L]] <- list(rank = rn, correction = corr, bounds = arr(bs),
                                    value = concentration(x, r, ww, corr, bs))
    }
  }
  case$ranks <- lapply(ranks, arr)
  case$rank_has_ties <- lapply(ranks, function(r) any(duplicated(r)))
  case$concentration_index <- ci

  pol <- lapply(c(1.3, 1.6), function(a)
    list(method = "esteban_ray", alpha = a, value = esteban_ray(x, ww, a)))
  pol[[length(pol) + 1L]] <- list(method = "wolfson", alpha = NULL,
                                  value = wolfson(x, ww),
                                  median = weighted_median(x, ww),
                                  lorenz_at_half = approx(lc$P, lc$L, xout = 0.5,
                                                          ties = "ordered")$y)
  if (!is.null(groups) && positive) {
    pol[[length(pol) + 1L]] <- list(method = "zhang_kanbur", alpha = NULL,
                                    value = zhang_kanbur(x, ww, groups))
  }
  case$polarization <- pol
  case
}

# ---- China 1998-1999 ----------------------------------------------------------------
long <- read.csv(file.path(china_dir, "china_provincial_health_resources_1998_1999_long.csv"),
                 stringsAsFactors = FALSE, colClasses = c(admin_code = "character"))
prov <- read.csv(file.path(china_dir, "china_provinces.csv"), stringsAsFactors = FALSE,
                 colClasses = c(admin_code = "character"))
stopifnot(nrow(prov) == 31L)
get_prov <- function(year, indicator) {
  s <- long[long$geo_level == "province" & long$year == year & long$indicator == indicator, ]
  s$value[match(prov$admin_code, s$admin_code)]  # NA where the province is missing
}
get_nat <- function(year, indicator) {
  s <- long[long$geo_level == "national" & long$year == year & long$indicator == indicator, ]
  stopifnot(nrow(s) == 1L)
  s$value
}

cases <- list()
staff_sets <- list("1998" = c("doctors", "medical_technical_personnel"),
                   "1999" = c("doctors", "nurses", "medical_technical_personnel"))
short <- c(doctors = "doctors", nurses = "nurses", medical_technical_personnel = "health_technicians")
for (year in names(staff_sets)) for (ind in staff_sets[[year]]) {
  staff <- get_prov(year, ind)
  pop <- get_prov(year, "population")
  area <- prov$land_area_km2
  keep <- !is.na(staff) & !is.na(pop)  # 1998: Xinjiang health rows are missing
  st <- staff[keep]; pp <- pop[keep]; ar <- area[keep]
  lab <- prov$region[keep]; zone <- prov$economic_zone[keep]
  pop_density <- pp / ar
  nat_pop <- get_nat(year, ind) / get_nat(year, "population") * 1000
  nat_area <- get_nat(year, ind) / sum(area)
  tag <- sprintf("china%s_%s", year, short[[ind]])
  cases[[length(cases) + 1L]] <- make_case(
    paste0(tag, "_by_population"),
    sprintf("China %s, %s per 1,000 population by province, weights = population (persons); groups = economic zone; rank = population per km2; numeric Theil level = national %s per 1,000 (national total row)", year, ind, ind),
    st / pp * 1000, pp, lab, zone, list(population_density = pop_density),
    list(nat_pop))
  cases[[length(cases) + 1L]] <- make_case(
    paste0(tag, "_by_area"),
    sprintf("China %s, %s per km2 by province, weights = land area (km2); groups = economic zone; rank = population per km2; numeric Theil level = national %s / summed provincial land area", year, ind, ind),
    st / ar, ar, lab, zone, list(population_density = pop_density), list(nat_area))
  cases[[length(cases) + 1L]] <- make_case(
    paste0(tag, "_unweighted"),
    sprintf("China %s, %s per 1,000 population by province, equal weights (no weights argument); groups = economic zone; rank = population per km2", year, ind),
    st / pp * 1000, NULL, lab, zone, list(population_density = pop_density),
    list(nat_pop))
}

# ---- US counties (CHR&R) -------------------------------------------------------------
us <- read.csv(us_file, stringsAsFactors = FALSE, colClasses = c(fipscode = "character",
               statecode = "character", countycode = "character"))
county <- function(states, indicator) {
  s <- us[us$geo_level == "county" & us$indicator == indicator & us$state_abbr %in% states, ]
  s <- s[!is.na(s$provider_count) & !is.na(s$population) & s$population > 0, ]
  s[order(s$fipscode), ]
}
us_nat <- us[us$geo_level == "nation" & us$indicator == "primary_care_physicians", ]
nat_pcp <- us_nat$provider_count / us_nat$population * 1e5

# Georgia: all 159 counties, 14 with no PCP (zeros; ties in the value and in the rank).
ga <- county("GA", "primary_care_physicians")
ga_dent <- county("GA", "dentists")
stopifnot(identical(ga$fipscode, ga_dent$fipscode))
cases[[length(cases) + 1L]] <- make_case(
  "us_ga_pcp_with_zeros",
  "US Georgia counties (all 159, 14 with no primary-care physician), PCP per 100,000 (2022), weights = population (2022); ranks = county population and dentists per 100,000 (2023; 19 zeros, tied); only the measures defined at zero",
  ga$provider_count / ga$population * 1e5, ga$population, ga$name,
  ranks = list(population = ga$population,
               dentists_per_100k = ga_dent$provider_count / ga_dent$population * 1e5),
  positive = FALSE)

# New York: 62 counties, all with PCPs.
ny <- county("NY", "primary_care_physicians")
ny_dent <- county("NY", "dentists")
stopifnot(identical(ny$fipscode, ny_dent$fipscode))
cases[[length(cases) + 1L]] <- make_case(
  "us_ny_pcp",
  "US New York counties, PCP per 100,000 (2022), weights = population (2022); ranks = county population and dentists per 100,000 (2023); numeric Theil level = US national PCP per 100,000",
  ny$provider_count / ny$population * 1e5, ny$population, ny$name,
  ranks = list(population = ny$population,
               dentists_per_100k = ny_dent$provider_count / ny_dent$population * 1e5),
  theil_levels = list(nat_pcp))

# Four states with no zero-PCP county, grouped by state.
st4 <- county(c("LA", "SC", "WV", "NY"), "primary_care_physicians")
stopifnot(all(st4$provider_count > 0))
cases[[length(cases) + 1L]] <- make_case(
  "us_la_sc_wv_ny_pcp_by_state",
  "US counties of Louisiana, South Carolina, West Virginia and New York, PCP per 100,000 (2022), weights = population (2022); groups = state; rank = county population; numeric Theil level = US national PCP per 100,000",
  st4$provider_count / st4$population * 1e5, st4$population,
  paste(st4$name, st4$state_abbr, sep = ", "), st4$state_abbr,
  ranks = list(population = st4$population), theil_levels = list(nat_pcp))
cases[[length(cases) + 1L]] <- make_case(
  "us_la_sc_wv_ny_pcp_unweighted",
  "As us_la_sc_wv_ny_pcp_by_state with equal weights (no weights argument)",
  st4$provider_count / st4$population * 1e5, NULL,
  paste(st4$name, st4$state_abbr, sep = ", "), st4$state_abbr,
  ranks = list(population = st4$population), theil_levels = list(nat_pcp))

# ---- write -----------------------------------------------------------------------------
out <- list(
  generator = "tests/oracles/equity_textbook.R",
  r_version = R.version.string,
  packages = list(base = as.character(getRversion()), stats = as.character(packageVersion("stats"))),
  date = format(Sys.Date()),
  data = list(
    china = "../shared/data/china_provincial_health_resources_1998_1999 (NBS yearbook; land area from Int J Equity Health 2016)",
    us = "../shared/data/us_county_health_providers_chrr (County Health Rankings & Roadmaps, CC BY-NC-SA 4.0)"),
  notes = paste(
    "Textbook weighted formulas in base R (see the script header). weights null = equal",
    "weights (call hrh without weights). ranks holds the rank variables by name;",
    "concentration_index[].rank names one. Lorenz rows are in stable sort order of the value",
    "(ties keep input order; when has_value_ties the rows within a tie block depend on the",
    "order, compare the curve, not the rows). theil[].mean is 'weighted', 'unweighted' or",
    "the numeric reference level; log_base is e or 10. Concentration-index bounds: (0,",
    "ceiling(2 max)) and (min/2, 2 max). Wolfson is Wolfson's (1994) scale, 2 (mu/m)(1 - 2",
    "L(0.5) - G). Zero-containing cases carry only the measures defined at zero."),
  cases = cases)
writeLines(to_json(out), out_file)
cat("wrote", out_file, "with", length(cases), "cases\n")
