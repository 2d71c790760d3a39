using GpuEnet.Host.Cli;
using GpuEnet.Host.Commands;
using GpuEnet.Host.Data;
using GpuEnet.Kernels;
using GpuEnet.Solver;
using GpuEnet.Solver.Model;
using GpuEnet.Solver.Path;

namespace GpuEnet;

/// <summary>
/// Elastic Net regression paths: one path per l1_ratio of <see cref="ElasticNetOptions.L1Ratios"/> on all rows, as
/// <c>gpuenet fit</c>. The fitted model's selection is the last (smallest) λ of the first path.
/// </summary>
/// <example>
/// <code>
/// var model = new ElasticNet(new ElasticNetOptions { L1Ratios = [0.5] }).Fit(x, y);
/// double[] predictions = model.Predict(x);
/// </code>
/// </example>
public class ElasticNet
{
    /// <summary>An estimator with the given options (null: defaults).</summary>
    public ElasticNet(ElasticNetOptions? options = null) => Options = options ?? new ElasticNetOptions();

    /// <summary>The options.</summary>
    public ElasticNetOptions Options { get; }

    /// <summary>Fits from a row-major matrix: <paramref name="x"/>[i, j] is row i, feature j; NaN marks a missing value.</summary>
    /// <param name="x">n × p features (copied once into column-major storage; see <see cref="FromRows"/>).</param>
    /// <param name="y">n targets, finite.</param>
    /// <returns>The fitted model.</returns>
    /// <exception cref="ArgumentException">Invalid data or options, with a sentence naming the problem.</exception>
    public ElasticNetModel Fit(double[,] x, double[] y) => Fit(FromRows(x), y);

    /// <summary>Fits from columns: <paramref name="columns"/>[j] holds feature j for every row; NaN marks a missing value.</summary>
    /// <param name="columns">p columns of n values each (copied once; see <see cref="FromColumns"/>).</param>
    /// <param name="y">n targets, finite.</param>
    /// <returns>The fitted model.</returns>
    /// <exception cref="ArgumentException">Invalid data or options, with a sentence naming the problem.</exception>
    public ElasticNetModel Fit(IReadOnlyList<double[]> columns, double[] y) => Fit(FromColumns(columns), y);

