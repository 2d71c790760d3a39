using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using GpuEnet.Solver.Model;

namespace GpuEnet.Host.ModelFile;

/// <summary>
/// What <c>gpuenet inspect</c> prints: the model's metadata, the selected solution and its non-zero coefficients,
/// as text for people or as JSON for scripts. Coefficients are on the original feature scale; the standardised
/// coefficient is coefficient × feature scale (the training sd), which makes magnitudes comparable across features.
/// </summary>
public static class InspectReport
{
    private const int MaxNameWidth = 40;

    /// <summary>A human-readable report; coefficients sorted by decreasing |standardised coefficient|.</summary>
    /// <param name="model">The model.</param>
    /// <returns>Multi-line text ending in a newline.</returns>
    public static string Text(EnetModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var sb = new StringBuilder();
        TrainingInfo t = model.Training;
        FeaturePreprocessing prep = model.Preprocessing;
        Line(sb, "GpuEnet model");
        sb.Append(CultureInfo.InvariantCulture, $"  target              {model.Target}").Append('\n');
        sb.Append(CultureInfo.InvariantCulture, $"  features            {model.Features.Length} ({prep.InputColumns.Length} input columns, {prep.IndicatorColumns.Length} missing indicators)").Append('\n');
        sb.Append(CultureInfo.InvariantCulture, $"  impute              {ImputeName(prep.Impute)}").Append('\n');
        sb.Append(CultureInfo.InvariantCulture, $"  training rows       {t.N} ({t.DroppedRows} dropped for a missing target)").Append('\n');
        sb.Append(CultureInfo.InvariantCulture, $"  device, precision   {t.Device}, {t.Precision}").Append('\n');
        sb.Append(CultureInfo.InvariantCulture, $"  standardize         {Bool(t.Standardize)}").Append('\n');
        sb.Append(CultureInfo.InvariantCulture, $"  intercept           {Bool(t.Intercept)}").Append('\n');
        if (model.Labels is { } labels)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  family              binomial: '{labels.Negative}' = 0, '{labels.Positive}' = 1 (predictions are P('{labels.Positive}'))").Append('\n');
        }
        sb.Append(CultureInfo.InvariantCulture, $"  trained             {t.TrainedUtc.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z by GpuEnet {t.SoftwareVersion}").Append('\n');
        sb.Append(CultureInfo.InvariantCulture, $"  data fingerprint    {t.DataFingerprint}").Append('\n');
        sb.Append(CultureInfo.InvariantCulture, $"  time                load {Num(t.LoadSeconds)} s, solve {Num(t.SolveSeconds)} s").Append('\n');
        sb.Append(CultureInfo.InvariantCulture, $"  paths               {model.Paths.Length}").Append('\n');
        for (int i = 0; i < model.Paths.Length; i++)
        {
            EnetPath path = model.Paths[i];
            sb.Append(CultureInfo.InvariantCulture, $"    [{i}] l1_ratio {Num(path.L1Ratio)}: {path.Count} λ from {Num(path.Lambda[0])} to {Num(path.Lambda[^1])}{(path.Cv is null ? "" : ", cross-validated")}").Append('\n');
        }

