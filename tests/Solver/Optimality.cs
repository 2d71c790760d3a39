using GpuEnet.Kernels;
using GpuEnet.Solver;
using GpuEnet.Solver.Model;

namespace GpuEnet.Tests.Solver;

/// <summary>Checks the KKT conditions of DESIGN.md's problem for a fitted path, computed plainly from X, y.</summary>
internal static class Optimality
{
    /// <summary>
    /// Largest KKT violation over features and λ, each λ's violations relative to that λ's own KKT limit
    /// λ·max(a, 1e-3)·max_j v_j (so a violation of 10 % of λ_min·a at the end of the path reads 0.1, not 1e-5).
    /// At λ = 0 the reference is 1e-9 of the largest null-model gradient instead.
    /// </summary>
    public static double MaxKktViolation(IColumnSource x, double[] y, double[]? weights, EnetSettings s, EnetPath path)
    {
        int n = x.Rows, p = x.Columns;
        var w = weights is null ? Enumerable.Repeat(1.0 / n, n).ToArray() : weights.Select(v => v / weights.Sum()).ToArray();
        var scratch = new double[n];
        var mean = new double[p];
        var sd = new double[p];
        for (int j = 0; j < p; j++)
        {
            var c = x.Column(j, scratch);
            double m = 0;
            for (int i = 0; i < n; i++)
            {
                m += w[i] * c[i];
            }

            double v = 0;
            for (int i = 0; i < n; i++)
            {
                v += w[i] * (c[i] - m) * (c[i] - m);
            }

            mean[j] = m;
            sd[j] = Math.Sqrt(v);
        }

        var pf = GpuEnet.Solver.Path.PathSolver.RescaledPenalty(s.PenaltyFactor, p);
        double nullGradient = NullGradient(x, y, w, mean, sd, s);
        double worst = 0;
        for (int k = 0; k < path.Count; k++)
        {
            var beta = new double[p];
            path.Beta[k].ToDense(beta);
            var r = new double[n];
            for (int i = 0; i < n; i++)
            {
                r[i] = y[i] - path.Intercept[k];
            }

            for (int j = 0; j < p; j++)
            {
                if (beta[j] == 0)
                {
                    continue;
                }

                var c = x.Column(j, scratch);
                for (int i = 0; i < n; i++)
                {
                    r[i] -= beta[j] * c[i];
                }
            }

            double lambda = path.Lambda[k], a = path.L1Ratio;
            double limit = Math.Max(lambda * Math.Max(a, 1e-3) * pf.Max(), 1e-9 * nullGradient);
            double worstHere = 0;
            for (int j = 0; j < p; j++)
            {
                if (sd[j] == 0)
                {
                    continue;
                }

                var c = x.Column(j, scratch);
                double scale = s.Standardize ? sd[j] : 1;
                double g = 0;
                for (int i = 0; i < n; i++)
                {
                    g += w[i] * (c[i] - (s.Intercept ? mean[j] : 0)) / scale * r[i];
                }

                double bt = beta[j] * scale;
                double l1 = lambda * a * pf[j], l2 = lambda * (1 - a) * pf[j];
                double lower = s.Lower is null ? double.NegativeInfinity : s.Lower[j] * scale;
                double upper = s.Upper is null ? double.PositiveInfinity : s.Upper[j] * scale;
                double violation;
                double residualGrad = g - (l2 * bt);
                if (bt == 0)
                {
                    violation = Math.Max(0, Math.Max(upper > 0 ? residualGrad - l1 : 0, lower < 0 ? -residualGrad - l1 : 0));
                }
                else if (bt >= upper - 1e-12 || bt <= lower + 1e-12)
                {
                    violation = bt >= upper - 1e-12 ? Math.Max(0, -(residualGrad - l1)) : Math.Max(0, residualGrad + l1);
                }
                else
                {
                    violation = Math.Abs(residualGrad - (l1 * Math.Sign(bt)));
                }

                worstHere = Math.Max(worstHere, violation);
            }

            worst = Math.Max(worst, worstHere / limit);
        }

        return worst;
    }

    // max_j |x̃_jᵀ W (y − ȳ)|: the gradient scale of the null model.
    private static double NullGradient(IColumnSource x, double[] y, double[] w, double[] mean, double[] sd, EnetSettings s)
    {
        int n = x.Rows;
        double yMean = s.Intercept ? y.Select((v, i) => w[i] * v).Sum() : 0;
        var scratch = new double[n];
        double largest = 0;
        for (int j = 0; j < x.Columns; j++)
        {
            if (sd[j] == 0)
            {
                continue;
            }

            var c = x.Column(j, scratch);
            double g = 0;
            for (int i = 0; i < n; i++)
            {
                g += w[i] * (c[i] - (s.Intercept ? mean[j] : 0)) / (s.Standardize ? sd[j] : 1) * (y[i] - yMean);
            }

            largest = Math.Max(largest, Math.Abs(g));
        }

        return largest;
    }
}
