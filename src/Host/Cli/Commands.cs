using System.CommandLine;
using System.Globalization;

namespace GpuEnet.Host.Cli;

/// <summary>
/// The command line, declared once (System.CommandLine): every command with its options — name, value placeholder,
/// help text and the check of its value. Parsing (<see cref="Options.Parse"/>), the <c>--help</c> of every command and
/// shell completion are all read from these declarations, so an option cannot be parsed without being documented.
/// </summary>
internal static class Commands
{
    /// <summary>Commands in the order the top-level help lists them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["demo", "fit", "cv", "predict", "inspect", "export", "convert", "completion"];

    /// <summary>The root command <c>gpuenet</c> with every command below it.</summary>
    public static RootCommand Root { get; } = BuildRoot();

    /// <summary>The declaration of command <paramref name="name"/>, or null for an unknown command.</summary>
    public static Command? Find(string name) => Root.Subcommands.FirstOrDefault(c => c.Name == name);

    private const string Intro =
        "gpuenet — Elastic Net regression paths and cross-validation, on an NVIDIA GPU when present, else a multi-threaded CPU.\n\n"
        + "Objective (weights w summing to 1, penalty factors v rescaled to sum to p):\n"
        + "    1/2 Σ w_i (y_i − b0 − x_iᵀb)² + λ Σ v_j ( l1_ratio·|b_j| + (1 − l1_ratio)/2·b_j² )\n"
        + "l1_ratio = 1 is the lasso, 0 is ridge. λ is glmnet's `lambda` and scikit-learn's `alpha`.\n\n"
        + "Run 'gpuenet COMMAND --help' for a command's options and an example. 'gpuenet --version' prints the version.\n"
        + "Device: --device auto|cpu|cuda|ilgpu-cpu (or GPUENET_DEVICE=…); auto uses the GPU when ILGPU finds one, else the\n"
        + "SIMD CPU backend; ilgpu-cpu runs the GPU kernels on ILGPU's CPU accelerator (testing only: many times slower).";

    private static RootCommand BuildRoot()
    {
        var root = new RootCommand(Intro);
        foreach (var command in (Command[])[Demo(), Train("fit"), Train("cv"), Predict(), Inspect(), Export(), Convert(), Completion()])
        {
            root.Add(command);
        }

        return root;
    }

