# glmnet timing for the comparison harness.
#   Rscript glmnet_bench.R DATADIR fit|cv OUTJSON [gaussian|binomial]
# Reads DATADIR/X.npy (float64, Fortran order, npy 1.0) with readBin, y.txt, foldid.txt.
# Times glmnet(x, y, alpha = 1, nlambda = 100) or cv.glmnet(..., foldid) (wall clock of the
# fit alone, default thresh) and writes the lambda sequence to DATADIR/lambda_glmnet.txt.
suppressPackageStartupMessages(library(glmnet))
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]; mode <- args[2]; outjson <- args[3]
family <- if (length(args) >= 4) args[4] else "gaussian"

read_npy <- function(path) {
  con <- file(path, "rb"); on.exit(close(con))
  magic <- readBin(con, "raw", 8)                       # \x93NUMPY, major, minor
  if (!identical(magic[1:6], as.raw(c(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59))) || magic[7] != as.raw(1))
    stop("not an npy version 1.0 file: ", path)
  hl <- readBin(con, "integer", 1, size = 2, signed = FALSE, endian = "little")  # bytes 9-10
  hdr <- rawToChar(readBin(con, "raw", hl))
  if (!grepl("'descr': '<f8'", hdr, fixed = TRUE)) stop("X.npy must be little-endian float64")
  if (!grepl("'fortran_order': True", hdr, fixed = TRUE)) stop("X.npy must be Fortran order")
  shape <- as.numeric(strsplit(sub(".*'shape': \\(([0-9, ]+)\\).*", "\\1", hdr), ",")[[1]])
  x <- readBin(con, "double", shape[1] * shape[2], size = 8, endian = "little")
  dim(x) <- shape[1:2]
  x
}

x <- read_npy(file.path(dir, "X.npy"))
y <- scan(file.path(dir, "y.txt"), quiet = TRUE)
p <- ncol(x)
jnum <- function(v) paste0("[", paste(sprintf("%.17g", v), collapse = ","), "]")
res <- list()
if (mode == "fit") {
  t0 <- proc.time()[["elapsed"]]
  fit <- glmnet(x, y, alpha = 1, nlambda = 100, family = family)
  secs <- proc.time()[["elapsed"]] - t0
} else {
  foldid <- scan(file.path(dir, "foldid.txt"), quiet = TRUE)
  t0 <- proc.time()[["elapsed"]]
  cvf <- cv.glmnet(x, y, alpha = 1, nlambda = 100, foldid = foldid, family = family, type.measure = "deviance")
  secs <- proc.time()[["elapsed"]] - t0
  fit <- cvf$glmnet.fit
}
L <- length(fit$lambda)
b <- fit$beta[, L]
nz <- which(b != 0)
M <- (L + 1) %/% 2                      # middle of the path (1-based), L//2 0-based
bm <- fit$beta[, M]; nzm <- which(bm != 0)
writeLines(sprintf("%.17g", fit$lambda), file.path(dir, "lambda_glmnet.txt"))
out <- paste0("{\"tool\": \"glmnet\", \"version\": \"", packageDescription("glmnet")$Version,
  "\", \"r_version\": \"", R.version$major, ".", R.version$minor,
  "\", \"family\": \"", family, "\", \"mode\": \"", mode, "\", \"solve_seconds\": ", sprintf("%.6f", secs),
  ", \"nlambda\": ", L, ", \"lambda\": ", jnum(fit$lambda),
  ", \"a0_last\": ", sprintf("%.17g", fit$a0[L]),
  ", \"beta_last\": {\"index\": [", paste(nz - 1, collapse = ","), "], \"value\": ", jnum(b[nz]), "}",
  ", \"beta_mid\": {\"index\": [", paste(nzm - 1, collapse = ","), "], \"value\": ", jnum(bm[nzm]), "}")
# Untimed accurate reference for the agreement check: glmnet's default thresh (1e-7) leaves
# coefficients a few % off mid-path on p >> n correlated designs; refit the same lambdas at
# thresh 1e-12 (skip with GLMNET_REF=0).
if (Sys.getenv("GLMNET_REF", "1") != "0") {
  rf <- glmnet(x, y, alpha = 1, lambda = fit$lambda, thresh = 1e-12, maxit = 1e7, family = family)
  rl <- rf$beta[, L]; rm <- rf$beta[, M]
  out <- paste0(out, ", \"ref\": {\"thresh\": 1e-12",
    ", \"beta_last\": {\"index\": [", paste(which(rl != 0) - 1, collapse = ","), "], \"value\": ", jnum(rl[rl != 0]), "}",
    ", \"beta_mid\": {\"index\": [", paste(which(rm != 0) - 1, collapse = ","), "], \"value\": ", jnum(rm[rm != 0]), "}}")
}
if (mode == "cv") {
  out <- paste0(out, ", \"cv\": {\"lambda_min\": ", sprintf("%.17g", cvf$lambda.min),
                ", \"lambda_1se\": ", sprintf("%.17g", cvf$lambda.1se),
                ", \"cvm\": ", jnum(cvf$cvm), "}")
}
writeLines(paste0(out, "}"), outjson)
cat(sprintf("glmnet %s: %.3f s, %d lambdas\n", mode, secs, L))
