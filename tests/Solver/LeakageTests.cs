using GpuEnet.Kernels;
using GpuEnet.Kernels.Cpu;
using GpuEnet.Solver;
using GpuEnet.Solver.Model;
using GpuEnet.Solver.Path;
using Xunit;

namespace GpuEnet.Tests.Solver;

/// <summary>Nothing a fold learns may depend on its held-out rows: features, missingness and target there are free to change.</summary>
public sealed class LeakageTests
{
    [Theory]
    [InlineData(ImputeStrategy.Mean)]
    [InlineData(ImputeStrategy.Median)]
    [InlineData(ImputeStrategy.Mode)]
    [InlineData(ImputeStrategy.Knn)]
    [InlineData(ImputeStrategy.Regression)]
    [InlineData(ImputeStrategy.Knn, 3)]
    [InlineData(ImputeStrategy.Regression, 3)]
    public void ChangingHeldOutRowsDoesNotChangeTheFoldModel(ImputeStrategy impute, int imputations = 1)
    {
        const int n = 60, p = 12;
        var heldOut = Enumerable.Range(0, 10).ToArray();
        var first = Solve(MakeData(n, p, alterHeldOut: false), heldOut, impute, imputations);
        var second = Solve(MakeData(n, p, alterHeldOut: true), heldOut, impute, imputations);
        Assert.Equal(imputations, first.Length);
        for (int m = 0; m < imputations; m++)
        {
            Assert.Equal(first[m].Lambda, second[m].Lambda);
            for (int k = 0; k < first[m].Beta.Count; k++)
            {
                Assert.Equal(first[m].Beta[k].Index, second[m].Beta[k].Index);
                Assert.Equal(first[m].Beta[k].Value, second[m].Beta[k].Value);
                Assert.Equal(first[m].Intercept[k], second[m].Intercept[k]);
            }

            Assert.Equal(first[m].FeatureScale, second[m].FeatureScale);
        }

        if (imputations > 1)
        {
            // The draws differ between imputations (or the test would not exercise them).
            Assert.NotEqual(first[0].Beta[^1].Value, first[1].Beta[^1].Value);
        }
    }

    private static PathSolution[] Solve((DenseMatrix X, double[] Y) data, int[] heldOut, ImputeStrategy impute, int imputations)
    {
        var w = Enumerable.Repeat(1.0, data.Y.Length).ToArray();
        foreach (int i in heldOut)
        {
            w[i] = 0;
        }

        var settings = new EnetSettings
        {
            L1Ratios = [0.5],
            Impute = impute,
            FullPath = true,
            NLambda = 30,
            Neighbours = 3,
            ImputeRounds = 2,
            ImputePredictors = 4,
            Imputations = imputations,
            ImputeSeed = 5,
        };
        using var backend = new CpuBackend(2);
        using var design = backend.Bind(data.X);
        var problems = Enumerable.Range(0, imputations)
            .Select(m => new PathProblem { Weights = w, L1Ratio = 0.5, EvaluationRows = heldOut, Draw = m, Follows = m == 0 ? -1 : 0, Lambda = null })
            .ToArray();
        return new PathSolver(design, data.Y, settings, null).Solve(problems);
    }

    // Missing cells in several columns; with alterHeldOut the held-out rows get other values, other missing cells and another y.
    private static (DenseMatrix X, double[] Y) MakeData(int n, int p, bool alterHeldOut)
    {
        var (x, y) = RandomProblems.Make(n, p, seed: 7);
        var values = x.Values.ToArray();
        var missing = new List<int>[p];
        var rng = new Random(11);
        for (int j = 0; j < p; j++)
        {
            missing[j] = [];
            for (int i = 0; i < n; i++)
            {
                bool isHeldOut = i < 10;
                bool miss = (j % 3 == 0 && (i * 7 + j) % 9 == 0) || (alterHeldOut && isHeldOut && (i + j) % 4 == 0);
                if (alterHeldOut && isHeldOut)
                {
                    values[(j * n) + i] = 100 * rng.NextDouble();
                }

                if (miss)
                {
                    values[(j * n) + i] = 0;
                    missing[j].Add(i);
                }
            }
        }

        var yy = (double[])y.Clone();
        if (alterHeldOut)
        {
            for (int i = 0; i < 10; i++)
            {
                yy[i] = -50 + i;
            }
        }

        return (new DenseMatrix(n, p, values).WithMissing(missing.Select(m => m.ToArray()).ToArray()), yy);
    }
}
