using System.Globalization;
using System.Text.Json;
using GpuEnet.Host.Data;
using GpuEnet.Kernels;
using GpuEnet.Solver;

namespace GpuEnet.Tests.Reference;

/// <summary>Reads the glmnet / scikit-learn fixtures under tests/fixtures (made by make_fixtures.R and make_sklearn_fixtures.py).</summary>
internal static class Fixtures
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "fixtures");

    public static IEnumerable<string> GlmnetProblems() =>
        Directory.GetDirectories(Path.Combine(Root, "glmnet")).Select(Path.GetFileName).Order()!;

    public sealed record Problem(string Name, Dataset Data, EnetSettings Base, bool Weighted);

    public static Problem Load(string kind, string name)
    {
        string folder = Path.Combine(Root, kind, name);
        string settingsPath = Path.Combine(Root, "glmnet", name, "settings.json");
        using var json = JsonDocument.Parse(File.ReadAllText(settingsPath));
        var r = json.RootElement;
        bool weighted = r.GetProperty("weights").GetBoolean();
        var data = DataLoader.Load(new DataRequest(Path.Combine(folder, "data.csv")) { Target = "y", WeightsColumn = weighted ? "w" : null });
        var settings = new EnetSettings
        {
            Standardize = r.GetProperty("standardize").GetBoolean(),
            Intercept = r.GetProperty("intercept").GetBoolean(),
            PenaltyFactor = Vector(r, "penalty_factor", 1),
            Lower = Vector(r, "lower", double.NegativeInfinity),
            Upper = Vector(r, "upper", double.PositiveInfinity),
        };
        return new Problem(name, data, settings, weighted);
    }

    private static double[]? Vector(JsonElement r, string name, double fallback) =>
        r.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.Array
            ? e.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? fallback : v.GetDouble()).ToArray()
            : null;

    /// <summary>A numeric CSV with a header: column name → values.</summary>
    public static Dictionary<string, double[]> Table(string path)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToArray();
        var header = lines[0].Split(',');
        var columns = header.Select(_ => new List<double>()).ToArray();
        foreach (string line in lines.Skip(1))
        {
            var cells = line.Split(',');
            for (int c = 0; c < header.Length; c++)
            {
                columns[c].Add(cells[c] is "NA" or "" ? double.NaN : double.Parse(cells[c], CultureInfo.InvariantCulture));
            }
        }

        return header.Select((h, c) => (h, c)).ToDictionary(t => t.h, t => columns[t.c].ToArray());
    }

    public static string A(double a) => a.ToString(CultureInfo.InvariantCulture);

    /// <summary>DESIGN.md's objective at (b0, b) on the original scale; the penalty is on b_j·s_j when standardising.</summary>
    public static double Objective(IColumnSource x, double[] y, double[]? weights, EnetSettings s, double lambda, double a,
        double b0, ReadOnlySpan<double> beta)
    {
        int n = x.Rows, p = x.Columns;
        double wsum = weights?.Sum() ?? n;
        var r = new double[n];
        for (int i = 0; i < n; i++)
        {
            r[i] = y[i] - b0;
        }

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

            double sd = Math.Sqrt(ss);
            if (beta[j] != 0)
            {
                for (int i = 0; i < n; i++)
                {
                    r[i] -= beta[j] * c[i];
                }
            }

            double bt = beta[j] * (s.Standardize ? sd : 1);
            penalty += v[j] * ((a * Math.Abs(bt)) + ((1 - a) / 2 * bt * bt));
        }

        double loss = 0;
        for (int i = 0; i < n; i++)
        {
            loss += (weights?[i] ?? 1) / wsum * r[i] * r[i];
        }

        return (0.5 * loss) + (lambda * penalty);
    }
}
