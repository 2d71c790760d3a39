using System.Globalization;
using System.Text;
using GpuEnet.Solver.Model;

namespace GpuEnet.Host.Report;

/// <summary>
/// Renders a trained <see cref="EnetModel"/> as one self-contained HTML file: inline CSS and inline SVG charts,
/// no scripts, fonts, style sheets or images from elsewhere, so it opens offline and reads with scripting off.
/// </summary>
public static class HtmlReport
{
    private const int MaxTableRows = 500;
    private const int MaxMissingRows = 25;

    /// <summary>
    /// The report as an HTML document. Coefficients are shown on the original scale of the features and, for
    /// comparison between features, on the standardised scale (coefficient × the feature's training sd).
    /// </summary>
    /// <param name="model">The trained model.</param>
    /// <param name="extras">Facts the model does not hold (missing counts, true effects, notes), or null.</param>
    /// <exception cref="ArgumentException">When the model is inconsistent: no paths, a selection out of range, or
    /// <see cref="EnetModel.FeatureScale"/> not one value per feature.</exception>
    public static string Render(EnetModel model, ReportExtras? extras)
    {
        ArgumentNullException.ThrowIfNull(model);
        Validate(model);
        extras ??= new ReportExtras();
        var html = new StringBuilder(64 * 1024);
        var ctx = new Context(model, extras);

        string title = extras.Title ?? $"GpuEnet report: {model.Target}";
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(Markup.Escape(title)).Append("</title>\n<style>").Append(Css).Append("</style>\n</head>\n<body>\n<main>\n")
            .Append("<h1>").Append(Markup.Escape(title)).Append("</h1>\n");

        Summary(html, ctx);
        CoefficientPaths(html, ctx);
        CrossValidation(html, ctx);
        Classification(html, ctx);
        StabilitySection(html, ctx);
        SelectedTable(html, ctx);
        Guide(html);
        MissingValues(html, ctx);
        Metadata(html, ctx);

        html.Append("</main>\n</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>
    /// Writes <see cref="Render"/>'s output to <paramref name="path"/> as UTF-8, atomically through
    /// <see cref="Output.OutputSet"/>: a temporary file in the same directory is written, flushed and then renamed over
    /// the target, so readers never see a partial report.
    /// </summary>
    /// <exception cref="Cli.CliException">When the file cannot be written (the temporary file is removed).</exception>
    public static void Write(EnetModel model, string path, ReportExtras? extras)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes = new UTF8Encoding(false).GetBytes(Render(model, extras));
        Output.OutputSet.WriteOne("the report", path, stream => stream.Write(bytes));
    }

    /// <summary>Writes <see cref="Render"/>'s output to <paramref name="stream"/> as UTF-8.</summary>
    public static void Write(EnetModel model, Stream stream, ReportExtras? extras)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(new UTF8Encoding(false).GetBytes(Render(model, extras)));
    }

    private static void Validate(EnetModel model)
    {
        if (model.Paths.Length == 0)
        {
            throw new ArgumentException("The model has no fitted path.", nameof(model));
        }

        if (model.FeatureScale.Length != model.Features.Length)
        {
            throw new ArgumentException($"The model has {model.Features.Length} features but {model.FeatureScale.Length} feature scales.", nameof(model));
        }

        Selection s = model.Selected;
        if (s.PathIndex < 0 || s.PathIndex >= model.Paths.Length || s.LambdaIndex < 0 || s.LambdaIndex >= model.Paths[s.PathIndex].Count)
        {
            throw new ArgumentException($"The selection (path {s.PathIndex}, λ index {s.LambdaIndex}) is outside the fitted paths.", nameof(model));
        }

        if (model.StabilityFrequency is { } f && f.Length != model.Features.Length)
        {
            throw new ArgumentException($"The model has {model.Features.Length} features but {f.Length} stability frequencies.", nameof(model));
        }
    }

    /// <summary>What every section needs: the model, the extras and the selected coefficients.</summary>
    private sealed class Context
    {
        public Context(EnetModel model, ReportExtras extras)
        {
            Model = model;
            Extras = extras;
            Path = model.Paths[model.Selected.PathIndex];
            Beta = Path.Beta[model.Selected.LambdaIndex];
            InModel = [.. Beta.Index.Where((_, t) => Beta.Value[t] != 0)];
        }