        Selection sel = model.Selected;
        EnetPath selected = model.Paths[sel.PathIndex];
        int k = sel.LambdaIndex;
        Line(sb, "");
        Line(sb, "Selected model");
        sb.Append(CultureInfo.InvariantCulture, $"  path                {sel.PathIndex} (l1_ratio {Num(selected.L1Ratio)})").Append('\n');
        sb.Append(CultureInfo.InvariantCulture, $"  lambda              {Num(selected.Lambda[k])} (index {k} of {selected.Count}, rule {RuleName(sel.Rule)})").Append('\n');
        sb.Append(CultureInfo.InvariantCulture, $"  dev_ratio           {Num(selected.DevRatio[k])}").Append('\n');
        sb.Append(CultureInfo.InvariantCulture, $"  df                  {selected.Df[k]}").Append('\n');
        sb.Append(CultureInfo.InvariantCulture, $"  dual gap            {Num(selected.DualGap[k])}").Append('\n');
        if (selected.Cv is { } cv)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  cv {(cv.Measure == CvMeasure.Mse ? "error" : cv.Measure.ToString().ToLowerInvariant()),-16} {Num(cv.Cvm[k])} ± {Num(cv.Cvsd[k])}").Append('\n');
            sb.Append(CultureInfo.InvariantCulture, $"  lambda_min          {Num(cv.LambdaMin)}").Append('\n');
            sb.Append(CultureInfo.InvariantCulture, $"  lambda_1se          {Num(cv.Lambda1se)}").Append('\n');
        }

        sb.Append(CultureInfo.InvariantCulture, $"  intercept           {Num(selected.Intercept[k])}").Append('\n');
        Line(sb, "");
        SparseCoefficients beta = selected.Beta[k];
        int[] order = SortedByStandardised(model, beta);
        sb.Append(CultureInfo.InvariantCulture, $"Non-zero coefficients ({beta.Count}), by |standardised coefficient|").Append('\n');
        int width = Math.Clamp(order.Length == 0 ? 7 : order.Max(o => model.Features[beta.Index[o]].Length), 7, MaxNameWidth);
        bool stability = model.StabilityFrequency is not null;
        sb.Append(CultureInfo.InvariantCulture, $"  {"feature".PadRight(width)}  {"coefficient",14}  {"standardised",14}{(stability ? "  stability" : "")}").Append('\n');
        foreach (int o in order)
        {
            int j = beta.Index[o];
            string name = model.Features[j];
            if (name.Length > width)
            {
                name = string.Concat(name.AsSpan(0, width - 1), "…");
            }

            double coef = beta.Value[o];
            string freq = stability ? $"  {Num(model.StabilityFrequency![j]),9}" : "";
            sb.Append(CultureInfo.InvariantCulture, $"  {name.PadRight(width)}  {Num(coef),14}  {Num(coef * model.FeatureScale[j]),14}{freq}").Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>
    /// The model as JSON: a superset of the <c>--json</c> output of <c>gpuenet fit</c>/<c>cv</c> (features, n, p,
    /// dropped_rows, device, paths, selected, timing) plus preprocessing, scales and training metadata. Non-finite
    /// numbers are written as null. Written with <see cref="Utf8JsonWriter"/> (no reflection), so it survives trimming.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <returns>Indented JSON.</returns>
    public static string Json(EnetModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            TrainingInfo t = model.Training;
            w.WriteStartObject();
            w.WriteString("format", "gpuenet-model");
            w.WriteString("target", model.Target);
            Strings(w, "features", model.Features);
            w.WriteNumber("n", t.N);
            w.WriteNumber("p", t.P);
            w.WriteNumber("dropped_rows", t.DroppedRows);
            w.WriteString("device", t.Device);
            w.WriteString("precision", t.Precision);
            w.WriteString("software_version", t.SoftwareVersion);
            w.WriteString("trained_utc", t.TrainedUtc.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture));
            w.WriteString("data_fingerprint", t.DataFingerprint);
            w.WriteBoolean("standardize", t.Standardize);
            w.WriteBoolean("intercept", t.Intercept);

            FeaturePreprocessing prep = model.Preprocessing;
            w.WriteStartObject("preprocessing");
            Strings(w, "input_columns", prep.InputColumns);
            w.WriteString("impute", ImputeName(prep.Impute));
            Output.JsonOutput.Numbers(w, "fill_values", prep.FillValues);
            w.WriteStartArray("indicator_columns");
            foreach (int c in prep.IndicatorColumns)
            {
                w.WriteNumberValue(c);
            }

            w.WriteEndArray();
            w.WriteEndObject();
            Output.JsonOutput.Numbers(w, "feature_scale", model.FeatureScale);
            if (model.StabilityFrequency is { } frequency)
            {
                Output.JsonOutput.Numbers(w, "stability_frequency", frequency);
            }

            w.WriteStartArray("paths");
            foreach (EnetPath path in model.Paths)
            {
                WritePath(w, path);
            }

            w.WriteEndArray();
            WriteSelected(w, model);
            w.WriteStartObject("timing");
            Number(w, "load_seconds", t.LoadSeconds);
            Number(w, "solve_seconds", t.SolveSeconds);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WritePath(Utf8JsonWriter w, EnetPath path) => Output.JsonOutput.WritePath(w, path, details: true);

    private static void WriteSelected(Utf8JsonWriter w, EnetModel model)
    {
        Selection sel = model.Selected;
        EnetPath path = model.Paths[sel.PathIndex];
        int k = sel.LambdaIndex;
        w.WriteStartObject("selected");
        w.WriteNumber("path", sel.PathIndex);
        Number(w, "l1_ratio", path.L1Ratio);
        Number(w, "lambda", path.Lambda[k]);
        w.WriteNumber("lambda_index", k);
        w.WriteString("rule", RuleName(sel.Rule));
        Number(w, "intercept", path.Intercept[k]);
        Number(w, "dev_ratio", path.DevRatio[k]);
        w.WriteNumber("df", path.Df[k]);
        SparseCoefficients beta = path.Beta[k];
        w.WriteStartArray("coefficients");
        foreach (int o in SortedByStandardised(model, beta))
        {
            int j = beta.Index[o];
            w.WriteStartObject();
            w.WriteString("feature", model.Features[j]);
            w.WriteNumber("index", j);
            Number(w, "value", beta.Value[o]);
            Number(w, "standardized", beta.Value[o] * model.FeatureScale[j]);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>Positions into <paramref name="beta"/>, by decreasing |coef × scale|, ties by feature index.</summary>
    private static int[] SortedByStandardised(EnetModel model, SparseCoefficients beta)
    {
        var order = new int[beta.Count];
        var key = new double[beta.Count];
        for (int o = 0; o < order.Length; o++)
        {
            order[o] = o;
            double s = Math.Abs(beta.Value[o] * model.FeatureScale[beta.Index[o]]);
            key[o] = double.IsNaN(s) ? double.NegativeInfinity : s;
        }

        Array.Sort(order, (a, b) => key[a] != key[b] ? key[b].CompareTo(key[a]) : a.CompareTo(b));
        return order;
    }

    private static void Strings(Utf8JsonWriter w, string name, string[] values)
    {
        w.WriteStartArray(name);
        foreach (string v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }

    private static void Number(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value))
        {
            w.WriteNumber(name, value);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static string ImputeName(ImputeStrategy impute) => impute switch
    {
        ImputeStrategy.None => "none",
        ImputeStrategy.Mean => "mean",
        ImputeStrategy.Median => "median",
        ImputeStrategy.Mode => "mode",
        ImputeStrategy.Knn => "knn",
        ImputeStrategy.Regression => "regression",
        _ => "unknown",
    };

    private static string RuleName(SelectionRule rule) => rule switch
    {
        SelectionRule.Last => "last",
        SelectionRule.Min => "min",
        SelectionRule.OneSe => "1se",
        _ => "unknown",
    };

    private static string Bool(bool value) => value ? "true" : "false";

    private static string Num(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    private static void Line(StringBuilder sb, string text) => sb.Append(text).Append('\n');
}
