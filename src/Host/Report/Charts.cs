using GpuEnet.Solver.Model;

namespace GpuEnet.Host.Report;

/// <summary>The SVG charts of the report. Every chart is self-contained markup with no external reference.</summary>
internal static class Charts
{
    /// <summary>Okabe–Ito colours (safe for the common colour-vision deficiencies); the yellow is darkened for white paper.</summary>
    public static readonly string[] Palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#8C6D00"];

    private const string MinColour = "#0072B2";
    private const string OneSeColour = "#009E73";
    private const string PointColour = "#D55E00";
    private const string XLambdaLabel = "log₁₀ λ   (penalty weakens →)";

    /// <summary>log10 of each λ; NaN where λ is not positive (such points are not drawn).</summary>
    public static double[] LogLambda(EnetPath path)
    {
        var x = new double[path.Count];
        for (int k = 0; k < x.Length; k++)
        {
            x[k] = path.Lambda[k] > 0 ? Math.Log10(path.Lambda[k]) : double.NaN;
        }

        return x;
    }

    private static NiceScale LambdaScale(double[] logLambda, double width)
    {
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        foreach (double v in logLambda)
        {
            if (double.IsFinite(v))
            {
                lo = Math.Min(lo, v);
                hi = Math.Max(hi, v);
            }
        }

        double pad = double.IsFinite(hi - lo) ? (hi - lo) * 0.02 : 0;
        return NiceTicks.Tight(lo - pad, hi + pad, width > 700 ? 9 : 5);
    }

    /// <summary>
    /// Coefficient paths on the standardised scale against log λ: one polyline per feature that is ever non-zero,
    /// the <paramref name="labels"/> largest named at the right, and a vertical line at <paramref name="markIndex"/> (−1: none).
    /// </summary>
    public static string CoefficientPaths(EnetModel model, int pathIndex, int markIndex, string markLabel, double width, double height, int labels)
    {
        EnetPath path = model.Paths[pathIndex];
        double[] logLambda = LogLambda(path);
        Dictionary<int, double[]> series = StandardisedSeries(model, path);

        var svg = new SvgCanvas(width, height, $"Coefficient paths, l1_ratio = {Markup.Number(path.L1Ratio)}");
        double lo = 0, hi = 0;
        foreach (double[] s in series.Values)
        {
            foreach (double v in s)
            {
                lo = Math.Min(lo, v);
                hi = Math.Max(hi, v);
            }
        }

        double labelWidth = labels > 0 ? 130 : 20;
        var area = new PlotArea(66, 30, width - labelWidth, height - 46, LambdaScale(logLambda, width), NiceTicks.Compute(lo, hi, 6), reverseX: true);
        area.DrawAxes(svg, XLambdaLabel, "standardised coefficient (coef × sd)");
        svg.Line(area.Left, area.Y(0), area.Right, area.Y(0), "#999", 1);

        if (series.Count == 0)
        {
            svg.Text((area.Left + area.Right) / 2, (area.Top + area.Bottom) / 2, "no feature enters this path", "middle", "#666");
            return svg.ToString();
        }

        int[] ranked = RankForLabels(series, markIndex, path.Count - 1);
        var labelled = new Dictionary<int, int>(); // feature → palette slot
        for (int r = 0; r < Math.Min(labels, ranked.Length); r++)
        {
            labelled[ranked[r]] = r;
        }

        // Unlabelled lines first, in grey, so the coloured ones stay on top.
        foreach ((int j, double[] s) in series.OrderBy(kv => kv.Key))
        {
            if (!labelled.ContainsKey(j))
            {
                svg.Polyline(PathPoints(area, logLambda, s), "#9a9a9a", 1, "coef-path", model.Features[j], 0.7);
            }
        }

        foreach ((int j, int slot) in labelled.OrderByDescending(kv => kv.Value))
        {
            svg.Polyline(PathPoints(area, logLambda, series[j]), Palette[slot % Palette.Length], 2, "coef-path labelled", model.Features[j]);
        }

        if (markIndex >= 0 && markIndex < path.Count && double.IsFinite(logLambda[markIndex]))
        {
            double px = area.X(logLambda[markIndex]);
            svg.Line(px, area.Top, px, area.Bottom, "#333", 1.5, "6,4", "selected-lambda");
            bool leftSide = px - area.Left > area.Right - px;
            svg.Text(leftSide ? px - 5 : px + 5, area.Top - 8, markLabel, leftSide ? "end" : "start", "#333", 11);
        }

        PlaceLabels(svg, area, model, series, labelled, path.Count - 1);
        return svg.ToString();
    }

