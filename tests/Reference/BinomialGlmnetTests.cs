using System.Text.Json;
using GpuEnet.Kernels;
using GpuEnet.Kernels.Cpu;
using GpuEnet.Solver;
using GpuEnet.Solver.Model;
using Xunit;
using Xunit.Abstractions;

namespace GpuEnet.Tests.Reference;

/// <summary>
/// The binomial family against glmnet 4.1-6 (tests/fixtures/glmnet-binomial, thresh 1e-12): paths on glmnet's own λ
/// sequence, and cv.glmnet given that λ and the fold ids. Abstract over the backend: the SIMD backend here, ILGPU's CPU
/// accelerator in the ILGPU subclass.
/// </summary>
public abstract class BinomialGlmnetTestsBase(ITestOutputHelper output)
{
    /// <summary>The backend under test.</summary>
    protected abstract IKernelBackend CreateBackend();

    /// <summary>Problems and l1_ratios to run (the ILGPU subclass runs a subset: its CPU accelerator is slow).</summary>
    public static TheoryData<string, double> PathCases()
    {
        var data = new TheoryData<string, double>();
        foreach (string problem in BinomialFixtures.Problems())
        {
            foreach (double a in new[] { 1, 0.5, 0.1 })
            {
                data.Add(problem, a);
            }
        }

        return data;
    }

    public static TheoryData<string, string, double> CvCases()
    {
        var data = new TheoryData<string, string, double>();
        foreach (string problem in BinomialFixtures.Problems())
        {
            foreach (string file in Directory.GetFiles(BinomialFixtures.Folder(problem), "cvglmnet_*.csv").Order())
            {
                var parts = Path.GetFileNameWithoutExtension(file).Split('_');
                data.Add(problem, parts[1], double.Parse(parts[2][1..], System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return data;
    }

    /// <summary>
    /// At every λ of glmnet's path the penalised negative log-likelihood is at most glmnet's + 1e-7 (relative); the
    /// coefficients agree within 1e-3 of the largest (glmnet's own accuracy at thresh 1e-12 is about that on ρ = 0.9 and
    /// near-separable data), and every λ's duality gap is small.
    /// </summary>
    /// <remarks>
    /// <paramref name="firstLambdas"/> limits the run to the head of glmnet's sequence (each solution along a user sequence
    /// depends only on the λ before it), for the slow ILGPU CPU accelerator.
    /// </remarks>
    protected void CheckPath(string problem, double a, int firstLambdas = int.MaxValue)
    {
        var fx = BinomialFixtures.Load(problem);
        var table = Fixtures.Table(Path.Combine(BinomialFixtures.Folder(problem), $"path_a{Fixtures.A(a)}.csv"));
        var lambda = table["lambda"].Take(firstLambdas).ToArray();
        var settings = fx.With(a, lambda);
        using var backend = CreateBackend();
        var model = new EnetFitter(backend, settings).Fit(fx.Training);
        Assert.Equal(ModelFamily.Binomial, model.Family);
        var path = model.Paths[0];
        Assert.Equal(lambda.Length, path.Count);
        int p = fx.Data.X.Columns;
        var x = fx.Imputed;
        var y = fx.Coded;
        double largest = Math.Max(Enumerable.Range(1, p).Max(j => table[$"b{j}"].Max(Math.Abs)), 1e-12);
        double worstCoef = 0, worstObjective = double.NegativeInfinity, worstGap = 0, worstDevRatio = 0;
        var ours = new double[p];
        var theirs = new double[p];
        for (int k = 0; k < lambda.Length; k++)
        {
            path.Beta[k].ToDense(ours);
            for (int j = 0; j < p; j++)
            {
                theirs[j] = table[$"b{j + 1}"][k];
                worstCoef = Math.Max(worstCoef, Math.Abs(ours[j] - theirs[j]) / largest);
            }

            double ourObjective = BinomialFixtures.Objective(x, y, fx.Data.Weights, settings, lambda[k], a, path.Intercept[k], ours);
            double glmnetObjective = BinomialFixtures.Objective(x, y, fx.Data.Weights, settings, lambda[k], a, table["a0"][k], theirs);
            worstObjective = Math.Max(worstObjective, (ourObjective - glmnetObjective) / glmnetObjective);
            worstGap = Math.Max(worstGap, path.DualGap[k]);
            worstDevRatio = Math.Max(worstDevRatio, Math.Abs(path.DevRatio[k] - table["dev_ratio"][k]));
            Assert.False(double.IsNaN(ourObjective), $"NaN objective at λ index {k}");
        }

        output.WriteLine($"{problem} a={a}: {lambda.Length} λ, max (obj − obj_glmnet)/obj_glmnet = {worstObjective:E2}, " +
            $"max |Δβ|/max|β| = {worstCoef:E2}, max |Δ dev_ratio| = {worstDevRatio:E2}, max relative gap = {worstGap:E2}");
        Assert.True(worstObjective <= 1e-7, $"objective above glmnet's by {worstObjective:E2} (relative)");
        Assert.True(worstCoef <= 1e-3, $"coefficients differ from glmnet by {worstCoef:E2} of the largest");
        Assert.True(worstDevRatio <= 1e-4, $"dev_ratio differs from glmnet by {worstDevRatio:E2}");
        // The lasso's dual point is the gradient scaled into the constraints; near separation, where p(1−p) is tiny, its
        // loss term magnifies a small KKT residual (measured: up to 1.1e-4 on corr, while the objective is within 1e-9).
        Assert.True(worstGap <= 1e-3, $"duality gap {worstGap:E2} of the null loss");
    }

    /// <summary>
    /// cv.glmnet given the λ and the fold ids: the same lambda_min and lambda_1se, cvm within 1e-3 (relative). For AUC,
    /// λ where cv.glmnet broke tied predictions at random (the null model) are left out of the cvm comparison.
    /// </summary>
    protected void CheckCv(string problem, string measure, double a)
    {
        string folder = BinomialFixtures.Folder(problem);
        var fx = BinomialFixtures.Load(problem);
        var table = Fixtures.Table(Path.Combine(folder, $"cvglmnet_{measure}_a{Fixtures.A(a)}.csv"));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, $"cvglmnet_{measure}_a{Fixtures.A(a)}.json")));
        var settings = fx.With(a, table["lambda"]) with { FullPath = false };
        var parsed = Enum.Parse<CvMeasure>(measure, ignoreCase: true);
        using var backend = CreateBackend();
        var model = new EnetFitter(backend, settings).CrossValidate(fx.Training, new CvOptions { FoldId = BinomialFixtures.FoldId(problem), Measure = parsed });
        var cv = model.Paths[0].Cv!;
        Assert.Equal(parsed, cv.Measure);
        Assert.Equal(table["lambda"].Length, cv.Cvm.Length);
        double worst = 0;
        int compared = 0, worstAt = 0;
        for (int k = 0; k < cv.Cvm.Length; k++)
        {
            if (table["tied"][k] == 1 && parsed == CvMeasure.Auc)
            {
                continue;
            }

            compared++;
            double difference = Math.Max(Math.Abs(cv.Cvm[k] - table["cvm"][k]), Math.Abs(cv.Cvsd[k] - table["cvsd"][k])) / Math.Abs(table["cvm"][k]);
            worstAt = difference > worst ? k : worstAt;
            worst = Math.Max(worst, difference);
        }

        double lambdaMin = json.RootElement.GetProperty("lambda_min").GetDouble();
        double lambda1se = json.RootElement.GetProperty("lambda_1se").GetDouble();
        output.WriteLine($"{problem} {measure} a={a}: max relative cvm/cvsd difference {worst:E2} over {compared} λ (at λ index {worstAt}: cvm {cv.Cvm[worstAt]:G8} vs {table["cvm"][worstAt]:G8}); " +
            $"lambda_min {cv.LambdaMin:G6} vs {lambdaMin:G6}, lambda_1se {cv.Lambda1se:G6} vs {lambda1se:G6}");
        Assert.True(compared >= cv.Cvm.Length / 3, $"only {compared} λ compared");
        Assert.True(worst < 1e-3, $"cvm/cvsd differ from cv.glmnet by {worst:E2} (relative)");
        Assert.Equal(lambdaMin, cv.LambdaMin, 12);
        Assert.Equal(lambda1se, cv.Lambda1se, 12);
    }
}

/// <summary>The binomial glmnet fixtures on the SIMD backend: every problem, l1_ratio and CV measure.</summary>
public sealed class BinomialGlmnetTests(ITestOutputHelper output) : BinomialGlmnetTestsBase(output)
{
    protected override IKernelBackend CreateBackend() => new CpuBackend(2);

