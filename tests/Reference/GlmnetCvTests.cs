using System.Text.Json;
using GpuEnet.Kernels.Cpu;
using GpuEnet.Solver;
using Xunit;
using Xunit.Abstractions;

namespace GpuEnet.Tests.Reference;

/// <summary>
/// Batched cross-validation against glmnet-made CV curves with the same fold ids and the full-data λ sequence
/// (cvexact_*: every fold fitted at exactly those λ on DESIGN's objective; see tests/fixtures/README.md).
/// </summary>
public sealed class GlmnetCvTests(ITestOutputHelper output)
{
    public static TheoryData<string, double> Cases()
    {
        var data = new TheoryData<string, double>();
        foreach (string problem in Fixtures.GlmnetProblems())
        {
            foreach (double a in new[] { 1, 0.5 })
            {
                if (File.Exists(Path.Combine(Fixtures.Root, "glmnet", problem, $"cvexact_a{Fixtures.A(a)}.csv")))
                {
                    data.Add(problem, a);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void CvCurveMatches(string problem, double a)
    {
        string folder = Path.Combine(Fixtures.Root, "glmnet", problem);
        var fx = Fixtures.Load("glmnet", problem);
        var table = Fixtures.Table(Path.Combine(folder, $"cvexact_a{Fixtures.A(a)}.csv"));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, $"cvexact_a{Fixtures.A(a)}.json")));
        var foldId = File.ReadAllLines(Path.Combine(folder, "foldid.txt")).Where(l => l.Length > 0).Select(int.Parse).ToArray();
        var s = fx.Base;
        var settings = new EnetSettings
        {
            L1Ratios = [a],
            Lambda = table["lambda"],
            Tolerance = 1e-14,
            Standardize = s.Standardize,
            Intercept = s.Intercept,
            PenaltyFactor = s.PenaltyFactor,
            Lower = s.Lower,
            Upper = s.Upper,
        };
        using var backend = new CpuBackend(2);
        var model = new EnetFitter(backend, settings).CrossValidate(
            new TrainingData { X = fx.Data.X, Y = fx.Data.Y, Weights = fx.Data.Weights, Features = fx.Data.Features },
            new CvOptions { FoldId = foldId });
        var cv = model.Paths[0].Cv!;
        double worst = 0;
        for (int k = 0; k < cv.Cvm.Length; k++)
        {
            worst = Math.Max(worst, Math.Abs(cv.Cvm[k] - table["cvm"][k]) / table["cvm"][k]);
            worst = Math.Max(worst, Math.Abs(cv.Cvsd[k] - table["cvsd"][k]) / table["cvm"][k]);
        }

        output.WriteLine($"{problem} a={a}: max relative cvm/cvsd difference {worst:E2}; lambda_min {cv.LambdaMin} vs {json.RootElement.GetProperty("lambda_min").GetDouble()}");
        Assert.Equal(table["lambda"].Length, cv.Cvm.Length);
        Assert.True(worst < 1e-3, $"cvm/cvsd differ by {worst:E2} (relative)");
        Assert.Equal(json.RootElement.GetProperty("lambda_min").GetDouble(), cv.LambdaMin, 12);
        Assert.Equal(json.RootElement.GetProperty("lambda_1se").GetDouble(), cv.Lambda1se, 12);
    }
}

/// <summary>
/// cv.glmnet itself, given the full-data λ (tests/fixtures/make_cvglmnet_user_lambda.R), against GpuEnet with
/// <c>GlmnetRidgeScaling</c>: glmnet's per-fit y standardisation reproduced, so cvm agrees at every l1_ratio.
/// </summary>
public sealed class CvGlmnetCompatibilityTests(ITestOutputHelper output)
{
    public static TheoryData<string, double> Cases()
    {
        var data = new TheoryData<string, double>();
        foreach (string problem in new[] { "indep", "corr", "wide", "nostd" })
        {
            foreach (double a in new[] { 1, 0.5, 0.1 })
            {
                data.Add(problem, a);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesCvGlmnet(string problem, double a)
    {
        string folder = Path.Combine(Fixtures.Root, "glmnet", problem);
        var fx = Fixtures.Load("glmnet", problem);
        var table = Fixtures.Table(Path.Combine(folder, $"cvglmnet_a{Fixtures.A(a)}.csv"));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, $"cvglmnet_a{Fixtures.A(a)}.json")));
        var foldId = File.ReadAllLines(Path.Combine(folder, "foldid.txt")).Where(l => l.Length > 0).Select(int.Parse).ToArray();
        var settings = new EnetSettings
        {
            L1Ratios = [a],
            Lambda = table["lambda"],
            Tolerance = 1e-14,
            Standardize = fx.Base.Standardize,
            Intercept = fx.Base.Intercept,
            GlmnetRidgeScaling = true,
        };
        using var backend = new CpuBackend(2);
        var cv = new EnetFitter(backend, settings).CrossValidate(
            new TrainingData { X = fx.Data.X, Y = fx.Data.Y, Features = fx.Data.Features }, new CvOptions { FoldId = foldId }).Paths[0].Cv!;
        double worst = 0;
        for (int k = 0; k < cv.Cvm.Length; k++)
        {
            worst = Math.Max(worst, Math.Abs(cv.Cvm[k] - table["cvm"][k]) / table["cvm"][k]);
        }

        output.WriteLine($"{problem} a={a}: max relative cvm difference from cv.glmnet {worst:E2}");
        Assert.True(worst < 1e-3, $"cvm differs from cv.glmnet by {worst:E2} (relative)");
        Assert.Equal(json.RootElement.GetProperty("lambda_min").GetDouble(), cv.LambdaMin, 12);
        Assert.Equal(json.RootElement.GetProperty("lambda_1se").GetDouble(), cv.Lambda1se, 12);
    }
}