        public EnetModel Model { get; }

        public ReportExtras Extras { get; }

        public EnetPath Path { get; }

        public SparseCoefficients Beta { get; }

        public HashSet<int> InModel { get; }

        public double Standardised(int j, double coef) => coef * Model.FeatureScale[j];
    }

    private static string RuleText(SelectionRule rule) => rule switch
    {
        SelectionRule.Min => "lambda_min (lowest CV error)",
        SelectionRule.OneSe => "lambda_1se (sparsest model within 1 SE of the lowest CV error)",
        _ => "last λ of the path (no cross-validation)",
    };

    private static string RuleShort(SelectionRule rule) => rule switch
    {
        SelectionRule.Min => "min",
        SelectionRule.OneSe => "1se",
        _ => "last",
    };

    private static void Summary(StringBuilder html, Context ctx)
    {
        EnetModel m = ctx.Model;
        int k = m.Selected.LambdaIndex;
        html.Append("<section class=\"cards\">\n");
        Card(html, "l1_ratio", Markup.Number(ctx.Path.L1Ratio), ctx.Path.L1Ratio >= 1 ? "lasso" : ctx.Path.L1Ratio <= 0 ? "ridge" : "elastic net");
        Card(html, "λ", Markup.Number(ctx.Path.Lambda[k]), RuleShort(m.Selected.Rule) + " rule");
        Card(html, "selected features", Markup.Count(ctx.InModel.Count), "of " + Markup.Count(m.Features.Length));
        Card(html, "deviance explained", Percent(ctx.Path.DevRatio[k]), "on the training rows");
        if (ctx.Path.Cv is { } cv)
        {
            string label = cv.Measure switch
            {
                CvMeasure.Deviance => "CV deviance",
                CvMeasure.Auc => "CV AUC",
                CvMeasure.Class => "CV misclassification",
                _ => "CV error",
            };
            Card(html, label, Markup.Number(cv.Cvm[k], 4), "± " + Markup.Number(cv.Cvsd[k], 3) + " (1 SE)");
        }

        Card(html, "n × p", Markup.Count(m.Training.N) + " × " + Markup.Count(m.Training.P), m.Training.Device + ", " + m.Training.Precision);
        if (ctx.Extras.TrueEffects is { Count: > 0 } truth)
        {
            int recovered = truth.Keys.Count(ctx.InModel.Contains);
            Card(html, "true effects recovered", $"{recovered} / {truth.Count}", $"{ctx.InModel.Count - recovered} other features selected");
        }

        html.Append("</section>\n<p class=\"lead\">Selected by ").Append(Markup.Escape(RuleText(m.Selected.Rule)))
            .Append(" on the path with l1_ratio = ").Append(Markup.Number(ctx.Path.L1Ratio)).Append(". Target: <b>")
            .Append(Markup.Escape(m.Target)).Append("</b>.</p>\n");
        foreach (string note in ctx.Extras.Notes)
        {
            html.Append("<p class=\"note\">").Append(Markup.Escape(note)).Append("</p>\n");
        }
    }

    private static void Card(StringBuilder html, string label, string value, string detail) =>
        html.Append("<div class=\"card\"><div class=\"label\">").Append(Markup.Escape(label)).Append("</div><div class=\"value\">")
            .Append(Markup.Escape(value)).Append("</div><div class=\"detail\">").Append(Markup.Escape(detail)).Append("</div></div>\n");

