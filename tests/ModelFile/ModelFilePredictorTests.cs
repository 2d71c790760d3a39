using GpuEnet.Host.ModelFile;
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
