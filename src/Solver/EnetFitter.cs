using System.Diagnostics;
using System.Security.Cryptography;
using GpuEnet.Kernels;
using GpuEnet.Solver.Binomial;
using GpuEnet.Solver.CrossValidation;
using GpuEnet.Solver.Model;
using GpuEnet.Solver.Path;

namespace GpuEnet.Solver;

/// <summary>
/// Fits Elastic Net paths and cross-validates them on a backend. Every call builds one batch of problems
/// (full-data fits, folds × l1_ratios, stability half-samples) and solves it over one bound copy of X.
/// </summary>
/// <exception cref="ArgumentException">From every method, with a message a user understands, for invalid input.</exception>
public sealed class EnetFitter
{
    private readonly IKernelBackend _backend;

    // Traffic of every design this fitter bound (a cross-validation with --refine binds more than one).
    private readonly DeviceTraffic _traffic = new();
    private readonly EnetSettings _settings;
    private readonly IProgress<PathProgress>? _progress;

    /// <summary>Creates a fitter; <paramref name="progress"/> hears about accepted λ values.</summary>
    public EnetFitter(IKernelBackend backend, EnetSettings settings, IProgress<PathProgress>? progress = null)
    {
        _backend = backend ?? throw new ArgumentNullException(nameof(backend));
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
        _progress = progress;
    }

    /// <summary>Fits one path per l1_ratio on all rows. The selection is the last λ of the first path.</summary>
    public EnetModel Fit(TrainingData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        Validate(data);
        data = Coded(data);
        var clock = Stopwatch.StartNew();
        int ratios = _settings.L1Ratios.Length;
        var solutions = Solve(data, Replicate(FullProblems(data, _settings.L1Ratios)));
        var paths = Enumerable.Range(0, ratios).Select(l => PooledPath(solutions, l, ratios, _settings.L1Ratios[l])).ToArray();
        var selected = new Selection(0, paths[0].Count - 1, SelectionRule.Last);
        var model = BuildModel(data, paths, selected, solutions[0], clock.Elapsed.TotalSeconds);
        model.Pooling = Pooling(solutions, ratios, selected, data.X.Columns);
        return model;
    }

    /// <summary>
    /// K-fold cross-validation over the l1_ratio grid: full-data fits and every (fold, l1_ratio) problem in one batch,
    /// folds using the full fit's λ sequence; cvm/cvsd/lambda_min/lambda_1se as cv.glmnet; the best pair is selected.
    /// </summary>
    public EnetModel CrossValidate(TrainingData data, CvOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        Validate(data);
        data = Coded(data);
        var clock = Stopwatch.StartNew();
        int n = data.X.Rows;
        int[] foldId = options.FoldId ?? Folds.Random(n, options.Folds, options.Seed);
        Folds.Validate(foldId, n);
        ValidateFolds(data, foldId, options);
        var measure = MeasureOf(options);
        var (paths, full, score) = CrossValidateGrid(data, _settings.L1Ratios, foldId, measure);
        if (options.Refine)
        {
            var finer = RefinedRatios(paths.Select(q => q.L1Ratio).ToArray(), BestPath(score));
            if (finer.Length > 0)
            {
                var (morePaths, moreFull, moreScore) = CrossValidateGrid(data, finer, foldId, measure);
                var all = paths.Zip(full, score).Concat(morePaths.Zip(moreFull, moreScore)).OrderByDescending(t => t.First.L1Ratio).ToArray();
                paths = all.Select(t => t.First).ToArray();
                full = all.Select(t => t.Second).ToArray();
                score = all.Select(t => t.Third).ToArray();
            }
        }

        int bestPath = BestPath(score);
        var cv = paths[bestPath].Cv!;
        var selected = options.Select == SelectionRule.OneSe
            ? new Selection(bestPath, cv.Index1se, SelectionRule.OneSe)
            : new Selection(bestPath, cv.IndexMin, SelectionRule.Min);
        var model = BuildModel(data, paths, selected, full[0], 0);
        model.Pooling = _pooling;
        if (options.Stability > 0)
        {
            model.StabilityFrequency = Stability(data, paths[bestPath], options.Stability, options.Seed, foldId);
        }

        return WithSolveTime(model, clock.Elapsed.TotalSeconds);
    }

