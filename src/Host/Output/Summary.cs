using System.Globalization;
using System.Text;
using GpuEnet.Solver.Model;

namespace GpuEnet.Host.Output;

/// <summary>The terminal summary of a fit: device, sizes, times, the selected model and its top features.</summary>
public static class Summary
{
    /// <summary>Renders the summary; <paramref name="modelPath"/> is where the model was written.</summary>
    public static string Text(EnetModel model, string modelPath, int top = 20)
    {
        ArgumentNullException.ThrowIfNull(model);
        var c = CultureInfo.InvariantCulture;
        var t = model.Training;
        var path = model.Paths[model.Selected.PathIndex];
        int k = model.Selected.LambdaIndex;
        var sb = new StringBuilder();
        sb.AppendLine(c, $"n = {t.N}, p = {t.P}, dropped rows = {t.DroppedRows}, device = {t.Device}, precision = {t.Precision}");
        sb.AppendLine(c, $"load {t.LoadSeconds:F2} s, solve {t.SolveSeconds:F2} s; {model.Paths.Length} path(s), {model.Paths.Sum(p => p.Count)} λ values");
        string rule = model.Selected.Rule switch { SelectionRule.Min => "lambda_min", SelectionRule.OneSe => "lambda_1se", _ => "last λ of the path" };
        sb.AppendLine(c, $"selected: l1_ratio = {path.L1Ratio:G4}, lambda = {path.Lambda[k]:G6} ({rule}), {path.Df[k]} non-zero, dev_ratio = {path.DevRatio[k]:F4}");
        if (model.Labels is { } labels)
        {
            sb.AppendLine(c, $"binomial: '{labels.Negative}' → 0, '{labels.Positive}' → 1 (probabilities are of '{labels.Positive}')");
        }

        if (path.Cv is { } cv)
        {
            string measure = cv.Measure.ToString().ToLowerInvariant();
            sb.AppendLine(c, $"cv: {measure} = {cv.Cvm[k]:G6} ± {cv.Cvsd[k]:G3}; lambda_min = {cv.LambdaMin:G6}, lambda_1se = {cv.Lambda1se:G6}");
        }

        var features = SelectedFeatures.Of(model);
        if (features.Count > 0)
        {
            int width = Math.Clamp(features.Take(top).Max(f => f.Name.Length), 7, 40);
            sb.AppendLine(c, $"{"rank",4}  {"feature".PadRight(width)}  {"coefficient",14}  {"standardised",14}");
            foreach (var f in features.Take(top))
            {
                string name = f.Name.Length > width ? f.Name[..(width - 1)] + "…" : f.Name;
                sb.AppendLine(c, $"{f.Rank,4}  {name.PadRight(width)}  {f.Coefficient,14:G6}  {f.Standardized,14:G6}");
            }

            if (features.Count > top)
            {
                sb.AppendLine(c, $"… and {features.Count - top} more (see --json or 'gpuenet inspect').");
            }
        }

        sb.AppendLine(c, $"model written to {modelPath}");
        return sb.ToString();
    }
}