    private static string Percent(double v) => double.IsFinite(v) ? (v * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %" : "—";

    private static void CoefficientPaths(StringBuilder html, Context ctx)
    {
        EnetModel m = ctx.Model;
        html.Append("<section>\n<h2>Coefficient paths</h2>\n");
        html.Append("<p class=\"caption\">Each line is one feature that is non-zero somewhere on the path, drawn on the <b>standardised scale</b> ")
            .Append("(coefficient × the feature's standard deviation on the training rows), so features measured in different units can be compared. ")
            .Append("λ decreases to the right: the penalty weakens and more features enter. The eight largest at the marked λ are named; hover over a line for its name.</p>\n");
        Figure(html, Charts.CoefficientPaths(m, m.Selected.PathIndex, m.Selected.LambdaIndex, $"selected λ ({RuleShort(m.Selected.Rule)})", 1040, 420, 8),
            $"l1_ratio = {Markup.Number(ctx.Path.L1Ratio)} (selected). Dashed line: the selected λ = {Markup.Number(ctx.Path.Lambda[m.Selected.LambdaIndex])}.");

        if (m.Paths.Length > 1)
        {
            html.Append("<h3>Other l1_ratio values</h3>\n<div class=\"grid\">\n");
            for (int i = 0; i < m.Paths.Length; i++)
            {
                if (i == m.Selected.PathIndex)
                {
                    continue;
                }

                EnetPath p = m.Paths[i];
                int mark = -1;
                string markLabel = "";
                if (p.Cv is { } cv)
                {
                    mark = m.Selected.Rule == SelectionRule.Min ? cv.IndexMin : cv.Index1se;
                    markLabel = m.Selected.Rule == SelectionRule.Min ? "lambda_min" : "lambda_1se";
                }

                Figure(html, Charts.CoefficientPaths(m, i, mark, markLabel, 510, 320, 5),
                    $"l1_ratio = {Markup.Number(p.L1Ratio)}" + (mark >= 0 ? $"; dashed line: this path's {markLabel}." : "; no CV curve, the five largest at the path end are named."));
            }

            html.Append("</div>\n");
        }

        html.Append("</section>\n");
    }

    private static void Figure(StringBuilder html, string svg, string caption) =>
        html.Append("<figure>").Append(svg).Append("<figcaption>").Append(Markup.Escape(caption)).Append("</figcaption></figure>\n");

    private static void CrossValidation(StringBuilder html, Context ctx)
    {
        EnetModel m = ctx.Model;
        var withCv = m.Paths.Select((p, i) => (Path: p, Index: i)).Where(t => t.Path.Cv is not null).ToArray();
        if (withCv.Length == 0)
        {
            return;
        }

        html.Append("<section>\n<h2>Cross-validation</h2>\n");
        string measure = Charts.MeasureLabel((withCv.FirstOrDefault(t => t.Index == m.Selected.PathIndex).Path ?? withCv[0].Path).Cv!.Measure);
        html.Append("<p class=\"caption\">Points: ").Append(Markup.Escape(measure)).Append(" of the predictions on the held-out folds (mean over folds); bars: ±1 standard error across folds. ")
            .Append("<b>lambda_min</b> gives the lowest mean error; <b>lambda_1se</b> is the largest λ (the sparsest model) whose error is within ")
            .Append("one standard error of that minimum, a common guard against over-fitting the CV noise. Numbers along the top: non-zero coefficients.</p>\n");

        var main = withCv.FirstOrDefault(t => t.Index == m.Selected.PathIndex);
        if (main.Path is null)
        {
            main = withCv[0];
        }

        Figure(html, Charts.CvCurve(main.Path, 1040, 380, compact: false), $"l1_ratio = {Markup.Number(main.Path.L1Ratio)}" + (main.Index == m.Selected.PathIndex ? " (selected)." : "."));

        if (withCv.Length > 1)
        {
            html.Append("<div class=\"grid\">\n");
            Figure(html, Charts.BestPerL1Ratio(m, 510, 300),
                "Lowest mean CV error (±1 SE) reached on each l1_ratio's path; the selected l1_ratio in orange.");
            foreach (var t in withCv.Where(t => t.Index != main.Index))
            {
                Figure(html, Charts.CvCurve(t.Path, 510, 300, compact: true), $"l1_ratio = {Markup.Number(t.Path.L1Ratio)}.");
            }

            html.Append("</div>\n");
        }

        html.Append("</section>\n");
    }

    // Binomial models: ROC curve and confusion table of the out-of-fold predictions at the selected λ.
    private static void Classification(StringBuilder html, Context ctx)
    {
        EnetModel m = ctx.Model;
        if (m.Labels is not { } labels || m.CodedTarget is not { } y
            || ctx.Path.Cv?.OutOfFoldLink is not { } links || !links.TryGetValue(m.Selected.LambdaIndex, out var link))
        {
            return;
        }

        int[] rows = [.. Enumerable.Range(0, link.Length).Where(i => !double.IsNaN(link[i]))];
        var roc = RocPoints(rows.Select(i => (link[i], y[i])).ToArray());
        double auc = GpuEnet.Solver.Binomial.BinomialMeasures.Auc(rows.Select(i => link[i]).ToArray(), rows, y, Enumerable.Repeat(1.0, y.Length).ToArray());
        var table = new int[2, 2];
        foreach (int i in rows)
        {
            table[(int)y[i], link[i] > 0 ? 1 : 0]++;
        }

        html.Append("<section>\n<h2>Classification</h2>\n<p class=\"caption\">Out-of-fold predictions at the selected λ: each row is predicted by the fold ")
            .Append("model that did not train on it, so these are honest estimates of performance on new data (unweighted). Class 1 is <b>")
            .Append(Markup.Escape(labels.Positive)).Append("</b>, class 0 <b>").Append(Markup.Escape(labels.Negative)).Append("</b>.</p>\n<div class=\"grid\">\n");
        Figure(html, Charts.Roc(roc, auc, 420), $"ROC curve over {Markup.Count(rows.Length)} out-of-fold predictions.");
        html.Append("<figure><table class=\"features\">\n<thead><tr><th class=\"left\">actual \\ predicted (p &gt; 0.5)</th><th>")
            .Append(Markup.Escape(labels.Negative)).Append("</th><th>").Append(Markup.Escape(labels.Positive)).Append("</th></tr></thead>\n<tbody>\n");
        for (int c = 0; c < 2; c++)
        {
            html.Append("<tr><td class=\"name\">").Append(Markup.Escape(c == 0 ? labels.Negative : labels.Positive)).Append("</td><td class=\"num\">")
                .Append(Markup.Count(table[c, 0])).Append("</td><td class=\"num\">").Append(Markup.Count(table[c, 1])).Append("</td></tr>\n");
        }

        int correct = table[0, 0] + table[1, 1];
        html.Append("</tbody>\n</table><figcaption>Confusion table at probability 0.5: accuracy ")
            .Append(Percent(rows.Length > 0 ? (double)correct / rows.Length : double.NaN)).Append(", sensitivity ")
            .Append(Percent((double)table[1, 1] / Math.Max(1, table[1, 0] + table[1, 1]))).Append(", specificity ")
            .Append(Percent((double)table[0, 0] / Math.Max(1, table[0, 0] + table[0, 1]))).Append(".</figcaption></figure>\n</div>\n</section>\n");
    }

    // (false-positive rate, true-positive rate) at every threshold, tied predictions taken together.
    private static List<(double Fpr, double Tpr)> RocPoints((double Link, double Y)[] scored)
    {
        Array.Sort(scored, (a, b) => b.Link.CompareTo(a.Link));
        double positives = scored.Count(t => t.Y == 1), negatives = scored.Length - positives;
        var points = new List<(double, double)> { (0, 0) };
        double tp = 0, fp = 0;
        for (int k = 0; k < scored.Length;)
        {
            int end = k;
            while (end < scored.Length && scored[end].Link == scored[k].Link)
            {
                tp += scored[end].Y == 1 ? 1 : 0;
                fp += scored[end].Y == 1 ? 0 : 1;
                end++;
            }

            points.Add((negatives > 0 ? fp / negatives : 0, positives > 0 ? tp / positives : 0));
            k = end;
        }

        return points;
    }

    private static void StabilitySection(StringBuilder html, Context ctx)
    {
        if (ctx.Model.StabilityFrequency is null)
        {
            return;
        }

        html.Append("<section>\n<h2>Stability selection</h2>\n<p class=\"caption\">How often each feature was selected when the model was refitted ")
            .Append("on random subsamples of the rows (the 30 most frequent). Blue: in the selected model; grey: not")
            .Append(ctx.Extras.TrueEffects is null ? "" : "; ★: a true effect of the simulation").Append(". A feature selected in most subsamples is ")
            .Append("unlikely to be there by chance; one that trades places with a correlated partner shows a middling frequency.</p>\n");
        Figure(html, Charts.Stability(ctx.Model, ctx.InModel, ctx.Extras.TrueEffects, 30, 1040), "Selection frequency per feature.");
        html.Append("</section>\n");
    }

    private static void SelectedTable(StringBuilder html, Context ctx)
    {
        EnetModel m = ctx.Model;
        var rows = Enumerable.Range(0, ctx.Beta.Count)
            .Where(t => ctx.Beta.Value[t] != 0)
            .Select(t => (Feature: ctx.Beta.Index[t], Coef: ctx.Beta.Value[t], Std: ctx.Standardised(ctx.Beta.Index[t], ctx.Beta.Value[t])))
            .OrderByDescending(r => Math.Abs(r.Std)).ThenBy(r => r.Feature).ToArray();
        IReadOnlyDictionary<int, double>? truth = ctx.Extras.TrueEffects;
        double[]? stability = m.StabilityFrequency;

        html.Append("<section>\n<h2>Selected features</h2>\n<p class=\"caption\">The non-zero coefficients at the selected λ = ")
            .Append(Markup.Number(ctx.Path.Lambda[m.Selected.LambdaIndex])).Append(" (l1_ratio = ").Append(Markup.Number(ctx.Path.L1Ratio))
            .Append("), ranked by the size of the standardised coefficient. Intercept: ")
            .Append(Markup.Number(ctx.Path.Intercept[m.Selected.LambdaIndex])).Append(".</p>\n");
        if (rows.Length == 0)
        {
            html.Append("<p>No feature is selected at this λ: the model predicts the intercept for every row.</p>\n</section>\n");
            return;
        }

        bool odds = m.Family == ModelFamily.Binomial;
        html.Append("<table class=\"features\">\n<thead><tr><th>rank</th><th class=\"left\">feature</th><th>coefficient<br><span>original scale</span></th>")
            .Append("<th>standardised<br><span>coef × sd</span></th><th>sign</th>");
        if (odds)
        {
            html.Append("<th>odds ratio<br><span>per unit</span></th><th>odds ratio<br><span>per sd</span></th>");
        }
        if (stability is not null)
        {
            html.Append("<th>stability</th>");
        }

        if (truth is not null)
        {
            html.Append("<th>true effect<br><span>original scale</span></th>");
        }

        html.Append("</tr></thead>\n<tbody>\n");
        double maxStd = Math.Abs(rows[0].Std);
        for (int r = 0; r < Math.Min(rows.Length, MaxTableRows); r++)
        {
            var row = rows[r];
            double barWidth = maxStd > 0 ? Math.Abs(row.Std) / maxStd * 80 : 0;
            html.Append("<tr><td class=\"num\">").Append(r + 1).Append("</td><td class=\"name\">").Append(Markup.Escape(m.Features[row.Feature]))
                .Append("</td><td class=\"num\">").Append(Markup.Number(row.Coef, 4))
                .Append("</td><td class=\"num\"><span class=\"bar ").Append(row.Std >= 0 ? "pos" : "neg").Append("\" style=\"width:")
                .Append(barWidth.ToString("0", CultureInfo.InvariantCulture)).Append("px\"></span>").Append(Markup.Number(row.Std, 3))
                .Append("</td><td class=\"sign ").Append(row.Coef >= 0 ? "pos\">+" : "neg\">−").Append("</td>");
            if (odds)
            {
                html.Append("<td class=\"num\">").Append(Markup.Number(Math.Exp(row.Coef), 4)).Append("</td><td class=\"num\">")
                    .Append(Markup.Number(Math.Exp(row.Std), 4)).Append("</td>");
            }

            if (stability is not null)
            {
                html.Append("<td class=\"num\">").Append(Markup.Tick(stability[row.Feature], 2)).Append("</td>");
            }

            if (truth is not null)
            {
                html.Append("<td class=\"num\">").Append(truth.TryGetValue(row.Feature, out double b) ? Markup.Number(b, 3) : "·").Append("</td>");
            }

            html.Append("</tr>\n");
        }

        html.Append("</tbody>\n</table>\n");
        if (rows.Length > MaxTableRows)
        {
            html.Append("<p class=\"caption\">Showing the ").Append(MaxTableRows).Append(" largest of ").Append(Markup.Count(rows.Length))
                .Append(" selected features; <code>gpuenet inspect --json</code> lists them all.</p>\n");
        }

        if (truth is not null)
        {
            var missed = truth.Keys.Where(j => !ctx.InModel.Contains(j)).OrderBy(j => j).ToArray();
            html.Append("<p class=\"caption\">True effects not selected: ")
                .Append(missed.Length == 0 ? "none" : string.Join(", ", missed.Select(j => Markup.Escape(j < m.Features.Length ? m.Features[j] : $"#{j}"))))
                .Append(".</p>\n");
        }

        html.Append("</section>\n");
    }

    private static void Guide(StringBuilder html) =>
        html.Append("<section class=\"guide\">\n<h2>Reading the coefficients</h2>\n<ul>\n")
            .Append("<li><b>Original-scale coefficient.</b> How much the prediction moves when this feature goes up by one of its own units ")
            .Append("while every other feature stays where it is. Its size depends on the unit: a feature measured in grams gets a coefficient ")
            .Append("a thousand times smaller than the same feature in kilograms.</li>\n")
            .Append("<li><b>Standardised coefficient</b> (coefficient × the feature's standard deviation). The change in the prediction for a ")
            .Append("one-standard-deviation change in the feature. Units drop out, so this is the column to compare features by; the ranking uses it.</li>\n")
            .Append("<li><b>A zero is not a verdict of \"no effect\".</b> It means the feature was not selected at this λ: with a weaker penalty ")
            .Append("(further right on the path plot) it may enter. A feature can also be left out because a correlated feature already carries its signal.</li>\n")
            .Append("<li><b>Correlated features share.</b> The ridge (L2) part of the elastic net spreads weight across correlated features instead of ")
            .Append("picking one, and the lasso (L1) part may pick either. A feature's coefficient therefore depends on which of its correlated partners ")
            .Append("are in the model; read a group of correlated features together, and do not read the split between them as meaningful.</li>\n")
            .Append("<li><b>Shrinkage.</b> Penalised coefficients are pulled towards zero, so they understate effect sizes; they are built for ")
            .Append("prediction, not for p-values.</li>\n")
            .Append("</ul>\n</section>\n");

    private static void MissingValues(StringBuilder html, Context ctx)
    {
        EnetModel m = ctx.Model;
        FeaturePreprocessing pre = m.Preprocessing;
        int dropped = ctx.Extras.DroppedRows ?? m.Training.DroppedRows;
        html.Append("<section>\n<h2>Missing values</h2>\n<table class=\"meta\">\n");
        MetaRow(html, "imputation", pre.Impute switch
        {
            ImputeStrategy.Mean => "training mean of each column",
            ImputeStrategy.Median => "training median of each column",
            ImputeStrategy.Mode => "most frequent training value of each column",
            ImputeStrategy.Knn => $"mean of the {pre.Imputer?.Neighbours} nearest training rows (distance standardised on the training rows, over the features both rows have)"
                + (pre.Imputer is { DonorCount: 0 } ? "; donors not stored, so predict refuses rows with missing values" : "; donors stored for prediction"),
            ImputeStrategy.Regression => $"ridge regression on the {pre.Imputer?.Rounds.FirstOrDefault()?.FirstOrDefault()?.Predictors.Length ?? 0} most correlated features, fitted on training rows, {pre.Imputer?.Rounds.Length} round(s) of chained equations",
            _ => "none (a missing feature value is an error)",
        });
        if (m.Pooling is { } pooling)
        {
            MetaRow(html, "multiple imputation", $"{pooling.Imputations} imputations, each fitted in the same batch; coefficients averaged over them");
        }
        MetaRow(html, "missing-value indicator features", Markup.Count(pre.IndicatorColumns.Length));
        MetaRow(html, "rows dropped (missing target)", Markup.Count(dropped) + (ctx.Extras.InputRows is int total ? $" of {Markup.Count(total)}" : ""));

        IReadOnlyDictionary<string, int>? counts = ctx.Extras.MissingCounts;
        if (counts is null)
        {
            MetaRow(html, "missing cells per column", "not recorded");
            html.Append("</table>\n</section>\n");
            return;
        }

        long cells = counts.Values.Sum(v => (long)v);
        int columns = counts.Values.Count(v => v > 0);
        MetaRow(html, "missing cells", Markup.Count(cells) + $" in {Markup.Count(columns)} of {Markup.Count(Math.Max(counts.Count, pre.InputColumns.Length))} input columns");
        html.Append("</table>\n");
        if (columns > 0)
        {
            int n = Math.Max(1, m.Training.N);
            var worst = counts.Where(kv => kv.Value > 0).OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(MaxMissingRows).ToArray();
            html.Append("<table class=\"features narrow\">\n<thead><tr><th class=\"left\">input column</th><th>missing</th><th>% of rows</th></tr></thead>\n<tbody>\n");
            foreach (var kv in worst)
            {
                html.Append("<tr><td class=\"name\">").Append(Markup.Escape(kv.Key)).Append("</td><td class=\"num\">").Append(Markup.Count(kv.Value))
                    .Append("</td><td class=\"num\">").Append((100.0 * kv.Value / n).ToString("0.0", CultureInfo.InvariantCulture)).Append("</td></tr>\n");
            }

            html.Append("</tbody>\n</table>\n");
            if (columns > worst.Length)
            {
                html.Append("<p class=\"caption\">The ").Append(worst.Length).Append(" columns with the most missing values are shown.</p>\n");
            }
        }

        Pooling(html, ctx);
        html.Append("</section>\n");
    }

    // Multiple imputation: per selected feature its pooled coefficient, how often the imputations' fits select it, and the
    // spread of its coefficient between them; then the CV error of each imputation at the selected λ.
    private static void Pooling(StringBuilder html, Context ctx)
    {
        EnetModel m = ctx.Model;
        if (m.Pooling is not { } pooling)
        {
            return;
        }

        var path = m.Paths[m.Selected.PathIndex];
        var beta = path.Beta[m.Selected.LambdaIndex];
        var rows = Enumerable.Range(0, m.Features.Length).Where(j => pooling.SelectionFrequency[j] > 0)
            .OrderByDescending(j => pooling.SelectionFrequency[j]).ThenBy(j => j).Take(MaxMissingRows).ToArray();
        html.Append("<h3>Between imputations</h3>\n<table class=\"features narrow\">\n<thead><tr><th class=\"left\">feature</th><th>pooled coefficient</th>")
            .Append("<th>selected in</th><th>sd between imputations</th></tr></thead>\n<tbody>\n");
        foreach (int j in rows)
        {
            int at = Array.IndexOf(beta.Index, j);
            html.Append("<tr><td class=\"name\">").Append(Markup.Escape(m.Features[j])).Append("</td><td class=\"num\">")
                .Append(Markup.Number(at >= 0 ? beta.Value[at] : 0)).Append("</td><td class=\"num\">")
                .Append((100 * pooling.SelectionFrequency[j]).ToString("0", CultureInfo.InvariantCulture)).Append(" %</td><td class=\"num\">")
                .Append(Markup.Number(pooling.CoefficientSpread[j])).Append("</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n");
        if (path.Cv?.ImputationCvm is { } perImputation)
        {
            int lam = m.Selected.LambdaIndex;
            html.Append("<p class=\"caption\">CV error at the selected λ per imputation: ")
                .Append(string.Join(", ", perImputation.Select(c => Markup.Number(c[lam]))))
                .Append("; pooled: ").Append(Markup.Number(path.Cv.Cvm[lam])).Append(".</p>\n");
        }
    }

    private static void Metadata(StringBuilder html, Context ctx)
    {
        TrainingInfo t = ctx.Model.Training;
        html.Append("<section>\n<h2>Run</h2>\n<table class=\"meta\">\n");
        MetaRow(html, "target", ctx.Model.Target);
        if (ctx.Extras.DataOrigin is { Length: > 0 } origin)
        {
            MetaRow(html, "data", origin);
        }

        MetaRow(html, "rows n", Markup.Count(t.N));
        MetaRow(html, "features p", Markup.Count(t.P));
        MetaRow(html, "l1_ratio values", string.Join(", ", ctx.Model.Paths.Select(p => Markup.Number(p.L1Ratio))));
        MetaRow(html, "device", t.Device);
        MetaRow(html, "precision", t.Precision);
        MetaRow(html, "standardise / intercept", (t.Standardize ? "on" : "off") + " / " + (t.Intercept ? "on" : "off"));
        MetaRow(html, "load time", Markup.Seconds(t.LoadSeconds));
        MetaRow(html, "solve time", Markup.Seconds(t.SolveSeconds));
        MetaRow(html, "data fingerprint", t.DataFingerprint.Length > 0 ? t.DataFingerprint : "—");
        MetaRow(html, "GpuEnet version", t.SoftwareVersion.Length > 0 ? t.SoftwareVersion : "—");
        MetaRow(html, "trained", t.TrainedUtc == default ? "—" : t.TrainedUtc.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture));
        MetaRow(html, "report generated", (ctx.Extras.GeneratedUtc ?? DateTimeOffset.UtcNow).ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture));
        html.Append("</table>\n</section>\n");
    }

