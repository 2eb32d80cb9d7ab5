# Oracle for hrh.split_episodes: R's survSplit (cut times) and tmerge (state changes).
#
# Run from the repository root:
#     Rscript tests/oracles/split_episodes.R
# It writes tests/oracles/split_episodes.json: the input columns of each data set and,
# for each case, the rows R produces (compared exactly in tests/test_split_episodes.py).
#
# * survSplit(Surv(time, event) ~ ., data, cut, episode = "episode") on survival's lung
#   (event = status - 1; ph.ecog keeps its NA) and survSplit(Surv(entry, time, status)
#   ~ ., ...) on veteran with a constructed delayed entry (entry = floor(0.3 * time)),
#   for several cut sets, including cuts equal to observed times, cuts beyond every
#   time and cuts at or before some entries. survSplit's start column is "tstart" when
#   the survival object has no start time. R sorts the cuts itself; the cases pass them
#   sorted and distinct, as hrh requires.
# * tmerge(base, base, id, tstop = time, event = event(time, event)) then
#   tmerge(., changes, id, state = tdc(at, state)) on lung with one row per person and
#   constructed changes: for person i a change at 0 (some persons), at floor(time / 2)
#   and at time exactly (its stop), plus one after the stop; a time-dependent covariate
#   takes its value from the change time on, (at, ...], and is NA before the first.

suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args[grep("^--file=", args)])
out_dir <- if (length(script) == 1L) dirname(normalizePath(script)) else "tests/oracles"
out_file <- file.path(out_dir, "split_episodes.json")

arr <- function(x) I(unname(as.vector(x)))
cols <- function(d) lapply(d, arr)

lung_d <- with(survival::lung, data.frame(
  time = as.numeric(time), event = as.integer(status - 1L), age = as.numeric(age),
  sex = as.integer(sex), ph.ecog = as.numeric(ph.ecog)))
vet <- survival::veteran
vet_d <- data.frame(entry = floor(0.3 * vet$time), time = as.numeric(vet$time),
                    status = as.integer(vet$status), trt = as.integer(vet$trt),
                    celltype = as.character(vet$celltype), karno = as.numeric(vet$karno),
                    stringsAsFactors = FALSE)
stopifnot(all(vet_d$entry < vet_d$time))

cases <- list()
add_split <- function(name, data, f, cut, entry, duration, event) {
  out <- survSplit(f, data = data, cut = cut, episode = "episode")
  cases[[length(cases) + 1L]] <<- list(
    kind = "cut", name = name, data = deparse(substitute(data)), cut = arr(cut),
    entry = entry, duration = duration, event = event, columns = arr(names(out)),
    result = cols(out))
}
for (cut in list(c(180, 365, 730), c(100), seq(30, 900, 30), c(5, 11, 12, 1022, 2000))) {
  add_split(paste("lung", length(cut)), lung_d, Surv(time, event) ~ ., cut, NULL,
            "time", "event")
}
for (cut in list(c(30, 90, 180, 365), c(1, 2, 3), c(0, 50, 999))) {
  add_split(paste("veteran", length(cut)), vet_d, Surv(entry, time, status) ~ ., cut,
            "entry", "time", "status")
}

# State changes (tmerge).
base <- data.frame(id = seq_len(nrow(lung_d)), time = lung_d$time, event = lung_d$event,
                   age = lung_d$age)
n <- nrow(base)
changes <- rbind(
  data.frame(id = base$id[base$id %% 3 == 0], at = 0),
  data.frame(id = base$id, at = floor(base$time / 2)),
  data.frame(id = base$id[base$id %% 5 == 0], at = base$time[base$id %% 5 == 0]),
  data.frame(id = base$id[base$id %% 7 == 0], at = base$time[base$id %% 7 == 0] + 10)
)
changes <- changes[!duplicated(changes[, c("id", "at")]), ]
changes <- changes[order(changes$id, changes$at), ]
changes$state <- paste0("s", seq_len(nrow(changes)) %% 4)
t1 <- tmerge(base[, c("id", "age")], base, id = id, tstop = time,
             event = event(time, event))
t2 <- tmerge(t1, changes, id = id, state = tdc(at, state))
t2 <- as.data.frame(t2)
attr(t2, "tcount") <- NULL
res <- t2[, c("id", "age", "tstart", "tstop", "event", "state")]
cases[[length(cases) + 1L]] <- list(
  kind = "changes", name = "lung tmerge", data = "base", changes = cols(changes),
  columns = arr(names(res)), result = cols(res))

out <- list(
  generator = "tests/oracles/split_episodes.R",
  r_version = R.version.string,
  packages = list(survival = as.character(packageVersion("survival")),
                  jsonlite = as.character(packageVersion("jsonlite"))),
  date = format(Sys.Date(), "%Y-%m-%d"),
  data = list(lung_d = cols(lung_d), vet_d = cols(vet_d), base = cols(base)),
  cases = cases)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, na = "null", null = "null"),
           out_file)
cat(sprintf("wrote %s: %d cases\n", out_file, length(cases)))
