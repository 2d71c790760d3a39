using System.Text.Json;
using GpuEnet.Solver.Model;

namespace GpuEnet.Host.Output;

/// <summary>Writes DESIGN.md's <c>--json</c> document for a fitted model.</summary>
public static class JsonOutput
{
    /// <summary>Writes the document to <paramref name="path"/> (through <see cref="OutputSet"/>: temporary file + rename).</summary>
    public static void Write(EnetModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        OutputSet.WriteOne("the JSON file", path, stream => Write(model, stream));
    }

    /// <summary>Writes the document to a stream.</summary>
    public static void Write(EnetModel model, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false });
        w.WriteStartObject();
        w.WriteStartArray("features");
        foreach (string f in model.Features)
        {
            w.WriteStringValue(f);
        }

        w.WriteEndArray();
        w.WriteNumber("n", model.Training.N);
        w.WriteNumber("p", model.Training.P);
        w.WriteNumber("dropped_rows", model.Training.DroppedRows);
        w.WriteString("device", model.Training.Device);
        w.WriteString("precision", model.Training.Precision);
        w.WriteString("family", Family(model.Family));
        if (model.Labels is { } labels)
        {
            w.WriteStartArray("labels");
            w.WriteStringValue(labels.Negative);
            w.WriteStringValue(labels.Positive);
            w.WriteEndArray();
        }

        w.WriteStartArray("paths");
        foreach (var path in model.Paths)
        {
            WritePath(w, path, family: model.Family);
        }

        w.WriteEndArray();
        var selectedPath = model.Paths[model.Selected.PathIndex];
        w.WriteStartObject("selected");
        w.WriteNumber("l1_ratio", selectedPath.L1Ratio);
        w.WriteNumber("lambda", selectedPath.Lambda[model.Selected.LambdaIndex]);
        w.WriteString("rule", model.Selected.Rule switch { SelectionRule.Min => "min", SelectionRule.OneSe => "1se", _ => "last" });
        w.WriteEndObject();
        w.WriteStartArray("selected_features");
        foreach (var f in SelectedFeatures.Of(model))
        {
            w.WriteStartObject();
            w.WriteString("name", f.Name);
            w.WriteNumber("index", f.Index);
            w.WriteNumber("coefficient", f.Coefficient);
            w.WriteNumber("standardized", f.Standardized);
            w.WriteNumber("sign", Math.Sign(f.Coefficient));
            w.WriteNumber("rank", f.Rank);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (model.StabilityFrequency is { } freq)
        {
            Numbers(w, "stability_frequency", freq);
        }

        Imputation(w, model);

        w.WriteStartObject("timing");
        w.WriteNumber("load_seconds", model.Training.LoadSeconds);
        w.WriteNumber("solve_seconds", model.Training.SolveSeconds);
        var traffic = model.Training.Traffic;
        w.WriteStartObject("device_traffic");
        w.WriteNumber("to_device_bytes", traffic.ToDeviceBytes);
        w.WriteNumber("from_device_bytes", traffic.FromDeviceBytes);
        w.WriteNumber("x_bytes_read", traffic.XBytesRead);
        w.WriteNumber("kernel_launches", traffic.KernelLaunches);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static string Family(ModelFamily family) => family == ModelFamily.Binomial ? "binomial" : "gaussian";

    /// <summary>One path as DESIGN.md's JSON writes it; <paramref name="details"/> adds the null deviance and the CV indices (inspect).</summary>
    internal static void WritePath(Utf8JsonWriter w, EnetPath path, bool details = false, ModelFamily family = ModelFamily.Gaussian)
    {
        w.WriteStartObject();
        w.WriteNumber("l1_ratio", path.L1Ratio);
        w.WriteString("family", Family(family));
        if (details)
        {
            if (double.IsFinite(path.NullDeviance))
            {
                w.WriteNumber("null_deviance", path.NullDeviance);
            }
            else
            {
                w.WriteNull("null_deviance");
            }
        }

        Numbers(w, "lambda", path.Lambda);
        Numbers(w, "intercept", path.Intercept);
        Numbers(w, "dev_ratio", path.DevRatio);
        w.WriteStartArray("df");
        foreach (int d in path.Df)
        {
            w.WriteNumberValue(d);
        }

        w.WriteEndArray();
        Numbers(w, "dual_gap", path.DualGap);
        w.WriteStartArray("beta");
        foreach (var beta in path.Beta)
        {
            w.WriteStartObject();
            w.WriteStartArray("index");
            foreach (int j in beta.Index)
            {
                w.WriteNumberValue(j);
            }

            w.WriteEndArray();
            Numbers(w, "value", beta.Value);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (path.Cv is { } cv)
        {
            w.WriteStartObject("cv");
            w.WriteString("measure", cv.Measure.ToString().ToLowerInvariant());
            Numbers(w, "cvm", cv.Cvm);
            Numbers(w, "cvsd", cv.Cvsd);
            w.WriteNumber("lambda_min", cv.LambdaMin);
            w.WriteNumber("lambda_1se", cv.Lambda1se);
            if (details)
            {
                w.WriteNumber("index_min", cv.IndexMin);
                w.WriteNumber("index_1se", cv.Index1se);
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    // "imputation": the method (and K, rounds), and with multiple imputation M, each feature's selection frequency and
    // between-imputation sd at the selected λ (features selected by at least one imputation).
    private static void Imputation(Utf8JsonWriter w, EnetModel model)
    {
        var pre = model.Preprocessing;
        w.WriteStartObject("imputation");
        w.WriteString("method", pre.Impute.ToString().ToLowerInvariant());
        if (pre.Imputer is { Method: ImputeStrategy.Knn } knn)
        {
            w.WriteNumber("neighbours", knn.Neighbours);
            w.WriteBoolean("donors_stored", knn.DonorCount > 0);
        }
        else if (pre.Imputer is { Method: ImputeStrategy.Regression } regression)
        {
            w.WriteNumber("rounds", regression.Rounds.Length);
        }

        if (model.Pooling is { } pooling)
        {
            w.WriteNumber("imputations", pooling.Imputations);
            w.WriteStartArray("features");
            for (int j = 0; j < model.Features.Length; j++)
            {
                if (pooling.SelectionFrequency[j] > 0)
                {
                    w.WriteStartObject();
                    w.WriteString("name", model.Features[j]);
                    w.WriteNumber("selection_frequency", pooling.SelectionFrequency[j]);
                    w.WriteNumber("coefficient_sd", pooling.CoefficientSpread[j]);
                    w.WriteEndObject();
                }
            }

            w.WriteEndArray();
            var cv = model.Paths[model.Selected.PathIndex].Cv;
            if (cv?.ImputationCvm is { } perImputation)
            {
                w.WriteStartArray("cvm_per_imputation");
                foreach (var curve in perImputation)
                {
                    Numbers(w, null, curve);
                }

                w.WriteEndArray();
            }
        }

        w.WriteEndObject();
    }

    /// <summary>A named array of numbers; a non-finite value is written as null (JSON has no NaN or ∞).</summary>
    internal static void Numbers(Utf8JsonWriter w, string? name, IEnumerable<double> values)
    {
        if (name is null)
        {
            w.WriteStartArray();
        }
        else
        {
            w.WriteStartArray(name);
        }

        foreach (double v in values)
        {
            if (double.IsFinite(v))
            {
                w.WriteNumberValue(v);
            }
            else
            {
                w.WriteNullValue();
            }
        }

        w.WriteEndArray();
    }
}