    [Theory]
    [MemberData(nameof(PathCases))]
    public void PathMatchesGlmnet(string problem, double a) => CheckPath(problem, a);

    [Theory]
    [MemberData(nameof(CvCases))]
    public void CvMatchesCvGlmnet(string problem, string measure, double a) => CheckCv(problem, measure, a);
}

/// <summary>
/// The binomial glmnet fixtures on the ILGPU backend (its kernels on ILGPU's CPU accelerator, as in CI): a subset that
/// covers each feature (p ≫ n, near-separable, weights + penalty factors + bounds, no intercept, 2-bit PLINK genotypes with
/// missing calls, CV deviance and AUC), the accelerator being 10–50× slower than the SIMD backend.
/// </summary>
public sealed class BinomialGlmnetIlgpuTests(ITestOutputHelper output) : BinomialGlmnetTestsBase(output)
{
    protected override IKernelBackend CreateBackend() => GpuEnet.Kernels.Ilgpu.IlgpuBackend.CreateCpu();

    [Theory]
    [InlineData("indep", 1)]
    [InlineData("wide", 0.5)]
    [InlineData("separable", 1)]
    [InlineData("weighted", 0.5)]
    public void PathMatchesGlmnet(string problem, double a) => CheckPath(problem, a);

    // The first 40 λ: the whole paths take minutes on the CPU accelerator.
    [Theory]
    [InlineData("nointercept", 1)]
    [InlineData("plink", 1)]
    public void PathHeadMatchesGlmnet(string problem, double a) => CheckPath(problem, a, firstLambdas: 40);

    [Theory]
    [InlineData("indep", "deviance", 1)]
    [InlineData("indep", "auc", 1)]
    public void CvMatchesCvGlmnet(string problem, string measure, double a) => CheckCv(problem, measure, a);
}
