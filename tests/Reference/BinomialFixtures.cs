using System.Text.Json;
using GpuEnet.Host.Data;
using GpuEnet.Kernels;
using GpuEnet.Solver;
using GpuEnet.Solver.Model;

namespace GpuEnet.Tests.Reference;

/// <summary>Reads the glmnet binomial fixtures under tests/fixtures/glmnet-binomial (made by make_binomial_fixtures.R).</summary>
internal static class BinomialFixtures
{
    public static string Folder(string name) => Path.Combine(Fixtures.Root, "glmnet-binomial", name);

    public static IEnumerable<string> Problems() =>
        Directory.GetDirectories(Path.Combine(Fixtures.Root, "glmnet-binomial")).Select(Path.GetFileName).Order()!;

    /// <summary>A fixture problem: its data as the CLI loads it, and the settings glmnet was given.</summary>
    public sealed record Problem(string Name, Dataset Data, EnetSettings Base)
    {
        /// <summary>The data with each missing cell replaced by its column's mean (what glmnet was given for PLINK).</summary>
        public IColumnSource Imputed => Data.X.HasMissing ? PlinkGlmnetTests.MeanImputed(Data.X) : Data.X;

        /// <summary>The target coded 0/1 (the larger label is 1).</summary>
        public double[] Coded => Data.Y.Select(v => v == Data.Y.Max() ? 1.0 : 0.0).ToArray();

        public TrainingData Training => new() { X = Data.X, Y = Data.Y, Weights = Data.Weights, Features = Data.Features };

        public EnetSettings With(double a, double[] lambda, double tolerance = 1e-13) => Base with
        {
            L1Ratios = [a],
            Lambda = lambda,
            Tolerance = tolerance,
            FullPath = true,
        };
    }

    public static Problem Load(string name)
    {
        string folder = Folder(name);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "settings.json")));
        var r = json.RootElement;
        bool weighted = r.GetProperty("weights").GetBoolean();
        string bed = Path.Combine(folder, "geno.bed");
        var data = File.Exists(bed)
            ? DataLoader.Load(new DataRequest(bed) { Target = "pheno", CaseControl = true })
            : DataLoader.Load(new DataRequest(Path.Combine(folder, "data.csv")) { Target = "y", WeightsColumn = weighted ? "w" : null });
        var settings = new EnetSettings
        {
            Family = ModelFamily.Binomial,
            Standardize = r.GetProperty("standardize").GetBoolean(),
            Intercept = r.GetProperty("intercept").GetBoolean(),
            PenaltyFactor = Vector(r, "penalty_factor", 1),
            Lower = Vector(r, "lower", double.NegativeInfinity),
            Upper = Vector(r, "upper", double.PositiveInfinity),
        };
        return new Problem(name, data, settings);
    }

    public static int[] FoldId(string name) =>
        File.ReadAllLines(Path.Combine(Folder(name), "foldid.txt")).Where(l => l.Length > 0).Select(int.Parse).ToArray();

    private static double[]? Vector(JsonElement r, string name, double fallback) =>
        r.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.Array
            ? e.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? fallback : v.GetDouble()).ToArray()
            : null;

    /// <summary>
    /// The binomial objective at (b0, b) on the original scale, written independently of the solver:
    /// (1/Σw) Σ w [log(1 + e^η) − yη] + λ Σ v_j (a|b_j s_j| + (1−a)/2 (b_j s_j)²), s_j the weighted population sd of column j
    /// (about its weighted mean) when standardising, else 1; y coded 0/1.
    /// </summary>
    public static double Objective(IColumnSource x, double[] y, double[]? weights, EnetSettings s, double lambda, double a,
        double b0, ReadOnlySpan<double> beta)
    {
        int n = x.Rows, p = x.Columns;
        double wsum = weights?.Sum() ?? n;
        var eta = new double[n];
        Array.Fill(eta, b0);
        var scratch = new double[n];
        var v = GpuEnet.Solver.Path.PathSolver.RescaledPenalty(s.PenaltyFactor, p);
        double penalty = 0;
        for (int j = 0; j < p; j++)
        {
            var c = x.Column(j, scratch);
            double m = 0, ss = 0;
            for (int i = 0; i < n; i++)
            {
                m += (weights?[i] ?? 1) * c[i] / wsum;
            }

            for (int i = 0; i < n; i++)
            {
                ss += (weights?[i] ?? 1) * (c[i] - m) * (c[i] - m) / wsum;
            }

            if (beta[j] != 0)
            {
                for (int i = 0; i < n; i++)
                {
                    eta[i] += beta[j] * c[i];
                }
            }

            double bt = beta[j] * (s.Standardize ? Math.Sqrt(ss) : 1);
            penalty += v[j] * ((a * Math.Abs(bt)) + ((1 - a) / 2 * bt * bt));
        }

        double loss = 0;
        for (int i = 0; i < n; i++)
        {
            // log(1 + e^η) − yη, stable for large |η|.
            double softplus = eta[i] > 0 ? eta[i] + Math.Log(1 + Math.Exp(-eta[i])) : Math.Log(1 + Math.Exp(eta[i]));
            loss += (weights?[i] ?? 1) / wsum * (softplus - (y[i] * eta[i]));
        }

        return loss + (lambda * penalty);
    }
}