    // One batch: the full-data fit per l1_ratio and every (fold, l1_ratio) problem; returns the paths with their CV curves,
    // and per path its smallest cvm on the solver's internal y scale (which, unlike the user's units, cannot overflow).
    private (EnetPath[] Paths, PathSolution[] Full, double[] Score) CrossValidateGrid(TrainingData data, double[] l1Ratios, int[] foldId, CvMeasure measure)
    {
        int n = data.X.Rows;
        int k = foldId.Max();
        var baseWeights = BaseWeights(data);
        int ratios = l1Ratios.Length;
        var problems = new List<PathProblem>();
        problems.AddRange(FullProblems(data, l1Ratios, foldId));
        var foldRows = new int[k][];
        for (int f = 1; f <= k; f++)
        {
            int fold = f;
            foldRows[f - 1] = Enumerable.Range(0, n).Where(i => foldId[i] == fold).ToArray();
        }

        for (int l = 0; l < ratios; l++)
        {
            for (int f = 1; f <= k; f++)
            {
                var w = new double[n];
                for (int i = 0; i < n; i++)
                {
                    w[i] = foldId[i] != 0 && foldId[i] != f ? baseWeights[i] : 0;
                }

                problems.Add(new PathProblem { Weights = w, L1Ratio = l1Ratios[l], Lambda = problems[l].Lambda, Follows = l, EvaluationRows = foldRows[f - 1] });
            }
        }

        int stride = problems.Count;
        var solutions = Solve(data, Replicate(problems));
        var paths = new EnetPath[ratios];
        var score = new double[ratios];
        var foldWeight = foldRows.Select(rows => rows.Sum(i => baseWeights[i])).ToArray();
        if (_settings.Family == ModelFamily.Binomial)
        {
            for (int l = 0; l < ratios; l++)
            {
                (paths[l], score[l]) = BinomialCv(solutions, l, l1Ratios[l], ratios, stride, _settings.Imputations, foldRows, foldWeight, data.Y, baseWeights, measure);
            }

            _pooling = Pooling(solutions, stride, new Selection(BestPath(score), paths[BestPath(score)].Cv!.IndexMin, SelectionRule.Min), data.X.Columns);
            return (paths, solutions[..ratios], score);
        }

        for (int l = 0; l < ratios; l++)
        {
            var path = PooledPath(solutions, l, stride, l1Ratios[l]);
            // Per imputation m, the held-out mean squared error of every fold at every λ; the curve is computed from their
            // average over the imputations (Rubin's pooled estimate), and per imputation for the report.
            var perImputation = new double[_settings.Imputations][][];
            for (int m = 0; m < perImputation.Length; m++)
            {
                var foldError = perImputation[m] = new double[k][];
                for (int f = 0; f < k; f++)
                {
                    var fold = solutions[(m * stride) + ratios + (l * k) + f];
                    var rows = foldRows[f];
                    foldError[f] = new double[path.Count];
                    for (int lam = 0; lam < path.Count; lam++)
                    {
                        // Folds follow the full fit's λ and stop with it, so every fold has every λ of the path.
                        var residual = fold.HeldOutResidual[lam];
                        double se = 0;
                        for (int q = 0; q < rows.Length; q++)
                        {
                            // A held-out row of weight 0 counts for nothing (its residual may not even be finite).
                            se += baseWeights[rows[q]] > 0 ? baseWeights[rows[q]] * residual[q] * residual[q] : 0;
                        }

                        foldError[f][lam] = se / foldWeight[f];
                    }
                }
            }

            // Held-out residuals are on the solver's internal y scale (y / YScale, a power of two), where their squares
            // cannot overflow or underflow; the curve is brought back to the user's units at the end.
            var cv = CvStatistics.Compute(path.Lambda, AverageOver(perImputation), foldWeight);
            score[l] = cv.Cvm[cv.IndexMin];
            // (v·s)·s, not v·s²: s² alone can overflow when v·s² does not (and 0·∞ would be NaN).
            double s = solutions[l].YScale;
            path.Cv = new CvCurve
            {
                Measure = measure,
                Cvm = cv.Cvm.Select(v => v * s * s).ToArray(),
                Cvsd = cv.Cvsd.Select(v => v * s * s).ToArray(),
                LambdaMin = cv.LambdaMin,
                Lambda1se = cv.Lambda1se,
                IndexMin = cv.IndexMin,
                Index1se = cv.Index1se,
                ImputationCvm = perImputation.Length > 1
                    ? perImputation.Select(e => CvStatistics.Compute(path.Lambda, e, foldWeight).Cvm.Select(v => v * s * s).ToArray()).ToArray()
                    : null,
            };
            paths[l] = path;
        }

        int best = BestPath(score);
        _pooling = Pooling(solutions, stride, new Selection(best, paths[best].Cv!.IndexMin, SelectionRule.Min), data.X.Columns);
        return (paths, solutions[..ratios], score);
    }

