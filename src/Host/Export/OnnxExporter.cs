using System.Globalization;
using System.Text.Json;
using GpuEnet.Host.ModelFile;
using GpuEnet.Solver.Model;

namespace GpuEnet.Host.Export;

/// <summary>How the exported graph takes its input.</summary>
public enum OnnxInputs
{
    /// <summary>One tensor <c>X</c> of shape [N, m], columns in the model's input-column order (metadata <c>feature_order</c>).</summary>
    Tensor,

    /// <summary>One input per model input column, named as the column, each of shape [N, 1].</summary>
    Named,
}

/// <summary>
/// Writes one solution of a model — (path, λ), interpolated in λ as <see cref="ModelPredictor"/> does — as a
/// self-contained ONNX graph that computes what <c>gpuenet predict</c> computes:
/// prediction = intercept + Σ_j β_j x̂_j + Σ_k γ_k 1[x_{c_k} missing], where x̂_j is x_j, or the stored fill value of
/// column j where x_j is NaN, and β, γ are the stored coefficients on the original feature scale (standardisation is
/// already folded into them; the model stores nothing else to undo).
/// </summary>
/// <remarks>
/// Graph: the input columns with a non-zero coefficient are gathered (<c>Gather</c>, axis 1), imputed
/// (<c>IsNaN</c>/<c>Where</c> with the fills), and multiplied by the coefficients (<c>MatMul</c>); each missing
/// indicator with a non-zero coefficient is <c>Cast(IsNaN(x_c))</c> of its input column; the intercept is added last.
/// A model without a non-zero coefficient gives the intercept for every row (<c>ConstantOfShape</c>). Columns without a
/// non-zero coefficient are part of the input but never read, as in <c>predict</c>. Where <c>predict</c> refuses a
/// missing cell of a column without a fill value (trained with <c>--impute none</c>), the graph gives NaN for that row.
/// Float64 graphs carry the stored values exactly; float32 graphs round the fills, coefficients and intercept to
/// float32 and compute in float32. A binomial model's graph ends in a <c>Sigmoid</c>: <see cref="OutputName"/> is the
/// probability of the second label (what <c>gpuenet predict</c> gives by default), and a second output,
/// <see cref="LinkName"/>, the link η (<c>predict --type link</c>).
/// </remarks>
public static class OnnxExporter
{
    /// <summary>The output tensor's name: one prediction per row, shape [N].</summary>
    public const string OutputName = "prediction";

    /// <summary>Binomial models: the second output, the link η = b0 + xᵀb of each row, shape [N].</summary>
    public const string LinkName = "link";

    /// <summary>The single input's name with <see cref="OnnxInputs.Tensor"/>.</summary>
    public const string InputName = "X";

    private const string Internal = "gpuenet:";

    /// <summary>Builds the ONNX model of one solution.</summary>
    /// <param name="model">The model.</param>
    /// <param name="pathIndex">Index into <see cref="EnetModel.Paths"/>.</param>
    /// <param name="lambda">λ on the path's scale; null for the path's chosen λ (<see cref="ModelPredictor.DefaultLambdaIndex"/>).</param>
    /// <param name="float32">True for a float32 graph (input, weights and arithmetic), false for float64.</param>
    /// <param name="inputs">One tensor input, or one named input per column.</param>
    /// <returns>The serialised <c>ModelProto</c>.</returns>
    /// <exception cref="ArgumentException">The model has no input column, or (named inputs) a column name collides with the output's or an internal name.</exception>
    public static byte[] Export(EnetModel model, int pathIndex, double? lambda, bool float32, OnnxInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(model);
        FeaturePreprocessing prep = model.Preprocessing;
        string[] columns = prep.InputColumns;
        int m = columns.Length;
        if (m == 0)
        {
            throw new ArgumentException("The model has no input columns; there is nothing to export.", nameof(model));
        }

        if (prep.Imputer is not null)
        {
            throw new ArgumentException($"The model imputes missing values by {prep.Impute.ToString().ToLowerInvariant()}, which an ONNX graph of fixed fills cannot express; refit with --impute mean, median or mode to export it.", nameof(model));
        }

        (double intercept, SparseCoefficients beta) = ModelPredictor.Coefficients(model, pathIndex, lambda);
        EnetPath path = model.Paths[pathIndex];
        double chosenLambda = lambda ?? path.Lambda[ModelPredictor.DefaultLambdaIndex(model, pathIndex)];
        OnnxType t = float32 ? OnnxType.Float : OnnxType.Double;
        bool binomial = model.Family == ModelFamily.Binomial;
        string linkOrOutput = binomial ? LinkName : OutputName;
        var g = new OnnxGraph("gpuenet_elastic_net");
        string typeName = float32 ? "float32" : "float64";

        string x = Internal + "X";
        if (inputs == OnnxInputs.Tensor)
        {
            x = InputName;
            g.Input(InputName, t, [null, m], $"{typeName} [N, {m}]: the model's input columns in the order of metadata 'feature_order'; NaN marks a missing value.");
        }
        else
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (string c in columns)
            {
                if (c == OutputName || (binomial && c == LinkName) || c.StartsWith(Internal, StringComparison.Ordinal))
                {
                    throw new ArgumentException($"The input column '{c}' cannot be a named ONNX input (the name is the graph's own); export with --inputs tensor.", nameof(model));
                }

                g.Input(c, t, [null, 1], $"{typeName} [N, 1]: column '{c}'; NaN marks a missing value.");
            }

            g.Node("Concat", columns, [x], ("axis", 1));
        }

