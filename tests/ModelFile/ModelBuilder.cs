using GpuEnet.Solver.Model;

namespace GpuEnet.Tests.ModelFile;

/// <summary>Seeded, realistic random models: imputation with indicators, several paths with growing supports, CV curves.</summary>
internal static class ModelBuilder
{
    public static EnetModel Realistic(int seed, int inputs = 200, int indicators = 10, int paths = 3, int nlambda = 60,
        bool stability = true, bool sameNames = true)
    {
        var rng = new Random(seed);
        var inputNames = new string[inputs];
        for (int i = 0; i < inputs; i++)
        {
            // A few non-ASCII names so UTF-8 handling is exercised.
            inputNames[i] = i % 17 == 3 ? $"β-κ_gène_{i}" : $"rs{rng.Next(1_000_000, 99_999_999)}_{i}";
        }

        int[] indicatorColumns = Enumerable.Range(0, inputs).OrderBy(_ => rng.Next()).Take(indicators).Order().ToArray();
        string[] features = [.. inputNames, .. indicatorColumns.Select(c => inputNames[c] + "__missing")];
        int p = features.Length;
        double[] fill = new double[inputs];
        for (int i = 0; i < inputs; i++)
        {
            fill[i] = i % 9 == 0 ? double.NaN : Normal(rng) * 3;
        }

        var prep = new FeaturePreprocessing
        {
            InputColumns = sameNames ? inputNames : inputNames.Select(n => "in:" + n).ToArray(),
            Impute = ImputeStrategy.Median,
            FillValues = fill,
            IndicatorColumns = indicatorColumns,
        };

        double[] l1 = [1.0, 0.5, 0.1, 0.9, 0.05];
        var pathArray = new EnetPath[paths];
        for (int a = 0; a < paths; a++)
        {
            pathArray[a] = RandomPath(rng, l1[a % l1.Length], p, nlambda, withCv: a != 2);
        }

        var scale = new double[p];
        for (int j = 0; j < p; j++)
        {
            scale[j] = j % 23 == 5 ? 0 : Math.Exp(Normal(rng));
        }

        EnetPath chosen = pathArray[Math.Min(1, paths - 1)];
        return new EnetModel
        {
            Features = features,
            Preprocessing = prep,
            Paths = pathArray,
            Selected = new Selection(Math.Min(1, paths - 1), chosen.Cv?.Index1se ?? chosen.Count - 1, SelectionRule.OneSe),
            Training = new TrainingInfo
            {
                N = 500 + rng.Next(1000),
                P = p,
                DroppedRows = rng.Next(5),
                Device = "cuda:0 (NVIDIA H100 80GB HBM3)",
                Precision = "float64",
                SoftwareVersion = "0.1.0+abc123",
                TrainedUtc = new DateTimeOffset(2025, 6, 1, 12, 30, 15, TimeSpan.FromHours(2)).AddTicks(rng.Next()),
                DataFingerprint = Convert.ToHexString(Enumerable.Range(0, 32).Select(_ => (byte)rng.Next(256)).ToArray()),
                Standardize = true,
                Intercept = rng.Next(2) == 0,
                LoadSeconds = rng.NextDouble() * 10,
                SolveSeconds = rng.NextDouble() * 100,
            },
            FeatureScale = scale,
            StabilityFrequency = stability ? Enumerable.Range(0, p).Select(_ => rng.NextDouble()).ToArray() : null,
            Target = "phenotype λ",
        };
    }