    /// <summary>
    /// Fits from a column source (dense, float32, memory-mapped, 2-bit genotypes; <see cref="FromRows"/> and
    /// <see cref="FromColumns"/> make one from arrays), used in place without a copy. <see cref="ElasticNetCV"/>
    /// cross-validates instead.
    /// </summary>
    /// <param name="x">The features; a cell is missing when <see cref="IColumnSource.MissingRows"/> lists it.</param>
    /// <param name="y">n targets, finite.</param>
    /// <param name="weights">n non-negative observation weights, or null for equal weights.</param>
    /// <param name="featureNames">p names, or null for <c>x1…xp</c>.</param>
    /// <param name="progress">Hears about accepted λ values, on the fitting thread.</param>
    /// <param name="cancellationToken">Observed between blocks of λ values; a cancelled fit throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>The fitted model.</returns>
    /// <exception cref="ArgumentException">Invalid data or options, with a sentence naming the problem.</exception>
    public ElasticNetModel Fit(IColumnSource x, double[] y, double[]? weights = null, IReadOnlyList<string>? featureNames = null,
        IProgress<FitProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Run(x, y, weights, featureNames, progress, cancellationToken, CvSettings());

    /// <summary>A column source over a row-major matrix (copied into column-major storage; NaN cells become missing cells).</summary>
    /// <param name="x">n × p values; ±∞ is an error.</param>
    /// <returns>The n × p column source.</returns>
    public static IColumnSource FromRows(double[,] x) => Columns.FromRows(x);

    /// <summary>A column source over columns of equal length (copied; NaN cells become missing cells).</summary>
    /// <param name="columns">p arrays of n values; ±∞ is an error.</param>
    /// <returns>The n × p column source.</returns>
    public static IColumnSource FromColumns(IReadOnlyList<double[]> columns) => Columns.FromColumns(columns);

    /// <summary>Cross-validation settings, or null for a plain fit.</summary>
    private protected virtual CvOptions? CvSettings() => null;

    /// <summary>Fits or cross-validates; shared by <see cref="ElasticNetCV"/>.</summary>
    private protected ElasticNetModel Run(IColumnSource x, double[] y, double[]? weights, IReadOnlyList<string>? featureNames,
        IProgress<FitProgress>? progress, CancellationToken cancellationToken, CvOptions? cv)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        cancellationToken.ThrowIfCancellationRequested();
        if (y.Length != x.Rows)
        {
            throw new ArgumentException($"y has {y.Length} values but x has {x.Rows} rows.", nameof(y));
        }

        if (weights is not null && weights.Length != x.Rows)
        {
            throw new ArgumentException($"weights has {weights.Length} values but x has {x.Rows} rows.", nameof(weights));
        }

        string[] names = featureNames is null ? [.. Enumerable.Range(1, x.Columns).Select(j => $"x{j}")] : [.. featureNames];
        if (names.Length != x.Columns)
        {
            throw new ArgumentException($"{names.Length} feature names for {x.Columns} columns.", nameof(featureNames));
        }

        if (names.Distinct(StringComparer.Ordinal).Count() != names.Length)
        {
            throw new ArgumentException("Feature names must be unique.", nameof(featureNames));
        }

        ElasticNetOptions o = Options;
        var settings = new EnetSettings
        {
            L1Ratios = [.. o.L1Ratios],
            Lambda = o.Lambda is null ? null : [.. o.Lambda],
            NLambda = o.LambdaCount,
            LambdaMinRatio = o.LambdaMinRatio,
            Standardize = o.Standardize,
            Intercept = o.Intercept,
            Tolerance = o.Tolerance,
            FullPath = o.FullPath,
            Impute = o.Impute,
            Neighbours = o.Neighbours,
            ImputeRounds = o.ImputeRounds,
            Imputations = o.Imputations,
            StoreDonors = o.StoreDonors,
        };
        var dataset = new Dataset { Features = names, X = x, Y = y, Weights = weights, Origin = "the data" };
        TrainingData training;
        IKernelBackend backend;
        try
        {
            training = TrainCommand.Prepare(dataset, settings, o.MissingIndicators, 0);
            backend = Backends.Create(o.Device, o.Threads ?? Environment.ProcessorCount, out _);
        }
        catch (CliException e)
        {
            throw new ArgumentException(e.Message, e);
        }

        using (backend)
        {
            var fitter = new EnetFitter(backend, settings, new ProgressBridge(progress, cancellationToken));
            EnetModel model = cv is null ? fitter.Fit(training) : fitter.CrossValidate(training, cv);
            cancellationToken.ThrowIfCancellationRequested();
            return new ElasticNetModel(model);
        }
    }

    /// <summary>The solver reports after every block of λ values, on its own thread: where cancellation is observed.</summary>
    private sealed class ProgressBridge(IProgress<FitProgress>? progress, CancellationToken token) : IProgress<PathProgress>
    {
        public void Report(PathProgress value)
        {
            token.ThrowIfCancellationRequested();
            progress?.Report(new FitProgress(value.Done, value.Total));
        }
    }
}

/// <summary>
/// Elastic Net with λ and l1_ratio chosen by k-fold cross-validation, as <c>gpuenet cv</c>: the full-data fits and every
/// (fold, l1_ratio) problem are solved as one batch; cvm, cvsd, lambda_min and lambda_1se follow cv.glmnet.
/// </summary>
/// <example>
/// <code>
/// var cv = new ElasticNetCV(new ElasticNetOptions { L1Ratios = [1, 0.5, 0.1] }, new CrossValidationOptions { Folds = 5 });
/// ElasticNetModel model = cv.Fit(x, y);
/// Console.WriteLine($"λ = {model.Lambda}, l1_ratio = {model.L1Ratio}");
/// </code>
/// </example>
public sealed class ElasticNetCV : ElasticNet
{
    /// <summary>An estimator with the given options (null: defaults).</summary>
    public ElasticNetCV(ElasticNetOptions? options = null, CrossValidationOptions? crossValidation = null)
        : base(options) => CrossValidation = crossValidation ?? new CrossValidationOptions();

    /// <summary>How folds are formed and λ is selected.</summary>
    public CrossValidationOptions CrossValidation { get; }

    private protected override CvOptions CvSettings()
    {
        CrossValidationOptions c = CrossValidation;
        if (c.Folds < 2)
        {
            throw new ArgumentException($"Folds must be at least 2, got {c.Folds}.");
        }

        return new CvOptions { Folds = c.Folds, Seed = c.Seed, FoldId = c.FoldId is null ? null : [.. c.FoldId], Select = c.Select };
    }
}
