using GpuEnet.Host.ModelFile;
using GpuEnet.Kernels;
using GpuEnet.Solver.Model;
using Xunit;
using static GpuEnet.Tests.ModelFile.ModelFileTestSupport;

namespace GpuEnet.Tests.ModelFile;

public sealed class ModelFilePredictorTests
{
    /// <summary>
    /// Features a, b, c; λ = 1, 0.5, 0.25; intercepts 10, 8, 6; β = {}, {a: 2}, {a: 3, c: −1}.
    /// </summary>
    private static EnetModel HandModel(FeaturePreprocessing? prep = null, string[]? features = null) => new()
    {
        Features = features ?? ["a", "b", "c"],
        Preprocessing = prep ?? FeaturePreprocessing.Identity(["a", "b", "c"]),
        Paths =
        [
            new EnetPath
            {
                L1Ratio = 1,
                Lambda = [1.0, 0.5, 0.25],
                Intercept = [10, 8, 6],
                Beta = [SparseCoefficients.Empty, new([0], [2.0]), new([0, 2], [3.0, -1.0])],
                DevRatio = [0, 0.5, 0.7],
                Df = [0, 1, 2],
                DualGap = [0, 0, 0],
                NullDeviance = 1,
            },
        ],
        Selected = new Selection(0, 1, SelectionRule.Last),
        Training = new TrainingInfo(),
        FeatureScale = features is null ? [1, 1, 1] : [.. features.Select(_ => 1.0)],
    };

    [Theory]
    [InlineData(0.4, 8.8)] // frac = (0.4 − 0.25)/(0.5 − 0.25) = 0.6: b0 = 0.6·8 + 0.4·6 = 7.2, βa = 2.4, βc = −0.4 → 7.2 + 2.4 − 0.8
    [InlineData(0.75, 10.0)] // frac = 0.5 between λ 1 and 0.5: b0 = 9, βa = 1 → 9 + 1
    [InlineData(0.5, 10.0)] // on the path: 8 + 2
    [InlineData(5.0, 10.0)] // above the path: clamps to λ = 1
    [InlineData(0.01, 7.0)] // below the path: clamps to λ = 0.25: 6 + 3 − 2
    public void LambdaInterpolatesLinearlyLikeGlmnet(double lambda, double expected)
    {
        double[] row = [1, 5, 2];
        double actual = ModelPredictor.Predict(HandModel(), ["a", "b", "c"], row, 0, lambda);
        Assert.Equal(expected, actual, 12);
    }

    [Fact]
    public void InterpolatedCoefficientsMatchHandComputation()
    {
        (double intercept, SparseCoefficients beta) = ModelPredictor.Coefficients(HandModel(), 0, 0.4);
        Assert.Equal(7.2, intercept, 12);
        Assert.Equal([0, 2], beta.Index);
        Assert.Equal(2.4, beta.Value[0], 12);
        Assert.Equal(-0.4, beta.Value[1], 12);
    }

    [Fact]
    public void NoLambdaUsesTheSelectedOne()
    {
        Assert.Equal(10.0, ModelPredictor.Predict(HandModel(), ["a", "b", "c"], [[1, 5, 2]])[0], 12);
    }

    [Fact]
    public void ColumnsAreMatchedByNameAndExtrasIgnored()
    {
        double[] reordered = ModelPredictor.Predict(HandModel(), ["zzz", "c", "a", "b"], [[99, 2, 1, 5]], 0, 0.4);
        Assert.Equal(8.8, reordered[0], 12);
    }

