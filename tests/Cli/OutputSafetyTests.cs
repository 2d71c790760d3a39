using System.Diagnostics;
using GpuEnet.Host.Output;
using Xunit;

namespace GpuEnet.Tests.Cli;

/// <summary>Issue 12, items 1–3: no run destroys an input, a special file or a previous output.</summary>
[Collection("Console")]
public sealed class OutputSafetyTests : IDisposable
{
    private static readonly byte[] s_previous = "previous output"u8.ToArray();
    private readonly string _dir = Directory.CreateTempSubdirectory("gpuenet-out-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string F(string name) => Path.Combine(_dir, name);

    private string Data() => Cli.WriteCsv(F("v.csv"));

    private string Model()
    {
        string model = F("m.gnet");
        Assert.Equal(0, Cli.Run("fit", "--data", Data(), "--target", "y", "--out", model, "--quiet").Code);
        return model;
    }

    private string[] Leftovers() => Directory.GetFiles(_dir, "*", SearchOption.AllDirectories)
        .Where(f => Path.GetFileName(f).Contains("tmp", StringComparison.Ordinal)).ToArray();

    // Item 1: an output equal to an input, or to another output, is refused before any work; nothing changes.
    [Theory]
    [InlineData("fit --data {v} --target y --out {v}")]
    [InlineData("fit --data {v} --target y --out {m2} --json {v}")]
    [InlineData("cv --data {v} --target y --folds 3 --out {m2} --report {v}")]
    [InlineData("fit --data {v} --target y --out {m} --json {m}")]
    [InlineData("cv --data {v} --target y --folds 3 --out {m} --report {m}")]
    [InlineData("predict --model {m} --data {v} --out {m}")]
    [InlineData("predict --model {m} --data {v} --out {v}")]
    [InlineData("fit --data {v} --target y --out {link-to-v}")]
    [InlineData("fit --data {v} --target y --out {hard-v}")]
    [InlineData("fit --data {v} --target y --out {m2} --json {dir-link}/v.csv")]
    [InlineData("fit --data {v} --target y --penalty-factor {pf} --out {pf}")]
    public void AnOutputThatIsAnInputOrAnotherOutputIsRefusedAndNothingChanges(string line)
    {
        string model = Model(), data = F("v.csv"), pf = F("pf.txt");
        File.WriteAllText(pf, "1\n");
        File.CreateSymbolicLink(F("link-to-v.csv"), data);
        File.CreateSymbolicLink(F("dir-link"), _dir);
        Assert.True(Cli.Tool("ln", data, F("hard-v.csv")));
        var before = Directory.GetFiles(_dir).ToDictionary(f => f, File.ReadAllBytes);
        string[] args = line.Replace("{v}", data, StringComparison.Ordinal).Replace("{m}", model, StringComparison.Ordinal)
            .Replace("{m2}", F("m2.gnet"), StringComparison.Ordinal).Replace("{link-to-v}", F("link-to-v.csv"), StringComparison.Ordinal)
            .Replace("{hard-v}", F("hard-v.csv"), StringComparison.Ordinal).Replace("{dir-link}", F("dir-link"), StringComparison.Ordinal)
            .Replace("{pf}", pf, StringComparison.Ordinal).Split(' ');
        var r = Cli.Run(args);
        Assert.Equal(2, r.Code);
        Assert.Contains("same file", r.OneLine(), StringComparison.Ordinal);
        foreach (var (file, bytes) in before)
        {
            Assert.Equal(bytes, File.ReadAllBytes(file));
        }

        Assert.False(File.Exists(F("m2.gnet")));
        Assert.Empty(Leftovers());
    }

    // Item 2: devices are written in place, never replaced by a regular file.
    [Fact]
    public void DevicesAreWrittenInPlace()
    {
        string json = F("fit.json");
        Assert.Equal(0, Cli.Run("fit", "--data", Data(), "--target", "y", "--out", "/dev/null", "--json", json, "--report", "/dev/null", "--quiet").Code);
        Assert.Equal(FileKind.Special, FileIdentity.Kind("/dev/null", out _));
        Assert.True(new FileInfo(json).Length > 0);

        // /dev/full refuses every write: the run fails, and the other outputs of the set are not committed.
        File.WriteAllBytes(F("m.gnet"), s_previous);
        var r = Cli.Run("fit", "--data", Data(), "--target", "y", "--out", F("m.gnet"), "--json", "/dev/full", "--quiet");
        Assert.Equal(1, r.Code);
        Assert.Contains("--json '/dev/full'", r.OneLine(), StringComparison.Ordinal);
        Assert.Equal(s_previous, File.ReadAllBytes(F("m.gnet")));
        Assert.Equal(FileKind.Special, FileIdentity.Kind("/dev/full", out _));
        Assert.Empty(Leftovers());
    }

    [Fact]
    public async Task AFifoIsWrittenInPlaceAndItsReaderGetsTheOutput()
    {
        Assert.True(Cli.Tool("mkfifo", F("pipe")), "mkfifo is needed for this test");
        var reader = Task.Run(() => File.ReadAllBytes(F("pipe")));
        Assert.Equal(0, Cli.Run("fit", "--data", Data(), "--target", "y", "--out", F("m.gnet"), "--json", F("pipe"), "--quiet").Code);
        byte[] received = await reader.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.StartsWith("{\"features\"", System.Text.Encoding.UTF8.GetString(received), StringComparison.Ordinal);
        Assert.Equal(FileKind.Special, FileIdentity.Kind(F("pipe"), out _));
    }

    [Fact]
    public async Task AModelAndDataReadFromFifosPredict()
    {
        string model = Model();
        Assert.True(Cli.Tool("mkfifo", F("model.fifo")) && Cli.Tool("mkfifo", F("data.csv")), "mkfifo is needed for this test");
        byte[] modelBytes = File.ReadAllBytes(model), dataBytes = File.ReadAllBytes(F("v.csv"));
        var writers = Task.WhenAll(Task.Run(() => File.WriteAllBytes(F("model.fifo"), modelBytes)), Task.Run(() => File.WriteAllBytes(F("data.csv"), dataBytes)));
        var r = Cli.Run("predict", "--model", F("model.fifo"), "--data", F("data.csv"), "--out", F("p.csv"), "--quiet");
        Assert.True(r.Code == 0, r.Error);
        await writers.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(41, File.ReadAllLines(F("p.csv")).Length);
    }

    [Fact]
    public void ASymlinkIsFollowedAndItsTargetReplaced()
    {
        Directory.CreateDirectory(F("store"));
        File.WriteAllBytes(F("store/real.gnet"), s_previous);
        File.CreateSymbolicLink(F("link.gnet"), F("store/real.gnet"));
        File.CreateSymbolicLink(F("dangling.json"), F("store/new.json"));
        Assert.Equal(0, Cli.Run("fit", "--data", Data(), "--target", "y", "--out", F("link.gnet"), "--json", F("dangling.json"), "--quiet").Code);
        Assert.NotNull(new FileInfo(F("link.gnet")).LinkTarget);
        Assert.NotNull(new FileInfo(F("dangling.json")).LinkTarget);
        Assert.NotEqual(s_previous, File.ReadAllBytes(F("store/real.gnet")));
        Assert.Equal("GPUENET", System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(F("store/real.gnet"))[..7]), ignoreCase: true);
        Assert.True(File.Exists(F("store/new.json")));
        Assert.Empty(Leftovers());
    }

