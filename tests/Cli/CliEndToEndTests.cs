using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using GpuEnet.Host;
using Xunit;

namespace GpuEnet.Tests.Cli;

/// <summary>The command line as a user runs it, in-process: fit → JSON → predict, and damaged model files.</summary>
[Collection("Console")]
public sealed class CliEndToEndTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gpuenet-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Error) Run(params string[] args)
    {
        var error = new StringWriter();
        var savedError = Console.Error;
        var savedOut = Console.Out;
        Console.SetError(error);
        Console.SetOut(TextWriter.Null);
        try
        {
            return (Program.Main(args), error.ToString());
        }
        finally
        {
            Console.SetError(savedError);
            Console.SetOut(savedOut);
        }
    }

    private string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "glmnet", name, "data.csv");

    [Fact]
    public void PredictEqualsInterceptPlusXBetaFromTheJson()
    {
        string model = Path.Combine(_dir, "m.gnet"), json = Path.Combine(_dir, "fit.json"), predictions = Path.Combine(_dir, "p.csv");
        string data = Fixture("corr");
        Assert.Equal(0, Run("cv", "--data", data, "--target", "y", "--l1-ratio", "1,0.5", "--folds", "5", "--out", model, "--json", json, "--quiet").Code);
        Assert.Equal(0, Run("predict", "--model", model, "--data", data, "--out", predictions, "--quiet").Code);

        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var root = doc.RootElement;
        var selected = root.GetProperty("selected");
        var path = root.GetProperty("paths").EnumerateArray().First(p => p.GetProperty("l1_ratio").GetDouble() == selected.GetProperty("l1_ratio").GetDouble());
        var lambdas = path.GetProperty("lambda").EnumerateArray().Select(e => e.GetDouble()).ToList();
        int k = lambdas.IndexOf(selected.GetProperty("lambda").GetDouble());
        double b0 = path.GetProperty("intercept")[k].GetDouble();
        var beta = path.GetProperty("beta")[k];
        var index = beta.GetProperty("index").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var value = beta.GetProperty("value").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var features = root.GetProperty("features").EnumerateArray().Select(e => e.GetString()!).ToList();

        var lines = File.ReadAllLines(data);
        var header = lines[0].Split(',');
        var predicted = File.ReadAllLines(predictions).Skip(1).Select(l => double.Parse(l.Split(',')[1], CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(lines.Length - 1, predicted.Length);
        for (int i = 1; i < lines.Length; i++)
        {
            var cells = lines[i].Split(',');
            double expected = b0;
            for (int q = 0; q < index.Length; q++)
            {
                expected += value[q] * double.Parse(cells[Array.IndexOf(header, features[index[q]])], CultureInfo.InvariantCulture);
            }

            Assert.True(Math.Abs(predicted[i - 1] - expected) <= 1e-9 * (1 + Math.Abs(expected)), $"row {i}: {predicted[i - 1]} vs {expected}");
        }
    }

    [Fact]
    public void EveryDamagedModelMakesPredictFailWithOneLine()
    {
        string model = Path.Combine(_dir, "m.gnet"), data = Fixture("indep");
        Assert.Equal(0, Run("fit", "--data", data, "--target", "y", "--out", model, "--quiet").Code);
        var bytes = File.ReadAllBytes(model);
        var rng = new Random(5);
        var damaged = new List<byte[]>
        {
            bytes[..(bytes.Length / 2)],
            bytes[..10],
            Array.Empty<byte>(),
            Enumerable.Range(0, 4096).Select(_ => (byte)rng.Next(256)).ToArray(),
        };
        for (int c = 0; c < 20; c++)
        {
            var copy = (byte[])bytes.Clone();
            int at = rng.Next(copy.Length);
            copy[at] ^= (byte)(1 << rng.Next(8));
            damaged.Add(copy);
        }

        var huge = (byte[])bytes.Clone();
        for (int i = 16; i < Math.Min(huge.Length, 40); i++)
        {
            huge[i] = 0xFF;
        }

        damaged.Add(huge);
        string broken = Path.Combine(_dir, "broken.gnet");
        foreach (var file in damaged)
        {
            File.WriteAllBytes(broken, file);
            var clock = Stopwatch.StartNew();
            var (code, error) = Run("predict", "--model", broken, "--data", data, "--out", Path.Combine(_dir, "p.csv"), "--quiet");
            Assert.NotEqual(0, code);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10));
            Assert.Single(error.Trim().Split('\n'));
            Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void BadInputIsOneSentenceNamingTheProblem()
    {
        string csv = Path.Combine(_dir, "bad.csv");
        File.WriteAllText(csv, "a,b,y\n1,2,3\n4,oops,6\n7,8,9\n");
        var (code, error) = Run("fit", "--data", csv, "--target", "y", "--out", Path.Combine(_dir, "m.gnet"));
        Assert.NotEqual(0, code);
        Assert.Contains("bad.csv", error, StringComparison.Ordinal);
        Assert.Contains("oops", error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));

        (code, error) = Run("fit", "--data", Fixture("indep"), "--target", "nope", "--out", Path.Combine(_dir, "m.gnet"));
        Assert.NotEqual(0, code);
        Assert.Contains("nope", error, StringComparison.Ordinal);

        (code, error) = Run("fit", "--data", Fixture("indep"), "--target", "y", "--l1-ratio", "2", "--out", Path.Combine(_dir, "m.gnet"));
        Assert.Equal(2, code);
        Assert.Contains("l1-ratio", error, StringComparison.Ordinal);
    }
}