    private static Command Train(string name)
    {
        bool cv = name == "cv";
        var command = new Command(name, cv
            ? "choose λ and l1_ratio by k-fold cross-validation. All folds × l1_ratios are solved together as one batch over one "
              + "copy of X; every fold uses the full-data λ sequence (as cv.glmnet), and imputation values, centres and scales "
              + "are learnt on each fold's training rows only.\n\nExample:\n  gpuenet cv --data expr.csv --target y --l1-ratio 1,0.5,0.1 "
              + "--folds 10 --select 1se --out model.gnet --report cv.html"
            : "fit the Elastic Net path on all rows (the model's default λ is the last one of the path).\n\nExample:\n  "
              + "gpuenet fit --data expr.csv --target y --l1-ratio 0.5 --out model.gnet --json fit.json");
        if (cv)
        {
            Add(command,
                Value("folds", "K", "number of folds, at least 2 (10)", Integer),
                Value("foldid", "FILE", "fold per data row (1..K, 0 = row not used), one integer per line; with --folds, K must agree"),
                Value("select", "min|1se", "which λ the model uses by default: lambda_min or lambda_1se (min)", OneOf("min", "1se")),
                Value("measure", "deviance|auc|class|mse", "what the CV curve measures, as cv.glmnet's type.measure (deviance for binomial, "
                    + "mse for gaussian; auc and class need --family binomial; larger auc is better)", OneOf("deviance", "auc", "class", "mse")),
                Flag("refine", "then cross-validate a finer l1_ratio grid around the best value (same folds)"),
                Value("stability", "N", "N half-sample fits at the chosen l1_ratio (one more batch): each feature's largest selection "
                    + "frequency along the path, in the JSON, the report and the model", Integer));
        }

        Add(command,
            Value("data", "FILE", "CSV/TSV with a header (.gz read transparently; empty cell or NA = missing), .npy (float32/float64, "
                + "C or Fortran order; Fortran float64 is memory-mapped; 'gpuenet convert' makes one, with names and target, from a CSV), "
                + ".parquet (numeric columns; null = missing; row groups streamed), or PLINK .bed (with .bim/.fam beside it; dosage = "
                + "count of the A1 allele) (required)"),
            Value("target", "NAME", "target column (CSV), or a column of --pheno (PLINK); PLINK default: .fam phenotype"),
            Value("target-file", "FILE", "target as .npy or one value per line (for .npy data)"),
            Value("pheno", "FILE", "PLINK phenotype file (FID IID columns…), used with --target"),
            Value("weights", "NAME", "observation-weight column (CSV)"),
            Value("ignore", "COL[,COL…]", "columns that are not features (e.g. sample IDs; CSV and .npy): skipped unparsed"),
            Value("family", "gaussian|binomial", "loss (gaussian); binomial: logistic Elastic Net for a target with two classes (two "
                + "distinct values, mapped to 0/1 in sorted order; PLINK .fam: 1 = control, 2 = case, 0 and -9 missing)", OneOf("gaussian", "binomial")),
            Value("l1-ratio", "A[,A…]", "mixing values (default 1); 'random:N' draws N ≤ 10,000 values (log-uniform in [0.01, 1]) with --seed"),
            Value("lambda", "L1,L2,…", "user λ sequence (no early stop), instead of the default sequence", Numbers),
            Value("nlambda", "N", "length of the default λ sequence (100)", Integer),
            Value("lambda-min-ratio", "R", "smallest λ / λ_max (default 1e-4 if n > p, else 1e-2)", Number),
            Value("standardize", "true|false", "scale columns by their weighted population sd (true); coefficients are reported on the "
                + "original scale either way", Boolean),
            Value("intercept", "true|false", "fit an unpenalised intercept (true)", Boolean),
            Value("penalty-factor", "FILE", "per-feature penalty factors (0 = unpenalised covariate): one number per line in feature order, "
                + "or 'name value' lines (others keep 1)"),
            Value("lower", "FILE", "per-feature lower bounds on coefficients (≤ 0), same file format as --penalty-factor"),
            Value("upper", "FILE", "per-feature upper bounds on coefficients (≥ 0), same file format as --penalty-factor"),
            Value("impute", "METHOD", "fill missing feature values, learnt on training rows only: none (a missing value is an error naming "
                + "its row and column), mean (default), median, mode, knn:K (the mean of the K nearest training rows; standardised "
                + "distance over the features both rows have), regression (a ridge fit on the most correlated features), or drop-rows "
                + "(leave out every row with a missing value: listwise deletion, counted)"),
            Value("impute-rounds", "R", "rounds of chained equations for --impute regression (1)", Integer),
            Value("impute-predictors", "M", "predictors per imputed feature for --impute regression (10)", Integer),
            Value("multiple-imputation", "M", "M stochastic imputations (knn: donor draws; regression: residual draws), each fitted in the "
                + "same batch; coefficients pooled, selection frequency reported (1)", Integer),
            Flag("store-donors", "knn: store the training rows in the model (8·n·p bytes) so predict can impute new rows"),
            Flag("missing-indicators", "add a 0/1 feature 'name__missing' for each column with missing values"),
            Flag("full-path", "compute every λ (switch off glmnet's early stop)"),
            Flag("glmnet-y-scaling", "ridge part divided by the training y's sd in every fit (each CV fold too), as glmnet does "
                + "internally: reproduces glmnet and cv.glmnet (given its λ) for any y at l1_ratio < 1"),
            Value("tol", "T", "coordinate-descent tolerance relative to the null deviance (1e-7, glmnet's thresh)", Number),
            Value("lambda-block", "K", "λ values validated per pass over X (adaptive)", Integer),
            Value("device", "auto|cpu|cuda|ilgpu-cpu", "compute device (auto)"),
            Value("precision", "float64|float32", "storage precision of X (float64); float32 halves memory traffic", OneOf("float64", "float32")),
            Value("threads", "N", "CPU threads, at least 1 (all cores)", Integer),
            Value("seed", "S", "seed for folds, random search and imputation draws (1)", Integer),
            Value("out", "MODEL", "model file to write (required)"),
            Value("json", "PATH", "write the fit as JSON (features, paths, dual gaps, selection, timing)"),
            Value("report", "PATH.html", "write a self-contained HTML report"),
            Flag("quiet", "print nothing but errors"));
        return command;
    }