    // Pooling of the last cross-validated grid (null with single imputation).
    private ImputationPooling? _pooling;

    // The batch with every problem once per imputation: imputation m's copy of problem i at m·count + i, with draw m;
    // a copy follows its original's leader (or the original itself), so all imputations share one λ sequence.
    private List<PathProblem> Replicate(List<PathProblem> problems)
    {
        int count = problems.Count;
        var all = new List<PathProblem>(problems);
        for (int m = 1; m < _settings.Imputations; m++)
        {
            for (int i = 0; i < count; i++)
            {
                var q = problems[i];
                all.Add(new PathProblem
                {
                    Weights = q.Weights,
                    L1Ratio = q.L1Ratio,
                    Lambda = q.Lambda,
                    Follows = q.Follows >= 0 ? q.Follows : i,
                    EvaluationRows = q.EvaluationRows,
                    Draw = m,
                });
            }
        }

        return all;
    }

    // Element-wise average of M arrays of k × λ fold errors (the single one itself when M = 1).
    private static double[][] AverageOver(double[][][] perImputation)
    {
        if (perImputation.Length == 1)
        {
            return perImputation[0];
        }

        return perImputation[0].Select((row, f) => row.Select((_, lam) => perImputation.Average(e => e[f][lam])).ToArray()).ToArray();
    }

    // Path l pooled over the imputations (problem l of each imputation's copy, `stride` apart): coefficients, intercepts and
    // deviance ratios averaged at every λ, the largest duality gap. With one imputation, that path itself.
    private EnetPath PooledPath(PathSolution[] solutions, int l, int stride, double l1Ratio)
    {
        int imputations = _settings.Imputations;
        if (imputations == 1)
        {
            return ToPath(solutions[l], l1Ratio);
        }

        var fits = Enumerable.Range(0, imputations).Select(m => solutions[(m * stride) + l]).ToArray();
        int count = fits.Min(f => f.Lambda.Count);
        var beta = new SparseCoefficients[count];
        for (int lam = 0; lam < count; lam++)
        {
            var sum = new SortedDictionary<int, double>();
            foreach (var fit in fits)
            {
                var b = fit.Beta[lam];
                for (int e = 0; e < b.Index.Length; e++)
                {
                    sum[b.Index[e]] = sum.GetValueOrDefault(b.Index[e]) + b.Value[e];
                }
            }

            var kept = sum.Where(kv => kv.Value != 0).ToArray();
            beta[lam] = new SparseCoefficients([.. kept.Select(kv => kv.Key)], [.. kept.Select(kv => kv.Value / imputations)]);
        }

        return new EnetPath
        {
            L1Ratio = l1Ratio,
            Lambda = [.. fits[0].Lambda.Take(count)],
            Intercept = Enumerable.Range(0, count).Select(lam => fits.Average(f => f.Intercept[lam])).ToArray(),
            Beta = beta,
            DevRatio = Enumerable.Range(0, count).Select(lam => fits.Average(f => f.DevRatio[lam])).ToArray(),
            Df = beta.Select(b => b.Index.Length).ToArray(),
            DualGap = Enumerable.Range(0, count).Select(lam => fits.Max(f => f.DualGap[lam])).ToArray(),
            NullDeviance = fits.Average(f => f.NullDeviance),
        };
    }

