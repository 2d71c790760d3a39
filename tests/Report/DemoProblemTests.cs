using System.Diagnostics;
using GpuEnet.Host.Demo;
using GpuEnet.Host.Report;
using GpuEnet.Solver.Model;
using Xunit;
using Xunit.Abstractions;

namespace GpuEnet.Tests.Report;

public class DemoProblemTests(ITestOutputHelper output)
{
    [Fact]
    public void DefaultProblemHasTheAdvertisedShapeAndIsQuick()
    {
        var sw = Stopwatch.StartNew();
        DemoProblem demo = DemoProblem.Generate();
        sw.Stop();
        output.WriteLine($"generated 500 × 20000 in {sw.Elapsed.TotalMilliseconds:F0} ms");
        Assert.True(sw.Elapsed.TotalSeconds < 10, $"took {sw.Elapsed.TotalSeconds:F1} s");

        Assert.Equal(500, demo.N);
        Assert.Equal(20_000, demo.P);
        Assert.Equal("snp00001", demo.Features[0]);
        Assert.Equal("snp20000", demo.Features[^1]);
        Assert.Equal(20, demo.TrueIndices.Length);
        Assert.Equal(20, demo.TrueIndices.Select(j => j / DemoProblem.BlockSize).Distinct().Count());
        Assert.All(demo.X.Values.ToArray(), v => Assert.True(v is 0 or 1 or 2));
        Assert.All(demo.TrueEffects, b => Assert.True(double.IsFinite(b) && b != 0));

        var data = demo.ToDataset();
        Assert.Same(demo.X, data.X);
        Assert.Equal(demo.Y, data.Y);
        Assert.Equal(demo.Features, data.Features);
    }

    [Fact]
    public void SameSeedSameProblemOtherSeedOtherProblem()
    {
        DemoProblem a = DemoProblem.Generate(100, 700, 5, seed: 3), b = DemoProblem.Generate(100, 700, 5, seed: 3), c = DemoProblem.Generate(100, 700, 5, seed: 4);
        Assert.Equal(a.X.Values.ToArray(), b.X.Values.ToArray());
        Assert.Equal(a.Y, b.Y);
        Assert.Equal(a.TrueIndices, b.TrueIndices);
        Assert.NotEqual(a.Y, c.Y);
    }

    [Fact]
    public void NeighboursAreCorrelatedWithinBlocksOnly()
    {
        DemoProblem demo = DemoProblem.Generate(2000, 200, 0, seed: 5);
        double within = 0, across = 0;
        int nw = 0, na = 0;
        for (int j = 0; j + 1 < demo.P; j++)
        {
            double r = Correlation(demo.X.Column(j, default), demo.X.Column(j + 1, default));
            if ((j + 1) % DemoProblem.BlockSize == 0)
            {
                across += Math.Abs(r);
                na++;
            }
            else
            {
                within += r;
                nw++;
            }
        }

        output.WriteLine($"mean adjacent r within blocks {within / nw:F3}, |r| across {across / na:F3}");
        Assert.InRange(within / nw, 0.4, 0.9);
        Assert.InRange(across / na, 0, 0.1);
    }

    [Fact]
    public void TrueEffectsStandOutAndRecoveryIsCounted()
    {
        DemoProblem demo = DemoProblem.Generate();

        // A proxy for "the lasso can find them": most causal markers rank near the top by marginal correlation with y.
        int[] top = [.. Enumerable.Range(0, demo.P).OrderByDescending(j => Math.Abs(Correlation(demo.X.Column(j, default), demo.Y))).Take(100)];
        int found = DemoProblem.CountRecovered(demo, top);
        output.WriteLine($"{found} of 20 causal markers among the 100 highest marginal correlations");
        Assert.True(found >= 14, $"only {found} causal markers among the top 100");

        Assert.Equal(2, DemoProblem.CountRecovered(demo, [demo.TrueIndices[0], demo.TrueIndices[0], demo.TrueIndices[1], 0 == demo.TrueIndices[0] ? 1 : 0]) - (demo.TrueIndices.Contains(0) || demo.TrueIndices.Contains(1) ? 1 : 0));
        Assert.Equal(0, DemoProblem.CountRecovered(demo, []));

        ReportExtras extras = demo.ToReportExtras();
        Assert.Equal(20, extras.TrueEffects!.Count);
        Assert.Equal(demo.TrueEffects[0], extras.TrueEffects[demo.TrueIndices[0]]);
    }

    [Fact]
    public void DemoReportRendersWithTrueEffectsMarked()
    {
        DemoProblem demo = DemoProblem.Generate(200, 400, 4, seed: 2);
        var dense = new double[demo.P];
        for (int e = 0; e < demo.TrueIndices.Length; e++)
        {
            dense[demo.TrueIndices[e]] = demo.TrueEffects[e];
        }

        var path = new EnetPath
        {
            L1Ratio = 1,
            Lambda = [1.0, 0.5],
            Intercept = [0, 0],
            Beta = [SparseCoefficients.Empty, SparseCoefficients.FromDense(dense)],
            DevRatio = [0, 0.8],
            Df = [0, demo.TrueIndices.Length],
            DualGap = [0, 0],
            NullDeviance = 1,
        };
        var model = new EnetModel
        {
            Features = demo.Features,
            Preprocessing = FeaturePreprocessing.Identity(demo.Features),
            Paths = [path],
            Selected = new Selection(0, 1, SelectionRule.Last),
            Training = new TrainingInfo { N = demo.N, P = demo.P },
            FeatureScale = [.. Enumerable.Repeat(1.0, demo.P)],
        };
        string html = HtmlReport.Render(model, demo.ToReportExtras());
        Assert.Contains("4 / 4", html, StringComparison.Ordinal);
        Assert.Contains("True effects not selected: none", html, StringComparison.Ordinal);
    }

    private static double Correlation(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double ma = 0, mb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            ma += a[i];
            mb += b[i];
        }

        ma /= a.Length;
        mb /= b.Length;
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }

        return saa > 0 && sbb > 0 ? sab / Math.Sqrt(saa * sbb) : 0;
    }
}