    private static Command Predict()
    {
        var command = new Command("predict", "predict from a saved model. Columns are matched by name (order free; other columns, text "
            + "ones included, are skipped unread); the model's imputation values and missing indicators are applied. Only the columns "
            + "with a non-zero coefficient are used. Unnamed .npy columns (x1…xp) match by position: widths must agree.\n\nExample:\n"
            + "  gpuenet predict --model model.gnet --data new.csv --out predictions.csv");
        Add(command,
            Value("model", "MODEL", "model file written by fit or cv (required)"),
            Value("data", "FILE", "data with the model's input columns (required)"),
            Value("lambda", "X", "use this λ instead of the selected one (linear interpolation between path points); a λ outside the "
                + "path's range is an error unless --clamp is given", Number),
            Flag("clamp", "with --lambda outside the path, use the nearest end of the path"),
            Value("l1-ratio", "A", "use the path with this l1_ratio instead of the selected one", Number),
            Value("type", "response|class|link", "binomial models: the probability of the second label (response, default), the label "
                + "at probability 0.5 (class), or the linear predictor η (link); Gaussian models: η"),
            Value("out", "PATH.csv", "predictions, one per data row: row,prediction (required)"),
            Flag("quiet", "print nothing but errors"));
        return command;
    }

    private static Command Inspect()
    {
        var command = new Command("inspect", "show a saved model: training metadata, the selected model and its non-zero coefficients."
            + "\n\nExample:\n  gpuenet inspect --model model.gnet --json");
        Add(command, Value("model", "MODEL", "model file (required)"), Flag("json", "print JSON instead of text"));
        return command;
    }

    private static Command Export()
    {
        var command = new Command("export", "write one solution of a saved model as a self-contained ONNX graph (opset 13) that gives "
            + "gpuenet predict's predictions: missing values (NaN) filled with the stored fill values, missing indicators, coefficients "
            + "on the original scale (standardisation folded in) and the intercept; a binomial model's graph ends in a sigmoid "
            + "(outputs 'prediction', the probability, and 'link'). The graph's input is one tensor X [N, m] whose columns are the "
            + "model's input columns in the order of the metadata 'feature_order' (the order 'gpuenet inspect' lists them), or with "
            + "--inputs named one [N, 1] input per column; its output is 'prediction' [N].\n\nExample:\n"
            + "  gpuenet export --model model.gnet --onnx model.onnx");
        Add(command,
            Value("model", "MODEL", "model file written by fit or cv (required)"),
            Value("onnx", "PATH.onnx", "the ONNX file to write (required)"),
            Value("lambda", "X", "export this λ instead of the selected one (interpolated as predict does); outside the path an error "
                + "unless --clamp is given", Number),
            Flag("clamp", "with --lambda outside the path, use the nearest end of the path"),
            Value("l1-ratio", "A", "export the path with this l1_ratio instead of the selected one", Number),
            Value("precision", "float64|float32", "element type of the graph (float64)"),
            Value("inputs", "tensor|named", "one tensor input X (tensor) or one input per column (named)"),
            Flag("quiet", "print nothing but errors"));
        return command;
    }

