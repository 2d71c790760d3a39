using System.Text.Json;
using GpuEnet.Host.ModelFile;
using GpuEnet.Solver.Model;
using Xunit;

namespace GpuEnet.Tests.ModelFile;

public sealed class ModelFileInspectTests
{
    [Fact]
    public void TextListsSelectedCoefficientsByStandardisedMagnitude()
    {
        EnetModel model = ModelBuilder.Realistic(61);
        string text = InspectReport.Text(model);
        Assert.Contains("Selected model", text, StringComparison.Ordinal);
        Assert.Contains(model.Training.DataFingerprint, text, StringComparison.Ordinal);
        SparseCoefficients beta = model.Paths[model.Selected.PathIndex].Beta[model.Selected.LambdaIndex];
        Assert.Contains($"Non-zero coefficients ({beta.Count})", text, StringComparison.Ordinal);
        double[] standardised = [.. text.Split('\n')
            .SkipWhile(l => !l.StartsWith("Non-zero", StringComparison.Ordinal)).Skip(2)
            .Where(l => l.Length > 0)
            .Select(l => Math.Abs(double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2], System.Globalization.CultureInfo.InvariantCulture)))];
        Assert.Equal(beta.Count, standardised.Length);
        Assert.Equal(standardised.OrderDescending(), standardised);
    }

    [Fact]
    public void JsonHoldsTheDocumentedFields()
    {
        EnetModel model = ModelBuilder.Realistic(62);
        using JsonDocument doc = JsonDocument.Parse(InspectReport.Json(model));
        JsonElement root = doc.RootElement;
        Assert.Equal(model.Features.Length, root.GetProperty("features").GetArrayLength());
        Assert.Equal(model.Features[3], root.GetProperty("features")[3].GetString());
        Assert.Equal(model.Training.N, root.GetProperty("n").GetInt32());
        Assert.Equal(model.Paths.Length, root.GetProperty("paths").GetArrayLength());
        JsonElement path0 = root.GetProperty("paths")[0];
        Assert.Equal(model.Paths[0].Lambda[4], path0.GetProperty("lambda")[4].GetDouble());
        Assert.Equal(model.Paths[0].Beta[10].Index, path0.GetProperty("beta")[10].GetProperty("index").EnumerateArray().Select(e => e.GetInt32()));
        JsonElement selected = root.GetProperty("selected");
        Assert.Equal("1se", selected.GetProperty("rule").GetString());
        EnetPath chosen = model.Paths[model.Selected.PathIndex];
        Assert.Equal(chosen.Lambda[model.Selected.LambdaIndex], selected.GetProperty("lambda").GetDouble());

        // NaN fill values (no fill learnt) are null, not an invalid JSON number.
        Assert.Equal(JsonValueKind.Null, root.GetProperty("preprocessing").GetProperty("fill_values")[0].ValueKind);
        Assert.True(root.GetProperty("timing").GetProperty("solve_seconds").GetDouble() >= 0);
    }
}
