using System.Globalization;
using System.Text.Json;
using GpuEnet.Host.ModelFile;
using GpuEnet.Solver.Model;
using Xunit;

namespace GpuEnet.Tests.Cli;

/// <summary><c>--family binomial</c> end to end: labels, CV measures, the model file, predict types and the errors.</summary>
[Collection("Console")]
public sealed class BinomialCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gpuenet-binomial-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string F(string name) => Path.Combine(_dir, name);

    private static void Ok(CliResult r) => Assert.True(r.Code == 0, r.Error);

    // n rows, p features; the label is `high` when x1 − x2 + noise > 0, else `low` (labels 2 and 7 sort as 2 < 7).
    private string WriteBinary(string name, int n, double high = 7, double low = 2, int seed = 5)
    {
        var rng = new Random(seed);
        var lines = new List<string> { "x1,x2,x3,x4,y" };
        for (int i = 0; i < n; i++)
        {
            double[] x = [.. Enumerable.Range(0, 4).Select(_ => (rng.NextDouble() * 2) - 1)];
            double eta = (3 * x[0]) - (2 * x[1]) + (0.5 * ((rng.NextDouble() * 2) - 1));
            double y = eta > 0 ? high : low;
            lines.Add(string.Join(',', x.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "," + y.ToString(CultureInfo.InvariantCulture));
        }

        File.WriteAllLines(F(name), lines);
        return F(name);
    }

    [Fact]
    public void CvMapsLabelsInSortedOrderAndPredictGivesProbabilitiesClassesAndLinks()
    {
        string data = WriteBinary("d.csv", 120);
        var r = Cli.Run("cv", "--data", data, "--target", "y", "--family", "binomial", "--measure", "auc", "--folds", "5",
            "--threads", "1", "--out", F("m.gnet"), "--json", F("cv.json"));
        Ok(r);
        Assert.Contains("'2' → 0, '7' → 1", r.Out, StringComparison.Ordinal);
        var model = ModelReader.Read(F("m.gnet"));
        Assert.Equal(ModelFamily.Binomial, model.Family);
        Assert.Equal(new ClassLabels("2", "7"), model.Labels);
        Assert.Equal(CvMeasure.Auc, model.Paths[0].Cv!.Measure);
        var json = JsonDocument.Parse(File.ReadAllText(F("cv.json"))).RootElement;
        Assert.Equal("binomial", json.GetProperty("family").GetString());
        Assert.Equal("binomial", json.GetProperty("paths")[0].GetProperty("family").GetString());
        Assert.Equal("auc", json.GetProperty("paths")[0].GetProperty("cv").GetProperty("measure").GetString());
        Assert.True(model.Paths[0].Cv!.Cvm.Max() > 0.9, "a separable-ish problem should have a cross-validated AUC above 0.9");

        Ok(Cli.Run("predict", "--model", F("m.gnet"), "--data", data, "--out", F("p.csv"), "--quiet"));
        Ok(Cli.Run("predict", "--model", F("m.gnet"), "--data", data, "--type", "class", "--out", F("c.csv"), "--quiet"));
        Ok(Cli.Run("predict", "--model", F("m.gnet"), "--data", data, "--type", "link", "--out", F("l.csv"), "--quiet"));
        var truth = File.ReadAllLines(data).Skip(1).Select(l => l.Split(',')[^1]).ToArray();
        var prob = File.ReadAllLines(F("p.csv")).Skip(1).Select(l => double.Parse(l.Split(',')[1], CultureInfo.InvariantCulture)).ToArray();
        var label = File.ReadAllLines(F("c.csv")).Skip(1).Select(l => l.Split(',')[1]).ToArray();
        var link = File.ReadAllLines(F("l.csv")).Skip(1).Select(l => double.Parse(l.Split(',')[1], CultureInfo.InvariantCulture)).ToArray();
        int correct = 0;
        for (int i = 0; i < truth.Length; i++)
        {
            Assert.InRange(prob[i], 0, 1);
            Assert.Equal(1 / (1 + Math.Exp(-link[i])), prob[i], 12);
            Assert.Equal(prob[i] > 0.5 ? "7" : "2", label[i]);
            correct += label[i] == truth[i] ? 1 : 0;
        }

        Assert.True(correct > 0.85 * truth.Length, $"only {correct} of {truth.Length} training rows classified correctly");
    }

    [Fact]
    public void TextLabelsAreMappedInSortedOrderAndPredictedBack()
    {
        string numeric = WriteBinary("n.csv", 80, high: 1, low: 0);
        var lines = File.ReadAllLines(numeric);
        // "control" sorts before "disease": control → 0, disease → 1; one label is quoted, as a CSV writer may.
        var text = lines.Select((l, i) => i == 0 ? l : l[..l.LastIndexOf(',')] + "," + (l.EndsWith(",1", StringComparison.Ordinal) ? (i == 3 ? "\"disease\"" : "disease") : "control"));
        File.WriteAllLines(F("t.csv"), text);
        var r = Cli.Run("fit", "--data", F("t.csv"), "--target", "y", "--family", "binomial", "--device", "cpu", "--threads", "1", "--out", F("t.gnet"));
        Ok(r);
        Assert.Contains("'control' → 0, 'disease' → 1", r.Out, StringComparison.Ordinal);
        Ok(Cli.Run("fit", "--data", numeric, "--target", "y", "--family", "binomial", "--device", "cpu", "--threads", "1", "--out", F("n.gnet"), "--quiet"));
        var (a, b) = (ModelReader.Read(F("t.gnet")).Paths[0], ModelReader.Read(F("n.gnet")).Paths[0]);
        Assert.Equal(b.Lambda, a.Lambda);
        Assert.Equal(b.Intercept, a.Intercept);
        Ok(Cli.Run("predict", "--model", F("t.gnet"), "--data", F("t.csv"), "--type", "class", "--out", F("c.csv"), "--quiet"));
        Assert.All(File.ReadAllLines(F("c.csv")).Skip(1), l => Assert.Matches("^[0-9]+,(control|disease)$", l));

        File.WriteAllLines(F("three.csv"), text.Select((l, i) => i == 5 ? l[..l.LastIndexOf(',')] + ",unknown" : l));
        var three = Cli.Run("fit", "--data", F("three.csv"), "--target", "y", "--family", "binomial", "--device", "cpu", "--out", F("x.gnet"));
        Assert.Equal(1, three.Code);
        Assert.Contains("3 labels ('control', 'disease', 'unknown')", three.OneLine(), StringComparison.Ordinal);

        File.WriteAllLines(F("mixed.csv"), text.Select((l, i) => i == 5 ? l[..l.LastIndexOf(',')] + ",1" : l));
        var mixed = Cli.Run("fit", "--data", F("mixed.csv"), "--target", "y", "--family", "binomial", "--device", "cpu", "--out", F("x.gnet"));
        Assert.Equal(1, mixed.Code);
        Assert.Contains("mixes numbers and text labels", mixed.OneLine(), StringComparison.Ordinal);
    }

    [Fact]
    public void ReportShowsTheMeasureRocConfusionTableAndOddsRatios()
    {
        string data = WriteBinary("d.csv", 100);
        Ok(Cli.Run("cv", "--data", data, "--target", "y", "--family", "binomial", "--folds", "5", "--threads", "1", "--device", "cpu",
            "--out", F("m.gnet"), "--report", F("r.html"), "--quiet"));
        string html = File.ReadAllText(F("r.html"));
        Assert.Contains("binomial deviance (held out)", html, StringComparison.Ordinal);
        Assert.Contains("<h2>Classification</h2>", html, StringComparison.Ordinal);
        Assert.Contains("ROC curve", html, StringComparison.Ordinal);
        Assert.Contains("Confusion table at probability 0.5", html, StringComparison.Ordinal);
        Assert.Contains("odds ratio", html, StringComparison.Ordinal);

        // The Gaussian report of the same data has none of these.
        Ok(Cli.Run("cv", "--data", data, "--target", "y", "--folds", "5", "--threads", "1", "--device", "cpu",
            "--out", F("g.gnet"), "--report", F("g.html"), "--quiet"));
        string gaussian = File.ReadAllText(F("g.html"));
        Assert.DoesNotContain("<h2>Classification</h2>", gaussian, StringComparison.Ordinal);
        Assert.DoesNotContain("odds ratio", gaussian, StringComparison.Ordinal);
    }

    [Fact]
    public void DemoBinomialRecoversCaseControlEffects()
    {
        var r = Cli.Run("demo", "--family", "binomial", "--n", "200", "--p", "400", "--effects", "4", "--seed", "2", "--threads", "1",
            "--device", "cpu", "--out", F("demo"));
        Ok(r);
        var recovered = System.Text.RegularExpressions.Regex.Match(r.Out, @"recovered (\d+) of 4 true effects");
        Assert.True(recovered.Success, r.Out);
        Assert.True(int.Parse(recovered.Groups[1].Value, CultureInfo.InvariantCulture) >= 3, r.Out);
        var model = ModelReader.Read(F("demo/demo.gnet"));
        Assert.Equal(ModelFamily.Binomial, model.Family);
        Assert.Equal(CvMeasure.Deviance, model.Paths[0].Cv!.Measure);
    }

    [Fact]
    public void ThreeClassesOneClassAndGaussianOnlyMeasuresAreOneLineErrors()
    {
        string data = WriteBinary("d.csv", 40);
        File.AppendAllText(data, "0.1,0.2,0.3,0.4,9\n");
        var three = Cli.Run("fit", "--data", data, "--target", "y", "--family", "binomial", "--device", "cpu", "--out", F("m.gnet"));
        Assert.Equal(1, three.Code);
        Assert.Contains("two classes", three.OneLine(), StringComparison.Ordinal);

        string one = WriteBinary("one.csv", 30, high: 1, low: 1);
        var single = Cli.Run("fit", "--data", one, "--target", "y", "--family", "binomial", "--device", "cpu", "--out", F("m.gnet"));
        Assert.Equal(1, single.Code);
        Cli.AssertClean(single.Error);

        var measure = Cli.Run("cv", "--data", WriteBinary("g.csv", 40), "--target", "y", "--measure", "auc", "--out", F("m.gnet"));
        Assert.Equal(2, measure.Code);
        Assert.Contains("--family binomial", measure.OneLine(), StringComparison.Ordinal);

        var family = Cli.Run("fit", "--data", WriteBinary("h.csv", 40), "--target", "y", "--family", "poisson", "--out", F("m.gnet"));
        Assert.Equal(2, family.Code);
    }

    [Fact]
    public void AFoldWhoseTrainingRowsHoldOneClassIsAnError()
    {
        // 20 rows, class 1 only in rows 1–3, all in fold 1: fold 1's training rows hold class 0 only.
        var lines = new List<string> { "x1,x2,y" };
        var fold = new List<string>();
        var rng = new Random(3);
        for (int i = 0; i < 20; i++)
        {
            lines.Add($"{rng.NextDouble().ToString("R", CultureInfo.InvariantCulture)},{rng.NextDouble().ToString("R", CultureInfo.InvariantCulture)},{(i < 3 ? 1 : 0)}");
            fold.Add(i < 3 ? "1" : ((i % 3) + 1).ToString(CultureInfo.InvariantCulture));
        }

        File.WriteAllLines(F("d.csv"), lines);
        File.WriteAllLines(F("fold.txt"), fold);
        var r = Cli.Run("cv", "--data", F("d.csv"), "--target", "y", "--family", "binomial", "--foldid", F("fold.txt"), "--device", "cpu", "--out", F("m.gnet"));
        Assert.Equal(1, r.Code);
        Assert.Contains("training rows of fold 1", r.OneLine(), StringComparison.Ordinal);
    }

    [Fact]
    public void GaussianModelsRefuseClassPredictionsAndKeepTheirFormat()
    {
        string data = WriteBinary("d.csv", 40);
        Ok(Cli.Run("fit", "--data", data, "--target", "y", "--out", F("m.gnet"), "--quiet"));
        var model = ModelReader.Read(F("m.gnet"));
        Assert.Equal(ModelFamily.Gaussian, model.Family);
        Assert.Null(model.Labels);
        var r = Cli.Run("predict", "--model", F("m.gnet"), "--data", data, "--type", "class", "--out", F("p.csv"));
        Assert.Equal(2, r.Code);
    }
}
