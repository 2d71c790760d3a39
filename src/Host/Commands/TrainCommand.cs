using System.Diagnostics;
using System.Globalization;
using GpuEnet.Host.Cli;
using GpuEnet.Host.Data;
using GpuEnet.Host.ModelFile;
using GpuEnet.Host.Output;
using GpuEnet.Host.Preprocessing;
using GpuEnet.Kernels;
using GpuEnet.Kernels.Mpi;
using GpuEnet.Solver;
using GpuEnet.Solver.Model;

namespace GpuEnet.Host.Commands;

/// <summary><c>gpuenet fit</c> and <c>gpuenet cv</c>: load data, fit or cross-validate, write the model, JSON and report.</summary>
public static class TrainCommand
{
    /// <summary>MPI_COMM_WORLD while a run started by mpirun is under way (null otherwise): errors end the whole job.</summary>
    public static MpiComm? Mpi { get; private set; }

    /// <summary>Runs the command; returns the exit code.</summary>
    public static int Run(string command, IReadOnlyList<string> args)
    {
        // Started by mpirun with several ranks: the same command on every rank, X split by columns; rank 0 alone writes.
        // On an error the communicator stays open: the error handler aborts the job with it (finalising instead would wait
        // for ranks that never come).
        Mpi = MpiComm.FromEnvironment();
        int code = Train(command, args, Mpi);
        Mpi?.Dispose();
        Mpi = null;
        return code;
    }

