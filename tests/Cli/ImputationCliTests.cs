using System.Text.Json;
using GpuEnet.Host.ModelFile;
using Xunit;

namespace GpuEnet.Tests.Cli;

/// <summary>
/// <c>--impute knn:K|regression</c> and <c>--multiple-imputation</c> from the command line: fit, cv and predict, the model
/// file round trip, the JSON and report, the ILGPU backend, and one clear line for every misuse.
/// </summary>
public sealed class ImputationCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gpuenet-impute-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void KnnWithStoredDonorsPredictsRowsWithMissingValues()
    {
        string data = Data();
        var fit = Cli.Run("cv", "--data", data, "--target", "y", "--impute", "knn:3", "--store-donors", "--folds", "4", "--out", Out("knn.gnet"), "--quiet");
        Assert.True(fit.Code == 0, fit.Error);
        var model = ModelReader.Read(Out("knn.gnet"));
        Assert.Equal(3, model.Preprocessing.Imputer!.Neighbours);
        Assert.Equal(60, model.Preprocessing.Imputer.DonorCount);

        var predict = Cli.Run("predict", "--model", Out("knn.gnet"), "--data", data, "--out", Out("knn.csv"));
        Assert.True(predict.Code == 0, predict.Error);
        var values = File.ReadAllLines(Out("knn.csv")).Skip(1).Select(l => double.Parse(l.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(60, values.Length);
        Assert.All(values, v => Assert.True(double.IsFinite(v)));

        // Without donors the model cannot impute: a row with a missing value is refused, naming the row and the option.
        Assert.Equal(0, Cli.Run("fit", "--data", data, "--target", "y", "--impute", "knn:3", "--out", Out("bare.gnet"), "--quiet").Code);
        var refused = Cli.Run("predict", "--model", Out("bare.gnet"), "--data", data, "--out", Out("bare.csv"));
        Assert.NotEqual(0, refused.Code);
        Assert.Contains("--store-donors", refused.OneLine());
        Assert.Contains("Row 1", refused.OneLine());
        Cli.AssertClean(refused.Error);
        Assert.False(File.Exists(Out("bare.csv")));
    }

    [Theory]
    [InlineData("knn:2")]
    [InlineData("regression")]
    public void ModelsFittedOnCompleteDataStillImputeNewRows(string impute)
    {
        string complete = Cli.WriteCsv(Out("complete.csv"), n: 30, p: 5, seed: 4);
        var fit = Cli.Run("fit", "--data", complete, "--target", "y", "--impute", impute, "--store-donors", "--out", Out("c.gnet"), "--quiet");
        Assert.True(fit.Code == 0, fit.Error);
        Assert.NotNull(ModelReader.Read(Out("c.gnet")).Preprocessing.Imputer);
        string gaps = Cli.WriteCsv(Out("gaps.csv"), n: 10, p: 5, seed: 5, cell: (i, j) => i == j ? "" : null);
        var predict = Cli.Run("predict", "--model", Out("c.gnet"), "--data", gaps, "--out", Out("c.csv"));
        Assert.True(predict.Code == 0, predict.Error);
    }

    [Fact]
    public void RegressionModelsRoundTripThroughTheModelFile()
    {
        string data = Data();
        var fit = Cli.Run("fit", "--data", data, "--target", "y", "--impute", "regression", "--impute-rounds", "2", "--impute-predictors", "3",
            "--out", Out("reg.gnet"), "--json", Out("reg.json"), "--quiet");
        Assert.True(fit.Code == 0, fit.Error);
        var model = ModelReader.Read(Out("reg.gnet"));
        Assert.Equal(2, model.Preprocessing.Imputer!.Rounds.Length);
        Assert.All(model.Preprocessing.Imputer.Rounds[0], f => Assert.Equal(3, f.Predictors.Length));

        // Written again, the bytes are the same: every field of the IMPU section round-trips.
        using var again = new MemoryStream();
        ModelWriter.Write(model, again);
        var reread = ModelReader.Read(new MemoryStream(again.ToArray()));
        Assert.Equal(model.Preprocessing.Imputer.Rounds[1].Select(f => f.Coefficients), reread.Preprocessing.Imputer!.Rounds[1].Select(f => f.Coefficients));

        Assert.Equal(0, Cli.Run("predict", "--model", Out("reg.gnet"), "--data", data, "--out", Out("reg.csv")).Code);
        using var json = JsonDocument.Parse(File.ReadAllText(Out("reg.json")));
        var imputation = json.RootElement.GetProperty("imputation");
        Assert.Equal("regression", imputation.GetProperty("method").GetString());
        Assert.Equal(2, imputation.GetProperty("rounds").GetInt32());

        var export = Cli.Run("export", "--model", Out("reg.gnet"), "--onnx", Out("reg.onnx"));
        Assert.NotEqual(0, export.Code);
        Assert.Contains("cannot express", export.OneLine());
        Assert.False(File.Exists(Out("reg.onnx")));
    }

    [Fact]
    public void MultipleImputationReportsPoolingInJsonAndReport()
    {
        string data = Data();
        var cv = Cli.Run("cv", "--data", data, "--target", "y", "--impute", "knn:4", "--multiple-imputation", "3", "--folds", "4",
            "--out", Out("mi.gnet"), "--json", Out("mi.json"), "--report", Out("mi.html"), "--quiet");
        Assert.True(cv.Code == 0, cv.Error);
        using var json = JsonDocument.Parse(File.ReadAllText(Out("mi.json")));
        var imputation = json.RootElement.GetProperty("imputation");
        Assert.Equal(3, imputation.GetProperty("imputations").GetInt32());
        Assert.Equal(3, imputation.GetProperty("cvm_per_imputation").GetArrayLength());
        Assert.Contains(imputation.GetProperty("features").EnumerateArray(), f => f.GetProperty("name").GetString() == "x1"
            && f.GetProperty("selection_frequency").GetDouble() == 1);
        string html = File.ReadAllText(Out("mi.html"));
        Assert.Contains("Between imputations", html);
        Assert.Contains("CV error at the selected λ per imputation", html);
    }

    [Fact]
    public void KnnCvOnIlgpuEqualsTheSimdBackend()
    {
        string data = Data();
        var paths = new List<JsonElement>();
        foreach (string device in (string[])["cpu", "ilgpu-cpu"])
        {
            var run = Cli.Run("cv", "--data", data, "--target", "y", "--impute", "knn:3", "--folds", "4", "--device", device,
                "--out", Out(device + ".gnet"), "--json", Out(device + ".json"), "--quiet");
            Assert.True(run.Code == 0, run.Error);
            paths.Add(JsonDocument.Parse(File.ReadAllText(Out(device + ".json"))).RootElement.GetProperty("paths")[0].Clone());
        }

        var cvm = paths.Select(p => p.GetProperty("cv").GetProperty("cvm").EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
        Assert.Equal(cvm[0].Length, cvm[1].Length);
        for (int k = 0; k < cvm[0].Length; k++)
        {
            Assert.True(Math.Abs(cvm[0][k] - cvm[1][k]) <= 1e-9 * cvm[0][k], $"λ {k}: {cvm[1][k]} vs {cvm[0][k]}");
        }

        // The same λ (up to the last bits of λ_max's sum, which the backends add in different orders).
        double simd = paths[0].GetProperty("cv").GetProperty("lambda_min").GetDouble(), ilgpu = paths[1].GetProperty("cv").GetProperty("lambda_min").GetDouble();
        Assert.True(Math.Abs(simd - ilgpu) <= 1e-12 * simd, $"lambda_min {ilgpu} vs {simd}");
    }

    [Theory]
    [InlineData("--impute", "knn:0", "knn:K")]
    [InlineData("--impute", "knn:x", "knn:K")]
    [InlineData("--impute", "nearest", "knn:K, regression")]
    [InlineData("--multiple-imputation", "0", "--multiple-imputation must be at least 1")]
    [InlineData("--impute-rounds", "-1", "--impute-rounds must be at least 1")]
    public void MisusesAreRefusedInOneLine(string option, string value, string expected)
    {
        var run = Cli.Run("fit", "--data", Data(), "--target", "y", option, value, "--out", Out("x.gnet"));
        Assert.Equal(2, run.Code);
        Assert.Contains(expected, run.OneLine());
        Cli.AssertClean(run.Error);
        Assert.False(File.Exists(Out("x.gnet")));
    }

    [Fact]
    public void MultipleImputationNeedsKnnOrRegression()
    {
        var run = Cli.Run("fit", "--data", Data(), "--target", "y", "--multiple-imputation", "3", "--out", Out("x.gnet"));
        Assert.Equal(2, run.Code);
        Assert.Contains("--multiple-imputation 3 needs --impute knn:K or --impute regression", run.OneLine());
    }

    private string Out(string name) => Path.Combine(_dir, name);

    // 60 rows, 8 features, about 8 % of the cells empty (never a whole row).
    private string Data() => Cli.WriteCsv(Out("data.csv"), n: 60, p: 8, seed: 3, cell: (i, j) => ((i * 7) + (j * 3)) % 12 == 0 && j != i % 8 ? "" : null);
}
