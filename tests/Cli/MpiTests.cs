using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using GpuEnet.Tests.Data;
using Xunit;

namespace GpuEnet.Tests.Cli;

/// <summary>
/// The same commands under OpenMPI's <c>mpirun</c> (installed by <c>.ci/run</c>): X split by columns over 2 and 3 ranks
/// gives the single-process path and CV bit for bit (λ, intercepts, coefficients, CV curve, selection), rank 0 alone
/// writes, a rank reading other data is refused, and a failing rank ends the job with one line naming it.
/// </summary>
public sealed class MpiTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gpuenet-mpi-").FullName;
    private readonly Dictionary<string, string> _environment = [];

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void FitOnANpyOverTwoRanksEqualsOneProcess()
    {
        string x = Path.Combine(_dir, "X.npy"), y = Path.Combine(_dir, "y.txt");
        WriteProblem(x, y, n: 90, p: 230);
        string one = Json("fit", ["--data", x, "--target-file", y], ranks: 1);
        string two = Json("fit", ["--data", x, "--target-file", y], ranks: 2);
        AssertSamePaths(one, two);
    }

    [Fact]
    public void CvOnPlinkWithMissingCallsOverThreeRanksEqualsOneProcess()
    {
        string bed = Path.Combine(AppContext.BaseDirectory, "fixtures", "plink", "geno.bed");
        string[] args = ["--data", bed, "--l1-ratio", "1,0.5", "--folds", "4"];
        string one = Json("cv", args, ranks: 1);
        string three = Json("cv", args, ranks: 3);
        AssertSamePaths(one, three);
        using var a = JsonDocument.Parse(File.ReadAllText(one));
        using var b = JsonDocument.Parse(File.ReadAllText(three));
        Assert.Equal(a.RootElement.GetProperty("selected").GetRawText(), b.RootElement.GetProperty("selected").GetRawText());
        for (int l = 0; l < 2; l++)
        {
            var cvA = a.RootElement.GetProperty("paths")[l].GetProperty("cv");
            var cvB = b.RootElement.GetProperty("paths")[l].GetProperty("cv");
            Assert.Equal(cvA.GetRawText(), cvB.GetRawText());
        }
    }

    [Fact]
    public void FitOnPlinkFetchingOneColumnPerCollectiveEqualsOneProcess()
    {
        // The strong-set columns cross in chunks; with a one-byte chunk every column is its own collective, so the
        // chunk boundaries fall everywhere and the ranks must still agree on every chunk.
        string bed = Path.Combine(AppContext.BaseDirectory, "fixtures", "plink", "geno.bed");
        string[] args = ["--data", bed, "--l1-ratio", "1"];
        string one = Json("fit", args, ranks: 1);
        _environment["GPUENET_MPI_FETCH_CHUNK_BYTES"] = "1";
        string two = Json("fit", args, ranks: 2);
        AssertSamePaths(one, two);
    }

    [Theory]
    [InlineData("mean")]
    [InlineData("median")]
    public void EachRankListsOnlyItsOwnColumnsMissingCalls(string impute)
    {
        // Four blocks of variants, two ranks: each rank makes the missing-call lists of its own half only (the moments'
        // missing weights and the median fills are computed on the shards and gathered), and the path is still the one
        // process's.
        using var dir = new TempDir();
        int n = 60, p = 4 * 1024;
        var g = new int[n, p];
        var random = new Random(3);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < p; j++)
            {
                g[i, j] = random.Next(25) == 0 ? -1 : random.Next(3);
            }
        }

        var phenotypes = Enumerable.Range(0, n).Select(i => (g[i, 5] + (0.5 * g[i, 3000]) + random.NextDouble()).ToString("R", CultureInfo.InvariantCulture)).ToArray();
        string bed = TestWriters.Plink(dir, "blocks", g, phenotypes);
        string[] args = ["--data", bed, "--l1-ratio", "1", "--nlambda", "20", "--impute", impute];
        string one = Json("fit", args, ranks: 1);
        _environment["GPUENET_PROFILE"] = "1";
        var (code, error) = Mpirun(["-np", "2", .. Command("fit", [.. args, "--out", Path.Combine(_dir, "two.gnet"), "--json", Path.Combine(_dir, "two.json"), "--quiet"])]);
        Assert.True(code == 0, error);
        AssertSamePaths(one, Path.Combine(_dir, "two.json"));
        Assert.Contains("missing-call lists of rank 0 of 2: 2 of 4 blocks", error);
        Assert.Contains("missing-call lists of rank 1 of 2: 2 of 4 blocks", error);
    }

    [Fact]
    public void MissingIndicatorsAndReportOverTwoRanksEqualOneProcess()
    {
        // Indicator columns sit after the variants, so a rank may own the indicator of another rank's variant.
        string bed = Path.Combine(AppContext.BaseDirectory, "fixtures", "plink", "geno.bed");
        string[] args = ["--data", bed, "--l1-ratio", "0.5", "--missing-indicators"];
        string one = Json("fit", [.. args, "--report", Path.Combine(_dir, "one.html")], ranks: 1);
        string two = Json("fit", [.. args, "--report", Path.Combine(_dir, "two.html")], ranks: 2);
        AssertSamePaths(one, two);
        // The report's missing-cell table (counted without making the lists) is the one process's; its device line is not.
        string Missing(string report)
        {
            string html = File.ReadAllText(Path.Combine(_dir, report));
            int from = html.IndexOf("missing cells<", StringComparison.Ordinal);
            Assert.True(from > 0, "the report has no missing-cell table");
            return html[from..html.IndexOf("</tbody>", from, StringComparison.Ordinal)];
        }

        Assert.Equal(Missing("one.html"), Missing("two.html"));
    }

    [Fact]
    public void ARankReadingOtherDataIsRefused()
    {
        string x = Path.Combine(_dir, "X.npy"), y = Path.Combine(_dir, "y.txt");
        string other = Path.Combine(_dir, "other.txt");
        WriteProblem(x, y, n: 40, p: 30);
        File.WriteAllLines(other, File.ReadAllLines(y).Select((line, i) => i == 3 ? "0.125" : line));
        var (code, error) = Mpirun(
            ["-np", "1", .. Command("fit", ["--data", x, "--target-file", y, "--out", Path.Combine(_dir, "m.gnet")]),
             ":", "-np", "1", .. Command("fit", ["--data", x, "--target-file", other, "--out", Path.Combine(_dir, "m.gnet")])]);
        Assert.NotEqual(0, code);
        Assert.Contains("differs between MPI ranks: rank 1", error);
        Assert.False(File.Exists(Path.Combine(_dir, "m.gnet")));
    }

    [Fact]
    public void AFailingRankEndsTheJobNamingIt()
    {
        string x = Path.Combine(_dir, "X.npy"), y = Path.Combine(_dir, "y.txt");
        WriteProblem(x, y, n: 40, p: 30);
        string model = Path.Combine(_dir, "keep.gnet");
        File.WriteAllText(model, "old");
        // Rank 1 cannot read its target file while rank 0 waits for it in the first collective: no hang, one line, old output kept.
        var (code, error) = Mpirun(
            ["-np", "1", .. Command("fit", ["--data", x, "--target-file", y, "--out", model]),
             ":", "-np", "1", .. Command("fit", ["--data", x, "--target-file", Path.Combine(_dir, "absent.txt"), "--out", model])]);
        Assert.NotEqual(0, code);
        Assert.Contains("gpuenet: rank 1 of 2:", error);
        Assert.Equal("old", File.ReadAllText(model));
    }

    [Fact]
    public async Task ARankKilledMidRunEndsTheJobAndLeavesOutputsAlone()
    {
        string x = Path.Combine(_dir, "X.npy"), y = Path.Combine(_dir, "y.txt");
        WriteProblem(x, y, n: 300, p: 5_000);
        string model = Path.Combine(_dir, "keep.gnet");
        File.WriteAllText(model, "old");
        // 40 l1_ratios × 11 problems, every λ, a tight tolerance: about 20 s of work on one idle core, far longer than the
        // 4 s before the kill, so the kill lands mid-run (the job ends at the kill, so the test does not take that long).
        var info = MpirunInfo(["-np", "2", .. Command("cv", ["--data", x, "--target-file", y, "--l1-ratio", "random:40", "--full-path",
            "--tol", "1e-14", "--out", model, "--quiet"])]);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("mpirun did not start");
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        // Wait for both ranks, let them get into the solve, then kill one outright.
        int[] ranks = [];
        var clock = Stopwatch.StartNew();
        while (ranks.Length < 2 && clock.Elapsed < TimeSpan.FromSeconds(60) && !process.HasExited)
        {
            await Task.Delay(200);
            ranks = ChildrenOf(process.Id);
        }

        Assert.True(ranks.Length == 2, "mpirun did not start two ranks");
        await Task.Delay(4000);
        Assert.False(process.HasExited, "the CV ended before a rank could be killed; the test needs a longer problem");
        using (var kill = Process.Start("kill", ["-9", ranks[^1].ToString(CultureInfo.InvariantCulture)]))
        {
            kill!.WaitForExit();
        }

        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("the job went on for more than 30 s after a rank was killed");
        }

        Assert.NotEqual(0, process.ExitCode);
        Assert.Equal("old", File.ReadAllText(model));
        Assert.DoesNotContain(Directory.GetFiles(_dir), f => Path.GetFileName(f).Contains("gpuenet-tmp", StringComparison.Ordinal));
        await Task.WhenAll(error, output);
    }

    // Processes whose parent is `parent` (from /proc/<pid>/stat: the parent pid is the field after the state).
    private static int[] ChildrenOf(int parent)
    {
        var children = new List<int>();
        foreach (string dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid))
            {
                continue;
            }

            try
            {
                string stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], CultureInfo.InvariantCulture) == parent)
                {
                    children.Add(pid);
                }
            }
            catch (IOException)
            {
                // The process ended while being read.
            }
        }

        return [.. children.Order()];
    }

    private static void WriteProblem(string x, string y, int n, int p)
    {
        var random = new Random(5);
        var values = new double[n, p];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < p; j++)
            {
                values[i, j] = random.NextDouble() - 0.5;
            }
        }

        TestWriters.Npy(x, values, fortran: true, single: false);
        File.WriteAllLines(y, Enumerable.Range(0, n).Select(i =>
            ((2 * values[i, 0]) - values[i, 1] + (0.5 * values[i, 4]) + (0.1 * (random.NextDouble() - 0.5))).ToString("R", CultureInfo.InvariantCulture)));
    }

    // Runs the command on `ranks` ranks (1: without mpirun) and returns its JSON file.
    private string Json(string command, string[] args, int ranks)
    {
        string name = $"{command}-{ranks}";
        string json = Path.Combine(_dir, name + ".json");
        string[] full = [.. args, "--out", Path.Combine(_dir, name + ".gnet"), "--json", json, "--quiet"];
        if (ranks == 1)
        {
            var result = Cli.Run([command, .. full]);
            Assert.True(result.Code == 0, result.Error);
        }
        else
        {
            var (code, error) = Mpirun(["-np", ranks.ToString(CultureInfo.InvariantCulture), .. Command(command, full)]);
            Assert.True(code == 0, $"mpirun -np {ranks} exited {code}: {error}");
        }

        return json;
    }

    private static string[] Command(string command, string[] args) =>
        ["dotnet", Path.Combine(AppContext.BaseDirectory, "gpuenet.dll"), command, .. args];

    private ProcessStartInfo MpirunInfo(string[] args)
    {
        var info = new ProcessStartInfo("mpirun") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = _dir };
        info.ArgumentList.Add("--oversubscribe");
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        // CI runs as root; OpenMPI refuses that unless told twice.
        info.Environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1";
        info.Environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1";
        foreach (var (name, value) in _environment)
        {
            info.Environment[name] = value;
        }

        return info;
    }

    private (int Code, string Error) Mpirun(string[] args)
    {
        using var process = Process.Start(MpirunInfo(args)) ?? throw new InvalidOperationException("mpirun did not start");
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("mpirun did not end within 120 s (a hang)");
        }

        return (process.ExitCode, error.Result + output.Result);
    }

    // Same λ, intercepts and coefficients, bit for bit, for every l1_ratio.
    private static void AssertSamePaths(string a, string b)
    {
        using var one = JsonDocument.Parse(File.ReadAllText(a));
        using var many = JsonDocument.Parse(File.ReadAllText(b));
        var pathsA = one.RootElement.GetProperty("paths");
        var pathsB = many.RootElement.GetProperty("paths");
        Assert.Equal(pathsA.GetArrayLength(), pathsB.GetArrayLength());
        for (int l = 0; l < pathsA.GetArrayLength(); l++)
        {
            foreach (string key in (string[])["lambda", "intercept", "beta", "df", "dev_ratio"])
            {
                Assert.Equal(pathsA[l].GetProperty(key).GetRawText(), pathsB[l].GetProperty(key).GetRawText());
            }
        }

        Assert.Contains("MPI ranks", many.RootElement.GetProperty("device").GetString());
    }
}
