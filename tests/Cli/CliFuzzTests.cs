using System.Security.Cryptography;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace GpuEnet.Tests.Cli;

/// <summary>One generated command line over the fuzz workspace: <c>{w}</c> in an argument stands for the workspace.</summary>
public sealed record CliCase(string[] Args)
{
    public override string ToString() => "gpuenet " + string.Join(' ', Args.Select(a => a.Contains(' ', StringComparison.Ordinal) || a.Length == 0 ? $"'{a}'" : a));
}

/// <summary>Random option combinations, hostile values included, for every command.</summary>
public static class CliCases
{
    // Each option: values that should work, then hostile ones. An option is given with probability 1/4 and a hostile
    // value with probability 1/5, so that a good share of the runs get through the solve and write their outputs.
    private static readonly (string Option, string[] Good, string[] Bad)[] s_train =
    [
        ("--l1-ratio", ["1", "0.5", "1,0.5,0.1", "0", "random:3"], ["2", "-1", "random:0", "random:99999999", "abc", ","]),
        ("--lambda", ["0.1,0.01", "1", "0.5,0.2,0.1"], ["1e300", "-1", "NaN", "x", "0"]),
        ("--nlambda", ["3", "5"], ["0", "-1", "1", "1e3"]),
        ("--lambda-min-ratio", ["0.1"], ["0", "-1", "2", "NaN"]),
        ("--standardize", ["true", "false"], ["maybe"]),
        ("--intercept", ["true", "false"], ["2"]),
        ("--impute", ["mean", "median", "mode"], ["none", "bogus"]),
        ("--precision", ["float32", "float64"], ["double"]),
        ("--threads", ["1", "2"], ["0", "-2", "x"]),
        ("--tol", ["1e-7", "1e-4"], ["0", "-1", "1e300"]),
        ("--seed", ["1", "-5"], ["99999999999"]),
        ("--weights", ["w"], ["x2", "nope"]),
        ("--penalty-factor", ["{w}/pf.txt"], ["{w}/pf-bad.txt", "{w}/missing.txt", "{w}/tiny.csv", "{w}/new.gnet"]),
        ("--lower", ["{w}/lower.txt"], ["{w}/pf-bad.txt"]),
        ("--upper", ["{w}/upper.txt"], ["{w}/missing.txt"]),
        ("--ignore", ["x3"], ["x1,x1", "y", "nope"]),
        ("--json", ["{w}/new.json", "{w}/model.gnet", "/dev/null"], ["{w}/tiny.csv", "{w}", "{w}/nodir/x", "", "{w}/link-to-tiny.csv", "{w}/new.gnet"]),
        ("--report", ["{w}/new.html", "{w}/sentinel.txt"], ["{w}/tiny.csv", "{w}/nodir/x", "{w}/new.json"]),
        ("--device", ["cpu", "auto"], ["bogus"]),
        ("--missing-indicators", [], []),
        ("--full-path", [], []),
        ("--quiet", [], []),
    ];

    private static readonly (string Option, string[] Good, string[] Bad)[] s_cvOnly =
    [
        ("--folds", ["2", "3"], ["1", "0", "100", "-3"]),
        ("--foldid", ["{w}/foldid.txt"], ["{w}/foldid-bad.txt", "{w}/missing.txt"]),
        ("--select", ["min", "1se"], ["max"]),
        ("--stability", ["2"], ["-1"]),
        ("--refine", [], []),
    ];

    private static readonly (string Option, string[] Good, string[] Bad)[] s_predict =
    [
        ("--lambda", ["0.01"], ["1e9", "-1", "NaN", "x"]),
        ("--l1-ratio", ["1"], ["0.5", "x"]),
        ("--clamp", [], []),
        ("--quiet", [], []),
    ];

    private static readonly string[] s_goodData = ["{w}/tiny.csv", "{w}/tiny.csv.gz"];
    private static readonly string[] s_badData = ["{w}/missing.csv", "{w}", "{w}/empty.csv", "{w}/binary.csv", "", "{w}/model.gnet", "{w}/cut.csv.gz", "{w}/ids.csv"];
    private static readonly string[] s_goodOut = ["{w}/new.gnet", "{w}/model.gnet", "/dev/null"];
    private static readonly string[] s_badOut = ["{w}/tiny.csv", "{w}/sentinel.txt", "{w}", "{w}/nodir/x", "", "{w}/link-to-tiny.csv"];

    public static Gen<CliCase> Cases() =>
        Gen.Frequency(new (int, Gen<CliCase>)[]
        {
            (4, Train("fit", s_train)),
            (3, Train("cv", [.. s_train, .. s_cvOnly])),
            (3, Predict()),
            (2, OtherFormats()),
            (1, Gen.Elements(s_other).Select(a => new CliCase(a))),
        });

    private static readonly string[][] s_other =
    [
        ["inspect", "--model", "{w}/model.gnet"], ["inspect", "--model", "{w}/tiny.csv", "--json"], ["inspect"], ["inspect", "--model", "{w}"],
        ["bogus"], [], ["fit", "--help"],
    ];

    private static Gen<bool> Chance(int inFive) => Gen.Choose(1, 20).Select(k => k <= inFive * 4);