    // Selection frequency and between-imputation sd of each coefficient at the selected (path, λ); null for one imputation.
    private ImputationPooling? Pooling(PathSolution[] solutions, int stride, Selection selected, int p)
    {
        int imputations = _settings.Imputations;
        if (imputations == 1)
        {
            return null;
        }

        var frequency = new double[p];
        var values = new double[imputations, p];
        for (int m = 0; m < imputations; m++)
        {
            var b = solutions[(m * stride) + selected.PathIndex].Beta[selected.LambdaIndex];
            for (int e = 0; e < b.Index.Length; e++)
            {
                frequency[b.Index[e]] += 1.0 / imputations;
                values[m, b.Index[e]] = b.Value[e];
            }
        }

        var spread = new double[p];
        for (int j = 0; j < p; j++)
        {
            double mean = 0;
            for (int m = 0; m < imputations; m++)
            {
                mean += values[m, j] / imputations;
            }

            double squares = 0;
            for (int m = 0; m < imputations; m++)
            {
                squares += (values[m, j] - mean) * (values[m, j] - mean);
            }

            spread[j] = Math.Sqrt(squares / (imputations - 1));
        }

        return new ImputationPooling { Imputations = imputations, SelectionFrequency = frequency, CoefficientSpread = spread };
    }

    // cv.glmnet's curve of one binomial path from its folds' held-out links; the score is the best cvm, negated for AUC so
    // that smaller is better everywhere.
    private (EnetPath Path, double Score) BinomialCv(PathSolution[] solutions, int l, double l1Ratio, int ratios, int stride, int imputations,
        int[][] foldRows, double[] foldWeight, double[] y, double[] baseWeights, CvMeasure measure)
    {
        int k = foldRows.Length;
        var path = PooledPath(solutions, l, stride, l1Ratio);
        double sign = measure == CvMeasure.Auc ? -1 : 1;
        var perImputation = new double[imputations][][];
        for (int m = 0; m < imputations; m++)
        {
            var foldError = perImputation[m] = new double[k][];
            for (int f = 0; f < k; f++)
            {
                var fold = solutions[(m * stride) + ratios + (l * k) + f];
                foldError[f] = new double[path.Count];
                for (int lam = 0; lam < path.Count; lam++)
                {
                    foldError[f][lam] = sign * BinomialMeasures.FoldError(measure, fold.HeldOutLink[lam], foldRows[f], y, baseWeights);
                }
            }
        }

        var cv = CvStatistics.Compute(path.Lambda, AverageOver(perImputation), foldWeight);
        var outOfFold = new Dictionary<int, double[]>();
        foreach (int lam in new[] { cv.IndexMin, cv.Index1se })
        {
            var link = new double[y.Length];
            Array.Fill(link, double.NaN);
            for (int f = 0; f < k; f++)
            {
                var held = solutions[ratios + (l * k) + f].HeldOutLink[lam];
                for (int q = 0; q < foldRows[f].Length; q++)
                {
                    link[foldRows[f][q]] = held[q];
                }
            }

            outOfFold[lam] = link;
        }

        path.Cv = new CvCurve
        {
            Measure = measure,
            Cvm = cv.Cvm.Select(v => sign * v).ToArray(),
            Cvsd = cv.Cvsd,
            LambdaMin = cv.LambdaMin,
            Lambda1se = cv.Lambda1se,
            IndexMin = cv.IndexMin,
            Index1se = cv.Index1se,
            OutOfFoldLink = outOfFold,
            ImputationCvm = imputations > 1
                ? perImputation.Select(e => CvStatistics.Compute(path.Lambda, e, foldWeight).Cvm.Select(v => sign * v).ToArray()).ToArray()
                : null,
        };
        return (path, cv.Cvm[cv.IndexMin]);
    }

    private CvMeasure MeasureOf(CvOptions options)
    {
        bool binomial = _settings.Family == ModelFamily.Binomial;
        var measure = options.Measure ?? (binomial ? CvMeasure.Deviance : CvMeasure.Mse);
        if (!binomial && measure is CvMeasure.Auc or CvMeasure.Class)
        {
            throw new ArgumentException($"The {measure.ToString().ToLowerInvariant()} measure needs the binomial family; the Gaussian family measures mse (= deviance).");
        }

        return measure;
    }

