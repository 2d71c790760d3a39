using GpuEnet.Host.Export;
using GpuEnet.Host.ModelFile;
using GpuEnet.Kernels;
using GpuEnet.Solver.Model;

namespace GpuEnet;

/// <summary>
/// A fitted Elastic Net: every path, the selected (λ, l1_ratio), predictions, coefficients at any λ (glmnet's
/// interpolation), the cross-validation curves, and the model file (<see cref="Save"/>, <see cref="Load"/>), which the
/// <c>gpuenet</c> CLI reads too. Immutable and thread-safe.
/// </summary>
public sealed class ElasticNetModel
{
    internal ElasticNetModel(EnetModel model) => Model = model;

    /// <summary>Everything the model holds (paths, CV curves, preprocessing, training metadata).</summary>
    public EnetModel Model { get; }

    /// <summary>Feature names in coefficient order: the input columns, then any <c>name__missing</c> indicators.</summary>
    public IReadOnlyList<string> Features => Model.Features;

    /// <summary>The input columns a prediction needs, in the order of <see cref="Predict(double[,], double?, double?)"/>'s columns.</summary>
    public IReadOnlyList<string> InputColumns => Model.Preprocessing.InputColumns;

    /// <summary>The selected λ.</summary>
    public double Lambda => SelectedPath.Lambda[Model.Selected.LambdaIndex];

    /// <summary>The selected path's l1_ratio.</summary>
    public double L1Ratio => SelectedPath.L1Ratio;

    /// <summary>The intercept of the selected solution (original scale).</summary>
    public double Intercept => SelectedPath.Intercept[Model.Selected.LambdaIndex];

    /// <summary>The selected solution's coefficients, dense over <see cref="Features"/>, on the original scale.</summary>
    public double[] Coefficients => Dense(SelectedPath.Beta[Model.Selected.LambdaIndex]);

    /// <summary>One entry per path: its l1_ratio, λ sequence and, after cross-validation, its CV curve (else null).</summary>
    public IReadOnlyList<EnetPath> Paths => Model.Paths;

    private EnetPath SelectedPath => Model.Paths[Model.Selected.PathIndex];

    /// <summary>Intercept and dense coefficients at any λ of a path, interpolated linearly in λ between path values.</summary>
    /// <param name="lambda">λ; outside the path it clamps to the nearest end.</param>
    /// <param name="l1Ratio">The path's l1_ratio, or null for the selected path.</param>
    /// <returns>The intercept and the coefficients over <see cref="Features"/>.</returns>
    /// <exception cref="ArgumentException">No path has that l1_ratio.</exception>
    public (double Intercept, double[] Coefficients) CoefficientsAt(double lambda, double? l1Ratio = null)
    {
        var (intercept, beta) = ModelPredictor.Coefficients(Model, PathIndex(l1Ratio), lambda);
        return (intercept, Dense(beta));
    }

    /// <summary>Predicts with the selected solution; see <see cref="Predict(double[,], double?, double?)"/>.</summary>
    /// <param name="x">n × m values, columns in the order of <see cref="InputColumns"/>.</param>
    /// <returns>n predictions.</returns>
    public double[] Predict(double[,] x) => Predict(x, null, null);

    /// <summary>Predicts rows of a row-major matrix whose columns are <see cref="InputColumns"/> in order; NaN cells take the training fill values.</summary>
    /// <param name="x">n × m values.</param>
    /// <param name="lambda">λ (interpolated), or null for the selected one.</param>
    /// <param name="l1Ratio">The path's l1_ratio, or null for the selected path.</param>
    /// <returns>n predictions.</returns>
    /// <exception cref="ArgumentException">Wrong width, or a missing value without a fill value (a model fitted with no imputation).</exception>
    public double[] Predict(double[,] x, double? lambda, double? l1Ratio)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.GetLength(1) != InputColumns.Count)
        {
            throw new ArgumentException($"x has {x.GetLength(1)} columns but the model takes {InputColumns.Count}.", nameof(x));
        }

        var rows = new double[x.GetLength(0)][];
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i] = new double[x.GetLength(1)];
            for (int j = 0; j < rows[i].Length; j++)
            {
                rows[i][j] = x[i, j];
            }
        }

        return ModelPredictor.Predict(Model, InputColumns, rows, PathIndex(l1Ratio), lambda);
    }

    /// <summary>Predicts every row of a column source whose columns are named <paramref name="columnNames"/> (matched by name).</summary>
    /// <param name="x">The data.</param>
    /// <param name="columnNames">One name per column of <paramref name="x"/>, or null for <see cref="InputColumns"/>.</param>
    /// <param name="lambda">λ, or null for the selected one.</param>
    /// <param name="l1Ratio">The path's l1_ratio, or null for the selected path.</param>
    /// <returns>One prediction per row.</returns>
    public double[] Predict(IColumnSource x, IReadOnlyList<string>? columnNames = null, double? lambda = null, double? l1Ratio = null) =>
        ModelPredictor.Predict(Model, columnNames ?? InputColumns, x, PathIndex(l1Ratio), lambda);

    /// <summary>Writes the model file (atomically: a temporary file renamed over <paramref name="path"/>).</summary>
    /// <param name="path">Destination.</param>
    public void Save(string path) => ModelWriter.Write(Model, path);

    /// <summary>Reads a model file written by <see cref="Save"/> or by the CLI.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The model.</returns>
    /// <exception cref="ModelFormatException">The file is not a valid model file.</exception>
    public static ElasticNetModel Load(string path) => new(ModelReader.Read(path));

    /// <summary>Writes the selected solution as a self-contained ONNX graph (see <c>gpuenet export</c>).</summary>
    /// <param name="path">Destination.</param>
    /// <param name="float32">True for a float32 graph.</param>
    public void ExportOnnx(string path, bool float32 = false)
    {
        byte[] bytes = OnnxExporter.Export(Model, Model.Selected.PathIndex, lambda: null, float32, OnnxInputs.Tensor);
        File.WriteAllBytes(path, bytes);
    }

    private int PathIndex(double? l1Ratio)
    {
        if (l1Ratio is not { } a)
        {
            return Model.Selected.PathIndex;
        }

        int k = Array.FindIndex(Model.Paths, p => Math.Abs(p.L1Ratio - a) < 1e-12);
        return k >= 0 ? k : throw new ArgumentException($"The model has no path with l1_ratio {a}.", nameof(l1Ratio));
    }

    private double[] Dense(SparseCoefficients beta)
    {
        var dense = new double[Model.Features.Length];
        for (int k = 0; k < beta.Count; k++)
        {
            dense[beta.Index[k]] = beta.Value[k];
        }

        return dense;
    }
}
