using System.Globalization;
using System.Text.Json;
using GpuEnet.Host.ModelFile;
using GpuEnet.Solver.Model;
using GpuEnet.Tests.Cli;
using Xunit;

namespace GpuEnet.Tests.ModelFile;

/// <summary>
/// A model file made on 2026-11-23 by format version 1 (<c>tests/fixtures/model-v1/make.sh</c>) must be read by every
/// later reader, with the values the same run wrote to its JSON. The other model tests are writer → reader round trips,
/// which a change to both sides passes.
/// </summary>
[Collection("Console")]
public sealed class ModelFileCompatibilityTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "model-v1", name);

    [Fact]
    public void TheVersion1ReferenceFileReadsWithTheValuesItsRunReported()
    {
        var model = ModelReader.Read(Fixture("reference.gnet"));
        using var json = JsonDocument.Parse(File.ReadAllText(Fixture("reference.json")));
        var root = json.RootElement;

        Assert.Equal(Strings(root.GetProperty("features")), model.Features);
        Assert.Equal(["g1", "g2", "g3", "g4", "g5", "g6", "age"], model.Preprocessing.InputColumns);
        Assert.Equal([1, 4], model.Preprocessing.IndicatorColumns);
        Assert.Equal(ImputeStrategy.Median, model.Preprocessing.Impute);
        Assert.All(model.Preprocessing.FillValues, v => Assert.True(double.IsFinite(v)));
        Assert.Equal(root.GetProperty("n").GetInt32(), model.Training.N);
        Assert.Equal(root.GetProperty("p").GetInt32(), model.Training.P);

        var paths = root.GetProperty("paths").EnumerateArray().ToList();
        Assert.Equal(paths.Count, model.Paths.Length);
        for (int k = 0; k < paths.Count; k++)
        {
            var expected = paths[k];
            var path = model.Paths[k];
            Assert.Equal(expected.GetProperty("l1_ratio").GetDouble(), path.L1Ratio);
            Assert.Equal(Numbers(expected.GetProperty("lambda")), path.Lambda);
            Assert.Equal(Numbers(expected.GetProperty("intercept")), path.Intercept);
            Assert.Equal(Numbers(expected.GetProperty("dev_ratio")), path.DevRatio);
            var beta = expected.GetProperty("beta").EnumerateArray().ToList();
            Assert.Equal(beta.Count, path.Beta.Length);
            for (int l = 0; l < beta.Count; l++)
            {
                Assert.Equal(beta[l].GetProperty("index").EnumerateArray().Select(e => e.GetInt32()), path.Beta[l].Index);
                Assert.Equal(Numbers(beta[l].GetProperty("value")), path.Beta[l].Value);
            }

            var cv = expected.GetProperty("cv");
            Assert.NotNull(path.Cv);
            Assert.Equal(Numbers(cv.GetProperty("cvm")), path.Cv.Cvm);
            Assert.Equal(cv.GetProperty("lambda_1se").GetDouble(), path.Cv.Lambda1se);
        }

        var selected = root.GetProperty("selected");
        Assert.Equal(SelectionRule.OneSe, model.Selected.Rule);
        Assert.Equal(selected.GetProperty("l1_ratio").GetDouble(), model.Paths[model.Selected.PathIndex].L1Ratio);
        Assert.Equal(selected.GetProperty("lambda").GetDouble(), model.Paths[model.Selected.PathIndex].Lambda[model.Selected.LambdaIndex]);
    }

    [Fact]
    public void TheReferenceFilePredictsAndInspectsThroughTheCommandLine()
    {
        string dir = Directory.CreateTempSubdirectory("gpuenet-compat-").FullName;
        try
        {
            string predictions = Path.Combine(dir, "p.csv");
            Assert.Equal(0, Cli.Cli.Run("predict", "--model", Fixture("reference.gnet"), "--data", Fixture("data.csv"), "--out", predictions, "--quiet").Code);
            var values = File.ReadAllLines(predictions).Skip(1).Select(l => double.Parse(l.Split(',')[1], CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(40, values.Length);
            Assert.All(values, v => Assert.True(double.IsFinite(v)));

            var inspect = Cli.Cli.Run("inspect", "--model", Fixture("reference.gnet"), "--json");
            Assert.Equal(0, inspect.Code);
            using var doc = JsonDocument.Parse(inspect.Out);
            Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static double[] Numbers(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).ToArray();

    private static string[] Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToArray();
}
