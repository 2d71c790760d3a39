using System.Globalization;
using System.Text;
using GpuEnet.Host.Cli;
using GpuEnet.Host.Data;
using GpuEnet.Host.ModelFile;
using GpuEnet.Host.Output;

namespace GpuEnet.Host.Commands;

/// <summary>
/// <c>gpuenet predict --model M --data F [--lambda X [--clamp]] [--l1-ratio A] [--type response|class|link] --out P.csv</c>: reads the model, matches
/// the data's columns by name, applies the stored preprocessing and writes one prediction per data row.
/// </summary>
/// <remarks>
/// Only the model's input columns are read from a CSV (other columns, text included, are skipped unparsed), and the
/// prediction runs column by column over the columns with a non-zero coefficient: no n × p matrix is built.
/// </remarks>
public static class PredictCommand
{
    /// <summary>Runs the command; returns the exit code.</summary>
    public static int Run(IReadOnlyList<string> args)
    {
        var o = Options.Parse("predict", args);
        string modelPath = o.Require("model");
        string dataPath = o.Require("data");
        string outPath = o.Require("out");
        double? lambda = o.Has("lambda") ? o.Double("lambda", 0) : null;
        bool clamp = o.Bool("clamp", false);
        double? l1Ratio = o.Has("l1-ratio") ? o.Double("l1-ratio", 1) : null;
        string? type = o.Get("type");
        if (type is not (null or "response" or "class" or "link"))
        {
            throw new CliException($"--type must be response, class or link, got '{type}'.", 2);
        }


        using var outputs = new OutputSet();
        outputs.AddInput("--model", modelPath);
        foreach (string input in DataLoader.InputFiles(dataPath))
        {
            outputs.AddInput("--data", input);
        }

        var predictionsOut = outputs.Add("--out", outPath);
        outputs.Prepare();

        var model = ModelReader.Read(modelPath);
        if (type == "class" && model.Labels is null)
        {
            throw new CliException($"--type class needs a binomial model; '{modelPath}' is a Gaussian one (its response is the prediction).", 2);
        }

        int pathIndex = PathIndex(model, l1Ratio);
        lambda = CheckLambda(lambda, model.Paths[pathIndex].Lambda, clamp);
        // A PLINK .bed stays 2-bit packed and is read column by column anyway; CSV and .npy keep only the model's columns.
        bool plink = dataPath.EndsWith(".bed", StringComparison.OrdinalIgnoreCase);
        var data = DataLoader.Load(new DataRequest(dataPath) { Keep = plink ? null : model.Preprocessing.InputColumns });
        CheckUnnamedWidth(model.Preprocessing.InputColumns, data, dataPath);
        double[] predictions;
        try
        {
            predictions = ModelPredictor.Predict(model, data.Features, data.X, pathIndex, lambda);
        }
        catch (ArgumentException e)
        {
            throw new CliException($"'{dataPath}': {CliException.SentenceOf(e).TrimEnd('.')}.");
        }

        for (int i = 0; i < predictions.Length; i++)
        {
            if (!double.IsFinite(predictions[i]))
            {
                int row = data.SourceRows?[i] ?? (i + 1);
                throw new CliException(
                    $"'{dataPath}' data row {row}: the prediction is {predictions[i].ToString(CultureInfo.InvariantCulture)} (a value of this row is far outside what float64 arithmetic can hold with the model's coefficients); nothing was written.");
            }
        }

        outputs.Write(predictionsOut, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            writer.WriteLine("row,prediction");
            for (int i = 0; i < predictions.Length; i++)
            {
                int row = data.SourceRows?[i] ?? (i + 1);
                writer.Write(row.ToString(CultureInfo.InvariantCulture));
                writer.Write(',');
                writer.WriteLine(Format(predictions[i], model.Labels, type));
            }
        });
        outputs.Commit();
        if (!o.Bool("quiet", false))
        {
            Console.Error.WriteLine($"{predictions.Length} predictions written to {outPath}");
        }

        return 0;
    }

    /// <summary>The path with the given l1_ratio (within 1e-12), or the selected path when none is given.</summary>
    internal static int PathIndex(GpuEnet.Solver.Model.EnetModel model, double? l1Ratio)
    {
        int pathIndex = model.Selected.PathIndex;
        if (l1Ratio is { } a)
        {
            pathIndex = Array.FindIndex(model.Paths, p => Math.Abs(p.L1Ratio - a) < 1e-12);
            if (pathIndex < 0)
            {
                string have = string.Join(", ", model.Paths.Select(p => p.L1Ratio.ToString("G6", CultureInfo.InvariantCulture)));
                throw new CliException($"The model has no path with l1_ratio {a} (it has {have}).", 2);
            }
        }

        return pathIndex;
    }

    /// <summary>
    /// One prediction from its link η: Gaussian models print η for every type but class; binomial models the probability
    /// of the second label (response, the default), the label at probability 0.5 (class: the second label when p &gt; 0.5),
    /// or η (link).
    /// </summary>
    internal static string Format(double eta, GpuEnet.Solver.Model.ClassLabels? labels, string? type)
    {
        if (labels is null || type == "link")
        {
            return eta.ToString("R", CultureInfo.InvariantCulture);
        }

        double p = eta >= 0 ? 1 / (1 + Math.Exp(-eta)) : Math.Exp(eta) / (1 + Math.Exp(eta));
        return type == "class" ? Csv(p > 0.5 ? labels.Positive : labels.Negative) : p.ToString("R", CultureInfo.InvariantCulture);
    }

    // A label as a CSV cell: quoted when it holds a comma, quote or line break.
    private static string Csv(string label) =>
        label.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + label.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : label;

    /// <summary>A user λ must lie on the path's range; <c>--clamp</c> asks for the nearest end instead.</summary>
    internal static double? CheckLambda(double? lambda, double[] path, bool clamp)
    {
        if (lambda is not { } s)
        {
            return null;
        }

        double lo = path.Min(), hi = path.Max();
        if (double.IsNaN(s) || s < 0)
        {
            throw new CliException($"--lambda must be a number ≥ 0, got {s.ToString(CultureInfo.InvariantCulture)}.", 2);
        }

        if (s >= lo && s <= hi)
        {
            return s;
        }

        if (clamp)
        {
            return s < lo ? lo : hi;
        }

        throw new CliException(string.Create(CultureInfo.InvariantCulture,
            $"--lambda {s:G6} is outside the model's path [{lo:G6}, {hi:G6}]; give a λ inside it, or add --clamp to use the nearest end."), 2);
    }

    /// <summary>
    /// Unnamed columns (<c>x1…xp</c>, a <c>.npy</c> without a names file) match by position only, so the widths must
    /// agree: a model of 10 unnamed columns would otherwise silently read the first 10 of 12.
    /// </summary>
    private static void CheckUnnamedWidth(string[] modelInputs, Dataset data, string dataPath)
    {
        int width = data.SourceColumns > 0 ? data.SourceColumns : data.Features.Length;
        static bool Unnamed(IReadOnlyList<string> names)
        {
            for (int j = 0; j < names.Count; j++)
            {
                if (names[j] != "x" + (j + 1).ToString(CultureInfo.InvariantCulture))
                {
                    return false;
                }
            }

            return names.Count > 0;
        }

        if (width != modelInputs.Length && Unnamed(modelInputs) && Unnamed(data.Features))
        {
            throw new CliException(
                $"'{dataPath}' has {width} unnamed columns but the model was trained on {modelInputs.Length}; unnamed columns match by position, so the widths must agree (add a names file to match by name).");
        }
    }
}