    private static void MetaRow(StringBuilder html, string key, string value) =>
        html.Append("<tr><th>").Append(Markup.Escape(key)).Append("</th><td>").Append(Markup.Escape(value)).Append("</td></tr>\n");

    private const string Css = """

        :root { color-scheme: light; }
        body { margin: 0; background: #f6f6f4; color: #222; font: 15px/1.5 "Helvetica Neue", Helvetica, Arial, sans-serif; }
        main { max-width: 1080px; margin: 0 auto; padding: 24px 20px 48px; background: #fff; }
        h1 { font-size: 26px; margin: 0 0 16px; }
        h2 { font-size: 20px; margin: 32px 0 8px; padding-top: 12px; border-top: 1px solid #ddd; }
        h3 { font-size: 16px; margin: 20px 0 6px; }
        .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(128px, 1fr)); gap: 10px; }
        .card { border: 1px solid #d8d8d8; border-radius: 6px; padding: 8px 12px; background: #fafafa; }
        .card .label { font-size: 12px; color: #555; }
        .card .value { font-size: 22px; font-weight: bold; }
        .card .detail { font-size: 12px; color: #666; }
        .lead { margin: 12px 0; }
        .note { background: #fff8e1; border-left: 4px solid #E69F00; padding: 6px 10px; }
        .caption, figcaption { color: #555; font-size: 13px; }
        figure { margin: 8px 0 16px; }
        svg.chart { display: block; max-width: 100%; height: auto; background: #fff; }
        .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap: 12px 20px; }
        table { border-collapse: collapse; font-size: 13px; }
        table.features th, table.features td { padding: 3px 10px; border-bottom: 1px solid #e6e6e6; }
        table.features thead th { text-align: right; vertical-align: bottom; border-bottom: 2px solid #999; }
        table.features thead th.left { text-align: left; }
        table.features thead th span { font-weight: normal; color: #666; font-size: 11px; }
        table.features tbody tr:nth-child(even) { background: #f7f7f7; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        td.name { font-family: Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 12px; word-break: break-all; }
        td.sign { text-align: center; font-weight: bold; }
        .pos { color: #0072B2; }
        .neg { color: #D55E00; }
        span.bar { display: inline-block; height: 9px; margin-right: 6px; vertical-align: middle; }
        span.bar.pos { background: #0072B2; }
        span.bar.neg { background: #D55E00; }
        table.meta th { text-align: left; font-weight: normal; color: #555; padding: 2px 16px 2px 0; vertical-align: top; }
        table.meta td { padding: 2px 0; word-break: break-all; }
        .guide li { margin-bottom: 6px; }
        code { font-size: 12px; background: #f0f0f0; padding: 0 3px; }

        """;
}
