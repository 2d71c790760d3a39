using GpuEnet.Kernels;
using GpuEnet.Kernels.Cpu;
using GpuEnet.Solver;
using GpuEnet.Solver.Binomial;
using GpuEnet.Solver.Model;
using Xunit;

namespace GpuEnet.Tests.Solver;

/// <summary>The binomial solver on generated problems: separation, the default λ sequence, labels, weights, measures.</summary>
public sealed class BinomialSolverTests
{
    // n × p standard normal X and a 0/1 y from the logistic model with effects on the first three columns; `scale`
    // multiplies η (large: near-separable); `separable`: y is exactly the sign of η.
    private static (DenseMatrix X, double[] Y) Problem(int n, int p, int seed, double scale = 1, bool separable = false)
    {
        var rng = new Random(seed);
        var values = new double[n * p];
        for (int k = 0; k < values.Length; k++)
        {
            values[k] = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        }

        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double eta = scale * ((1.5 * values[i]) - values[n + i] + (0.5 * values[(2 * n) + i]));
            y[i] = separable ? (eta > 0 ? 1 : 0) : (rng.NextDouble() < 1 / (1 + Math.Exp(-eta)) ? 1 : 0);
        }

        return (new DenseMatrix(n, p, values), y);
    }

    private static EnetModel Fit(IColumnSource x, double[] y, EnetSettings settings, double[]? weights = null)
    {
        using var backend = new CpuBackend(1);
        return new EnetFitter(backend, settings with { Family = ModelFamily.Binomial })
            .Fit(new TrainingData { X = x, Y = y, Weights = weights, Features = PathSolverTests.Names(x.Columns) });
    }

    [Fact]
    public void PerfectlySeparableDataStaysFiniteAndStopsEarly()
    {
        var (x, y) = Problem(60, 8, seed: 1, separable: true);
        var path = Fit(x, y, new EnetSettings()).Paths[0];
        Assert.True(path.Count < 100, $"glmnet's early stop (dev ratio > 0.999) should end the path, it ran {path.Count} λ");
        Assert.True(path.DevRatio[^1] > 0.99);
        foreach (var beta in path.Beta)
        {
            Assert.All(beta.Value, v => Assert.True(double.IsFinite(v)));
        }

        Assert.All(path.Intercept, v => Assert.True(double.IsFinite(v)));
        Assert.All(path.DualGap, v => Assert.False(double.IsNaN(v)));
    }

    [Fact]
    public void TheDefaultSequenceStartsAtTheNullModelAndItsSecondLambdaAddsAFeature()
    {
        var (x, y) = Problem(100, 20, seed: 2);
        var path = Fit(x, y, new EnetSettings { NLambda = 30 }).Paths[0];
        Assert.Equal(0, path.Df[0]);
        Assert.True(path.Df[1] > 0);
        Assert.Equal(0, path.DevRatio[0], 12);

        // The intercept of the null model is the log-odds of the class mean.
        double mean = y.Average();
        Assert.Equal(Math.Log(mean / (1 - mean)), path.Intercept[0], 10);
    }

    [Fact]
    public void LabelsAreMappedInSortedOrderWhateverTheirValues()
    {
        var (x, y) = Problem(80, 10, seed: 3);
        var settings = new EnetSettings { NLambda = 15 };
        var coded = Fit(x, y, settings);
        var relabelled = Fit(x, y.Select(v => v == 1 ? 2.0 : -5.0).ToArray(), settings);
        Assert.Equal(new ClassLabels("-5", "2"), relabelled.Labels);
        Assert.Equal(new ClassLabels("0", "1"), coded.Labels);
        var a = coded.Paths[0];
        var b = relabelled.Paths[0];
        Assert.Equal(a.Count, b.Count);
        for (int k = 0; k < a.Count; k++)
        {
            Assert.Equal(a.Intercept[k], b.Intercept[k], 12);
            Assert.Equal(a.Beta[k].Index, b.Beta[k].Index);
        }
    }

    [Fact]
    public void ARowOfWeightZeroIsTheSameAsNoRow()
    {
        var (x, y) = Problem(50, 6, seed: 4);
        var weights = Enumerable.Repeat(1.0, 50).ToArray();
        weights[7] = 0;
        var settings = new EnetSettings { NLambda = 12, Tolerance = 1e-14 };
        var weighted = Fit(x, y, settings, weights).Paths[0];
        int[] kept = [.. Enumerable.Range(0, 50).Where(i => i != 7)];
        var values = new double[49 * 6];
        for (int j = 0; j < 6; j++)
        {
            for (int q = 0; q < kept.Length; q++)
            {
                values[(j * 49) + q] = x.Values.Span[(j * 50) + kept[q]];
            }
        }

        var dropped = Fit(new DenseMatrix(49, 6, values), kept.Select(i => y[i]).ToArray(), settings with { Lambda = weighted.Lambda }).Paths[0];
        var bw = new double[6];
        var bd = new double[6];
        for (int k = 0; k < weighted.Count; k++)
        {
            weighted.Beta[k].ToDense(bw);
            dropped.Beta[k].ToDense(bd);
            for (int j = 0; j < 6; j++)
            {
                Assert.Equal(bd[j], bw[j], 8);
            }
        }
    }

    [Fact]
    public void TheSolutionSatisfiesTheKktConditionsOfTheBinomialObjective()
    {
        var (x, y) = Problem(70, 30, seed: 5);
        var path = Fit(x, y, new EnetSettings { L1Ratios = [0.7], NLambda = 20, Tolerance = 1e-14 }).Paths[0];
        int n = 70, p = 30;
        var beta = new double[p];
        var scratch = new double[n];
        for (int k = 1; k < path.Count; k++)
        {
            path.Beta[k].ToDense(beta);
            var eta = new double[n];
            Array.Fill(eta, path.Intercept[k]);
            for (int j = 0; j < p; j++)
            {
                var c = x.Column(j, scratch);
                for (int i = 0; i < n; i++)
                {
                    eta[i] += beta[j] * c[i];
                }
            }

            // Gradient of the loss on the standardised scale: (1/n) Σ (y − p) x̃_j with x̃ = (x − mean)/sd.
            Assert.Equal(0, Enumerable.Range(0, n).Sum(i => y[i] - (1 / (1 + Math.Exp(-eta[i])))), 8);
            double lambda = path.Lambda[k];
            for (int j = 0; j < p; j++)
            {
                var c = x.Column(j, scratch).ToArray();
                double mean = c.Average();
                double sd = Math.Sqrt(c.Sum(v => (v - mean) * (v - mean)) / n);
                double g = Enumerable.Range(0, n).Sum(i => (y[i] - (1 / (1 + Math.Exp(-eta[i])))) * (c[i] - mean) / sd) / n;
                double b = beta[j] * sd;
                // Stationarity: g = λ(a·sign(b) + (1−a)b) for b ≠ 0, |g| ≤ λa for b = 0.
                if (b == 0)
                {
                    Assert.True(Math.Abs(g) <= (lambda * 0.7) + 1e-7, $"λ index {k}, feature {j}: |g| = {Math.Abs(g)} > λa = {lambda * 0.7}");
                }
                else
                {
                    Assert.Equal(lambda * ((0.7 * Math.Sign(b)) + (0.3 * b)), g, 6);
                }
            }
        }
    }

    [Fact]
    public void AucCountsTiesAsHalfAndWeighsPairs()
    {
        double[] y = [0, 0, 1, 1, 0, 1];
        double[] w = [1, 1, 1, 1, 1, 1];
        int[] rows = [0, 1, 2, 3, 4, 5];
        // Positives at 0.9, 0.5, 0.5; negatives at 0.1, 0.5, 0.2: pairs won 3 + 2 + 2 with one tie each for the 0.5s.
        double[] link = [0.1, 0.2, 0.9, 0.5, 0.5, 0.5];
        Assert.Equal((3 + 2.5 + 2.5) / 9, BinomialMeasures.Auc(link, rows, y, w), 14);
        w[4] = 0; // the tied negative no longer counts
        Assert.Equal(1.0, BinomialMeasures.Auc(link, rows, y, w), 14);
        Assert.True(double.IsNaN(BinomialMeasures.Auc([0.9, 0.5], [2, 3], y, w)));
    }

    [Fact]
    public void DevianceClampsProbabilitiesAsCvGlmnetDoes()
    {
        Assert.Equal(-2 * Math.Log(1e-5), BinomialMeasures.Deviance(1, 0), 10);
        Assert.Equal(-2 * Math.Log(0.25), BinomialMeasures.Deviance(0, 0.75), 12);
        Assert.True(double.IsFinite(BinomialMeasures.Deviance(0, 1)));
    }
}
