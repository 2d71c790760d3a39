namespace GpuEnet.Host.Cli;

/// <summary>The help of every command, each with an example. Option names and defaults follow DESIGN.md.</summary>
public static class HelpText
{
    /// <summary>Top-level help.</summary>
    public const string Main = """
        gpuenet — Elastic Net regression paths and cross-validation, on an NVIDIA GPU when present, else a multi-threaded CPU.

        Objective (weights w summing to 1, penalty factors v rescaled to sum to p):
            1/2 Σ w_i (y_i − b0 − x_iᵀb)² + λ Σ v_j ( l1_ratio·|b_j| + (1 − l1_ratio)/2·b_j² )
        l1_ratio = 1 is the lasso, 0 is ridge. λ is glmnet's `lambda` and scikit-learn's `alpha`.

        Commands:
          demo      generate a genomics-like problem, cross-validate it, report what was recovered
          fit       fit the regularisation path on all rows
          cv        choose λ and l1_ratio by k-fold cross-validation
          predict   predict from a saved model
          inspect   show a saved model
          export    write a saved model as a self-contained ONNX graph
          convert   parse a CSV/TSV once into a .npy (+ sidecar of names and target) that later runs memory-map

        Run 'gpuenet COMMAND --help' for a command's options and an example. 'gpuenet --version' prints the version.
        Device: --device auto|cpu|cuda|ilgpu-cpu (or GPUENET_DEVICE=…); auto uses the GPU when ILGPU finds one, else the
        SIMD CPU backend; ilgpu-cpu runs the GPU kernels on ILGPU's CPU accelerator (testing only: many times slower).
        """;

    private const string DataOptions = """
          --data FILE               CSV/TSV with a header (.gz read transparently; empty cell or NA = missing),
                                    .npy (float32/float64, C or Fortran order; Fortran float64 is memory-mapped;
                                    'gpuenet convert' makes one, with names and target, from a CSV),
                                    .parquet (numeric columns; null = missing; row groups streamed),
                                    or PLINK .bed (with .bim/.fam beside it; dosage = count of the A1 allele)
          --target NAME             target column (CSV), or a column of --pheno (PLINK); PLINK default: .fam phenotype
          --target-file FILE        target as .npy or one value per line (for .npy data)
          --pheno FILE              PLINK phenotype file (FID IID columns…), used with --target
          --weights NAME            observation-weight column (CSV)
          --ignore COL[,COL…]       columns that are not features (e.g. sample IDs; CSV and .npy): skipped unparsed

        """;