    /// <summary>Per ever-active feature, its standardised coefficient at every λ of the path.</summary>
    public static Dictionary<int, double[]> StandardisedSeries(EnetModel model, EnetPath path)
    {
        var series = new Dictionary<int, double[]>();
        for (int k = 0; k < path.Count; k++)
        {
            SparseCoefficients beta = path.Beta[k];
            for (int t = 0; t < beta.Count; t++)
            {
                int j = beta.Index[t];
                double v = beta.Value[t];
                if (v == 0 || !double.IsFinite(v))
                {
                    continue;
                }

                if (!series.TryGetValue(j, out double[]? s))
                {
                    s = new double[path.Count];
                    series[j] = s;
                }

                s[k] = v * model.FeatureScale[j];
            }
        }

        return series;
    }

    private static int[] RankForLabels(Dictionary<int, double[]> series, int markIndex, int endIndex)
    {
        // Primary key: |coefficient| at the marked λ; features that are zero there follow, ordered at the path end.
        return [.. series
            .OrderByDescending(kv => markIndex >= 0 ? Math.Abs(kv.Value[markIndex]) : 0)
            .ThenByDescending(kv => Math.Abs(kv.Value[endIndex]))
            .ThenBy(kv => kv.Key)
            .Select(kv => kv.Key)];
    }

    private static List<(double X, double Y)> PathPoints(PlotArea area, double[] logLambda, double[] s)
    {
        // The stretch before a feature enters lies on the zero line; start one point before entry.
        int first = 0;
        while (first < s.Length && s[first] == 0)
        {
            first++;
        }

        var points = new List<(double, double)>(s.Length - first + 1);
        for (int k = Math.Max(0, first - 1); k < s.Length; k++)
        {
            if (double.IsFinite(logLambda[k]))
            {
                points.Add((area.X(logLambda[k]), area.Y(s[k])));
            }
        }

        return points;
    }

    private static void PlaceLabels(SvgCanvas svg, PlotArea area, EnetModel model, Dictionary<int, double[]> series, Dictionary<int, int> labelled, int endIndex)
    {
        if (labelled.Count == 0)
        {
            return;
        }

        const double gap = 13;
        var items = labelled.Select(kv => (Feature: kv.Key, Slot: kv.Value, Want: area.Y(series[kv.Key][endIndex])))
            .OrderBy(t => t.Want).ToArray();
        var y = items.Select(t => t.Want).ToArray();

        // Push labels apart downwards, then pull the stack back inside the plot if it overflowed.
        for (int i = 1; i < y.Length; i++)
        {
            y[i] = Math.Max(y[i], y[i - 1] + gap);
        }

        double overflow = y[^1] - area.Bottom;
        if (overflow > 0)
        {
            y[^1] -= overflow;
            for (int i = y.Length - 2; i >= 0; i--)
            {
                y[i] = Math.Min(y[i], y[i + 1] - gap);
            }
        }

        for (int i = 0; i < items.Length; i++)
        {
            string colour = Palette[items[i].Slot % Palette.Length];
            svg.Line(area.Right + 1, items[i].Want, area.Right + 10, y[i], colour, 1);
            string name = model.Features[items[i].Feature];
            svg.Text(area.Right + 13, y[i] + 4, Shorten(name, 17), "start", colour, 11, cssClass: "path-label");
        }
    }

