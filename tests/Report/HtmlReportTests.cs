using System.Diagnostics;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using GpuEnet.Host.Report;
using GpuEnet.Solver.Model;
using Xunit;
using Xunit.Abstractions;

namespace GpuEnet.Tests.Report;

public partial class HtmlReportTests(ITestOutputHelper output)
{
    private static readonly ReportExtras s_extras = new()
    {
        MissingCounts = new Dictionary<string, int> { ["gene_0002"] = 17, ["gene_0007"] = 3, [ReportModelFactory.NastyName] = 1, ["gene_0010"] = 0 },
        InputRows = 804,
        TrueEffects = new Dictionary<int, double> { [3] = 1.2, [11] = -0.4 },
        Notes = ["A hand-built model for the report tests."],
        DataOrigin = "tests/handmade.csv",
        GeneratedUtc = new DateTimeOffset(2025, 2, 3, 4, 5, 6, TimeSpan.Zero),
    };

    [GeneratedRegex(@"<svg\b.*?</svg>", RegexOptions.Singleline)]
    private static partial Regex SvgElement();

    private static List<XElement> Svgs(string html) =>
        [.. SvgElement().Matches(html).Select(m => XDocument.Parse(m.Value).Root!)];

    private static IEnumerable<XElement> WithClass(XElement svg, string name, string cssClass) =>
        svg.Descendants(name).Where(e => ((string?)e.Attribute("class"))?.Split(' ').Contains(cssClass) == true);

    private static string Title(XElement svg) => (string)svg.Element("title")!;

    private static int EverActive(EnetPath path) =>
        path.Beta.SelectMany(b => b.Index.Where((_, t) => b.Value[t] != 0)).Distinct().Count();

    [Fact]
    public void EverySvgIsWellFormedXml()
    {
        string html = HtmlReport.Render(ReportModelFactory.Build(), s_extras);
        var svgs = Svgs(html);

        // 3 path charts, 3 CV curves, the best-per-l1_ratio chart, the stability chart.
        Assert.Equal(8, svgs.Count);
        Assert.Equal(SvgElement().Matches(html).Count, html.Split("<svg").Length - 1);
    }

    [Fact]
    public void PathChartsHaveOnePolylinePerEverActiveFeature()
    {
        EnetModel model = ReportModelFactory.Build();
        var svgs = Svgs(HtmlReport.Render(model, s_extras));
        var pathCharts = svgs.Where(s => Title(s).StartsWith("Coefficient paths", StringComparison.Ordinal)).ToList();
        Assert.Equal(model.Paths.Length, pathCharts.Count);

        // The selected path is drawn first, the others follow in path order.
        int[] order = [model.Selected.PathIndex, .. Enumerable.Range(0, model.Paths.Length).Where(i => i != model.Selected.PathIndex)];
        for (int c = 0; c < pathCharts.Count; c++)
        {
            EnetPath path = model.Paths[order[c]];
            Assert.Contains(path.L1Ratio.ToString(System.Globalization.CultureInfo.InvariantCulture), Title(pathCharts[c]), StringComparison.Ordinal);
            Assert.Equal(EverActive(path), WithClass(pathCharts[c], "polyline", "coef-path").Count());
            Assert.Equal(c == 0 ? 8 : 5, WithClass(pathCharts[c], "polyline", "labelled").Count());
            Assert.Single(WithClass(pathCharts[c], "line", "selected-lambda"));
        }

        // The strongest feature is labelled on the main chart, with its name intact after XML parsing.
        Assert.Contains(WithClass(pathCharts[0], "text", "path-label"), t => t.Value == ReportModelFactory.NastyName);
    }

    [Fact]
    public void CvChartsMarkLambdaMinAndLambda1seWithErrorBars()
    {
        EnetModel model = ReportModelFactory.Build();
        var svgs = Svgs(HtmlReport.Render(model, s_extras));
        var cvCharts = svgs.Where(s => Title(s).StartsWith("Cross-validation error", StringComparison.Ordinal)).ToList();
        Assert.Equal(model.Paths.Length, cvCharts.Count);
        foreach (XElement chart in cvCharts)
        {
            Assert.Single(WithClass(chart, "line", "lambda-min"));
            Assert.Single(WithClass(chart, "line", "lambda-1se"));
            Assert.Equal(model.Paths[0].Count, WithClass(chart, "line", "errbar").Count());
            Assert.Equal(model.Paths[0].Count, WithClass(chart, "circle", "cv-point").Count());
            Assert.Contains(chart.Descendants("text"), t => t.Value.StartsWith("lambda_min", StringComparison.Ordinal));
            Assert.Contains(chart.Descendants("text"), t => t.Value.StartsWith("lambda_1se", StringComparison.Ordinal));
        }

        // lambda_1se is a larger λ than lambda_min, so with λ decreasing to the right its line lies further left.
        XElement main = cvCharts[0];
        double xMin = (double)WithClass(main, "line", "lambda-min").Single().Attribute("x1")!;
        double x1se = (double)WithClass(main, "line", "lambda-1se").Single().Attribute("x1")!;
        Assert.True(x1se < xMin, $"lambda_1se at x = {x1se} should be left of lambda_min at x = {xMin}");

        var best = svgs.Single(s => Title(s).StartsWith("Best cross-validation", StringComparison.Ordinal));
        Assert.Equal(model.Paths.Length, WithClass(best, "circle", "best-point").Count());
    }