    [Fact]
    public void StandardOutputIsWrittenInPlace()
    {
        var r = Cli.Run("predict", "--model", Model(), "--data", F("v.csv"), "--out", "/dev/stdout", "--quiet");
        Assert.Equal(0, r.Code);
        Assert.Empty(Leftovers());
    }

    // Item 3: every output location is checked before the data is read; a failed run replaces nothing.
    [Fact]
    public void AMissingOutputFolderIsReportedBeforeTheDataIsReadAndNothingIsReplaced()
    {
        string model = Model();
        byte[] previous = File.ReadAllBytes(model);

        // The data file does not exist: the message is about --json, so the outputs were checked first.
        var r = Cli.Run("cv", "--data", F("absent.csv"), "--target", "y", "--out", model, "--json", F("nodir/x.json"));
        Assert.Equal(2, r.Code);
        Assert.Contains("--json", r.OneLine(), StringComparison.Ordinal);
        Assert.Contains("does not exist", r.Error, StringComparison.Ordinal);

        r = Cli.Run("fit", "--data", F("v.csv"), "--target", "y", "--out", model, "--json", F("nodir/x.json"));
        Assert.Equal(2, r.Code);
        Assert.Equal(previous, File.ReadAllBytes(model));

        r = Cli.Run("fit", "--data", F("v.csv"), "--target", "y", "--out", model, "--json", _dir);
        Assert.Equal(2, r.Code);
        Assert.Contains("is a folder", r.OneLine(), StringComparison.Ordinal);
        Assert.Equal(previous, File.ReadAllBytes(model));

        // A data error after the outputs were prepared: their temporaries go, the previous outputs stay.
        File.WriteAllText(F("bad.csv"), "x1,y\n1,2\noops,3\n");
        r = Cli.Run("fit", "--data", F("bad.csv"), "--target", "y", "--out", model, "--json", F("fit.json"));
        Assert.Equal(1, r.Code);
        Assert.Equal(previous, File.ReadAllBytes(model));
        Assert.False(File.Exists(F("fit.json")));
        Assert.Empty(Leftovers());
    }