    // The binomial family's target coded 0/1 (labels in sorted order); the Gaussian family's data unchanged.
    private TrainingData Coded(TrainingData data)
    {
        if (_settings.Family != ModelFamily.Binomial)
        {
            return data;
        }

        var (coded, labels) = BinaryTarget.Code(data.Y, data.Labels);
        return data with { Y = coded, Labels = labels };
    }

    private static int BestPath(double[] score)
    {
        int best = 0;
        for (int l = 1; l < score.Length; l++)
        {
            if (score[l] < score[best])
            {
                best = l;
            }
        }

        return best;
    }

    /// <summary>
    /// The finer grid of <c>--refine</c>: four values evenly spaced strictly between the best l1_ratio and each of its
    /// neighbours in the first grid (or the end of [0, 1] beyond it), excluding values already fitted.
    /// </summary>
    public static double[] RefinedRatios(double[] grid, int best)
    {
        ArgumentNullException.ThrowIfNull(grid);
        var sorted = grid.Order().ToArray();
        double a = grid[best];
        int at = Array.IndexOf(sorted, a);
        double below = at > 0 ? sorted[at - 1] : 0;
        double above = at < sorted.Length - 1 ? sorted[at + 1] : 1;
        var values = new List<double>();
        foreach (double edge in new[] { below, above })
        {
            for (int q = 1; q <= 2; q++)
            {
                double v = a + ((edge - a) * q / 3);
                if (!grid.Any(g => Math.Abs(g - v) < 1e-9) && !values.Any(g => Math.Abs(g - v) < 1e-9))
                {
                    values.Add(v);
                }
            }
        }

        return [.. values.OrderDescending()];
    }

    // Stability selection: N half-samples (without replacement, seeded) fitted as one batch at the chosen l1_ratio on the
    // full-data λ sequence; a feature's frequency is the largest fraction of half-samples selecting it at any λ.
    private double[] Stability(TrainingData data, EnetPath path, int count, int seed, int[] foldId)
    {
        int n = data.X.Rows, p = data.X.Columns;
        var rng = new Random(seed + 7919);
        var baseWeights = BaseWeights(data);
        // Half-samples are drawn from the rows that carry weight: a half of zero-weight rows would be no sample at all.
        var rows = Enumerable.Range(0, n).Where(i => foldId[i] != 0 && baseWeights[i] > 0).ToArray();
        var problems = new List<PathProblem>();
        for (int s = 0; s < count; s++)
        {
            var pick = rows.ToArray();
            rng.Shuffle(pick);
            var w = new double[n];
            foreach (int i in pick.AsSpan(0, pick.Length / 2))
            {
                w[i] = baseWeights[i];
            }

            problems.Add(new PathProblem { Weights = w, L1Ratio = path.L1Ratio, Lambda = path.Lambda });
        }

        var solutions = Solve(data, problems);
        var frequency = new double[p];
        var counts = new int[p];
        for (int lam = 0; lam < path.Count; lam++)
        {
            Array.Clear(counts);
            foreach (var solution in solutions)
            {
                if (lam < solution.Beta.Count)
                {
                    foreach (int j in solution.Beta[lam].Index)
                    {
                        counts[j]++;
                    }
                }
            }

            for (int j = 0; j < p; j++)
            {
                frequency[j] = Math.Max(frequency[j], (double)counts[j] / count);
            }
        }

        return frequency;
    }

    private static EnetModel WithSolveTime(EnetModel model, double seconds) => new()
    {
        Features = model.Features,
        Target = model.Target,
        Preprocessing = model.Preprocessing,
        Paths = model.Paths,
        Selected = model.Selected,
        FeatureScale = model.FeatureScale,
        StabilityFrequency = model.StabilityFrequency,
        Training = model.Training with { SolveSeconds = seconds },
        Family = model.Family,
        Labels = model.Labels,
        CodedTarget = model.CodedTarget,
        Pooling = model.Pooling,
    };

    private List<PathProblem> FullProblems(TrainingData data, double[] l1Ratios, int[]? foldId = null)
    {
        int n = data.X.Rows;
        var w = BaseWeights(data);
        if (foldId is not null)
        {
            // Rows with fold id 0 are not used anywhere, the full fit included.
            for (int i = 0; i < n; i++)
            {
                w[i] = foldId[i] == 0 ? 0 : w[i];
            }
        }

        var user = _settings.Lambda?.OrderByDescending(x => x).ToArray();
        return l1Ratios
            .Select(a => new PathProblem { Weights = w, L1Ratio = a, Lambda = user, EarlyStop = user is null })
            .ToList();
    }

