using System.Globalization;
using GpuEnet.Host.ModelFile;
using GpuEnet.Solver.Model;
using Xunit;

namespace GpuEnet.Tests.Api;

using Cli = GpuEnet.Tests.Cli.Cli;

/// <summary>The public estimator API (<see cref="ElasticNet"/>, <see cref="ElasticNetCV"/>, <see cref="ElasticNetModel"/>) against the CLI.</summary>
[Collection("Console")]
public sealed class ElasticNetApiTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gpuenet-api-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string F(string name) => Path.Combine(_dir, name);

    /// <summary>The CSV the CLI reads and the same values as a matrix (NA → NaN).</summary>
    private (double[,] X, double[] Y) Data(string csv)
    {
        Cli.WriteCsv(csv, n: 60, p: 6, seed: 9, cell: (i, j) => j == 2 && i % 7 == 0 ? "NA" : null);
        string[] lines = File.ReadAllLines(csv);
        var x = new double[lines.Length - 1, 6];
        var y = new double[lines.Length - 1];
        for (int i = 1; i < lines.Length; i++)
        {
            string[] cells = lines[i].Split(',');
            for (int j = 0; j < 6; j++)
            {
                x[i - 1, j] = cells[j] == "NA" ? double.NaN : double.Parse(cells[j], CultureInfo.InvariantCulture);
            }

            y[i - 1] = double.Parse(cells[6], CultureInfo.InvariantCulture);
        }

        return (x, y);
    }

    [Fact]
    public void FitAndCrossValidateGiveTheCliModelsAndRoundTripThroughTheModelFile()
    {
        var (x, y) = Data(F("d.csv"));
        var options = new ElasticNetOptions { L1Ratios = [1, 0.5], MissingIndicators = true, Device = "cpu" };
        Assert.Equal(0, Cli.Run("fit", "--data", F("d.csv"), "--target", "y", "--l1-ratio", "1,0.5", "--missing-indicators", "--device", "cpu", "--out", F("fit.gnet"), "--quiet").Code);
        ElasticNetModel fit = new ElasticNet(options).Fit(x, y);
        AssertSamePaths(ModelReader.Read(F("fit.gnet")), fit.Model);

        Assert.Equal(0, Cli.Run("cv", "--data", F("d.csv"), "--target", "y", "--l1-ratio", "1,0.5", "--missing-indicators", "--device", "cpu", "--folds", "5", "--seed", "3", "--out", F("cv.gnet"), "--quiet").Code);
        var progress = new List<FitProgress>();
        ElasticNetModel cv = new ElasticNetCV(options, new CrossValidationOptions { Folds = 5, Seed = 3 })
            .Fit(ElasticNet.FromRows(x), y, progress: new Recorder(progress));
        var cliCv = ModelReader.Read(F("cv.gnet"));
        AssertSamePaths(cliCv, cv.Model);
        Assert.Equal(cliCv.Selected, cv.Model.Selected);
        Assert.NotEmpty(progress);
        Assert.NotNull(cv.Paths[0].Cv);

        cv.Save(F("api.gnet"));
        var loaded = ElasticNetModel.Load(F("api.gnet"));
        Assert.Equal(cv.Predict(x), loaded.Predict(x));
        Assert.Equal(cv.Lambda, loaded.Lambda);
        Assert.Equal(0, Cli.Run("predict", "--model", F("api.gnet"), "--data", F("d.csv"), "--out", F("p.csv"), "--quiet").Code);
        double[] cliPredictions = [.. File.ReadAllLines(F("p.csv")).Skip(1).Select(l => double.Parse(l.Split(',')[1], CultureInfo.InvariantCulture))];
        Assert.Equal(cliPredictions, loaded.Predict(x));

        // Columns and a column source give the same fit as the matrix.
        var columns = Enumerable.Range(0, 6).Select(j => Enumerable.Range(0, y.Length).Select(i => x[i, j]).ToArray()).ToList();
        AssertSamePaths(fit.Model, new ElasticNet(options).Fit(columns, y).Model);
        var (b0, b) = cv.CoefficientsAt(cv.Paths[1].Lambda[3], l1Ratio: 0.5);
        Assert.Equal(cv.Paths[1].Intercept[3], b0);
        Assert.Equal(cv.Features.Count, b.Length);
    }

    [Fact]
    public void CancellationStopsAFitAndBadInputIsAnArgumentException()
    {
        var (x, y) = Data(F("d.csv"));
        using var cancel = new CancellationTokenSource();
        var reports = new List<FitProgress>();
        var progress = new Recorder(reports, onReport: cancel.Cancel);
        Assert.ThrowsAny<OperationCanceledException>(() => new ElasticNet(new() { Device = "cpu" }).Fit(ElasticNet.FromRows(x), y, progress: progress, cancellationToken: cancel.Token));
        Assert.Single(reports); // stopped at the first report, not after the whole path
        Assert.True(reports[0].Done < reports[0].Total);
        Assert.Throws<ArgumentException>(() => new ElasticNet().Fit(x, y[..10]));
        Assert.Throws<ArgumentException>(() => new ElasticNet(new() { Impute = ImputeStrategy.None, Device = "cpu" }).Fit(x, y));
        Assert.Throws<ArgumentException>(() => new ElasticNetCV(crossValidation: new() { Folds = 1 }).Fit(x, y));
        Assert.Throws<ArgumentException>(() => new ElasticNet().Fit(ElasticNet.FromRows(x), y, featureNames: ["a", "a", "b", "c", "d", "e"]));
    }

    private static void AssertSamePaths(EnetModel expected, EnetModel actual)
    {
        Assert.Equal(expected.Features, actual.Features);
        Assert.Equal(expected.Preprocessing.FillValues, actual.Preprocessing.FillValues);
        Assert.Equal(expected.Paths.Length, actual.Paths.Length);
        for (int k = 0; k < expected.Paths.Length; k++)
        {
            Assert.Equal(expected.Paths[k].Lambda, actual.Paths[k].Lambda);
            Assert.Equal(expected.Paths[k].Intercept, actual.Paths[k].Intercept);
            for (int l = 0; l < expected.Paths[k].Count; l++)
            {
                Assert.Equal(expected.Paths[k].Beta[l].Index, actual.Paths[k].Beta[l].Index);
                Assert.Equal(expected.Paths[k].Beta[l].Value, actual.Paths[k].Beta[l].Value);
            }
        }
    }

    private sealed class Recorder(List<FitProgress> seen, Action? onReport = null) : IProgress<FitProgress>
    {
        public void Report(FitProgress value)
        {
            seen.Add(value);
            onReport?.Invoke();
        }
    }
}