    /// <summary>A name cut to <paramref name="max"/> characters with an ellipsis.</summary>
    public static string Shorten(string name, int max) => name.Length <= max ? name : string.Concat(name.AsSpan(0, max - 1), "…");

    /// <summary>
    /// The cross-validation curve: mean held-out error with ±1 SE bars against log λ, vertical lines at lambda_min
    /// and lambda_1se, the number of non-zero coefficients along the top, and a legend.
    /// </summary>
    public static string CvCurve(EnetPath path, double width, double height, bool compact)
    {
        CvCurve cv = path.Cv!;
        double[] logLambda = LogLambda(path);
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        for (int k = 0; k < path.Count; k++)
        {
            if (double.IsFinite(logLambda[k]) && double.IsFinite(cv.Cvm[k]))
            {
                double sd = double.IsFinite(cv.Cvsd[k]) ? cv.Cvsd[k] : 0;
                lo = Math.Min(lo, cv.Cvm[k] - sd);
                hi = Math.Max(hi, cv.Cvm[k] + sd);
            }
        }

        var svg = new SvgCanvas(width, height, $"Cross-validation error, l1_ratio = {Markup.Number(path.L1Ratio)}");
        var area = new PlotArea(66, 44, width - 20, height - 46, LambdaScale(logLambda, width), NiceTicks.Compute(lo, hi, compact ? 4 : 6), reverseX: true);
        area.DrawAxes(svg, XLambdaLabel, MeasureLabel(cv.Measure) + " (held out)");

        // Number of non-zero coefficients at the λ nearest each x tick, as glmnet prints along the top.
        foreach (double t in area.XScale.Ticks)
        {
            int nearest = -1;
            double best = double.PositiveInfinity;
            for (int k = 0; k < path.Count; k++)
            {
                double d = Math.Abs(logLambda[k] - t);
                if (d < best)
                {
                    best = d;
                    nearest = k;
                }
            }

            if (nearest >= 0 && best <= area.XScale.Step / 2)
            {
                svg.Text(area.X(t), area.Top - 6, Markup.Count(path.Df[nearest]), "middle", "#666", 10);
            }
        }

        svg.Text(area.Left, area.Top - 22, "non-zero coefficients ↓", "start", "#666", 10);

        double capHalf = compact ? 1.5 : 2.5;
        for (int k = 0; k < path.Count; k++)
        {
            if (!double.IsFinite(logLambda[k]) || !double.IsFinite(cv.Cvm[k]))
            {
                continue;
            }

            double px = area.X(logLambda[k]);
            double sd = double.IsFinite(cv.Cvsd[k]) ? cv.Cvsd[k] : 0;
            double y1 = area.Y(cv.Cvm[k] - sd), y2 = area.Y(cv.Cvm[k] + sd);
            svg.Line(px, y1, px, y2, "#8a8a8a", 1, cssClass: "errbar");
            svg.Line(px - capHalf, y1, px + capHalf, y1, "#8a8a8a", 1);
            svg.Line(px - capHalf, y2, px + capHalf, y2, "#8a8a8a", 1);
            svg.Circle(px, area.Y(cv.Cvm[k]), compact ? 2 : 2.8, PointColour, cssClass: "cv-point",
                tooltip: $"λ = {Markup.Number(path.Lambda[k])}: {Markup.Number(cv.Cvm[k])} ± {Markup.Number(sd)}");
        }

        VerticalAt(svg, area, cv.LambdaMin, MinColour, "5,3", "lambda-min");
        VerticalAt(svg, area, cv.Lambda1se, OneSeColour, "2,3", "lambda-1se");

        // Legend, top right inside the plot.
        double lx = area.Right - 196, ly = area.Top + 8;
        svg.Rect(lx, ly, 188, 58, "#ffffff", "#cccccc");
        svg.Line(lx + 16, ly + 8, lx + 16, ly + 20, "#8a8a8a", 1);
        svg.Circle(lx + 16, ly + 14, 2.8, PointColour);
        svg.Text(lx + 30, ly + 18, "mean CV error ± 1 SE", size: 11);
        svg.Line(lx + 6, ly + 32, lx + 26, ly + 32, MinColour, 2, "5,3");
        svg.Text(lx + 30, ly + 36, $"lambda_min = {Markup.Number(cv.LambdaMin, 3)}", size: 11);
        svg.Line(lx + 6, ly + 48, lx + 26, ly + 48, OneSeColour, 2, "2,3");
        svg.Text(lx + 30, ly + 52, $"lambda_1se = {Markup.Number(cv.Lambda1se, 3)}", size: 11);
        return svg.ToString();
    }

