using System.Globalization;
using System.Text;
using GpuEnet.Host.Data;
using GpuEnet.Kernels;
using GpuEnet.Tests.Data;
using Xunit;
using static GpuEnet.Tests.Data.TestWriters;

namespace GpuEnet.Tests.Cli;

/// <summary>
/// <c>gpuenet convert</c>: the .npy and its sidecar load as the same data set as the text they came from (features,
/// names, target, dropped rows, row numbers, missing cells), the matrix memory-mapped when it can be, and a failed
/// convert replaces nothing.
/// </summary>
[Collection("Console")]
public sealed class ConvertCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Csv(int n, int p, bool holes, int seed = 1)
    {
        var rng = new Random(seed);
        var sb = new StringBuilder("id,y");
        for (int j = 0; j < p; j++)
        {
            sb.Append(",g").Append(j);
        }

        sb.Append('\n');
        for (int i = 0; i < n; i++)
        {
            sb.Append('s').Append(i).Append(',').Append(holes && i % 7 == 3 ? "NA" : rng.NextDouble().ToString("R", CultureInfo.InvariantCulture));
            for (int j = 0; j < p; j++)
            {
                sb.Append(',').Append(holes && (i + j) % 11 == 0 ? "" : (rng.NextDouble() - 0.5).ToString("G17", CultureInfo.InvariantCulture));
            }

            sb.Append('\n');
        }

        return _dir.Write(holes ? "holes.csv" : "d.csv", sb.ToString());
    }

    private static void AssertSameData(Dataset expected, Dataset actual)
    {
        Assert.Equal(expected.Features, actual.Features);
        Assert.Equal(expected.Target, actual.Target);
        Assert.Equal(expected.Y, actual.Y);
        Assert.Equal(expected.DroppedRows, actual.DroppedRows);
        Assert.Equal(expected.SourceRows, actual.SourceRows);
        Assert.Equal(expected.X.Rows, actual.X.Rows);
        for (int j = 0; j < expected.X.Columns; j++)
        {
            Assert.Equal(Col(expected.X, j), Col(actual.X, j));
            Assert.Equal(expected.X.MissingRows(j).ToArray(), actual.X.MissingRows(j).ToArray());
        }
    }

    [Fact]
    public void TheNpyLoadsAsTheCsvDidAndIsMapped()
    {
        string csv = Csv(60, 30, holes: false), npy = _dir.File("d.npy");
        var r = Cli.Run("convert", "--data", csv, "--target", "y", "--ignore", "id", "--out", npy);
        Assert.True(r.Code == 0, r.Error);
        Assert.Contains("60 rows × 30 features", r.Out, StringComparison.Ordinal);
        var fromCsv = DataLoader.Load(new DataRequest(csv) { Target = "y", Ignore = ["id"] });

        // No target named: fit and cv use the stored one; the same --target also finds it.
        var stored = DataLoader.Load(new DataRequest(npy) { UseStoredTarget = true });
        Assert.IsType<MappedMatrix>(stored.X);
        AssertSameData(fromCsv, stored);
        AssertSameData(fromCsv, DataLoader.Load(new DataRequest(npy) { Target = "y" }));

        // predict reads features only.
        Assert.Empty(DataLoader.Load(new DataRequest(npy)).Y);
    }

    [Fact]
    public void MissingTargetsAndCellsSurviveTheRoundTrip()
    {
        string csv = Csv(50, 12, holes: true), npy = _dir.File("h.npy");
        Assert.Equal(0, Cli.Run("convert", "--data", csv, "--target", "y", "--ignore", "id", "--out", npy, "--quiet").Code);
        var fromCsv = DataLoader.Load(new DataRequest(csv) { Target = "y", Ignore = ["id"] });
        Assert.True(fromCsv.DroppedRows > 0 && fromCsv.X.HasMissing);
        AssertSameData(fromCsv, DataLoader.Load(new DataRequest(npy) { UseStoredTarget = true }));
    }

    [Fact]
    public void ATargetFileIsStoredWithItsName()
    {
        string csv = _dir.Write("x.csv", "a,b\n1,2\n3,4\n5,6\n");
        string y = _dir.Write("resp.txt", "resp\n0.5\nNA\n2.25\n");
        string npy = _dir.File("x.npy");
        Assert.Equal(0, Cli.Run("convert", "--data", csv, "--target-file", y, "--out", npy, "--quiet").Code);
        var d = DataLoader.Load(new DataRequest(npy) { UseStoredTarget = true });
        Assert.Equal("resp", d.Target);
        Assert.Equal([0.5, 2.25], d.Y);
        Assert.Equal([1, 3], d.SourceRows!);
        Assert.Equal(["a", "b"], d.Features);
    }

    [Fact]
    public void FitOnTheNpyEqualsFitOnTheCsv()
    {
        string csv = Csv(40, 25, holes: true), npy = _dir.File("f.npy");
        Assert.Equal(0, Cli.Run("convert", "--data", csv, "--target", "y", "--ignore", "id", "--out", npy, "--quiet").Code);
        var a = Cli.Run("fit", "--data", csv, "--target", "y", "--ignore", "id", "--out", _dir.File("a.gnet"), "--json", _dir.File("a.json"), "--quiet");
        var b = Cli.Run("fit", "--data", npy, "--out", _dir.File("b.gnet"), "--json", _dir.File("b.json"), "--quiet");
        Assert.True(a.Code == 0 && b.Code == 0, a.Error + b.Error);
        static string Paths(string json)
        {
            string text = File.ReadAllText(json);
            return text[..text.IndexOf("\"timing\"", StringComparison.Ordinal)];
        }

        Assert.Equal(Paths(_dir.File("a.json")), Paths(_dir.File("b.json")));
    }

    [Fact]
    public void AFailedConvertReplacesNeitherFile()
    {
        string npy = _dir.File("keep.npy");
        File.WriteAllText(npy, "old matrix");
        File.WriteAllText(npy + ".json", "old sidecar");
        string bad = _dir.Write("bad.csv", "a,y\n1,2\n3,oops\n");
        var r = Cli.Run("convert", "--data", bad, "--target", "y", "--out", npy);
        Assert.Equal(1, r.Code);
        Assert.Equal($"gpuenet: '{bad}' line 3, column 'y': 'oops' is not a number.", r.OneLine());
        Assert.Equal("old matrix", File.ReadAllText(npy));
        Assert.Equal("old sidecar", File.ReadAllText(npy + ".json"));
        Assert.Empty(Directory.GetFiles(_dir.Path, "*gpuenet-tmp"));
    }

    [Theory]
    [InlineData("--out", "x.txt", "--out must name a .npy file")]
    [InlineData("--data", "x.npy", "reads delimited text")]
    [InlineData("--weights", "w", "Unknown option '--weights'")]
    public void UsageErrorsExitWithTwo(string option, string value, string expected)
    {
        string csv = _dir.Write("u.csv", "a,y\n1,2\n");
        var args = new List<string> { "convert", "--data", csv, "--out", _dir.File("u.npy") };
        int at = args.IndexOf(option);
        if (at >= 0)
        {
            args[at + 1] = option == "--data" ? _dir.Write(value, "x") : _dir.File(value);
        }
        else
        {
            args.AddRange([option, value]);
        }

        var r = Cli.Run([.. args]);
        Assert.Equal(2, r.Code);
        Assert.Contains(expected, r.OneLine(), StringComparison.Ordinal);
    }

    [Fact]
    public void AStaleOrForeignSidecarIsRefusedWithOneLine()
    {
        string npy = _dir.File("s.npy");
        Npy(npy, new double[,] { { 1, 2 }, { 3, 4 }, { 5, 6 } }, fortran: true, single: false);
        File.WriteAllText(npy + ".json", """{"format":"gpuenet-npy-sidecar","version":1,"rows":2,"columns":2,"features":["a","b"],"target":null}""");
        var e = Fails(() => DataLoader.Load(new DataRequest(npy)));
        Assert.Contains("describes a 2 × 2 matrix but", e.Message, StringComparison.Ordinal);
        File.WriteAllText(npy + ".json", "{\"something\": 1}");
        Assert.Contains("is not a gpuenet sidecar", Fails(() => DataLoader.Load(new DataRequest(npy))).Message, StringComparison.Ordinal);
        File.WriteAllText(npy + ".json", """{"format":"gpuenet-npy-sidecar","version":1,"rows":3,"columns":2,"features":["a","b"],"target":{"name":"t","values":[1,null]}}""");
        Assert.Contains("holds 2 target values", Fails(() => DataLoader.Load(new DataRequest(npy) { UseStoredTarget = true })).Message, StringComparison.Ordinal);
    }
}