    private static Command Convert()
    {
        var command = new Command("convert", "parse delimited text once and write its features as a Fortran-ordered float64 .npy, with "
            + "the sidecar OUT.json holding the feature names and the target. Later runs given --data OUT.npy memory-map the matrix "
            + "instead of parsing text, and get the same feature names, target and row numbers. Missing feature cells are stored as "
            + "NaN. Nothing is replaced unless both files are written. The sidecar format: docs/npy-sidecar.md.\n\nExample:\n"
            + "  gpuenet convert --data expr.csv --target y --out expr.npy\n  gpuenet cv --data expr.npy --l1-ratio 1,0.5 --out model.gnet");
        Add(command,
            Value("data", "FILE", "CSV/TSV with a header (.gz read transparently; empty cell or NA = missing) (required)"),
            Value("target", "NAME", "target column: stored in the sidecar, not in the matrix"),
            Value("target-file", "FILE", "target as .npy or one value per line, one per data row: stored in the sidecar"),
            Value("ignore", "COL[,COL…]", "columns not converted (e.g. sample IDs); a weights column is kept as a feature, for "
                + "--weights NAME on the .npy later"),
            Value("out", "X.npy", "the matrix; the sidecar is X.npy.json (required)"),
            Flag("quiet", "print nothing but errors"));
        return command;
    }

    private static Command Demo()
    {
        var command = new Command("demo", "generate a genomics-like problem (correlated blocks of features, a few true effects), "
            + "cross-validate it over a small l1_ratio grid on the best device present, say how many true effects were recovered, "
            + "and write the model and an HTML report.\n\nExample:\n  gpuenet demo --n 500 --p 20000 --effects 20 --out demo");
        Add(command,
            Value("n", "N", "samples (500)", Integer),
            Value("p", "P", "features (20000)", Integer),
            Value("effects", "K", "true non-zero effects (20)", Integer),
            Value("family", "gaussian|binomial", "quantitative trait (gaussian), or case/control (binomial: the half of the samples with "
                + "the higher liability are cases); cross-validated by deviance", OneOf("gaussian", "binomial")),
            Value("seed", "S", "seed (1)", Integer),
            Value("device", "auto|cpu|cuda|ilgpu-cpu", "compute device (auto)"),
            Value("threads", "N", "CPU threads, at least 1 (all cores)", Integer),
            Value("out", "DIR", "folder for demo.gnet, demo.json and demo-report.html (gpuenet-demo)"),
            Flag("quiet", "print nothing but errors"));
        return command;
    }

    private static Command Completion()
    {
        var command = new Command("completion", "print a shell completion script; bash: add 'source <(gpuenet completion bash)' to "
            + "~/.bashrc. Completions come from these same declarations.");
        command.Add(new Argument<string>("shell") { Description = "the shell: bash", HelpName = "bash" });
        return command;
    }

    private static void Add(Command command, params Option[] options)
    {
        foreach (var option in options)
        {
            command.Add(option);
        }
    }

    // An option with a value. `check` returns an error for a bad value (named by the caller), or null.
    private static Option<string> Value(string name, string placeholder, string help, Func<string, string, string?>? check = null)
    {
        var option = new Option<string>("--" + name) { HelpName = placeholder, Description = help };
        if (check is not null)
        {
            option.Validators.Add(result =>
            {
                foreach (var token in result.Tokens)
                {
                    if (check(name, token.Value) is { } error)
                    {
                        result.AddError(error);
                    }
                }
            });
        }

        return option;
    }

    // A flag: no value, or an explicit --flag=true|false.
    private static Option<string> Flag(string name, string help)
    {
        var option = new Option<string>("--" + name) { Description = help, Arity = ArgumentArity.ZeroOrOne };
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (Boolean(name, token.Value) is { } error)
                {
                    result.AddError(error);
                }
            }
        });
        return option;
    }

    private static string? Integer(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) ? null : $"Option --{name} must be a whole number, got '{value}'.";

    private static string? Number(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _) ? null : $"Option --{name} must be a number, got '{value}'.";

    private static string? Numbers(string name, string value) =>
        value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(v => Number(name, v)).FirstOrDefault(e => e is not null);

    private static string? Boolean(string name, string value) =>
        Options.ParseBool(value) is null ? $"Option --{name} must be true or false, got '{value}'." : null;

    private static Func<string, string, string?> OneOf(params string[] choices) => (name, value) =>
        choices.Contains(value) ? null : $"--{name} must be {string.Join(", ", choices[..^1])} or {choices[^1]}, got '{value}'.";
}