    private static void VerticalAt(SvgCanvas svg, PlotArea area, double lambda, string colour, string dash, string cssClass)
    {
        if (lambda <= 0 || !double.IsFinite(lambda))
        {
            return;
        }

        double px = area.X(Math.Log10(lambda));
        if (area.ContainsX(px))
        {
            svg.Line(px, area.Top, px, area.Bottom, colour, 2, dash, cssClass);
        }
    }

    /// <summary>What a CV curve's values are, for axis labels.</summary>
    public static string MeasureLabel(CvMeasure measure) => measure switch
    {
        CvMeasure.Deviance => "binomial deviance",
        CvMeasure.Auc => "AUC (larger is better)",
        CvMeasure.Class => "misclassification rate",
        _ => "mean squared error",
    };

    /// <summary>
    /// A ROC curve: true-positive rate against false-positive rate, from (0, 0) to (1, 1), with the chance diagonal and
    /// the AUC in the corner.
    /// </summary>
    public static string Roc(IReadOnlyList<(double Fpr, double Tpr)> points, double auc, double size)
    {
        var svg = new SvgCanvas(size, size, "ROC curve of the out-of-fold predictions");
        double left = 56, top = 16, right = size - 16, bottom = size - 46;
        double X(double v) => left + (v * (right - left));
        double Y(double v) => bottom - (v * (bottom - top));
        svg.Rect(left, top, right - left, bottom - top, "none", "#999");
        for (int t = 0; t <= 4; t++)
        {
            double v = t / 4.0;
            string label = v.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture);
            svg.Text(X(v), bottom + 16, label, "middle", "#666", 10);
            svg.Text(left - 6, Y(v) + 4, label, "end", "#666", 10);
        }