    // The observation weights divided by a power of two near the largest, so that sums over rows cannot overflow (weights
    // of 1e308) while every ratio, and so every result, stays bitwise what it was. A fresh array each call.
    private static double[] BaseWeights(TrainingData data)
    {
        if (data.Weights is null)
        {
            return Enumerable.Repeat(1.0, data.X.Rows).ToArray();
        }

        double scale = Math.ScaleB(1.0, Math.ILogB(data.Weights.Max()));
        return data.Weights.Select(v => v / scale).ToArray();
    }

    private PathSolution[] Solve(TrainingData data, IReadOnlyList<PathProblem> problems)
    {
        using var design = _backend.Bind(data.X);
        try
        {
            return _settings.Family == ModelFamily.Binomial
                ? new BinomialPathSolver(design, data.Y, _settings, _progress, _backend).Solve(problems)
                : new PathSolver(design, data.Y, _settings, _progress).Solve(problems);
        }
        finally
        {
            _traffic.Add(design.Traffic);
        }
    }

    internal static EnetPath ToPath(PathSolution s, double l1Ratio) => new()
    {
        L1Ratio = l1Ratio,
        Lambda = [.. s.Lambda],
        Intercept = [.. s.Intercept],
        Beta = [.. s.Beta],
        DevRatio = [.. s.DevRatio],
        Df = [.. s.Df],
        DualGap = [.. s.DualGap],
        NullDeviance = s.NullDeviance,
    };

    private EnetModel BuildModel(TrainingData data, EnetPath[] paths, Selection selected, PathSolution full, double seconds)
    {
        var pre = data.Preprocessing ?? FeaturePreprocessing.Identity(data.Features);
        var fill = new double[pre.InputColumns.Length];
        for (int c = 0; c < fill.Length; c++)
        {
            fill[c] = _settings.Impute == ImputeStrategy.None ? double.NaN : full.FeatureFill[c];
        }

        return new EnetModel
        {
            Features = data.Features,
            Target = data.Target,
            Preprocessing = new FeaturePreprocessing
            {
                InputColumns = pre.InputColumns,
                Impute = _settings.Impute,
                FillValues = fill,
                IndicatorColumns = pre.IndicatorColumns,
                Imputer = full.Imputer,
            },
            Paths = paths,
            Selected = selected,
            FeatureScale = full.FeatureScale,
            Family = _settings.Family,
            Labels = data.Labels,
            CodedTarget = data.Labels is null ? null : data.Y,
            Training = new TrainingInfo
            {
                N = data.X.Rows,
                P = data.X.Columns,
                DroppedRows = data.DroppedRows,
                Device = _backend.Device,
                Precision = data.X.Precision == Precision.Float32 ? "float32" : "float64",
                SoftwareVersion = typeof(EnetFitter).Assembly.GetName().Version?.ToString(3) ?? "0.0.0",
                TrainedUtc = DateTimeOffset.UtcNow,
                DataFingerprint = data.Fingerprint ?? Fingerprint(data),
                Standardize = _settings.Standardize,
                Intercept = _settings.Intercept,
                LoadSeconds = data.LoadSeconds,
                SolveSeconds = seconds,
                Traffic = Snapshot(_traffic),
            },
        };
    }

    private static DeviceTraffic Snapshot(DeviceTraffic traffic)
    {
        var copy = new DeviceTraffic();
        copy.Add(traffic);
        return copy;
    }

    /// <summary>The fingerprint a model fitted by this fitter on <paramref name="data"/> records (its target as the family codes it).</summary>
    public string FingerprintOf(TrainingData data) => Fingerprint(Coded(data ?? throw new ArgumentNullException(nameof(data))));