    private static Gen<string> Value(string[] good, string[] bad) =>
        bad.Length == 0 ? Gen.Elements(good) : Chance(1).SelectMany(hostile => Gen.Elements(hostile ? bad : good));

    private static Gen<string[]> Options((string Option, string[] Good, string[] Bad)[] pool) =>
        Gen.CollectToArray(pool.Select(o =>
            from given in Gen.Choose(1, 4)
            from value in o.Good.Length == 0 ? Gen.Constant("") : Value(o.Good, o.Bad)
            select given > 1 ? Array.Empty<string>() : o.Good.Length == 0 ? new[] { o.Option } : new[] { o.Option, value }))
            .SelectMany(parts => Gen.Shuffle(parts))
            .Select(parts => parts.SelectMany(p => p).ToArray());

    private static Gen<CliCase> Train(string command, (string Option, string[] Good, string[] Bad)[] pool) =>
        from data in Value(s_goodData, s_badData)
        from output in Value(s_goodOut, s_badOut)
        from target in Value(["y"], ["x1", "nope", ""])
        from options in Options(pool)
        from extra in Gen.Elements(Array.Empty<string>(), [], [], [], [], [], [], [], ["--seed", "2"], ["--bogus", "1"], ["stray"])
        select new CliCase([command, "--data", data, "--out", output, "--target", target, .. options, .. extra]);

    private static Gen<CliCase> OtherFormats() =>
        from command in Gen.Elements("fit", "cv")
        from data in Gen.Elements<string[]>(["--data", "{w}/x.npy", "--target-file", "{w}/y.npy"], ["--data", "{w}/geno.bed"],
            ["--data", "{w}/x.npy", "--target-file", "{w}/y-short.txt"], ["--data", "{w}/geno.bed", "--target-file", "{w}/y.npy"])
        from output in Value(s_goodOut, s_badOut)
        from options in Options(s_train.Where(o => o.Option is not ("--weights" or "--ignore" or "--penalty-factor" or "--lower" or "--upper")).ToArray())
        select new CliCase([command, .. data, "--out", output, .. options]);

    private static Gen<CliCase> Predict() =>
        from model in Value(["{w}/model.gnet"], ["{w}/tiny.csv", "{w}/missing.gnet", "{w}", "{w}/new.gnet"])
        from data in Value([.. s_goodData, "{w}/ids.csv"], s_badData)
        from output in Value(["{w}/p.csv", "{w}/sentinel.txt", "/dev/null", "/dev/stdout"], s_badOut)
        from options in Options(s_predict)
        select new CliCase(["predict", "--model", model, "--data", data, "--out", output, .. options]);
}

public static class CliArbitraries
{
    public static Arbitrary<CliCase> Case() => Arb.From(CliCases.Cases());
}

/// <summary>
/// Property-based fuzzing of the command line (issue 12): any option combination on tiny data ends within 30 s with
/// exit code 0, 1 or 2, no stack trace, no temporary left behind, and every file that existed before unchanged unless
/// it was a named output of a successful run. 400 runs (about a quarter get through the solve), 5–10 s in all.
/// </summary>
[Collection("Console")]
public sealed class CliFuzzTests : IDisposable
{
    private readonly string _pristine = Directory.CreateTempSubdirectory("gpuenet-fuzz-pristine-").FullName;
    private readonly string _work = Directory.CreateTempSubdirectory("gpuenet-fuzz-").FullName;

