# Oracle for two corrections to hrh's equity measures, on real data (China's provinces,
# 1999; the same source files as equity_textbook.R):
#   1. Wagstaff's normalised concentration index of a variable bounded in [a, b],
#      C mu (b - a) / ((b - mu)(mu - a)), which is C / (1 - mu) on [0, 1] (Wagstaff 2005,
#      Health Econ 14:429, eq. 5; Erreygers 2009, J Health Econ 28:504), and
#      Erreygers' 4 mu C / (b - a). The variable is the nurses' share of doctors and
#      nurses in each province (in [0, 1]), weighted by population and ranked by
#      doctors per 1,000 population. C comes from the "convenient regression" of
#      O'Donnell et al. (2008, Analyzing Health Equity Using Household Survey Data, World
#      Bank, ch. 8): the slope of 2 var_w(R) h / mu on the weighted fractional rank R, by
#      weighted least squares (stats::lm), not from the covariance formula hrh uses.
#   2. Esteban-Ray polarization over groups (Esteban & Ray 1994, Econometrica 62:819):
#      ER = sum_g sum_h pi_g^(1 + alpha) pi_h |y_g - y_h| / mu, pi_g the group's share of
#      the population and y_g its population-weighted mean of doctors per 1,000; groups
#      are the economic zones (East, Central, West, Northeast). Computed with tapply
#      and an explicit double loop. The unit-level index is written beside it.
#
# Run from the repository root (HRH_DATA may point at the shared data folder; default
# ../shared/data relative to the repository):
#     Rscript tests/oracles/equity_bounded_groups.R
# It writes tests/oracles/equity_bounded_groups.json next to this script (base R only;
# numbers with 17 significant digits).

args <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args[grep("^--file=", args)])
out_dir <- if (length(script) == 1L) dirname(normalizePath(script)) else "tests/oracles"
out_file <- file.path(out_dir, "equity_bounded_groups.json")
repo <- normalizePath(file.path(out_dir, "..", ".."))
data_dir <- Sys.getenv("HRH_DATA", file.path(dirname(repo), "shared", "data"))
china_dir <- file.path(data_dir, "china_provincial_health_resources_1998_1999")

num <- function(x) {
  if (!is.finite(x)) stop("non-finite value in oracle output")
  sprintf("%.17g", x)
}
nums <- function(x) paste0("[", paste(vapply(x, num, ""), collapse = ", "), "]")
strs <- function(x) paste0("[", paste(sprintf("\"%s\"", x), collapse = ", "), "]")

long <- read.csv(file.path(china_dir, "china_provincial_health_resources_1998_1999_long.csv"),
                 stringsAsFactors = FALSE, colClasses = c(admin_code = "character"))
prov <- read.csv(file.path(china_dir, "china_provinces.csv"), stringsAsFactors = FALSE,
                 colClasses = c(admin_code = "character"))
get_prov <- function(year, indicator) {
  s <- long[long$geo_level == "province" & long$year == year & long$indicator == indicator, ]
  s$value[match(prov$admin_code, s$admin_code)]
}
doctors <- get_prov(1999, "doctors")
nurses <- get_prov(1999, "nurses")
pop <- get_prov(1999, "population")
keep <- !is.na(doctors) & !is.na(nurses) & !is.na(pop)
doctors <- doctors[keep]; nurses <- nurses[keep]; pop <- pop[keep]
region <- prov$region[keep]; zone <- prov$economic_zone[keep]

# 1. concentration index of a [0, 1] variable ---------------------------------------
h <- nurses / (doctors + nurses)
rank <- doctors / pop * 1000
stopifnot(all(h >= 0 & h <= 1), !any(duplicated(rank)))
w <- pop / sum(pop)
o <- order(rank)
R <- numeric(length(h))
R[o] <- cumsum(w[o]) - w[o] / 2
mu <- sum(w * h)
var_r <- sum(w * (R - sum(w * R))^2)
fit <- lm(I(2 * var_r * h / mu) ~ R, weights = w)
C <- unname(coef(fit)[2])
bounded <- list()
for (b in list(c(0, 1), c(0, 1.5), c(-0.5, 1))) {
  a <- b[1]; z <- b[2]
  bounded[[length(bounded) + 1L]] <- paste0(
    "{\"lower\": ", num(a), ", \"upper\": ", num(z),
    ", \"wagstaff\": ", num(C * mu * (z - a) / ((z - mu) * (mu - a))),
    ", \"erreygers\": ", num(4 * mu * C / (z - a)), "}")
}

# 2. Esteban-Ray over groups ---------------------------------------------------------
y <- doctors / pop * 1000
pi_g <- tapply(pop, zone, sum) / sum(pop)
y_g <- tapply(pop * y, zone, sum) / tapply(pop, zone, sum)
mu_y <- sum(w * y)
er <- list()
for (alpha in c(0, 1, 1.3, 1.6)) {
  s <- 0
  for (g in names(pi_g)) for (k in names(pi_g))
    s <- s + pi_g[[g]]^(1 + alpha) * pi_g[[k]] * abs(y_g[[g]] - y_g[[k]])
  u <- 0
  for (i in seq_along(y)) for (j in seq_along(y))
    u <- u + w[i]^(1 + alpha) * w[j] * abs(y[i] - y[j])
  er[[length(er) + 1L]] <- paste0("{\"alpha\": ", num(alpha), ", \"grouped\": ",
                                  num(s / mu_y), ", \"units\": ", num(u / mu_y), "}")
}

json <- paste0(
  "{\n",
  "  \"generator\": \"tests/oracles/equity_bounded_groups.R\",\n",
  "  \"r_version\": \"", R.version.string, "\",\n",
  "  \"packages\": {\"stats\": \"", as.character(packageVersion("stats")), "\"},\n",
  "  \"date\": \"", format(Sys.Date(), "%Y-%m-%d"), "\",\n",
  "  \"data\": \"China 1999 by province (", sum(keep), " provinces with doctors, nurses ",
  "and population)\",\n",
  "  \"region\": ", strs(region), ",\n",
  "  \"zone\": ", strs(zone), ",\n",
  "  \"population\": ", nums(pop), ",\n",
  "  \"nurse_share\": ", nums(h), ",\n",
  "  \"doctors_per_1000\": ", nums(y), ",\n",
  "  \"concentration\": {\"mean\": ", num(mu), ", \"index\": ", num(C), ",\n",
  "    \"bounded\": [\n      ", paste(bounded, collapse = ",\n      "), "\n    ]},\n",
  "  \"esteban_ray\": [\n    ", paste(er, collapse = ",\n    "), "\n  ]\n",
  "}\n")
writeLines(json, out_file, sep = "")
cat(sprintf("wrote %s: C = %.6f, mu = %.6f, C/(1 - mu) = %.6f\n", out_file, C, mu,
            C / (1 - mu)))