        var linear = new List<(int Column, double Value)>();
        var indicator = new List<(int Column, double Value)>();
        for (int k = 0; k < beta.Count; k++)
        {
            int j = beta.Index[k];
            (j < m ? linear : indicator).Add(j < m ? (j, beta.Value[k]) : (prep.IndicatorColumns[j - m], beta.Value[k]));
        }

        var terms = new List<string>();
        if (linear.Count > 0)
        {
            string xs = Gathered(g, x, "linear", linear, m);
            double[] fill = [.. linear.Select(c => prep.FillValues[c.Column])];
            if (fill.Any(f => !double.IsNaN(f)))
            {
                // A column without a fill keeps its NaN (Where with a NaN fill is the identity), as predict has no value for it.
                g.Initializer(OnnxGraph.Tensor(Internal + "fill", t, [fill.Length], fill));
                g.Node("IsNaN", [xs], [Internal + "linear_missing"]);
                g.Node("Where", [Internal + "linear_missing", Internal + "fill", xs], [Internal + "linear_imputed"]);
                xs = Internal + "linear_imputed";
            }

            g.Initializer(OnnxGraph.Tensor(Internal + "coef", t, [linear.Count], [.. linear.Select(c => c.Value)]));
            g.Node("MatMul", [xs, Internal + "coef"], [Internal + "linear_sum"]);
            terms.Add(Internal + "linear_sum");
        }

        if (indicator.Count > 0)
        {
            string xi = Gathered(g, x, "indicator", indicator, m);
            g.Node("IsNaN", [xi], [Internal + "indicator_missing"]);
            g.Node("Cast", [Internal + "indicator_missing"], [Internal + "indicator_value"], ("to", (long)t));
            g.Initializer(OnnxGraph.Tensor(Internal + "indicator_coef", t, [indicator.Count], [.. indicator.Select(c => c.Value)]));
            g.Node("MatMul", [Internal + "indicator_value", Internal + "indicator_coef"], [Internal + "indicator_sum"]);
            terms.Add(Internal + "indicator_sum");
        }

        if (terms.Count == 0)
        {
            g.Node("Shape", [x], [Internal + "shape"]);
            g.Initializer(OnnxGraph.Int64Tensor(Internal + "batch_axis", [1], [0]));
            g.Node("Gather", [Internal + "shape", Internal + "batch_axis"], [Internal + "rows"], ("axis", 0));
            g.Node("ConstantOfShape", [Internal + "rows"], [linkOrOutput], tensorAttribute: ("value", OnnxGraph.Tensor("value", t, [1], [intercept])));
        }
        else
        {
            string sum = terms[0];
            if (terms.Count == 2)
            {
                g.Node("Add", [terms[0], terms[1]], [Internal + "sum"]);
                sum = Internal + "sum";
            }

            g.Initializer(OnnxGraph.Tensor(Internal + "intercept", t, [], [intercept]));
            g.Node("Add", [sum, Internal + "intercept"], [linkOrOutput]);
        }

        if (binomial)
        {
            g.Node("Sigmoid", [LinkName], [OutputName]);
            g.Output(OutputName, t, [null], $"{typeName} [N]: the probability of '{model.Labels!.Positive}' (the second label) for each row.");
            g.Output(LinkName, t, [null], $"{typeName} [N]: the link η = b0 + xᵀb of each row (log-odds of '{model.Labels.Positive}').");
        }
        else
        {
            g.Output(OutputName, t, [null], $"{typeName} [N]: the prediction of each row, on the target's original scale.");
        }

        string inv(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["feature_order"] = JsonSerializer.Serialize(columns),
            ["inputs"] = inputs == OnnxInputs.Tensor ? "tensor" : "named",
            ["target"] = model.Target,
            ["l1_ratio"] = inv(path.L1Ratio),
            ["lambda"] = inv(chosenLambda),
            ["impute"] = prep.Impute.ToString().ToLowerInvariant(),
            ["family"] = binomial ? "binomial" : "gaussian",
            ["labels"] = binomial ? JsonSerializer.Serialize(new[] { model.Labels!.Negative, model.Labels.Positive }) : "",
            ["precision"] = typeName,
            ["nonzero_coefficients"] = beta.Count.ToString(CultureInfo.InvariantCulture),
        };
        string doc = inputs == OnnxInputs.Tensor
            ? $"GpuEnet Elastic Net (l1_ratio {inv(path.L1Ratio)}, lambda {inv(chosenLambda)}) predicting '{model.Target}'. Input X: {m} columns in the order of metadata 'feature_order'; NaN = missing, filled with the training fill values. Output '{OutputName}'."
            : $"GpuEnet Elastic Net (l1_ratio {inv(path.L1Ratio)}, lambda {inv(chosenLambda)}) predicting '{model.Target}'. One input per column, named as in metadata 'feature_order'; NaN = missing, filled with the training fill values. Output '{OutputName}'.";
        string version = typeof(OnnxExporter).Assembly.GetName().Version?.ToString(3) ?? "0";
        return g.ToModel(version, doc, metadata);
    }

    /// <summary>The columns of <paramref name="x"/> listed in <paramref name="columns"/>, or <paramref name="x"/> itself when they are all of its columns in order.</summary>
    private static string Gathered(OnnxGraph g, string x, string what, List<(int Column, double Value)> columns, int m)
    {
        bool identity = columns.Count == m && columns.Select((c, i) => c.Column == i).All(b => b);
        if (identity)
        {
            return x;
        }

        string index = $"{Internal}{what}_columns";
        g.Initializer(OnnxGraph.Int64Tensor(index, [columns.Count], [.. columns.Select(c => (long)c.Column)]));
        g.Node("Gather", [x, index], [$"{Internal}{what}_x"], ("axis", 1));
        return $"{Internal}{what}_x";
    }
}