    [Fact]
    public void AFolderWithoutWritePermissionIsReportedBeforeTheDataIsRead()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // root writes into any folder with mode 0555; sysfs refuses new files to everyone.
        string folder = F("ro");
        Directory.CreateDirectory(folder);
        File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        if (Environment.UserName == "root")
        {
            folder = "/sys";
        }

        var r = Cli.Run("fit", "--data", F("absent.csv"), "--target", "y", "--out", Path.Combine(folder, "m.gnet"));
        File.SetUnixFileMode(F("ro"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Assert.Equal(1, r.Code);
        Assert.Contains("permission", r.OneLine(), StringComparison.Ordinal);
        Assert.Contains("--out", r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void LeftoversOfAKilledRunAreRemovedByTheNextRunUnlessAWriterHoldsThem()
    {
        string stale = F(".m.gnet.0123456789abcdef0123456789abcdef" + OutputSet.TempSuffix);
        string legacy = F(".m.gnet.0123456789abcdef0123456789abcdef.tmp");
        string legacyJson = F("fit.json.tmp-4242");
        string held = F(".other.gnet.fedcba9876543210fedcba9876543210" + OutputSet.TempSuffix);
        string unrelated = F(".notes.0123456789abcdef0123456789abcdef.tmp");
        foreach (string f in new[] { stale, legacy, legacyJson, held, unrelated })
        {
            File.WriteAllBytes(f, new byte[3000]);
        }

        using (new FileStream(held, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            Assert.Equal(0, Cli.Run("fit", "--data", Data(), "--target", "y", "--out", F("m.gnet"), "--json", F("fit.json"), "--quiet").Code);
        }

        Assert.False(File.Exists(stale));
        Assert.False(File.Exists(legacy));
        Assert.False(File.Exists(legacyJson));
        Assert.True(File.Exists(held), "a temporary held by a live writer must stay");
        Assert.True(File.Exists(unrelated), "a file that is not a temporary of an output written here must stay");
    }

    [Fact]
    public void SigtermAndSigintRemoveTheTemporariesAndSigkillLeavesThemForTheNextRun()
    {
        // A FIFO as --data with no writer: the run blocks opening it, after its outputs were prepared.
        Assert.True(Cli.Tool("mkfifo", F("blocked.csv")), "mkfifo is needed for this test");
        File.WriteAllBytes(F("m.gnet"), s_previous);
        foreach (string signal in new[] { "TERM", "INT", "KILL" })
        {
            using var p = Cli.Start(_dir, "fit", "--data", F("blocked.csv"), "--target", "y", "--out", F("m.gnet"), "--json", F("fit.json"));
            var clock = Stopwatch.StartNew();
            while (Leftovers().Length < 2 && clock.Elapsed < TimeSpan.FromSeconds(20))
            {
                Thread.Sleep(20);
            }

            Assert.Equal(2, Leftovers().Length);
            Assert.All(Leftovers(), f => Assert.EndsWith(OutputSet.TempSuffix, f, StringComparison.Ordinal));
            Cli.Signal(p, signal);
            Assert.True(p.WaitForExit(20_000), $"SIG{signal} did not end the run");
            Assert.NotEqual(0, p.ExitCode);
            Assert.Equal(s_previous, File.ReadAllBytes(F("m.gnet")));
            if (signal != "KILL")
            {
                Assert.Empty(Leftovers());
            }
        }

        Assert.Equal(2, Leftovers().Length);
        Assert.Equal(0, Cli.Run("fit", "--data", Data(), "--target", "y", "--out", F("m.gnet"), "--quiet").Code);
        Assert.Empty(Leftovers());
    }

    [Fact]
    public void ConcurrentRunsOnOneOutputLeaveAValidFileAndNoTemporary()
    {
        // Each run cleans leftovers in the folder when it starts; the others' live temporaries are locked and must survive.
        string data = Data();
        var runs = Enumerable.Range(0, 4).Select(k => Cli.Start(_dir, "fit", "--data", data, "--target", "y", "--seed", (k + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--out", F("m.gnet"), "--json", F("fit.json"), "--quiet")).ToList();
        foreach (var p in runs)
        {
            Assert.True(p.WaitForExit(60_000));
            Assert.True(p.ExitCode == 0, p.StandardError.ReadToEnd());
            p.Dispose();
        }

        Assert.Equal(6, GpuEnet.Host.ModelFile.ModelReader.Read(F("m.gnet")).Features.Length);
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(F("fit.json")));
        Assert.Empty(Leftovers());
    }

    [Fact]
    public void DemoChecksItsFolderAndWritesItsThreeFilesAsASet()
    {
        File.WriteAllText(F("afile"), "x");
        var r = Cli.Run("demo", "--n", "40", "--p", "50", "--effects", "3", "--out", F("afile"));
        Assert.Equal(1, r.Code);
        r.OneLine();
        Assert.Equal("x", File.ReadAllText(F("afile")));
    }
}