    private const string FitOptions = """
          --family gaussian|binomial  loss (gaussian); binomial: logistic Elastic Net for a target with two classes
                                    (two distinct values, mapped to 0/1 in sorted order; PLINK .fam: 1 = control,
                                    2 = case, 0 and -9 missing)
          --l1-ratio A[,A…]         mixing values (default 1); 'random:N' draws N ≤ 10,000 values (log-uniform in [0.01, 1])
                                    with --seed
          --lambda L1,L2,…          user λ sequence (no early stop), instead of the default sequence
          --nlambda N               length of the default λ sequence (100)
          --lambda-min-ratio R      smallest λ / λ_max (default 1e-4 if n > p, else 1e-2)
          --standardize true|false  scale columns by their weighted population sd (true); coefficients are reported on
                                    the original scale either way
          --intercept true|false    fit an unpenalised intercept (true)
          --penalty-factor FILE     per-feature penalty factors (0 = unpenalised covariate): one number per line in
                                    feature order, or 'name value' lines (others keep 1)
          --lower FILE, --upper FILE  per-feature bounds on coefficients (lower ≤ 0 ≤ upper), same file format
          --impute none|mean|median|mode|knn:K|regression|drop-rows   fill missing feature values (default mean),
                                    learnt on training rows only; none makes a missing value an error naming its row and
                                    column; knn:K the mean of the K nearest training rows (standardised distance over the
                                    features both rows have); regression a ridge fit on the most correlated features;
                                    drop-rows leaves out every row with a missing value (listwise deletion, counted)
          --impute-rounds R         rounds of chained equations for --impute regression (1)
          --impute-predictors M     predictors per imputed feature for --impute regression (10)
          --multiple-imputation M   M stochastic imputations (knn: donor draws; regression: residual draws), each fitted
                                    in the same batch; coefficients pooled, selection frequency reported (1)
          --store-donors            knn: store the training rows in the model (8·n·p bytes) so predict can impute
          --missing-indicators      add a 0/1 feature 'name__missing' for each column with missing values
          --full-path               compute every λ (switch off glmnet's early stop)
          --glmnet-y-scaling        ridge part divided by the training y's sd in every fit (each CV fold too), as glmnet
                                    does internally: reproduces glmnet and cv.glmnet (given its λ) for any y at l1_ratio < 1
          --tol T                   coordinate-descent tolerance relative to the null deviance (1e-7, glmnet's thresh)
          --device auto|cpu|cuda|ilgpu-cpu  compute device (auto)
          --precision float64|float32  storage precision of X (float64); float32 halves memory traffic
          --threads N               CPU threads, at least 1 (all cores)
          --seed S                  seed for folds and random search (1)
          --out MODEL               model file to write (required)
          --json PATH               write the fit as JSON (features, paths, dual gaps, selection, timing)
          --report PATH.html        write a self-contained HTML report
          --quiet                   print nothing but errors
        """;

    /// <summary>Help of <c>fit</c>.</summary>
    public const string Fit = $"""
        gpuenet fit — fit the Elastic Net path on all rows (the model's default λ is the last one of the path).

        Example:
          gpuenet fit --data expr.csv --target y --l1-ratio 0.5 --out model.gnet --json fit.json

        Options:
        {DataOptions}{FitOptions}
        """;

    /// <summary>Help of <c>cv</c>.</summary>
    public const string Cv = $"""
        gpuenet cv — choose λ and l1_ratio by k-fold cross-validation. All folds × l1_ratios are solved together as one
        batch over one copy of X; every fold uses the full-data λ sequence (as cv.glmnet), and imputation values, centres
        and scales are learnt on each fold's training rows only.

        Example:
          gpuenet cv --data expr.csv --target y --l1-ratio 1,0.5,0.1 --folds 10 --select 1se --out model.gnet --report cv.html

        Options:
          --folds K                 number of folds, at least 2 (10)
          --foldid FILE             fold per data row (1..K, 0 = row not used), one integer per line; with --folds, K
                                    must agree
          --select min|1se          which λ the model uses by default: lambda_min or lambda_1se (min)
          --measure deviance|auc|class|mse  what the CV curve measures, as cv.glmnet's type.measure (deviance for
                                    binomial, mse for gaussian; auc and class need --family binomial; larger auc is better)
          --refine                  then cross-validate a finer l1_ratio grid around the best value (same folds)
          --stability N             N half-sample fits at the chosen l1_ratio (one more batch): each feature's largest
                                    selection frequency along the path, in the JSON, the report and the model
        {DataOptions}{FitOptions}
        """;

    /// <summary>Help of <c>predict</c>.</summary>
    public const string Predict = """
        gpuenet predict — predict from a saved model. Columns are matched by name (order free; other columns, text ones
        included, are skipped unread); the model's imputation values and missing indicators are applied. Only the
        columns with a non-zero coefficient are used. Unnamed .npy columns (x1…xp) match by position: widths must agree.

        Example:
          gpuenet predict --model model.gnet --data new.csv --out predictions.csv

        Options:
          --model MODEL     model file written by fit or cv (required)
          --data FILE       data with the model's input columns (required)
          --lambda X        use this λ instead of the selected one (linear interpolation between path points); a λ
                            outside the path's range is an error unless --clamp is given
          --clamp           with --lambda outside the path, use the nearest end of the path
          --l1-ratio A      use the path with this l1_ratio instead of the selected one
          --type response|class|link  binomial models: the probability of the second label (response, default), the
                            label at probability 0.5 (class), or the linear predictor η (link); Gaussian models: η
          --out PATH.csv    predictions, one per data row: row,prediction (required)
        """;

