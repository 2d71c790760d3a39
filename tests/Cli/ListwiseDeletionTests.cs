using System.Text.Json;
using Xunit;

namespace GpuEnet.Tests.Cli;

/// <summary>
/// <c>--impute drop-rows</c> (listwise deletion): the fit equals the fit of the file without its incomplete rows, bit for
/// bit, in fit and in cv with fold ids given for the original rows; the count is reported; impossible uses are refused.
/// </summary>
public sealed class ListwiseDeletionTests : IDisposable
{
    private static readonly int[] s_incomplete = [3, 4, 17, 30];
    private readonly string _dir = Directory.CreateTempSubdirectory("gpuenet-drop-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void FitEqualsTheFitOfTheCompleteRows()
    {
        var (withMissing, complete) = Files();
        var a = Cli.Run("fit", "--data", withMissing, "--target", "y", "--impute", "drop-rows", "--out", Out("a.gnet"), "--json", Out("a.json"));
        Assert.True(a.Code == 0, a.Error);
        Assert.Contains("left out 4 of 40 rows", a.Error);
        var b = Cli.Run("fit", "--data", complete, "--target", "y", "--out", Out("b.gnet"), "--json", Out("b.json"), "--quiet");
        Assert.True(b.Code == 0, b.Error);
        AssertSamePath(Out("a.json"), Out("b.json"));
        using var json = JsonDocument.Parse(File.ReadAllText(Out("a.json")));
        Assert.Equal(36, json.RootElement.GetProperty("n").GetInt32());
        Assert.Equal(4, json.RootElement.GetProperty("dropped_rows").GetInt32());
    }

    [Fact]
    public void CvWithFoldIdsOfTheOriginalRowsEqualsCvOfTheCompleteRows()
    {
        var (withMissing, complete) = Files();
        var ids = Enumerable.Range(0, 40).Select(i => 1 + (i % 4)).ToArray();
        File.WriteAllLines(Out("all.txt"), ids.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        File.WriteAllLines(Out("kept.txt"), ids.Where((_, i) => !s_incomplete.Contains(i)).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var a = Cli.Run("cv", "--data", withMissing, "--target", "y", "--impute", "drop-rows", "--foldid", Out("all.txt"), "--out", Out("a.gnet"), "--json", Out("a.json"), "--quiet");
        Assert.True(a.Code == 0, a.Error);
        var b = Cli.Run("cv", "--data", complete, "--target", "y", "--foldid", Out("kept.txt"), "--out", Out("b.gnet"), "--json", Out("b.json"), "--quiet");
        Assert.True(b.Code == 0, b.Error);
        AssertSamePath(Out("a.json"), Out("b.json"));
        using var ja = JsonDocument.Parse(File.ReadAllText(Out("a.json")));
        using var jb = JsonDocument.Parse(File.ReadAllText(Out("b.json")));
        Assert.Equal(jb.RootElement.GetProperty("paths")[0].GetProperty("cv").GetRawText(), ja.RootElement.GetProperty("paths")[0].GetProperty("cv").GetRawText());
    }

    [Fact]
    public void ImpossibleUsesAreRefusedInOneLine()
    {
        var (withMissing, _) = Files();
        var both = Cli.Run("fit", "--data", withMissing, "--target", "y", "--impute", "drop-rows", "--missing-indicators", "--out", Out("c.gnet"));
        Assert.Equal(2, both.Code);
        Assert.Contains("--missing-indicators and --impute drop-rows", both.OneLine());

        string allMissing = Cli.WriteCsv(Out("all-missing.csv"), n: 10, p: 3, cell: (i, j) => j == i % 3 ? "" : null);
        var none = Cli.Run("fit", "--data", allMissing, "--target", "y", "--impute", "drop-rows", "--out", Out("d.gnet"));
        Assert.Equal(1, none.Code);
        Assert.Contains("leaves no row", none.OneLine());
        Assert.False(File.Exists(Out("d.gnet")));
    }

    private string Out(string name) => Path.Combine(_dir, name);

    // The same 40-row file with empty cells in four rows, and the file without those rows.
    private (string WithMissing, string Complete) Files()
    {
        string withMissing = Cli.WriteCsv(Out("missing.csv"), n: 40, p: 6, seed: 7,
            cell: (i, j) => s_incomplete.Contains(i) && j == (i % 6) ? "" : null);
        var lines = File.ReadAllLines(withMissing);
        string complete = Out("complete.csv");
        File.WriteAllLines(complete, lines.Where((_, k) => k == 0 || !s_incomplete.Contains(k - 1)));
        return (withMissing, complete);
    }

    private static void AssertSamePath(string a, string b)
    {
        using var ja = JsonDocument.Parse(File.ReadAllText(a));
        using var jb = JsonDocument.Parse(File.ReadAllText(b));
        var pa = ja.RootElement.GetProperty("paths")[0];
        var pb = jb.RootElement.GetProperty("paths")[0];
        foreach (string key in (string[])["lambda", "intercept", "beta"])
        {
            Assert.Equal(pb.GetProperty(key).GetRawText(), pa.GetProperty(key).GetRawText());
        }
    }
}
