using System.Diagnostics;
using System.Globalization;
using GpuEnet.Host.Export;
using GpuEnet.Host.ModelFile;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit;

namespace GpuEnet.Tests.Export;

using Cli = GpuEnet.Tests.Cli.Cli;
using CliResult = GpuEnet.Tests.Cli.CliResult;

/// <summary>
/// <c>gpuenet export</c>: the ONNX graph, run by ONNX Runtime 1.31.1, gives <c>gpuenet predict</c>'s predictions
/// (float64 within 1e-12, float32 within 1e-5, relative to max(1, |prediction|)) on data with missing cells, and passes
/// the onnx checker of Debian's python3-onnx.
/// </summary>
[Collection("Console")]
public sealed class OnnxExportTests : IDisposable
{
    private const int Rows = 80;
    private const int Columns = 8;
    private readonly string _dir = Directory.CreateTempSubdirectory("gpuenet-onnx-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string F(string name) => Path.Combine(_dir, name);

    private static void Ok(CliResult r) => Assert.True(r.Code == 0, r.Error);

    /// <summary>Training data with missing cells in x1, x2 (the true effects) and x5, and test data with more of them.</summary>
    private (string Train, string Test, double[,] TestX) Data()
    {
        Cli.WriteCsv(F("train.csv"), n: Rows, p: Columns, seed: 3, cell: (i, j) => (j is 0 or 1 or 4) && (i * 7 + j) % 9 == 0 ? "NA" : null);
        Cli.WriteCsv(F("test.csv"), n: 50, p: Columns, seed: 4, cell: (i, j) => (j is 0 or 1 or 4 or 6) && (i * 5 + j) % 4 == 0 ? "NA" : null);
        return (F("train.csv"), F("test.csv"), ReadFeatures(F("test.csv")));
    }

    /// <summary>The x1…x8 columns of a CSV the tests wrote, NA as NaN.</summary>
    private static double[,] ReadFeatures(string csv)
    {
        string[] lines = File.ReadAllLines(csv);
        var x = new double[lines.Length - 1, Columns];
        for (int i = 1; i < lines.Length; i++)
        {
            string[] cells = lines[i].Split(',');
            for (int j = 0; j < Columns; j++)
            {
                x[i - 1, j] = cells[j] == "NA" ? double.NaN : double.Parse(cells[j], CultureInfo.InvariantCulture);
            }
        }

        return x;
    }

    private double[] Predict(string model, string data, params string[] extra)
    {
        Ok(Cli.Run(["predict", "--model", model, "--data", data, "--out", F("pred.csv"), "--quiet", .. extra]));
        return [.. File.ReadAllLines(F("pred.csv")).Skip(1).Select(l => double.Parse(l.Split(',')[1], CultureInfo.InvariantCulture))];
    }

    /// <summary>Runs a tensor-input graph on X; a float32 graph gets X rounded to float32.</summary>
    private static double[] RunOnnx(string onnx, double[,] x, bool float32 = false)
    {
        using var session = new InferenceSession(onnx);
        int n = x.GetLength(0), m = x.GetLength(1);
        NamedOnnxValue input = float32
            ? NamedOnnxValue.CreateFromTensor("X", new DenseTensor<float>(x.Cast<double>().Select(v => (float)v).ToArray(), [n, m]))
            : NamedOnnxValue.CreateFromTensor("X", new DenseTensor<double>(x.Cast<double>().ToArray(), [n, m]));
        using var results = session.Run([input]);
        var output = Assert.Single(results);
        Assert.Equal("prediction", output.Name);
        return float32 ? [.. output.AsEnumerable<float>().Select(v => (double)v)] : [.. output.AsEnumerable<double>()];
    }

    /// <summary>The largest |onnx − predict| / max(1, |predict|).</summary>
    private static double Disagreement(double[] onnx, double[] predict)
    {
        Assert.Equal(predict.Length, onnx.Length);
        double worst = 0;
        for (int i = 0; i < onnx.Length; i++)
        {
            // Enumerable.Max would skip a NaN; a NaN prediction is the largest disagreement there is.
            double d = Math.Abs(onnx[i] - predict[i]) / Math.Max(1, Math.Abs(predict[i]));
            worst = double.IsNaN(d) ? double.PositiveInfinity : Math.Max(worst, d);
        }

        return worst;
    }

    /// <summary>Runs onnx.checker.check_model (full check) with Debian's python3-onnx on each file; fails if it cannot run.</summary>
    internal static void AssertOnnxCheckerAccepts(params string[] files)
    {
        string script = "import sys, onnx\nfor f in sys.argv[1:]:\n    onnx.checker.check_model(onnx.load(f), full_check=True)\nprint('ok', onnx.__version__)\n";
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        foreach (string f in files)
        {
            info.ArgumentList.Add(f);
        }

        Process p;
        try
        {
            p = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"/usr/bin/python3 did not start ({e.Message}); install Debian's python3-onnx (.ci/run does).");
            return;
        }

        using (p)
        {
            string stdout = p.StandardOutput.ReadToEnd();
            string stderr = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, $"onnx checker failed (is python3-onnx installed?): {stderr}");
            Assert.StartsWith("ok", stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void BinomialGraphGivesPredictsProbabilityAndLink()
    {
        var (train, test, x) = Data();
        // The target as two text labels: "case" where y > 0.
        string labelled = F("labelled.csv");
        File.WriteAllLines(labelled, File.ReadAllLines(train).Select((line, i) =>
        {
            if (i == 0)
            {
                return line;
            }

            int cut = line.LastIndexOf(',');
            return line[..(cut + 1)] + (double.Parse(line[(cut + 1)..], CultureInfo.InvariantCulture) > 0 ? "case" : "control");
        }));
        Ok(Cli.Run("cv", "--data", labelled, "--target", "y", "--family", "binomial", "--folds", "5", "--missing-indicators", "--out", F("b.gnet"), "--quiet"));
        double[] probability = Predict(F("b.gnet"), test);
        double[] link = Predict(F("b.gnet"), test, "--type", "link");
        Assert.Contains(probability, v => v is > 0.05 and < 0.95);
        foreach (bool float32 in (bool[])[false, true])
        {
            string onnx = F(float32 ? "b32.onnx" : "b64.onnx");
            Ok(Cli.Run(["export", "--model", F("b.gnet"), "--onnx", onnx, .. float32 ? (string[])["--precision", "float32"] : []]));
            using var session = new InferenceSession(onnx);
            int n = x.GetLength(0), m = x.GetLength(1);
            NamedOnnxValue input = float32
                ? NamedOnnxValue.CreateFromTensor("X", new DenseTensor<float>(x.Cast<double>().Select(v => (float)v).ToArray(), [n, m]))
                : NamedOnnxValue.CreateFromTensor("X", new DenseTensor<double>(x.Cast<double>().ToArray(), [n, m]));
            using var results = session.Run([input]);
            double[] Output(string name) => float32
                ? [.. results.Single(r => r.Name == name).AsEnumerable<float>().Select(v => (double)v)]
                : [.. results.Single(r => r.Name == name).AsEnumerable<double>()];
            double allowed = float32 ? 1e-5 : 1e-12;
            Assert.True(Disagreement(Output("prediction"), probability) <= allowed, $"probability, float32={float32}");
            Assert.True(Disagreement(Output("link"), link) <= allowed * 10, $"link, float32={float32}");
            Assert.Equal("binomial", session.ModelMetadata.CustomMetadataMap["family"]);
            Assert.Equal("[\"case\",\"control\"]", session.ModelMetadata.CustomMetadataMap["labels"]);
        }

        AssertOnnxCheckerAccepts(F("b64.onnx"), F("b32.onnx"));
    }

    [Fact]
    public void Float64GraphEqualsPredictWithImputationAndIndicatorsOnEveryPathAndLambda()
    {
        var (train, test, x) = Data();
        Ok(Cli.Run("cv", "--data", train, "--target", "y", "--folds", "5", "--l1-ratio", "1,0.5", "--missing-indicators", "--impute", "median", "--out", F("m.gnet"), "--quiet"));
        var model = ModelReader.Read(F("m.gnet"));
        Assert.Equal(3, model.Preprocessing.IndicatorColumns.Length);
        Assert.All(model.Preprocessing.FillValues, f => Assert.False(double.IsNaN(f)));

        // The selected solution, both paths at their own choice, a λ between two path values, and the densest end.
        var worst = 0.0;
        foreach (var (name, extra) in new (string, string[])[]
        {
            ("selected", []),
            ("ridge-ish", ["--l1-ratio", "0.5"]),
            ("between", ["--lambda", Mid(model.Paths[model.Selected.PathIndex].Lambda, 7).ToString("R", CultureInfo.InvariantCulture)]),
            ("last", ["--l1-ratio", "1", "--lambda", model.Paths.First(p => p.L1Ratio == 1).Lambda[^1].ToString("R", CultureInfo.InvariantCulture)]),
        })
        {
            Ok(Cli.Run(["export", "--model", F("m.gnet"), "--onnx", F(name + ".onnx"), "--quiet", .. extra]));
            double[] expected = Predict(F("m.gnet"), test, extra);
            double d = Disagreement(RunOnnx(F(name + ".onnx"), x), expected);
            Assert.True(d <= 1e-12, $"{name}: ONNX differs from predict by {d:G3} (relative)");
            worst = Math.Max(worst, d);
        }

        // The selected solution uses a missing indicator, an imputed column, and rows with missing cells in both.
        var (_, beta) = ModelPredictor.Coefficients(model, model.Paths.Length - 1, model.Paths[^1].Lambda[^1]);
        Assert.Contains(beta.Index, j => j >= Columns);
        Console.Error.WriteLine($"ONNX float64 worst relative disagreement with predict: {worst:G3}");
        AssertOnnxCheckerAccepts(F("selected.onnx"), F("between.onnx"));
    }

    [Fact]
    public void Float32GraphIsWithinOneInOneHundredThousand()
    {
        var (train, test, x) = Data();
        Ok(Cli.Run("fit", "--data", train, "--target", "y", "--l1-ratio", "0.5", "--missing-indicators", "--out", F("m.gnet"), "--quiet"));
        var model = ModelReader.Read(F("m.gnet"));
        string lambda = model.Paths[0].Lambda[^1].ToString("R", CultureInfo.InvariantCulture);
        Ok(Cli.Run("export", "--model", F("m.gnet"), "--onnx", F("f32.onnx"), "--precision", "float32", "--lambda", lambda, "--quiet"));
        double[] expected = Predict(F("m.gnet"), test, "--lambda", lambda);
        double d = Disagreement(RunOnnx(F("f32.onnx"), x, float32: true), expected);
        Assert.True(d <= 1e-5, $"float32 ONNX differs from predict by {d:G3} (relative)");
        Assert.True(d > 0, "a float32 graph cannot equal float64 arithmetic exactly; was it float64?");
        Console.Error.WriteLine($"ONNX float32 worst relative disagreement with predict: {d:G3}");
        AssertOnnxCheckerAccepts(F("f32.onnx"));
    }

    [Fact]
    public void NamedInputsGiveTheSamePredictionsAsTheTensorInput()
    {
        var (train, test, x) = Data();
        Ok(Cli.Run("fit", "--data", train, "--target", "y", "--missing-indicators", "--out", F("m.gnet"), "--quiet"));
        Ok(Cli.Run("export", "--model", F("m.gnet"), "--onnx", F("named.onnx"), "--inputs", "named", "--quiet"));
        using var session = new InferenceSession(F("named.onnx"));
        int n = x.GetLength(0);
        var inputs = Enumerable.Range(0, Columns).Select(j =>
            NamedOnnxValue.CreateFromTensor("x" + (j + 1), new DenseTensor<double>(Enumerable.Range(0, n).Select(i => x[i, j]).ToArray(), [n, 1]))).ToList();
        using var results = session.Run(inputs);
        double[] onnx = [.. results.Single().AsEnumerable<double>()];
        Assert.True(Disagreement(onnx, Predict(F("m.gnet"), test)) <= 1e-12);
        AssertOnnxCheckerAccepts(F("named.onnx"));
    }

    [Fact]
    public void AModelWithNoCoefficientPredictsItsInterceptAndOneWithoutImputationGivesNaNWherePredictRefuses()
    {
        var (train, test, x) = Data();
        Ok(Cli.Run("fit", "--data", train, "--target", "y", "--out", F("m.gnet"), "--quiet"));
        var model = ModelReader.Read(F("m.gnet"));
        string lambdaMax = model.Paths[0].Lambda[0].ToString("R", CultureInfo.InvariantCulture);
        Ok(Cli.Run("export", "--model", F("m.gnet"), "--onnx", F("null.onnx"), "--lambda", lambdaMax, "--quiet"));
        double[] onnx = RunOnnx(F("null.onnx"), x);
        Assert.All(onnx, v => Assert.Equal(model.Paths[0].Intercept[0], v));
        Assert.Equal(x.GetLength(0), onnx.Length);
        AssertOnnxCheckerAccepts(F("null.onnx"));

        // --impute none: predict refuses a missing cell of a used column; the graph gives NaN for exactly those rows.
        Cli.WriteCsv(F("complete.csv"), n: Rows, p: Columns, seed: 3);
        Ok(Cli.Run("fit", "--data", F("complete.csv"), "--target", "y", "--impute", "none", "--out", F("none.gnet"), "--quiet"));
        Ok(Cli.Run("export", "--model", F("none.gnet"), "--onnx", F("none.onnx"), "--quiet"));
        Assert.Equal(1, Cli.Run("predict", "--model", F("none.gnet"), "--data", test, "--out", F("p.csv")).Code);
        double[] withNaN = RunOnnx(F("none.onnx"), x);
        var none = ModelReader.Read(F("none.gnet"));
        var (_, beta) = ModelPredictor.Coefficients(none, 0, null);
        for (int i = 0; i < withNaN.Length; i++)
        {
            bool anyMissing = beta.Index.Any(j => double.IsNaN(x[i, j]));
            Assert.Equal(anyMissing, double.IsNaN(withNaN[i]));
        }

        double[] complete = RunOnnx(F("none.onnx"), ReadFeatures(F("complete.csv")));
        Assert.True(Disagreement(complete, Predict(F("none.gnet"), F("complete.csv"))) <= 1e-12);
    }

    [Fact]
    public void UsageAndDataErrorsAreOneLine()
    {
        Cli.WriteCsv(F("d.csv"), n: 30, p: 3);
        Ok(Cli.Run("fit", "--data", F("d.csv"), "--target", "y", "--out", F("m.gnet"), "--quiet"));
        Assert.Equal(2, Cli.Run("export", "--model", F("m.gnet"), "--onnx", F("a.onnx"), "--precision", "half").Code);
        Assert.Equal(2, Cli.Run("export", "--model", F("m.gnet"), "--onnx", F("a.onnx"), "--inputs", "columns").Code);
        Assert.Equal(2, Cli.Run("export", "--model", F("m.gnet")).Code);
        Assert.Equal(2, Cli.Run("export", "--model", F("m.gnet"), "--onnx", F("a.onnx"), "--l1-ratio", "0.3").Code);
        Assert.Equal(2, Cli.Run("export", "--model", F("m.gnet"), "--onnx", F("a.onnx"), "--lambda", "1e9").Code);
        var r = Cli.Run("export", "--model", F("missing.gnet"), "--onnx", F("a.onnx"));
        Assert.Equal(1, r.Code);
        r.OneLine();
        r = Cli.Run("export", "--model", F("d.csv"), "--onnx", F("a.onnx"));
        Assert.Equal(1, r.Code);
        r.OneLine();
        Assert.False(File.Exists(F("a.onnx")));
        Assert.Contains("feature_order", Cli.Run("export", "--help").Out, StringComparison.Ordinal);
    }

    [Fact]
    public void TheGraphDeclaresItsFeatureOrderAndSolution()
    {
        Cli.WriteCsv(F("d.csv"), n: 30, p: 3);
        Ok(Cli.Run("fit", "--data", F("d.csv"), "--target", "y", "--out", F("m.gnet"), "--quiet"));
        Ok(Cli.Run("export", "--model", F("m.gnet"), "--onnx", F("m.onnx"), "--quiet"));
        using var session = new InferenceSession(F("m.onnx"));
        var meta = session.ModelMetadata;
        Assert.Equal("gpuenet", meta.ProducerName);
        Assert.Equal("[\"x1\",\"x2\",\"x3\"]", meta.CustomMetadataMap["feature_order"]);
        Assert.Equal("y", meta.CustomMetadataMap["target"]);
        var input = Assert.Single(session.InputMetadata);
        Assert.Equal(OnnxExporter.InputName, input.Key);
        Assert.Equal([-1, 3], input.Value.Dimensions);
        Assert.Equal(typeof(double), input.Value.ElementType);
    }

    private static double Mid(double[] lambdas, int k) => 0.5 * (lambdas[k] + lambdas[k + 1]);
}