    private static int Train(string command, IReadOnlyList<string> args, MpiComm? mpi)
    {
        bool cv = command == "cv";
        var o = Options.Parse(command, args);
        bool root = mpi is null || mpi.Rank == 0;
        bool quiet = o.Bool("quiet", false) || !root;
        var precision = o.Get("precision") switch
        {
            null or "float64" => Precision.Float64,
            "float32" => Precision.Float32,
            var other => throw new CliException($"--precision must be float64 or float32, got '{other}'.", 2),
        };

        string dataPath = o.Require("data");
        string outPath = o.Require("out");
        var settings = Settings(o);
        if (mpi is not null && settings.Impute is ImputeStrategy.Knn or ImputeStrategy.Regression)
        {
            throw new CliException("--impute knn and regression are not available under mpirun yet (their cell fills are not sharded); use mean, median, mode or drop-rows.", 2);
        }

        if (settings.Imputations > 1 && settings.Impute is not (ImputeStrategy.Knn or ImputeStrategy.Regression))
        {
            throw new CliException($"--multiple-imputation {settings.Imputations} needs --impute knn:K or --impute regression (the draws come from donors or regression residuals).", 2);
        }

        int threads = Threads(o);
        var cvOptions = cv ? CvSettings(o, settings.Family) : null;

        // Every output is checked (and its temporary created) before the data is read: a typo in --json must not cost
        // a long cross-validation, and no output may overwrite an input.
        using var outputs = new OutputSet();
        bool plink = dataPath.EndsWith(".bed", StringComparison.OrdinalIgnoreCase);
        foreach (string input in DataLoader.InputFiles(dataPath))
        {
            outputs.AddInput("--data", input);
        }

        foreach (string option in (string[])["target-file", "pheno", "penalty-factor", "lower", "upper", "foldid"])
        {
            outputs.AddInput("--" + option, o.Get(option));
        }

        // Under mpirun only rank 0 touches the outputs (every rank still checks its inputs).
        var modelOut = root ? outputs.Add("--out", outPath) : null;
        var jsonOut = root && o.Get("json") is { } json ? outputs.Add("--json", json) : null;
        var reportOut = root && o.Get("report") is { } report ? outputs.Add("--report", report) : null;
        outputs.Prepare();

        var clock = Stopwatch.StartNew();
        // PLINK data trains on the .fam phenotype unless another target is named.
        var dataset = DataLoader.Load(new DataRequest(dataPath)
        {
            Target = o.Get("target") ?? (plink && !o.Has("target-file") ? "phenotype" : null),
            TargetFile = o.Get("target-file"),
            UseStoredTarget = true,
            PhenoFile = o.Get("pheno"),
            WeightsColumn = o.Get("weights"),
            CaseControl = settings.Family == ModelFamily.Binomial,
            TextLabels = settings.Family == ModelFamily.Binomial,
            Precision = precision,
            Ignore = o.Get("ignore") is { } ignore ? NameList("ignore", ignore) : null,
            Sharded = mpi is not null,
        });
        if (dataset.Y.Length == 0)
        {
            throw new CliException($"No target: name it with --target (a column of {dataPath}) or --target-file.", 2);
        }

        if (dataset.TargetLabels is { Length: not 2 } found)
        {
            throw new CliException($"{dataset.Origin}: the binomial family needs a target with two classes, but '{dataset.Target}' holds {found.Length} label{(found.Length == 1 ? "" : "s")} ({string.Join(", ", found.Take(4).Select(l => $"'{l}'"))}{(found.Length > 4 ? ", …" : "")}).");
        }

        if (o.Get("impute") == "drop-rows")
        {
            if (o.Bool("missing-indicators", false))
            {
                throw new CliException("--missing-indicators and --impute drop-rows do not go together: after dropping incomplete rows nothing is missing.", 2);
            }

            dataset = ListwiseDeletion.Apply(dataset, out int dropped);
            if (!quiet)
            {
                Console.Error.WriteLine($"--impute drop-rows: left out {dropped:N0} of {dropped + dataset.Y.Length:N0} rows with a missing feature value.");
            }
        }

        var training = Prepare(dataset, settings, o.Bool("missing-indicators", false), clock.Elapsed.TotalSeconds);
        settings = PerFeature(o, settings, training.Features);
        var folds = cv ? WithFoldIds(o, cvOptions!, dataset) : null;
        if (mpi is not null)
        {
            SameDataOnEveryRank(mpi, dataset, dataPath);
        }

        var device = Backends.Create(o.Get("device"), threads, out string? notice);
        using var backend = mpi is null ? device : new ShardedBackend(device, mpi, threads);
        if (notice is not null && !quiet)
        {
            Console.Error.WriteLine(notice);
        }

        if (mpi is not null && dataset.X is PackedGenotypes genotypes)
        {
            // The model's fingerprint reads 1,024 columns spread over the whole .bed: read them now, then drop the pages
            // again, so that a rank keeps only its own columns resident (measured: 125–150 MB per rank at K = 2 on a
            // 5,000 × 500,000 file when read at the end).
            training = training with { Fingerprint = new EnetFitter(backend, settings).FingerprintOf(training) };
            genotypes.ReleaseResidentPages();
        }

        EnetModel model;
        using (var progress = new ProgressLine(cv ? "cross-validating" : "fitting"))
        {
            var fitter = new EnetFitter(backend, settings, quiet ? null : progress);
            model = cv ? fitter.CrossValidate(training, folds!) : fitter.Fit(training);
        }

        if (Environment.GetEnvironmentVariable("GPUENET_PROFILE") == "1")
        {
            if (mpi is not null && root)
            {
                Console.Error.WriteLine($"profile: MPI, rank 0 of {mpi.Size}: {mpi.BytesReceived:N0} bytes received in {mpi.Collectives:N0} collectives");
            }

            string who = mpi is null ? "the process" : $"rank {mpi.Rank} of {mpi.Size}";
            Console.Error.WriteLine(MemoryProfile.Line(who));
            if (dataset.X is PackedGenotypes listed)
            {
                Console.Error.WriteLine($"profile: missing-call lists of {who}: {listed.ListedBlocks} of {listed.Blocks} blocks of {PackedGenotypes.ListBlock} variants made");
            }
        }

        if (modelOut is null)
        {
            return 0;
        }

        outputs.Write(modelOut, stream => ModelWriter.Write(model, stream));
        if (jsonOut is not null)
        {
            outputs.Write(jsonOut, stream => JsonOutput.Write(model, stream));
        }

        if (reportOut is not null)
        {
            outputs.Write(reportOut, stream => ReportWriter.Write(model, dataset, stream));
        }

        outputs.Commit();
        if (!quiet)
        {
            Console.Out.Write(Summary.Text(model, outPath));
        }

        return 0;
    }