        svg.Line(X(0), Y(0), X(1), Y(1), "#bbb", 1, "4 4");
        svg.Polyline([.. points.Select(q => (X(q.Fpr), Y(q.Tpr)))], "#1f77b4", 2);
        svg.Text((left + right) / 2, size - 12, "false-positive rate (1 − specificity)", "middle", "#444", 11);
        svg.Text(14, (top + bottom) / 2, "true-positive rate (sensitivity)", "middle", "#444", 11, rotate: -90);
        svg.Text(right - 8, bottom - 10, "AUC = " + Markup.Number(auc, 4), "end", "#222", 12, bold: true);
        return svg.ToString();
    }

    /// <summary>Best CV error (at lambda_min, ±1 SE) for each l1_ratio that has a CV curve; the selected one highlighted.</summary>
    public static string BestPerL1Ratio(EnetModel model, double width, double height)
    {
        var rows = model.Paths.Select((p, i) => (Path: p, Index: i)).Where(t => t.Path.Cv is not null)
            .OrderBy(t => t.Path.L1Ratio).ToArray();
        var best = rows.Select(t =>
        {
            CvCurve cv = t.Path.Cv!;
            int k = Math.Clamp(cv.IndexMin, 0, t.Path.Count - 1);
            return (t.Path.L1Ratio, t.Index, Cvm: cv.Cvm[k], Sd: double.IsFinite(cv.Cvsd[k]) ? cv.Cvsd[k] : 0);
        }).ToArray();

        double lo = best.Min(b => b.Cvm - b.Sd), hi = best.Max(b => b.Cvm + b.Sd);
        var svg = new SvgCanvas(width, height, "Best cross-validation error per l1_ratio");
        var yScale = NiceTicks.Compute(lo, hi, 4);
        var xScale = new NiceScale(-0.5, best.Length - 0.5, 1, []);
        var area = new PlotArea(66, 16, width - 16, height - 46, xScale, yScale);
        area.DrawAxes(svg, "l1_ratio  (1 = lasso, → 0 = ridge)", "min mean CV error");
        for (int i = 0; i < best.Length; i++)
        {
            double px = area.X(i);
            bool selected = best[i].Index == model.Selected.PathIndex;
            string colour = selected ? PointColour : "#444";
            double y1 = area.Y(best[i].Cvm - best[i].Sd), y2 = area.Y(best[i].Cvm + best[i].Sd);
            svg.Line(px, y1, px, y2, "#8a8a8a", 1.2, cssClass: "errbar");
            svg.Line(px - 4, y1, px + 4, y1, "#8a8a8a", 1.2);
            svg.Line(px - 4, y2, px + 4, y2, "#8a8a8a", 1.2);
            svg.Circle(px, area.Y(best[i].Cvm), selected ? 5 : 4, colour, cssClass: "best-point",
                tooltip: $"l1_ratio {Markup.Number(best[i].L1Ratio)}: {Markup.Number(best[i].Cvm)} ± {Markup.Number(best[i].Sd)}");
            svg.Text(px, area.Bottom + 17, Markup.Number(best[i].L1Ratio, 3), "middle", selected ? PointColour : "#444", 11, selected);
        }

        return svg.ToString();
    }

    /// <summary>
    /// Stability-selection frequencies of the <paramref name="top"/> most often selected features as horizontal bars;
    /// features in the selected model in blue, the rest grey, true effects (when known) starred.
    /// </summary>
    public static string Stability(EnetModel model, HashSet<int> inModel, IReadOnlyDictionary<int, double>? trueEffects, int top, double width)
    {
        double[] freq = model.StabilityFrequency!;
        int[] order = [.. Enumerable.Range(0, freq.Length)
            .Where(j => double.IsFinite(freq[j]) && freq[j] > 0)
            .OrderByDescending(j => freq[j]).ThenBy(j => j).Take(top)];
        const double row = 17;
        double height = 56 + (Math.Max(1, order.Length) * row);
        var svg = new SvgCanvas(width, height, "Stability-selection frequencies");
        var area = new PlotArea(170, 10, width - 60, height - 46, new NiceScale(0, 1, 0.2, [0, 0.2, 0.4, 0.6, 0.8, 1]), new NiceScale(0, 1, 1, []));
        area.DrawAxes(svg, "selection frequency", "");
        if (order.Length == 0)
        {
            svg.Text((area.Left + area.Right) / 2, (area.Top + area.Bottom) / 2, "no feature was ever selected", "middle", "#666");
            return svg.ToString();
        }

        for (int r = 0; r < order.Length; r++)
        {
            int j = order[r];
            double y = area.Top + 4 + (r * row);
            bool selected = inModel.Contains(j);
            string name = Shorten(model.Features[j], 22) + (trueEffects?.ContainsKey(j) == true ? " ★" : "");
            svg.Text(area.Left - 6, y + 10, name, "end", "#222", 11);
            svg.Rect(area.Left, y, area.X(freq[j]) - area.Left, row - 4, selected ? "#0072B2" : "#b0b0b0", cssClass: "stability-bar",
                tooltip: $"{model.Features[j]}: {Markup.Number(freq[j], 3)}");
            svg.Text(area.X(freq[j]) + 4, y + 10, Markup.Tick(freq[j], 2), "start", "#444", 10);
        }

        return svg.ToString();
    }
}
