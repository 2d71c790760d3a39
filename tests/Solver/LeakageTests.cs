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
    public void ChangingHeldOutRowsDoesNotChangeTheFoldModel(ImputeStrategy impute)
    {
        const int n = 60, p = 12;
        var heldOut = Enumerable.Range(0, 10).ToArray();
        var first = Solve(MakeData(n, p, alterHeldOut: false), heldOut, impute);
        var second = Solve(MakeData(n, p, alterHeldOut: true), heldOut, impute);
        Assert.Equal(first.Lambda, second.Lambda);
        for (int k = 0; k < first.Beta.Count; k++)
        {
            Assert.Equal(first.Beta[k].Index, second.Beta[k].Index);
            Assert.Equal(first.Beta[k].Value, second.Beta[k].Value);
            Assert.Equal(first.Intercept[k], second.Intercept[k]);
        }

        Assert.Equal(first.FeatureScale, second.FeatureScale);
    }

    private static PathSolution Solve((DenseMatrix X, double[] Y) data, int[] heldOut, ImputeStrategy impute)
    {
        var w = Enumerable.Repeat(1.0, data.Y.Length).ToArray();
        foreach (int i in heldOut)
        {
            w[i] = 0;
        }

        var settings = new EnetSettings { L1Ratios = [0.5], Impute = impute, FullPath = true, NLambda = 30 };
        using var backend = new CpuBackend(2);
        using var design = backend.Bind(data.X);
        var problem = new PathProblem { Weights = w, L1Ratio = 0.5, EvaluationRows = heldOut };
        return new PathSolver(design, data.Y, settings, null).Solve([problem])[0];
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