    [Fact]
    public void MissingColumnIsNamed()
    {
        var e = Assert.Throws<ArgumentException>(() => ModelPredictor.Predict(HandModel(), ["a", "b"], [[1, 2]], 0, null));
        Assert.Contains("'c'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingValueWithoutFillNamesRowAndColumn()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            ModelPredictor.Predict(HandModel(), ["a", "b", "c"], [[1, 2, 3], [1, double.NaN, 3]], 0, null));
        Assert.Contains("Row 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("'b'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FillValuesAndMissingIndicatorsAreApplied()
    {
        var prep = new FeaturePreprocessing
        {
            InputColumns = ["a", "b", "c"],
            Impute = ImputeStrategy.Mean,
            FillValues = [0.5, 7, -2],
            IndicatorColumns = [0, 2],
        };
        EnetModel model = HandModel(prep, ["a", "b", "c", "a__missing", "c__missing"]);
        model.Paths[0].Beta[1] = new SparseCoefficients([0, 2, 3, 4], [2.0, 1.0, 10.0, 100.0]);

        // a missing → 0.5 and indicator 1; c present → indicator 0: 8 + 2·0.5 + 1·4 + 10·1 + 100·0.
        Assert.Equal(23.0, ModelPredictor.Predict(model, ["a", "b", "c"], [double.NaN, 1, 4], 0, 0.5), 12);

        // c missing → −2 and its indicator 1: 8 + 2·1 + 1·(−2) + 0 + 100.
        Assert.Equal(108.0, ModelPredictor.Predict(model, ["a", "b", "c"], [1, 1, double.NaN], 0, 0.5), 12);
    }

    [Fact]
    public void ColumnSourceOverloadEqualsRowOverloadAndReadsOnlyNeededColumns()
    {
        EnetModel model = ModelBuilder.Realistic(52, inputs: 300, indicators: 20, nlambda: 40);
        double[][] rows = Rows(model, 150, seed: 9);

        // Extra columns and a shuffled order, as a data file may have them.
        string[] inputs = InputColumns(model);
        int[] order = [.. Enumerable.Range(0, inputs.Length + 2).OrderBy(c => (c * 7919) % 311)];
        string[] names = [.. order.Select(c => c < inputs.Length ? inputs[c] : $"extra{c}")];
        double[][] wide = [.. rows.Select(r => order.Select(c => c < inputs.Length ? r[c] : 42.0).ToArray())];
        var x = new RecordingSource(ColumnSource(wide));
        for (int path = 0; path < model.Paths.Length; path++)
        {
            double[] lambdas = model.Paths[path].Lambda;
            foreach (double? lambda in new double?[] { null, lambdas[3], lambdas[20] * 0.98, lambdas[^1], 1e9, 0 })
            {
                x.Read.Clear();
                double[] byColumns = ModelPredictor.Predict(model, names, x, path, lambda);
                ModelAssert.Bits(ModelPredictor.Predict(model, names, wide, path, lambda), byColumns);

                // Only the columns of the solution's features (an indicator's own input column) are read.
                (_, SparseCoefficients beta) = ModelPredictor.Coefficients(model, path, lambda);
                int m = inputs.Length;
                var needed = beta.Index.Select(j => j < m ? j : model.Preprocessing.IndicatorColumns[j - m])
                    .Select(i => Array.IndexOf(names, inputs[i])).ToHashSet();
                Assert.True(needed.SetEquals(x.Read), $"path {path}, λ {lambda}: read {x.Read.Count} columns, needed {needed.Count}");
            }
        }
    }

    [Fact]
    public void ColumnSourceOverloadEqualsRowOverloadOnGenomicsShapedData()
    {
        EnetModel model = ModelBuilder.Genomics(53, p: 3_000, impute: true, maxSupport: 60);
        double[][] rows = Rows(model, 80, seed: 10);
        var x = ColumnSource(rows);
        string[] names = InputColumns(model);
        foreach (double? lambda in new double?[] { null, model.Paths[0].Lambda[30] * 1.01 })
        {
            ModelAssert.Bits(ModelPredictor.Predict(model, names, rows, 0, lambda), ModelPredictor.Predict(model, names, x, 0, lambda));
        }
    }

    [Fact]
    public void ColumnSourceMissingCellWithoutFillNamesRowAndColumn()
    {
        // b has no coefficient, yet its missing cell is an error, as in the row overload; the first row wins.
        double[][] rows = [[1, 2, 3], [1, double.NaN, 3], [double.NaN, 2, 3]];
        var expected = Assert.Throws<ArgumentException>(() => ModelPredictor.Predict(HandModel(), ["a", "b", "c"], rows, 0, 0.25));
        var e = Assert.Throws<ArgumentException>(() => ModelPredictor.Predict(HandModel(), ["a", "b", "c"], ColumnSource(rows), 0, 0.25));
        Assert.Equal(expected.Message, e.Message);
        Assert.Contains("Row 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("'b'", e.Message, StringComparison.Ordinal);

        // A NaN value (not declared by MissingRows) in a column that is read counts as missing too.
        var nan = DenseMatrix.FromRows([[1, 2, 3], [1, 2, double.NaN]]);
        e = Assert.Throws<ArgumentException>(() => ModelPredictor.Predict(HandModel(), ["a", "b", "c"], nan, 0, 0.25));
        Assert.Contains("Row 2, column 'c'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ColumnSourceAppliesFillValuesAndIndicators()
    {
        var prep = new FeaturePreprocessing
        {
            InputColumns = ["a", "b", "c"],
            Impute = ImputeStrategy.Mean,
            FillValues = [0.5, 7, -2],
            IndicatorColumns = [0, 2],
        };
        EnetModel model = HandModel(prep, ["a", "b", "c", "a__missing", "c__missing"]);
        model.Paths[0].Beta[1] = new SparseCoefficients([0, 2, 3, 4], [2.0, 1.0, 10.0, 100.0]);
        double[] predictions = ModelPredictor.Predict(model, ["a", "b", "c"], ColumnSource([[double.NaN, 1, 4], [1, 1, double.NaN]]), 0, 0.5);
        Assert.Equal([23.0, 108.0], predictions);
        Assert.Throws<ArgumentException>(() => ModelPredictor.Predict(model, ["a", "b"], ColumnSource([[1, 1, 1]]), 0, 0.5));
    }

    /// <summary>A column-major source with the rows' NaN cells declared missing and stored as 0, as a genotype source does.</summary>
    private static DenseMatrix ColumnSource(double[][] rows)
    {
        int columns = rows[0].Length;
        double[][] zeroed = [.. rows.Select(r => r.Select(v => double.IsNaN(v) ? 0 : v).ToArray())];
        int[][] missing = [.. Enumerable.Range(0, columns).Select(c => Enumerable.Range(0, rows.Length).Where(i => double.IsNaN(rows[i][c])).ToArray())];
        return DenseMatrix.FromRows(zeroed).WithMissing(missing);
    }

    /// <summary>Records which columns are decoded.</summary>
    private sealed class RecordingSource(IColumnSource inner) : IColumnSource
    {
        public HashSet<int> Read { get; } = [];

        public int Rows => inner.Rows;

        public int Columns => inner.Columns;

        public Precision Precision => inner.Precision;

        public long StorageBytes => inner.StorageBytes;

        public bool HasMissing => inner.HasMissing;

        public ReadOnlySpan<double> Column(int j, Span<double> scratch)
        {
            Read.Add(j);
            return inner.Column(j, scratch);
        }

        public ReadOnlySpan<int> MissingRows(int j) => inner.MissingRows(j);
    }

    [Fact]
    public void RowAndSpanOverloadsAgreeAndAreThreadSafe()
    {
        EnetModel model = ModelBuilder.Realistic(51);
        double[][] rows = Rows(model, 200, seed: 8);
        string[] columns = InputColumns(model);
        double lambda = model.Paths[0].Lambda[20] * 1.01;
        double[] batch = ModelPredictor.Predict(model, columns, rows, 0, lambda);
        var parallel = new double[rows.Length];
        Parallel.For(0, rows.Length, i => parallel[i] = ModelPredictor.Predict(model, columns, rows[i], 0, lambda));
        ModelAssert.Bits(batch, parallel);
    }
}
