using System.Globalization;
using System.Text;
using System.Text.Json;
using GpuEnet.Host.ModelFile;
using GpuEnet.Host.Preprocessing;
using GpuEnet.Kernels;
using Xunit;

namespace GpuEnet.Tests.Cli;

/// <summary>demo, inspect, report, penalty and bound files, missing indicators and predict's memory, end to end.</summary>
[Collection("Console")]
public sealed class CommandsEndToEndTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gpuenet-e2e-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string F(string name) => Path.Combine(_dir, name);

    private static void Ok(CliResult r) => Assert.True(r.Code == 0, r.Error);

    private static JsonElement Json(string file) => JsonDocument.Parse(File.ReadAllText(file)).RootElement;

    [Fact]
    public void DemoWritesAReadableModelJsonAndReportAndSaysWhatItRecovered()
    {
        var r = Cli.Run("demo", "--n", "80", "--p", "300", "--effects", "4", "--seed", "3", "--threads", "1", "--out", F("demo"));
        Assert.Equal(0, r.Code);
        Assert.Matches(@"recovered \d+ of 4 true effects", r.Out);
        var model = ModelReader.Read(F("demo/demo.gnet"));
        Assert.Equal(300, model.Features.Length);
        Assert.Equal(3, model.Paths.Length);
        Assert.Equal(300, Json(F("demo/demo.json")).GetProperty("p").GetInt32());
        string html = File.ReadAllText(F("demo/demo-report.html"));
        Assert.Contains("<svg", html, StringComparison.Ordinal);
        Assert.EndsWith("</html>\n", html, StringComparison.Ordinal);
        Assert.Equal(3, Directory.GetFiles(F("demo")).Length);
    }

    [Fact]
    public void InspectShowsTheSelectedModelAsTextAndJson()
    {
        Cli.WriteCsv(F("d.csv"), n: 50, p: 8);
        Assert.Equal(0, Cli.Run("cv", "--data", F("d.csv"), "--target", "y", "--folds", "5", "--out", F("m.gnet"), "--json", F("cv.json"), "--quiet").Code);
        var text = Cli.Run("inspect", "--model", F("m.gnet"));
        Assert.Equal(0, text.Code);
        Assert.Contains("x1", text.Out, StringComparison.Ordinal);
        var json = Cli.Run("inspect", "--model", F("m.gnet"), "--json");
        Assert.Equal(0, json.Code);
        string doc = json.Out;
        Assert.Contains("\"x1\"", doc, StringComparison.Ordinal);
        double lambda = Json(F("cv.json")).GetProperty("selected").GetProperty("lambda").GetDouble();
        Assert.Contains(lambda.ToString("R", CultureInfo.InvariantCulture), doc, StringComparison.Ordinal);
        Assert.Equal(2, Cli.Run("inspect", "--model", F("m.gnet"), "--bogus").Code);
    }

    [Fact]
    public void CvReportNamesTheDataAndTheSelectedFeatures()
    {
        Cli.WriteCsv(F("d.csv"), n: 50, p: 8, cell: (i, j) => i == 4 && j == 5 ? "NA" : null);
        Assert.Equal(0, Cli.Run("cv", "--data", F("d.csv"), "--target", "y", "--folds", "5", "--l1-ratio", "1,0.5", "--out", F("m.gnet"), "--report", F("r.html"), "--quiet").Code);
        string html = File.ReadAllText(F("r.html"));
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("d.csv", html, StringComparison.Ordinal);
        Assert.Contains("x1", html, StringComparison.Ordinal);
        Assert.Contains("x6", html, StringComparison.Ordinal); // the column with a missing cell is listed
    }

    [Fact]
    public void PenaltyFactorFileKeepsAnUnpenalisedFeatureInEveryModel()
    {
        Cli.WriteCsv(F("d.csv"), n: 60, p: 6);
        File.WriteAllText(F("pf.txt"), "# x5 is a covariate\nx5 0\n");
        Assert.Equal(0, Cli.Run("fit", "--data", F("d.csv"), "--target", "y", "--penalty-factor", F("pf.txt"), "--out", F("m.gnet"), "--json", F("f.json"), "--quiet").Code);
        var path = Json(F("f.json")).GetProperty("paths")[0];
        foreach (var beta in path.GetProperty("beta").EnumerateArray())
        {
            Assert.Contains(4, beta.GetProperty("index").EnumerateArray().Select(e => e.GetInt32()));
        }

        // Positional form: one value per feature; a wrong count and an unknown name are errors naming the file.
        File.WriteAllText(F("pf2.txt"), "1\n1\n1\n");
        var r = Cli.Run("fit", "--data", F("d.csv"), "--target", "y", "--penalty-factor", F("pf2.txt"), "--out", F("m.gnet"));
        Assert.Equal(1, r.Code);
        Assert.Contains("pf2.txt", r.OneLine(), StringComparison.Ordinal);
        File.WriteAllText(F("pf3.txt"), "nope 0\n");
        Assert.Contains("nope", Cli.Run("fit", "--data", F("d.csv"), "--target", "y", "--penalty-factor", F("pf3.txt"), "--out", F("m.gnet")).OneLine(), StringComparison.Ordinal);
    }

    [Fact]
    public void BoundFilesHoldEveryCoefficientInsideItsBox()
    {
        // y = 2·x1 − x2 + noise: an upper bound 0 on x1 and a lower bound 0 on x2 are both active.
        Cli.WriteCsv(F("d.csv"), n: 60, p: 4);
        File.WriteAllText(F("upper.txt"), "x1 0\n");
        File.WriteAllText(F("lower.txt"), "x2,0\n");
        Assert.Equal(0, Cli.Run("fit", "--data", F("d.csv"), "--target", "y", "--upper", F("upper.txt"), "--lower", F("lower.txt"), "--out", F("m.gnet"), "--json", F("f.json"), "--quiet").Code);
        Assert.Equal(0, Cli.Run("fit", "--data", F("d.csv"), "--target", "y", "--out", F("free.gnet"), "--json", F("free.json"), "--quiet").Code);
        static IEnumerable<(int Index, double Value)> Coefficients(JsonElement root) =>
            root.GetProperty("paths")[0].GetProperty("beta").EnumerateArray().SelectMany(b =>
                b.GetProperty("index").EnumerateArray().Zip(b.GetProperty("value").EnumerateArray(), (i, v) => (i.GetInt32(), v.GetDouble())));

        var bounded = Coefficients(Json(F("f.json"))).ToList();
        Assert.All(bounded.Where(c => c.Index == 0), c => Assert.True(c.Value <= 0));
        Assert.All(bounded.Where(c => c.Index == 1), c => Assert.True(c.Value >= 0));
        var free = Coefficients(Json(F("free.json"))).ToList();
        Assert.Contains(free, c => c.Index == 0 && c.Value > 0.5);
        Assert.Contains(free, c => c.Index == 1 && c.Value < -0.3);
    }

    [Fact]
    public void MissingIndicatorsAddOneZeroOneFeaturePerColumnWithMissingCells()
    {
        var x = new DenseMatrix(4, 3, new double[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }).WithMissing([[], [1, 3], [0]]);
        var withIndicators = MissingIndicators.Add(x, ["a", "b", "c"], out var names, out var columns);
        Assert.Equal(["a", "b", "c", "b__missing", "c__missing"], names);
        Assert.Equal([1, 2], columns);
        Assert.Equal(5, withIndicators.Columns);
        var scratch = new double[4];
        Assert.Equal([0.0, 1, 0, 1], withIndicators.Column(3, scratch).ToArray());
        Assert.Equal([1.0, 0, 0, 0], withIndicators.Column(4, scratch).ToArray());
        Assert.Equal([5.0, 6, 7, 8], withIndicators.Column(1, scratch).ToArray());
        Assert.True(withIndicators.MissingRows(4).IsEmpty);

        var complete = new DenseMatrix(2, 1, new double[] { 1, 2 });
        Assert.Same(complete, MissingIndicators.Add(complete, ["a"], out var same, out var none));
        Assert.Equal(["a"], same);
        Assert.Empty(none);

        // End to end: the model predicts with the indicator it learnt.
        Cli.WriteCsv(F("m.csv"), n: 60, p: 3, cell: (i, j) => j == 2 && i % 4 == 0 ? "" : null);
        Assert.Equal(0, Cli.Run("fit", "--data", F("m.csv"), "--target", "y", "--missing-indicators", "--out", F("m.gnet"), "--json", F("m.json"), "--quiet").Code);
        Assert.Contains("x3__missing", Json(F("m.json")).GetProperty("features").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(0, Cli.Run("predict", "--model", F("m.gnet"), "--data", F("m.csv"), "--out", F("p.csv"), "--quiet").Code);
    }

    [Fact]
    public void PredictReadsOnlyTheModelsColumnsAndNeverBuildsTheWholeMatrix()
    {
        // The model uses 5 columns; the data to predict has 1,000 (n = 2,000): its n × p matrix would be 16 MB.
        Cli.WriteCsv(F("train.csv"), n: 60, p: 5);
        Assert.Equal(0, Cli.Run("fit", "--data", F("train.csv"), "--target", "y", "--out", F("m.gnet"), "--quiet").Code);
        const int N = 2000, P = 1000;
        var sb = new StringBuilder();
        sb.Append(string.Join(',', Enumerable.Range(1, P).Select(j => "x" + j))).Append('\n');
        for (int i = 0; i < N; i++)
        {
            for (int j = 0; j < P; j++)
            {
                sb.Append(j == 0 ? "" : ",").Append((char)('0' + ((i + j) % 10)));
            }

            sb.Append('\n');
        }

        File.WriteAllText(F("wide.csv"), sb.ToString());
        sb.Clear();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(0, Cli.Run("predict", "--model", F("m.gnet"), "--data", F("wide.csv"), "--out", F("p.csv"), "--quiet").Code);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        long matrix = 8L * N * P;
        Assert.True(allocated < matrix * 3 / 4, $"predict allocated {allocated:N0} bytes; the n × p matrix is {matrix:N0}");
        Assert.Equal(N + 1, File.ReadAllLines(F("p.csv")).Length);
    }

    [Fact]
    public void PredictOnANpyCopiesOnlyTheModelsColumns()
    {
        // Row-major (C order) .npy cannot be mapped column-wise; only the model's 5 columns may be copied out of it.
        Cli.WriteCsv(F("train.csv"), n: 60, p: 5);
        Assert.Equal(0, Cli.Run("fit", "--data", F("train.csv"), "--target", "y", "--out", F("m.gnet"), "--quiet").Code);
        const int N = 2000, P = 500;
        var x = new double[N, P];
        for (int i = 0; i < N; i++)
        {
            for (int j = 0; j < P; j++)
            {
                x[i, j] = ((i * 7) + j) % 13 / 13.0;
            }
        }

        Data.TestWriters.Npy(F("wide.npy"), x, fortran: false, single: false);
        File.WriteAllLines(F("wide.npy.names"), Enumerable.Range(0, P).Select(j => j < 5 ? "x" + (5 - j) : "other" + j));
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(0, Cli.Run("predict", "--model", F("m.gnet"), "--data", F("wide.npy"), "--out", F("p.csv"), "--quiet").Code);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 8L * N * P / 2, $"predict allocated {allocated:N0} bytes; the n × p matrix is {8L * N * P:N0}");

        // The same rows as CSV, columns in another order, give the same predictions.
        var csv = new StringBuilder("x1,x2,x3,x4,x5\n");
        for (int i = 0; i < N; i++)
        {
            csv.Append(string.Join(',', Enumerable.Range(1, 5).Select(k => x[i, 5 - k].ToString("R", CultureInfo.InvariantCulture)))).Append('\n');
        }

        File.WriteAllText(F("same.csv"), csv.ToString());
        Assert.Equal(0, Cli.Run("predict", "--model", F("m.gnet"), "--data", F("same.csv"), "--out", F("q.csv"), "--quiet").Code);
        Assert.Equal(File.ReadAllLines(F("q.csv")), File.ReadAllLines(F("p.csv")));
    }

    [Fact]
    public void FoldIdsCountEveryDataRowIncludingRowsDroppedForAMissingTarget()
    {
        // Row 3's target is missing: it is dropped, but the fold-id file still has one line per data row.
        Cli.WriteCsv(F("d.csv"), n: 30, p: 4);
        var lines = File.ReadAllLines(F("d.csv"));
        lines[3] = string.Join(',', lines[3].Split(',')[..^1]) + ",NA";
        File.WriteAllLines(F("d.csv"), lines);
        File.WriteAllLines(F("folds.txt"), Enumerable.Range(0, 30).Select(i => i == 2 ? "0" : ((i % 3) + 1).ToString(CultureInfo.InvariantCulture)));
        Assert.Equal(0, Cli.Run("cv", "--data", F("d.csv"), "--target", "y", "--foldid", F("folds.txt"), "--out", F("m.gnet"), "--json", F("cv.json"), "--quiet").Code);
        var root = Json(F("cv.json"));
        Assert.Equal(29, root.GetProperty("n").GetInt32());
        Assert.Equal(1, root.GetProperty("dropped_rows").GetInt32());

        // One id per kept row is one too few: the message names both files and both counts.
        File.WriteAllLines(F("short.txt"), Enumerable.Range(0, 29).Select(i => ((i % 3) + 1).ToString(CultureInfo.InvariantCulture)));
        string error = Cli.Run("cv", "--data", F("d.csv"), "--target", "y", "--foldid", F("short.txt"), "--out", F("m.gnet")).OneLine();
        Assert.Contains("short.txt", error, StringComparison.Ordinal);
        Assert.Contains("29", error, StringComparison.Ordinal);
        Assert.Contains("30", error, StringComparison.Ordinal);
    }

    [Fact]
    public void RandomL1RatiosRefineAndStabilityReachTheJson()
    {
        Cli.WriteCsv(F("d.csv"), n: 40, p: 6);
        Ok(Cli.Run("cv", "--data", F("d.csv"), "--target", "y", "--folds", "3", "--nlambda", "10", "--l1-ratio", "random:3", "--seed", "4",
            "--out", F("r.gnet"), "--json", F("r.json"), "--quiet"));
        var ratios = Json(F("r.json")).GetProperty("paths").EnumerateArray().Select(p => p.GetProperty("l1_ratio").GetDouble()).ToList();
        Assert.Equal(3, ratios.Count);
        Assert.All(ratios, a => Assert.InRange(a, 0.01, 1));
        Assert.Equal(ratios.OrderDescending(), ratios);

        Ok(Cli.Run("cv", "--data", F("d.csv"), "--target", "y", "--folds", "3", "--nlambda", "10", "--l1-ratio", "1,0.5", "--refine",
            "--out", F("f.gnet"), "--json", F("f.json"), "--quiet"));
        Assert.True(Json(F("f.json")).GetProperty("paths").GetArrayLength() > 2, "--refine adds l1_ratio values around the best");
    }

    [Fact]
    public void StabilityFrequencyReachesTheJson()
    {
        Cli.WriteCsv(F("d.csv"), n: 40, p: 6);
        Ok(Cli.Run("cv", "--data", F("d.csv"), "--target", "y", "--folds", "3", "--nlambda", "10", "--stability", "4",
            "--out", F("s.gnet"), "--json", F("s.json"), "--quiet"));
        var frequency = Json(F("s.json")).GetProperty("stability_frequency").EnumerateArray().Select(e => e.GetDouble()).ToList();
        Assert.Equal(6, frequency.Count);
        Assert.All(frequency, v => Assert.InRange(v, 0, 1));
        Assert.Equal(1.0, frequency[0]); // x1 carries the signal: selected in every half-sample
    }
}