    [Fact]
    public void StabilityChartShowsAtMostThirtyBars()
    {
        EnetModel model = ReportModelFactory.Build();
        var svgs = Svgs(HtmlReport.Render(model, s_extras));
        var chart = svgs.Single(s => Title(s).StartsWith("Stability", StringComparison.Ordinal));
        var bars = WithClass(chart, "rect", "stability-bar").ToList();
        Assert.Equal(30, bars.Count);
        Assert.Equal(ReportModelFactory.NastyName + ": 1", (string)bars[0].Element("title")!);
    }

    [Fact]
    public void NoExternalReferencesOrScripts()
    {
        string html = HtmlReport.Render(ReportModelFactory.Build(), s_extras);
        foreach (string forbidden in new[] { "http", "src=", "<script", "@import", "url(", "<link", "href=" })
        {
            Assert.DoesNotContain(forbidden, html, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void FeatureNamesAreEscaped()
    {
        string html = HtmlReport.Render(ReportModelFactory.Build(), s_extras);
        Assert.DoesNotContain(ReportModelFactory.NastyName, html, StringComparison.Ordinal);
        Assert.Contains("a&lt;b&amp;&quot;c&quot;", html, StringComparison.Ordinal);
        Assert.Equal("A\uFFFDB&lt;", Markup.Escape("A\u0001B<"));
        Assert.Equal("ok 😀", Markup.Escape("ok 😀"));
        Assert.Equal("\uFFFDx", Markup.Escape("\uD800x"));
    }

    [Fact]
    public void SelectedTableRanksTheNonZeroCoefficients()
    {
        EnetModel model = ReportModelFactory.Build();
        string html = HtmlReport.Render(model, s_extras);
        SparseCoefficients beta = model.Paths[model.Selected.PathIndex].Beta[model.Selected.LambdaIndex];
        string table = html[html.IndexOf("<table class=\"features\">", StringComparison.Ordinal)..];
        table = table[..table.IndexOf("</table>", StringComparison.Ordinal)];
        int rows = Regex.Matches(table, "<tr>").Count - 1;
        Assert.Equal(beta.Count, rows);

        // Rank 1 is the feature with the largest |coef × sd|.
        int top = beta.Index.Select((j, t) => (j, s: Math.Abs(beta.Value[t] * model.FeatureScale[j]))).MaxBy(x => x.s).j;
        Assert.Contains($"<td class=\"num\">1</td><td class=\"name\">{Markup.Escape(model.Features[top])}</td>", table, StringComparison.Ordinal);
        Assert.Contains("true effects recovered", html, StringComparison.Ordinal);
        Assert.Contains("Reading the coefficients", html, StringComparison.Ordinal);
        Assert.Contains("9f2c4e1ab03d77e8", html, StringComparison.Ordinal);
        Assert.Contains("gene_0002</td><td class=\"num\">17</td>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void FitWithoutCrossValidationOrStabilityStillRenders()
    {
        EnetModel model = ReportModelFactory.Build(l1Ratios: [1.0], cv: false, stability: false);
        string html = HtmlReport.Render(model, null);
        var svgs = Svgs(html);
        Assert.Single(svgs);
        Assert.DoesNotContain("lambda-min", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Stability selection", html, StringComparison.Ordinal);
        Assert.Contains("not recorded", html, StringComparison.Ordinal);
    }

    [Fact]
    public void RenderIsDeterministicWithAFixedTimestamp()
    {
        EnetModel model = ReportModelFactory.Build();
        Assert.Equal(HtmlReport.Render(model, s_extras), HtmlReport.Render(model, s_extras));
    }

    [Fact]
    public void InconsistentModelIsRejected()
    {
        EnetModel good = ReportModelFactory.Build();
        var bad = new EnetModel
        {
            Features = good.Features,
            Preprocessing = good.Preprocessing,
            Paths = good.Paths,
            Selected = new Selection(0, 999, SelectionRule.Min),
            Training = good.Training,
            FeatureScale = good.FeatureScale,
        };
        Assert.Throws<ArgumentException>(() => HtmlReport.Render(bad, null));
    }

    [Fact]
    public void WriteReplacesTheFileAtomically()
    {
        string dir = Directory.CreateTempSubdirectory("gpuenet-report-").FullName;
        try
        {
            string path = Path.Combine(dir, "report.html");
            File.WriteAllText(path, "old");
            HtmlReport.Write(ReportModelFactory.Build(), path, s_extras);
            Assert.StartsWith("<!DOCTYPE html>", File.ReadAllText(path), StringComparison.Ordinal);
            Assert.Single(Directory.GetFiles(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData(0.0, 1.0, 0.0, 1.0)]
    [InlineData(-3.7, -0.2, -4.0, 0.0)]
    [InlineData(0.013, 0.0171, 0.013, 0.018)]
    [InlineData(5.0, 5.0, 4.4, 5.6)]
    public void NiceTicksCoverTheRangeWithRoundSteps(double lo, double hi, double expectMin, double expectMax)
    {
        NiceScale s = NiceTicks.Compute(lo, hi, 5);
        Assert.Equal(expectMin, s.Min, 9);
        Assert.Equal(expectMax, s.Max, 9);
        Assert.True(s.Ticks.Length is >= 3 and <= 11, $"{s.Ticks.Length} ticks");
        double mantissa = s.Step / Math.Pow(10, Math.Floor(Math.Log10(s.Step)));
        Assert.Contains(Math.Round(mantissa, 9), new[] { 1, 2, 2.5, 5 });
        Assert.All(s.Ticks.Zip(s.Ticks.Skip(1)), t => Assert.Equal(s.Step, t.Second - t.First, 9));
    }

    [Fact]
    public void TightTicksKeepTheDataRange()
    {
        NiceScale s = NiceTicks.Tight(-3.37, 0.08, 6);
        Assert.Equal(-3.37, s.Min);
        Assert.Equal(0.08, s.Max);
        Assert.Equal([-3.0, -2.0, -1.0, 0.0], s.Ticks);
    }

    [ChromiumFact]
    public void RenderedReportIsNotBlank()
    {
        string dir = Directory.CreateTempSubdirectory("gpuenet-chromium-").FullName;
        try
        {
            string html = Path.Combine(dir, "report.html");
            string png = Path.Combine(dir, "report.png");
            HtmlReport.Write(ReportModelFactory.Build(), html, s_extras);
            string size = Environment.GetEnvironmentVariable("GPUENET_REPORT_WINDOW") ?? "1200,2400";
            var psi = new ProcessStartInfo(ChromiumFactAttribute.ChromiumPath)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (string arg in new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--hide-scrollbars", $"--user-data-dir={Path.Combine(dir, "profile")}",
                $"--screenshot={png}", $"--window-size={size}", new Uri(html).AbsoluteUri,
            })
            {
                psi.ArgumentList.Add(arg);
            }

            using (var chromium = Process.Start(psi)!)
            {
                var stderr = chromium.StandardError.ReadToEndAsync();
                var stdout = chromium.StandardOutput.ReadToEndAsync();
                if (!chromium.WaitForExit(120_000))
                {
                    chromium.Kill(entireProcessTree: true);
                    Assert.Fail("chromium did not finish within 120 s");
                }

                output.WriteLine(stdout.Result + stderr.Result);
            }

            Assert.True(File.Exists(png), "chromium wrote no screenshot");
            PngPixels.Summary s = PngPixels.Inspect(File.ReadAllBytes(png));
            output.WriteLine($"{s.Width}×{s.Height}, {s.DistinctColours} colours, {s.NonWhiteFraction:P1} non-white");
            Assert.True(s.DistinctColours > 50, $"only {s.DistinctColours} distinct colours: the page looks blank");
            Assert.True(s.NonWhiteFraction > 0.05, $"only {s.NonWhiteFraction:P1} of the pixels are not white");

            // Set GPUENET_REPORT_SCREENSHOT=path to keep the picture (docs/report-example.png is made this way).
            if (Environment.GetEnvironmentVariable("GPUENET_REPORT_SCREENSHOT") is { Length: > 0 } keep)
            {
                File.Copy(png, keep, overwrite: true);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
