using GpuEnet.Solver.Model;
using Xunit;

namespace GpuEnet.Tests.Report;

/// <summary>Hand-built, realistic-looking models for the report tests (seeded; no solver involved).</summary>
internal static class ReportModelFactory
{
    public const string NastyName = "a<b&\"c\"";

    /// <summary>
    /// A model with <paramref name="l1Ratios"/>.Length paths of <paramref name="nLambda"/> λ each, CV curves on every
    /// path, stability frequencies, and feature 3 named <see cref="NastyName"/> with a large effect.
    /// </summary>
    public static EnetModel Build(int p = 300, int nLambda = 60, double[]? l1Ratios = null, int seed = 7, SelectionRule rule = SelectionRule.OneSe, bool cv = true, bool stability = true)
    {
        l1Ratios ??= [1.0, 0.5, 0.1];
        var rng = new Random(seed);
        var features = Enumerable.Range(0, p).Select(j => $"gene_{j:D4}").ToArray();
        features[3] = NastyName;
        features[5] = "a_rather_long_feature_name_that_needs_shortening";
        var scale = Enumerable.Range(0, p).Select(_ => 0.2 + (rng.NextDouble() * 3)).ToArray();

        // Forty features with an effect; feature 3 the strongest.
        int active = Math.Min(40, p);
        int[] effectIdx = [.. Enumerable.Range(0, p).OrderBy(_ => rng.Next()).Take(active)];
        if (!effectIdx.Contains(3))
        {
            effectIdx[0] = 3;
        }

        var target = effectIdx.ToDictionary(j => j, j => (j == 3 ? 2.5 : (0.1 + rng.NextDouble()) * (rng.Next(2) == 0 ? -1 : 1)) / scale[j]);

        var paths = new EnetPath[l1Ratios.Length];
        for (int a = 0; a < l1Ratios.Length; a++)
        {
            double lambdaMax = 1.2 / Math.Max(l1Ratios[a], 0.05);
            double[] lambda = [.. Enumerable.Range(0, nLambda).Select(k => lambdaMax * Math.Pow(1e-3, k / (double)(nLambda - 1)))];
            var entry = target.ToDictionary(kv => kv.Key, kv => kv.Key == 3 ? 1 : rng.Next(2, nLambda - 5));
            var beta = new SparseCoefficients[nLambda];
            var dense = new double[p];
            for (int k = 0; k < nLambda; k++)
            {
                Array.Clear(dense);
                foreach ((int j, double b) in target)
                {
                    if (k >= entry[j])
                    {
                        dense[j] = b * (1 - Math.Exp(-(k - entry[j] + 1) / 12.0));
                    }
                }

                beta[k] = SparseCoefficients.FromDense(dense);
            }

            var df = beta.Select(b => b.Count).ToArray();
            var dev = Enumerable.Range(0, nLambda).Select(k => 0.8 * (1 - Math.Exp(-k / 15.0))).ToArray();
            paths[a] = new EnetPath
            {
                L1Ratio = l1Ratios[a],
                Lambda = lambda,
                Intercept = [.. Enumerable.Repeat(0.3, nLambda)],
                Beta = beta,
                DevRatio = dev,
                Df = df,
                DualGap = [.. Enumerable.Repeat(1e-8, nLambda)],
                NullDeviance = 1.0,
                Cv = cv ? MakeCv(lambda, a, rng) : null,
            };
        }

        int pathIndex = cv ? 1 : 0;
        int lambdaIndex = !cv ? nLambda - 1 : rule == SelectionRule.Min ? paths[pathIndex].Cv!.IndexMin : paths[pathIndex].Cv!.Index1se;
        return new EnetModel
        {
            Features = features,
            Preprocessing = new FeaturePreprocessing
            {
                InputColumns = features,
                Impute = ImputeStrategy.Median,
                FillValues = new double[p],
                IndicatorColumns = [2, 7],
            },
            Paths = paths,
            Selected = new Selection(pathIndex, lambdaIndex, cv ? rule : SelectionRule.Last),
            Training = new TrainingInfo
            {
                N = 800,
                P = p,
                DroppedRows = 4,
                Device = "cuda:0 (NVIDIA H100)",
                Precision = "float64",
                SoftwareVersion = "0.1.0",
                TrainedUtc = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero),
                DataFingerprint = "9f2c4e1ab03d77e8",
                LoadSeconds = 0.42,
                SolveSeconds = 3.7,
            },
            FeatureScale = scale,
            StabilityFrequency = stability ? MakeStability(p, effectIdx, rng) : null,
            Target = "height_cm",
        };
    }

    private static CvCurve MakeCv(double[] lambda, int a, Random rng)
    {
        int n = lambda.Length;
        var cvm = new double[n];
        var cvsd = new double[n];
        double centre = n * 0.55;
        for (int k = 0; k < n; k++)
        {
            double d = (k - centre) / n;
            cvm[k] = 0.35 + (0.04 * a) + (0.65 * Math.Exp(-k / 10.0)) + (0.5 * d * d) + (0.004 * (rng.NextDouble() - 0.5));
            cvsd[k] = 0.02 + (0.01 * Math.Exp(-k / 20.0));
        }

        int min = 0;
        for (int k = 1; k < n; k++)
        {
            if (cvm[k] < cvm[min])
            {
                min = k;
            }
        }

        int oneSe = 0;
        while (cvm[oneSe] > cvm[min] + cvsd[min])
        {
            oneSe++;
        }

        return new CvCurve { Cvm = cvm, Cvsd = cvsd, IndexMin = min, Index1se = oneSe, LambdaMin = lambda[min], Lambda1se = lambda[oneSe] };
    }

    private static double[] MakeStability(int p, int[] effects, Random rng)
    {
        var f = new double[p];
        for (int j = 0; j < p; j++)
        {
            f[j] = rng.NextDouble() < 0.2 ? rng.NextDouble() * 0.25 : 0;
        }

        foreach (int j in effects)
        {
            f[j] = 0.3 + (0.7 * rng.NextDouble());
        }

        f[3] = 1.0;
        return f;
    }
}