    /// <summary>SHA-256 (hex, first 16 bytes) of n, p, y, weights and up to 1,024 evenly spaced columns of X.</summary>
    public static string Fingerprint(TrainingData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var x = data.X;
        hash.AppendData(BitConverter.GetBytes(x.Rows));
        hash.AppendData(BitConverter.GetBytes(x.Columns));
        hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.Y.AsSpan()));
        if (data.Weights is not null)
        {
            hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.Weights.AsSpan()));
        }

        var scratch = new double[x.Rows];
        int step = Math.Max(1, x.Columns / 1024);
        for (int j = 0; j < x.Columns; j += step)
        {
            hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(x.Column(j, scratch)));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset().AsSpan(0, 16));
    }

    private void Validate(TrainingData data)
    {
        var x = data.X;
        int n = x.Rows, p = x.Columns;
        if (p == 0)
        {
            throw new ArgumentException("The data has no feature columns.");
        }

        if (n < 2)
        {
            throw new ArgumentException($"At least 2 rows are needed to fit a model, got {n}.");
        }

        if (data.Y.Length != n)
        {
            throw new ArgumentException($"The target has {data.Y.Length} values but X has {n} rows.");
        }

        if (data.Features.Length != p)
        {
            throw new ArgumentException($"There are {data.Features.Length} feature names for {p} columns.");
        }

        for (int i = 0; i < n; i++)
        {
            if (!double.IsFinite(data.Y[i]))
            {
                throw new ArgumentException($"The target is missing or infinite in row {i + 1}.");
            }
        }

        if (data.Weights is { } w)
        {
            if (w.Length != n)
            {
                throw new ArgumentException($"There are {w.Length} weights for {n} rows.");
            }

            for (int i = 0; i < n; i++)
            {
                if (!double.IsFinite(w[i]) || w[i] < 0)
                {
                    throw new ArgumentException($"Weight in row {i + 1} is {w[i]}; weights must be finite and ≥ 0.");
                }
            }

            double largest = w.Max();
            if (largest <= 0)
            {
                throw new ArgumentException("The weights sum to 0.");
            }

            // Relative to the largest weight, a weight below the smallest normal double cannot be represented with any
            // precision (and its products with squared residuals vanish): it is refused, not silently rounded.
            for (int i = 0; i < n; i++)
            {
                if (w[i] > 0 && w[i] / largest < 2.2250738585072014E-308)
                {
                    throw new ArgumentException($"Weight in row {i + 1} is {w[i]}, more than 1e308 times smaller than the largest weight ({largest}); set it to 0 or use weights of less extreme range.");
                }
            }
        }

        double first = double.NaN;
        bool varies = false;
        for (int i = 0; i < n && !varies; i++)
        {
            if (data.Weights is not null && data.Weights[i] == 0)
            {
                continue;
            }

            varies = !double.IsNaN(first) && data.Y[i] != first;
            first = double.IsNaN(first) ? data.Y[i] : first;
        }

        if (!varies)
        {
            throw new ArgumentException("The target is constant, so there is nothing to model.");
        }

        var s = _settings;
        if (s.Impute == ImputeStrategy.None && x.HasMissing)
        {
            // The kernels would fill the cells with the mean while the model records no fill: refuse, as the CLI does.
            for (int j = 0; j < p; j++)
            {
                var missing = x.MissingRows(j);
                if (!missing.IsEmpty)
                {
                    throw new ArgumentException($"Feature '{data.Features[j]}' (column {j + 1}) is missing in row {missing[0] + 1}, and the imputation is None; choose Mean, Median or Mode imputation.");
                }
            }
        }

        if (s.Neighbours < 1 || s.ImputeRounds < 1 || s.ImputePredictors < 1 || s.Imputations < 1)
        {
            throw new ArgumentException($"KNN neighbours ({s.Neighbours}), imputation rounds ({s.ImputeRounds}), predictors ({s.ImputePredictors}) and imputations ({s.Imputations}) must each be at least 1.");
        }

        if (s.Imputations > 1 && s.Impute is not (ImputeStrategy.Knn or ImputeStrategy.Regression))
        {
            throw new ArgumentException($"Multiple imputation draws from KNN donors or regression residuals; choose knn or regression imputation (got {s.Impute.ToString().ToLowerInvariant()}).");
        }

        if (s.L1Ratios.Length == 0)
        {
            throw new ArgumentException("At least one l1_ratio is needed.");
        }

        foreach (double a in s.L1Ratios)
        {
            if (!(a >= 0 && a <= 1))
            {
                throw new ArgumentException($"l1_ratio must be between 0 and 1, got {a}.");
            }
        }

        if (s.Lambda is { } lambda)
        {
            if (lambda.Length == 0)
            {
                throw new ArgumentException("The λ sequence is empty.");
            }

            foreach (double l in lambda)
            {
                if (!(l >= 0) || !double.IsFinite(l))
                {
                    throw new ArgumentException($"λ must be finite and ≥ 0, got {l}.");
                }
            }
        }

        if (s.NLambda < 1)
        {
            throw new ArgumentException($"nlambda must be at least 1, got {s.NLambda}.");
        }

        if (s.LambdaMinRatio is { } ratio && !(ratio > 0 && ratio < 1))
        {
            throw new ArgumentException($"lambda_min_ratio must be between 0 and 1 (exclusive), got {ratio}.");
        }

        if (!(s.Tolerance > 0))
        {
            throw new ArgumentException($"The tolerance must be positive, got {s.Tolerance}.");
        }

        CheckPerFeature(s.PenaltyFactor, p, "penalty factors", v => v >= 0 && double.IsFinite(v), "finite and ≥ 0");
        CheckPerFeature(s.Lower, p, "lower bounds", v => v <= 0, "≤ 0");
        CheckPerFeature(s.Upper, p, "upper bounds", v => v >= 0, "≥ 0");
        if (s.PenaltyFactor is { } pf && pf.Sum() <= 0)
        {
            throw new ArgumentException("Every penalty factor is 0; at least one feature must be penalised.");
        }
    }

    // Every fold must train on some weight and measure its error on some weight; otherwise its problem is undefined.
    private static void ValidateFolds(TrainingData data, int[] foldId, CvOptions options)
    {
        if (options.Stability < 0)
        {
            throw new ArgumentException($"The number of stability half-samples must be 0 or more, got {options.Stability}.");
        }

        int k = foldId.Max();
        var heldOut = new double[k + 1];
        double used = 0;
        for (int i = 0; i < foldId.Length; i++)
        {
            double w = data.Weights?[i] ?? 1;
            heldOut[foldId[i]] += w > 0 ? 1 : 0;
            used += foldId[i] != 0 && w > 0 ? 1 : 0;
        }

        for (int f = 1; f <= k; f++)
        {
            if (heldOut[f] == 0)
            {
                throw new ArgumentException($"Every row of fold {f} has weight 0, so the fold cannot measure a prediction error.");
            }

            if (used - heldOut[f] == 0)
            {
                throw new ArgumentException($"Every row outside fold {f} has weight 0 or fold id 0, so fold {f} has nothing to train on.");
            }
        }

        if (options.Stability > 0 && used < 2)
        {
            throw new ArgumentException("Stability selection needs at least 2 rows of positive weight.");
        }

        // Binomial: every fold's training rows must hold both classes (the fold's intercept-only model is otherwise ±∞).
        if (data.Labels is { } labels)
        {
            var classes = new double[k + 1, 2];
            for (int i = 0; i < foldId.Length; i++)
            {
                if ((data.Weights?[i] ?? 1) > 0)
                {
                    classes[foldId[i], (int)data.Y[i]]++;
                }
            }

            double[] total = [0, 0];
            for (int f = 1; f <= k; f++)
            {
                total[0] += classes[f, 0];
                total[1] += classes[f, 1];
            }

            for (int f = 1; f <= k; f++)
            {
                for (int c = 0; c < 2; c++)
                {
                    if (total[c] - classes[f, c] == 0)
                    {
                        string label = c == 0 ? labels.Negative : labels.Positive;
                        throw new ArgumentException($"The training rows of fold {f} hold no row of class '{label}' (all of them are in fold {f}), so the fold's model is undefined; use fewer folds or give fold ids that spread both classes.");
                    }
                }
            }
        }
    }

    private static void CheckPerFeature(double[]? values, int p, string what, Func<double, bool> ok, string rule)
    {
        if (values is null)
        {
            return;
        }

        if (values.Length != p)
        {
            throw new ArgumentException($"There are {values.Length} {what} for {p} features.");
        }

        for (int j = 0; j < p; j++)
        {
            if (!ok(values[j]))
            {
                throw new ArgumentException($"The {what} must be {rule}; feature {j + 1} has {values[j]}.");
            }
        }
    }
}