    /// <summary>Help of <c>inspect</c>.</summary>
    public const string Inspect = """
        gpuenet inspect — show a saved model: training metadata, the selected model and its non-zero coefficients.

        Example:
          gpuenet inspect --model model.gnet --json

        Options:
          --model MODEL     model file (required)
          --json            print JSON instead of text
        """;

    /// <summary>Help of <c>export</c>.</summary>
    public const string Export = """
        gpuenet export — write one solution of a saved model as a self-contained ONNX graph (opset 13) that gives
        gpuenet predict's predictions: missing values (NaN) filled with the stored fill values, missing indicators,
        coefficients on the original scale (standardisation folded in) and the intercept. The graph's input is one tensor
        X [N, m] whose columns are the model's input columns in the order of the metadata 'feature_order' (the order
        'gpuenet inspect' lists them), or with --inputs named one [N, 1] input per column; its output is 'prediction' [N].

        Example:
          gpuenet export --model model.gnet --onnx model.onnx

        Options:
          --model MODEL     model file written by fit or cv (required)
          --onnx PATH.onnx  the ONNX file to write (required)
          --lambda X        export this λ instead of the selected one (interpolated as predict does); outside the path
                            an error unless --clamp is given
          --clamp           with --lambda outside the path, use the nearest end of the path
          --l1-ratio A      export the path with this l1_ratio instead of the selected one
          --precision float64|float32  element type of the graph (float64)
          --inputs tensor|named        one tensor input X (tensor) or one input per column (named)
        """;

    /// <summary>Help of <c>convert</c>.</summary>
    public const string Convert = """
        gpuenet convert — parse delimited text once and write its features as a Fortran-ordered float64 .npy, with the
        sidecar OUT.json holding the feature names and the target. Later runs given --data OUT.npy memory-map the matrix
        instead of parsing text, and get the same feature names, target (without --target, or with the same --target)
        and row numbers: every data row is kept, a missing target stored as null and dropped at fit time, as with the
        text. Missing feature cells are stored as NaN (such a matrix is copied when loaded, not mapped). Nothing is
        replaced unless both files are written. The sidecar format: docs/npy-sidecar.md.

        Example:
          gpuenet convert --data expr.csv --target y --out expr.npy
          gpuenet cv --data expr.npy --l1-ratio 1,0.5 --out model.gnet

        Options:
          --data FILE               CSV/TSV with a header (.gz read transparently; empty cell or NA = missing)
          --target NAME             target column: stored in the sidecar, not in the matrix
          --target-file FILE        target as .npy or one value per line, one per data row: stored in the sidecar
          --ignore COL[,COL…]       columns not converted (e.g. sample IDs); a weights column is kept as a feature, for
                                    --weights NAME on the .npy later
          --out X.npy               the matrix; the sidecar is X.npy.json (required)
          --quiet                   print nothing but errors
        """;

    /// <summary>Help of <c>demo</c>.</summary>
    public const string Demo = """
        gpuenet demo — generate a genomics-like problem (correlated blocks of features, a few true effects), cross-validate
        it over a small l1_ratio grid on the best device present, say how many true effects were recovered, and write
        the model and an HTML report.

        Example:
          gpuenet demo --n 500 --p 20000 --effects 20 --out demo

        Options:
          --n N             samples (500)
          --p P             features (20000)
          --effects K       true non-zero effects (20)
          --family gaussian|binomial  quantitative trait (gaussian), or case/control (binomial: the half of the samples
                            with the higher liability are cases); cross-validated by deviance
          --seed S          seed (1)
          --device auto|cpu|cuda|ilgpu-cpu, --threads N
          --out DIR         folder for demo.gnet, demo.json and demo-report.html (gpuenet-demo)
        """;
}