    /// <summary>
    /// A genomics-shaped lasso model: <paramref name="p"/> features (the last <paramref name="indicators"/> of them
    /// missing indicators when imputing), one path of <paramref name="nlambda"/> λ with a CV curve whose nested support
    /// grows to <paramref name="maxSupport"/> features (about nlambda · maxSupport / 2 stored non-zeros in all).
    /// </summary>
    public static EnetModel Genomics(int seed, int p, bool impute, int nlambda = 50, int maxSupport = 20, int indicators = 10,
        bool stability = false)
    {
        var rng = new Random(seed);
        int inputs = impute ? p - indicators : p;
        var inputNames = new string[inputs];
        for (int i = 0; i < inputs; i++)
        {
            inputNames[i] = $"rs{rng.Next(1_000_000, 99_999_999)}";
        }

        int[] indicatorColumns = impute
            ? [.. Enumerable.Range(0, indicators).Select(_ => rng.Next(inputs)).Distinct().Order()]
            : [];
        string[] features = [.. inputNames, .. indicatorColumns.Select(c => inputNames[c] + "__missing")];
        FeaturePreprocessing prep = impute
            ? new FeaturePreprocessing
            {
                InputColumns = inputNames,
                Impute = ImputeStrategy.Mean,
                FillValues = [.. Enumerable.Range(0, inputs).Select(_ => rng.Next(3) * rng.NextDouble())],
                IndicatorColumns = indicatorColumns,
            }
            : FeaturePreprocessing.Identity(inputNames);
        int featureCount = features.Length;

        // Features enter in a random order and stay (a nested lasso support); indicators are among the candidates.
        int[] order = [.. Enumerable.Range(0, maxSupport * 4).Select(_ => rng.Next(featureCount)).Distinct().Take(maxSupport)];
        var lambda = new double[nlambda];
        var intercept = new double[nlambda];
        var beta = new SparseCoefficients[nlambda];
        for (int k = 0; k < nlambda; k++)
        {
            lambda[k] = 0.8 * Math.Pow(1e-2, k / (double)Math.Max(1, nlambda - 1));
            intercept[k] = 1 + Normal(rng);
            int size = (int)((long)k * maxSupport / Math.Max(1, nlambda - 1));
            int[] index = [.. order.Take(size).Order()];
            beta[k] = new SparseCoefficients(index, [.. index.Select(_ => Normal(rng) / 5)]);
        }

        var path = new EnetPath
        {
            L1Ratio = 1,
            Lambda = lambda,
            Intercept = intercept,
            Beta = beta,
            DevRatio = [.. Enumerable.Range(0, nlambda).Select(k => k / (double)nlambda)],
            Df = [.. beta.Select(b => b.Count)],
            DualGap = [.. Enumerable.Range(0, nlambda).Select(_ => rng.NextDouble() * 1e-7)],
            NullDeviance = 1,
            Cv = new CvCurve
            {
                Cvm = [.. Enumerable.Range(0, nlambda).Select(_ => 1 + rng.NextDouble())],
                Cvsd = [.. Enumerable.Range(0, nlambda).Select(_ => rng.NextDouble() / 10)],
                LambdaMin = lambda[nlambda - 5],
                Lambda1se = lambda[nlambda / 2],
                IndexMin = nlambda - 5,
                Index1se = nlambda / 2,
            },
        };
        double[]? frequency = null;
        if (stability)
        {
            // Features picked in some subsample: a few hundred non-zero frequencies.
            frequency = new double[featureCount];
            for (int t = 0; t < 300; t++)
            {
                frequency[rng.Next(featureCount)] = rng.Next(1, 101) / 100.0;
            }
        }

        return new EnetModel
        {
            Features = features,
            Preprocessing = prep,
            Paths = [path],
            Selected = new Selection(0, nlambda / 2, SelectionRule.OneSe),
            Training = new TrainingInfo
            {
                N = 10_000,
                P = featureCount,
                Device = "cuda:0 (NVIDIA H100 80GB HBM3)",
                Precision = "float32",
                SoftwareVersion = "0.1.0+abc123",
                TrainedUtc = new DateTimeOffset(2025, 6, 1, 12, 30, 15, TimeSpan.Zero),
                DataFingerprint = new string('a', 64),
                Standardize = true,
                Intercept = true,
            },
            FeatureScale = [.. Enumerable.Range(0, featureCount).Select(_ => 0.2 + rng.NextDouble())],
            StabilityFrequency = frequency,
            Target = "height",
        };
    }

    /// <summary>A small model for exhaustive fuzzing (a few KB).</summary>
    public static EnetModel Small(int seed) => Realistic(seed, inputs: 12, indicators: 3, paths: 2, nlambda: 8);

    private static EnetPath RandomPath(Random rng, double l1Ratio, int p, int nlambda, bool withCv)
    {
        double lambdaMax = 0.5 + rng.NextDouble();
        var lambda = new double[nlambda];
        var intercept = new double[nlambda];
        var beta = new SparseCoefficients[nlambda];
        var dev = new double[nlambda];
        var df = new int[nlambda];
        var gap = new double[nlambda];
        for (int k = 0; k < nlambda; k++)
        {
            lambda[k] = lambdaMax * Math.Pow(1e-2, k / (double)Math.Max(1, nlambda - 1));
            intercept[k] = 3 + Normal(rng);
            int nnz = Math.Min(p, (int)(k * (p / 2.0) / nlambda));
            int[] index = Enumerable.Range(0, p).OrderBy(_ => rng.Next()).Take(nnz).Order().ToArray();
            beta[k] = new SparseCoefficients(index, index.Select(_ => Normal(rng) / 3).ToArray());
            dev[k] = 1 - Math.Exp(-k / 10.0);
            df[k] = nnz;
            gap[k] = rng.NextDouble() * 1e-7;
        }

        CvCurve? cv = null;
        if (withCv)
        {
            int min = rng.Next(nlambda / 2, nlambda);
            int se = rng.Next(0, min + 1);
            cv = new CvCurve
            {
                Cvm = Enumerable.Range(0, nlambda).Select(_ => 1 + rng.NextDouble()).ToArray(),
                Cvsd = Enumerable.Range(0, nlambda).Select(_ => rng.NextDouble() / 10).ToArray(),
                LambdaMin = lambda[min],
                Lambda1se = lambda[se],
                IndexMin = min,
                Index1se = se,
            };
        }

        return new EnetPath
        {
            L1Ratio = l1Ratio,
            Lambda = lambda,
            Intercept = intercept,
            Beta = beta,
            DevRatio = dev,
            Df = df,
            DualGap = gap,
            NullDeviance = 1 + rng.NextDouble(),
            Cv = cv,
        };
    }

    private static double Normal(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