    // Every rank must have read the same data: a file that differs between ranks (another copy, another size or header)
    // would give each rank's shard a different matrix. Compared by a fingerprint of the shape, the input files' sizes,
    // the names, the target and the weights (not every value of X: that would read all of X on every rank).
    private static void SameDataOnEveryRank(MpiComm mpi, Dataset data, string path)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        hash.AppendData(BitConverter.GetBytes(((long)data.X.Rows << 32) | (uint)data.X.Columns));
        foreach (string input in DataLoader.InputFiles(path).Where(File.Exists))
        {
            hash.AppendData(BitConverter.GetBytes(new FileInfo(input).Length));
        }

        foreach (string name in data.Features)
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(name + "\n"));
        }

        hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.Y.AsSpan()));
        if (data.Weights is { } weights)
        {
            hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(weights.AsSpan()));
        }

        var all = mpi.AllgatherOne(BitConverter.ToInt64(hash.GetHashAndReset(), 0));
        int other = Array.FindIndex(all, h => h != all[0]);
        if (other > 0)
        {
            throw new CliException($"{path} differs between MPI ranks: rank {other} read other data (shape, file size, feature names, target or weights) than rank 0; give every rank the same file.");
        }
    }

    private static EnetSettings Settings(Options o)
    {
        var ratios = L1Ratios(o.Get("l1-ratio"), o.Int("seed", 1));
        return new EnetSettings
        {
            Family = Family(o.Get("family")),
            L1Ratios = ratios,
            Lambda = o.DoubleList("lambda"),
            NLambda = o.Int("nlambda", 100),
            LambdaMinRatio = o.Has("lambda-min-ratio") ? o.Double("lambda-min-ratio", 0) : null,
            Standardize = o.Bool("standardize", true),
            Intercept = o.Bool("intercept", true),
            Tolerance = o.Double("tol", 1e-7),
            FullPath = o.Bool("full-path", false),
            Impute = Impute(o.Get("impute")).Strategy,
            Neighbours = Impute(o.Get("impute")).Neighbours,
            ImputeRounds = Positive(o, "impute-rounds", 1),
            ImputePredictors = Positive(o, "impute-predictors", 10),
            Imputations = Positive(o, "multiple-imputation", 1),
            StoreDonors = o.Bool("store-donors", false),
            ImputeSeed = o.Int("seed", 1),
            LambdaBlock = o.Has("lambda-block") ? o.Int("lambda-block", 1) : null,
            GlmnetRidgeScaling = o.Bool("glmnet-y-scaling", false),
        };
    }

    /// <summary>Parses <c>--impute</c>: the method, and K for <c>knn:K</c> (5 for plain <c>knn</c>).</summary>
    public static (ImputeStrategy Strategy, int Neighbours) Impute(string? text)
    {
        const string Choices = "none, mean, median, mode, knn:K, regression or drop-rows";
        switch (text)
        {
            case null or "mean":
                return (ImputeStrategy.Mean, 5);
            case "none":
                return (ImputeStrategy.None, 5);
            case "median":
                return (ImputeStrategy.Median, 5);
            case "mode":
                return (ImputeStrategy.Mode, 5);
            case "regression":
                return (ImputeStrategy.Regression, 5);
            case "knn":
                return (ImputeStrategy.Knn, 5);
            case "drop-rows":
                // Listwise deletion happens at load (ListwiseDeletion); the complete rows left need no imputation.
                return (ImputeStrategy.None, 5);
        }

        if (text.StartsWith("knn:", StringComparison.Ordinal))
        {
            return int.TryParse(text.AsSpan(4), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int k) && k >= 1
                ? (ImputeStrategy.Knn, k)
                : throw new CliException($"--impute knn:K needs a whole number K of at least 1 neighbours, got '{text}'.", 2);
        }

        throw new CliException($"--impute must be {Choices}, got '{text}'.", 2);
    }

    private static int Positive(Options o, string name, int fallback)
    {
        int value = o.Int(name, fallback);
        return value >= 1 ? value : throw new CliException($"--{name} must be at least 1, got {value}.", 2);
    }

    /// <summary>Parses <c>--family</c>: gaussian (default) or binomial.</summary>
    public static ModelFamily Family(string? text) => text switch
    {
        null or "gaussian" => ModelFamily.Gaussian,
        "binomial" => ModelFamily.Binomial,
        _ => throw new CliException($"--family must be gaussian or binomial, got '{text}'.", 2),
    };

    /// <summary>Parses <c>--l1-ratio</c>: a list (<c>1,0.5,0.1</c>) or <c>random:N</c> (N values drawn with the seed).</summary>
    public static double[] L1Ratios(string? text, int seed)
    {
        if (text is null)
        {
            return [1.0];
        }

        if (text.StartsWith("random:", StringComparison.Ordinal))
        {
            if (!int.TryParse(text.AsSpan(7), NumberStyles.Integer, CultureInfo.InvariantCulture, out int count) || count < 1)
            {
                throw new CliException($"--l1-ratio random:N needs a positive whole N, got '{text}'.", 2);
            }

            if (count > MaxRandomL1Ratios)
            {
                throw new CliException($"--l1-ratio random:{count} is too many: at most {MaxRandomL1Ratios:N0} values (each is a fit of its own).", 2);
            }

            // Log-uniform on [0.01, 1]: the interesting mixing values crowd towards the lasso end and near ridge alike.
            var rng = new Random(seed);
            return Enumerable.Range(0, count).Select(_ => Math.Pow(10, -2 * rng.NextDouble())).OrderDescending().ToArray();
        }

        var values = new List<double>();
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out double a) || a < 0 || a > 1)
            {
                throw new CliException($"--l1-ratio values must be numbers between 0 and 1, got '{part}'.", 2);
            }

            values.Add(a);
        }

        return values.Count > 0 ? [.. values] : throw new CliException("--l1-ratio is empty.", 2);
    }

    private static EnetSettings PerFeature(Options o, EnetSettings s, string[] features)
    {
        double[]? Vector(string name, double fallback) => o.Get(name) is { } path ? VectorFile.Read(path, features, fallback) : null;
        return s with
        {
            PenaltyFactor = Vector("penalty-factor", 1),
            Lower = Vector("lower", double.NegativeInfinity),
            Upper = Vector("upper", double.PositiveInfinity),
        };
    }

    /// <summary>Checks missing values against the impute choice, adds missing indicators, and wraps the data for the solver.</summary>
    public static TrainingData Prepare(Dataset data, EnetSettings settings, bool indicators, double loadSeconds)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Impute == ImputeStrategy.None && data.X.HasMissing)
        {
            for (int j = 0; j < data.X.Columns; j++)
            {
                var missing = data.X.MissingRows(j);
                if (!missing.IsEmpty)
                {
                    int row = data.SourceRows?[missing[0]] ?? (missing[0] + 1);
                    throw new CliException($"{data.Origin}: column '{data.Features[j]}' is missing in data row {row}; choose --impute mean|median|mode.");
                }
            }
        }

        string[] features = data.Features;
        int[] indicatorColumns = [];
        var x = indicators ? MissingIndicators.Add(data.X, data.Features, out features, out indicatorColumns) : data.X;

        return new TrainingData
        {
            X = x,
            Y = data.Y,
            Labels = data.TargetLabels is [var negative, var positive] ? new ClassLabels(negative, positive) : null,
            Weights = data.Weights,
            Features = features,
            Target = data.Target,
            DroppedRows = data.DroppedRows,
            LoadSeconds = loadSeconds,
            Preprocessing = new FeaturePreprocessing
            {
                InputColumns = data.Features,
                Impute = settings.Impute,
                FillValues = new double[data.Features.Length],
                IndicatorColumns = indicatorColumns,
            },
        };
    }

    /// <summary>The largest N of <c>--l1-ratio random:N</c>: every value is a problem of the batch (×(folds + 1) in cv).</summary>
    public const int MaxRandomL1Ratios = 10_000;

    private static int Threads(Options o)
    {
        int threads = o.Int("threads", Environment.ProcessorCount);
        return threads >= 1
            ? threads
            : throw new CliException($"--threads must be at least 1, got {threads} (leave it out to use all {Environment.ProcessorCount} cores).", 2);
    }

    /// <summary>A comma-separated list of names; empty names and repeats are usage errors.</summary>
    internal static string[] NameList(string option, string text)
    {
        var names = text.Split(',', StringSplitOptions.TrimEntries);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in names)
        {
            if (name.Length == 0)
            {
                throw new CliException($"--{option} has an empty column name in '{text}'.", 2);
            }

            if (!seen.Add(name))
            {
                throw new CliException($"--{option} names the column '{name}' twice.", 2);
            }
        }

        return names;
    }

    private static CvOptions CvSettings(Options o, ModelFamily family)
    {
        CvMeasure? measure = o.Get("measure") switch
        {
            null => null,
            "deviance" => CvMeasure.Deviance,
            "mse" => CvMeasure.Mse,
            "auc" => CvMeasure.Auc,
            "class" => CvMeasure.Class,
            var other => throw new CliException($"--measure must be deviance, auc, class or mse, got '{other}'.", 2),
        };
        if (family == ModelFamily.Gaussian && measure is CvMeasure.Auc or CvMeasure.Class)
        {
            throw new CliException($"--measure {o.Get("measure")} needs --family binomial; the Gaussian family measures mse (its deviance).", 2);
        }

        int folds = o.Int("folds", 10);
        if (o.Has("folds") && folds < 2)
        {
            throw new CliException($"--folds must be at least 2, got {folds}.", 2);
        }

        int stability = o.Int("stability", 0);
        if (stability < 0)
        {
            throw new CliException($"--stability must be 0 (off) or a positive number of half-sample fits, got {stability}.", 2);
        }

        return new CvOptions
        {
            Folds = folds,
            Seed = o.Int("seed", 1),
            Select = o.Get("select") switch
            {
                null or "min" => SelectionRule.Min,
                "1se" => SelectionRule.OneSe,
                var other => throw new CliException($"--select must be min or 1se, got '{other}'.", 2),
            },
            Stability = stability,
            Refine = o.Bool("refine", false),
            Measure = measure,
        };
    }

    private static CvOptions WithFoldIds(Options o, CvOptions cv, Dataset data)
    {
        if (o.Get("foldid") is not { } file)
        {
            return cv;
        }

        var raw = VectorFile.ReadIntegers(file);
        int fileRows = data.SourceRows is null ? data.Y.Length : data.Y.Length + data.DroppedRows;
        if (raw.Length != fileRows)
        {
            throw new CliException($"{file} has {raw.Length} fold ids but {data.Origin} has {fileRows} data rows.");
        }

        if (o.Has("folds"))
        {
            int k = raw.Length == 0 ? 0 : raw.Max();
            if (k != cv.Folds)
            {
                throw new CliException($"--folds {cv.Folds} disagrees with --foldid {file}, which has {k} folds; give one of them.", 2);
            }
        }

        // One id per data row of the file; rows dropped for a missing target are skipped.
        return new CvOptions
        {
            Folds = cv.Folds,
            FoldId = data.SourceRows is null ? raw : data.SourceRows.Select(r => raw[r - 1]).ToArray(),
            Seed = cv.Seed,
            Select = cv.Select,
            Stability = cv.Stability,
            Refine = cv.Refine,
            Measure = cv.Measure,
        };
    }
}
