using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using GpuEnet.Host.Cli;
using GpuEnet.Tests.Data;
using Xunit;

namespace GpuEnet.Tests.Cli;

/// <summary>Issue 12, items 11–19: each hostile input of the report ends with one clear line or a correct result.</summary>
[Collection("Console")]
public sealed class HostilityTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gpuenet-hostile-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string F(string name) => Path.Combine(_dir, name);

    private string Good() => File.Exists(F("good.csv")) ? F("good.csv") : Cli.WriteCsv(F("good.csv"), n: 60, p: 30);

    private static CliResult Fails(int code, params string[] args)
    {
        var r = Cli.Run(args);
        Assert.True(code == r.Code, $"exit {r.Code}, expected {code}: {r.Error}");
        r.OneLine();
        return r;
    }

    private int RowsOf(string json) => JsonDocument.Parse(File.ReadAllText(json)).RootElement.GetProperty("n").GetInt32();

    // Item 11: a truncated gzip is an error, wherever it was cut; the whole file reads.
    [Fact]
    public void TruncatedGzipIsAnError()
    {
        byte[] text = File.ReadAllBytes(Good());
        using (var fs = File.Create(F("full.csv.gz")))
        using (var gz = new GZipStream(fs, CompressionLevel.Optimal))
        {
            gz.Write(text);
        }

        Assert.Equal(0, Cli.Run("fit", "--data", F("full.csv.gz"), "--target", "y", "--out", F("m.gnet"), "--json", F("f.json"), "--quiet").Code);
        Assert.Equal(60, RowsOf(F("f.json")));
        byte[] gzip = File.ReadAllBytes(F("full.csv.gz"));
        foreach (int cut in new[] { gzip.Length - 1, gzip.Length - 4, gzip.Length - 8, gzip.Length - 9, gzip.Length / 2, gzip.Length / 3 })
        {
            File.WriteAllBytes(F("cut.csv.gz"), gzip[..cut]);
            var r = Fails(1, "fit", "--data", F("cut.csv.gz"), "--target", "y", "--out", F("m2.gnet"));
            Assert.Contains("truncated", r.Error, StringComparison.Ordinal);
            Assert.Contains("cut.csv.gz", r.Error, StringComparison.Ordinal);
        }

        File.WriteAllBytes(F("corrupt.csv.gz"), [0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff, 0x13, 0x37, 0, 0, 0, 0, 0, 0]);
        Assert.Contains("corrupt.csv.gz", Fails(1, "fit", "--data", F("corrupt.csv.gz"), "--target", "y", "--out", F("m2.gnet")).Error, StringComparison.Ordinal);
        Assert.False(File.Exists(F("m2.gnet")));
    }

    // Item 12: a λ outside the path is refused; --clamp asks for the nearest end.
    [Theory]
    [InlineData("-1")]
    [InlineData("1e9")]
    [InlineData("1e-9")]
    [InlineData("NaN")]
    public void PredictLambdaOutsideThePathIsRefusedUnlessClamped(string lambda)
    {
        Assert.Equal(0, Cli.Run("fit", "--data", Good(), "--target", "y", "--out", F("m.gnet"), "--quiet").Code);
        var r = Fails(2, "predict", "--model", F("m.gnet"), "--data", Good(), "--lambda", lambda, "--out", F("p.csv"));
        Assert.Contains("--lambda", r.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(F("p.csv")));
        if (lambda is "1e9" or "1e-9")
        {
            Assert.Equal(0, Cli.Run("predict", "--model", F("m.gnet"), "--data", Good(), "--lambda", lambda, "--clamp", "--out", F("p.csv"), "--quiet").Code);
            Assert.Equal(61, File.ReadAllLines(F("p.csv")).Length);
        }
    }

    // Item 13: a CSV column named like a missing indicator clashes with it.
    [Fact]
    public void MissingIndicatorNameClashIsAnError()
    {
        File.WriteAllText(F("clash.csv"), "x4,x4__missing,y\n1,0,1\n,1,2\n3,0,3\n4,0,5\n");
        var r = Fails(1, "fit", "--data", F("clash.csv"), "--target", "y", "--missing-indicators", "--out", F("m.gnet"));
        Assert.Contains("x4__missing", r.Error, StringComparison.Ordinal);
        Assert.Equal(0, Cli.Run("fit", "--data", F("clash.csv"), "--target", "y", "--out", F("m.gnet"), "--quiet").Code);
    }

    // Item 14: unnamed .npy columns match by position, so a wider file is refused.
    [Fact]
    public void NpyModelRefusesAWiderNpy()
    {
        var rng = new Random(3);
        double[,] X(int n, int p)
        {
            var x = new double[n, p];
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < p; j++)
                {
                    x[i, j] = rng.NextDouble();
                }
            }

            return x;
        }

        var x10 = X(30, 10);
        TestWriters.Npy(F("x10.npy"), x10, fortran: true, single: false);
        TestWriters.NpyVector(F("y.npy"), Enumerable.Range(0, 30).Select(i => x10[i, 0] * 3 + rng.NextDouble() * 0.1).ToArray());
        TestWriters.Npy(F("x12.npy"), X(5, 12), fortran: true, single: false);
        Assert.Equal(0, Cli.Run("fit", "--data", F("x10.npy"), "--target-file", F("y.npy"), "--out", F("m.gnet"), "--quiet").Code);
        Assert.Equal(0, Cli.Run("predict", "--model", F("m.gnet"), "--data", F("x10.npy"), "--out", F("p.csv"), "--quiet").Code);
        var r = Fails(1, "predict", "--model", F("m.gnet"), "--data", F("x12.npy"), "--out", F("p2.csv"));
        Assert.Contains("12", r.Error, StringComparison.Ordinal);
        Assert.Contains("10", r.Error, StringComparison.Ordinal);
    }

    // Item 15: options accepted without a word before.
    [Fact]
    public void InconsistentOrInvalidOptionsAreRefused()
    {
        string data = Good();
        File.WriteAllLines(F("folds.txt"), Enumerable.Range(0, 60).Select(i => ((i % 5) + 1).ToString(CultureInfo.InvariantCulture)));
        Assert.Contains("--folds", Fails(2, "cv", "--data", data, "--target", "y", "--folds", "3", "--foldid", F("folds.txt"), "--out", F("m.gnet")).Error, StringComparison.Ordinal);
        Assert.Equal(0, Cli.Run("cv", "--data", data, "--target", "y", "--folds", "5", "--foldid", F("folds.txt"), "--out", F("m.gnet"), "--quiet").Code);
        foreach (string t in new[] { "0", "-2" })
        {
            Assert.Contains("--threads", Fails(2, "fit", "--data", data, "--target", "y", "--threads", t, "--out", F("m.gnet")).Error, StringComparison.Ordinal);
        }

        Assert.Contains("--stability", Fails(2, "cv", "--data", data, "--target", "y", "--stability", "-1", "--out", F("m.gnet")).Error, StringComparison.Ordinal);
        Assert.Contains("--folds", Fails(2, "cv", "--data", data, "--target", "y", "--folds", "1", "--out", F("m.gnet")).Error, StringComparison.Ordinal);
        Assert.Contains("twice", Fails(2, "fit", "--data", data, "--target", "y", "--target", "x1", "--out", F("m.gnet")).Error, StringComparison.Ordinal);
        Assert.Contains("twice", Fails(2, "fit", "--data", data, "--target", "y", "--quiet", "--quiet", "--out", F("m.gnet")).Error, StringComparison.Ordinal);
        File.WriteAllText(F("pf.txt"), "x1 0\nx2 2\nx1 3\n");
        var r = Fails(1, "fit", "--data", data, "--target", "y", "--penalty-factor", F("pf.txt"), "--out", F("m.gnet"));
        Assert.Contains("x1", r.Error, StringComparison.Ordinal);
        Assert.Contains("line 3", r.Error, StringComparison.Ordinal);
        Assert.Contains("random", Fails(2, "cv", "--data", data, "--target", "y", "--l1-ratio", "random:1000000000", "--out", F("m.gnet")).Error, StringComparison.Ordinal);
        Assert.Equal(TrainCommandLimits.MaxRandom, GpuEnet.Host.Commands.TrainCommand.L1Ratios("random:" + TrainCommandLimits.MaxRandom, 1).Length);
    }

    [Fact]
    public void AnInfinitePredictionIsAnError()
    {
        Assert.Equal(0, Cli.Run("fit", "--data", Good(), "--target", "y", "--out", F("m.gnet"), "--quiet").Code);
        Cli.WriteCsv(F("huge.csv"), n: 5, p: 30, cell: (i, j) => i == 3 && j == 0 ? "1.7e308" : null);
        var r = Fails(1, "predict", "--model", F("m.gnet"), "--data", F("huge.csv"), "--out", F("p.csv"));
        Assert.Contains("row 4", r.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(F("p.csv")));
    }

    // Item 16: no raw .NET text.
    [Fact]
    public void MessagesAreSentencesNotDotNetText()
    {
        string data = Good();
        Fails(2, "fit", "--data", data, "--target", "y", "--out", "");
        Fails(2, "fit", "--data", "", "--target", "y", "--out", F("m.gnet"));
        Fails(1, "predict", "--model", "", "--data", data, "--out", F("p.csv"));
        Assert.Contains("folder", Fails(1, "predict", "--model", _dir, "--data", data, "--out", F("p.csv")).Error, StringComparison.Ordinal);
        Assert.Contains("does not exist", Fails(1, "predict", "--model", F("none.gnet"), "--data", data, "--out", F("p.csv")).Error, StringComparison.Ordinal);
        Fails(2, "fit", "--data", data, "--target", "y", "--out", F("missing/m.gnet"));
    }

    // Item 17: binary data named .csv is described, never echoed.
    [Theory]
    [InlineData("gzip", "gzip")]
    [InlineData("npy", ".npy")]
    [InlineData("utf16", "UTF-16")]
    [InlineData("nul", "NUL")]
    public void BinaryInputNamedCsvIsDescribed(string kind, string expected)
    {
        byte[] text = File.ReadAllBytes(Good());
        byte[] bytes = kind switch
        {
            "gzip" => Gzip(text),
            "npy" => [0x93, .. "NUMPY\x01\x00v\x00{'descr': '<f8'}"u8.ToArray(), 0x01, 0x02, 0x1b],
            "utf16" => [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(Encoding.UTF8.GetString(text))],
            _ => [.. "x1,y\n"u8.ToArray()[..2], 0, 0, 0x07, .. "\n1,2\n"u8.ToArray()],
        };
        File.WriteAllBytes(F("bin.csv"), bytes);
        var r = Fails(1, "fit", "--data", F("bin.csv"), "--target", "y", "--out", F("m.gnet"));
        Assert.Contains(expected, r.Error, StringComparison.Ordinal);
        Assert.Contains("bin.csv", r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ControlCharactersInNamesAreNeverEchoedRaw()
    {
        File.WriteAllText(F("ctl.csv"), "a\u001b[31m,y\n1,2\n3,4\n");
        var r = Fails(1, "fit", "--data", F("ctl.csv"), "--target", "nope", "--out", F("m.gnet"));
        Assert.Contains("\\x1B", r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void AFileSeparatedByAnotherCharacterIsNamedAsSuch()
    {
        File.WriteAllText(F("semi.csv"), "a;b;y\n1;2;3\n");
        Assert.Contains("separated by ';'", Fails(1, "fit", "--data", F("semi.csv"), "--target", "y", "--out", F("m.gnet")).Error, StringComparison.Ordinal);
        File.WriteAllText(F("tabs.csv"), "a\tb\ty\n1\t2\t3\n");
        Assert.Contains(".tsv", Fails(1, "fit", "--data", F("tabs.csv"), "--target", "y", "--out", F("m.gnet")).Error, StringComparison.Ordinal);
    }

    // Item 18: CR-only line endings are lines; a float32 overflow says so.
    [Fact]
    public void CrOnlyLineEndingsAreRead()
    {
        string text = File.ReadAllText(Good());
        File.WriteAllText(F("cr.csv"), text.Replace('\n', '\r'));
        Assert.Equal(0, Cli.Run("fit", "--data", F("cr.csv"), "--target", "y", "--out", F("m.gnet"), "--json", F("cr.json"), "--quiet").Code);
        Assert.Equal(60, RowsOf(F("cr.json")));
        File.WriteAllText(F("crlf.csv"), text.Replace("\n", "\r\n", StringComparison.Ordinal));
        Assert.Equal(0, Cli.Run("fit", "--data", F("crlf.csv"), "--target", "y", "--out", F("m.gnet"), "--json", F("crlf.json"), "--quiet").Code);
        Assert.Equal(60, RowsOf(F("crlf.json")));
        Assert.Equal(File.ReadAllText(F("cr.json")).Split("\"timing\"")[0], File.ReadAllText(F("crlf.json")).Split("\"timing\"")[0]);
    }

    [Fact]
    public void Float32OverflowNamesThePrecision()
    {
        Cli.WriteCsv(F("big.csv"), n: 20, p: 3, cell: (i, j) => i == 7 && j == 2 ? "1e300" : null);
        var r = Fails(1, "fit", "--data", F("big.csv"), "--target", "y", "--precision", "float32", "--out", F("m.gnet"));
        Assert.Contains("float32", r.Error, StringComparison.Ordinal);
        Assert.Contains("x3", r.Error, StringComparison.Ordinal);
        Assert.Contains("row 8", r.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("imputation", r.Error, StringComparison.Ordinal);
    }

    // Item 19: help lines; predict lets extra text columns pass; --ignore on fit/cv.
    [Fact]
    public void HelpPrintsEveryOptionOnItsOwnLine()
    {
        // The help is written from the declarations: every option parsed is on a line of its own, and nothing else is.
        foreach (string command in new[] { "fit", "cv", "predict", "export", "convert", "demo", "inspect" })
        {
            string help = Cli.Run(command, "--help").Out;
            var lines = help.Split('\n').Where(l => l.TrimStart().StartsWith("--", StringComparison.Ordinal)).ToList();
            var declared = GpuEnet.Host.Cli.Commands.Find(command)!.Options.Select(o => o.Name).Where(n => n.StartsWith("--", StringComparison.Ordinal) && n != "--help").ToList();
            Assert.NotEmpty(declared);
            foreach (string option in declared)
            {
                Assert.Single(lines, l => l.TrimStart().Split(' ')[0] == option);
            }

            Assert.DoesNotContain(lines, l => l.Contains("--weights", StringComparison.Ordinal) && l.TrimStart().StartsWith("--l1-ratio", StringComparison.Ordinal));
        }

        Assert.Contains("--clamp", Cli.Run("predict", "--help").Out, StringComparison.Ordinal);
        Assert.Contains("--ignore", Cli.Run("fit", "--help").Out, StringComparison.Ordinal);
    }

    [Fact]
    public void PredictSkipsExtraTextColumnsAndFitIgnoresNamedOnes()
    {
        string data = Good();
        var lines = File.ReadAllLines(data);
        File.WriteAllLines(F("ids.csv"), lines.Select((l, i) => (i == 0 ? "sample," : $"S-{i},") + l + (i == 0 ? ",note" : ",free text")));
        var r = Fails(1, "fit", "--data", F("ids.csv"), "--target", "y", "--out", F("m.gnet"));
        Assert.Contains("sample", r.Error, StringComparison.Ordinal);
        Assert.Equal(0, Cli.Run("fit", "--data", F("ids.csv"), "--target", "y", "--ignore", "sample,note", "--out", F("m.gnet"), "--json", F("fit.json"), "--quiet").Code);
        var features = JsonDocument.Parse(File.ReadAllText(F("fit.json"))).RootElement.GetProperty("features").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal(30, features.Count);
        Assert.DoesNotContain("sample", features);
        Assert.Equal(0, Cli.Run("predict", "--model", F("m.gnet"), "--data", F("ids.csv"), "--out", F("p.csv"), "--quiet").Code);
        Assert.Equal(0, Cli.Run("predict", "--model", F("m.gnet"), "--data", data, "--out", F("q.csv"), "--quiet").Code);
        Assert.Equal(File.ReadAllLines(F("q.csv")), File.ReadAllLines(F("p.csv")));
        Assert.Contains("nope", Fails(1, "fit", "--data", F("ids.csv"), "--target", "y", "--ignore", "nope", "--out", F("m.gnet")).Error, StringComparison.Ordinal);
        Fails(1, "fit", "--data", F("ids.csv"), "--target", "y", "--ignore", "y", "--out", F("m.gnet"));
        Fails(2, "fit", "--data", F("ids.csv"), "--target", "y", "--ignore", "sample,sample", "--out", F("m.gnet"));
    }

    private static byte[] Gzip(byte[] text)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(text);
        }

        return ms.ToArray();
    }
}

internal static class TrainCommandLimits
{
    public const int MaxRandom = GpuEnet.Host.Commands.TrainCommand.MaxRandomL1Ratios;
}
