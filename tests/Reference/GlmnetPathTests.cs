using GpuEnet.Kernels.Cpu;
using GpuEnet.Solver;
using Xunit;
using Xunit.Abstractions;

namespace GpuEnet.Tests.Reference;

/// <summary>GpuEnet against glmnet 4.1-6 (tests/fixtures/glmnet) on glmnet's own λ sequence.</summary>
public sealed class GlmnetPathTests(ITestOutputHelper output)
{
    public static TheoryData<string, double> Cases()
    {
        var data = new TheoryData<string, double>();
        foreach (string problem in Fixtures.GlmnetProblems())
        {
            foreach (double a in new[] { 1, 0.5, 0.1, 0 })
            {
                data.Add(problem, a);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void PathMatchesGlmnet(string problem, double a)
    {
        var fx = Fixtures.Load("glmnet", problem);
        var table = Fixtures.Table(Path.Combine(Fixtures.Root, "glmnet", problem, $"path_a{Fixtures.A(a)}.csv"));
        var lambda = table["lambda"];
        int p = fx.Data.X.Columns;
        var s = fx.Base;
        var settings = new EnetSettings
        {
            L1Ratios = [a],
            Lambda = lambda,
            Tolerance = 1e-14,
            FullPath = true,
            Standardize = s.Standardize,
            Intercept = s.Intercept,
            PenaltyFactor = s.PenaltyFactor,
            Lower = s.Lower,
            Upper = s.Upper,
        };
        using var backend = new CpuBackend(2);
        var model = new EnetFitter(backend, settings).Fit(new TrainingData { X = fx.Data.X, Y = fx.Data.Y, Weights = fx.Data.Weights, Features = fx.Data.Features });
        var path = model.Paths[0];
        Assert.Equal(lambda.Length, path.Count);
        // Coefficient differences are measured against the largest glmnet coefficient on the whole path: near λ_max the
        // first entering coefficients are tiny, and glmnet's own accuracy (KKT residuals ~1e-4·λ at thresh 1e-14) swamps them.
        double largest = Math.Max(Enumerable.Range(1, p).Max(j => table[$"b{j}"].Max(Math.Abs)), 1e-12);
        double worstCoef = 0, worstObjective = double.NegativeInfinity;
        var ours = new double[p];
        var theirs = new double[p];

        // glmnet reports zeros at the first ridge λ (λ_max computed with a = 0.001), which is not that λ's solution.
        for (int k = a == 0 ? 1 : 0; k < lambda.Length; k++)
        {
            path.Beta[k].ToDense(ours);
            for (int j = 0; j < p; j++)
            {
                theirs[j] = table[$"b{j + 1}"][k];
            }

            for (int j = 0; j < p; j++)
            {
                worstCoef = Math.Max(worstCoef, Math.Abs(ours[j] - theirs[j]) / largest);
            }

            double ourObjective = Fixtures.Objective(fx.Data.X, fx.Data.Y, fx.Data.Weights, settings, lambda[k], a, path.Intercept[k], ours);
            double glmnetObjective = Fixtures.Objective(fx.Data.X, fx.Data.Y, fx.Data.Weights, settings, lambda[k], a, table["a0"][k], theirs);
            worstObjective = Math.Max(worstObjective, (ourObjective - glmnetObjective) / glmnetObjective);
        }

        output.WriteLine($"{problem} a={a}: max |Δβ|/max|β| = {worstCoef:E2}, max (obj − obj_glmnet)/obj_glmnet = {worstObjective:E2}");
        Assert.True(worstObjective <= 1e-7, $"objective above glmnet's by {worstObjective:E2} (relative)");
        Assert.True(worstCoef <= 1e-4, $"coefficients differ from glmnet by {worstCoef:E2} of the largest");
    }
}
