using GpuEnet.Solver.Model;

namespace GpuEnet.Host.Output;

/// <summary>One non-zero coefficient of the selected model, for tables and JSON.</summary>
/// <param name="Name">Feature name.</param>
/// <param name="Index">0-based feature index.</param>
/// <param name="Coefficient">Original-scale coefficient.</param>
/// <param name="Standardized">Coefficient × the feature's training sd: effect of a one-sd change.</param>
/// <param name="Rank">1 = largest |standardised coefficient|.</param>
public sealed record SelectedFeature(string Name, int Index, double Coefficient, double Standardized, int Rank);

/// <summary>The selected model's non-zero coefficients, ranked by |standardised coefficient|.</summary>
public static class SelectedFeatures
{
    /// <summary>Ranks the non-zeros at the model's selected (path, λ).</summary>
    public static IReadOnlyList<SelectedFeature> Of(EnetModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var beta = model.Paths[model.Selected.PathIndex].Beta[model.Selected.LambdaIndex];
        return beta.Index
            .Select((j, k) => (j, b: beta.Value[k], s: beta.Value[k] * model.FeatureScale[j]))
            .OrderByDescending(t => Math.Abs(t.s))
            .Select((t, r) => new SelectedFeature(model.Features[t.j], t.j, t.b, t.s, r + 1))
            .ToList();
    }
}