    public CliFuzzTests()
    {
        string P(string name) => Path.Combine(_pristine, name);
        Cli.WriteCsv(P("tiny.csv"), n: 14, p: 4, seed: 5, cell: (i, j) => i == 3 && j == 1 ? "NA" : null);
        var lines = File.ReadAllLines(P("tiny.csv"));
        File.WriteAllLines(P("tiny.csv"), lines.Select((l, i) => l + (i == 0 ? ",w" : ",1")));
        File.WriteAllLines(P("ids.csv"), lines.Select((l, i) => (i == 0 ? "id," : $"S{i},") + l));
        using (var fs = File.Create(P("tiny.csv.gz")))
        using (var gz = new System.IO.Compression.GZipStream(fs, System.IO.Compression.CompressionLevel.Fastest))
        {
            gz.Write(File.ReadAllBytes(P("tiny.csv")));
        }

        var gzip = File.ReadAllBytes(P("tiny.csv.gz"));
        File.WriteAllBytes(P("cut.csv.gz"), gzip[..(gzip.Length - 5)]);
        File.WriteAllText(P("empty.csv"), "");
        File.WriteAllBytes(P("binary.csv"), [0x1f, 0x8b, 0x08, 0, 1, 2, 3, 0x1b, 0x5b]);
        File.WriteAllText(P("pf.txt"), "x1 0\nx2 2\n");
        File.WriteAllText(P("pf-bad.txt"), "x1 0\nx1 1\n");
        File.WriteAllText(P("lower.txt"), "x2 0\n");
        File.WriteAllText(P("upper.txt"), "x1 1\n");
        File.WriteAllLines(P("foldid.txt"), Enumerable.Range(0, 14).Select(i => ((i % 3) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        File.WriteAllText(P("foldid-bad.txt"), "1\n2\n");
        File.WriteAllText(P("sentinel.txt"), "must survive");
        var rng = new Random(9);
        var x = new double[14, 5];
        var dosages = new int[14, 6];
        for (int i = 0; i < 14; i++)
        {
            for (int j = 0; j < 5; j++)
            {
                x[i, j] = rng.NextDouble();
            }

            for (int j = 0; j < 6; j++)
            {
                dosages[i, j] = rng.Next(-1, 3) == -1 && j == 2 ? -1 : rng.Next(3);
            }
        }

        Data.TestWriters.Npy(P("x.npy"), x, fortran: true, single: false);
        Data.TestWriters.NpyVector(P("y.npy"), Enumerable.Range(0, 14).Select(i => (2 * x[i, 0]) + (0.1 * rng.NextDouble())).ToArray());
        File.WriteAllText(P("y-short.txt"), "1\n2\n3\n");
        using (var plink = new Data.TempDir())
        {
            Data.TestWriters.Plink(plink, "geno", dosages);
            foreach (string f in Directory.GetFiles(plink.Path))
            {
                File.Copy(f, P(Path.GetFileName(f)));
            }
        }

        Assert.Equal(0, Cli.Run("fit", "--data", P("tiny.csv"), "--target", "y", "--nlambda", "5", "--out", P("model.gnet"), "--quiet").Code);
    }

    // Issue 12 items 4–10 (solver crashes on λ ≥ λ_max, constant folds, …) are fixed: an "internal error" line fails the
    // property. Set to true only to fuzz the host while a known solver crash is open.
    private const bool KnownSolverCrashesOpen = false;

    public void Dispose()
    {
        Directory.Delete(_pristine, recursive: true);
        Directory.Delete(_work, recursive: true);
    }

    [Property(MaxTest = 400, Arbitrary = [typeof(CliArbitraries)])]
    public void AnyCommandLineEndsCleanlyAndKeepsEveryFileItDoesNotName(CliCase generated)
    {
        ArgumentNullException.ThrowIfNull(generated);
        Reset();
        string[] args = generated.Args.Select(a => a.Replace("{w}", _work, StringComparison.Ordinal)).ToArray();
        var before = Snapshot();

        CliResult? result = null;
        Exception? escaped = null;
        var runner = new Thread(() =>
        {
            try
            {
                result = Cli.Run(args);
            }
            catch (Exception e)
            {
                escaped = e;
            }
        });
        var clock = System.Diagnostics.Stopwatch.StartNew();
        runner.Start();
        Assert.True(runner.Join(TimeSpan.FromSeconds(30)), $"{generated} ran over 30 s");
        Assert.Null(escaped);
        Assert.NotNull(result);
        Assert.True(result.Code is 0 or 1 or 2, $"{generated}: exit {result.Code}: {result.Error}");
        Cli.AssertClean(result.Error);
        Assert.True(KnownSolverCrashesOpen || !result.Error.Contains("internal error", StringComparison.Ordinal), $"{generated}: {result.Error}");
        if (result.Code != 0)
        {
            Assert.False(string.IsNullOrWhiteSpace(result.Error), $"{generated}: exit {result.Code} without a word on stderr");
        }

        var named = new HashSet<string>(StringComparer.Ordinal);
        for (int k = 0; k + 1 < args.Length; k++)
        {
            if (args[k] is "--out" or "--json" or "--report")
            {
                string named1 = Path.GetFullPath(args[k + 1].Length == 0 ? "." : args[k + 1]);
                named.Add(named1);
                if (new FileInfo(named1).LinkTarget is not null)
                {
                    named.Add(File.ResolveLinkTarget(named1, returnFinalTarget: true)!.FullName);
                }
            }
        }

        var after = Snapshot();
        foreach (var (file, hash) in before)
        {
            bool same = after.TryGetValue(file, out var now) && now == hash;
            Assert.True(same || (result.Code == 0 && named.Contains(file)), $"{generated}: exit {result.Code} changed {Path.GetFileName(file)}");
        }

        Assert.DoesNotContain(after.Keys, f => Path.GetFileName(f).Contains("tmp", StringComparison.Ordinal));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30));
    }

    private void Reset()
    {
        foreach (string f in Directory.GetFileSystemEntries(_work))
        {
            if (Directory.Exists(f) && new DirectoryInfo(f).LinkTarget is null)
            {
                Directory.Delete(f, recursive: true);
            }
            else
            {
                File.Delete(f);
            }
        }

        foreach (string f in Directory.GetFiles(_pristine))
        {
            File.Copy(f, Path.Combine(_work, Path.GetFileName(f)));
        }

        File.CreateSymbolicLink(Path.Combine(_work, "link-to-tiny.csv"), Path.Combine(_work, "tiny.csv"));
    }

    private Dictionary<string, string> Snapshot() =>
        Directory.GetFiles(_work, "*", SearchOption.AllDirectories)
            .Where(f => new FileInfo(f).LinkTarget is null)
            .ToDictionary(f => f, f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))), StringComparer.Ordinal);
}
